"""Ingest: parse -> normalise -> validate -> commit atomically; a failure changes nothing.

One code path for HTTP (``POST /passports``, ``POST /validate``) and the CLI (``dbp load``,
``dbp validate``).

Order of work: checks that need no document content come first (``admit``: may this caller
write at all, which limits hold for it), then everything that grows with the document runs
within those limits: parsing counts triples and blank nodes as it streams, blank-node labelling
has a work budget, SHACL sees at most the limited number of triples.

Normalisation:
* the passport's root battery gets our minted IRI (a partner's own IRI is kept as
  ``owl:sameAs``), blank nodes become IRIs under the battery (deterministic and bounded: see
  ``services/passports/skolemise.py``), so every stored node is addressable and re-submitting
  the same data changes nothing;
* JSON-LD contexts are resolved locally (see ``services/rdf/jsonld.py``).

Validation covers the incoming stages plus the battery's stored stages that are kept and the
records of the organisations the data names, i.e. the already-stored nodes the new data refers
to - never the whole store.

Trust: who manufactures and who operates a battery is its stored custody record
(``services/access/custody.py``), never the document. A document that names another
manufacturer or operator than the record is refused (a change is a transfer); a document that
describes one of our organisation IRIs, or uses a ``dbp:`` term the ontology does not define,
is refused before anything else is looked at.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

from graph_service.config import Settings
from graph_service.model.answers import IngestAnswer
from graph_service.model.graphs import AccessGroup, GraphLayout, Stage
from graph_service.model.iris import InvalidIdentifier, IriMinter, check_identifier
from graph_service.model.namespaces import DBP, SCHEMA
from graph_service.model.terms import BATTERY_CLASS, HAS_CONSTITUENT
from graph_service.services.access import OWNERSHIP_BOUND, Principal, Role
from graph_service.services.access.custody import Custody, CustodyRecords
from graph_service.services.access.datasets import readable_groups, reads_legitimate_interest
from graph_service.services.access.organisations import OrganisationRecords
from graph_service.services.access.policy import AccessPolicy
from graph_service.services.history.audit import AuditTrail, VersionHistory, content_hash
from graph_service.services.linked_data.gs1 import InvalidDigitalLink, normalise_gtin
from graph_service.services.passports import PassportRepository, StagedTriples
from graph_service.services.passports.classify import TermAnnotations, classify
from graph_service.services.passports.limits import (
    DocumentLimits,
    DocumentTooLarge,
    check_graph,
    limits_for,
)
from graph_service.services.passports.skolemise import skolemise
from graph_service.services.passports.validation import ValidationReport, Validator, Violation
from graph_service.services.rdf.jsonld import ContextResolver, JsonLdError, check_iris
from graph_service.services.sparql.named_queries import INTERNAL_QUERIES_DIR, Dataset, NamedQueries
from graph_service.store.base import (
    ChangeSet,
    GraphStore,
    ParseLimitExceeded,
    RdfFormat,
    UnsupportedFormat,
)
from graph_service.store.parsing import parse_rdf

Triple = tuple[Node, Node, Node]

# Literal properties that may carry the battery's identifier when its IRI is not ours.
IDENTIFIER_PROPERTIES = (DBP.batteryId, DBP.serialNumber, SCHEMA.serialNumber, SCHEMA.productID)
# The properties by which a document names a battery's custodians; where their object is one of
# our organisation IRIs it must agree with the custody record (only these ontology terms: no
# other predicate ever influences an access decision).
MANUFACTURER_PROPERTIES = (DBP.manufacturer, SCHEMA.manufacturer)
OPERATOR_PROPERTIES = (DBP.operator,)
CUSTODY_PATH = "POST /batteries/{id}/custody"
# Namespaces of terms, never of a battery's nodes: ours (dbp#, its vocabularies, parameters,
# Annex XIII items) and EMMO's with its domain ontologies (BattINFO).
SHARED_NAMESPACES = ("https://w3id.org/dbp#", "https://w3id.org/dbp/", "https://w3id.org/emmo")

INPUT_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/trig": RdfFormat.TRIG,
    "application/n-quads": RdfFormat.N_QUADS,
}


class PassportRejected(ValueError):
    """The document is well-formed RDF but cannot be a passport (no battery, two batteries...)."""


class IdentifierConflict(PassportRejected):
    """The document gives its battery an identifier another stored battery holds."""


def _refuse_statements_about(graph: Graph, refused: Callable[[Node], bool], why: str) -> None:
    """Refuse ``graph`` when a triple's subject is one it may not describe, listing them."""
    found = sorted((t for t in graph if refused(t[0])), key=lambda t: tuple(str(x) for x in t))
    if found:
        listed = "; ".join(" ".join(x.n3() for x in t) for t in found[:20])
        raise PassportRejected(f"{why}; refused triples ({len(found)}): {listed}")


def comparable_gtin(gtin: str) -> str:
    """A GTIN in its 14-digit form, as GS1 Digital Links compare them (``normalise_gtin``); an
    invalid one as written (SHACL reports it)."""
    try:
        return normalise_gtin(gtin)
    except InvalidDigitalLink:
        return gtin


class CustodyConflict(PermissionError):
    """The document names another manufacturer or operator than the custody record."""


class ValidationFailed(Exception):
    def __init__(self, result: IngestResult) -> None:
        super().__init__(f"{len(result.report.errors)} constraint violation(s)")
        self.result = result


