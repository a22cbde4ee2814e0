"""Webhooks in the generator: events from ``webhooks`` and ``callbacks``, their type field,
signature settings (``x-webhook-signature``, ``[tool.clientgen]``), the diff of event models,
and the code policy over ``webhooks.py``. The deliveries themselves: test_webhook_deliveries.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import flora_runs
import flora_runs.webhooks
import pytest
import yaml

from generator.cli.commands import main
from generator.config import load_targets
from generator.diagnostics import SpecError
from generator.ir.build import Target
from generator.workflow.pipeline import analyse
from tests.support.code_policy import problems

EVENTS_SPEC = """
openapi: 3.1.0
info: {title: Hooks, version: "1"}
paths:
  /subscriptions:
    post:
      operationId: subscribe
      tags: [Webhooks]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {url: {type: string}}}
      responses:
        '201': {description: Subscribed.}
      callbacks:
        onPing:
          '{$request.body#/url}':
            post:
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      required: [kind]
                      properties:
                        kind: {type: string, const: ping}
                        at: {type: string, format: date-time}
              responses:
                '200': {description: Received.}
webhooks:
  job.done:
    post:
      summary: A job is done.
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [kind, job]
              properties:
                kind: {type: string, enum: [job.done]}
                job: {$ref: '#/components/schemas/Job'}
      responses:
        '200': {description: Received.}
  job.removed:
    $ref: '#/components/pathItems/JobRemoved'
  cleanup:
    delete:
      parameters:
        - {name: id, in: query, required: true, schema: {type: string}}
      responses:
        '204': {description: Deleted.}
components:
  pathItems:
    JobRemoved:
      post:
        requestBody:
          content:
            application/json:
              schema: {$ref: '#/components/schemas/JobRemoved'}
        responses:
          '200': {description: Received.}
  schemas:
    Job:
      type: object
      properties: {id: {type: string}}
    JobRemoved:
      type: object
      required: [kind]
      properties:
        kind: {type: string, const: job.removed}
        id: {type: string}
"""


def write_spec(
    folder: Path, text: str, name: str = "hooks.yaml", extra: dict[str, Any] | None = None
) -> Path:
    spec = yaml.safe_load(text)
    spec.update(extra or {})
    path = folder / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def test_webhooks_and_callbacks_become_events(tmp_path: Path) -> None:
    analysis = analyse(write_spec(tmp_path, EVENTS_SPEC), Target("hooks", "hooks.yaml"))
    # the tag `Webhooks` cannot be `client.webhooks` (the events' verifier): said, once
    assert [d.message for d in analysis.diagnostics] == [
        "`webhooks` is taken in the client; this resource is `webhooks_2`"
    ]
    hooks = analysis.api.webhooks
    assert hooks is not None
    assert [(e.name, e.model, e.type_values) for e in hooks.events] == [
        ("job.done", "models.JobDoneEvent", ("job.done",)),
        ("job.removed", "models.JobRemoved", ("job.removed",)),
        ("onPing", "models.OnPingEvent", ("ping",)),
    ]
    assert hooks.type_field == "kind"
    assert hooks.union == (
        "models.JobDoneEvent | models.JobRemoved | models.OnPingEvent | UnknownWebhookEvent"
    )
    assert hooks.scheme.kind == "standard"
    assert hooks.scheme.secret_env == "HOOKS_WEBHOOK_SECRET"
    keyed = analyse(write_spec(tmp_path, EVENTS_SPEC), Target("hooks", "h.yaml", "ACME_API_KEY"))
    assert keyed.api.webhooks is not None
    assert keyed.api.webhooks.scheme.secret_env == "ACME_WEBHOOK_SECRET"  # beside the API key's
    # the tag's resource and the client's webhooks property do not collide
    assert [r.attr for r in analysis.api.resources] == ["webhooks_2"]
    assert [r.class_name for r in analysis.api.resources] == ["Webhooks2"]


def test_events_without_a_common_type_field_are_tried_in_order(tmp_path: Path) -> None:
    spec = yaml.safe_load(EVENTS_SPEC)
    spec["webhooks"]["job.done"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "properties"
    ].pop("kind")
    analysis = analyse(write_spec(tmp_path, yaml.safe_dump(spec)), Target("hooks", "h.yaml"))
    hooks = analysis.api.webhooks
    assert hooks is not None
    assert hooks.type_field == ""
    assert hooks.by_type == ()
    assert "UnknownWebhookEvent" not in hooks.union


def test_a_union_payload_gives_one_event_per_member(tmp_path: Path) -> None:
    text = """
openapi: 3.1.0
info: {title: Union, version: "1"}
paths: {}
webhooks:
  event:
    post:
      requestBody:
        content:
          application/json:
            schema:
              oneOf: [{$ref: '#/components/schemas/Started'}, {$ref: '#/components/schemas/Ended'}]
              discriminator:
                propertyName: type
                mapping: {started: '#/components/schemas/Started'}
      responses: {'200': {description: OK.}}
components:
  schemas:
    Started:
      type: object
      properties: {type: {type: string, const: started}}
    Ended:
      type: object
      properties: {type: {type: string, const: ended}, reason: {type: string}}
