"""``python -m bench --smoke`` runs end to end and writes a complete report.

Behaviour only: every section is there and every engine returned the same row count for every
query. Timings are never asserted (they are reported in docs/benchmarks.md).
"""

from __future__ import annotations

import json

import pytest

from bench.run import main
from bench.servers import oxigraph_executable

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(oxigraph_executable() is None,
                       reason="the `oxigraph` executable is not installed (pip install oxigraph)"),
]

SECTIONS = [
    "## Goals",
    "## How it was measured",
    "### SPARQL, memory stores",
    "Sequential (one client):",
    "8 concurrent clients:",
    "### HTTP layer overhead",
    "### Writes and rules",
    "## Large fleet vs small fleet",
    "## Bulk import with validation",
    "## SHACL: our engine vs pySHACL",
    "## Ingest: blank-node labelling and document limits",
    "## Memory (RSS of each server process, psutil)",
    "## Profile:",
    "## Not measured here",
]


@pytest.fixture(scope="module")
def smoke_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str]:
    pytest.importorskip("rdflib_endpoint")
    out = tmp_path_factory.mktemp("bench")
    code = main(["--smoke", "--out", str(out), "--workdir", str(out / "work")])
    data = json.loads((out / "benchmarks.json").read_text(encoding="utf-8"))
    return code, data, (out / "benchmarks.md").read_text(encoding="utf-8")


def test_smoke_run_succeeds(smoke_report: tuple[int, dict, str]) -> None:
    code, data, _ = smoke_report
    assert code == 0
    assert data["meta"]["mode"] == "smoke"
    assert data["meta"]["sizes_run"] == [3, 6]
    assert all("error" not in size for size in data["sizes"])


def test_report_has_every_section(smoke_report: tuple[int, dict, str]) -> None:
    _, data, text = smoke_report
    for heading in SECTIONS:
        assert heading in text, heading
    for key in ("cpu_count", "ram_gb", "python", "packages"):
        assert data["meta"]["machine"][key]
    assert data["meta"]["date"]
    assert data["goals"]
    assert data["size_ratios"]["6/3"]["ingest_post_p50"] is not None
    assert data["ingest_bulk"]["passports_per_s"] > 0
    assert data["shacl"]["passports"]["1"]["pyshacl"]["n"] >= 1


def test_row_counts_match_across_engines(smoke_report: tuple[int, dict, str]) -> None:
    _, data, _ = smoke_report
    keys = {q["key"] for q in data["queries"]}
    assert len(keys) >= 6
    engines_seen: set[str] = set()
    for size in data["sizes"]:
        section = size["storage"]["memory"]
        assert set(section["rows"]) == keys
        for key, rows in section["rows"].items():
            assert rows["match"], (size["batteries"], key, rows)
            assert "errors" not in rows, rows
            counts = {k: v for k, v in rows.items() if k != "match"}
            assert len(set(counts.values())) == 1, (key, counts)
            engines_seen.update(counts)
        for key in keys:
            for engine in ("ours", "oxigraph"):
                assert section["sequential"][key][engine]["n"] >= 1
                assert section["concurrent"][key][engine]["n"] >= 1
    assert {"in-process", "ours", "oxigraph", "rdflib-endpoint"} <= engines_seen


def test_every_size_measured_writes_and_rules(smoke_report: tuple[int, dict, str]) -> None:
    _, data, _ = smoke_report
    for size in data["sizes"]:
        assert size["ingest_http"]["n"] >= 1, size["ingest_http"]
        assert size["rules"]["n"] >= 1
        assert size["http_overhead"]["median_added_ms"] is not None
        for route in ("procedure", "pathway"):
            entry = size["routes"][route]
            assert "error" not in entry, entry
            assert "note" in entry or entry["n"] >= 1
        servers = size["storage"]["memory"]["servers"]
        assert servers["ours"]["rss_peak_mb"] > 0


def test_scale_section_measures_each_stored_size(smoke_report: tuple[int, dict, str]) -> None:
    """The scale section: on-disk stores of 3 and 6 batteries (6 = the 3-battery template and
    renamed copies), writes, derivation, routes and queries on each, ratios to the smallest."""
    _, data, text = smoke_report
    scale = data["scale"]
    assert [e["batteries"] for e in scale["sizes"]] == [3, 6]
    for entry in scale["sizes"]:
        assert "error" not in entry, entry
        assert entry["write_in_process"]["n"] >= 1
        assert entry["derivation"]["n"] >= 1
        assert entry["http"]["post_passports"]["n"] >= 1, entry["http"]
        assert entry["http"]["procedure"]["n"] >= 1, entry["http"]
        assert entry["queries"]["point-lookup"]["rows"] == 1
    # Above --scale-fleet-queries-up-to (3 in smoke mode) fleet-wide queries are skipped, noted.
    assert scale["sizes"][0]["queries"]["soh-by-chemistry"]["n"] >= 1
    assert "not run above" in scale["sizes"][1]["queries"]["soh-by-chemistry"]["note"]
    assert scale["sizes"][1]["queries"]["pack-modules-cells"]["n"] >= 1
    # Copies are whole batteries: 6 stored batteries hold more quads than 3.
    assert scale["sizes"][1]["fill"]["quads"] > scale["sizes"][0]["fill"]["quads"]
    assert scale["ratios"]["6/3"]["derivation"] is not None
    assert "## Scale" in text
    assert any("6/3 batteries stored" in g["goal"] for g in data["goals"])


