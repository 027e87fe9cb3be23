"""Regression (found in the issue 19 review): GET and HEAD /store were one route, so both OpenAPI
operations carried one operationId, and which method it named changed with Python's hash seed.
Client generators key operations by their id: every id must be unique and stable."""

from __future__ import annotations

from collections import Counter


def _operations(server) -> dict[tuple[str, str], str]:
    with server.client() as client:
        document = client.get("/openapi.json")
    assert document.status_code == 200, document.text
    return {(method, path): operation["operationId"]
            for path, item in document.json()["paths"].items()
            for method, operation in item.items()}


def test_every_operation_has_an_id_of_its_own(server) -> None:
    operations = _operations(server)
    repeated = {op: n for op, n in Counter(operations.values()).items() if n > 1}
    assert repeated == {}, repeated


def test_the_graph_store_read_and_its_head_have_ids_that_name_their_method(server) -> None:
    operations = _operations(server)
    assert operations[("get", "/store")].endswith("_get")
    assert operations[("head", "/store")].endswith("_head")
