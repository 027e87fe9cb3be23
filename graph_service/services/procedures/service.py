"""The derived dismantling procedure for one end-of-life pathway, the pathway options, and
explanations of derived nodes, read from the rule output (``rules/*.rq``; see
``services/derivation/rules.py`` and docs/procedures.md).

A procedure is derived *for a pathway option*: the rules link every isolation step, hold point,
stop criterion, disassembly step and tool to the options whose procedure includes it
(``dbp:forPathwayOption``), because the depth of disassembly (cover only, modules out, cells
apart) and the hold points differ per pathway. ``procedure`` answers for the top-ranked option by
default, or for the option the caller names; an option that is neither eligible nor unknown (not
eligible) has no procedure.

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

import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS
from rdflib.term import Node

from graph_service.model.answers import (
    DamageOut,
    DeepDischargeOut,
    DisassemblyStepOut,
    Explanation,
    HazardOut,
    Hazards,
    IsolationStepOut,
    IsolationSteps,
    ModuleStanding,
    Pathway,
    PathwayChoice,
    PathwayOptionOut,
    Ppe,
    PpeOut,
    Procedure,
    RuleExplanation,
    SourceFact,
    StopCriterionOut,
    ThermalRiskOut,
    ToolOut,
    Tools,
    TriggerOut,
    UnknownOut,
    YieldOut,
)
from graph_service.model.namespaces import DBP
from graph_service.model.read_models import RuleRef, Statement
from graph_service.model.terms import HAS_NUMERICAL_PART, vocab
from graph_service.services.access import Principal
from graph_service.services.derivation.rules import RULES_DIR, load_rules
from graph_service.services.facade.reading import (
    BatteryNotFound,
    GraphReader,
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
from graph_service.services.rdf.rdf_io import bind_prefixes

ELIGIBLE = vocab("eligibility", "eligible")
UNKNOWN = vocab("eligibility", "unknown")
_PATHWAY_KEY_MAX = 64


class NotDerived(LookupError):
    def __init__(self, battery_id: str) -> None:
        super().__init__(
            f"battery {battery_id} has no derivation you may read: none is stored, or your "
            f"role does not read this battery's legitimate-interest data (an admin derives a "
            f"stored battery with `dbp derive --battery {battery_id}`)"
        )


class DerivedNodeNotFound(LookupError):
    def __init__(self, node: str) -> None:
        super().__init__(f"no derived node <{node}> is readable")


class UnknownPathway(ValueError):
    """A requested pathway option the battery does not have."""

    def __init__(self, requested: str, options: list[str]) -> None:
        shown = requested[:_PATHWAY_KEY_MAX]
        super().__init__(
            f"pathway {shown!r} is not an option of this battery; choose one of: "
            f"{', '.join(options)}")
        self.options = options


class PathwayNotApplicable(ValueError):
    """A requested pathway option that is not eligible: it has no procedure."""

    def __init__(self, requested: str, why: str | None, allowed: list[str]) -> None:
        super().__init__(
            f"pathway {requested!r} is not eligible for this battery ({why or 'no rationale'}); "
            f"a procedure exists for: {', '.join(allowed) or 'none'}")
        self.options = allowed


# -- queries -----------------------------------------------------------------------------------
PROCEDURE_LINKS = (DBP.hasHazard, DBP.hasDamageAssessment, DBP.hasThermalRiskAlert,
                   DBP.hasThermalRiskTrigger, DBP.hasIsolationStep, DBP.hasDisassemblyStep,
                   DBP.requiresTool, DBP.hasPPERequirement, DBP.hasStopCriterion,
                   DBP.hasUnknown, DBP.hasModuleAssessment, DBP.hasPathwayOption,
                   DBP.hasStepScope)
PATHWAY_LINKS = (DBP.hasPathwayOption, DBP.hasUnknown, DBP.hasModuleAssessment,
                 DBP.hasDeepDischargeAssessment, DBP.hasCellSohSpread)
SOURCE_LINKS = (PROV.wasDerivedFrom, DBP.viaJoint, DBP.targetComponent, DBP.usesParameter)


# Every read is a query file of queries/facade/ (derived-*, derivation-*, pathway-*,
# rule-versions, node-properties) run by the named-query runner; the links above are bound as
# VALUES of ?link (constant predicates of our ontology, never caller input).
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
    def procedure(self, battery_id: str, principal: Principal,
                  pathway: str | None = None) -> Procedure:
        """The procedure for the top-ranked pathway option, or for ``pathway`` (an option key
        such as ``module-swap`` or ``recycling-hydrometallurgical``)."""
        nodes, derived_at, rules = self._read(battery_id, principal, PROCEDURE_LINKS)
        option, choice = self._choose(nodes[DBP.hasPathwayOption], pathway)
        isolation = [s for s in self._isolation(_for(nodes[DBP.hasIsolationStep], option))]
        steps = _scoped(self._disassembly(_for(nodes[DBP.hasDisassemblyStep], option)),
                        _for(nodes[DBP.hasStepScope], option))
        stops = self._stops(_for(nodes[DBP.hasStopCriterion], option))
        tools = self._tools(_for(nodes[DBP.requiresTool], option))
        hazards = self._hazards(nodes[DBP.hasHazard])
        # unknowns about the battery, its thermal-risk alert, its hazards, the steps of this
        # procedure or this option
        relevant = ({self.reader.minter.battery(battery_id), option}
                    | set(nodes[DBP.hasThermalRiskAlert])
                    | {URIRef(h.iri) for h in hazards} | {URIRef(s.iri) for s in isolation}
                    | {URIRef(s.iri) for s in steps} | {URIRef(s.iri) for s in stops})
        unknowns = [u for u in self._unknowns(nodes[DBP.hasUnknown])
                    if not u.affects or any(URIRef(a) in relevant for a in u.affects)]
        total = sum(s.estimatedMinutes or 0.0 for s in steps)
        return Procedure(
            battery=battery_id, derivedAt=derived_at, rules=rules, pathway=choice,
            availablePathways=_allowed(nodes[DBP.hasPathwayOption]),
            hazards=hazards,
            damage=self._damage(nodes[DBP.hasDamageAssessment]),
            thermalRisk=self._thermal(nodes[DBP.hasThermalRiskAlert],
                                      nodes[DBP.hasThermalRiskTrigger]),
            ppe=self._ppe(nodes[DBP.hasPPERequirement]),
            tools=tools,
            isolationSteps=isolation,
            holdPoints=[s for s in isolation if s.holdPoint],
            stopCriteria=stops,
            disassemblySteps=steps,
            modules=self._modules(nodes[DBP.hasModuleAssessment]),
            unknowns=unknowns,
            totalEstimatedMinutes=round(total, 1),
            stepsWithoutEstimate=sum(1 for s in steps if s.estimatedMinutes is None),
        )

    def disassembly_steps(self, battery_id: str, principal: Principal) -> list[DisassemblyStepOut]:
        """Every derived disassembly step of the battery, whatever the pathway (for feedback)."""
        nodes, _, _ = self._read(battery_id, principal, (DBP.hasDisassemblyStep,))
        return self._disassembly(nodes[DBP.hasDisassemblyStep], renumber=False)

    def hazards(self, battery_id: str, principal: Principal) -> Hazards:
        links = (DBP.hasHazard, DBP.hasDamageAssessment, DBP.hasThermalRiskAlert,
                 DBP.hasThermalRiskTrigger)
        nodes, derived_at, _ = self._read(battery_id, principal, links)
        return Hazards(battery=battery_id, derivedAt=derived_at,
                       hazards=self._hazards(nodes[DBP.hasHazard]),
                       damage=self._damage(nodes[DBP.hasDamageAssessment]),
                       thermalRisk=self._thermal(nodes[DBP.hasThermalRiskAlert],
                                                 nodes[DBP.hasThermalRiskTrigger]))

    def isolation(self, battery_id: str, principal: Principal,
                  pathway: str | None = None) -> IsolationSteps:
        links = (DBP.hasIsolationStep, DBP.hasPathwayOption)
        nodes, derived_at, _ = self._read(battery_id, principal, links)
        option, choice = self._choose(nodes[DBP.hasPathwayOption], pathway)
        return IsolationSteps(battery=battery_id, derivedAt=derived_at, pathway=choice,
                              steps=self._isolation(_for(nodes[DBP.hasIsolationStep], option)))

    def tools(self, battery_id: str, principal: Principal, pathway: str | None = None) -> Tools:
        nodes, derived_at, _ = self._read(battery_id, principal,
                                          (DBP.requiresTool, DBP.hasPathwayOption))
        option, choice = self._choose(nodes[DBP.hasPathwayOption], pathway)
        return Tools(battery=battery_id, derivedAt=derived_at, pathway=choice,
                     tools=self._tools(_for(nodes[DBP.requiresTool], option)))

    def ppe(self, battery_id: str, principal: Principal) -> Ppe:
        nodes, derived_at, _ = self._read(battery_id, principal, (DBP.hasPPERequirement,))
        return Ppe(battery=battery_id, derivedAt=derived_at,
                   ppe=self._ppe(nodes[DBP.hasPPERequirement]))

    def pathway(self, battery_id: str, principal: Principal) -> Pathway:
        """Options ranked first (by dbp:rank), then the unknown ones, then the ineligible ones
        (by score, IRI); each with what it is decided by."""
        nodes, derived_at, rules = self._read(battery_id, principal, PATHWAY_LINKS)
        battery = self.reader.minter.battery(battery_id)
        yields = group_properties(self.reader.select(
            "pathway-yields", self.reader.dataset(principal), b=battery))
        unknowns = self._unknowns(nodes[DBP.hasUnknown])
        options = []
        for iri, props in nodes[DBP.hasPathwayOption].items():
            option_yields = [self._yield(y, yields.get(y, {}))
                             for y in props.get(DBP.hasExpectedYield, [])]
            option_yields.sort(key=lambda y: (y.substance.label or "" if y.substance else "",
                                              y.iri))
            options.append(PathwayOptionOut(
                iri=str(iri), key=local_name(str(iri)),
                pathway=self.reader.concept(first(props, DBP.pathway)),
                treatmentProcess=self.reader.concept(first(props, DBP.treatmentProcess)),
                eligibility=self.reader.concept(first(props, DBP.eligibility)),
                eligible=py(first(props, DBP.eligible)) is True,
                score=number(first(props, DBP.score)), rank=integer(first(props, DBP.rank)),
                rationale=_join(props.get(DBP.rationale)),
                estimatedMinutes=number(first(props, DBP.estimatedMinutes)),
                estimatedCostEur=number(first(props, DBP.estimatedCostEur)),
                estimateSource=_join(props.get(DBP.estimateSource)),
                parameters=_strings(props.get(DBP.usesParameter)),
                unknowns=[u for u in unknowns if str(iri) in u.affects],
                yields=option_yields,
            ))
        order = {ELIGIBLE: 0, UNKNOWN: 1}
        options.sort(key=lambda o: (o.rank is None,
                                    order.get(URIRef(o.eligibility.iri), 2) if o.eligibility else 2,
                                    o.rank or 0, -(o.score or 0), o.iri))
        deep = None
        for dd_iri, dd in nodes[DBP.hasDeepDischargeAssessment].items():
            deep = DeepDischargeOut(
                iri=str(dd_iri), eventCount=integer(first(dd, DBP.eventCount)),
                testResult=text(first(dd, DBP.testResult)),
                internalResistanceIncrease=number(first(dd, DBP.internalResistanceIncrease)),
                rationale=_join(dd.get(DBP.rationale)))
        spread = next((_join(p.get(DBP.rationale))
                       for p in nodes[DBP.hasCellSohSpread].values()), None)
        return Pathway(battery=battery_id, derivedAt=derived_at, rules=rules, options=options,
                       modules=self._modules(nodes[DBP.hasModuleAssessment]),
                       deepDischarge=deep, cellSohSpread=spread)

    def _choose(self, options: dict[Node, Props], requested: str | None
                ) -> tuple[URIRef, PathwayChoice]:
        keyed = {local_name(str(iri)): (iri, props) for iri, props in options.items()}
        if not keyed:
            raise NotDerived("(no pathway options derived)")
        if requested is None:
            ranked = sorted(((integer(first(p, DBP.rank)), key) for key, (_, p) in keyed.items()
                             if first(p, DBP.rank) is not None), key=lambda r: (r[0] or 0, r[1]))
            key, chosen_by = ranked[0][1], "top-ranked"
        else:
            key, chosen_by = requested.strip(), "requested"
            if key not in keyed:
                raise UnknownPathway(key, sorted(keyed))
            props = keyed[key][1]
            if first(props, DBP.eligibility) not in (ELIGIBLE, UNKNOWN):
                raise PathwayNotApplicable(key, _join(props.get(DBP.rationale)),
                                           _allowed(options))
        iri, props = keyed[key]
        return URIRef(str(iri)), PathwayChoice(
            key=key, iri=str(iri), pathway=self.reader.concept(first(props, DBP.pathway)),
            treatmentProcess=self.reader.concept(first(props, DBP.treatmentProcess)),
            eligibility=self.reader.concept(first(props, DBP.eligibility)),
            rank=integer(first(props, DBP.rank)), rationale=_join(props.get(DBP.rationale)),
            chosenBy=chosen_by)

    # -- RDF views (content negotiation) -----------------------------------------------------
    def procedure_graph(self, battery_id: str, principal: Principal) -> Graph:
        return self._graph(battery_id, principal, PROCEDURE_LINKS)

    def pathway_graph(self, battery_id: str, principal: Principal) -> Graph:
        return self._graph(battery_id, principal, PATHWAY_LINKS)

    def _graph(self, battery_id: str, principal: Principal, links: tuple[URIRef, ...]) -> Graph:
        battery = self._check(battery_id, principal)
        dataset = self.reader.dataset(principal)
        graph = self.reader.construct("derived-nodes-graph", dataset, b=battery,
                                      link=list(links))
        if len(graph) == 0:
            raise NotDerived(battery_id)
        parts = ["derivation-activity-graph", "derivation-rules-graph"]
        if DBP.hasPathwayOption in links:
            parts.append("pathway-yields-graph")
        for query in parts:
            graph += self.reader.construct(query, dataset, b=battery)
        return bind_prefixes(graph)

    # -- explanations ------------------------------------------------------------------------
    def explain(self, node: str, principal: Principal) -> Explanation:
        iri, battery_id = self._explained_node(node, principal)
        dataset = self.reader.dataset(principal)
        props = self.reader.properties(iri, dataset)
        if DBP.derivedByRule not in props:
            raise DerivedNodeNotFound(str(iri))
        statements = _statements(iri, props)
        rules = self._rule_explanations(iri, dataset)
        activity = first(props, PROV.wasGeneratedBy)
        derived_at = None
        if isinstance(activity, URIRef):
            act = self.reader.properties(activity, dataset)
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
            for row in self.reader.select("node-properties", dataset, s=rule_iri):
                graph.add((rule_iri, row["p"], row["o"]))
        if explanation.activity and explanation.derivedAt:
            activity = URIRef(explanation.activity)
            graph.add((activity, RDF.type, PROV.Activity))
            for row in self.reader.select("node-properties", dataset, s=activity):
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
        for row in self.reader.select("derived-node-rules", dataset, node=iri):
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
        for row in self.reader.select("derived-node-sources", dataset, node=iri):
            via.setdefault(row["src"], set()).add(str(row["via"]))
        facts = []
        for source, links in via.items():
            props = self.reader.properties(source, dataset)
            triples = [(source, p, o) for p, values in props.items() for o in values]
            # An EMMO quantity's value sits on its numerical part: show it with the quantity.
            for part in props.get(HAS_NUMERICAL_PART, []):
                triples.extend((part, p, o) for p, values in self.reader.properties(part, dataset)
                               .items() for o in values)
            triples.sort(key=lambda t: tuple(str(x) for x in t))
            facts.append(SourceFact(
                iri=str(source), via=sorted(links), derived=DBP.derivedByRule in props,
                statements=[Statement(subject=str(s), predicate=str(p), object=term_model(o))
                            for s, p, o in triples],
            ))
        return sorted(facts, key=lambda f: f.iri)

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
        rows = self.reader.select("derived-nodes", dataset, b=battery, link=list(links))
        by_link: dict[Node, list[dict[str, Node]]] = {}
        for row in rows:
            by_link.setdefault(row["link"], []).append(row)
        for link, link_rows in by_link.items():
            nodes[link] = group_properties(link_rows)  # type: ignore[index]
        return nodes, derived_at, rules

    def _activity(self, battery: URIRef, battery_id: str, dataset
                  ) -> tuple[str | None, list[RuleRef]]:
        rows = [row for row in self.reader.select("derivation-activity", dataset, b=battery)
                if row["type"] == DBP.Derivation]
        if not rows:
            raise NotDerived(battery_id)
        ended = max((str(r["ended"]) for r in rows if "ended" in r), default=None)
        used = {row["rule"] for row in
                self.reader.select("derivation-used-rules", dataset, b=battery)}
        rules = {
            str(row["rule"]): RuleRef(iri=str(row["rule"]), id=str(row["ruleId"]),
                                      hash=str(row["hash"]), stratum=integer(row["stratum"]))
            for row in self.reader.select("rule-versions", dataset, rule=list(used))
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
                         parameters=_strings(p.get(DBP.usesParameter)),
                         sources=_strings(p.get(PROV.wasDerivedFrom)))
                 for iri, p in nodes.items()]
        return sorted(items, key=lambda i: (i.tool.id if i.tool else "", i.detail or "", i.iri))

    def _isolation(self, nodes: dict[Node, Props]) -> list[IsolationStepOut]:
        steps = [
            IsolationStepOut(
                iri=str(iri), sequence=integer(first(p, DBP.sequence)),
                holdPoint=DBP.HoldPoint in p.get(RDF.type, []),
                instruction=_join(p.get(DBP.instruction)),
                tools=self.reader.concepts(p.get(DBP.usesTool, [])),
                rationale=_join(p.get(DBP.rationale)), template=text(first(p, DBP.template)),
                parameters=_strings(p.get(DBP.usesParameter)),
            )
            for iri, p in nodes.items()
        ]
        return sorted(steps, key=_sequence_key)

    def _stops(self, nodes: dict[Node, Props]) -> list[StopCriterionOut]:
        items = [StopCriterionOut(iri=str(iri), instruction=_join(p.get(DBP.instruction)),
                                  rationale=_join(p.get(DBP.rationale)),
                                  template=text(first(p, DBP.template)),
                                  parameters=_strings(p.get(DBP.usesParameter)))
                 for iri, p in nodes.items()]
        return sorted(items, key=lambda s: s.iri)

    def _disassembly(self, nodes: dict[Node, Props], renumber: bool = True
                     ) -> list[DisassemblyStepOut]:
        steps = []
        for iri, p in nodes.items():
            destructive = py(first(p, DBP.destructive))
            steps.append(DisassemblyStepOut(
                iri=str(iri), sequence=integer(first(p, DBP.sequence)),
                stepType=self.reader.concept(first(p, DBP.stepType)),
                level=self.reader.concept(first(p, DBP.level)),
                operation=_join(p.get(DBP.operation)),
                targetComponents=_strings(p.get(DBP.targetComponent)),
                viaJoints=_strings(p.get(DBP.viaJoint)),
                tools=self.reader.concepts(p.get(DBP.usesTool, [])),
                assemblyTorquesNm=_numbers(p.get(DBP.assemblyTorqueNm)),
                removalGuidance=_join(p.get(DBP.removalGuidance)),
                forceLimitN=number(first(p, DBP.forceLimitN)),
                heatingLimitC=number(first(p, DBP.heatingLimitC)),
                estimatedMinutes=number(first(p, DBP.estimatedMinutes)),
                estimateSource=_join(p.get(DBP.estimateSource)),
                destructive=destructive if isinstance(destructive, bool) else None,
                cautions=_strings(p.get(DBP.caution)),
                precededBy=_strings(p.get(DBP.precededBy)),
                parameters=_strings(p.get(DBP.usesParameter)),
                rationale=_join(p.get(DBP.rationale)),
            ))
        steps.sort(key=_sequence_key)
        if renumber:
            # The derived sequence orders all steps of the battery; a pathway's procedure is a
            # prefix-closed subset of them (every step's predecessors are in it), numbered 1..n.
            present = {s.iri for s in steps}
            for position, step in enumerate(steps, start=1):
                step.sequence = position
                step.precededBy = [b for b in step.precededBy if b in present]
        return steps

    def _modules(self, nodes: dict[Node, Props]) -> list[ModuleStanding]:
        modules = []
        for iri, p in nodes.items():
            weak, damaged = py(first(p, DBP.weak)), py(first(p, DBP.moduleDamaged))
            modules.append(ModuleStanding(
                iri=str(iri), module=text(first(p, DBP.assessedModule)),
                name=text(first(p, DBP.moduleName)),
                stateOfHealth=number(first(p, DBP.latestStateOfHealth)),
                weak=weak if isinstance(weak, bool) else None,
                damaged=damaged if isinstance(damaged, bool) else None))
        return sorted(modules, key=lambda m: (_natural(m.name or ""), m.iri))

    def _unknowns(self, nodes: dict[Node, Props]) -> list[UnknownOut]:
        items = [UnknownOut(iri=str(iri), inspect=_join(p.get(DBP.inspect)),
                            decidingFacts=self.reader.concepts(p.get(DBP.decidingFact, [])),
                            affects=_strings(p.get(DBP.affects)))
                 for iri, p in nodes.items()]
        return sorted(items, key=lambda u: u.iri)

    def _yield(self, iri: Node, p: Props) -> YieldOut:
        return YieldOut(iri=str(iri),
                        substance=self.reader.concept(first(p, DBP.recoveredSubstance)),
                        contentMassKg=number(first(p, DBP.contentMassKg)),
                        expectedMassKg=number(first(p, DBP.expectedMassKg)),
                        recoveryEfficiency=number(first(p, DBP.recoveryEfficiency)),
                        rationale=_join(p.get(DBP.rationale)))


def _numbers(values: list[Node] | None) -> list[float]:
    return sorted(v for v in (number(x) for x in values or []) if v is not None)


def _scoped(steps: list[DisassemblyStepOut], scopes: dict[Node, Props]
            ) -> list[DisassemblyStepOut]:
    """Narrow the steps the chosen pathway does only in part (dbp:StepScope of that option)."""
    by_step = {str(first(p, DBP.scopedStep)): p for p in scopes.values()}
    for step in steps:
        scope = by_step.get(step.iri)
        if scope is None:
            continue
        step.scope = _join(scope.get(DBP.instruction))
        step.targetComponents = sorted(_strings(scope.get(DBP.targetComponent)))
        minutes = number(first(scope, DBP.estimatedMinutes))
        if minutes is not None:
            step.estimatedMinutes = minutes
            step.estimateSource = _join(scope.get(DBP.estimateSource))
    return steps


def _natural(name: str) -> list[int | str]:
    """Sort key that puts module/2 before module/10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _for(nodes: dict[Node, Props], option: URIRef) -> dict[Node, Props]:
    """The nodes that belong to the procedure of ``option`` (dbp:forPathwayOption)."""
    return {iri: p for iri, p in nodes.items() if option in p.get(DBP.forPathwayOption, [])}


def _allowed(options: dict[Node, Props]) -> list[str]:
    """Keys of the options that have a procedure: eligible, or unknown until a fact is known."""
    return sorted(local_name(str(iri)) for iri, p in options.items()
                  if first(p, DBP.eligibility) in (ELIGIBLE, UNKNOWN))


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

