"""``python -m bench.interop`` measures every format and reports the fields each document keeps.

Behaviour only (timings are reported in docs/benchmarks.md, never asserted)."""

from __future__ import annotations

import pytest

from bench.interop import FORMATS, main, measure, table
from graph_service.config import Settings
from graph_service.services.interop.catenax import tables


def test_one_round_measures_each_format_and_every_document_keeps_its_fields(
        capsys: pytest.CaptureFixture[str]) -> None:
    schema = Settings().passport_models.joinpath(*tables.schema_file("6.1.0"))
    if not schema.is_file():
        pytest.skip("the official Catena-X 6.1.0 JSON schema is not installed")
    result = measure(1)
    assert [entry["format"] for entry in result["formats"]] == [f.name for f in FORMATS]
    catenax = result["formats"][0]
    assert catenax["documents"] >= 11  # the official example and at least ten of ours
    assert catenax["coverage"][0]["document"].startswith("official 6.1.0 example")
    for step in ("map", "import", "export"):
        assert catenax[step]["documents"] == catenax["documents"]
    for document in catenax["coverage"]:
        assert document["preserved"] == document["leaves"] > 100, document
        assert document["changed"] == document["lost"] == document["added"] == 0, document
    batterypass = result["formats"][1]
    assert batterypass["format"] == "batterypass" and batterypass["documents"] >= 10
    for document in batterypass["coverage"]:
        assert document["preserved"] == document["leaves"] > 150, document
        assert document["changed"] == document["lost"] == document["added"] == 0, document
    lines = table(result)
    assert lines[2].startswith("| catenax 6.1.0 | map |")
    assert main(["--rounds", "1", "--format", "catenax"]) == 0
    assert "| official 6.1.0 example (date fixed) | 288 | 288 (100.0%) |" in \
        capsys.readouterr().out
