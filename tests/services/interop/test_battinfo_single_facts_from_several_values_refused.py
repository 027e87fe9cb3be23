"""Partner-document probe: a BattINFO battery with two schema:serialNumber values ("A", "B") was
imported as battery A with dbp:serialNumber A - B silently not the passport's serial number; two
schema:productionDate values gave the manufacturing date of one of them (the other dropped);
two schema:model values, one dbp:model; two schema:manufacturer nodes, one dbp:manufacturer.
Which value was taken was whichever rdflib returned first.

Now a single passport fact taken from a property with two or more different values is refused
at that key's JSON path, naming the values; nothing is written. The same value twice, and a
manufacturer's several names when its schema:identifier names it, are no conflict.
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.services.interop.battinfo.importer import BattInfoError
from tests.services.interop.test_battinfo_importer import (
    ADMIN,
    pack,
    register_organisation,
    services,  # noqa: F401 (fixture)
)


@pytest.fixture(scope="module")
def registered(services: Services) -> Services:  # noqa: F811
    register_organisation(services, "rheinvolt", "Rheinvolt Energy GmbH")
    register_organisation(services, "voltwerk", "Voltwerk AG")
    return services


def refusal(services: Services, document: dict) -> str:  # noqa: F811
    before = services.store.count()
    with pytest.raises(BattInfoError) as caught:
        services.imports.import_document(json.dumps(document).encode(), "battinfo", ADMIN)
    assert services.store.count() == before
    return str(caught.value)


@pytest.mark.parametrize(("key", "values", "fact"), [
    ("schema:serialNumber", ["BI-SN-A", "BI-SN-B"], "the battery's identifier"),
    ("schema:productionDate", ["2024-02-01", "2024-03-05"], "manufacturing date"),
    ("schema:model", ["RV-400-A", "RV-400-B"], "dbp:model"),
])
def test_two_values_of_a_single_fact_are_refused_at_their_key(
        registered: Services, key: str, values: list[str], fact: str) -> None:
    document = pack()
    if key != "schema:serialNumber":
        document["schema:serialNumber"] = f"BI-TWO-{key.split(':')[1].upper()}"
    document[key] = values
    message = refusal(registered, document)
    assert message.startswith(f"$['{key}']: {key} has 2 different values")
    assert all(json.dumps(v) in message for v in values) and fact in message


def test_two_manufacturers_are_refused_naming_both(registered: Services) -> None:
    document = pack()
    document["schema:serialNumber"] = "BI-TWO-MAKERS"
    document["schema:manufacturer"] = [
        {"schema:name": "Rheinvolt Energy GmbH", "schema:identifier": "rheinvolt"},
        {"schema:name": "Voltwerk AG", "schema:identifier": "voltwerk"}]
    message = refusal(registered, document)
    assert message.startswith("$['schema:manufacturer']")
    assert '"Rheinvolt Energy GmbH"' in message and '"Voltwerk AG"' in message


def test_a_manufacturer_named_in_two_languages_without_an_identifier_is_refused(
        registered: Services) -> None:
    document = pack()
    document["schema:serialNumber"] = "BI-MAKER-TWO-NAMES"
    document["schema:manufacturer"] = {"schema:name": [
        {"@value": "Rheinvolt Energy GmbH", "@language": "de"},
        {"@value": "Rheinvolt Energy Ltd", "@language": "en"}]}
    message = refusal(registered, document)
    assert "schema:name has 2 different values" in message and "schema:identifier" in message


def test_the_same_value_twice_and_names_beside_an_identifier_are_accepted(
        registered: Services) -> None:
    document = pack()
    document["schema:serialNumber"] = ["BI-SAME-TWICE", "BI-SAME-TWICE"]
    document["schema:manufacturer"] = {"schema:identifier": "rheinvolt", "schema:name": [
        {"@value": "Rheinvolt Energy GmbH", "@language": "de"},
        {"@value": "Rheinvolt Energy Ltd", "@language": "en"}]}
    result = registered.imports.import_document(json.dumps(document).encode(), "battinfo",
                                                ADMIN)
    assert result.ingest.committed and result.battery_id == "BI-SAME-TWICE"
