"""A cell design declared once with a count: the hand-written EV pack of docs/examples/ev-pack.json.

Issue 16 (authoring): a 768-cell pack needed every cell listed (4 863 triples, 480 KB, 2.5 s to
submit). A pack or module may now declare its cell design once (dbp:cellDesign, a BattINFO
BatteryCellSpecification with its cathode active material) and dbp:cellCount; individual cells
are listed only where they are tracked. The documented example is plain JSON read through our
context, under 100 lines, submitted here over HTTP and used by validation and the rules.
"""

from __future__ import annotations

import json
from pathlib import Path

from graph_service.config import REPO_ROOT
from graph_service.services.access import Role

EXAMPLE = REPO_ROOT / "docs" / "examples" / "ev-pack.json"
JSON = {"Content-Type": "application/json"}


def test_the_documented_example_is_short_plain_json() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 100
    document = json.loads(text)
    assert "@context" not in document  # plain JSON: our context is applied by the service
    assert document["cellCount"] == 288
    assert "ev-pack.json" in (REPO_ROOT / "docs" / "procedures.md").read_text(encoding="utf-8")


def test_the_example_is_stored_validated_and_derived(live_server) -> None:
    with live_server.client(live_server.token(Role.ADMIN)) as client:
        answer = client.post("/passports", content=EXAMPLE.read_bytes(), headers=JSON)
        assert answer.status_code == 201, answer.text
        result = answer.json()
        assert result["battery"] == "EV-BOLT-0042" and result["committed"] is True
        # 288 cells without listing them: a few hundred triples, not thousands
        assert result["triples"] < 300
        material = client.get("/batteries/EV-BOLT-0042/material").json()
        (batch,) = material["batches"]
        assert batch["cellCount"] == 288
        assert batch["camType"]["id"] == "nmc622"
        pathway = client.get("/batteries/EV-BOLT-0042/pathway").json()
        options = {o["key"]: o for o in pathway["options"]}
        assert options["reuse"]["rank"] == 1
        assert options["recycling-hydrometallurgical"]["yields"], "the CAM traces via the design"
        names = [m["name"] for m in pathway["modules"]]  # natural order: 2 before 10
        assert names[:2] == ["module/1 (S/N M-0001)", "module/2 (S/N M-0002)"]
        assert names[-1] == "module/10 (S/N M-0010)"
        procedure = client.get("/batteries/EV-BOLT-0042/procedure",
                               params={"pathway": "recycling-hydrometallurgical"}).json()
        steps = [s["stepType"]["id"] for s in procedure["disassemblySteps"]]
        assert "release-cell-connections" not in steps  # cell level: cell harvesting only


def edited(change) -> bytes:
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    change(document)
    return json.dumps(document).encode()


def test_a_design_without_a_count_or_more_tracked_cells_than_declared_is_rejected(
        live_server) -> None:
    def no_count(document: dict) -> None:
        del document["hasConstituent"][1]["cellCount"]

    def too_many_cells(document: dict) -> None:
        module = document["hasConstituent"][9]
        module["cellCount"] = 1
        module["hasConstituent"] = [
            {"id": f"id/battery/EV-BOLT-0042/module/10/cell/{n}", "type": "BatteryCell",
             "hasDescription": "id/battery/EV-BOLT-0042/cell-design"} for n in (1, 2)]

    with live_server.client(live_server.token(Role.ADMIN)) as client:
        for change, message in ((no_count, "must state how many cells"),
                                (too_many_cells, "declares 1 cells but lists 2")):
            answer = client.post("/passports", content=edited(change), headers=JSON)
            assert answer.status_code == 422, answer.text
            messages = [v["message"] for v in answer.json()["violations"]]
            assert any(message in m for m in messages), messages
            assert client.get("/batteries/EV-BOLT-0042").status_code == 404


def test_the_example_path_is_repository_relative() -> None:
    assert Path("docs/examples/ev-pack.json") == EXAMPLE.relative_to(REPO_ROOT)
