"""Resources and method names from the paths (generator/ir/resources.py), the flat switch,
and HTML read as text. The IR only: each spec takes milliseconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import Target, load_targets
from generator.diagnostics import SpecError
from generator.ir.resources import PathPlan, restates
from generator.literals import docstring, html_text
from generator.workflow.pipeline import analyse
from tests.conftest import ROOT

UNTAGGED = ROOT / "tests" / "golden" / "untagged_resources" / "spec.yaml"

STRIPE_LIKE = [
    ("/v1/customers", "get"),
    ("/v1/customers", "post"),
    ("/v1/customers/search", "get"),
    ("/v1/customers/{customer}", "get"),
    ("/v1/customers/{customer}", "post"),
    ("/v1/customers/{customer}", "delete"),
    ("/v1/customers/{customer}/discount", "get"),
    ("/v1/customers/{customer}/discount", "delete"),
    ("/v1/subscriptions/{subscription}/discount", "delete"),
    ("/v1/invoices/{invoice}", "get"),
    ("/v1/invoices/{invoice}/pay", "post"),
    ("/v1/invoices/{invoice}/lines", "get"),
    ("/v1/account", "get"),
    ("/v1/account", "post"),
    ("/v1/billing/meter_events", "post"),
    ("/v1/tax/transactions/{transaction}", "get"),
    ("/v1/tax/transactions/create_from_calculation", "post"),
]


@pytest.mark.parametrize(
    ("path", "method", "call"),
    [
        ("/v1/customers", "get", "customers.list"),
        ("/v1/customers", "post", "customers.create"),
        ("/v1/customers/search", "get", "customers.search"),
        ("/v1/customers/{customer}", "get", "customers.retrieve"),
        ("/v1/customers/{customer}", "post", "customers.update"),
        ("/v1/customers/{customer}", "delete", "customers.delete"),
        # two methods on a path with nothing beneath: a singleton sub-resource
        ("/v1/customers/{customer}/discount", "get", "customers.discount.retrieve"),
        ("/v1/customers/{customer}/discount", "delete", "customers.discount.delete"),
        ("/v1/subscriptions/{subscription}/discount", "delete", "subscriptions.delete_discount"),
        ("/v1/invoices/{invoice}/pay", "post", "invoices.pay"),
        ("/v1/invoices/{invoice}/lines", "get", "invoices.lines.list"),  # a GET of a plural
        ("/v1/account", "get", "account.retrieve"),
        ("/v1/account", "post", "account.update"),
        ("/v1/billing/meter_events", "post", "billing.meter_events.create"),
        (
            "/v1/tax/transactions/create_from_calculation",
            "post",
            "tax.transactions.create_from_calculation",
        ),
    ],
)
def test_placement(path: str, method: str, call: str) -> None:
    placed = PathPlan(STRIPE_LIKE).place(path, method)
    assert ".".join((*placed.chain, placed.rest_name or "")) == call


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "noisy"),
    [
        ("GetCustomersCustomer", "get", "/v1/customers/{customer}", True),
        ("GetCustomers", "get", "/v1/customers", True),
        ("PostCustomersCustomerSourcesId", "post", "/v1/customers/{customer}/sources/{id}", True),
        ("get_v1_customers", "get", "/v1/customers", True),
        ("getJobResult", "get", "/jobs/{job_id}/result", False),  # `job`, not `jobs`
        ("listCustomers", "get", "/v1/customers", False),
        ("refreshCustomerCache", "post", "/v1/customers/{customer}/refresh", False),
    ],
)
def test_restates(operation_id: str, method: str, path: str, noisy: bool) -> None:
    assert restates(operation_id, method, path) is noisy


def _calls(target: Target) -> list[str]:
    api = analyse(UNTAGGED, target).api
    calls = [f"{r.attr_path}.{op.name}" for r in api.all_resources for op in r.operations]
    return calls + [f"client.{op.name}" for op in api.operations]


def test_untagged_operations_form_a_tree_by_default() -> None:
    assert _calls(Target("untagged", "spec.yaml")) == [
        "balance.retrieve",
        "customers.list",
        "customers.create",
        "customers.search",
        "customers.retrieve",
        "customers.update",
        "customers.delete",
        "customers.sources.list",
        "customers.sources.create",
        "customers.sources.retrieve",
        "customers.sources.delete",
        "customers.sources.verify",
        "invoices.pay",
        "invoices.retrieve",
        "test_helpers.test_clocks.advance",
    ]


def test_flat_keeps_the_client_methods() -> None:
    calls = _calls(Target("untagged", "spec.yaml", resources="flat"))
    assert calls[:3] == [
        "client.get_v1_customers",
        "client.post_v1_customers",
        ("client.get_v1_customers_search"),
    ]
    assert all(call.startswith("client.") for call in calls)


def test_flat_is_read_from_the_project(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.clientgen.targets.shop]\nspec = "shop.yaml"\nresources = "flat"\n')
    assert load_targets(pyproject)[0].target("shop.yaml").resources == "flat"
    pyproject.write_text('[tool.clientgen.targets.shop]\nspec = "shop.yaml"\nresources = "tags"\n')
    with pytest.raises(SpecError) as raised:
        load_targets(pyproject)
    assert raised.value.diagnostics[0].format() == (
        f"{pyproject}:#/tool/clientgen/targets/shop/resources: error: resources must be"
        ' "paths" or "flat", not \'tags\''
    )


def test_html_reads_as_text() -> None:
    stripe = (
        "<p>Creates a new customer object.</p><p>Use <code>expand[]</code> to see &amp; more:"
        "</p><ul><li>one</li><li>two</li></ul>"
    )
    assert html_text(stripe) == (
        "Creates a new customer object.\n\nUse `expand[]` to see & more:\n\n- one\n- two"
    )
    assert html_text("a < b, and List<String> stays") == "a < b, and List<String> stays"
    assert html_text("<p>A List<String> of them</p>") == "A List<String> of them"
    assert docstring("<p>One line.</p>") == "One line."
