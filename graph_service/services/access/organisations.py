"""Organisation records: name, address, country... of ``{base}id/org/{id}``.

The rule: an organisation record is written only through ``PUT /organisations/{id}`` (or the
CLI), by an admin or by a principal of that organisation itself, audited. A passport may name an
organisation IRI as an object (``dbp:manufacturer``, ``dbp:supplier``...), but a passport triple
whose *subject* is one of our organisation IRIs is refused by ingest: a passport can never
change, nor add to, what everybody reads about an organisation. (A partner format that carries
organisation details maps them to nodes of the passport itself.)

Records hold public facts only (Annex VI Part A(1), DIN DKE SPEC 99100 6.1.2.3-4: the
organisation terms the ontology classifies as public) and are read by every caller.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from graph_service.model.answers import OrganisationAnswer
from graph_service.model.graphs import AccessGroup, GraphLayout
from graph_service.model.iris import IriMinter, check_identifier
from graph_service.model.namespaces import DBP
from graph_service.services.access import Principal, Role
from graph_service.services.history.audit import AuditTrail
from graph_service.services.passports.classify import TermAnnotations
from graph_service.services.passports.validation import Validator
from graph_service.services.sparql import Dataset
from graph_service.services.sparql.named_queries import NamedQueries
from graph_service.store.base import ChangeSet, GraphStore, QuadPattern

# Predicates that only name a node; every other predicate must be classified public.
_NAMING = frozenset({RDFS.label, SKOS.prefLabel, SKOS.altLabel})
# The names readers tell organisations apart by (on passports, pages, custody records).
_NAMES = frozenset({DBP.name, *_NAMING})


def _unreadable_text(text: str) -> str | None:
    """Why a name is refused as written: not in NFC (the same name would be stored in two
    spellings), or holding control or format characters."""
    if unicodedata.normalize("NFC", text) != text:
        return "not in Unicode normal form C; send it NFC-normalised"
    for position, char in enumerate(text):
        if unicodedata.category(char) in ("Cc", "Cf"):
            return (f"holds the invisible character U+{ord(char):04X} at position "
                    f"{position + 1}")
    return None


class OrganisationWriteForbidden(PermissionError):
    """Only an admin or the organisation itself writes an organisation record."""


class InvalidOrganisationRecord(ValueError):
    """The record holds something other than public facts about that organisation."""


class UnknownOrganisation(LookupError):
    """No record of this organisation is stored."""


@dataclass
class OrganisationWrite:
    organisation: str
    iri: URIRef
    created: bool
    triples: int

    def answer(self) -> OrganisationAnswer:
        return OrganisationAnswer(organisation=self.organisation, iri=str(self.iri),
                                  created=self.created, triples=self.triples)


class OrganisationRecords:
    def __init__(self, store: GraphStore, layout: GraphLayout, minter: IriMinter,
                 validator: Validator, audit: AuditTrail,
                 annotations: TermAnnotations) -> None:
        self.store = store
        self.layout = layout
        self.minter = minter
        self.validator = validator
        self.audit = audit
        self.annotations = annotations
        self.prefix = str(minter.organisation("x"))[:-1]

    def is_organisation_iri(self, term: Node) -> bool:
        return isinstance(term, URIRef) and str(term).startswith(self.prefix)

    # -- reads ---------------------------------------------------------------------------------
    def exists(self, organisation: str) -> bool:
        org = self.minter.organisation(check_identifier(organisation, "organisation id"))
        return NamedQueries(self.store).ask("organisation-exists", self._graph(), org=org)

    def records(self, organisations: Iterable[Node]) -> Graph:
        """The stored records of these organisation IRIs (validation context of a passport)."""
        named = sorted({o for o in organisations if self.is_organisation_iri(o)}, key=str)
        if not named:
            return Graph()
        # All of them in one query (a list binding), not one query per organisation.
        return NamedQueries(self.store).construct("organisation-records", self._graph(),
                                                  org=named)

    def _graph(self) -> Dataset:
        return Dataset(default_graph=(self.layout.organisations,), named_graphs=())

    # -- writes --------------------------------------------------------------------------------
    def put(self, organisation: str, data: Graph, principal: Principal) -> OrganisationWrite:
        """Replace one organisation's record (atomically, audited)."""
        org_id = check_identifier(organisation, "organisation id")
        iri = self.minter.organisation(org_id)
        if principal.role is not Role.ADMIN and principal.organisation != org_id:
            self.audit.write(self.audit.record(
                principal, "write-organisation", "denied", detail=f"organisation {org_id}"))
            raise OrganisationWriteForbidden(
                f"only an admin or a principal of organisation {org_id} writes its record")
        record = self.checked(org_id, data)
        created = not self.exists(org_id)
        changes = self.changes(org_id, record)
        audit = self.audit.record(principal, "write-organisation", "accepted",
                                  graphs=[self.layout.organisations],
                                  detail=f"organisation {org_id}")
        changes.insert.extend(audit.insert)
        self.store.apply(changes)
        return OrganisationWrite(org_id, iri, created, len(record))

    def checked(self, org_id: str, data: Graph) -> Graph:
        """The record to store: public facts about the organisation only, valid by the shapes."""
        iri = self.minter.organisation(org_id)
        problems = []
        for s, p, o in sorted(data, key=lambda t: tuple(str(x) for x in t)):
            if s != iri:
                problems.append(f"{s.n3()} {p.n3()} {o.n3()} (not about {iri})")
            elif isinstance(o, BNode):
                problems.append(f"{p.n3()} {o.n3()} (a blank node)")
            elif p == RDF.type:
                if o != DBP.Organisation:
                    problems.append(f"rdf:type {o.n3()} (only dbp:Organisation)")
            elif p == DBP.organisationId:
                if str(o) != org_id:
                    problems.append(f"dbp:organisationId {o.n3()} (the id is {org_id!r})")
            elif p not in _NAMING and self.annotations.groups.get(p) is not AccessGroup.PUBLIC:
                problems.append(f"{p.n3()} (not a public organisation term of the ontology)")
            elif p in _NAMES and isinstance(o, Literal) and (why := _unreadable_text(str(o))):
                problems.append(f"{p.n3()} {o.n3()} ({why})")
        if problems:
            raise InvalidOrganisationRecord(
                f"an organisation record holds public facts about {iri} only: "
                + "; ".join(problems[:20]))
        record = Graph()
        record += data
        record.add((iri, RDF.type, DBP.Organisation))
        record.set((iri, DBP.organisationId, Literal(org_id)))
        report = self.validator.validate(record, keep_report_graph=False)
        if not report.conforms:
            raise InvalidOrganisationRecord(
                "invalid organisation record: " + "; ".join(
                    f"{v.path or ''} {v.message}".strip() for v in report.errors[:20]))
        return record

    def changes(self, org_id: str, record: Graph) -> ChangeSet:
        iri = self.minter.organisation(org_id)
        graph = self.layout.organisations
        return ChangeSet(
            retract=[QuadPattern(graph, iri)],
            insert=[(s, p, o, graph) for s, p, o in record])


__all__ = [
    "InvalidOrganisationRecord",
    "OrganisationRecords",
    "OrganisationWrite",
    "OrganisationWriteForbidden",
    "UnknownOrganisation",
]