def test_a_section_measured_in_a_run_of_its_own_is_merged_with_that_run(
        smoke_report: tuple[int, dict, str], tmp_path) -> None:
    _, data, _ = smoke_report
    assert data["fleet"]["sizes"]  # the smoke run measures the fleet section too
    measured = tmp_path / "fleet-run.json"
    measured.write_text(json.dumps(data), encoding="utf-8")
    into = tmp_path / "benchmarks.json"
    into.write_text(json.dumps({k: v for k, v in data.items() if k != "fleet"}),
                    encoding="utf-8")
    assert main(["--merge", "fleet", str(measured), str(into)]) == 0
    merged = json.loads(into.read_text(encoding="utf-8"))
    assert merged["fleet"]["sizes"] == data["fleet"]["sizes"]
    assert merged["fleet"]["run"]["date"] == data["meta"]["date"]
    text = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert "## Fleet queries" in text
    assert f"Measured in a separate run: {data['meta']['date']}" in text
    assert "| fleet query soh-by-chemistry < 2 s, embedded, 6 batteries" in text
    # a section the other run does not have is refused, nothing rewritten
    assert main(["--merge", "no-such-section", str(measured), str(into)]) == 1


def test_a_fleet_size_above_the_embedded_limit_runs_on_virtuoso_and_merges_beside_the_others(
        smoke_report: tuple[int, dict, str], tmp_path) -> None:
    """Issue 17: 100 000 batteries do not fit this machine's disk as an embedded store, so a
    size above --fleet-embedded-up-to runs on Virtuoso alone, in a run of its own, and is merged
    beside the sizes measured earlier (each keeps the run it comes from)."""
    from tests.support.virtuoso_server import virtuoso_executables

    if virtuoso_executables() is None:
        pytest.skip("virtuoso-t not installed (make virtuoso)")
    _, data, _ = smoke_report
    out = tmp_path / "large"
    assert main(["--smoke", "--sizes", "none", "--scale-sizes", "none", "--no-shacl",
                 "--fleet-queries", "9", "--fleet-embedded-up-to", "6", "--bulk-import", "0",
                 "--out", str(out), "--workdir", str(out / "work")]) == 0
    large = json.loads((out / "benchmarks.json").read_text(encoding="utf-8"))
    [entry] = large["fleet"]["sizes"]
    assert entry["batteries"] == 9 and entry["fill"]["embedded"] is False
    assert entry["fill"]["quads"] > 0 and "quads" in entry["virtuoso"], entry["virtuoso"]
    for key, styles in entry["queries"].items():
        for style in ("detailed", "summary"):
            assert set(styles[style]) == {"virtuoso", "rows_match"}, (key, style)
            assert styles[style]["virtuoso"]["rows"] is not None, (key, style)
    # The summary overview has one row per battery: all 9 were loaded into Virtuoso.
    assert entry["queries"]["overview"]["summary"]["virtuoso"]["rows"] == 9
    # No embedded goal is claimed for a size the embedded store did not run.
    assert not any("embedded, 9 batteries" in goal["goal"] for goal in large["goals"])

    into = tmp_path / "benchmarks.json"
    into.write_text(json.dumps(data), encoding="utf-8")  # holds the fleet section at 6
    assert main(["--merge", "fleet", str(out / "benchmarks.json"), str(into)]) == 0
    merged = json.loads(into.read_text(encoding="utf-8"))["fleet"]
    assert [size["batteries"] for size in merged["sizes"]] == [6, 9]
    assert merged["sizes"][1]["run"]["date"] == large["meta"]["date"]
    assert merged["bulk_import"] == data["fleet"]["bulk_import"]  # kept from the earlier run
    text = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert "only Virtuoso ran" in text
    assert "| fleet query overview < 2 s, Virtuoso 7, 9 batteries" in text
    assert "| fleet query overview < 2 s, embedded, 6 batteries" in text