"""
    hooks = analyse(write_spec(tmp_path, text), Target("u", "u.yaml")).api.webhooks
    assert hooks is not None
    assert hooks.models == ("models.Started", "models.Ended")
    assert [(t.type_literal, t.model) for t in hooks.by_type] == [
        ("'started'", "models.Started"),
        ("'ended'", "models.Ended"),
    ]
    assert hooks.events[0].type_values == ("started", "ended")


def test_the_extension_sets_the_scheme(tmp_path: Path) -> None:
    settings = {"scheme": "timestamped-hmac", "header": "Acme-Signature", "tolerance": 60}
    path = write_spec(tmp_path, EVENTS_SPEC, extra={"x-webhook-signature": settings})
    scheme = analyse(path, Target("hooks", "h.yaml")).api.webhooks.scheme  # type: ignore[union-attr]
    assert (scheme.kind, scheme.signature_header, scheme.signed, scheme.tolerance) == (
        "timestamped",
        "Acme-Signature",
        "{timestamp}.{body}",
        "60.0",
    )
    configured = (("scheme", "standard-webhooks"), ("secret_env", "ACME_HOOKS"))
    target = Target("hooks", "h.yaml", webhook_signature=configured)
    scheme = analyse(path, target).api.webhooks.scheme  # type: ignore[union-attr]
    assert (scheme.kind, scheme.signature_header, scheme.secret_env) == (
        "standard",
        "webhook-signature",
        "ACME_HOOKS",
    )


@pytest.mark.parametrize(
    ("settings", "pointer", "message"),
    [
        ({"scheme": "md5"}, "scheme", "scheme must be one of"),
        ({"scheme": "timestamped-hmac"}, "header", "needs the name of its signature header"),
        ({"header": "Bad Header"}, "header", "must be an HTTP header name"),
        ({"signed": "{timestamp}"}, "signed", "must hold {body} once"),
        ({"signed": "{body}.{secret}"}, "signed", "must hold {body} once"),
        ({"tolerance": -1}, "tolerance", "0 or more"),
        ({"colour": "red"}, "colour", "unknown key"),
    ],
)
def test_bad_signature_settings_are_diagnosed(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    settings: dict[str, Any],
    pointer: str,
    message: str,
) -> None:
    path = write_spec(tmp_path, EVENTS_SPEC, extra={"x-webhook-signature": settings})
    with pytest.raises(SpecError) as raised:
        analyse(path, Target("hooks", "hooks.yaml"), display="hooks.yaml")
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.format().startswith(f"hooks.yaml:#/x-webhook-signature/{pointer}: error: ")
    assert message in diagnostic.message
    assert main(["validate", str(path)]) == 1
    assert "Traceback" not in capsys.readouterr().err
    pyproject = tmp_path / "pyproject.toml"
    table = "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())
    pyproject.write_text(
        '[tool.clientgen.targets.hooks]\nspec = "hooks.yaml"\n\n'
        f"[tool.clientgen.targets.hooks.webhook_signature]\n{table}"
    )
    with pytest.raises(SpecError) as raised:
        load_targets(pyproject)
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.pointer == f"#/tool/clientgen/targets/hooks/webhook_signature/{pointer}"
    assert diagnostic.file == str(pyproject)


def test_diff_reports_event_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = yaml.safe_load(EVENTS_SPEC)
    write_spec(tmp_path, yaml.safe_dump(spec), "old.yaml")
    done = spec["webhooks"]["job.done"]["post"]["requestBody"]["content"]["application/json"]
    done["schema"]["properties"]["job"] = {"type": "string"}
    done["schema"]["properties"]["attempt"] = {"type": "integer"}
    del spec["webhooks"]["job.removed"]
    del spec["components"]["pathItems"]
    del spec["components"]["schemas"]["JobRemoved"]
    write_spec(tmp_path, yaml.safe_dump(spec), "new.yaml")
    assert main(["diff", "old.yaml", "new.yaml", "--fail-on-breaking"]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert lines[1:] == [
        "breaking  models.JobDoneEvent: field `job` type changed from models.Job to str",
        "safe      models.JobDoneEvent: optional field `attempt` added (int)",
        "breaking  models.JobRemoved: model removed",
        "3 changes: 2 breaking, 1 safe",
    ]


FLORA_WEBHOOKS = Path(flora_runs.webhooks.__file__).read_text(encoding="utf-8")


def test_the_code_policy_holds_webhooks_py() -> None:
    assert problems("webhooks.py", FLORA_WEBHOOKS) == []


@pytest.mark.parametrize(
    ("before", "after", "found"),
    [
        ("TOLERANCE = 300.0", "TOLERANCE = __import__('os').getcwd()", "module-level call"),
        ("\ndef unwrap(", "\ndef system(", "module-level function system"),
        ("Event: TypeAlias = ", "Event: TypeAlias = print() or ", "annotated assignment"),
        ('signature_header="Flora-Signature"', "signature_header=eval('1')", "call eval"),
        ("from . import _webhooks, models", "from . import _webhooks, models, client", "relative"),
    ],
)
def test_the_code_policy_catches_what_no_template_writes(
    before: str, after: str, found: str
) -> None:
    assert before in FLORA_WEBHOOKS
    assert any(found in p for p in problems("webhooks.py", FLORA_WEBHOOKS.replace(before, after)))
