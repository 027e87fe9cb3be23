"""The access matrix, table-driven: every principal x every access group x every read path, and
every role x every lifecycle stage x own/other battery x create/replace for writes. Expected
values are written out here from the EU Battery Regulation (Art. 77(2), Annex XIII), the access
policy of ontology/access-policy.ttl and docs/access.md - not read from the code under test. A new
read path is one entry in READ_PATHS.

Principals come in pairs where the policy binds legitimate interest to custody: ``oem`` is the
battery's manufacturer and ``oem-other`` another manufacturer; ``operator`` operates the battery
and ``operator-other`` operates others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph_service.model.graphs import AccessGroup, Stage
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.fleet.demo import demo_passport
from graph_service.services.passports.classify import classify
from graph_service.store.base import RdfFormat
from tests.conftest import LiveServer, make_settings, start_server
from tests.security.support import fresh_identifiers

MINTER = IriMinter("http://127.0.0.1:8000/")
BID = "BP-000001"
BATTERY = MINTER.battery(BID)
MANUFACTURER, OTHER_MANUFACTURER = "rheinvolt", "nordcell"
OPERATOR, OTHER_OPERATOR = "citybus", "gridstore"
# principal -> (role, organisation)
PRINCIPALS: dict[str, tuple[str, str | None]] = {
    "public": ("public", None),
    "oem": ("oem", MANUFACTURER),
    "oem-other": ("oem", OTHER_MANUFACTURER),
    "operator": ("operator", OPERATOR),
    "operator-other": ("operator", OTHER_OPERATOR),
    "repairer": ("repairer", "repairer-org"),
    "remanufacturer": ("remanufacturer", "remanufacturer-org"),
    "recycler": ("recycler", "recycler-org"),
    "researcher": ("researcher", "researcher-org"),
    "authority": ("authority", "authority-org"),
    "admin": ("admin", "admin-org"),
}
ROLES = list(PRINCIPALS)

# -- expected reads: which access groups each principal sees of battery BID ------------------
# Legitimate interest (Art. 77(2)(c)): repairers, remanufacturers, recyclers (purpose a) read
# every battery; the manufacturer and the operator (purpose b: the purchaser) read the batteries
# in their custody only; researchers by this service's policy; authorities (Art. 77(2)(b)).
PUBLIC, LEGIT, AUTHORITY, DERIVED = "public", "legitimate-interest", "authority", "derived"
EXPECTED_READS: dict[str, set[str]] = {
    "public": {PUBLIC},
    "oem": {PUBLIC, LEGIT, DERIVED},
    "oem-other": {PUBLIC},
    "operator": {PUBLIC, LEGIT, DERIVED},
    "operator-other": {PUBLIC},
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
# The same views as the custody partition of battery BID (manufacturer/operator): callers whose
# legitimate interest is bound to custody read these, never the whole views.
PARTITION = {
    PUBLIC: VIEW[PUBLIC], AUTHORITY: VIEW[AUTHORITY],
    LEGIT: f"graph/view/legitimate-interest/custody/{MANUFACTURER}/{OPERATOR}",
    DERIVED: f"graph/view/derived/custody/{MANUFACTURER}/{OPERATOR}",
}
CUSTODY_BOUND = {"oem", "oem-other", "operator", "operator-other"}
SOURCE = {
    PUBLIC: f"graph/battery/{BID}/identity", LEGIT: f"graph/battery/{BID}/design",
    AUTHORITY: f"graph/battery/{BID}/rated-performance", DERIVED: f"graph/battery/{BID}/derived",
}

# -- expected writes: which lifecycle stages each role writes --------------------------------
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
    stage_documents: dict[Stage, Graph]

    def client(self, principal: str) -> httpx.Client:
        return self.server.client(self.tokens[principal])

    def sparql(self, principal: str, query: str, **params: str) -> httpx.Response:
        return self.client(principal).get(
            "/sparql", params={"query": query, **params},
            headers={"Accept": "application/sparql-results+json"})


@pytest.fixture(scope="module")
def matrix() -> Iterator[Matrix]:
    with start_server(make_settings()) as server:
        # Callers' SPARQL runs in the query workers here: the matrix checks the datasets they get.
        assert server.services.sparql.isolation is not None
        passport = demo_passport(MINTER, 1)
        assert str(passport.value(BATTERY, DBP.manufacturer)).endswith("/" + MANUFACTURER)
        assert str(passport.value(BATTERY, DBP.operator)).endswith("/" + OPERATOR)
        tokens: dict[str, str | None] = {
            name: None if role == "public" else server.token(role, org)
            for name, (role, org) in PRINCIPALS.items()}
        response = server.client(tokens["admin"]).post(
            "/passports", content=passport.serialize(format="turtle").encode(),
            headers={"Content-Type": "text/turtle"})
        assert response.status_code == 201, response.text
        classes = classify(passport, server.services.ingest._annotations())
        documents: dict[Stage, Graph] = {}
        for triple, cls in classes.items():
            documents.setdefault(cls.stage, Graph()).add(triple)
        yield Matrix(server, tokens, documents)


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


def from_partition_graph(m: Matrix, role: str, group: str) -> bool:
    query = (f"SELECT ?o FROM <{_base(PARTITION[group])}> "
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


def gsp_partition_graph(m: Matrix, role: str, group: str) -> bool:
    response = m.client(role).get("/store", params={"graph": _base(PARTITION[group])},
                                  headers={"Accept": "application/n-triples"})
    return response.status_code == 200 and f"<{MARKERS[group]}>" in response.text


def version_authors(m: Matrix, role: str, group: str) -> bool:
    """Who wrote each passport version: shown with the battery's legitimate-interest data."""
    response = m.client(role).get(f"/batteries/{BID}/history")
    return response.status_code == 200 and bool(response.json()["versions"])


