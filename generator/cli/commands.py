"""Command line: ``clientgen generate | check | validate | diff`` (a click group).

Exit codes: 0 success; 1 the spec has errors, generated code is stale, or (``diff
--fail-on-breaking``) an API change breaks callers; 2 usage errors and internal errors.
User errors print ``file:pointer: level: message`` lines, never a traceback (``--debug``
shows one for unexpected failures). What is printed, and how, lives in ``generator.cli.console``.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click

from generator import __version__
from generator.apidiff.diff import diff_apis
from generator.apidiff.shape import EMPTY, ApiShape, api_shape
from generator.cli.console import (
    Display,
    Mode,
    Report,
    diagnostics_json,
    display,
    echo,
    is_terminal,
    mode_for,
    print_diagnostics,
    print_diff,
    print_report,
    reports_json,
)
from generator.cli.revision import GitError, repo_root, spec_at
from generator.config import (
    DEFAULT_HTTP,
    HTTP_LIBRARIES,
    Target,
    TargetConfig,
    find_pyproject,
    load_targets,
)
from generator.diagnostics import Diagnostic, SpecError
from generator.emit.write import Drift, compare_tree, write_tree
from generator.naming import to_identifier
from generator.workflow.cache import Result, generate
from generator.workflow.pipeline import analyse
from generator.workflow.pipeline import generate as generate_fresh


@dataclass
class Session:
    """State of one invocation that outlives the command: for error reporting in ``main``."""

    debug: bool = False
    json: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)


# The collector's first threshold (700 by default) raised: a run builds millions of small
# containers (the spec, its prepared copies, the IR) that live to its end, and each full
# collection walks them all again: about 0.3 s of a GitHub-sized run, for about 16 MB more.
GC_THRESHOLD = (50_000, 20, 100)


def main(argv: Sequence[str] | None = None) -> int:
    gc.set_threshold(*GC_THRESHOLD)
    session = Session()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args, prog_name="clientgen", standalone_mode=False, obj=session)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        return 130
    except SpecError as exc:
        if session.json:
            echo(diagnostics_json([*session.diagnostics, *exc.diagnostics]))
        else:
            print_diagnostics(exc.diagnostics)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if session.debug:
            raise
        echo(
            f"clientgen: internal error: {type(exc).__name__}: {exc} (run with --debug for a "
            "traceback, and please report it)",
            sys.stderr,
        )
        return 2
    return result if isinstance(result, int) else 0


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clientgen", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_obj
def cli(session: Session, debug: bool) -> None:
    """Typed Python clients from OpenAPI specs."""
    session.debug = debug


_strict = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
_no_cache = click.option(
    "--no-cache", is_flag=True, help="Regenerate even when the cache holds this output."
)


@cli.command("generate")
@click.argument("spec", required=False, type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Project folder (with SPEC).")
@click.option("--package", "-p", help="Python package name (with SPEC; default from file name).")
@click.option("--api-key-env", help="Environment variable of the API key.")
@click.option(
    "--http",
    type=click.Choice(sorted(HTTP_LIBRARIES)),
    help=f"HTTP library of the package (with SPEC; default {DEFAULT_HTTP}).",
)
@_strict
@_no_cache
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--json", "as_json", is_flag=True, help="Print diagnostics as JSON, nothing else.")
@click.pass_obj
def generate_command(
    session: Session,
    spec: Path | None,
    output: Path | None,
    package: str | None,
    api_key_env: str | None,
    http: str | None,
    strict: bool,
    no_cache: bool,
    quiet: bool,
    as_json: bool,
) -> int:
    """Generate one SPEC, or every [tool.clientgen] target."""
    session.json = as_json
    if spec is None:
        if output or package or http:
            raise click.UsageError("--output, --package and --http go with a SPEC argument")
        jobs = _targets()
    else:
        package = package or str(to_identifier(spec.stem))
        if not package.isidentifier():
            raise click.UsageError(f"--package {package!r} is not a Python identifier")
        jobs = [
            (
                TargetConfig(
                    package,
                    spec,
                    output or Path(package),
                    api_key_env,
                    http=http or DEFAULT_HTTP,
                    location=_location(output),
                ),
                spec.as_posix(),
            )
        ]
    mode = mode_for(quiet or as_json)
    started_all = time.perf_counter()
    totals = [0, 0, 0, 0, 0]  # operations, models, files, changed, warnings
    with display(mode) as shown:
        for config, spec_name in jobs:
            started = time.perf_counter()
            result = _generate_target(
                config, spec_name, shown, strict=strict, no_cache=no_cache, reuse=not no_cache
            )
            session.diagnostics.extend(result.diagnostics)
            if mode == "plain":
                print_diagnostics(result.diagnostics)
            changed = write_tree(config.output, result.files, config.package)
            counts = (
                result.operations,
                result.models,
                len(result.files),
                len(changed),
                len(result.diagnostics),
            )
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
            shown.finish(config.package)
            shown.line(
                f"{config.package}: {_summary(counts, time.perf_counter() - started)} "
                f"-> {config.output}"
            )
    if mode == "rich":
        print_diagnostics(session.diagnostics)
    if len(jobs) > 1 and mode != "quiet":
        echo(f"total: {len(jobs)} targets, {_summary(totals, time.perf_counter() - started_all)}")
    if as_json:
        echo(diagnostics_json(session.diagnostics))
    return 0


def _summary(counts: Sequence[int], seconds: float) -> str:
    operations, models, files, changed, warnings = counts
    return (
        f"{operations} operations, {models} models, {files} files ({changed} changed), "
        f"{warnings} warnings, {seconds:.2f}s"
    )


@cli.command("check")
@_strict
@_no_cache
@click.option(
    "--full",
    is_flag=True,
    help="Regenerate every package and compare, whatever its manifest says.",
)
@click.option("--quiet", "-q", is_flag=True, help="No diff, only the stale file names.")
def check_command(strict: bool, no_cache: bool, full: bool, quiet: bool) -> int:
    """Exit 1 with a diff when generated code is stale.

    A package whose manifest (clientgen-manifest.json) names the inputs it is made from now,
    and whose files are the ones it hashed, is up to date without generating anything; any
    other is regenerated, reusing what did not change, and compared. ``--full`` regenerates
    and compares every package.

    Above each stale package's diff comes the change to its API since the spec's last commit
    (when the project is in git).
    """
    stale: list[tuple[TargetConfig, str, list[Drift], ApiShape]] = []
    mode: Mode = "rich" if not quiet and is_terminal(sys.stdout) else "quiet"
    with display(mode) as shown:
        for config, spec_name in _targets():
            result = _generate_target(
                config, spec_name, shown, strict=strict, no_cache=no_cache, reuse=not full
            )
            shown.finish(config.package)
            label = (
                config.output.relative_to(Path.cwd()).as_posix()
                if config.output.is_relative_to(Path.cwd())
                else config.output.as_posix()
            )
            drifts = compare_tree(config.output, result.files, config.package, label)
            if drifts:
                target = config.target(spec_name)
                fresh = result.fresh or generate_fresh(config.spec, target, display=spec_name)
                stale.append((config, spec_name, drifts, api_shape(fresh.api)))
    if not stale:
        echo("generated code is up to date")
        return 0
    for config, spec_name, drifts, shape in stale:
        if not quiet:
            report = _since_head(config, spec_name, shape)
            if report is not None:
                print_report(report)
                echo("")
        for drift in drifts:
            if quiet or not drift.diff:
                echo(f"stale: {drift.path}")
            else:
                print_diff(drift.diff)
    count = sum(len(drifts) for _, _, drifts, _ in stale)
    echo(
        f"{count} generated file(s) are stale; run `make generate` (or `clientgen generate`) "
        "and commit the result",
        sys.stderr,
    )
    return 1


def _since_head(config: TargetConfig, spec_name: str, new: ApiShape) -> Report | None:
    """The API change of a target's spec since HEAD; None outside git or for a new spec."""
    target = config.target(spec_name)
    try:
        root = repo_root(config.spec.parent)
        with spec_at(root, "HEAD", config.spec) as old_path:
            if old_path is None:
                return None
            old = _shape(old_path, target, f"{spec_name}@HEAD")
    except (GitError, SpecError):
        return None
    changes = tuple(diff_apis(old, new))
    title = f"{config.package}: API changes in {spec_name} since HEAD"
    return Report(title, config.package, f"{spec_name}@HEAD", spec_name, changes)


