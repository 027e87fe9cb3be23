"""Design probe 4, left alone then: the temperature stop criterion (and the temperature trigger)
named the default maximum temperature among the parameters they used even where the passport
states its own maximum - and the limit printed was the passport's. Provenance must name what
decided: the default only where the passport states none.
"""

from __future__ import annotations

import pytest
from rdflib import URIRef

from graph_service.model.namespaces import DBP
from tests.rules import design_path, new_services, submit
from tests.rules.test_raised_thermal_alert_gets_temperature_stop_criterion import (
    DAMAGED,
    HOT,
    _procedures,
    _temperature_stop,
)
from tests.rules.test_unknown_thermal_alert_gets_temperature_stop_criterion import NO_TEMPERATURE

DEFAULT = "https://w3id.org/dbp/param/max-temperature-default"
STATED = "(passport maximum operating temperature)"
ASSUMED = "(default: the passport states no maximum operating temperature)"


@pytest.mark.parametrize("design", [HOT, DAMAGED, NO_TEMPERATURE])
def test_the_default_is_a_parameter_only_where_the_limit_is_the_default(design: str) -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_path(design).read_bytes())
    for procedure in _procedures(services, battery_id):
        (stop,) = _temperature_stop(procedure)
        instruction = stop.instruction or ""
        assert (STATED in instruction) != (ASSUMED in instruction), instruction
        assert (DEFAULT in stop.parameters) == (ASSUMED in instruction), (
            design, stop.parameters, instruction)
    derived = services.store.graph(services.layout.derived(battery_id))
    trigger = URIRef(f"{services.minter.battery(battery_id)}/derived/thermal-trigger/temperature")
    if (trigger, None, None) in derived:
        why = str(derived.value(trigger, DBP.rationale))
        assert ((trigger, DBP.usesParameter, URIRef(DEFAULT)) in derived) == ("default" in why)


def test_the_hot_pack_states_its_maximum_and_names_no_default() -> None:
    services = new_services(load_reference_ontologies=False)
    battery_id = submit(services, design_path(HOT).read_bytes())
    for procedure in _procedures(services, battery_id):
        (stop,) = _temperature_stop(procedure)
        assert DEFAULT not in stop.parameters
