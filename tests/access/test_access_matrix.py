"""The access matrix, table-driven: every role x every access group x every read path, and
every role x every lifecycle stage for writes. Expected values are written out here from the
EU Battery Regulation's access groups (Art. 77(2), Annex XIII) and docs/access.md - not read
from the code under test. A new read path is one entry in READ_PATHS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from rdflib import Graph, URIRef

from graph_service.model.graphs import AccessGroup, Stage
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.classify import classify
from graph_service.services.demo import demo_passport
from graph_service.store import RdfFormat
from tests.conftest import LiveServer, make_settings, start_server

MINTER = IriMinter("http://127.0.0.1:8000/")
BID = "BP-000001"
BATTERY = MINTER.battery(BID)
ROLES = ["public", "oem", "operator", "repairer", "remanufacturer", "recycler", "researcher",
         "authority", "admin"]

# -- expected reads: which access groups each role sees (derived = dismantling information) --
PUBLIC, LEGIT, AUTHORITY, DERIVED = "public", "legitimate-interest", "authority", "derived"
EXPECTED_READS: dict[str, set[str]] = {
    "public": {PUBLIC},
    "oem": {PUBLIC, LEGIT, DERIVED},
    "operator": {PUBLIC, LEGIT, DERIVED},
    "repairer": {PUBLIC, LEGIT, DERIVED},
    "remanufacturer": {PUBLIC, LEGIT, DERIVED},
    "recycler": {PUBLIC, LEGIT, DERIVED},
    "researcher": {PUBLIC, LEGIT, DERIVED},
    "authority": {PUBLIC, LEGIT, AUTHORITY, DERIVED},
    "admin": {PUBLIC, LEGIT, AUTHORITY, DERIVED},
}
# One marker triple per group: (predicate on the battery, named graph holding it).
MARKERS: dict[str, URIRef] = {
    PUBLIC: DBP.batteryId,  # identity, public
    LEGIT: DBP.cellCount,  # design, legitimate interest
    AUTHORITY: DBP.testReport,  # test reports, authorities and notified bodies only
    DERIVED: DBP.hasHazard,  # derived dismantling information
}
VIEW = {
    PUBLIC: "graph/view/public", LEGIT: "graph/view/legitimate-interest",
    AUTHORITY: "graph/view/authority", DERIVED: "graph/view/derived",
}
SOURCE = {
    PUBLIC: f"graph/battery/{BID}/identity", LEGIT: f"graph/battery/{BID}/design",
    AUTHORITY: f"graph/battery/{BID}/rated-performance", DERIVED: f"graph/battery/{BID}/derived",
}

# -- expected writes: which lifecycle stages each role writes (of batteries it owns) ---------
EXPECTED_WRITES: dict[str, set[Stage]] = {
    "public": set(),
    "researcher": set(),
    "authority": set(),
    "oem": {Stage.IDENTITY, Stage.DESIGN, Stage.MANUFACTURING, Stage.RATED_PERFORMANCE},
    "operator": {Stage.USAGE, Stage.LOGISTICS},
    "repairer": {Stage.SERVICE},
    "remanufacturer": {Stage.SERVICE},
    "recycler": {Stage.END_OF_LIFE},
    "admin": set(Stage),
}


@dataclass
class Matrix:
    server: LiveServer
    tokens: dict[str, str | None]
    stage_documents: dict[Stage, bytes]

    def client(self, role: str) -> httpx.Client:
        return self.server.client(self.tokens[role])

    def sparql(self, role: str, query: str, **params: str) -> httpx.Response:
        return self.client(role).get("/sparql", params={"query": query, **params},
                                     headers={"Accept": "application/sparql-results+json"})


def _organisations(graph: Graph) -> tuple[str, str]:
    manufacturer = graph.value(BATTERY, DBP.manufacturer)
    operator = graph.value(BATTERY, DBP.operator)
    return (str(graph.value(manufacturer, DBP.organisationId)),
            str(graph.value(operator, DBP.organisationId)))


@pytest.fixture(scope="module")
def matrix() -> Iterator[Matrix]:
    server = start_server(make_settings())
    try:
        passport = demo_passport(MINTER, 1)
        manufacturer, operator = _organisations(passport)
        tokens: dict[str, str | None] = {"public": None}
        for role in ROLES[1:]:
            org = {"oem": manufacturer, "operator": operator}.get(role, f"{role}-org")
            tokens[role] = server.token(role, org)
        response = server.client(tokens["admin"]).post(
            "/passports", content=passport.serialize(format="turtle").encode(),
            headers={"Content-Type": "text/turtle"})
        assert response.status_code == 201, response.text
        classes = classify(passport, server.services.ingest._annotations())
        documents: dict[Stage, bytes] = {}
        for stage in Stage:
            part = Graph()
            for triple, cls in classes.items():
                if cls.stage is stage:
                    part.add(triple)
            if len(part):
                documents[stage] = part.serialize(format="turtle").encode()
        yield Matrix(server, tokens, documents)
    finally:
        server.stop()


def _base(path: str) -> str:
    return f"http://127.0.0.1:8000/{path}"


def _rows(response: httpx.Response) -> list[dict]:
    if response.status_code != 200:
        return []
    return response.json()["results"]["bindings"]


# -- read paths: (matrix, role, group) -> is the marker visible? -----------------------------
def select_default(m: Matrix, role: str, group: str) -> bool:
    query = f"SELECT ?o WHERE {{ <{BATTERY}> <{MARKERS[group]}> ?o }}"
    return bool(_rows(m.sparql(role, query)))


def ask_default(m: Matrix, role: str, group: str) -> bool:
    response = m.sparql(role, f"ASK {{ <{BATTERY}> <{MARKERS[group]}> ?o }}")
    return response.status_code == 200 and response.json()["boolean"]


def construct_default(m: Matrix, role: str, group: str) -> bool:
    response = m.client(role).get("/sparql", params={
        "query": f"CONSTRUCT WHERE {{ <{BATTERY}> <{MARKERS[group]}> ?o }}"},
        headers={"Accept": "application/n-triples"})
    return response.status_code == 200 and str(MARKERS[group]) in response.text


def describe_battery(m: Matrix, role: str, group: str) -> bool:
    response = m.client(role).get("/sparql", params={"query": f"DESCRIBE <{BATTERY}>"},
                                  headers={"Accept": "application/n-triples"})
    return response.status_code == 200 and f"<{MARKERS[group]}>" in response.text


def from_view_graph(m: Matrix, role: str, group: str) -> bool:
    query = (f"SELECT ?o FROM <{_base(VIEW[group])}> "
             f"WHERE {{ <{BATTERY}> <{MARKERS[group]}> ?o }}")
    return bool(_rows(m.sparql(role, query)))


def graph_named_source(m: Matrix, role: str, group: str) -> bool:
    query = (f"SELECT ?o WHERE {{ GRAPH <{_base(SOURCE[group])}> "
             f"{{ <{BATTERY}> <{MARKERS[group]}> ?o }} }}")
    return bool(_rows(m.sparql(role, query)))


def from_named_any_graph(m: Matrix, role: str, group: str) -> bool:
    query = (f"SELECT ?o FROM NAMED <{_base(VIEW[group])}> FROM NAMED <{_base(SOURCE[group])}> "
             f"WHERE {{ GRAPH ?g {{ <{BATTERY}> <{MARKERS[group]}> ?o }} }}")
    return bool(_rows(m.sparql(role, query)))


def graph_variable(m: Matrix, role: str, group: str) -> bool:
    query = f"SELECT ?g WHERE {{ GRAPH ?g {{ <{BATTERY}> <{MARKERS[group]}> ?o }} }}"
    return bool(_rows(m.sparql(role, query)))


def property_path(m: Matrix, role: str, group: str) -> bool:
    query = (f"SELECT ?o WHERE {{ <{BATTERY}> (<{MARKERS[group]}>|<urn:none>)/^<urn:none>? ?o }}")
    return bool(_rows(m.sparql(role, query)))


def protocol_dataset(m: Matrix, role: str, group: str) -> bool:
    query = f"SELECT ?o WHERE {{ <{BATTERY}> <{MARKERS[group]}> ?o }}"
    return bool(_rows(m.sparql(role, query, **{"default-graph-uri": _base(VIEW[group])})))


def service_to_ourselves(m: Matrix, role: str, group: str) -> bool:
    query = (f"SELECT ?o WHERE {{ SERVICE <{m.server.sparql}> "
             f"{{ <{BATTERY}> <{MARKERS[group]}> ?o }} }}")
    return bool(_rows(m.sparql(role, query)))


def old_version(m: Matrix, role: str, group: str) -> bool:
    response = m.client(role).get(f"/batteries/{BID}/versions/1",
                                  headers={"Accept": "application/n-triples"})
    return response.status_code == 200 and f"<{MARKERS[group]}>" in response.text


def gsp_view_graph(m: Matrix, role: str, group: str) -> bool:
    response = m.client(role).get("/store", params={"graph": _base(VIEW[group])},
                                  headers={"Accept": "application/n-triples"})
    return response.status_code == 200 and f"<{MARKERS[group]}>" in response.text


def gsp_stage_graph(m: Matrix, role: str, group: str) -> bool:
    response = m.client(role).get("/store", params={"graph": _base(SOURCE[group])},
                                  headers={"Accept": "application/n-triples"})
    return response.status_code == 200 and f"<{MARKERS[group]}>" in response.text


def linked_data(m: Matrix, role: str, group: str) -> bool:
    response = m.client(role).get(f"/id/battery/{BID}", headers={"Accept": "application/n-triples"})
    return response.status_code == 200 and f"<{MARKERS[group]}>" in response.text


READ_PATHS: dict[str, Callable[[Matrix, str, str], bool]] = {
    "gsp-view-graph": gsp_view_graph,
    "gsp-stage-graph": gsp_stage_graph,
    "linked-data": linked_data,
    "sparql-select": select_default,
    "sparql-ask": ask_default,
    "sparql-construct": construct_default,
    "sparql-describe": describe_battery,
    "sparql-from-view": from_view_graph,
    "sparql-graph-source": graph_named_source,
    "sparql-from-named": from_named_any_graph,
    "sparql-graph-variable": graph_variable,
    "sparql-property-path": property_path,
    "sparql-protocol-dataset": protocol_dataset,
    "sparql-service-self": service_to_ourselves,
}
# Derived data is not part of passport versions; SERVICE is refused for everyone (no SSRF);
# per-battery source graphs are storage (one stage, all groups): only admins name them.
NOT_APPLICABLE = {("old-version", DERIVED), ("gsp-stage-graph", DERIVED)}
NEVER = {"sparql-service-self"}
ADMIN_ONLY = {"sparql-graph-source"}
READ_PATHS["old-version"] = old_version


@pytest.mark.parametrize("path", sorted(READ_PATHS))
def test_read_matrix(matrix: Matrix, path: str) -> None:
    leaks, denials = [], []
    for role in ROLES:
        for group in MARKERS:
            if (path, group) in NOT_APPLICABLE:
                continue
            visible = READ_PATHS[path](matrix, role, group)
            allowed = (group in EXPECTED_READS[role] and path not in NEVER
                       and (path not in ADMIN_ONLY or role == "admin"))
            if visible and not allowed:
                leaks.append(f"{role} sees {group}")
            if allowed and not visible:
                denials.append(f"{role} cannot see {group}")
    assert not leaks, f"{path}: leaks {leaks}"
    assert not denials, f"{path}: wrongful denials {denials}"


def test_update_is_admin_only(matrix: Matrix) -> None:
    # The matrix server runs with updates disabled; updates are refused for every role.
    for role in ROLES:
        response = matrix.client(role).post("/sparql", data={
            "update": "INSERT DATA { <urn:x> <urn:y> <urn:z> }"})
        assert response.status_code in (401, 403), (role, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_write_matrix(matrix: Matrix, role: str) -> None:
    store = matrix.server.services.store
    for stage, document in matrix.stage_documents.items():
        before = store.dump(RdfFormat.N_QUADS, graph=matrix.server.services.layout.source(
            BID, stage))
        audit_before = len(matrix.server.services.ingest.audit.records(BID, limit=5000))
        response = matrix.client(role).post(
            f"/passports?battery={BID}", content=document,
            headers={"Content-Type": "text/turtle"})
        if stage in EXPECTED_WRITES[role]:
            assert response.status_code in (200, 201), (role, stage, response.text)
        else:
            assert response.status_code in (401, 403), (role, stage, response.status_code)
            after = store.dump(RdfFormat.N_QUADS, graph=matrix.server.services.layout.source(
                BID, stage))
            assert after == before, (role, stage)
            if role != "public" or response.status_code == 403:
                records = matrix.server.services.ingest.audit.records(BID, limit=5000)
                assert len(records) == audit_before + 1, (role, stage)
                assert records[0]["outcome"] == "denied"


def test_every_group_is_really_present(matrix: Matrix) -> None:
    """Guards the matrix itself: each marker exists in the store, in its group's view."""
    services = matrix.server.services
    for group, predicate in MARKERS.items():
        view = services.layout.derived_view if group == DERIVED else services.layout.view(
            AccessGroup(group))
        assert (BATTERY, predicate, None) in services.store.graph(view), group
