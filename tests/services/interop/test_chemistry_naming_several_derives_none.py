"""Partner-document probe: a chemistry text naming several chemistries was read as the first
one. Catena-X ``identification.chemistry`` "LFP and NMC 622 (hybrid pack)" became dbp:chemistry
lfp without a warning (the rules then judged an NMC pack as LFP); a Battery Pass name did the
same.

A text that names more than one chemistry of our vocabulary derives none: the text is kept
(and exported as received), and a warning at its JSON path names what it names.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.services.interop.substances import chemistry_notation
from tests.services.interop.conftest import ADMIN, DATA, body_of
from tests.services.interop.support import register_partners

BATTERYPASS = Path(__file__).resolve().parents[2] / "data" / "batterypass"
HYBRID = "LFP and NMC 622 (hybrid pack)"


@pytest.mark.parametrize("text", [HYBRID, "NMC/LMO blend", "NMC 622 and NMC 811",
                                  "Sodium-ion and LFP (AB pack)",
                                  "Nickel cobalt manganese aluminium oxide"])
def test_several_chemistries_name_no_one(text: str) -> None:
    notation, note = chemistry_notation(text)
    assert notation is None and note and "more than one chemistry" in note


@pytest.mark.parametrize("text, notation", [
    ("NMC (NMC 622)", "nmc622"), ("Lithium Manganese Iron Phosphate (LMFP)", "lmfp"),
    ("Sodium-ion (sodium iron phosphate cathode)", "sodium-ion"),
    ("Lithium nickel cobalt aluminium oxide", "nca"), ("LiFePO4 / graphite", "lfp")])
def test_one_chemistry_named_several_ways_is_still_read(text: str, notation: str) -> None:
    assert chemistry_notation(text)[0] == notation


def test_catenax_hybrid_chemistry_derives_none(services: Services) -> None:
    document = json.loads((DATA / "complete.json").read_text(encoding="utf-8"))
    document["identification"]["idDmc"] = "CX-HYBRID-CHEMISTRY-1"
    document["identification"]["chemistry"] = HYBRID
    register_partners(services, document)
    result = services.imports.import_document(body_of(document), "catenax", ADMIN)
    assert result.ingest.committed
    bid = result.battery_id
    battery = services.minter.battery(bid)
    assert set(services.imports.stored_graph(bid).objects(battery, DBP.chemistry)) == set()
    [warning] = [w for w in result.warnings if w.path == "$.identification.chemistry"]
    assert "lfp, nmc622" in warning.message and "no dbp:chemistry" in warning.message
    exported = services.imports.export_document(bid, "catenax").document
    assert exported["identification"]["chemistry"] == HYBRID


def test_batterypass_hybrid_chemistry_name_derives_none(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    document = json.loads((BATTERYPASS / "ev-lfp-city-bus.json").read_bytes())
    chemistry = document["MaterialComposition"]["batteryChemistry"]
    chemistry["clearName"] = HYBRID
    result = services.imports.import_document(json.dumps(document).encode(), "batterypass",
                                              ADMIN)
    assert result.ingest.committed
    bid = result.battery_id
    battery = services.minter.battery(bid)
    assert set(services.imports.stored_graph(bid).objects(battery, DBP.chemistry)) == set()
    [warning] = [w for w in result.warnings if "chemistry" in w.message]
    assert warning.path == "$.MaterialComposition.batteryChemistry.clearName"
    assert "lfp, nmc622" in warning.message
    exported = services.imports.export_document(bid, "batterypass").document
    (composition,) = [v for k, v in exported.items() if k.endswith("#MaterialComposition")]
    assert composition["batteryChemistry"]["clearName"] == HYBRID