@dataclass
class PreparedPassport:
    battery_id: str
    battery_iri: URIRef
    graph: Graph
    warnings: list[str] = field(default_factory=list)
    # submitted node -> stored IRI: the root (-> the battery IRI) and every blank node
    renamed: dict[Node, URIRef] = field(default_factory=dict)


@dataclass
class IngestResult:
    battery_id: str
    battery_iri: URIRef
    report: ValidationReport
    stages: list[Stage] = field(default_factory=list)
    triples: int = 0
    created: bool = False
    committed: bool = False
    version: int | None = None
    warnings: list[str] = field(default_factory=list)

    def answer(self) -> IngestAnswer:
        """What POST /passports and /validate answer."""
        return IngestAnswer(
            battery=self.battery_id, iri=str(self.battery_iri), conforms=self.report.conforms,
            committed=self.committed, version=self.version, created=self.created,
            stages=[s.value for s in self.stages], triples=self.triples,
            warnings=self.warnings + [v.message for v in self.report.warnings],
            violations=[v.answer() for v in self.report.violations])

    def summary(self) -> dict:
        return self.answer().model_dump()


# A step that adds its changes to a passport write's one atomic update. Called with the battery
# id, the validated passport (the document, the stored stages it keeps and the organisation
# records it names), the stages being written split by access group, and the battery's custody
# (None while unassigned). Returns None when it has nothing to add.
FollowUp = Callable[[str, Graph, StagedTriples, Custody | None], ChangeSet | None]


