"""Command line: ``clientgen generate | check | validate``.

Exit codes: 0 success; 1 the spec has errors or generated code is stale; 2 usage errors.
User errors print ``file:pointer: level: message`` lines, never a traceback (``--debug``
shows one for unexpected failures).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.build_ir import Target
from generator.config import TargetConfig, find_pyproject, load_targets
from generator.diagnostics import Diagnostic, SpecError
from generator.load import load_spec
from generator.naming import to_identifier
from generator.pipeline import generate
from generator.write import compare_tree, write_tree


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except SpecError as exc:
        _print_diagnostics(exc.diagnostics)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"clientgen: internal error: {type(exc).__name__}: {exc} (run with --debug for a "
            "traceback, and please report it)",
            file=sys.stderr,
        )
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clientgen", description="Typed Python clients from OpenAPI specs."
    )
    parser.add_argument("--version", action="version", version=f"clientgen {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser(
        "generate", help="generate one spec, or every [tool.clientgen] target"
    )
    gen.add_argument("spec", nargs="?", type=Path, help="an OpenAPI 3.0/3.1 file (YAML or JSON)")
    gen.add_argument("--output", "-o", type=Path, help="the project folder to write (with SPEC)")
    gen.add_argument(
        "--package", "-p", help="the Python package name (with SPEC; default from the file name)"
    )
    gen.add_argument(
        "--api-key-env", help="environment variable of the API key (default <PACKAGE>_API_KEY)"
    )
    gen.add_argument("--strict", action="store_true", help="treat warnings as errors")
    gen.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    gen.set_defaults(handler=_generate)

    check = commands.add_parser("check", help="exit 1 with a diff when generated code is stale")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument(
        "--quiet", "-q", action="store_true", help="no diff, only the stale file names"
    )
    check.set_defaults(handler=_check)

    validate = commands.add_parser("validate", help="print a spec's diagnostics")
    validate.add_argument("spec", type=Path)
    validate.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    validate.set_defaults(handler=_validate)
    return parser


def _targets(args: argparse.Namespace) -> list[tuple[TargetConfig, str]]:
    pyproject = find_pyproject(Path.cwd())
    root = pyproject.parent
    return [
        (t, t.spec.relative_to(root).as_posix() if t.spec.is_relative_to(root) else t.spec.name)
        for t in load_targets(pyproject)
    ]


def _generate(args: argparse.Namespace) -> int:
    if args.spec is None:
        if args.output or args.package:
            raise SystemExit("clientgen generate: --output and --package go with a SPEC argument")
        jobs = _targets(args)
    else:
        package = args.package or str(to_identifier(args.spec.stem))
        if not package.isidentifier():
            raise SystemExit(
                f"clientgen generate: --package {package!r} is not a Python identifier"
            )
        output = args.output or Path(package)
        jobs = [(TargetConfig(package, args.spec, output, args.api_key_env), args.spec.as_posix())]
    for config, spec_name in jobs:
        started = time.perf_counter()
        result = generate(
            config.spec,
            Target(config.package, spec_name, config.api_key_env),
            display=spec_name,
            strict=args.strict,
        )
        if not args.quiet:
            _print_diagnostics(result.diagnostics)
        changed = write_tree(config.output, result.files, config.package)
        if not args.quiet:
            print(
                f"{config.package}: {result.api.operation_count} operations, "
                f"{len(result.api.model_names)} models, {len(result.files)} files "
                f"({len(changed)} changed), {len(result.diagnostics)} warnings, "
                f"{time.perf_counter() - started:.2f}s -> {config.output}"
            )
    return 0


def _check(args: argparse.Namespace) -> int:
    stale = []
    for config, spec_name in _targets(args):
        result = generate(
            config.spec,
            Target(config.package, spec_name, config.api_key_env),
            display=spec_name,
            strict=args.strict,
        )
        label = (
            config.output.relative_to(Path.cwd()).as_posix()
            if config.output.is_relative_to(Path.cwd())
            else config.output.as_posix()
        )
        stale.extend(compare_tree(config.output, result.files, config.package, label))
    if not stale:
        print("generated code is up to date")
        return 0
    for drift in stale:
        if args.quiet or not drift.diff:
            print(f"stale: {drift.path}")
        else:
            sys.stdout.write(drift.diff if drift.diff.endswith("\n") else drift.diff + "\n")
    print(
        f"{len(stale)} generated file(s) are stale; run `make generate` (or `clientgen generate`) "
        "and commit the result",
        file=sys.stderr,
    )
    return 1


def _validate(args: argparse.Namespace) -> int:
    loaded = load_spec(args.spec, args.spec.as_posix())
    from generator.build_ir import build_ir, operation_ids
    from generator.hoist import hoist
    from generator.naming import to_class_name
    from generator.normalize import normalize

    spec = normalize(loaded.document)
    spec = hoist(spec, {k: str(to_class_name(v)) for k, v in operation_ids(spec).items()})
    _, warnings = build_ir(spec, Target("api", args.spec.as_posix()), loaded.file)
    diagnostics = (*loaded.warnings, *warnings)
    _print_diagnostics(diagnostics)
    if not diagnostics:
        print(f"{args.spec.as_posix()}: valid")
    return 1 if args.strict and diagnostics else 0


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=sys.stderr)