@cli.command("validate")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--json", "as_json", is_flag=True, help="Print diagnostics as JSON.")
@click.pass_obj
def validate_command(session: Session, spec: Path, strict: bool, as_json: bool) -> int:
    """Print a spec's diagnostics; write nothing."""
    session.json = as_json
    analyzed = analyse(spec, Target("api", spec.as_posix()), display=spec.as_posix())
    diagnostics = analyzed.diagnostics
    if as_json:
        echo(diagnostics_json(diagnostics))
    else:
        print_diagnostics(diagnostics)
        if not diagnostics:
            echo(f"{spec.as_posix()}: valid")
    return 1 if strict and diagnostics else 0


@cli.command("diff")
@click.argument("paths", nargs=-1, metavar="[OLD_SPEC NEW_SPEC | TARGET]")
@click.option(
    "--git",
    "rev",
    metavar="REV",
    help="Compare the spec of TARGET (default: every target) at REV with the working tree.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--fail-on-breaking", is_flag=True, help="Exit 1 when any change is breaking.")
def diff_command(paths: tuple[str, ...], rev: str | None, fmt: str, fail_on_breaking: bool) -> int:
    """Report what changed in the generated client's API, and whether it breaks callers.

    Either OLD_SPEC NEW_SPEC, or --git REV [TARGET] for [tool.clientgen] targets. Each line
    is marked breaking or safe.
    """
    if rev is None:
        if len(paths) != 2:
            raise click.UsageError("diff takes OLD_SPEC NEW_SPEC, or --git REV [TARGET]")
        old, new = Path(paths[0]), Path(paths[1])
        target = Target(str(to_identifier(new.stem)), new.as_posix())
        changes = diff_apis(
            _shape(old, target, old.as_posix()), _shape(new, target, new.as_posix())
        )
        title = f"{old.as_posix()} -> {new.as_posix()}"
        reports = [Report(title, None, old.as_posix(), new.as_posix(), tuple(changes))]
    else:
        if len(paths) > 1:
            raise click.UsageError("with --git, diff takes at most one TARGET")
        reports = _git_reports(rev, paths[0] if paths else None)
    if fmt == "json":
        echo(reports_json(reports))
    else:
        for index, report in enumerate(reports):
            if index:
                echo("")
            print_report(report)
    return 1 if fail_on_breaking and any(r.breaking for r in reports) else 0


