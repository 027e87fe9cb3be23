"""Generate ``docs/annex-xiii.md``: which ontology term carries each passport attribute.

The 93 attributes of DIN DKE SPEC 99100 / the Battery Pass long list v1.2 are resources of
``ontology/annex-xiii.ttl`` (``dbp:PassportAttribute``, linked to our terms by
``dbp:mappedTerm``). This script reads ``ontology/*.ttl`` and ``shapes/quantities.ttl`` and writes
one table row per attribute: the mapped terms, their datatype or allowed units, the access group
the standard requires next to the one our ontology annotates, and the lifecycle stage. Run after
changing the ontology or the quantity shapes; ``tests/ontology/test_annex_xiii.py`` fails when the
file is stale.

    .venv/bin/python scripts/gen_annex_xiii.py
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
QUANTITY_SHAPES = ROOT / "shapes" / "quantities.ttl"
OUTPUT = ROOT / "docs" / "annex-xiii.md"

DBP_NS = "https://w3id.org/dbp#"
ATTRIBUTE_PREFIX = "https://w3id.org/dbp/annex-xiii/attribute-"
ANNEX_ONTOLOGY = URIRef("https://w3id.org/dbp/annex-xiii")


def dbp(name: str) -> URIRef:
    return URIRef(DBP_NS + name)


SH_IN = URIRef(str(SH) + "in")
HAS_MEASUREMENT_UNIT = URIRef("https://w3id.org/emmo#EMMO_bed1d005_b04e_4a90_94cf_02bc678a8569")

PREFIXES = {
    "dbp": DBP_NS,
    "emmo": "https://w3id.org/emmo#",
    "echem": "https://w3id.org/emmo/domain/electrochemistry#",
    "battery": "https://w3id.org/emmo/domain/battery#",
    "chemsub": "https://w3id.org/emmo/domain/chemical-substance#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "schema": "https://schema.org/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}

# EMMO-stack terms that attributes map to: our files use them but do not label or type them.
# IRI -> (skos:prefLabel in the EMMO stack, kind). The test checks both against the merged stack.
EMMO_TERMS: dict[str, tuple[str, str]] = {
    "https://w3id.org/emmo#EMMO_ed4af7ae_63a2_497e_bb88_2309619ea405": ("Mass", "class"),
    "https://w3id.org/emmo#EMMO_66bc9029_f473_45ff_bab9_c3509ff37a22": (
        "CelsiusTemperature", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_9b3b4668_0795_4a35_9965_2af383497a26": ("RatedCapacity", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_639b844a_e801_436b_985d_28926129ead6": ("NominalVoltage", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_534dd59c_904c_45d9_8550_ae9d2eb6bbc9": ("LowerVoltageLimit", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_6dcd5baf_58cd_43f5_a692_51508e036c88": ("UpperVoltageLimit", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_4e6c4e9d_64cb_4c24_a0f3_5b4146ebbeb0": ("MaximumPower", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_c413d29a_b814_4d88_8db0_0fd0171cff11": (
        "RoundTripEnergyEfficiency", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_ae782b14_88ce_4cdd_9418_12aca00be937": ("CycleLife", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_02dc55b3_18a1_438e_bee0_ab77670cb2d5": (
        "EndOfLifeCapacityThreshold", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_a7a4614f_2426_46f3_8475_cda4a9fabfce": ("StateOfHealth", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_8b2aaa50_bbe1_45da_8778_8898326246a2": ("StateOfCharge", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_6d981c04_3ace_4f1b_b0f8_770776cceb6f": ("TotalNumberOfCycles", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_9bf40017_3f58_4030_ada7_cb37a3dfda2d": ("InternalResistance", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_c3e97d58_1854_4c23_bb42_d2972172865e": ("SelfDischargeRate", "class"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_8e9cf965_9f92_46e8_b678_b50410ce3616": (
        "hasPositiveElectrode", "object property"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_5d299271_3f68_494f_ab96_3db9acdd3138": (
        "hasNegativeElectrode", "object property"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_3bd08946_4e81_455d_9fca_dc7a5ead9315": (
        "hasElectrolyte", "object property"),
    "https://w3id.org/emmo/domain/electrochemistry#"
    "electrochemistry_860aa941_5ff9_4452_8a16_7856fad07bee": (
        "hasActiveMaterial", "object property"),
    "https://w3id.org/emmo#EMMO_5ebd5e01_0ed3_49a2_a30d_cd05cbe72978": ("UnitOne", "class"),
}

GROUP_NAMES = {
    dbp("PublicAccess"): "public",
    dbp("LegitimateInterestAccess"): "legitimate interest",
    dbp("AuthorityAccess"): "authorities",
}
GROUP_RANK = {dbp("PublicAccess"): 0, dbp("LegitimateInterestAccess"): 1,
              dbp("AuthorityAccess"): 2}
INHERITED = "inherited"


@dataclass(frozen=True)
class Attribute:
    iri: URIRef
    number: int
    din_section: str
    label: str
    regulation_reference: str
    required_access: URIRef | None
    granularity: str
    static_or_dynamic: str
    terms: tuple[URIRef, ...]


def load_ontology() -> Graph:
    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def load_quantity_shapes() -> Graph:
    graph = Graph()
    graph.parse(QUANTITY_SHAPES, format="turtle")
    return graph


def curie(iri: URIRef | str) -> str:
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return f"<{text}>"


def _text(graph: Graph, subject: URIRef, predicate: URIRef) -> str | None:
    values = sorted(str(v) for v in graph.objects(subject, predicate) if isinstance(v, Literal))
    return values[0] if values else None


_KIND_ORDER = ["object property", "class", "datatype property"]


def _term_sort_key(graph: Graph, term: URIRef) -> tuple[int, int, str]:
    """Links first, then classes, then literal-valued properties; ours before EMMO's."""
    kind = term_kind(graph, term)
    rank = _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)
    return (rank, 0 if str(term).startswith(DBP_NS) else 1, curie(term))