def lineage_status(m: Matrix, role: str, group: str) -> bool:
    """The lineage's battery-status facts (Annex XIII 4(c))."""
    response = m.sparql(role, f"ASK {{ <{BATTERY}> <{DBP.currentStatus}> ?s }}")
    return response.status_code == 200 and response.json()["boolean"]


def rest_derived(m: Matrix, role: str, group: str) -> bool:
    response = m.client(role).get(f"/batteries/{BID}/hazards")
    return response.status_code == 200 and bool(response.json().get("hazards"))


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
    "sparql-from-partition": from_partition_graph,
    "gsp-partition-graph": gsp_partition_graph,
    "old-version": old_version,
    "version-authors": version_authors,
    "lineage-status": lineage_status,
    "rest-derived": rest_derived,
}
# Derived data is not part of passport versions; SERVICE is refused for everyone (no SSRF);
# per-battery source graphs are storage (one stage, all groups): only admins name them.
NOT_APPLICABLE = {("old-version", DERIVED), ("gsp-stage-graph", DERIVED),
                  *((path, g) for path in ("version-authors", "lineage-status")
                    for g in (PUBLIC, AUTHORITY, DERIVED)),
                  *(("rest-derived", g) for g in (PUBLIC, LEGIT, AUTHORITY))}
NEVER = {"sparql-service-self"}
ADMIN_ONLY = {"sparql-graph-source"}
# Paths that name the whole legitimate-interest or derived view: callers whose interest is bound
# to custody read their partitions instead, so the whole views are never in their dataset.
WHOLE_VIEW = {"gsp-view-graph", "sparql-from-view", "sparql-protocol-dataset",
              "sparql-from-named"}
# Paths that name the battery's custody partition: read by the callers bound to custody (and
# admins, who name any graph); callers that read every battery read the whole views instead.
PARTITION_PATHS = {"gsp-partition-graph", "sparql-from-partition"}


