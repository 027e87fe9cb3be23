"""Partner-document finding: a Battery Pass aspect sent before GeneralProductInformation got
SHACL errors at ``$`` for facts it does not carry ("Exactly one battery category ...",
"Exactly one manufacturer ...", "Exactly one manufacturing date ...") and no word on why.

A passport needs its category, manufacturer and manufacturing date, which only
GeneralProductInformation states; storing a battery without them would break what every other
part of the service relies on, so the aspect is still refused, but each message now says which
field states the fact and what to send (GeneralProductInformation first, or in the same set). In
a set the aspects may come in any order; a SHACL error at the document caused by a field with
its own error points at that field.
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.services.interop.errors import DocumentRejected
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import battery_pass_set, catenax_document, register
from tests.services.interop.support import register_partners


@pytest.fixture(autouse=True)
def _models(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    register(services)


def test_aspect_first_says_what_is_missing_and_why(services: Services) -> None:
    document = battery_pass_set("NZ-ORDER-1")
    before = services.store.count()
    with pytest.raises(DocumentRejected) as refused:
        services.imports.import_document(json.dumps(document["PerformanceAndDurability"])
                                         .encode(), "batterypass", ADMIN, "NZ-ORDER-1")
    assert services.store.count() == before
    messages = [p.message for p in refused.value.problems]
    assert len(messages) == 3
    for field in ("GeneralProductInformation.batteryCategory",
                  "GeneralProductInformation.manufacturerInformation.identifier",
                  "GeneralProductInformation.manufacturingDate"):
        (message,) = [m for m in messages if field in m]
        assert "battery NZ-ORDER-1 has no stored GeneralProductInformation yet" in message
        assert "Send GeneralProductInformation first, or in the same set as " \
               "PerformanceAndDurability" in message

    # GeneralProductInformation first, then the aspect: accepted.
    services.imports.import_document(json.dumps(document["GeneralProductInformation"]).encode(),
                                     "batterypass", ADMIN)
    result = services.imports.import_document(
        json.dumps(document["PerformanceAndDurability"]).encode(), "batterypass", ADMIN,
        "NZ-ORDER-1")
    assert result.ingest.committed


def test_a_set_may_list_its_aspects_in_any_order(services: Services) -> None:
    document = battery_pass_set("NZ-ORDER-2")
    reordered = dict(reversed(list(document.items())))
    assert next(iter(reordered)) != "GeneralProductInformation"
    result = services.imports.import_document(json.dumps(reordered).encode(), "batterypass",
                                              ADMIN)
    assert result.ingest.committed


def test_a_document_level_error_points_at_the_field_in_error(services: Services) -> None:
    document = catenax_document("NZ-ORDER-CX")
    document["operation"]["manufacturer"]["manufacturer"] = "BPNL0000000NZ001\n"
    register_partners(services, document)
    with pytest.raises(DocumentRejected) as refused:
        services.imports.import_document(json.dumps(document).encode(), "catenax", ADMIN)
    (shacl,) = [p for p in refused.value.problems if p.kind == "shacl"]
    assert "$.operation.manufacturer.manufacturer: see the error reported there" in \
        shacl.message
