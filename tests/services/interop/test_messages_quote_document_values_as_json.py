"""Partner-document probe: messages about identifiers, chemistries, language tags, duplicate keys
and record times quoted the document's values with Python's repr - '' for an empty
productIdentifier, 'Akku/Ü 123 #4' - and in full: an idDmc of 300 characters was repeated whole
in its error. docs/interop.md promises values quoted as JSON writes them ("text"), as the schema
messages already do; a partner's JSON tooling reads "..." and not '...'.

Now these messages quote with the same helper as the schema messages (jsondoc.shown): JSON
quoting, long values shortened.
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.services.interop.errors import DocumentRejected
from tests.services.interop.conftest import ADMIN, body_of
from tests.services.interop.partner_corpus import battery_pass_set, catenax_document
from tests.services.interop.support import battery_pass_services, register_partners

ID_DMC = "$.identification.idDmc"


@pytest.fixture(scope="module")
def services() -> Services:
    return battery_pass_services()


def test_an_unusable_product_identifier_is_quoted_as_json(services: Services) -> None:
    sent = battery_pass_set("X")
    sent["GeneralProductInformation"]["productIdentifier"] = ""
    with pytest.raises(DocumentRejected) as refused:
        services.imports.import_document(json.dumps(sent).encode(), "batterypass", ADMIN)
    message = {p.path: p.message for p in refused.value.problems}[
        "$.GeneralProductInformation.productIdentifier"]
    assert message.startswith('"" has no character usable'), message


def test_a_long_unusable_id_dmc_is_quoted_as_json_and_shortened(services: Services) -> None:
    sent = catenax_document("X")
    sent["identification"]["idDmc"] = "Ω" * 300
    register_partners(services, sent)
    with pytest.raises(DocumentRejected) as refused:
        services.imports.import_document(body_of(sent), "catenax", ADMIN)
    message = {p.path: p.message for p in refused.value.problems}[ID_DMC]
    assert message.startswith('"ΩΩ') and "'" not in message
    assert len(message) < 250, len(message)


def test_a_sanitised_id_dmc_warning_quotes_both_ids_as_json(services: Services) -> None:
    sent = catenax_document("X")
    sent["identification"]["idDmc"] = "Akku/Ü 123 #4"
    register_partners(services, sent)
    result = services.imports.import_document(body_of(sent), "catenax", ADMIN)
    message = {w.path: w.message for w in result.warnings}[ID_DMC]
    assert message.startswith('identifier "Akku/Ü 123 #4" is stored as battery id "Akku-123-4')
    assert "'" not in message
