"""POST /import with many partner documents (JSON Lines) goes through the bulk pipeline."""

from __future__ import annotations

import json
from pathlib import Path

from graph_service.services.access import Role

DATA = Path(__file__).resolve().parents[2] / "data" / "catenax"


def test_json_lines_import_commits_each_passport_or_reports_why_not(live_server) -> None:
    documents = [json.loads((DATA / name).read_text(encoding="utf-8-sig"))
                 for name in ("complete.json", "minimal.json")]
    body = b"\n".join([json.dumps(documents[0]).encode(), b'{"not": "a passport"',
                       json.dumps(documents[1]).encode(), b""])
    token = live_server.token(Role.ADMIN, "bulk")
    with live_server.client(token) as client:
        response = client.post("/import?format=catenax", content=body,
                               headers={"Content-Type": "application/x-ndjson"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["committed"] == 2 and answer["rejected"] == 1
    outcomes = {d["document"]: d for d in answer["documents"]}
    assert set(outcomes) == {"line 1", "line 2", "line 3"}
    assert outcomes["line 2"]["committed"] is False and outcomes["line 2"]["error"]
    for line in ("line 1", "line 3"):
        assert outcomes[line]["committed"] is True
        assert live_server.services.repository.exists(outcomes[line]["battery"])


def test_json_lines_with_nothing_importable_is_a_422(live_server) -> None:
    token = live_server.token(Role.ADMIN, "bulk")
    with live_server.client(token) as client:
        response = client.post("/import?format=catenax", content=b"[1, 2]\n",
                               headers={"Content-Type": "application/x-ndjson"})
        empty = client.post("/import?format=catenax", content=b"\n\n",
                            headers={"Content-Type": "application/x-ndjson"})
    assert response.status_code == 422
    assert response.json()["documents"][0]["error"]
    assert empty.status_code in (400, 422)
    assert "no document" in empty.text