class IngestService:
    def __init__(
        self,
        store: GraphStore,
        layout: GraphLayout,
        minter: IriMinter,
        settings: Settings,
        validator: Validator,
        repository: PassportRepository,
        annotations: Callable[[], TermAnnotations],
        custody: CustodyRecords | None = None,
        organisations: OrganisationRecords | None = None,
        follow_ups: Sequence[FollowUp] = (),
        policy: AccessPolicy | None = None,
    ) -> None:
        self.store = store
        self.layout = layout
        self.minter = minter
        self.settings = settings
        self.validator = validator
        self.repository = repository
        self._annotations = annotations
        self._contexts = ContextResolver(settings.ontology_dir, settings.base_iri)
        # Re-entrant: a partial document holds it from the merge to the commit.
        self._write_lock = threading.RLock()
        self._deprecated: frozenset[URIRef] | None = None
        self._defined: frozenset[URIRef] | None = None
        self._shared: frozenset[URIRef] | None = None
        # The steps that join every passport write's atomic update, in order (composed in
        # graph_service/container.py: lineage, then the battery's derivation).
        self.follow_ups = tuple(follow_ups)
        # Which stored data of a battery a caller reads: a validation report shown to it names
        # nothing else (docs/access.md, "Validation reports").
        self.policy = policy or AccessPolicy.load(settings.access_policy_file)
        self.audit = AuditTrail(store, layout, minter)
        self.history = VersionHistory(store, layout, minter)
        self.custody = custody or CustodyRecords(store, layout, minter)
        self.organisations = organisations or OrganisationRecords(
            store, layout, minter, validator, self.audit, annotations())
        self.write_lock = self._write_lock

    # -- admission ----------------------------------------------------------------------------
    def admit(
        self,
        principal: Principal,
        *,
        dry_run: bool,
        battery_id: str | None = None,
        stages: Iterable[Stage] = (),
        operation: str | None = None,
    ) -> DocumentLimits:
        """The checks that need no document content, before the body is even read: a write by
        a principal that may write no stage (or not the named ``stages``) is refused and
        audited here. Returns the limits the document must then keep."""
        if not dry_run:
            named = list(stages)
            forbidden = sorted(s.value for s in (named or Stage) if not principal.may_write(s))
            if forbidden and (named or len(forbidden) == len(Stage)):
                bid = _valid_id(battery_id)
                self.audit.write(self.audit.record(
                    principal, operation or "write-passport", "denied", battery_id=bid,
                    detail=f"stages not permitted: {', '.join(forbidden)}"))
                raise StageNotPermitted(forbidden if named else [],
                                        role=principal.role.value)
        return limits_for(principal, self.settings)

    # -- parsing -------------------------------------------------------------------------------
    def parse(self, body: bytes, media_type: str, limits: DocumentLimits | None = None,
              served_context: str | None = None) -> tuple[Graph, list[str]]:
        """``served_context``: where the caller reached our JSON-LD context (the context our
        answers name), so that a document the service wrote can be sent back as it is."""
        key = media_type.split(";", 1)[0].strip().lower()
        fmt = INPUT_TYPES.get(key)
        if fmt is None:
            raise UnsupportedFormat(
                f"Content-Type {key or '(none)'} is not accepted; send one of "
                f"{', '.join(sorted(INPUT_TYPES))}"
            )
        warnings: list[str] = []
        if fmt is RdfFormat.JSON_LD:
            prepared = self._contexts.prepare(
                body, plain_json=key == "application/json",
                max_depth=limits.max_json_depth if limits else None,
                served_context=served_context)
            warnings.extend(prepared.warnings)
            check_iris(prepared.document, self.settings.base_iri)
            body = prepared.to_bytes()
        try:
            graph = parse_rdf(body, fmt, base_iri=self.settings.base_iri,
                              max_triples=limits.max_triples if limits else None,
                              max_blank_nodes=limits.max_blank_nodes if limits else None)
        except ParseLimitExceeded as exc:
            assert limits is not None
            raise DocumentTooLarge(exc.what, exc.limit, limits) from None
        return graph, warnings

    # -- normalisation -------------------------------------------------------------------------
    def _battery_types(self, graph: Graph) -> set[Node]:
        typed = [(s, o) for s, o in graph.subject_objects(RDF.type) if isinstance(o, URIRef)]
        supers = self.validator.superclasses(o for _, o in typed)
        return {s for s, o in typed if BATTERY_CLASS in supers[o]}

    def _find_root(self, graph: Graph, battery_id: str | None) -> tuple[str, Node | None]:
        batteries = self._battery_types(graph)
        # A part is never a root, even when the document (one stage of a passport) does not
        # repeat the type of the pack that has it.
        constituents = set(graph.objects(None, HAS_CONSTITUENT))
        roots = sorted(batteries - constituents, key=str)
        if len(roots) > 1:
            raise PassportRejected(
                f"the document describes {len(roots)} separate batteries "
                f"({', '.join(str(r) for r in roots[:5])}); send one passport per request"
            )
        root = roots[0] if roots else None
        if battery_id is not None:
            return check_identifier(battery_id, "battery id"), root
        if root is not None:
            minted = self.minter.battery_id_of(str(root)) if isinstance(root, URIRef) else None
            if minted is not None and str(root) == str(self.minter.battery(minted)):
                return minted, root
            for prop in IDENTIFIER_PROPERTIES:
                value = graph.value(root, prop)
                if isinstance(value, Literal):
                    return check_identifier(str(value), "battery id"), root
            raise PassportRejected(
                f"cannot tell which battery {root.n3()} is: give it an IRI under "
                f"{self.minter.battery('ID')[:-2]}, a dbp:batteryId, or pass ?battery=ID"
            )
        ids = {
            bid for s in graph.subjects() if isinstance(s, URIRef)
            if (bid := self.minter.battery_id_of(str(s)))
        }
        if len(ids) == 1:
            return ids.pop(), None
        raise PassportRejected(
            "the document names no battery: type the pack with a BattINFO battery class "
            "(e.g. BattINFO BatteryPack) or pass ?battery=ID"
        )

    def normalise(self, graph: Graph, battery_id: str | None,
                  budget: int | None = None) -> PreparedPassport:
        bid, root = self._find_root(graph, battery_id)
        battery_iri = self.minter.battery(bid)
        warnings: list[str] = []
        work = graph
        if root is not None and root != battery_iri:
            work = Graph()
            for s, p, o in graph:
                work.add((battery_iri if s == root else s, p, battery_iri if o == root else o))
            if isinstance(root, URIRef):
                work.add((battery_iri, OWL.sameAs, root))
        result, skolem = skolemise(work, lambda suffix: self.minter.part(bid, "node", suffix),
                                   budget or self.settings.ingest_normalise_budget)
        # Which battery or record a node belongs to is read from its IRI: another spelling of
        # one of ours (BP%2D000013 for BP-000013, HTTP:// for http://) would escape those checks.
        unminted = sorted({
            f"<{term}>: {why}" for triple in result for term in triple
            if isinstance(term, URIRef) and (why := self.minter.unminted_spelling(str(term)))})
        if unminted:
            raise PassportRejected(
                f"IRIs under {self.minter.base} in a form the service never mints: "
                + "; ".join(unminted[:10]))
        # A node of another battery is that battery's passport's, as subject *and* as object:
        # "<ours> hasUsageRecord <theirs/usage/1>" would make another organisation's record,
        # part or battery one of ours for every reader and every validation of this battery.
        foreign: dict[str, list[str]] = {}
        for s, p, o in result:
            for term in (s, o):
                other = (self.minter.battery_id_of(str(term)) if isinstance(term, URIRef)
                         else None)
                if other and other != bid:
                    foreign.setdefault(other, []).append(
                        f"{s.n3()} {p.n3()} {o.n3()}")
                    break
        if foreign:
            examples = sorted(t for triples in foreign.values() for t in triples)
            raise PassportRejected(
                f"the passport of battery {bid} cannot describe or name nodes of battery "
                f"{', '.join(sorted(foreign))} ({'; '.join(examples[:5])}"
                f"{'; ...' if len(examples) > 5 else ''}): a passport states facts about its "
                "own battery only; submit those separately"
            )
        mentioned = (battery_iri, None, None) in result or (None, None, battery_iri) in result
        if root is None and not mentioned:
            raise PassportRejected(f"the document says nothing about battery {bid}")
        warnings.extend(self._deprecation_warnings(result))
        renamed: dict[Node, URIRef] = dict(skolem.labels)
        if root is not None and root != battery_iri:
            renamed[root] = battery_iri
        return PreparedPassport(bid, battery_iri, result, warnings, renamed)

    def _deprecation_warnings(self, graph: Graph) -> list[str]:
        if self._deprecated is None:
            rows = NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR).select(
                "deprecated-terms", Dataset(
                    default_graph=(self.layout.reference, self.layout.ontology), named_graphs=()))
            self._deprecated = frozenset(row["t"] for row in rows)  # type: ignore[misc]
        used = {t for triple in graph for t in triple if isinstance(t, URIRef)}
        return [
            f"{term} is deprecated upstream (owl:deprecated); it is stored as sent, but prefer "
            "its replacement"
            for term in sorted(used & self._deprecated)
        ]

    def _defined_terms(self) -> frozenset[URIRef]:
        if self._defined is None:
            rows = NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR).select(
                "dbp-defined-terms", Dataset(default_graph=(self.layout.ontology,),
                                             named_graphs=()))
            self._defined = frozenset(row["t"] for row in rows)  # type: ignore[misc]
        return self._defined

    def _shared_terms(self) -> frozenset[URIRef]:
        if self._shared is None:
            rows = NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR).select(
                "shared-terms", Dataset(default_graph=(
                    self.layout.ontology, self.layout.reference, self.layout.parameters),
                    named_graphs=()))
            self._shared = frozenset(row["t"] for row in rows)  # type: ignore[misc]
        return self._shared

    def _is_shared_term(self, subject: Node) -> bool:
        """A term every battery shares: one the ontology, the reference ontologies or the rule
        parameters describe (stored facts), or any IRI of the ontologies' namespaces (also
        where a deployment runs without the reference ontologies), or a record the service
        keeps (lineage, rules, statistics, audit, principals)."""
        if not isinstance(subject, URIRef):
            return False
        return (str(subject).startswith(SHARED_NAMESPACES)
                or self.minter.record_kind_of(str(subject)) is not None
                or subject in self._shared_terms())

    def refuse_foreign_statements(self, graph: Graph) -> None:
        """A passport states facts about its battery only: never about one of our organisations
        (their records have their own endpoint), never about a term every battery shares (an
        ontology class, a vocabulary concept, a rule parameter) or a record the service keeps
        (another passport's lineage, a rule), never with a term of our namespace that the
        ontology does not define (such a term has no classification and must not reach any
        decision). Cheap set lookups, so they run before any permission or validation work."""
        _refuse_statements_about(
            graph, self.organisations.is_organisation_iri,
            "a passport cannot describe organisations: organisation records are written with "
            "PUT /organisations/{id} by an admin or that organisation (a passport may only name "
            "them as objects)")
        _refuse_statements_about(
            graph, self._is_shared_term,
            "a passport cannot state facts about terms every battery shares (ontology classes "
            "and properties, vocabulary concepts, rule parameters) or about the records the "
            "service keeps (passport lineage, rules, statistics): it may only name them as "
            "objects")
        ours = str(DBP)
        undefined = sorted({
            term for triple in graph for term in triple
            if isinstance(term, URIRef) and str(term).startswith(ours)
        } - self._defined_terms(), key=str)
        if undefined:
            raise PassportRejected(
                "terms of the dbp: namespace that the ontology does not define: "
                + ", ".join(str(t) for t in undefined[:20]))

    def refuse_shared_nodes_of_others(self, principal: Principal, battery_id: str,
                                      data: Graph) -> None:
        """A node that is no battery's - a supply-chain site the demo names under
        ``{base}id/site/...``, or a partner's own IRI for a plant - is described in the passports
        that name it. Who may state facts about it is decided from stored facts: once the
        passports of other batteries describe it, only a writer of a battery whose passport
        describes it already (with something of its own), an organisation holding custody
        (manufacturer or operator) of one of those batteries, or an admin may; anyone else may
        name it as an object, or restate word for word what those passports say (two
        manufacturers buying from one mine), only (a stranger's passport would otherwise give
        the site a second name). Every question is one the engine answers over all the
        passports describing the node, however many (a plant named by a whole fleet): index
        look-ups for statements, one join with the custody graph for the holders."""
        if principal.role is Role.ADMIN:
            return
        nodes = sorted({s for s in data.subjects() if isinstance(s, URIRef)
                        and self.minter.battery_id_of(str(s)) is None
                        and self.minter.record_kind_of(str(s)) is None}, key=str)
        if not nodes:
            return
        queries = NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR)
        everything = Dataset(default_graph=(), named_graphs=(), all_named=True)
        battery_graphs = f"{self.layout.base}graph/battery/"
        # Every binding a one-term list: a VALUES block (substitution needs projected variables).
        scope = {"batteryGraphs": [Literal(battery_graphs)],
                 "ownGraphs": [Literal(f"{battery_graphs}{battery_id}/")]}
        own_graphs = [*self.layout.sources(battery_id), self.layout.derived(battery_id),
                      self.layout.lineage_source(battery_id)]
        refused: list[str] = []
        for node in nodes:
            describers = queries.select("shared-node-describers", everything, limit=6, s=[node],
                                        **scope)
            if not describers:
                continue  # no other battery describes it: this passport's own node

            def said_elsewhere(statement: tuple[Node, Node], node: URIRef = node) -> bool:
                return queries.ask("shared-node-statement-elsewhere", everything, s=[node],
                                   p=[statement[0]], o=[statement[1]], **scope)

            if all(said_elsewhere(statement) for statement in data.predicate_objects(node)):
                continue  # nothing the other passports do not say
            # This battery's passport describing the node already counts only when it said
            # something the others do not: a passport that restated them word for word
            # (allowed above) must not become a way to add a second name afterwards.
            stored = queries.select("statements-in-graphs", everything, s=[node],
                                   g=own_graphs)
            if any(not said_elsewhere((row["p"], row["o"])) for row in stored):
                continue
            if principal.organisation is not None and queries.ask(
                    "shared-node-held-by", everything, s=[node],
                    batteries=[Literal(f"{self.minter.base}id/battery/")],
                    custody=[self.layout.custody],
                    organisation=[self.minter.organisation(principal.organisation)], **scope):
                continue  # a describer's organisation
            # Which batteries describe the node is their passports' data: named only where
            # the caller reads it (the description is no public data).
            others = sorted({str(row["g"])[len(battery_graphs):].split("/", 1)[0]
                             for row in describers})
            readable = [other for other in others if reads_legitimate_interest(
                principal, self.custody.record(other), self.policy)]
            # Six graphs asked for: a sixth says there may be more.
            listed = ", ".join(readable[:5]) + (" ..." if len(describers) > 5 else "")
            hidden = len(readable) < len(others)
            refused.append(f"<{node}> (described by " + (
                f"the passports of {listed}" if readable else "") + (
                " and " if readable and hidden else "") + (
                "passports this caller may not read" if hidden else "") + ")")
        if refused:
            raise PassportRejected(
                "a passport may state facts about a shared node (a site) only when its "
                "organisation holds a battery whose passport describes it; name it as an "
                "object, or state only what those passports already say, or ask an admin to "
                "change its description: "
                + "; ".join(refused[:20]))

    def refuse_identifiers_of_other_batteries(self, battery: URIRef, data: Graph) -> None:
        """A passport identifier (Art. 77(3)) or a GTIN and serial number (the battery's GS1
        Digital Link) names one battery: a write giving a battery one that another stored battery
        holds is refused, whoever writes it (it would make the other battery's QR code and
        passport link ambiguous). Decided from the stored public view, not the document."""
        queries = NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR)
        public = Dataset(default_graph=(self.layout.view(AccessGroup.PUBLIC),),
                         named_graphs=())
        held: list[str] = []
        for value in sorted(data.objects(battery, DBP.passportIdentifier), key=str):
            for row in queries.select("batteries-by-passport-identifier", public, value=value):
                if row["battery"] != battery:
                    held.append(f"passport identifier {str(value)!r} is that of "
                                f"{self._battery_named(row['battery'])}")
        gtins = {comparable_gtin(str(g)) for g in data.objects(battery, DBP.gtin)}
        for serial in sorted(data.objects(battery, DBP.serialNumber), key=str) if gtins else ():
            for row in queries.select("batteries-by-serial-number", public, serial=serial):
                if row["battery"] != battery and comparable_gtin(str(row["gtin"])) in gtins:
                    held.append(f"GTIN {row['gtin']} with serial number {str(serial)!r} is "
                                f"that of {self._battery_named(row['battery'])}")
        if held:
            raise IdentifierConflict(
                "identifiers that name another battery: " + "; ".join(sorted(set(held))[:10])
                + " (correct the document, or write to that battery)")

    @staticmethod
    def identifier_keys(battery: URIRef, data: Graph) -> set[str]:
        """The identifiers of ``battery`` that name one battery, as comparable keys (bulk
        imports check them among the passports of one batch, none of them stored yet)."""
        keys = {f"passport identifier {str(v)!r}"
                for v in data.objects(battery, DBP.passportIdentifier)}
        keys.update(f"GTIN {comparable_gtin(str(g))} with serial number {str(s)!r}"
                    for g in data.objects(battery, DBP.gtin)
                    for s in data.objects(battery, DBP.serialNumber))
        return keys

    def _battery_named(self, iri: object) -> str:
        other = self.minter.battery_id_of(str(iri))
        return f"battery {other}" if other else f"the node {iri}"

    # -- the pipeline --------------------------------------------------------------------------
    def submit(
        self,
        body: bytes,
        media_type: str,
        *,
        principal: Principal,
        battery_id: str | None = None,
        dry_run: bool = False,
        limits: DocumentLimits | None = None,
        served_context: str | None = None,
    ) -> IngestResult:
        """Parse and submit one document. ``limits``: from :meth:`admit`, when the caller
        admitted the request already (before reading its body); else admitted here.
        ``served_context``: see :meth:`parse`."""
        if limits is None:
            limits = self.admit(principal, dry_run=dry_run, battery_id=battery_id)
        graph, warnings = self.parse(body, media_type, limits, served_context)
        return self.submit_graph(graph, principal=principal, battery_id=battery_id,
                                 dry_run=dry_run, warnings=warnings, limits=limits)

    def submit_graph(
        self,
        graph: Graph,
        *,
        principal: Principal,
        battery_id: str | None = None,
        dry_run: bool = False,
        warnings: list[str] | None = None,
        only_stage: Stage | None = None,
        clear_stages: Iterable[Stage] = (),
        limits: DocumentLimits | None = None,
        replaces: Callable[[Triple], bool] | None = None,
    ) -> IngestResult:
        """Validate and commit one battery's data.

        ``only_stage``: the document must hold data of that lifecycle stage only (the Graph Store
        Protocol writes one stage graph). ``clear_stages``: stages that the write empties (a
        DELETE, or a PUT of an empty graph); they are permission-checked like any other.
        ``replaces``: the document is part of a passport (one Battery Pass aspect): it replaces
        only the stored triples this selects, the rest of the passport is kept; the stages whose
        content changes are written (and permission-checked), the others are untouched."""
        clear = list(clear_stages)
        if limits is None:
            limits = self.admit(principal, dry_run=dry_run, battery_id=battery_id,
                                stages=[only_stage] if only_stage else ())
        # Mapped imports and merged Graph Store writes were not counted while parsed.
        check_graph(graph, limits)
        if len(graph) == 0 and not clear:
            raise PassportRejected("the document holds no triples")
        if len(graph) == 0:
            if battery_id is None:
                raise PassportRejected("say which battery's data to remove")
            bid = check_identifier(battery_id, "battery id")
            prepared = PreparedPassport(bid, self.minter.battery(bid), Graph())
        else:
            prepared = self.normalise(graph, battery_id, limits.normalise_budget)
        self.refuse_foreign_statements(prepared.graph)
        if replaces is None or dry_run:
            return self._decide_and_commit(prepared, principal=principal, dry_run=dry_run,
                                           warnings=warnings, only_stage=only_stage,
                                           clear=clear, replaces=replaces)
        # A partial document is merged with the stored passport: read and commit under one
        # lock, else a write between the two is lost (its stage rewritten from the older read).
        with self._write_lock:
            return self._decide_and_commit(prepared, principal=principal, dry_run=dry_run,
                                           warnings=warnings, only_stage=only_stage,
                                           clear=clear, replaces=replaces)

    def _decide_and_commit(self, prepared: PreparedPassport, *, principal: Principal,
                           dry_run: bool, warnings: list[str] | None,
                           only_stage: Stage | None, clear: list[Stage],
                           replaces: Callable[[Triple], bool] | None) -> IngestResult:
        """Merge (a partial document), classify, check permissions, validate and commit."""
        bid = prepared.battery_id
        incoming = prepared
        if replaces is not None:
            # A dry run merges the stored data the caller reads, and nothing else.
            prepared, clear = self._merged(prepared, replaces, clear, readable_groups(
                principal, self.custody.record(bid), self.policy) if dry_run else None)
        classification = classify(prepared.graph, self._annotations())
        staged: dict[Stage, dict[AccessGroup, list[Triple]]] = {stage: {} for stage in clear}
        for triple, cls in classification.items():
            staged.setdefault(cls.stage, {}).setdefault(cls.group, []).append(triple)
        if only_stage is not None:
            others = sorted({s.value for s in staged} - {only_stage.value})
            if others:
                raise PassportRejected(
                    f"this graph holds {only_stage.value} data only, but the document also "
                    f"has {', '.join(others)} data; write those to their own stage graphs")
        if replaces is not None:
            # Only the stages the partial document changes are written and need permission
            # (an operator's dynamic data must not need the right to write the identity).
            stored_now = self.repository.stored_stages(bid)
            staged = {stage: by_group for stage, by_group in staged.items()
                      if not self._stage_unchanged(bid, stage, by_group, stored_now)}
        digest = content_hash(prepared.graph)
        operation = "validate" if dry_run else "write-passport"
        # A dry run writes nothing, so anyone may validate; permissions apply to writes.
        # Recording that a document was received (services/interop/provenance.py) is the
        # service's bookkeeping, not data of the stage it is kept in.
        forbidden = [] if dry_run else sorted(
            s.value for s, by_group in staged.items() if not principal.may_write(s)
            and not (replaces is not None and self._only_receipt_changes(
                bid, s, by_group)))
        if forbidden:
            self.audit.write(self.audit.record(
                principal, operation, "denied", battery_id=bid, digest=digest,
                detail=f"stages not permitted: {', '.join(forbidden)}"))
            raise StageNotPermitted(forbidden)

        with self._write_lock:
            stored = self.repository.stored_stages(bid)
            kept = Graph()
            for stage in stored:
                if stage not in staged:
                    kept += self.store.graph(self.layout.source(bid, stage))
            record = self.custody.record(bid)
            custody, creating = record, False
            if not dry_run:
                try:
                    custody, creating = self._custody_after(principal, bid, prepared.graph,
                                                            record, stored)
                except PermissionError as refusal:
                    self.audit.write(self.audit.record(
                        principal, operation, "denied", battery_id=bid, digest=digest,
                        detail=str(refusal)))
                    raise
            self.refuse_identifiers_of_other_batteries(prepared.battery_iri,
                                                       prepared.graph + kept)
            if not dry_run:
                # Who may describe a shared node is a permission, decided for writes (as the
                # stages and custody are): a dry run would answer it from other batteries'
                # passports to any caller.
                self.refuse_shared_nodes_of_others(principal, bid, prepared.graph)
            groups = readable_groups(principal, record, self.policy)
            full = groups >= set(AccessGroup)
            others = [stage for stage in stored if stage not in staged]
            # A dry run decides nothing: it validates against the stored data the caller reads.
            # A write is decided over everything stored; the report shown names only what the
            # caller reads (a refusal caused by the rest says so, without naming it).
            context = self._validation_context(prepared.graph, kept if full or not dry_run
                                               else self._readable_stored(bid, others, groups))
            report = self.validator.validate(context)
            if not report.conforms and not dry_run and not full:
                # A partial document was merged with everything stored: merge it again with
                # what the caller reads, for the report it is shown.
                shown = prepared.graph if replaces is None else self._merged(
                    incoming, replaces, [], groups)[0].graph
                report = self._readable_report(
                    bid, prepared.battery_iri, report, self.validator.validate(
                        self._validation_context(shown,
                                                 self._readable_stored(bid, others, groups))))
            left_out = dry_run and not full and bool(stored)
            result = IngestResult(
                battery_id=bid,
                battery_iri=prepared.battery_iri,
                report=report,
                stages=sorted(staged, key=list(Stage).index),
                triples=len(prepared.graph),
                created=not stored,
                warnings=[*(warnings or []), *prepared.warnings],
            )
            if left_out:
                result.warnings.append(
                    f"validated with the stored data of battery {bid} that this caller reads "
                    f"({', '.join(sorted(g.value for g in groups))}); any other stored data was "
                    "left out, so a write by a principal who reads it may be judged differently")
            if not report.conforms:
                # Invalid data changes nothing at all - not even the audit trail, which records
                # accepted writes and denied (forbidden) attempts; the caller gets the report.
                raise ValidationFailed(result)
            if dry_run:
                return result
            if creating and custody is not None:
                # (After validation: its report names an unregistered organisation more
                # precisely, where a shape requires a dbp:Organisation.)
                self._require_registered(custody)
            # Only stages whose content differs are written and versioned: re-sending a whole
            # passport with one changed field makes a version of that field's stage alone.
            staged = {stage: by_group for stage, by_group in staged.items()
                      if not self._stage_unchanged(bid, stage, by_group, stored)}
            if not staged and not creating:
                # Re-submitting identical data is a no-op: no new version, no write.
                result.version = self.history.next_number(bid) - 1
                result.warnings.append(
                    "the data is identical to the stored passport data; nothing was written")
                return result
            changes = self.repository.stage_changes(bid, staged, custody)
            if creating and custody is not None:
                changes.extend(self.custody.changes(bid, custody))
            version_changes, number = self.history.version_changes(
                bid, staged, principal, self.audit.principal_iri(principal))
            changes.extend(version_changes)
            changes.extend(self.audit.record(
                principal, operation, "accepted", battery_id=bid, digest=digest,
                graphs=[self.layout.source(bid, stage) for stage in staged]))
            for follow_up in self.follow_ups:
                more = follow_up(bid, context, staged, custody)
                if more is not None:
                    changes.extend(more)
            self.store.apply(changes)
            if creating:
                self.custody.applied()
            result.committed = True
            result.version = number
            return result

    def _validation_context(self, incoming: Graph, stored: Graph) -> Graph:
        context = Graph()
        context += incoming
        context += stored
        context += self.organisations.records(
            o for _, _, o in context if isinstance(o, URIRef))
        return context

    def _readable_stored(self, battery_id: str, stages: list[Stage],
                         groups: frozenset[AccessGroup]) -> Graph:
        """The battery's stored data of ``stages`` that a caller reading ``groups`` reads (the
        access views holding each triple decide, as for every read)."""
        out = Graph()
        for group, parts in self.repository.stored_data_by_group(battery_id, stages).items():
            if group is not None and group in groups:
                for part in parts:
                    out.parse(data=part, format="nt")
        return out

    @staticmethod
    def _readable_report(battery_id: str, battery: URIRef, full: ValidationReport,
                         readable: ValidationReport) -> ValidationReport:
        """The report of a refused write as its caller may see it: the violations of ``full``
        (the document and everything stored) that the document and the stored data the caller
        reads give as well (``readable``); the others are one entry saying that stored data it
        may not read conflicts, naming none of it."""
        def key(v: Violation) -> tuple:
            return (v.focus_node, v.path, v.value, v.constraint, v.source_shape, v.severity)

        seen = {key(v) for v in readable.violations}
        shown = [v for v in full.violations if key(v) in seen]
        if any(key(v) not in seen and v.severity == "Violation" for v in full.violations):
            shown.append(Violation(
                focus_node=str(battery), path=None, value=None,
                message=(f"the document conflicts with stored data of battery {battery_id} "
                         "that this caller may not read; ask a principal who reads it, or an "
                         "admin"),
                severity="Violation", source_shape=None, constraint=None))
        return ValidationReport(conforms=False, violations=shown)

    def _merged(self, prepared: PreparedPassport, replaces: Callable[[Triple], bool],
                clear: list[Stage], groups: frozenset[AccessGroup] | None = None,
                ) -> tuple[PreparedPassport, list[Stage]]:
        """The whole passport after a partial document: what is stored, less what the document
        replaces, plus the document. Every stored stage is rewritten (clear) or kept unchanged
        (``_stage_unchanged`` drops it before the write). ``groups``: merge only the stored
        data of these access groups (a dry run's caller reads no more)."""
        stored = self.repository.stored_stages(prepared.battery_id)
        if not stored:
            return prepared, clear
        sources = ([self.store.graph(self.layout.source(prepared.battery_id, stage))
                    for stage in stored] if groups is None or groups >= set(AccessGroup)
                   else [self._readable_stored(prepared.battery_id, stored, groups)])
        merged = Graph()
        for source in sources:
            for triple in source:
                if not replaces(triple):
                    merged.add(triple)
        merged += prepared.graph
        result = PreparedPassport(prepared.battery_id, prepared.battery_iri, merged,
                                  prepared.warnings)
        return result, sorted({*clear, *stored}, key=list(Stage).index)

    def _only_receipt_changes(self, battery_id: str, stage: Stage,
                              by_group: dict[AccessGroup, list[Triple]]) -> bool:
        incoming = {_value_key(t) for triples in by_group.values() for t in triples}
        stored = {_value_key(t) for t in self.store.graph(self.layout.source(battery_id, stage))}
        battery = str(self.minter.battery(battery_id))
        return all(_is_receipt(key, battery) for key in incoming ^ stored)

    def _stage_unchanged(self, battery_id: str, stage: Stage,
                         by_group: dict[AccessGroup, list[Triple]], stored: list[Stage]) -> bool:
        if stage not in stored:
            return False
        incoming = {_value_key(t) for triples in by_group.values() for t in triples}
        stored_triples = self.store.graph(self.layout.source(battery_id, stage))
        return {_value_key(t) for t in stored_triples} == incoming

    def _custody_after(self, principal: Principal, battery_id: str, incoming: Graph,
                       record: Custody | None, stored: list[Stage]) -> tuple[Custody | None, bool]:
        """The battery's custody after this write, and whether the write creates it; raises
        (403) when the write is not the principal's to make. Decided from the stored custody
        record only; the document may merely agree with it."""
        battery = self.minter.battery(battery_id)
        # Only our organisation IRIs can be custodians; any other object (a Wikidata IRI, a node
        # of the passport describing the company) is description and decides nothing.
        ours = self.organisations.is_organisation_iri
        manufacturers = {o for p in MANUFACTURER_PROPERTIES for o in incoming.objects(battery, p)
                         if ours(o)}
        operators = {o for p in OPERATOR_PROPERTIES for o in incoming.objects(battery, p)
                     if ours(o)}
        transfer = CUSTODY_PATH.replace("{id}", battery_id)
        if record is None and principal.role is Role.ADMIN:
            # An admin creates a battery for any registered organisation: the ones the document
            # names become its custodians.
            return Custody(self._named_organisation(manufacturers, "manufacturer"),
                           self._named_organisation(operators, "operator")), True
        if record is None and principal.role is Role.OEM and not stored:
            own = self.minter.organisation(principal.organisation or "-")
            if manufacturers - {own}:
                raise CustodyConflict(
                    f"organisation {principal.organisation} cannot name another organisation as "
                    f"the manufacturer of battery {battery_id}: an OEM creates the batteries it "
                    f"manufactures, and a change of manufacturer is a transfer ({transfer}, by "
                    "the current manufacturer or an admin)")
            if operators:
                raise CustodyConflict(
                    f"the operator of battery {battery_id} is assigned by a transfer "
                    f"({transfer}) by its manufacturer, not by a passport document")
            return Custody(principal.organisation), True
        if record is None:
            if principal.role in OWNERSHIP_BOUND or not stored:
                raise NotOwner(
                    f"battery {battery_id} has no custody record: it is created by its "
                    "manufacturer (or an admin) before other organisations write it")
            return None, False  # a battery stored before custody records; nobody holds it
        self._agrees(battery_id, manufacturers, record.manufacturer, "manufacturer", transfer)
        self._agrees(battery_id, operators, record.operator, "operator", transfer)
        if principal.role is Role.OEM and principal.organisation != record.manufacturer:
            raise NotOwner(
                f"organisation {principal.organisation} is not the manufacturer of battery "
                f"{battery_id}; an oem writes only the batteries it manufactures")
        if principal.role is Role.OPERATOR and principal.organisation != record.operator:
            raise NotOwner(
                f"organisation {principal.organisation} is not the operator of battery "
                f"{battery_id}; an operator writes only the batteries it operates")
        return record, False

    def _agrees(self, battery_id: str, named: set, holder: str | None, what: str,
                transfer: str) -> None:
        expected = set() if holder is None else {self.minter.organisation(holder)}
        if named - expected:
            names = ", ".join(sorted(str(n) for n in named - expected))
            raise CustodyConflict(
                f"the document names {names} as {what} of battery {battery_id}, but its "
                f"custody record says {holder or 'nobody'}: a change of {what} is a transfer "
                f"({transfer})")

    def _require_registered(self, custody: Custody) -> None:
        for org in (custody.manufacturer, custody.operator):
            if org is not None and not self.organisations.exists(org):
                raise PassportRejected(
                    f"organisation {org} is not registered: an admin (or the organisation) "
                    f"writes its record first with PUT /organisations/{org}")

    def _named_organisation(self, named: set, what: str) -> str | None:
        """The organisation a document names (admin creation; checked to be registered once
        the document is valid)."""
        if not named:
            return None
        ids = {self.custody.organisation_id(n) for n in named}
        if len(named) > 1 or None in ids:
            raise PassportRejected(
                f"the {what} must be one registered organisation "
                f"({self.minter.organisation('ID')}), got "
                f"{', '.join(sorted(str(n) for n in named))}")
        return ids.pop()