def attributes(graph: Graph) -> list[Attribute]:
    """Every ``dbp:PassportAttribute`` of the ontology, ordered by attribute number."""
    result = []
    for iri in graph.subjects(RDF.type, dbp("PassportAttribute")):
        if not isinstance(iri, URIRef):
            continue
        number = graph.value(iri, dbp("attributeNumber"))
        required = graph.value(iri, dbp("requiredAccess"))
        terms = sorted((t for t in graph.objects(iri, dbp("mappedTerm"))
                        if isinstance(t, URIRef)), key=lambda t: _term_sort_key(graph, t))
        result.append(Attribute(
            iri=iri,
            number=int(number.toPython()) if isinstance(number, Literal) else -1,
            din_section=_text(graph, iri, dbp("dinSection")) or "",
            label=_text(graph, iri, RDFS.label) or "",
            regulation_reference=_text(graph, iri, dbp("regulationReference")) or "",
            required_access=required if isinstance(required, URIRef) else None,
            granularity=_text(graph, iri, dbp("dataGranularity")) or "",
            static_or_dynamic=_text(graph, iri, dbp("staticOrDynamic")) or "",
            terms=tuple(terms),
        ))
    return sorted(result, key=lambda a: (a.number, str(a.iri)))


def term_label(graph: Graph, term: URIRef) -> str:
    label = _text(graph, term, RDFS.label) or _text(graph, term, SKOS.prefLabel)
    if label is not None:
        return label
    if str(term) in EMMO_TERMS:
        return EMMO_TERMS[str(term)][0]
    raise ValueError(f"{curie(term)} has no rdfs:label in ontology/*.ttl and is not in "
                     "EMMO_TERMS of scripts/gen_annex_xiii.py: define the dbp: term, or add the "
                     "EMMO term to EMMO_TERMS with its EMMO skos:prefLabel")


def annotated_group(graph: Graph, term: URIRef) -> URIRef | None:
    """The term's own ``dbp:accessGroup`` (the most restricted one if several)."""
    groups = [g for g in graph.objects(term, dbp("accessGroup")) if g in GROUP_RANK]
    return max(groups, key=lambda g: GROUP_RANK[g]) if groups else None  # type: ignore[index]


def annotated_stage(graph: Graph, term: URIRef) -> str:
    stages = sorted(_text(graph, s, RDFS.label) or curie(s)
                    for s in graph.objects(term, dbp("lifecycleStage")) if isinstance(s, URIRef))
    return ", ".join(stages) if stages else INHERITED


def _superclasses(graph: Graph, cls: URIRef) -> list[URIRef]:
    """``cls`` and its named superclasses known to ``ontology/``, nearest first."""
    order = [cls]
    frontier = [cls]
    while frontier:
        following = []
        for node in frontier:
            for parent in sorted((p for p in graph.objects(node, RDFS.subClassOf)
                                  if isinstance(p, URIRef)), key=str):
                if parent not in order:
                    order.append(parent)
                    following.append(parent)
        frontier = following
    return order


def unit_constraints(shapes: Graph, cls: URIRef) -> list[list[URIRef]]:
    """The ``sh:in`` unit lists of the quantity shapes that target ``cls`` directly."""
    found = []
    for shape in sorted(shapes.subjects(SH.targetClass, cls), key=str):
        for prop in shapes.objects(shape, SH.property):
            if shapes.value(prop, SH.path) != HAS_MEASUREMENT_UNIT:
                continue
            members = shapes.value(prop, SH_IN)
            if members is not None:
                found.append([u for u in Collection(shapes, members) if isinstance(u, URIRef)])
    return found


def allowed_units(graph: Graph, shapes: Graph, cls: URIRef) -> tuple[list[URIRef], URIRef] | None:
    """Units the quantity shapes allow for instances of ``cls`` and the class whose shape set
    them (``cls`` itself or the nearest superclass with a shape), or None without a shape.
    Shapes of every superclass apply too, so the result is their intersection."""
    result: list[URIRef] | None = None
    source: URIRef | None = None
    for ancestor in _superclasses(graph, cls):
        for units in unit_constraints(shapes, ancestor):
            if result is None:
                result, source = list(units), ancestor
            else:
                result = [u for u in result if u in units]
    if result is None or source is None:
        return None
    return result, source


