"""Corpus finding (round trip of hand-written Battery Pass sets): a key the model does not define
at the root of one aspect came back in every aspect. Every aspect's root is the battery node,
where the unknown member was kept, so ``{"x-internal": ...}`` sent in GeneralProductInformation
was added to CarbonFootprintForBatteries, Circularity, ... on export (data invented there), and
since no aspect owned it, sending GeneralProductInformation again without it never removed it.

The unknown keys of an aspect's root are kept on a node of that aspect
(``{battery}/bp-gpi/unknown-members``): written back in that aspect only, replaced with it.
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import battery_pass_set, register


def _aspects(services: Services, bid: str) -> dict[str, dict]:
    document = services.imports.export_document(bid, "batterypass").document
    return {key.rsplit("#", 1)[-1]: value for key, value in document.items()}


def test_unknown_root_keys_stay_in_their_aspect(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    register(services)
    document = battery_pass_set("NZ-UNKNOWN-ROOT")
    document["GeneralProductInformation"]["x-internal"] = {"erp": [1, None]}
    document["Circularity"]["note"] = "checked"
    result = services.imports.import_document(json.dumps(document).encode(), "batterypass",
                                              ADMIN)
    assert {w.path for w in result.warnings} == {
        "$.GeneralProductInformation['x-internal']", "$.Circularity.note"}
    aspects = _aspects(services, result.battery_id)
    assert aspects["GeneralProductInformation"]["x-internal"] == {"erp": [1, None]}
    assert aspects["Circularity"]["note"] == "checked"
    for name, payload in aspects.items():
        assert ("x-internal" in payload) == (name == "GeneralProductInformation"), name
        assert ("note" in payload) == (name == "Circularity"), name

    # Sent again without it, the aspect's unknown key is gone; the other aspect keeps its own.
    general = battery_pass_set("NZ-UNKNOWN-ROOT")["GeneralProductInformation"]
    services.imports.import_document(json.dumps(general).encode(), "batterypass", ADMIN)
    aspects = _aspects(services, result.battery_id)
    assert "x-internal" not in aspects["GeneralProductInformation"]
    assert aspects["Circularity"]["note"] == "checked"