class NotOwner(PermissionError):
    """The principal's organisation does not own the battery it writes."""


class StageNotPermitted(PermissionError):
    def __init__(self, stages: list[str], role: str | None = None) -> None:
        if stages:
            message = f"this principal may not write the lifecycle stage(s) {', '.join(stages)}"
        else:
            message = f"the role {role or 'of this principal'} may write no passport data"
            if role == "public":
                message += "; authenticate (POST /validate checks a document without a token)"
        super().__init__(message)
        self.stages = stages


def _value_key(triple: Triple) -> tuple:
    """A triple compared by literal value: the store writes canonical lexical forms
    ("-81" for "-81.0"^^xsd:decimal), so lexical comparison would see changes that are none."""
    s, p, o = triple
    if isinstance(o, Literal):
        value = o.value if o.value is not None else str(o)
        return (s, p, ("literal", value, o.datatype, o.language))
    return (s, p, o)


def _valid_id(battery_id: str | None) -> str | None:
    if battery_id is None:
        return None
    try:
        return check_identifier(battery_id, "battery id")
    except InvalidIdentifier:
        return None


def _is_receipt(key: tuple, battery: str) -> bool:
    """A triple of the record of a received document (``{battery}/source/...``)."""
    subject, _predicate, obj = key
    source = f"{battery}/source/"
    return str(subject).startswith(source) or (
        isinstance(obj, URIRef) and str(obj).startswith(source))


__all__ = [
    "CustodyConflict",
    "DocumentTooLarge",
    "FollowUp",
    "IdentifierConflict",
    "IngestResult",
    "IngestService",
    "JsonLdError",
    "NotOwner",
    "PassportRejected",
    "PreparedPassport",
    "StageNotPermitted",
    "ValidationFailed",
    "Violation",
]
