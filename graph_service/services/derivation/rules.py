"""The rule runner: SPARQL CONSTRUCT rules evaluated per battery, stratum by stratum, to a fixpoint.

Rules are data (``rules/*.rq``). Each file starts with a header comment::

    # id: hazard-high-voltage
    # stratum: 1
    # derives: dbp:Hazard nodes for packs above the high-voltage limit
    # reads: nominal voltage of the pack; parameter dbp:param/high-voltage-limit
    # sources: UN ECE R100 class B (> 60 V DC); see ontology parameters

and is a CONSTRUCT whose variable ``?battery`` is bound to one battery IRI by substitution
(never by string building). Rules read the battery's source graphs, the ontology, the rule
parameters and everything derived so far.

Why a workspace: derivation runs in a private in-memory store holding the ontology and the
parameters (loaded once) plus one battery's data (copied in per run), so its cost depends on that
battery only, not on the fleet, and intermediate facts never touch the main store. The result
replaces the battery's derived graph in one atomic update.

Provenance: every derived subject gets ``prov:wasGeneratedBy`` the derivation activity and
``dbp:derivedByRule`` the rule's IRI, which carries the rule id and the hash of its text; rules
state their source facts themselves with ``prov:wasDerivedFrom``.

Summary rules (header ``# output: access-views``) derive per-battery summary facts for fleet
queries. They read the battery's data and the ontology only (never other derived facts), and
run once per access level - over the battery's public data, then public + legitimate-interest
data, then all of it - with the data split by the access view that holds it. A summary fact
whose predicate is a ``dbp:SummaryProperty`` is stored in the view of the lowest level whose
data already derives it (and never below the group its predicate declares), so a caller sees a
summary only when the data it summarises is readable to that caller: a summary of
legitimate-interest data is never public, whatever the rule says. Facts that only the whole data
derives (e.g. a count that differs with fewer records visible) sit at the top level; a caller
below it finds them unknown, never a value computed from data it may not read.
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import PROV, RDF, RDFS, XSD
from rdflib.term import Node

from graph_service.config import REPO_ROOT
from graph_service.model.graphs import AccessGroup, GraphLayout, Stage
from graph_service.model.iris import IriMinter
from graph_service.model.namespaces import DBP
from graph_service.services.access.custody import Custody
from graph_service.services.passports import PassportRepository, StagedTriples
from graph_service.services.passports.classify import GROUP_IRIS, most_restricted
from graph_service.services.sparql.named_queries import INTERNAL_QUERIES_DIR, Dataset, NamedQueries
from graph_service.services.sparql.query_analysis import (
    Guard,
    Occurrence,
    ReadKey,
    read_guards,
    read_keys_of,
    read_predicates,
    required_patterns,
)
from graph_service.store import open_memory_store
from graph_service.store.base import ChangeSet, GraphStore, RdfFormat

RULES_DIR = REPO_ROOT / "rules"
_HEADER = re.compile(r"^#\s*(?P<key>[a-z-]+)\s*:\s*(?P<value>.*?)\s*$")
MAX_ITERATIONS = 20
# Oxigraph's in-memory store keeps removed quads in its indexes, so one workspace deriving
# battery after battery slows down with every run (measured: 150 ms for the first derivation,
# 1.5 s after 300). Each workspace serves this many derivations, then a fresh copy of the
# template (ontology, hierarchy, parameters) replaces it. `python -m bench.workspace`: mean
# 250 ms per derivation with 5 runs per workspace, 310 ms copying every time, 790 ms never.
WORKSPACE_RUNS = 5

Triple = tuple[Node, Node, Node]


class RuleError(ValueError):
    """A rule file that cannot be used (missing header, not a CONSTRUCT, syntax error)."""


@dataclass(frozen=True)
class Rule:
    id: str
    stratum: int
    text: str
    path: str
    derives: str = ""
    reads: str = ""
    sources: str = ""
    output: str = ""

    @property
    def is_summary(self) -> bool:
        """Derives summary facts placed in the access views (see the module docstring)."""
        return self.output == "access-views"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:12]

    def iri(self, base: str) -> URIRef:
        return IriMinter(base).rule(self.id, self.digest)

    @property
    def read_set(self) -> frozenset[ReadKey] | None:
        """The predicate IRIs the rule's WHERE clause can match (None: any predicate; a plain
        ``?x a C`` as the pair (rdf:type, C): see ``read_predicates``), from
        the parsed algebra. Parsing is slow (rdflib, ~70 ms a rule), so it happens once per
        rule text in a process (cached by text), the first time a fixpoint needs it."""
        return _read_set(self.text)

    @property
    def read_guards(self) -> dict[URIRef, frozenset[Occurrence]] | None:
        """Per predicate read, what an added triple must satisfy for the rule's patterns to
        match it (``query_analysis.read_guards``); parsed once per text, like the read set."""
        return _read_guards(self.text)

    @property
    def required_patterns(self) -> tuple[tuple, ...] | None:
        """Patterns every solution of the rule matches (``query_analysis.required_patterns``):
        when one matches no triple, the rule derives nothing. Parsed once per text."""
        return _required_patterns(self.text)


@lru_cache(maxsize=512)
def _read_set(text: str) -> frozenset[ReadKey] | None:
    return read_predicates(text)


@lru_cache(maxsize=512)
def _required_patterns(text: str) -> tuple[tuple, ...] | None:
    found = required_patterns(text)
    return None if found is None else tuple(found)


@lru_cache(maxsize=512)
def _read_guards(text: str) -> dict[URIRef, frozenset[Occurrence]] | None:
    return read_guards(text)


def parse_rule(path: Path) -> Rule:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if match:
            key = match.group("key")
            header[key] = (header.get(key, "") + " " + match.group("value")).strip()
    if "id" not in header or "stratum" not in header:
        raise RuleError(f"{path.name}: the header needs '# id:' and '# stratum:' lines")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", header["id"]):
        raise RuleError(f"{path.name}: rule id {header['id']!r} must be lowercase-kebab-case")
    try:
        stratum = int(header["stratum"])
    except ValueError:
        raise RuleError(f"{path.name}: stratum must be an integer") from None
    if "?battery" not in text:
        raise RuleError(f"{path.name}: a rule must use ?battery (bound per battery)")
    output = header.get("output", "")
    if output not in ("", "access-views"):
        raise RuleError(f"{path.name}: '# output:' must be access-views (or absent)")
    return Rule(
        id=header["id"], stratum=stratum, text=text, path=path.name,
        derives=header.get("derives", ""), reads=header.get("reads", ""),
        sources=header.get("sources", ""), output=output,
    )


def load_rules(directory: Path = RULES_DIR) -> list[Rule]:
    rules = [parse_rule(p) for p in sorted(directory.glob("*.rq"))]
    ids = [r.id for r in rules]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuleError(f"duplicate rule ids: {', '.join(sorted(duplicates))}")
    return sorted(rules, key=lambda r: (r.stratum, r.id))


@dataclass
class Derivation:
    battery_id: str
    activity: URIRef
    triples: list[Triple] = field(default_factory=list)
    rules_fired: dict[str, int] = field(default_factory=dict)
    # Rounds of the ordinary strata's fixpoints, summed over the strata: a round evaluates the
    # rules of one stratum over the same data (all of them in its first round, then those whose
    # inputs grew). A stratum whose last round added nothing ends without a further round.
    iterations: int = 0
    # Rule queries evaluated by those rounds (summary rules not counted).
    evaluations: int = 0
    # First-round evaluations left out: a pattern the rule requires matched no triple.
    spared: int = 0
    # Summary facts and the access group whose view holds each (see the module docstring).
    placement: dict[Triple, AccessGroup] = field(default_factory=dict)


def _may_match(rule: Rule, grown: set[ReadKey], added: dict[Node, list[Triple]],
               workspace: GraphStore, checks: dict[tuple, bool]) -> bool:
    """Whether one of the triples a round added can match one of ``rule``'s patterns together
    with the rest of that pattern's BGP (its guards, checked with index lookups in the
    workspace, which holds the round's triples): a rule whose read predicates grew only by
    triples none of its patterns can join - the pathway rules reading an assessment's
    dbp:rationale after a round that added options' rationales - sees the same matches as
    before and would add nothing."""
    guards = rule.read_guards
    if guards is None:
        return True
    for key in rule.read_set & grown if rule.read_set is not None else ():
        # a class key (rdf:type, C): the added rdf:type triples of class C
        predicate, triples = (RDF.type, [t for t in added.get(RDF.type, ()) if t[2] == key[1]]) \
            if isinstance(key, tuple) else (key, added.get(key, ()))
        occurrences = guards.get(predicate)
        if not occurrences:
            return True  # read only through what guards do not describe
        for occurrence in occurrences:
            if not occurrence:
                return True
            for s, _, o in triples:
                if all(_holds(guard, s, o, workspace, checks) for guard in occurrence):
                    return True
    return False


_BATTERY = Variable("battery")


def _may_have_solutions(rule: Rule, battery: URIRef, workspace: GraphStore,
                        checks: dict[tuple, bool]) -> bool:
    """Whether each pattern the rule requires matches some triple of the workspace (its IRI
    ends and ``?battery`` fixed, index lookups): a rule about thermal events has nothing to
    say about a battery that has none, and its evaluation is spared. Literal ends are not
    looked up (the engine's and the query's literal forms may differ); any graph counts."""
    required = rule.required_patterns
    if required is None:
        return True
    for subject, predicate, obj in required:
        key = (subject if isinstance(subject, URIRef) else battery if subject == _BATTERY
               else None, predicate, obj if isinstance(obj, URIRef) else None)
        if key not in checks:
            checks[key] = workspace.has_triple(*key)
        if not checks[key]:
            return False
    return True


def _holds(guard: Guard, s: Node, o: Node, workspace: GraphStore,
           checks: dict[tuple, bool]) -> bool:
    kind, term = guard
    if kind == "subject":
        return s == term
    if kind == "object":
        return o == term
    key = (kind, term, s)
    if key not in checks:
        checks[key] = workspace.has_triple(None, term, s) if kind == "in" else \
            workspace.has_triple(s, term, None)
    return checks[key]

class RuleRunner:
    def __init__(
        self,
        store: GraphStore,
        layout: GraphLayout,
        minter: IriMinter,
        repository: PassportRepository,
        rules: list[Rule] | None = None,
        *,
        rerun_all: bool = False,
        join_guards: bool = True,
    ) -> None:
        """``rerun_all``: every round of a stratum re-runs all its rules, and a stratum ends
        with a round that adds nothing (the plain fixpoint; kept to compare against).
        ``join_guards=False``: a later round re-runs every rule whose read predicates grew,
        without checking that the added triples can join its patterns (kept to compare)."""
        self.rerun_all = rerun_all
        self.join_guards = join_guards
        self.store = store
        self.layout = layout
        self.minter = minter
        self.repository = repository
        self.rules = rules if rules is not None else load_rules()
        self._workspace_lock = threading.Lock()
        self.refresh_workspace()

    def refresh_workspace(self) -> None:
        """(Re)load ontology, reference hierarchy and parameters into the workspace template."""
        internal = self._internal = NamedQueries(self.store, directory=INTERNAL_QUERIES_DIR)
        declared = internal.select(
            "summary-properties", Dataset(default_graph=(self.layout.ontology,), named_graphs=()))
        # Summary predicates and the group each declares (the floor of its facts' group).
        self.summary_groups: dict[URIRef, AccessGroup] = {
            row["p"]: GROUP_IRIS[row["group"]]  # type: ignore[index, misc]
            for row in declared if row["group"] in GROUP_IRIS}
        self.repository.summary_predicates = frozenset(self.summary_groups)
        template = open_memory_store()
        for graph in (self.layout.ontology, self.layout.parameters):
            template.replace_graph(graph, self.store.graph(graph))
        # Only the class/property hierarchy of the reference stack is needed by rules.
        hierarchy = internal.construct(
            "class-property-hierarchy",
            Dataset(default_graph=(self.layout.reference,), named_graphs=()))
        template.replace_graph(self.layout.reference, hierarchy)
        with self._workspace_lock:
            self._template = template
            self._workspace = open_memory_store(template)
            self._workspace_runs = 0

    def warm_analyses(self) -> None:
        """Parse every rule's read set, guards and required patterns now (rdflib's parser:
        ~4 s for all rules, once per process) instead of in the first derivation."""
        for rule in self.rules:
            _ = rule.read_set, rule.read_guards, rule.required_patterns

    def _take_workspace(self) -> GraphStore:
        """The workspace for one derivation; a fresh copy of the template every few runs.
        A derivation still running in the replaced workspace finishes there unharmed."""
        with self._workspace_lock:
            if self._workspace_runs >= WORKSPACE_RUNS:
                self._workspace = open_memory_store(self._template)
                self._workspace_runs = 0
            self._workspace_runs += 1
            return self._workspace

    # -- derivation ----------------------------------------------------------------------------
    def derive(self, battery_id: str, data: Graph | None = None,
               staged: StagedTriples | None = None) -> Derivation:
        """Derive one battery.

        ``staged``: the stages being written (stage -> access group -> triples); the battery's
        other stored stages are read from the store. ``data``: its passport graph when the
        access groups of its triples are not known (summary facts then go to the most
        restricted view only). Neither: the stored stages."""
        battery = self.minter.battery(battery_id)
        workspace = self._take_workspace()
        run = uuid.uuid4().hex
        levels = list(AccessGroup)  # least restricted first
        data_graphs = {group: URIRef(f"urn:dbp:workspace:{run}:data:{group.value}")
                       for group in levels}
        unknown_graph = URIRef(f"urn:dbp:workspace:{run}:data:unknown-group")
        derived_graph = URIRef(f"urn:dbp:workspace:{run}:derived")
        statistics_graph = URIRef(f"urn:dbp:workspace:{run}:statistics")
        activity = self.minter.derivation(battery_id)
        derivation = Derivation(battery_id, activity)
        if staged is not None:
            by_group: dict[AccessGroup, list[Triple]] = {}
            for groups in staged.values():
                for group, triples in groups.items():
                    by_group.setdefault(group, []).extend(triples)
            # A private workspace: the engine's bulk path, no SPARQL text.
            workspace.bulk_load((s, p, o, data_graphs[group])
                                for group, triples in by_group.items() for s, p, o in triples)
            rest = [stage for stage in self.repository.stored_stages(battery_id)
                    if stage not in staged]
            self._load_stored(workspace, battery_id, rest, data_graphs, unknown_graph)
        elif data is not None:
            workspace.bulk_load((s, p, o, unknown_graph) for s, p, o in data)
        else:
            self._load_stored(workspace, battery_id,
                              self.repository.stored_stages(battery_id), data_graphs,
                              unknown_graph)
        all_data = [*data_graphs.values(), unknown_graph]
        # The rules compare in one unit per quantity kind (kg, V, Ah, kWh, kW); a value sent in
        # another unit the shapes accept (g, mV, ...) is restated in it here, in the workspace.
        workspace.update(self._internal.update_text("normalise-rule-units", graph=all_data))
        # Fleet feedback aggregates: one node per step/fastener type, so copying them per run
        # keeps the cost independent of the number of batteries.
        self._copy_graph(workspace, self.layout.statistics, statistics_graph)
        reference = [self.layout.ontology, self.layout.reference, self.layout.parameters]
        dataset = [*reference, statistics_graph, *all_data, derived_graph]
        known: set[Triple] = set()
        try:
            ordinary = [r for r in self.rules if not r.is_summary]
            for stratum in sorted({r.stratum for r in ordinary}):
                self._fixpoint([r for r in ordinary if r.stratum == stratum], workspace,
                               battery, activity, dataset, derived_graph, known, derivation)
            for rule in (r for r in self.rules if r.is_summary):
                self._summarise(workspace, rule, battery, activity, levels, data_graphs,
                                reference, all_data, known, derivation)
        finally:
            workspace.apply(ChangeSet(drop_graphs=[*all_data, derived_graph,
                                                   statistics_graph]))
        derivation.triples = sorted(known, key=lambda t: tuple(str(x) for x in t))
        derivation.triples.extend(self._activity_triples(derivation))
        return derivation

    def _fixpoint(self, rules: list[Rule], workspace: GraphStore, battery: URIRef,
                  activity: URIRef, dataset: list[URIRef], derived_graph: URIRef,
                  known: set[Triple], derivation: Derivation) -> None:
        """Run one stratum's rules to a fixpoint.

        Which rules a round runs: the first round runs them all; a later round only those that
        can match a triple the previous round added. A triple pattern matches a triple only
        through its predicate position, which is either a constant IRI (or a path of IRIs) that
        must equal the triple's predicate, or a variable (the rule then reads everything, see
        ``Rule.read_set``); a pattern ``?x rdf:type C`` with a constant class C matches only
        type triples of C, so its key is the pair (rdf:type, C). So a rule none of whose read
        keys gained a triple since its last run sees exactly the data it saw then: its result
        is the same set of triples, all already in ``known``, and running it would add nothing.
        That holds for non-monotonic rules too: the read set includes the predicates under NOT
        EXISTS, MINUS and OPTIONAL, so a rule whose answer could shrink or change is re-run
        whenever any of them grew. Hence
        every round adds the same triples, in the same order and credited to the same rules, as
        a round re-running every rule; the plain loop's last round (which adds nothing) becomes
        "no rule is affected" and costs nothing.

        Among the rules whose read keys grew, a rule runs again only if one of the added
        triples can join one of its patterns (``_may_match``: the guards of the pattern's BGP,
        checked in the workspace); a triple that cannot join leaves every solution as it was.

        Rules within a round all see the data as it was at its start (new triples are inserted
        after the round), as in the plain loop."""
        affected = rules
        if self.join_guards and not self.rerun_all:
            # A rule with no solution now gains one only through a triple a later round adds,
            # which the guards then see: as if it had run and derived nothing.
            present: dict[tuple, bool] = {}
            affected = [r for r in rules if _may_have_solutions(r, battery, workspace, present)]
            derivation.spared += len(rules) - len(affected)
            if not affected:
                return
        for _ in range(MAX_ITERATIONS):
            new: list[Triple] = []
            for rule in affected:
                result = workspace.query(
                    rule.text, bindings={"battery": battery}, default_graph=dataset
                )
                self._collect(rule, battery, activity, result.triples(), known, new, derivation)
            derivation.iterations += 1
            derivation.evaluations += len(affected)
            if not new:
                return
            workspace.apply(ChangeSet(insert=[(s, p, o, derived_graph) for s, p, o in new]))
            if self.rerun_all:
                continue
            grown = read_keys_of(new)
            by_predicate: dict[Node, list[Triple]] = {}
            for triple in new:
                by_predicate.setdefault(triple[1], []).append(triple)
            checks: dict[tuple, bool] = {}
            affected = [r for r in rules if r.read_set is None or (
                not r.read_set.isdisjoint(grown)
                and (not self.join_guards
                     or _may_match(r, grown, by_predicate, workspace, checks)))]
            if not affected:
                return

    def _collect(self, rule: Rule, battery: URIRef, activity: URIRef, triples: Iterable[Triple],
                 known: set[Triple], new: list[Triple], derivation: Derivation) -> None:
        """Add a rule's new triples (and the provenance of their subjects) to ``new``."""
        fired = 0
        rule_iri = rule.iri(self.layout.base)
        for triple in triples:
            if triple in known:
                continue
            known.add(triple)
            new.append(triple)
            fired += 1
            subject = triple[0]
            if isinstance(subject, URIRef) and subject.startswith(f"{battery}/"):
                for extra in ((subject, DBP.derivedByRule, rule_iri),
                              (subject, PROV.wasGeneratedBy, activity)):
                    if extra not in known:
                        known.add(extra)
                        new.append(extra)
        if fired:
            derivation.rules_fired[rule.id] = derivation.rules_fired.get(rule.id, 0) + fired

    def _summarise(self, workspace: GraphStore, rule: Rule, battery: URIRef, activity: URIRef,
                   levels: list[AccessGroup], data_graphs: dict[AccessGroup, URIRef],
                   reference: list[URIRef], all_data: list[URIRef], known: set[Triple],
                   derivation: Derivation) -> None:
        """Run a summary rule at each access level; place each fact at the lowest level whose
        data derives it (the top level reads all data, including data of unknown group)."""
        found: list[set[Triple]] = []
        previous: list[URIRef] = []
        for position in range(len(levels)):
            graphs = [data_graphs[g] for g in levels[:position + 1]]
            if position == len(levels) - 1:
                graphs = all_data
            added = [g for g in graphs if g not in previous]
            if found and not any(workspace.contains_graph(g) for g in added):
                found.append(found[-1])  # no data at this level: the same facts as below
            else:
                result = workspace.query(rule.text, bindings={"battery": battery},
                                         default_graph=[*reference, *graphs])
                found.append(set(result.triples()))
            previous = graphs
        complete = found[-1]
        new: list[Triple] = []
        self._collect(rule, battery, activity, sorted(complete, key=str), known, new, derivation)
        for triple in complete:
            declared = self.summary_groups.get(triple[1])  # type: ignore[arg-type]
            if declared is None:
                continue  # links, types and provenance stay in the derived view
            lowest = next(levels[i] for i, facts in enumerate(found) if triple in facts)
            group = most_restricted([declared, lowest])
            assert group is not None
            derivation.placement[triple] = group

    def _load_stored(self, workspace: GraphStore, battery_id: str, stages: list[Stage],
                     data_graphs: dict[AccessGroup, URIRef], unknown_graph: URIRef) -> None:
        for group, parts in self.repository.stored_data_by_group(battery_id, stages).items():
            target = unknown_graph if group is None else data_graphs[group]
            for part in parts:
                workspace.load(part, RdfFormat.N_TRIPLES, graph=target)

    def _copy_graph(self, workspace: GraphStore, graph: URIRef, target: URIRef) -> None:
        # Stored graphs travel as N-Triples between the stores: serialising and parsing them
        # in the engine is several times faster than building rdflib terms on the way, and a
        # read of the large store's pages is the only per-battery cost left that depends on it.
        # Blank-node labels are kept, so derived triples may still point at stored blank nodes.
        data = self.store.dump(RdfFormat.N_TRIPLES, graph=graph)
        if data:
            workspace.load(data, RdfFormat.N_TRIPLES, graph=target)

    def _activity_triples(self, derivation: Derivation) -> Iterable[Triple]:
        activity = derivation.activity
        yield (activity, RDF.type, PROV.Activity)
        yield (activity, RDF.type, DBP.Derivation)
        label = f"rule derivation for battery {derivation.battery_id}"
        yield (activity, RDFS.label, Literal(label))
        yield (activity, PROV.endedAtTime,
               Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime))
        yield (activity, PROV.used, self.minter.battery(derivation.battery_id))
        for rule in self.rules:
            rule_iri = rule.iri(self.layout.base)
            yield (activity, DBP.usedRule, rule_iri)
            yield (rule_iri, RDF.type, DBP.Rule)
            yield (rule_iri, DBP.ruleId, Literal(rule.id))
            yield (rule_iri, DBP.ruleTextHash, Literal(rule.digest))
            yield (rule_iri, DBP.stratum, Literal(rule.stratum))
            if rule.derives:
                yield (rule_iri, RDFS.comment, Literal(rule.derives))

    def derivation_changes(self, battery_id: str, data: Graph | None = None,
                           staged: StagedTriples | None = None,
                           custody: Custody | None = None) -> ChangeSet:
        """``staged``: the stages being written, split by access group (summary placement);
        ``custody``: the battery's custody when the same update creates it (else it is read
        from the store), naming the partitions its derived data also goes to."""
        derivation = self.derive(battery_id, data, staged)
        return self.repository.derived_changes(battery_id, derivation.triples,
                                               derivation.placement, custody)

    def rederive(self, battery_id: str) -> Derivation:
        derivation = self.derive(battery_id)
        self.store.apply(self.repository.derived_changes(battery_id, derivation.triples,
                                                         derivation.placement))
        return derivation
