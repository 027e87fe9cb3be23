"""Partner-document finding: error messages quoted Python's ``None`` and the regular expressions
as translated for Python's ``re`` (``^urn:[a-z0-9]+:[a-z0-9]+\\Z``), not the document's terms.

Messages now quote values as JSON writes them (``null``, ``true``, ``"text"``), the model's
pattern as the model writes it (``$``), types and formats in words. On the way: the schemas'
``format`` keywords ("date-time", "date", "uri") were not checked at all, so a Battery Pass
``manufacturingDate`` of month 13 got only a SHACL message at ``$.GeneralProductInformation``
and ``webAddress: "not a uri"`` was stored; both are refused at their path now (the offset of a
date-time stays optional, as in the model's xsd:dateTime).
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.services.interop.errors import DocumentRejected
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import battery_pass_set, catenax_document, register
from tests.services.interop.support import register_partners


def _problems(services: Services, document: dict, format: str) -> dict[str, str]:
    before = services.store.count()
    with pytest.raises(DocumentRejected) as refused:
        services.imports.import_document(json.dumps(document).encode(), format, ADMIN)
    assert services.store.count() == before
    return {p.path: p.message for p in refused.value.problems}


def test_batterypass_messages_speak_json(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    register(services)
    document = battery_pass_set("NZ-MESSAGES-1")
    general = document["GeneralProductInformation"]
    general["batteryMass"] = None
    general["batteryPassportIdentifier"] = "urn:nordzell:pass-01\n"
    general["batteryCategory"] = "EV"
    general["manufacturingDate"] = "2025-13-01T00:00:00Z"
    general["manufacturerInformation"]["webAddress"] = "not a uri"
    document["Circularity"]["renewableContent"] = True
    condition = document["PerformanceAndDurability"]["batteryCondition"]
    condition["stateOfCharge"]["lastUpdate"] = None
    problems = _problems(services, document, "batterypass")
    text = " ".join(problems.values())
    assert "None" not in text and "True" not in text and "\\Z" not in text
    gpi = "$.GeneralProductInformation"
    assert problems[f"{gpi}.batteryMass"] == "null is not a number, as the model requires here"
    assert "(pattern ^urn:[a-z0-9]+:[a-z0-9]+$)" in problems[f"{gpi}.batteryPassportIdentifier"]
    assert problems[f"{gpi}.batteryCategory"].startswith('"EV" is not one of "lmt", "ev"')
    assert "not a date and time" in problems[f"{gpi}.manufacturingDate"]
    assert "not an absolute URI" in problems[f"{gpi}.manufacturerInformation.webAddress"]
    assert problems["$.Circularity.renewableContent"].startswith("true is not a number")
    assert problems["$.PerformanceAndDurability.batteryCondition.stateOfCharge.lastUpdate"] \
        .startswith("null is not a text")


def test_a_date_time_without_offset_is_what_the_model_allows(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    register(services)
    document = battery_pass_set("NZ-MESSAGES-2")
    document["GeneralProductInformation"]["manufacturingDate"] = "2025-03-14T09:30:00"
    result = services.imports.import_document(json.dumps(document).encode(), "batterypass",
                                              ADMIN)
    assert result.ingest.committed


def test_catenax_messages_speak_json(services: Services) -> None:
    document = catenax_document("NZ-MESSAGES-CX")
    document["operation"]["manufacturer"]["manufacturer"] = "BPNL0000000NZ001\n"
    document["performance"]["rated"]["voltage"]["nominal"] = None
    document["metadata"]["issueDate"] = "2025-02-30"
    register_partners(services, document)
    problems = _problems(services, document, "catenax")
    text = " ".join(problems.values())
    assert "None" not in text and "\\Z" not in text and "'" not in text
    assert "(pattern ^BPNL[a-zA-Z0-9]{12}$)" in \
        problems["$.operation.manufacturer.manufacturer"]
    assert problems["$.performance.rated.voltage.nominal"].startswith("null is not a number")
    assert problems["$.metadata.issueDate"].startswith('"2025-02-30" is not a calendar date')
