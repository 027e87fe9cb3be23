"""``python -m bench.pack_size`` writes grown passports and prints one row per cell count.

Behaviour only: the grown passport lists the cells asked for, conforms and commits (the bench
exits otherwise); timings are printed, never asserted."""

from __future__ import annotations

import pytest
from rdflib.namespace import RDF

from bench.pack_size import grown_passport, main
from bench.run import build
from graph_service.model.namespaces import DBP
from graph_service.model.terms import BATTERY_CELL


def test_grown_passport_lists_every_cell_with_its_material() -> None:
    services = build()
    graph, listed = grown_passport(services, 300)
    cells = set(graph.subjects(RDF.type, BATTERY_CELL))
    assert listed == len(cells) == 300
    pack = services.minter.battery("BP-000001")
    assert int(graph.value(pack, DBP.cellCount)) == 300
    serials = {str(graph.value(cell, DBP.serialNumber)) for cell in cells}
    assert len(serials) == 300


def test_two_sizes_print_a_row_each(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cells", "96", "200"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| cells |")
    assert [row.split(" | ")[0] for row in rows[1:]] == ["| 96", "| 200"]
