"""Pagination on the generator's side: overrides in pyproject.toml, vendor extensions that
cannot be used, `clientgen diff` on pagers, the package README, and typed iteration under
``mypy --strict``."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.cli.commands import main
from generator.config import Target
from generator.workflow.pipeline import analyse
from tests.conftest import ROOT

SPEC = ROOT / "tests" / "pagination" / "spec.yaml"
GENERATED = ROOT / "generated"


def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    return loaded


def _pagers(spec_path: Path, pagination: str = "") -> tuple[dict[str, str], list[str]]:
    analysed = analyse(spec_path, Target("pages", spec_path.name, None, pagination=pagination))
    pagers = {
        op.operation_id: op.pager.summary
        for resource in analysed.api.resources
        for op in resource.operations
        if op.pager is not None
    }
    return pagers, [d.format() for d in analysed.diagnostics]


def test_every_style_of_the_behaviour_spec_is_found() -> None:
    pagers, diagnostics = _pagers(SPEC)
    assert diagnostics == []
    assert pagers == {
        "list_cursor": "cursor: meta.next_cursor -> cursor",
        "list_slack": "cursor: response_metadata.next_cursor -> cursor",
        "list_stripe": "last_id: last item's id -> starting_after",
        "list_next_url": "next_url: next_url",
        "list_link": "link: Link header",
        "list_header_cursor": "cursor: header X-Next-Page-Token -> page_token",
        "list_offset": "offset: item count -> offset",
        "list_page": "page: page number -> page",
        "list_speakeasy": "cursor: paging.after -> after",
        "list_fern": "offset: item count -> skip",
    }  # and list_tags, which has no way to a next page, has none


def test_overrides_in_pyproject_win_and_bad_ones_are_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SPEC, tmp_path / "spec.yaml")
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.clientgen.targets.pages]
            spec = "spec.yaml"

            [tool.clientgen.targets.pages.pagination]
            listCursor = false
            listSpeakeasy = false
            "GET /not-paged" = { style = "page", items = "data", param = "page" }
            listOffset = { style = "sideways" }
            listPage = { style = "cursor", items = "data", next = "pagination.page", param = "tag" }
            noSuchOperation = false
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    assert main(["generate", "--no-cache"]) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    source = (tmp_path / "generated" / "pages" / "pages" / "resources" / "styles.py").read_text()
    assert "class StylesListCursorPage" not in source  # opted out
    assert "class StylesListSpeakeasyPage" not in source  # the opt-out wins over the extension
    assert "class StylesListPagePage" in source  # overridden: a cursor in pagination.page
    assert 'style="cursor", items=("data",), next=("pagination", "page"), param="tag"' in (
        " ".join(source.split()).replace("( ", "(").replace(", )", ")")
    )
    assert (
        "spec.yaml:#/paths/~1not-paged/get: warning: no pager: override: `page` is not a query"
        " parameter of this operation" in text
    )
    assert (
        "spec.yaml:#/paths/~1offset/get: warning: no pager: override: override `style` must be"
        " one of cursor, last_id, next_url, link, offset, page" in text
    )
    assert "`noSuchOperation` names no operation" in text


def test_a_malformed_pagination_table_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SPEC, tmp_path / "spec.yaml")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.clientgen.targets.pages]\nspec = "spec.yaml"\npagination = ["listCursor"]\n'
    )
    monkeypatch.chdir(tmp_path)
    assert main(["generate", "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert "pyproject.toml:#/tool/clientgen/targets/pages/pagination: error:" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("extension", "message"),
    [
        (
            {"x-speakeasy-pagination": {"type": "cursor", "inputs": [], "outputs": {}}},
            "x-speakeasy-pagination: a cursor pager needs a cursor input and nextCursor",
        ),
        (
            {
                "x-speakeasy-pagination": {
                    "type": "cursor",
                    "inputs": [{"name": "cursor", "in": "requestBody", "type": "cursor"}],
                }
            },
            "x-speakeasy-pagination: only inputs `in: parameters` are supported",
        ),
        (
            {"x-fern-pagination": {"cursor": "$request.cursor", "results": "$response.data"}},
            "x-fern-pagination: a cursor pager needs `cursor: $request.<param>` and `next_cursor`",
        ),
        (
            {"x-fern-pagination": {"offset": "$request.nope", "results": "$response.data"}},
            "`nope` is not a query parameter of this operation",
        ),
    ],
)
def test_an_extension_that_cannot_be_used_is_a_warning(
    tmp_path: Path, extension: dict[str, Any], message: str
) -> None:
    spec = _spec()
    spec["paths"]["/cursor"]["get"].update(copy.deepcopy(extension))
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    pagers, diagnostics = _pagers(path)
    assert "list_cursor" not in pagers  # the extension wins over detection, even when unusable
    (line,) = [d for d in diagnostics if "~1cursor/get" in d]
    assert message in line and "(hint: settle it in pyproject.toml" in line


def test_diff_reports_pagers_added_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _spec()
    new = copy.deepcopy(old)
    # old: /cursor has no cursor parameter (no pager); new: /stripe loses has_more (no pager)
    old["paths"]["/cursor"]["get"]["parameters"] = [
        p for p in old["paths"]["/cursor"]["get"]["parameters"] if p["name"] != "cursor"
    ]
    schema = new["paths"]["/stripe"]["get"]["responses"]["200"]["content"]["application/json"]
    del schema["schema"]["properties"]["has_more"]
    schema["schema"]["required"] = ["data"]
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(old))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(new))
    monkeypatch.chdir(tmp_path)
    assert main(["diff", "old.yaml", "new.yaml", "--fail-on-breaking"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "safe      styles.list_cursor: pager added (cursor: meta.next_cursor -> cursor)" in lines
    assert (
        "breaking  styles.list_stripe: pager removed (last_id: last item's id -> starting_after):"
        " the result no longer iterates every item" in lines
    )


def test_package_readme_shows_iteration() -> None:
    readme = (GENERATED / "flora_runs" / "README.md").read_text()
    assert "for item in client.generations.list():" in readme
    assert "for item in client.technique_runs.list():" in readme
    assert "async for item in client.technique_runs.list():" in readme
    assert "iter_pages()" in readme


def test_typed_iteration_passes_mypy_strict(tmp_path: Path) -> None:
    for package in ("flora_runs", "praisonai_jobs"):
        shutil.copytree(
            GENERATED / package / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    (tmp_path / "use_pages.py").write_text(
        textwrap.dedent(
            """
            from typing_extensions import assert_type

            import flora_runs
            import praisonai_jobs
            from flora_runs import models


            def sync_use(client: flora_runs.Client) -> list[str]:
                page = client.generations.list(limit=2)
                assert_type(page.meta, models.CursorPageMeta)
                for run in page:
                    assert_type(run, models.GenerationListItem)
                for other in page.iter_pages():
                    assert_type(other.generations, list[models.GenerationListItem])
                if page.has_next_page():
                    page = page.get_next_page()
                raw = client.with_raw_response.technique_runs.list()
                return [r.run_id for r in raw.parsed] + [r.run_id for r in page.generations]


            async def async_use(client: flora_runs.AsyncClient) -> list[str]:
                page = await client.generations.list(limit=2)
                ids = [run.run_id async for run in client.generations.list()]
                async for run in page:
                    assert_type(run, models.GenerationListItem)
                async for other in page.iter_pages():
                    ids.extend(g.run_id for g in other.generations)
                nxt = await page.get_next_page()
                return ids + [g.run_id for g in nxt.generations]


            def jobs(client: praisonai_jobs.Client) -> int:
                total = 0
                for job in client.jobs.list(page_size=50):
                    assert_type(job, praisonai_jobs.models.JobStatusResponse)
                    total += 1
                return total
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "use_pages.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:]


def test_a_page_model_field_named_like_a_page_method_gets_no_pager(tmp_path: Path) -> None:
    spec = _spec()
    schema = spec["paths"]["/cursor"]["get"]["responses"]["200"]["content"]["application/json"]
    schema["schema"]["properties"]["hasNextPage"] = {"type": "boolean"}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    pagers, diagnostics = _pagers(path)
    assert "list_cursor" not in pagers
    (line,) = [d for d in diagnostics if "~1cursor/get" in d]
    assert "no pager: the page model's field `hasNextPage` would be hidden by the page" in line
