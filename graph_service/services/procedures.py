"""The derived dismantling procedure, end-of-life pathway options, and explanations of derived
nodes, read from the rule output (``rules/*.rq``; see ``services/rules.py``).

Derived data is legitimate-interest data (Annex XIII 2): it lives in the derived view, which only
roles with legitimate interest read. Callers without it get :class:`DerivedDataForbidden` (403)
instead of an empty procedure that would look like "nothing to watch out for". Every read runs
over the caller's dataset; an unknown battery is :class:`BatteryNotFound` (404) for everyone.

Each answer carries ``derivedAt`` (``prov:endedAtTime`` of the battery's derivation activity) and
``rules`` (id and text hash of every rule the derivation used), so a client can tell which rule
versions produced what it reads. ``explain`` shows one derived node with its rule, the rule file's
header, the derivation time and the source facts it was derived from.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS
from rdflib.term import Node

from graph_service.model.namespaces import DBP, HAS_NUMERICAL_PART
from graph_service.services.access import Principal
from graph_service.services.rdf_io import bind_prefixes
from graph_service.services.reading import (
    BatteryNotFound,
    Concept,
    GraphReader,
    RuleRef,
    Statement,
    first,
    group_properties,
    integer,
    local_name,
    node_iri,
    number,
    py,
    term_model,
    text,
)
from graph_service.services.rules import RULES_DIR, load_rules


class NotDerived(LookupError):
    def __init__(self, battery_id: str) -> None:
        super().__init__(
            f"battery {battery_id} has no stored derivation; run `dbp derive --battery "
            f"{battery_id}` (or resubmit its data)"
        )


class DerivedNodeNotFound(LookupError):
    def __init__(self, node: str) -> None:
        super().__init__(f"no derived node <{node}> is readable")


# -- answers -----------------------------------------------------------------------------------
class HazardOut(BaseModel):
    iri: str
    type: Concept | None = None
    rationale: str | None = None
    parameters: list[str] = []
    sources: list[str] = []


class DamageOut(BaseModel):
    iri: str
    state: Concept | None = None
    rationale: str | None = None


class TriggerOut(BaseModel):
    iri: str
    level: Concept | None = None
    rationale: str | None = None


class ThermalRiskOut(BaseModel):
    iri: str
    level: Concept | None = None
    rationale: str | None = None
    triggers: list[TriggerOut] = []


class PpeOut(BaseModel):
    iri: str
    ppe: Concept | None = None
    rationale: str | None = None


class ToolOut(BaseModel):
    iri: str
    tool: Concept | None = None
    detail: str | None = None
    rationale: str | None = None
    sources: list[str] = []


class IsolationStepOut(BaseModel):
    iri: str
    sequence: int | None = None
    instruction: str | None = None
    tools: list[Concept] = []
    rationale: str | None = None
    template: str | None = None
    parameters: list[str] = []


class DisassemblyStepOut(BaseModel):
    iri: str
    sequence: int | None = None
    stepType: Concept | None = None
    operation: str | None = None
    targetComponents: list[str] = []
    viaJoints: list[str] = []
    tools: list[Concept] = []
    torqueLimitNm: float | None = None
    forceLimitN: float | None = None
    estimatedMinutes: float | None = None
    estimateSource: str | None = None
    destructive: bool | None = None
    cautions: list[str] = []
    precededBy: list[str] = []
    rationale: str | None = None


class Procedure(BaseModel):
    battery: str
    derivedAt: str | None = None
    rules: list[RuleRef] = []
    hazards: list[HazardOut] = []
    damage: DamageOut | None = None
    thermalRisk: ThermalRiskOut | None = None
    ppe: list[PpeOut] = []
    tools: list[ToolOut] = []
    isolationSteps: list[IsolationStepOut] = []
    disassemblySteps: list[DisassemblyStepOut] = []
    totalEstimatedMinutes: float = 0.0


class Hazards(BaseModel):
    battery: str
    derivedAt: str | None = None
    hazards: list[HazardOut] = []
    damage: DamageOut | None = None
    thermalRisk: ThermalRiskOut | None = None


class IsolationSteps(BaseModel):
    battery: str
    derivedAt: str | None = None
    steps: list[IsolationStepOut] = []


class Tools(BaseModel):
    battery: str
    derivedAt: str | None = None
    tools: list[ToolOut] = []


class Ppe(BaseModel):
    battery: str
    derivedAt: str | None = None
    ppe: list[PpeOut] = []


class YieldOut(BaseModel):
    iri: str
    substance: Concept | None = None
    expectedMassKg: float | None = None
    recoveryEfficiency: float | None = None
    rationale: str | None = None


class PathwayOptionOut(BaseModel):
    iri: str
    pathway: Concept | None = None
    treatmentProcess: Concept | None = None
    eligible: bool = False
    score: float | None = None
    rank: int | None = None
    rationale: str | None = None
    estimatedMinutes: float | None = None
    estimatedCostEur: float | None = None
    yields: list[YieldOut] = []


class Pathway(BaseModel):
    battery: str
    derivedAt: str | None = None
    rules: list[RuleRef] = []
    options: list[PathwayOptionOut] = []


class RuleExplanation(RuleRef):
    file: str | None = None
    derives: str | None = None
    reads: str | None = None
    sources: str | None = None
    current: bool = False  # the stored text hash is the one of the rule file now in rules/


class SourceFact(BaseModel):
    iri: str
    via: list[str]
    derived: bool
    statements: list[Statement]


class Explanation(BaseModel):
    node: str
    battery: str
    types: list[str]
    statements: list[Statement]
    rule: RuleExplanation | None = None
    rules: list[RuleExplanation] = []
    activity: str | None = None
    derivedAt: str | None = None
    sources: list[SourceFact] = []


# -- queries -----------------------------------------------------------------------------------
PROCEDURE_LINKS = (DBP.hasHazard, DBP.hasDamageAssessment, DBP.hasThermalRiskAlert,
                   DBP.hasThermalRiskTrigger, DBP.hasIsolationStep, DBP.hasDisassemblyStep,
                   DBP.requiresTool, DBP.hasPPERequirement)
PATHWAY_LINKS = (DBP.hasPathwayOption,)
SOURCE_LINKS = (PROV.wasDerivedFrom, DBP.viaJoint, DBP.targetComponent, DBP.usesParameter)


def _values(terms: Iterable[URIRef]) -> str:
    return ", ".join(f"<{t}>" for t in terms)


# Query shapes: see services/batteries.py - per-battery queries are basic graph patterns with
# single-pattern OPTIONALs (no UNION, aggregate or multi-pattern OPTIONAL, which pyoxigraph
# evaluates over the whole view before joining the substituted battery). The IN lists hold
# constant predicates of our ontology, never caller input.
_NODES = """
SELECT ?b ?link ?s ?p ?o WHERE {{ ?b ?link ?s . ?s ?p ?o . FILTER(?link IN ({links})) }}
"""
_YIELDS = """
SELECT ?b ?s ?p ?o WHERE {
  ?b dbp:hasPathwayOption ?option . ?option dbp:hasExpectedYield ?s . ?s ?p ?o .
}
"""
# The derivation activity is found from the battery (prov:used), never by its class: a
# constant-class pattern would be planned first and enumerate every battery's activity.
_ACTIVITY = """
SELECT ?b ?activity ?type ?ended WHERE {
  ?activity prov:used ?b ; a ?type . OPTIONAL { ?activity prov:endedAtTime ?ended }
}
"""
_USED_RULES = "SELECT ?b ?rule WHERE { ?activity prov:used ?b ; dbp:usedRule ?rule }"
# Rule nodes are shared by all batteries: one per rule version, independent of the fleet size.
_RULES = """
SELECT ?rule ?ruleId ?hash ?stratum WHERE {
  ?rule dbp:ruleId ?ruleId ; dbp:ruleTextHash ?hash ; dbp:stratum ?stratum .
}
"""
_CONSTRUCT_NODES = """
CONSTRUCT {{ ?b ?link ?n . ?n ?p ?o . }}
WHERE {{ ?b ?link ?n . ?n ?p ?o . FILTER(?link IN ({links})) }}
"""
_CONSTRUCT_YIELDS = """
CONSTRUCT { ?option dbp:hasExpectedYield ?y . ?y ?p ?o . }
WHERE { ?b dbp:hasPathwayOption ?option . ?option dbp:hasExpectedYield ?y . ?y ?p ?o . }
"""
_CONSTRUCT_ACTIVITY = """
CONSTRUCT { ?activity ?p ?o . } WHERE { ?activity prov:used ?b ; prov:endedAtTime ?t ; ?p ?o . }
"""
_CONSTRUCT_RULES = """
CONSTRUCT { ?rule ?p ?o . }
WHERE { ?activity prov:used ?b ; dbp:usedRule ?rule . ?rule ?p ?o . }
"""
_NODE = "SELECT ?node ?p ?o WHERE { ?node ?p ?o }"
_RULES_OF = """
SELECT ?node ?rule ?ruleId ?hash ?stratum WHERE {
  ?node dbp:derivedByRule ?rule .
  OPTIONAL { ?rule dbp:ruleId ?ruleId } OPTIONAL { ?rule dbp:ruleTextHash ?hash }
  OPTIONAL { ?rule dbp:stratum ?stratum }
}
"""
_SOURCES = f"""
SELECT ?node ?via ?src WHERE {{ ?node ?via ?src . FILTER(?via IN ({_values(SOURCE_LINKS)})) }}
"""

Props = dict[Node, list[Node]]


def _join(values: list[Node] | None) -> str | None:
    return "; ".join(str(v) for v in values) if values else None


def _strings(values: list[Node] | None) -> list[str]:
    return [str(v) for v in values or []]


def _sequence_key(item: IsolationStepOut | DisassemblyStepOut) -> tuple:
    return (item.sequence is None, item.sequence or 0, item.iri)


class ProcedureService:
    def __init__(self, reader: GraphReader) -> None:
        self.reader = reader

    # -- the procedure and its parts ---------------------------------------------------------
    def procedure(self, battery_id: str, principal: Principal) -> Procedure:
        nodes, derived_at, rules = self._read(battery_id, principal, PROCEDURE_LINKS)
        steps = self._disassembly(nodes[DBP.hasDisassemblyStep])
        total = sum(s.estimatedMinutes or 0.0 for s in steps)
        return Procedure(
            battery=battery_id, derivedAt=derived_at, rules=rules,
            hazards=self._hazards(nodes[DBP.hasHazard]),
            damage=self._damage(nodes[DBP.hasDamageAssessment]),
            thermalRisk=self._thermal(nodes[DBP.hasThermalRiskAlert],
                                      nodes[DBP.hasThermalRiskTrigger]),
            ppe=self._ppe(nodes[DBP.hasPPERequirement]),
            tools=self._tools(nodes[DBP.requiresTool]),
            isolationSteps=self._isolation(nodes[DBP.hasIsolationStep]),
            disassemblySteps=steps,
            totalEstimatedMinutes=round(total, 1),
        )

    def hazards(self, battery_id: str, principal: Principal) -> Hazards:
        links = (DBP.hasHazard, DBP.hasDamageAssessment, DBP.hasThermalRiskAlert,
                 DBP.hasThermalRiskTrigger)
        nodes, derived_at, _ = self._read(battery_id, principal, links)
        return Hazards(battery=battery_id, derivedAt=derived_at,
                       hazards=self._hazards(nodes[DBP.hasHazard]),
                       damage=self._damage(nodes[DBP.hasDamageAssessment]),
                       thermalRisk=self._thermal(nodes[DBP.hasThermalRiskAlert],
                                                 nodes[DBP.hasThermalRiskTrigger]))

    def isolation(self, battery_id: str, principal: Principal) -> IsolationSteps:
        nodes, derived_at, _ = self._read(battery_id, principal, (DBP.hasIsolationStep,))
        return IsolationSteps(battery=battery_id, derivedAt=derived_at,
                              steps=self._isolation(nodes[DBP.hasIsolationStep]))

    def tools(self, battery_id: str, principal: Principal) -> Tools:
        nodes, derived_at, _ = self._read(battery_id, principal, (DBP.requiresTool,))
        return Tools(battery=battery_id, derivedAt=derived_at,
                     tools=self._tools(nodes[DBP.requiresTool]))

    def ppe(self, battery_id: str, principal: Principal) -> Ppe:
        nodes, derived_at, _ = self._read(battery_id, principal, (DBP.hasPPERequirement,))
        return Ppe(battery=battery_id, derivedAt=derived_at,
                   ppe=self._ppe(nodes[DBP.hasPPERequirement]))

    def pathway(self, battery_id: str, principal: Principal) -> Pathway:
        """Options ranked first (by dbp:rank), then the ineligible ones (by score, IRI)."""
        nodes, derived_at, rules = self._read(battery_id, principal, PATHWAY_LINKS)
        battery = self.reader.minter.battery(battery_id)
        yields = group_properties(self.reader.select(
            _YIELDS, self.reader.dataset(principal), b=battery))
        options = []
        for iri, props in nodes[DBP.hasPathwayOption].items():
            option_yields = [self._yield(y, yields.get(y, {}))
                             for y in props.get(DBP.hasExpectedYield, [])]
            option_yields.sort(key=lambda y: (y.substance.label if y.substance else "", y.iri))
            options.append(PathwayOptionOut(
                iri=str(iri), pathway=self.reader.concept(first(props, DBP.pathway)),
                treatmentProcess=self.reader.concept(first(props, DBP.treatmentProcess)),
                eligible=py(first(props, DBP.eligible)) is True,
                score=number(first(props, DBP.score)), rank=integer(first(props, DBP.rank)),
                rationale=_join(props.get(DBP.rationale)),
                estimatedMinutes=number(first(props, DBP.estimatedMinutes)),
                estimatedCostEur=number(first(props, DBP.estimatedCostEur)),
                yields=option_yields,
            ))
        options.sort(key=lambda o: (o.rank is None, o.rank or 0, -(o.score or 0), o.iri))
        return Pathway(battery=battery_id, derivedAt=derived_at, rules=rules, options=options)

    # -- RDF views (content negotiation) -----------------------------------------------------
    def procedure_graph(self, battery_id: str, principal: Principal) -> Graph:
        return self._graph(battery_id, principal, PROCEDURE_LINKS)

    def pathway_graph(self, battery_id: str, principal: Principal) -> Graph:
        return self._graph(battery_id, principal, PATHWAY_LINKS)

    def _graph(self, battery_id: str, principal: Principal, links: tuple[URIRef, ...]) -> Graph:
        battery = self._check(battery_id, principal)
        dataset = self.reader.dataset(principal)
        graph = self.reader.construct(_CONSTRUCT_NODES.format(links=_values(links)), dataset,
                                      b=battery)
        if len(graph) == 0:
            raise NotDerived(battery_id)
        parts = [_CONSTRUCT_ACTIVITY, _CONSTRUCT_RULES]
        if DBP.hasPathwayOption in links:
            parts.append(_CONSTRUCT_YIELDS)
        for query in parts:
            graph += self.reader.construct(query, dataset, b=battery)
        return bind_prefixes(graph)

    # -- explanations ------------------------------------------------------------------------
    def explain(self, node: str, principal: Principal) -> Explanation:
        iri, battery_id = self._explained_node(node, principal)
        dataset = self.reader.dataset(principal)
        props = group_properties(self.reader.select(_NODE, dataset, node=iri),
                                 subject="node").get(iri, {})
        if DBP.derivedByRule not in props:
            raise DerivedNodeNotFound(str(iri))
        statements = _statements(iri, props)
        rules = self._rule_explanations(iri, dataset)
        activity = first(props, PROV.wasGeneratedBy)
        derived_at = None
        if isinstance(activity, URIRef):
            act = group_properties(self.reader.select(_NODE, dataset, node=activity),
                                   subject="node").get(activity, {})
            derived_at = py(first(act, PROV.endedAtTime))
        return Explanation(
            node=str(iri), battery=battery_id,
            types=_strings(props.get(RDF.type)), statements=statements,
            rule=rules[0] if rules else None, rules=rules,
            activity=text(activity), derivedAt=derived_at,  # type: ignore[arg-type]
            sources=self._sources(iri, dataset),
        )

    def explain_graph(self, node: str, principal: Principal) -> Graph:
        explanation = self.explain(node, principal)
        graph = Graph()
        statements = list(explanation.statements)
        for source in explanation.sources:
            statements.extend(source.statements)
        for statement in statements:
            graph.add((URIRef(statement.subject), URIRef(statement.predicate),
                       _to_rdflib(statement.object)))
        dataset = self.reader.dataset(principal)
        for rule in explanation.rules:
            rule_iri = URIRef(rule.iri)
            for row in self.reader.select(_NODE, dataset, node=rule_iri):
                graph.add((rule_iri, row["p"], row["o"]))
        if explanation.activity and explanation.derivedAt:
            activity = URIRef(explanation.activity)
            graph.add((activity, RDF.type, PROV.Activity))
            for row in self.reader.select(_NODE, dataset, node=activity):
                if row["p"] in (PROV.endedAtTime, RDF.type, RDFS.label, PROV.used):
                    graph.add((activity, row["p"], row["o"]))
        return bind_prefixes(graph)

    def _explained_node(self, node: str, principal: Principal) -> tuple[URIRef, str]:
        iri = node_iri(node, "node")
        battery_id = self.reader.minter.battery_id_of(str(iri))
        if battery_id is None:
            raise DerivedNodeNotFound(str(iri))
        if not self.reader.repository.exists(battery_id):
            raise BatteryNotFound(battery_id)
        self.reader.require_derived(principal, "the explanation of derived information")
        return iri, battery_id

    def _rule_explanations(self, iri: URIRef, dataset) -> list[RuleExplanation]:
        files = {rule.id: rule for rule in load_rules(RULES_DIR)}
        found: dict[str, RuleExplanation] = {}
        for row in self.reader.select(_RULES_OF, dataset, node=iri):
            rule_iri = str(row["rule"])
            rule_id = text(row.get("ruleId")) or local_name(rule_iri.rsplit("/", 1)[0])
            digest = text(row.get("hash")) or local_name(rule_iri)
            current = files.get(rule_id)
            found[rule_iri] = RuleExplanation(
                iri=rule_iri, id=rule_id, hash=digest,
                stratum=integer(row.get("stratum")) if "stratum" in row else (
                    current.stratum if current else None),
                file=current.path if current else None,
                derives=current.derives if current else None,
                reads=current.reads if current else None,
                sources=current.sources if current else None,
                current=current is not None and current.digest == digest,
            )
        # The rule that created the node runs in the lowest stratum; later rules add to it.
        return sorted(found.values(), key=lambda r: (r.stratum if r.stratum is not None else 99,
                                                     r.id))

    def _sources(self, iri: URIRef, dataset) -> list[SourceFact]:
        via: dict[Node, set[str]] = {}
        for row in self.reader.select(_SOURCES, dataset, node=iri):
            via.setdefault(row["src"], set()).add(str(row["via"]))
        facts = []
        for source, links in via.items():
            props = self._properties(source, dataset)
            triples = [(source, p, o) for p, values in props.items() for o in values]
            # An EMMO quantity's value sits on its numerical part: show it with the quantity.
            for part in props.get(HAS_NUMERICAL_PART, []):
                triples.extend((part, p, o) for p, values in self._properties(part, dataset)
                               .items() for o in values)
            triples.sort(key=lambda t: tuple(str(x) for x in t))
            facts.append(SourceFact(
                iri=str(source), via=sorted(links), derived=DBP.derivedByRule in props,
                statements=[Statement(subject=str(s), predicate=str(p), object=term_model(o))
                            for s, p, o in triples],
            ))
        return sorted(facts, key=lambda f: f.iri)

    def _properties(self, node: Node, dataset) -> dict[Node, list[Node]]:
        return group_properties(self.reader.select(_NODE, dataset, node=node),
                                subject="node").get(node, {})

    # -- reading and shaping -----------------------------------------------------------------
    def _check(self, battery_id: str, principal: Principal) -> URIRef:
        battery = self.reader.require_battery(battery_id)
        self.reader.require_derived(principal)
        return battery

    def _read(self, battery_id: str, principal: Principal, links: tuple[URIRef, ...]
              ) -> tuple[dict[URIRef, dict[Node, Props]], str | None, list[RuleRef]]:
        battery = self._check(battery_id, principal)
        dataset = self.reader.dataset(principal)
        derived_at, rules = self._activity(battery, battery_id, dataset)
        nodes: dict[URIRef, dict[Node, Props]] = {link: {} for link in links}
        rows = self.reader.select(_NODES.format(links=_values(links)), dataset, b=battery)
        by_link: dict[Node, list[dict[str, Node]]] = {}
        for row in rows:
            by_link.setdefault(row["link"], []).append(row)
        for link, link_rows in by_link.items():
            nodes[link] = group_properties(link_rows)  # type: ignore[index]
        return nodes, derived_at, rules

    def _activity(self, battery: URIRef, battery_id: str, dataset
                  ) -> tuple[str | None, list[RuleRef]]:
        rows = [row for row in self.reader.select(_ACTIVITY, dataset, b=battery)
                if row["type"] == DBP.Derivation]
        if not rows:
            raise NotDerived(battery_id)
        ended = max((str(r["ended"]) for r in rows if "ended" in r), default=None)
        used = {row["rule"] for row in self.reader.select(_USED_RULES, dataset, b=battery)}
        rules = {
            str(row["rule"]): RuleRef(iri=str(row["rule"]), id=str(row["ruleId"]),
                                      hash=str(row["hash"]), stratum=integer(row["stratum"]))
            for row in self.reader.select(_RULES, dataset) if row["rule"] in used
        }
        return ended, sorted(rules.values(), key=lambda r: (r.stratum or 0, r.id))

    def _hazards(self, nodes: dict[Node, Props]) -> list[HazardOut]:
        hazards = [
            HazardOut(iri=str(iri), type=self.reader.concept(first(p, DBP.hazardType)),
                      rationale=_join(p.get(DBP.rationale)),
                      parameters=_strings(p.get(DBP.usesParameter)),
                      sources=_strings(p.get(PROV.wasDerivedFrom)))
            for iri, p in nodes.items()
        ]
        return sorted(hazards, key=lambda h: (h.type.id if h.type else "", h.iri))

    def _damage(self, nodes: dict[Node, Props]) -> DamageOut | None:
        for iri, p in sorted(nodes.items(), key=lambda item: str(item[0])):
            return DamageOut(iri=str(iri), state=self.reader.concept(first(p, DBP.damageState)),
                             rationale=_join(p.get(DBP.rationale)))
        return None

    def _thermal(self, alerts: dict[Node, Props], triggers: dict[Node, Props]
                 ) -> ThermalRiskOut | None:
        for iri, p in sorted(alerts.items(), key=lambda item: str(item[0])):
            listed = [
                TriggerOut(iri=str(t), level=self.reader.concept(first(tp, DBP.alertLevel)),
                           rationale=_join(tp.get(DBP.rationale)))
                for t, tp in triggers.items()
            ]
            return ThermalRiskOut(iri=str(iri),
                                  level=self.reader.concept(first(p, DBP.alertLevel)),
                                  rationale=_join(p.get(DBP.rationale)),
                                  triggers=sorted(listed, key=lambda t: t.iri))
        return None

    def _ppe(self, nodes: dict[Node, Props]) -> list[PpeOut]:
        items = [PpeOut(iri=str(iri), ppe=self.reader.concept(first(p, DBP.ppe)),
                        rationale=_join(p.get(DBP.rationale)))
                 for iri, p in nodes.items()]
        return sorted(items, key=lambda i: (i.ppe.id if i.ppe else "", i.iri))

    def _tools(self, nodes: dict[Node, Props]) -> list[ToolOut]:
        items = [ToolOut(iri=str(iri), tool=self.reader.concept(first(p, DBP.tool)),
                         detail=text(first(p, DBP.toolDetail)),
                         rationale=_join(p.get(DBP.rationale)),
                         sources=_strings(p.get(PROV.wasDerivedFrom)))
                 for iri, p in nodes.items()]
        return sorted(items, key=lambda i: (i.tool.id if i.tool else "", i.detail or "", i.iri))

    def _isolation(self, nodes: dict[Node, Props]) -> list[IsolationStepOut]:
        steps = [
            IsolationStepOut(
                iri=str(iri), sequence=integer(first(p, DBP.sequence)),
                instruction=_join(p.get(DBP.instruction)),
                tools=self.reader.concepts(p.get(DBP.usesTool, [])),
                rationale=_join(p.get(DBP.rationale)), template=text(first(p, DBP.template)),
                parameters=_strings(p.get(DBP.usesParameter)),
            )
            for iri, p in nodes.items()
        ]
        return sorted(steps, key=_sequence_key)

    def _disassembly(self, nodes: dict[Node, Props]) -> list[DisassemblyStepOut]:
        steps = []
        for iri, p in nodes.items():
            destructive = py(first(p, DBP.destructive))
            steps.append(DisassemblyStepOut(
                iri=str(iri), sequence=integer(first(p, DBP.sequence)),
                stepType=self.reader.concept(first(p, DBP.stepType)),
                operation=_join(p.get(DBP.operation)),
                targetComponents=_strings(p.get(DBP.targetComponent)),
                viaJoints=_strings(p.get(DBP.viaJoint)),
                tools=self.reader.concepts(p.get(DBP.usesTool, [])),
                torqueLimitNm=number(first(p, DBP.torqueLimitNm)),
                forceLimitN=number(first(p, DBP.forceLimitN)),
                estimatedMinutes=number(first(p, DBP.estimatedMinutes)),
                estimateSource=_join(p.get(DBP.estimateSource)),
                destructive=destructive if isinstance(destructive, bool) else None,
                cautions=_strings(p.get(DBP.caution)),
                precededBy=_strings(p.get(DBP.precededBy)),
                rationale=_join(p.get(DBP.rationale)),
            ))
        return sorted(steps, key=_sequence_key)

    def _yield(self, iri: Node, p: Props) -> YieldOut:
        return YieldOut(iri=str(iri),
                        substance=self.reader.concept(first(p, DBP.recoveredSubstance)),
                        expectedMassKg=number(first(p, DBP.expectedMassKg)),
                        recoveryEfficiency=number(first(p, DBP.recoveryEfficiency)),
                        rationale=_join(p.get(DBP.rationale)))


def _statements(subject: URIRef, props: Props) -> list[Statement]:
    return [Statement(subject=str(subject), predicate=str(p), object=term_model(o))
            for p in sorted(props, key=str) for o in props[p]]


def _to_rdflib(term) -> Node:
    if term.type == "literal":
        return Literal(term.value, lang=term.language,
                       datatype=URIRef(term.datatype) if term.datatype and not term.language
                       else None)
    if term.type == "bnode":
        return BNode(term.value)
    return URIRef(term.value)


__all__ = [
    "DerivedNodeNotFound",
    "Explanation",
    "NotDerived",
    "Pathway",
    "Procedure",
    "ProcedureService",
]