@pytest.mark.parametrize("path", sorted(READ_PATHS))
def test_read_matrix(matrix: Matrix, path: str) -> None:
    leaks, denials = [], []
    for role in ROLES:
        for group in MARKERS:
            if (path, group) in NOT_APPLICABLE:
                continue
            visible = READ_PATHS[path](matrix, role, group)
            allowed = (group in EXPECTED_READS[role] and path not in NEVER
                       and (path not in ADMIN_ONLY or role == "admin")
                       and not (path in WHOLE_VIEW and role in CUSTODY_BOUND
                                and group in (LEGIT, DERIVED))
                       and not (path in PARTITION_PATHS and group in (LEGIT, DERIVED)
                                and role not in CUSTODY_BOUND | {"admin"}))
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


# -- writes: role x stage x own/other battery x create/replace --------------------------------
WRITTEN, FORBIDDEN = "written", "forbidden"
WRITERS = {"public": None, "oem": MANUFACTURER, "operator": OPERATOR,
           "repairer": "repairer-org", "remanufacturer": "remanufacturer-org",
           "recycler": "recycler-org", "researcher": "researcher-org",
           "authority": "authority-org", "admin": "admin-org"}
_created = iter(range(100, 1000))


def expected_write(role: str, stage: Stage, own: bool, create: bool) -> str:
    """The write rules of docs/access.md. Create: the document is a new battery's manufacturer
    stages (identity naming its manufacturer: the writer's organisation when ``own``, another
    one when not) plus the stage's data. Replace: the stage of battery BID, whose custody is
    (MANUFACTURER, OPERATOR); ``own`` = the writer's organisation holds that custody."""
    stages = CREATING_STAGES | {stage} if create else {stage}
    if not stages <= EXPECTED_WRITES[role]:
        return FORBIDDEN
    if role == "admin":
        return WRITTEN  # creates for any registered organisation, replaces anything
    if role == "oem":
        return WRITTEN if own else FORBIDDEN
    if role == "operator":
        # An operator is assigned by a transfer, so it never creates a battery.
        return WRITTEN if own and not create else FORBIDDEN
    return WRITTEN  # not bound to custody (repairers, recyclers...)


def _renamed(graph: Graph, old: URIRef, new: URIRef) -> Graph:
    out = Graph()
    for s, p, o in graph:
        s = URIRef(str(s).replace(str(old), str(new), 1)) if str(s).startswith(str(old)) else s
        o = URIRef(str(o).replace(str(old), str(new), 1)) \
            if isinstance(o, URIRef) and str(o).startswith(str(old)) else o
        out.add((s, p, o))
    return out


# A new battery's first document: the manufacturer's stages (which only validate together)
# plus the stage of the case.
CREATING_STAGES = {Stage.IDENTITY, Stage.DESIGN, Stage.MANUFACTURING, Stage.RATED_PERFORMANCE}


def _create_document(m: Matrix, stage: Stage, manufacturer: str) -> tuple[str, Graph]:
    bid = f"BP-{next(_created):06d}"
    new = MINTER.battery(bid)
    document = Graph()
    for part in CREATING_STAGES | {stage}:
        document += _renamed(m.stage_documents[part], BATTERY, new)
    document.remove((new, DBP.operator, None))  # an operator comes by transfer only
    document.set((new, DBP.manufacturer, MINTER.organisation(manufacturer)))
    for literal_property in (DBP.batteryId,):
        document.set((new, literal_property, type(document.value(new, literal_property))(bid)))
    # A new battery has identifiers of its own (another battery's are refused with 409).
    fresh_identifiers(document, new, bid)
    return bid, document


WRITE_CASES = [(role, stage, own, create) for role in WRITERS for stage in Stage
               for own in (True, False) for create in (False, True)
               if not (create and stage is Stage.END_OF_LIFE)]


def _writer_org(role: str, own: bool) -> str | None:
    if not own and role in ("oem", "operator"):
        return OTHER_MANUFACTURER if role == "oem" else OTHER_OPERATOR
    return WRITERS[role]


