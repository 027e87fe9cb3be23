"""Partner-document finding: the integer check (``samm.integer_properties``) covered only the
properties of the aspect's own Turtle - not those of the models it references, not list items,
not exports. A Catena-X ``characteristics.warranty.lifeValue`` of 8.5 (xsd:integer in the
generic digital product passport model the battery pass references) was stored; a fraction in
a list of integers would have passed; and exports wrote integer fields as ``2000.0``.

Now the models referenced from the aspect's Turtle (installed in the SAMM repository layout)
are read too, a list item is checked against its list's property, and an export writes a
whole number of an integer-typed property as a JSON integer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_service.container import Services
from graph_service.services.interop.errors import DocumentRejected
from graph_service.services.interop.jsondoc import JsonDocument
from graph_service.services.interop.samm import (
    aspect_schema,
    fractions_of_integers,
    integer_properties,
    write_integers,
)
from graph_service.services.interop.schema import SchemaModel
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import battery_pass_set, catenax_document, register
from tests.services.interop.support import register_partners

_PREFIXES = """@prefix samm: <urn:samm:org.eclipse.esmf.samm:meta-model:2.1.0#> .
@prefix samm-c: <urn:samm:org.eclipse.esmf.samm:characteristic:2.1.0#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _models(root: Path) -> Path:
    """An aspect (ns.example.a 1.0.0) with a list of integers and a property of another model
    (ns.example.b 1.0.0) whose data type is xsd:integer."""
    a, b = root / "ns.example.a" / "1.0.0", root / "ns.example.b" / "1.0.0"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    (b / "B.ttl").write_text(_PREFIXES + """@prefix : <urn:samm:ns.example.b:1.0.0#> .
:count a samm:Property ; samm:characteristic :Count .
:Count a samm:Characteristic ; samm:dataType xsd:integer .
""")
    (a / "A.ttl").write_text(_PREFIXES + """@prefix : <urn:samm:ns.example.a:1.0.0#> .
@prefix b: <urn:samm:ns.example.b:1.0.0#> .
:A a samm:Aspect ; samm:properties ( :cycles b:count ) ; samm:operations ( ) .
:cycles a samm:Property ; samm:characteristic :Cycles .
:Cycles a samm-c:List ; samm:dataType xsd:integer .
""")
    return a / "A.ttl"


def test_referenced_models_and_list_items_are_checked(tmp_path: Path) -> None:
    path = _models(tmp_path)
    integers = integer_properties(path)
    assert integers == {"urn:samm:ns.example.a:1.0.0#cycles": "xsd:integer",
                        "urn:samm:ns.example.b:1.0.0#count": "xsd:integer"}
    # (the schema generator reads one graph: the two models merged, as the published schemas are)
    merged = tmp_path / "merged.ttl"
    merged.write_text(path.read_text() + "\n".join(
        line for line in (tmp_path / "ns.example.b" / "1.0.0" / "B.ttl").read_text().splitlines()
        if not line.startswith("@prefix samm") and not line.startswith("@prefix xsd")
        and not line.startswith("@prefix : ")).replace(":count a", "b:count a").replace(
        ":Count", "b:Count"))
    schema = SchemaModel(aspect_schema(merged), format="example", version="1.0.0")
    document = JsonDocument({"cycles": [1, 2.5, 3.0], "count": 4.5}, "", "", "")
    problems = {p.path: p.message for p in fractions_of_integers(document, schema, integers)}
    assert set(problems) == {"$.cycles[1]", "$.count"}
    assert "xsd:integer" in problems["$.count"]
    assert write_integers({"cycles": [1.0, 3.0], "count": 4.0}, schema, integers) == \
        {"cycles": [1, 3], "count": 4}


def test_catenax_warranty_life_value_fraction_is_refused(services: Services) -> None:
    document = catenax_document("NZ-CX-WARRANTY-FRACTION")
    document["characteristics"]["warranty"]["lifeValue"] = 8.5
    register_partners(services, document)
    before = services.store.count()
    with pytest.raises(DocumentRejected) as refused:
        services.imports.import_document(json.dumps(document).encode(), "catenax", ADMIN)
    assert services.store.count() == before
    messages = {p.path: p.message for p in refused.value.problems}
    assert "xsd:integer" in messages["$.characteristics.warranty.lifeValue"]


def test_exports_write_integer_fields_as_integers(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    document = catenax_document("NZ-CX-INTEGERS-OUT")
    register_partners(services, document)
    result = services.imports.import_document(json.dumps(document).encode(), "catenax", ADMIN)
    catenax = services.imports.export_document(result.battery_id, "catenax").document
    lifetime = catenax["performance"]["rated"]["lifetime"]
    assert type(lifetime["expectedYears"]) is int and type(
        lifetime["cycleLifeTesting"]["cycles"]) is int
    assert type(catenax["performance"]["dynamic"]["fullCycles"]["value"]) is int
    bp = services.imports.export_document(result.battery_id, "batterypass",
                                          allow_incomplete=True).document
    (performance,) = [v for k, v in bp.items() if k.endswith("#PerformanceAndDurability")]
    properties = performance["batteryTechicalProperties"]
    assert (properties["expectedNumberOfCycles"], properties["expectedLifetime"]) == (2000, 10)
    assert type(properties["expectedNumberOfCycles"]) is int
    assert type(properties["expectedLifetime"]) is int
    cycles = performance["batteryCondition"]["numberOfFullCycles"]["numberOfFullCyclesValue"]
    assert cycles == 212 and type(cycles) is int
    # and a Battery Pass set round-trips its integers as integers
    register(services)
    sent = battery_pass_set("NZ-BP-INTEGERS-OUT")
    result = services.imports.import_document(json.dumps(sent).encode(), "batterypass", ADMIN)
    back = services.imports.export_document(result.battery_id, "batterypass").document
    (performance,) = [v for k, v in back.items() if k.endswith("#PerformanceAndDurability")]
    assert type(performance["batteryTechicalProperties"]["expectedNumberOfCycles"]) is int
