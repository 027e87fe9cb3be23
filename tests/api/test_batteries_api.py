"""GET /batteries and the passport sub-resources over HTTP, against a demo fleet.

Every answer is checked against the generator's own graph of that battery (``demo_passport``),
never against numbers copied from a run. Access control: anonymous callers read the public
passport only (no status, usage data or derived alert level).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP, ECHEM, GEO
from graph_service.model.terms import (
    BATTERY_CELL,
    BATTERY_MODULE,
    HAS_CONSTITUENT,
    HAS_NUMBER_VALUE,
    HAS_NUMERICAL_PART,
    HAS_PROPERTY,
)
from graph_service.services.access import Role
from graph_service.services.fleet.demo import (
    demo_organisation_records,
    demo_passport,
    write_demo_fleet,
)

# The root tests/conftest.py, imported by pytest as the top-level module ``conftest``.
from conftest import LiveServer, make_settings, start_server  # isort: skip

FLEET = 10
IDS = [f"BP-{i:06d}" for i in range(1, FLEET + 1)]
NOMINAL_VOLTAGE = ECHEM["electrochemistry_639b844a_e801_436b_985d_28926129ead6"]
STATE_OF_HEALTH = ECHEM["electrochemistry_a7a4614f_2426_46f3_8475_cda4a9fabfce"]
STATE_OF_CHARGE = ECHEM["electrochemistry_8b2aaa50_bbe1_45da_8778_8898326246a2"]
TOTAL_CYCLES = ECHEM["electrochemistry_6d981c04_3ace_4f1b_b0f8_770776cceb6f"]
PROBLEM = "application/problem+json"
# Organisation names come from their records (organisations are not passport data).
ORGANISATIONS = demo_organisation_records(IriMinter("http://127.0.0.1:8000/"))


@pytest.fixture(scope="module")
def fleet() -> Iterator[LiveServer]:
    with start_server(make_settings()) as live:
        write_demo_fleet(live.services, FLEET)
        yield live


@pytest.fixture(scope="module")
def passports(fleet: LiveServer) -> dict[str, Graph]:
    return {bid: demo_passport(fleet.services.minter, i) for i, bid in enumerate(IDS, start=1)}


@pytest.fixture(scope="module")
def researcher(fleet: LiveServer):
    with fleet.client(fleet.token(Role.RESEARCHER, "uni-lab")) as client:
        yield client


@pytest.fixture(scope="module")
def anonymous(fleet: LiveServer):
    with fleet.client() as client:
        yield client


# -- helpers over the generator's graphs ------------------------------------------------------
def pack(fleet: LiveServer, bid: str) -> URIRef:
    return fleet.services.minter.battery(bid)


def local(iri: object) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def quantity(graph: Graph, owner: URIRef, cls: URIRef) -> float | None:
    for q in graph.objects(owner, HAS_PROPERTY):
        if (q, RDF.type, cls) in graph:
            return float(graph.value(graph.value(q, HAS_NUMERICAL_PART), HAS_NUMBER_VALUE))
    return None


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


# -- list, filters, paging --------------------------------------------------------------------
def test_list_returns_every_battery_in_id_order_with_its_identity(fleet, passports, researcher):
    page = ok(researcher.get("/batteries", params={"limit": 500}))
    assert [item["id"] for item in page["items"]] == IDS
    assert page["hasMore"] is False and page["nextOffset"] is None
    for item in page["items"]:
        graph, battery = passports[item["id"]], pack(fleet, item["id"])
        assert item["iri"] == str(battery)
        assert item["model"] == str(graph.value(battery, DBP.model))
        assert item["chemistry"]["id"] == local(graph.value(battery, DBP.chemistry))
        assert item["chemistry"]["label"]  # from the vocabulary
        assert item["category"]["id"] == local(graph.value(battery, DBP.batteryCategory))
        assert item["status"]["id"] == local(graph.value(battery, DBP.batteryStatus))
        manufacturer = graph.value(battery, DBP.manufacturer)
        assert item["manufacturer"]["iri"] == str(manufacturer)
        assert item["manufacturer"]["name"] == str(ORGANISATIONS.value(manufacturer, DBP.name))
        derived = fleet.services.store.graph(fleet.services.layout.derived(item["id"]))
        level = derived.value(derived.value(battery, DBP.hasThermalRiskAlert), DBP.alertLevel)
        assert item["alertLevel"]["iri"] == str(level)


@pytest.mark.parametrize("field", ["chemistry", "category", "status", "model", "riskLevel"])
def test_each_filter_selects_exactly_the_matching_batteries(fleet, passports, researcher,
                                                            field):
    def value(bid: str) -> str:
        battery = pack(fleet, bid)
        if field == "riskLevel":
            derived = fleet.services.store.graph(fleet.services.layout.derived(bid))
            return local(derived.value(derived.value(battery, DBP.hasThermalRiskAlert),
                                       DBP.alertLevel))
        predicate = {"chemistry": DBP.chemistry, "category": DBP.batteryCategory,
                     "status": DBP.batteryStatus, "model": DBP.model}[field]
        found = passports[bid].value(battery, predicate)
        return str(found) if field == "model" else local(found)

    values = {bid: value(bid) for bid in IDS}
    for wanted in sorted(set(values.values())):
        query = wanted.split()[1].lower() if field == "model" else wanted  # e.g. "nmc811"
        expected = [bid for bid in IDS if (query in values[bid].lower() if field == "model"
                                           else values[bid] == wanted)]
        page = ok(researcher.get("/batteries", params={field: query, "limit": 500}))
        assert [item["id"] for item in page["items"]] == expected, (field, query)


def test_filters_accept_full_iris_and_combine(fleet, passports, researcher):
    battery = pack(fleet, IDS[0])
    chemistry = str(passports[IDS[0]].value(battery, DBP.chemistry))
    category = local(passports[IDS[0]].value(battery, DBP.batteryCategory))
    expected = [bid for bid in IDS
                if str(passports[bid].value(pack(fleet, bid), DBP.chemistry)) == chemistry
                and local(passports[bid].value(pack(fleet, bid), DBP.batteryCategory))
                == category]
    page = ok(researcher.get("/batteries", params={"chemistry": chemistry,
                                                   "category": category}))
    assert [item["id"] for item in page["items"]] == expected
    assert IDS[0] in expected
    # A value no concept of the vocabulary has is a mistake, not a filter matching nothing.
    assert researcher.get("/batteries",
                          params={"chemistry": "no-such-chemistry"}).status_code == 422


def test_paging_walks_the_fleet_without_gaps_or_repeats(researcher):
    seen: list[str] = []
    offset = 0
    while True:
        page = ok(researcher.get("/batteries", params={"limit": 3, "offset": offset}))
        assert page["limit"] == 3 and page["offset"] == offset
        seen.extend(item["id"] for item in page["items"])
        if not page["hasMore"]:
            assert page["nextOffset"] is None
            break
        assert len(page["items"]) == 3
        offset = page["nextOffset"]
        assert offset == len(seen)
    assert seen == IDS
    assert ok(researcher.get("/batteries", params={"offset": 100}))["items"] == []


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1},
                                    {"chemistry": "bad value"}])
def test_invalid_list_parameters_are_client_errors(researcher, params):
    response = researcher.get("/batteries", params=params)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith(PROBLEM)


def test_anonymous_list_shows_public_fields_only(anonymous):
    page = ok(anonymous.get("/batteries", params={"limit": 500}))
    assert [item["id"] for item in page["items"]] == IDS
    for item in page["items"]:
        assert item["model"] and item["chemistry"] and item["manufacturer"]
        assert item["status"] is None  # legitimate interest
        assert item["alertLevel"] is None  # derived data
    denied = anonymous.get("/batteries", params={"riskLevel": "high"})
    assert denied.status_code == 403
    assert "legitimate-interest" in denied.json()["detail"]


# -- one battery ------------------------------------------------------------------------------
@pytest.mark.parametrize("bid", IDS[:4])
def test_summary_matches_the_passport(fleet, passports, researcher, bid):
    graph, battery = passports[bid], pack(fleet, bid)
    summary = ok(researcher.get(f"/batteries/{bid}"))
    assert summary["id"] == bid and summary["iri"] == str(battery)
    for field in ("model", "serialNumber", "passportIdentifier", "manufacturingPlace",
                  "cellLayout"):
        assert summary[field] == str(graph.value(battery, DBP[field])), field
    for field in ("manufacturingDate", "putIntoServiceDate", "warrantyEndDate"):
        assert summary[field] == str(graph.value(battery, DBP[field])), field
    assert summary["moduleCount"] == int(graph.value(battery, DBP.moduleCount))
    assert summary["cellCount"] == int(graph.value(battery, DBP.cellCount))
    assert summary["chemistry"]["id"] == local(graph.value(battery, DBP.chemistry))
    assert summary["manufacturer"]["id"] == local(graph.value(battery, DBP.manufacturer))
    assert summary["operator"]["id"] == local(graph.value(battery, DBP.operator))
    quantities = {q["type"]["iri"]: q["value"] for q in summary["quantities"]}
    assert quantities[str(NOMINAL_VOLTAGE)] == pytest.approx(
        quantity(graph, battery, NOMINAL_VOLTAGE))
    records = sorted(graph.objects(battery, DBP.hasUsageRecord),
                     key=lambda r: graph.value(r, DBP.recordedAt).toPython())
    assert summary["latestStateOfHealth"] == pytest.approx(
        quantity(graph, records[-1], STATE_OF_HEALTH))
    assert summary["alertLevel"]["id"] and summary["damageState"]["id"]


def test_anonymous_summary_hides_restricted_data(anonymous, researcher):
    public = ok(anonymous.get(f"/batteries/{IDS[0]}"))
    full = ok(researcher.get(f"/batteries/{IDS[0]}"))
    assert public["model"] == full["model"] and public["chemistry"] == full["chemistry"]
    for field in ("status", "moduleCount", "putIntoServiceDate", "latestStateOfHealth",
                  "alertLevel", "damageState"):
        assert full[field] is not None, field
        assert public[field] is None, field


@pytest.mark.parametrize("bid", IDS[:3])
def test_material_chain_goes_from_cells_to_mines(fleet, passports, researcher, bid):
    graph, battery = passports[bid], pack(fleet, bid)
    chain = ok(researcher.get(f"/batteries/{bid}/material"))
    cells = {c for m in graph.objects(battery, HAS_CONSTITUENT)
             for c in graph.objects(m, HAS_CONSTITUENT) if (c, RDF.type, BATTERY_CELL) in graph}
    assert [b["iri"] for b in chain["batches"]] == [f"{battery}/cam/1"]
    batch = chain["batches"][0]
    cam = URIRef(batch["iri"])
    assert batch["cellCount"] == len(cells)
    assert batch["camType"]["id"] == local(graph.value(cam, DBP.camType))
    assert batch["supplier"]["iri"] == str(graph.value(cam, DBP.supplier))
    assert batch["supplier"]["name"] == str(ORGANISATIONS.value(graph.value(cam, DBP.supplier),
                                                                DBP.name))
    assert batch["processingDate"] == str(graph.value(cam, DBP.processingDate))
    shares = {str(p)[len(str(DBP)):-len("MassShare")]: float(o)
              for p, o in graph.predicate_objects(cam) if str(p).endswith("MassShare")}
    assert batch["massSharesPercent"] == pytest.approx(shares)
    extractions = {x["iri"]: x for x in batch["extractions"]}
    expected = set(graph.objects(cam, DBP.sourcedFrom))
    assert set(extractions) == {str(x) for x in expected}
    for x in expected:
        got, mine = extractions[str(x)], graph.value(x, DBP.mine)
        assert got["material"]["iri"] == str(graph.value(x, DBP.extractedMaterial))
        assert got["material"]["label"]  # from the EMMO chemical-substance ontology
        assert got["mine"]["iri"] == str(mine)
        assert got["mine"]["name"] == str(graph.value(mine, DBP.name))
        assert got["mine"]["latitude"] == pytest.approx(float(graph.value(mine, GEO.lat)))
        assert got["mine"]["longitude"] == pytest.approx(float(graph.value(mine, GEO.long)))
        assert got["method"]["id"] == local(graph.value(x, DBP.extractionMethod))
        assert got["date"] == str(graph.value(x, DBP.extractionDate))


@pytest.mark.parametrize("bid", IDS[:3])
def test_modules_with_their_latest_soh(fleet, passports, researcher, bid):
    graph, battery = passports[bid], pack(fleet, bid)
    modules = ok(researcher.get(f"/batteries/{bid}/modules"))["modules"]
    expected = sorted((m for m in graph.objects(battery, HAS_CONSTITUENT)
                       if (m, RDF.type, BATTERY_MODULE) in graph),
                      key=lambda m: int(graph.value(m, DBP.position)))
    assert [m["iri"] for m in modules] == [str(m) for m in expected]
    for got, module in zip(modules, expected, strict=True):
        assert got["serialNumber"] == str(graph.value(module, DBP.serialNumber))
        assert got["cellCount"] == int(graph.value(module, DBP.cellCount))
        assert got["replaceable"] is graph.value(module, DBP.replaceable).toPython()
        record = graph.value(module, DBP.hasUsageRecord)
        if record is None:
            assert got["stateOfHealth"] is None
        else:
            assert got["stateOfHealth"] == pytest.approx(
                quantity(graph, record, STATE_OF_HEALTH))


def test_cells_are_paged_in_serial_order(fleet, passports, researcher):
    bid = IDS[0]
    graph, battery = passports[bid], pack(fleet, bid)
    serials = sorted(str(graph.value(c, DBP.serialNumber))
                     for m in graph.objects(battery, HAS_CONSTITUENT)
                     for c in graph.objects(m, HAS_CONSTITUENT))
    seen, offset = [], 0
    while True:
        page = ok(researcher.get(f"/batteries/{bid}/cells",
                                 params={"limit": 25, "offset": offset}))
        assert page["total"] == len(serials)
        if not page["items"]:
            break
        for cell in page["items"]:
            assert cell["activeMaterial"] == f"{battery}/cam/1"
            assert cell["module"] and cell["iri"].startswith(cell["module"] + "/cell/")
            assert cell["cellType"]["label"]
        seen.extend(cell["serialNumber"] for cell in page["items"])
        offset += 25
    assert seen == serials


def test_events_are_the_negative_events_in_time_order(fleet, passports, researcher):
    with_events = 0
    for bid in IDS:
        graph, battery = passports[bid], pack(fleet, bid)
        expected = sorted(graph.objects(battery, DBP.hasNegativeEvent),
                          key=lambda e: graph.value(e, DBP.occurredAt).toPython())
        events = ok(researcher.get(f"/batteries/{bid}/events"))["events"]
        assert [e["iri"] for e in events] == [str(e) for e in expected]
        for got, event in zip(events, expected, strict=True):
            assert got["type"]["id"] == local(graph.value(event, DBP.eventType))
            assert got["severity"]["id"] == local(graph.value(event, DBP.severity))
            assert got["description"] == str(graph.value(event, DBP.description))
        with_events += bool(expected)
    assert with_events, "the demo fleet should contain a battery with negative events"


@pytest.mark.parametrize("bid", IDS[:4])
def test_soh_series_is_the_pack_usage_records_in_time_order(fleet, passports, researcher, bid):
    graph, battery = passports[bid], pack(fleet, bid)
    series = ok(researcher.get(f"/batteries/{bid}/soh"))
    expected = sorted(graph.objects(battery, DBP.hasUsageRecord),
                      key=lambda r: graph.value(r, DBP.recordedAt).toPython())
    assert [r["iri"] for r in series["records"]] == [str(r) for r in expected]
    for got, record in zip(series["records"], expected, strict=True):
        assert when(got["recordedAt"]) == graph.value(record, DBP.recordedAt).toPython()
        assert got["stateOfHealth"] == pytest.approx(quantity(graph, record, STATE_OF_HEALTH))
        assert got["stateOfCharge"] == pytest.approx(quantity(graph, record, STATE_OF_CHARGE))
        assert got["cycles"] == pytest.approx(quantity(graph, record, TOTAL_CYCLES))
        assert got["maxTemperature"] is not None and got["depthOfDischarge"] is not None
    modules = {m["module"]: m["stateOfHealth"] for m in series["modules"]}
    for module in graph.objects(battery, HAS_CONSTITUENT):
        record = graph.value(module, DBP.hasUsageRecord)
        if record is not None:
            assert modules[str(module)] == pytest.approx(
                quantity(graph, record, STATE_OF_HEALTH))


def test_anonymous_callers_get_no_restricted_sub_resources(anonymous):
    bid = IDS[0]
    assert ok(anonymous.get(f"/batteries/{bid}/soh")) == {"battery": bid, "records": [],
                                                          "modules": []}
    assert ok(anonymous.get(f"/batteries/{bid}/modules"))["modules"] == []
    assert ok(anonymous.get(f"/batteries/{bid}/cells"))["total"] == 0
    assert ok(anonymous.get(f"/batteries/{bid}/material"))["batches"] == []


@pytest.mark.parametrize("path", ["", "/material", "/modules", "/cells", "/events", "/soh"])
def test_unknown_battery_is_404_problem_json(researcher, anonymous, path):
    for client in (researcher, anonymous):
        response = client.get(f"/batteries/BP-999999{path}")
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert "BP-999999" in response.json()["detail"]
    bad = researcher.get(f"/batteries/BP%20000001{path}")
    # A malformed id is refused by the route's full-match pattern (422, naming the parameter).
    assert bad.status_code == 422
    assert "battery_id" in bad.json()["detail"]


@pytest.mark.parametrize(("field", "value", "known"), [
    ("chemistry", "nmc9000", "nmc811"), ("status", "bogus", "repurposed"),
    ("category", "spaceship", "ev"), ("riskLevel", "low", "elevated"),
    ("status", "https://w3id.org/dbp/vocab/chemistry/lfp", "original"),
])
def test_a_filter_value_no_concept_names_is_refused_with_the_known_ones(
        researcher, field: str, value: str, known: str) -> None:
    """Found by the third hostile probe: an unknown filter value answered 200 with an empty
    list, as if no battery matched; now 422 naming the parameter and the vocabulary's values."""
    answer = researcher.get("/batteries", params={field: value})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert field in detail and known in detail, detail
