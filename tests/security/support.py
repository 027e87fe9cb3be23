"""Helpers of the security regression tests: one demo passport split into per-stage documents,
written through the real server as the real roles would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from rdflib import Graph, Literal, URIRef

from graph_service.model.graphs import Stage
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.fleet.demo import MANUFACTURERS, OPERATORS, demo_passport
from graph_service.services.passports.classify import classify
from graph_service.store.base import RdfFormat
from tests.conftest import LiveServer

BASE = "http://127.0.0.1:8000/"
MINTER = IriMinter(BASE)
TURTLE = {"Content-Type": "text/turtle"}


@dataclass
class Fleet:
    """One stored demo battery, its stage documents and the organisations around it."""

    server: LiveServer
    battery_id: str
    battery: URIRef
    manufacturer: str
    operator: str
    stages: dict[Stage, Graph]

    def document(self, stage: Stage) -> Graph:
        copy = Graph()
        copy += self.stages[stage]
        return copy

    def other_manufacturer(self) -> str:
        return next(m[0] for m in MANUFACTURERS if m[0] != self.manufacturer)

    def other_operator(self) -> str:
        return next(o[0] for o in OPERATORS if o[0] != self.operator)

    def client(self, role: str, organisation: str | None = None) -> httpx.Client:
        if role == "public":
            return self.server.client()
        return self.server.client(self.server.token(role, organisation or f"{role}-org"))

    def post(self, client: httpx.Client, graph: Graph) -> httpx.Response:
        return client.post(f"/passports?battery={self.battery_id}",
                           content=graph.serialize(format="turtle").encode(), headers=TURTLE)

    def dump(self) -> bytes:
        """Every quad except the audit trail (which records denials on purpose) and the
        principals (tokens are issued while a test runs)."""
        layout = self.server.services.layout
        skipped = (f"<{layout.audit}>".encode(), f"<{layout.principals}>".encode())
        lines = self.server.services.store.dump(RdfFormat.N_QUADS).splitlines()
        return b"\n".join(sorted(line for line in lines
                                 if not any(graph in line for graph in skipped)))

    def last_audit(self) -> dict[str, str]:
        return self.server.services.ingest.audit.records(self.battery_id, limit=1)[0]


def fresh_identifiers(document: Graph, battery: URIRef, battery_id: str) -> Graph:
    """``document`` with the serial number and passport identifier of ``battery`` made its own
    (derived from ``battery_id``): identifiers that name another stored battery are refused."""
    serial = document.value(battery, DBP.serialNumber)
    if serial is not None:
        document.set((battery, DBP.serialNumber, Literal(f"SN-{battery_id}")))
    passport = document.value(battery, DBP.passportIdentifier)
    if passport is not None:
        document.set((battery, DBP.passportIdentifier,
                      Literal(f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, battery_id)}")))
    return document


def renamed(graph: Graph, old: URIRef, new: URIRef) -> Graph:
    """``graph`` with battery ``old`` and every node under it renamed to battery ``new``."""
    def rename(term):
        text = str(term)
        if isinstance(term, URIRef) and (text == str(old) or text.startswith(f"{old}/")):
            return URIRef(str(new) + text[len(str(old)):])
        return term

    out = Graph()
    for s, p, o in graph:
        out.add((rename(s), p, rename(o)))
    return out


def stored_demo_battery(server: LiveServer, index: int = 13) -> Fleet:
    """Demo battery ``index`` (13 has data of every stage but end of life) written by an
    admin; its documents split by lifecycle stage."""
    passport = demo_passport(MINTER, index)
    battery = MINTER.battery(f"BP-{index:06d}")
    manufacturer = passport.value(battery, DBP.manufacturer)
    operator = passport.value(battery, DBP.operator)
    admin = server.client(server.token("admin", "admin-org"))
    response = admin.post("/passports", content=passport.serialize(format="turtle").encode(),
                          headers=TURTLE)
    assert response.status_code == 201, response.text
    classes = classify(passport, server.services.ingest._annotations())
    stages: dict[Stage, Graph] = {}
    for triple, cls in classes.items():
        stages.setdefault(cls.stage, Graph()).add(triple)
    return Fleet(server, f"BP-{index:06d}", battery, str(manufacturer).rsplit("/", 1)[-1],
                 str(operator).rsplit("/", 1)[-1], stages)
