"""The mapping files of the partner formats (services/interop/mapping.py): a mistake in one is
refused at import with the field it concerns, never found at the first document."""

from __future__ import annotations

import pytest

from graph_service.model.graphs import AccessGroup
from graph_service.model.namespaces import DBP, EMMO
from graph_service.model.terms import NOMINAL_VOLTAGE, UNIT
from graph_service.services.interop import mapping
from graph_service.services.interop.codecs import Quantity, RecordTime, RecordValue, Text


def test_terms_and_units_are_written_as_constants_symbols_or_compact_iris() -> None:
    fields = mapping.fields([
        {"path": "$.a.b", "codec": "Quantity", "cls": "NOMINAL_VOLTAGE", "slug": "v",
         "stored_unit": "V", "json_unit": "emmo:Volt"},
        {"path": "$.c", "codec": "Text", "predicate": "dbp:model"},
    ])
    assert fields[("a", "b")] == Quantity(NOMINAL_VOLTAGE, "v", UNIT["V"], EMMO.Volt)
    assert fields[("c",)] == Text(DBP.model)


def test_a_record_row_gives_its_value_and_time_leaves() -> None:
    fields = mapping.fields([{"path": "$.soc", "codec": "Record", "value_key": "socValue",
                              "time_key": "lastUpdate", "cls": "dbp:X", "slug": "soc",
                              "stored_unit": "%", "json_unit": "%"}])
    value = fields[("soc", "socValue")]
    assert isinstance(value, RecordValue) and value.time_key == "lastUpdate"
    assert fields[("soc", "lastUpdate")] == RecordTime(value, value_key="socValue")


@pytest.mark.parametrize(("row", "says"), [
    ({"codec": "Text", "predicate": "NO_SUCH_TERM"}, "NO_SUCH_TERM"),
    ({"codec": "Text", "predicate": "nope:x"}, "unknown prefix"),
    ({"codec": "Quantity", "cls": "dbp:X", "slug": "x", "stored_unit": "furlong"}, "furlong"),
    ({"codec": "NoSuchCodec", "predicate": "dbp:x"}, "NoSuchCodec"),
    ({"codec": "Text", "predicate": "dbp:x", "colour": "red"}, "colour"),
    ({"codec": "OrganisationLink", "predicate": "dbp:x", "pattern": "BPNX"}, "BPNX"),
])
def test_a_mistake_names_the_field(row: dict[str, str], says: str) -> None:
    with pytest.raises(mapping.MappingError, match=r"field \$\.broken: .*" + says):
        mapping.fields([{"path": "$.broken", **row}])


def test_an_access_entry_without_a_known_group_is_refused() -> None:
    assert mapping.access({"$.a": {"group": "public", "follows": "DIN 6.1"}}) == {
        ("a",): (AccessGroup.PUBLIC, None, "DIN 6.1")}
    with pytest.raises(mapping.MappingError):
        mapping.access({"$.a": {"group": "everyone", "follows": "-"}})
