"""POST /import, GET /batteries/{id}/export and GET /formats over real HTTP (uvicorn)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import LiveServer

DATA = Path(__file__).resolve().parent.parent / "data" / "catenax"


def test_import_export_and_refusals_over_http(live_server: LiveServer) -> None:
    admin = live_server.client(live_server.token("admin"))
    body = (DATA / "lfp-city-bus.json").read_bytes()
    answer = admin.post("/import", params={"format": "catenax"}, content=body,
                        headers={"Content-Type": "application/json"})
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert report["battery"] == "CX-BUS-LFP-0042" and report["formatVersion"] == "6.1.0"
    assert all({"path", "message", "kind"} <= set(w) for w in report["importWarnings"])

    exported = admin.get("/batteries/CX-BUS-LFP-0042/export", params={"format": "catenax"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/json")
    assert exported.headers["X-Export-Gaps"] == "0"
    assert exported.json()["identification"]["idDmc"] == "CX-BUS-LFP-0042"
    # Negotiated by the one table (api/negotiation.py): a partner document is JSON only.
    assert "Accept" in exported.headers["Vary"]
    url = "/batteries/CX-BUS-LFP-0042/export"
    assert admin.get(url, headers={"Accept": "application/json"}).status_code == 200
    turtle = admin.get(url, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 406 and "application/json" in turtle.json()["detail"]
    head = admin.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["X-Export-Gaps"] == "0"
    assert admin.options(url).headers["Allow"] == "GET, HEAD, OPTIONS"

    # every error at once, 422, with JSON paths and positions
    document = json.loads(body)
    document["identification"]["idDmc"] = "CX-HTTP-BAD"
    document["metadata"]["issueDate"] = "2024-02-30"
    document["identification"]["category"] = "bus"
    refused = admin.post("/import", params={"format": "catenax"},
                         content=json.dumps(document, indent=1).encode())
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["title"] == "Document refused"
    assert {e["path"] for e in problem["errors"] if e["kind"] != "shacl"} == {
        "$.metadata.issueDate", "$.identification.category"}
    assert all(e.get("line") for e in problem["errors"] if e["kind"] != "shacl")

    unreadable = admin.post("/import", params={"format": "catenax"}, content=b'{"a": ')
    assert unreadable.status_code == 400 and unreadable.json()["line"] == 1
    assert admin.post("/import", params={"format": "aas"}, content=body).status_code == 400
    # A Catena-X document sent as Battery Pass is named as no Battery Pass payload.
    wrong = admin.post("/import", params={"format": "batterypass"}, content=body)
    assert wrong.status_code == 422
    assert "no Battery Pass consortium payload" in wrong.json()["errors"][0]["message"]
    not_yet = admin.get("/batteries/CX-BUS-LFP-0042/export", params={"format": "battinfo"})
    assert not_yet.status_code == 400 and "not yet supported" in not_yet.json()["detail"]
    assert admin.get("/batteries/NOPE/export").status_code == 404

    formats = {f["format"]: f for f in admin.get("/formats").json()}
    assert formats["catenax"]["versions"] == ["6.1.0"] and formats["catenax"]["export"]
    assert formats["batterypass"]["import"] and formats["batterypass"]["export"]
    assert formats["batterypass"]["versions"] == ["1.2.0", "1.2.1"]


def test_export_refuses_to_invent_and_can_list_gaps(live_server: LiveServer) -> None:
    from graph_service.services.access import Principal, Role
    from graph_service.services.fleet.demo import demo_passport

    services = live_server.services
    services.ingest.submit_graph(demo_passport(services.minter, 3),
                                 principal=Principal("t", Role.ADMIN))
    admin = live_server.client(live_server.token("admin"))
    from graph_service.services.fleet.demo import battery_id

    battery = battery_id(3)
    refused = admin.get(f"/batteries/{battery}/export")
    assert refused.status_code == 409
    gaps = refused.json()["gaps"]
    assert {"path", "reason", "providedBy"} <= set(gaps[0])
    assert "$.metadata.issueDate" in {g["path"] for g in gaps}

    incomplete = admin.get(f"/batteries/{battery}/export", params={"incomplete": "allow"})
    assert incomplete.status_code == 200
    envelope = incomplete.json()
    assert envelope["complete"] is False and envelope["gaps"] == gaps
    assert "PLACEHOLDER" not in json.dumps(envelope["document"])
    assert int(incomplete.headers["X-Export-Gaps"]) == len(gaps)


def test_partner_documents_are_offered_in_their_own_format_only() -> None:
    import pytest

    from graph_service.api.negotiation import NotAcceptable, choose_document

    json_type, jsonld = "application/json", "application/ld+json"
    for accept in (None, "*/*", json_type, "application/*", f"{json_type}, text/turtle;q=0.5"):
        assert choose_document(accept, json_type).media_type == json_type
    for accept in ("text/turtle", jsonld, "text/html"):
        with pytest.raises(NotAcceptable):
            choose_document(accept, json_type)
    # A JSON-LD format (BattINFO) answers JSON-LD, also to clients that ask for plain JSON.
    for accept in (None, jsonld, json_type):
        assert choose_document(accept, jsonld).media_type == jsonld
    with pytest.raises(NotAcceptable):
        choose_document("text/turtle", jsonld)