def _git_reports(rev: str, name: str | None) -> list[Report]:
    targets = _targets()
    if name is not None:
        targets = [t for t in targets if t[0].package == name]
        if not targets:
            known = ", ".join(t[0].package for t in _targets())
            raise click.UsageError(f"no target {name!r} in [tool.clientgen] (targets: {known})")
    reports = []
    try:
        root = repo_root(find_pyproject(Path.cwd()).parent)
        for config, spec_name in targets:
            target = config.target(spec_name)
            new = _shape(config.spec, target, spec_name)
            with spec_at(root, rev, config.spec) as old_path:
                if old_path is None:
                    old, since = EMPTY, f"new since {rev}"
                else:
                    old = _shape(old_path, target, f"{spec_name}@{rev}")
                    since = f"{rev} -> working tree"
            title = f"{config.package}: {spec_name} ({since})"
            changes = tuple(diff_apis(old, new))
            reports.append(Report(title, config.package, f"{spec_name}@{rev}", spec_name, changes))
    except GitError as exc:
        raise click.UsageError(str(exc)) from None
    return reports


def _shape(path: Path, target: Target, shown: str) -> ApiShape:
    analyzed = analyse(path, target, display=shown)
    return api_shape(analyzed.api)


def _generate_target(
    config: TargetConfig,
    spec_name: str,
    shown: Display,
    *,
    strict: bool,
    no_cache: bool,
    reuse: bool,
) -> Result:
    """One target through the pipeline (or the cache), reporting progress to ``shown``;
    with ``reuse``, the committed package serves what its manifest shows unchanged."""
    return generate(
        config.spec,
        config.target(spec_name),
        display=spec_name,
        strict=strict,
        progress=shown.target(config.package),
        use_cache=not no_cache,
        committed=config.output if reuse else None,
    )


def _location(output: Path | None) -> str:
    """A one-off ``--output`` as the README's install command names it: relative to the
    current folder where it is inside it ("" elsewhere: the README then names the package)."""
    if output is None:
        return ""
    if not output.is_absolute():
        return output.as_posix()
    here = Path.cwd()
    return output.relative_to(here).as_posix() if output.is_relative_to(here) else ""


def _targets() -> list[tuple[TargetConfig, str]]:
    pyproject = find_pyproject(Path.cwd())
    root = pyproject.parent
    return [
        (t, t.spec.relative_to(root).as_posix() if t.spec.is_relative_to(root) else t.spec.name)
        for t in load_targets(pyproject)
    ]
