"""Render stage: IR -> the files of a generated package, through the jinja2 templates.

``client.py`` and ``async_client.py`` come from one template rendered twice; what differs
between them is the ``Flavour`` passed in (names and the ``async``/``await`` keywords).
Each resource is a module of its own, ``resources/<module>.py``, holding its sync and async
classes (one template, its resource block rendered once per ``Flavour``); the clients import
it the first time the resource is used, so importing a package with hundreds of operations
loads none of them. The runtime modules in ``templates/runtime/`` are copied as they are
(for a package on httpx2, with the library's module named ``httpx2``); everything the two
clients do besides what differs per API lives there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from generator.ir.nodes import Api
from generator.models.build import ModelsPackage

# The runtime every package ships, copied as it is (templates/runtime/; see its _base.py).
RUNTIME_FILES = (
    "_async_client.py",
    "_auth.py",
    "_base.py",
    "_base_client.py",
    "_client.py",
    "_closing.py",
    "_logs.py",
    "_deadline.py",
    "_middleware.py",
    "_models.py",
    "_oauth2.py",
    "_pagination.py",
    "_polling.py",
    "_request.py",
    "_response.py",
    "_retry.py",
    "_streamed_response.py",
    "_streaming.py",
    "_types.py",
    "_webhooks.py",
    "errors.py",
)
RESOURCES = "resources"  # the subpackage of resource modules


@dataclass(frozen=True, slots=True)
class Flavour:
    kind: str
    client: str
    client_raw: str  # the client's raw-response twin
    base: str  # the runtime class the client extends (_client.py, _async_client.py)
    stream: str
    async_: str
    await_: str
    streamed: str  # what a with_streaming_response method returns (_streamed_response.py)
    client_streaming: str  # the client's streaming-response twin
    page_attr: str  # the Pager field naming this flavour's page type
    page_base: str  # the runtime's page class of this flavour
    lazy_pages: bool  # list methods return an AsyncPaginator (awaitable, async-iterable)


SYNC = Flavour(
    "sync",
    "Client",
    "ClientWithRawResponse",
    "SyncAPIClient",
    "Stream",
    "",
    "",
    "StreamedResponseManager",
    "ClientWithStreamingResponse",
    "sync_page",
    "SyncPage",
    False,
)
ASYNC = Flavour(
    "async",
    "AsyncClient",
    "AsyncClientWithRawResponse",
    "AsyncAPIClient",
    "AsyncStream",
    "async ",
    "await ",
    "AsyncStreamedResponseManager",
    "AsyncClientWithStreamingResponse",
    "async_page",
    "AsyncPage",
    True,
)


def templates_dir() -> Path:
    package = Path(__file__).parent.parent  # generator/
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render_package(api: Api, models: ModelsPackage) -> dict[str, str]:
    """Relative path -> text, for every file of the package project."""
    return render_client(api) | render_models_files(api, models)


def render_client(api: Api) -> dict[str, str]:
    """Every file of the package project but the models package's: what does not depend on
    the models (``pipeline`` renders it while they are generated)."""
    env = _environment()
    package = api.package
    files = {
        "pyproject.toml": env.get_template("pyproject.toml.jinja").render(api=api),
        "README.md": env.get_template("README.md.jinja").render(api=api),
        f"{package}/__init__.py": env.get_template("__init__.py.jinja").render(api=api),
        f"{package}/client.py": env.get_template("client.py.jinja").render(api=api, f=SYNC),
        f"{package}/async_client.py": env.get_template("client.py.jinja").render(api=api, f=ASYNC),
        f"{package}/py.typed": "",
        f"{package}/{RESOURCES}/__init__.py": env.get_template(
            f"{RESOURCES}/__init__.py.jinja"
        ).render(api=api),
    }
    files |= _resource_modules(api)
    for name in RUNTIME_FILES:
        files[f"{package}/{name}"] = _runtime_source(name, api.spec_name, api.http)
    if api.webhooks is not None:
        files[f"{package}/webhooks.py"] = env.get_template("webhooks.py.jinja").render(api=api)
    return files


def render_models_files(api: Api, models: ModelsPackage) -> dict[str, str]:
    """The models package's files: ``models/__init__.py`` and a module per ``models``'s."""
    files = {
        f"{api.package}/models/__init__.py": _environment()
        .get_template("models_init.py.jinja")
        .render(
            api=api,
            modules=models.modules,
            names=sorted(name for module in models.modules for name in module.defines),
            where=sorted(
                (name, module.name) for module in models.modules for name in module.defines
            ),
        ),
    }
    for stem, source in models.sources.items():
        files[f"{api.package}/models/{stem}.py"] = source
    return files


def _resource_modules(api: Api) -> dict[str, str]:
    """``<package>/resources/<module>.py`` for every resource: its sync and async classes."""
    template = _environment().get_template(f"{RESOURCES}/resource.py.jinja")
    return {
        f"{api.package}/{RESOURCES}/{resource.module}.py": template.render(
            api=api, resource=resource, flavours=(SYNC, ASYNC)
        )
        for resource in api.all_resources
    }


# The runtime is written for the module name ``httpx``: the word, not a part of another name.
_HTTPX = re.compile(r"\bhttpx\b")


def _runtime_source(name: str, spec_name: str, http: str) -> str:
    """A runtime module as the package ships it: written once for ``httpx``, it names the
    package's HTTP library (httpx2 has httpx's API under its own module and logger name)."""
    text = (templates_dir() / "runtime" / name).read_text(encoding="utf-8")
    if http != "httpx":
        text = _HTTPX.sub(http, text)
    return f"# Generated by clientgen from {spec_name}. DO NOT EDIT.\n{text}"