def term_kind(graph: Graph, term: URIRef) -> str:
    if (term, RDF.type, OWL.DatatypeProperty) in graph:
        return "datatype property"
    if (term, RDF.type, OWL.ObjectProperty) in graph:
        return "object property"
    if (term, RDF.type, OWL.Class) in graph:
        return "class"
    if str(term) in EMMO_TERMS:
        return EMMO_TERMS[str(term)][1]
    return "unknown"


def _unit(unit: URIRef) -> str:
    known = EMMO_TERMS.get(str(unit))
    return f"`{curie(unit)}` ({known[0]})" if known else f"`{curie(unit)}`"


def datatype_unit(graph: Graph, shapes: Graph, term: URIRef) -> str:
    kind = term_kind(graph, term)
    if kind == "datatype property":
        range_ = graph.value(term, RDFS.range)
        text = f"`{curie(range_)}`" if isinstance(range_, URIRef) else "literal"
        hints = sorted((f"`{curie(h)}`" if isinstance(h, URIRef) else f'"{h}"')
                       for h in graph.objects(term, dbp("unitHint")))
        return text + (f", unit {', '.join(hints)}" if hints else "")
    if kind == "object property":
        range_ = graph.value(term, RDFS.range)
        return f"object → `{curie(range_)}`" if isinstance(range_, URIRef) else "object"
    if kind == "class":
        units = allowed_units(graph, shapes, term)
        if units is None:
            return "class"
        allowed, source = units
        text = "EMMO quantity, units " + (", ".join(_unit(u) for u in allowed) or "none")
        if source != term:
            text += f" (shape of `{curie(source)}` {term_label(graph, source)})"
        return text
    return "?"


def _cell(values: list[str]) -> str:
    return "<br>".join(v.replace("|", "\\|") for v in values)


def render() -> str:
    graph = load_ontology()
    shapes = load_quantity_shapes()
    items = attributes(graph)
    source = _text(graph, ANNEX_ONTOLOGY, DCTERMS.source) or "ontology/annex-xiii.ttl"
    lines = [
        "# Annex XIII coverage: passport attributes and ontology terms",
        "",
        "<!-- Generated by scripts/gen_annex_xiii.py; do not edit by hand. -->",
        "",
        f"Source of the attribute list: {source}. Its {len(items)} attributes of DIN DKE SPEC "
        "99100:2025-02 detail the passport content of Regulation (EU) 2023/1542 Annex XIII "
        "(with Annexes VI and VII). Each attribute is a `dbp:PassportAttribute` in "
        "`ontology/annex-xiii.ttl`, linked by `dbp:mappedTerm` to the terms of our ontology "
        "(or the EMMO-stack terms it uses) that carry its data. This page is generated from "
        "`ontology/*.ttl` and `shapes/quantities.ttl`; after changing them run "
        "`.venv/bin/python scripts/gen_annex_xiii.py` (`tests/ontology/test_annex_xiii.py` fails "
        "while the page is stale or an attribute has no term). Columns: *datatype / unit* is "
        "the `rdfs:range` and `dbp:unitHint` of a datatype property, the range of an object "
        "property, or for a quantity class the units its SHACL shape in "
        "`shapes/quantities.ttl` allows; *access (standard)* is the access group DIN DKE SPEC "
        "99100 gives (PLI and PLI + Commission = legitimate interest; notified bodies, market "
        "surveillance authorities and the Commission = authorities); *access (ontology)* and "
        "*stage* are the term's `dbp:accessGroup` and `dbp:lifecycleStage` annotations "
        "(\"inherited\": unannotated, the data takes the group and stage of the node that "
        "holds it).",
        "",
        "| # | DIN § | attribute | term(s) | datatype / unit | access (standard) "
        "| access (ontology) | stage |",
        "|---|---|---|---|---|---|---|---|",
    ]
    unmapped = []
    for item in items:
        required = GROUP_NAMES.get(item.required_access, "?") if item.required_access else "?"
        if not item.terms:
            unmapped.append(item)
            terms = datatypes = groups = stages = ["**no term**"]
        else:
            terms = [f"`{curie(t)}` {term_label(graph, t)}" for t in item.terms]
            datatypes = [datatype_unit(graph, shapes, t) for t in item.terms]
            groups = []
            for t in item.terms:
                group = annotated_group(graph, t)
                groups.append(GROUP_NAMES[group] if group is not None else INHERITED)
            stages = [annotated_stage(graph, t) for t in item.terms]
        lines.append(
            f"| {item.number} | {item.din_section} | {_cell([item.label])} | {_cell(terms)} "
            f"| {_cell(datatypes)} | {required} | {_cell(groups)} | {_cell(stages)} |"
        )
    lines.append("")
    if unmapped:
        lines.append("Attributes without a term: "
                     + "; ".join(f"{a.number} {a.label}" for a in unmapped) + ".")
        lines.append("")
    mapped = len(items) - len(unmapped)
    lines.append(f"Coverage: {mapped}/{len(items)} attributes mapped")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {OUTPUT.relative_to(ROOT)}\n")
