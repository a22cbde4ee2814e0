"""The ``[tool.clientgen]`` table of a project's pyproject.toml: which specs to generate where.

[tool.clientgen]
output = "generated"                 # folder of the generated projects (default)

[tool.clientgen.targets.parallel_tasks]   # the package name
spec = "specs/parallel_tasks.yaml"
api_key_env = "PARALLEL_API_KEY"     # optional; default <PACKAGE>_API_KEY
output = "generated/parallel_tasks"  # optional; default <output>/<package>
http = "httpx2"                      # optional: the HTTP library, "httpx2" (default) or "httpx"
resources = "paths"                  # optional: untagged operations grouped by path (default),
                                     # or "flat": methods of the client itself

[tool.clientgen.targets.flora_runs.webhook_signature]   # optional; how webhooks are signed
scheme = "timestamped-hmac"          # or "standard-webhooks" (the default)
header = "Flora-Signature"           # the header holding the signatures
signed = "{timestamp}.{body}"        # the signed content
tolerance = 300                      # seconds a signature's timestamp may be off

The same keys may be given in the spec, as ``x-webhook-signature`` at its top level; the table
here wins. ``signature_settings`` checks either.

[tool.clientgen.targets.parallel_tasks.pagination]   # optional; per operationId or "GET /path"
listRuns = { style = "cursor", items = "data", next = "meta.next_cursor", param = "cursor" }
listEvents = false                   # no pager, whatever the spec suggests
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, SpecError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


SignatureSettings = tuple[tuple[str, str | float], ...]  # sorted (key, value) pairs
# The HTTP libraries a generated package can be written for: the module it imports -> the
# requirement its pyproject.toml declares. httpx2 is httpx's maintained line (same API, its own
# module name); the runtime is written once, for the module name ``httpx``, and renamed.
HTTP_LIBRARIES = {"httpx2": "httpx2>=2.0,<3", "httpx": "httpx>=0.27,<1"}
DEFAULT_HTTP = "httpx2"
RESOURCE_LAYOUTS = ("paths", "flat")  # Target.resources


@dataclass(frozen=True, slots=True)
class Target:
    """What the generated code says of its target: the package, the spec's name as the header
    prints it, the environment variable of the API key, the HTTP library's module, how its
    webhooks are signed."""

    package: str
    spec_name: str
    api_key_env: str | None = None
    http: str = DEFAULT_HTTP  # a key of HTTP_LIBRARIES
    # the generated project's folder as its README's install command names it (relative to
    # the project root); "" where unknown: the command then names ./<package>
    location: str = ""
    webhook_signature: SignatureSettings | None = None  # [tool.clientgen], checked
    pagination: str = ""  # JSON of the [tool.clientgen.targets.<name>.pagination] table
    # "paths": untagged operations grouped into resources by their paths, REST method names
    # where an operationId only restates method and path; "flat": methods of the client itself,
    # named from operationId or method and path (the shape before resources were derived)
    resources: str = "paths"


@dataclass(frozen=True, slots=True)
class TargetConfig:
    """A target as the project lists it: where its spec is and where its package goes."""

    package: str
    spec: Path
    output: Path
    api_key_env: str | None
    http: str = DEFAULT_HTTP
    location: str = ""  # ``output`` as the README's install command names it (Target.location)
    webhook_signature: SignatureSettings | None = None
    pagination: str = ""  # JSON of the target's pagination overrides (generator.ir.pagination)
    resources: str = "paths"  # Target.resources

    def target(self, spec_name: str) -> Target:
        return Target(
            self.package,
            spec_name,
            self.api_key_env,
            http=self.http,
            location=self.location,
            webhook_signature=self.webhook_signature,
            pagination=self.pagination,
            resources=self.resources,
        )


SIGNATURE_SCHEMES = {
    # scheme: (signature header, timestamp header, id header, signed content)
    "standard-webhooks": (
        "webhook-signature",
        "webhook-timestamp",
        "webhook-id",
        "{id}.{timestamp}.{body}",
    ),
    "timestamped-hmac": ("", "", "", "{timestamp}.{body}"),
}
_SIGNATURE_TEXT_KEYS = ("header", "timestamp_header", "id_header", "signed", "secret_env")
_HEADER = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,100}")


def signature_settings(raw: object, where: str, file: str) -> SignatureSettings:
    """A webhook signature table (``[...webhook_signature]`` or ``x-webhook-signature``),
    checked; raises ``SpecError`` naming the key at fault."""

    def fail(key: str, message: str) -> SpecError:
        return SpecError([Diagnostic("error", f"{where}/{key}" if key else where, message, file)])

    if not isinstance(raw, dict):
        raise fail("", "webhook signature settings must be a table (mapping)")
    known = {"scheme", "tolerance", *_SIGNATURE_TEXT_KEYS}
    for key in raw:
        if key not in known:
            raise fail(str(key), f"unknown key; known: {', '.join(sorted(known))}")
    scheme = raw.get("scheme", "standard-webhooks")
    if scheme not in SIGNATURE_SCHEMES:
        raise fail("scheme", f"scheme must be one of {', '.join(sorted(SIGNATURE_SCHEMES))}")
    settings: dict[str, str | float] = {"scheme": scheme}
    for key in _SIGNATURE_TEXT_KEYS:
        if key in raw:
            if not isinstance(raw[key], str):
                raise fail(key, "must be a string")
            settings[key] = raw[key]
    for key in ("header", "timestamp_header", "id_header"):
        if key in settings and not _HEADER.fullmatch(str(settings[key])):
            raise fail(key, "must be an HTTP header name")
    if "secret_env" in settings and not _ENV.fullmatch(str(settings["secret_env"])):
        raise fail("secret_env", "must be an environment variable name")
    if scheme == "timestamped-hmac" and "header" not in settings:
        raise fail("header", "timestamped-hmac needs the name of its signature header")
    signed = str(settings.get("signed", SIGNATURE_SCHEMES[scheme][3]))
    names = re.findall(r"\{([^{}]*)\}", signed)
    if names.count("body") != 1 or not set(names) <= {"id", "timestamp", "body"}:
        raise fail("signed", "must hold {body} once, and otherwise only {id} and {timestamp}")
    if scheme == "timestamped-hmac" and "id" in names and "id_header" not in settings:
        raise fail("signed", "{id} needs id_header: the header holding the delivery id")
    if "tolerance" in raw:
        tolerance = raw["tolerance"]
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
            raise fail("tolerance", "must be a number of seconds, 0 or more")
        settings["tolerance"] = float(tolerance)
    return tuple(sorted(settings.items()))


def find_pyproject(start: Path) -> Path:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "[tool.clientgen" in candidate.read_text(encoding="utf-8"):
            return candidate
    raise SpecError(
        [
            Diagnostic(
                "error",
                "#",
                "no pyproject.toml with a [tool.clientgen] table here or above",
                file=str(start),
            )
        ]
    )


def load_targets(pyproject: Path) -> list[TargetConfig]:
    file = str(pyproject)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError([Diagnostic("error", "#", f"invalid TOML: {exc}", file)]) from None
    table: dict[str, Any] = data.get("tool", {}).get("clientgen", {})
    root = pyproject.parent
    output = root / str(table.get("output", "generated"))
    targets = []
    for package, entry in sorted((table.get("targets") or {}).items()):
        where = f"#/tool/clientgen/targets/{package}"
        if (
            not package.isidentifier()
            or not isinstance(entry, dict)
            or not isinstance(entry.get("spec"), str)
        ):
            raise SpecError(
                [
                    Diagnostic(
                        "error", where, "a target needs an identifier name and a `spec` path", file
                    )
                ]
            )
        http = entry.get("http", DEFAULT_HTTP)
        if not isinstance(http, str) or http not in HTTP_LIBRARIES:
            choices = " or ".join(f'"{name}"' for name in HTTP_LIBRARIES)
            message = f"http must be {choices}, not {http!r}"
            raise SpecError([Diagnostic("error", f"{where}/http", message, file)])
        resources = entry.get("resources", "paths")
        if resources not in RESOURCE_LAYOUTS:
            message = f'resources must be "paths" or "flat", not {resources!r}'
            raise SpecError([Diagnostic("error", f"{where}/resources", message, file)])
        folder = root / str(entry["output"]) if "output" in entry else output / package
        targets.append(
            TargetConfig(
                package=package,
                spec=root / entry["spec"],
                output=folder,
                api_key_env=entry.get("api_key_env"),
                http=http,
                location=folder.relative_to(root).as_posix() if folder.is_relative_to(root) else "",
                webhook_signature=signature_settings(
                    entry["webhook_signature"], f"{where}/webhook_signature", file
                )
                if "webhook_signature" in entry
                else None,
                pagination=_pagination(entry.get("pagination"), f"{where}/pagination", file),
                resources=resources,
            )
        )
    if not targets:
        raise SpecError(
            [Diagnostic("error", "#/tool/clientgen/targets", "no targets listed", file)]
        )
    return targets


def _pagination(table: Any, where: str, file: str) -> str:
    """The overrides as canonical JSON (part of the target, so of its cache key)."""
    if table is None:
        return ""
    if not isinstance(table, dict) or not all(
        v is False or isinstance(v, dict) for v in table.values()
    ):
        message = "pagination overrides map an operationId to a table or false"
        raise SpecError([Diagnostic("error", where, message, file)])
    return json.dumps(table, sort_keys=True)
