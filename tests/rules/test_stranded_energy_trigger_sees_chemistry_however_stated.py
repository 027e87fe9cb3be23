"""Unseen-design probe: rule 43's stranded-energy trigger (high state of charge in a chemistry of
high thermal-runaway propensity) read only ``dbp:chemistry``; a passport that states the
chemistry as its cathode material's ``dbp:camType`` or, as BattINFO does, as the material's
chemical-substance class (LiNiMnCoO2) raised no alert, and rule 50 asked for the chemistry as if
it were missing.

Rule 12 now resolves the chemistry from any of the three (the class through the vocabulary's
``skos:closeMatch``, the broadest matching chemistry), and rules 43 and 50 read rule 12's
thermal-runaway hazard: its propensity parameter, and its unknown when no chemistry is stated.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph_service.model.namespaces import DBP
from tests.rules import Outcome, design_graph, local, new_services, submit

DESIGN = "ev-400v-nmc622-flooded"  # NMC622, cathode material typed LiNiMnCoO2 with a camType
SOC = URIRef("http://127.0.0.1:8000/id/battery/ev-400v-nmc622-flooded/usage/1/q/soc")
HAS_NUMERICAL_PART = URIRef("https://w3id.org/emmo#EMMO_8ef3cd6d_ae58_4a8d_9fc0_ad8f49015cd0")
HAS_NUMBER_VALUE = URIRef("https://w3id.org/emmo#EMMO_faf79f53_749d_40b2_807c_d34244c192f4")
BATTERY = "http://127.0.0.1:8000/id/battery/ev-400v-nmc622-flooded"
HAS_CONSTITUENT = URIRef("https://w3id.org/emmo#EMMO_dba27ca1_33c9_4443_a912_1519ce4c39ec")
BATTERY_CELL = URIRef("https://w3id.org/emmo/domain/battery#battery_68ed592a_7924_45d0_a108_94d6275d57f0")
ECHEM = "https://w3id.org/emmo/domain/electrochemistry#electrochemistry_"
HAS_POSITIVE_ELECTRODE = URIRef(ECHEM + "8e9cf965_9f92_46e8_b678_b50410ce3616")
HAS_ACTIVE_MATERIAL = URIRef(ECHEM + "860aa941_5ff9_4452_8a16_7856fad07bee")
POSITIVE_ELECTRODE = URIRef(ECHEM + "aff732a9_238a_4734_977c_b2ba202af126")


def _charged(stated_as: str) -> Graph:
    graph = design_graph(DESIGN)
    number = graph.value(SOC, HAS_NUMERICAL_PART)
    graph.set((number, HAS_NUMBER_VALUE, Literal("80.0", datatype=XSD.decimal)))
    if stated_as in ("cam-type", "battinfo-class"):
        graph.remove((None, DBP.chemistry, None))
    if stated_as == "battinfo-class":
        # only the material's chemical-substance class (LiNiMnCoO2), as a BattINFO document
        graph.remove((None, DBP.camType, None))
        graph.remove((None, RDF.type, DBP.CathodeActiveMaterialBatch))
        (design, cam) = next(iter(graph.subject_objects(DBP.cathodeActiveMaterial)))
        graph.remove((design, DBP.cathodeActiveMaterial, cam))
        module = URIRef(f"{BATTERY}/module/1")
        cell, electrode = URIRef(f"{BATTERY}/cell/1"), URIRef(f"{BATTERY}/cell/1/positive")
        graph.add((module, HAS_CONSTITUENT, cell))
        graph.add((cell, RDF.type, BATTERY_CELL))
        graph.add((cell, HAS_POSITIVE_ELECTRODE, electrode))
        graph.add((electrode, RDF.type, POSITIVE_ELECTRODE))
        graph.add((electrode, HAS_ACTIVE_MATERIAL, cam))
    return graph


@pytest.mark.parametrize("stated_as", ["chemistry", "cam-type", "battinfo-class"])
def test_stranded_energy_in_nmc_raises_the_trigger_however_the_chemistry_is_stated(
        stated_as: str) -> None:
    services = new_services(load_reference_ontologies=False)
    outcome = Outcome(services, submit(services, _charged(stated_as)))
    assert "stranded-energy" in outcome.hazards()
    triggers = {local(t) for t in outcome.nodes(DBP.hasThermalRiskTrigger)}
    assert "stranded-energy" in triggers, (stated_as, triggers)
    # the chemistry is not asked for: it was stated
    assert not [u for u in outcome.nodes(DBP.hasUnknown) if str(u).endswith("/unknown/chemistry")]
    runaway = next(h for h in outcome.nodes(DBP.hasHazard)
                   if local(outcome.value(h, DBP.hazardType)) == "thermal-runaway")
    assert "NMC" in outcome.rationale(runaway)