@pytest.mark.parametrize("role", list(WRITERS))
def test_write_matrix(matrix: Matrix, role: str) -> None:
    services = matrix.server.services
    store = services.store
    tokens = {own: None if role == "public" else matrix.server.token(role, _writer_org(role, own))
              for own in (True, False)}
    wrong = []
    for _, stage, own, create in (case for case in WRITE_CASES if case[0] == role):
        if stage not in matrix.stage_documents:
            continue
        if create:
            writer = _writer_org(role, own) if role in ("oem", "operator") else MANUFACTURER
            manufacturer = writer if own else next(
                m for m in (MANUFACTURER, OTHER_MANUFACTURER) if m != writer)
            bid, document = _create_document(matrix, stage, manufacturer)
        else:
            bid, document = BID, matrix.stage_documents[stage]
        audit = services.layout.audit
        before = (store.count(), store.count(audit),
                  [store.dump(RdfFormat.N_QUADS, graph=services.layout.source(bid, s))
                   for s in Stage])
        response = matrix.server.client(tokens[own]).post(
            f"/passports?battery={bid}", content=document.serialize(format="turtle").encode(),
            headers={"Content-Type": "text/turtle"})
        expected = expected_write(role, stage, own, create)
        case = f"{role} {'own' if own else 'other'} {'create' if create else 'replace'} {stage}"
        if expected == WRITTEN:
            if response.status_code not in ((201,) if create else (200,)):
                wrong.append(f"{case}: {response.status_code} {response.text[:200]}")
            elif create and services.custody.record(bid) is None:
                wrong.append(f"{case}: no custody record")
            continue
        if response.status_code not in (401, 403):
            wrong.append(f"{case}: {response.status_code} {response.text[:200]}")
            continue
        after = (store.count(), store.count(audit),
                 [store.dump(RdfFormat.N_QUADS, graph=services.layout.source(bid, s))
                  for s in Stage])
        # Nothing but the audit record of the refusal was added; the stage graphs are as before.
        if after[0] - before[0] != after[1] - before[1] or after[2] != before[2]:
            wrong.append(f"{case}: refused but the store changed")
        if role != "public":
            record = services.ingest.audit.records(bid, limit=1)
            if not record or record[0]["outcome"] != "denied":
                wrong.append(f"{case}: the refusal is not audited")
    assert not wrong, "\n".join(wrong)


def test_a_battery_created_by_an_oem_is_its_own(matrix: Matrix) -> None:
    """The creating OEM becomes the manufacturer, with no operator until a transfer."""
    bid, document = _create_document(matrix, Stage.IDENTITY, MANUFACTURER)
    with matrix.client("oem") as client:
        answer = client.post(f"/passports?battery={bid}",
                             content=document.serialize(format="turtle").encode(),
                             headers={"Content-Type": "text/turtle"})
    assert answer.status_code == 201, answer.text
    with matrix.client("public") as client:
        custody = client.get(f"/batteries/{bid}/custody").json()
    assert custody == {"battery": bid, "manufacturer": MANUFACTURER, "operator": None}


def test_a_stage_alone_cannot_create_a_battery(matrix: Matrix) -> None:
    """A battery without a custody record is created by its manufacturer or an admin only."""
    new = MINTER.battery("BP-000999")
    record = URIRef(f"{new}/service/1")
    document = Graph()
    document.add((new, DBP.hasServiceRecord, record))
    document.add((record, RDF.type, DBP.ServiceRecord))
    document.add((record, DBP.serviceType,
                  URIRef("https://w3id.org/dbp/vocab/service/inspection")))
    document.add((record, DBP.completedAt, Literal("2026-01-05T10:00:00Z",
                                                   datatype=XSD.dateTime)))
    with matrix.client("repairer") as client:
        answer = client.post("/passports?battery=BP-000999",
                             content=document.serialize(format="turtle").encode(),
                             headers={"Content-Type": "text/turtle"})
    assert answer.status_code == 403, answer.text
    assert matrix.server.services.custody.record("BP-000999") is None


def test_every_group_is_really_present(matrix: Matrix) -> None:
    """Guards the matrix itself: each marker exists in the store, in its group's view."""
    services = matrix.server.services
    for group, predicate in MARKERS.items():
        view = services.layout.derived_view if group == DERIVED else services.layout.view(
            AccessGroup(group))
        assert (BATTERY, predicate, None) in services.store.graph(view), group
