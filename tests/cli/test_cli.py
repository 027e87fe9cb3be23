"""The `dbp` command line, run as a user runs it: a real process over an on-disk store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, QueryBadFormed

from tests.conftest import free_port

DBP = [sys.executable, "-m", "graph_service"]


def run(*args: str, check: bool = True, **kwargs: object) -> subprocess.CompletedProcess:
    env = {**os.environ, "DBP_ENVIRONMENT": "test"}
    result = subprocess.run([*DBP, *args], capture_output=True, text=True, env=env,
                            timeout=300, **kwargs)  # type: ignore[call-overload]
    if check and result.returncode != 0:
        raise AssertionError(f"dbp {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    result = run("demo", "--batteries", "20", "--store", str(store))
    assert "wrote 20 battery passports" in result.stdout
    return store


class Server:
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"


def _serve(store: Path, *extra: str) -> Iterator[Server]:
    port = free_port()
    env = {**os.environ, "DBP_ENVIRONMENT": "test"}
    process = subprocess.Popen([*DBP, "serve", "--store", str(store), "--port", str(port),
                                *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=env)
    server = Server(process, port)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read().decode() if process.stdout else ""
            raise AssertionError(f"dbp serve did not start:\n{output}")
        time.sleep(0.2)
    try:
        yield server
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_demo_then_serve_answers_standard_sparql_clients(demo_store: Path) -> None:
    for server in _serve(demo_store):
        client = SPARQLWrapper(server.sparql)
        client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        client.setReturnFormat(JSON)
        rows = client.query().convert()["results"]["bindings"]
        assert int(rows[0]["n"]["value"]) > 0

        description = httpx.get(server.sparql, headers={"Accept": "text/turtle"})
        assert description.status_code == 200
        graph = Graph().parse(data=description.text, format="turtle")
        assert any("sparql-service-description" in str(p) for _, p, _ in graph)

        bad = httpx.get(server.sparql, params={"query": "SELECT WHERE {"})
        assert bad.status_code == 400
        client.setQuery("SELECT WHERE {")
        with pytest.raises(QueryBadFormed):
            client.query()


def _admin_token(store: Path) -> str:
    output = run("token", "create", "--role", "admin", "--org", "cli-test",
                 "--store", str(store)).stdout
    return output.split()[-1]


def _insert(server: Server, token: str) -> int:
    response = httpx.post(server.sparql, data={
        "update": "INSERT DATA { GRAPH <urn:test:g> { <urn:test:s> <urn:test:p> 'cli' } }"},
        headers={"Authorization": f"Bearer {token}"})
    return response.status_code


def test_update_needs_enable_update(tmp_path: Path) -> None:
    store = tmp_path / "store"
    run("demo", "--batteries", "1", "--store", str(store))
    token = _admin_token(store)
    for server in _serve(store):
        assert _insert(server, token) == 403
    for server in _serve(store, "--enable-update"):
        assert _insert(server, token) in (200, 204)
        client = SPARQLWrapper(server.sparql)
        client.addCustomHttpHeader("Authorization", f"Bearer {token}")
        client.setQuery("ASK { GRAPH <urn:test:g> { <urn:test:s> <urn:test:p> 'cli' } }")
        client.setReturnFormat(JSON)
        assert client.query().convert()["boolean"] is True
        # The same update through SPARQLWrapper's own update path.
        client.setMethod(POST)
        client.setQuery("INSERT DATA { GRAPH <urn:test:g> { <urn:test:s2> <urn:test:p> 1 } }")
        try:
            client.query()
        except EndPointInternalError as exc:  # pragma: no cover - a 5xx is a bug
            raise AssertionError(exc) from exc


def test_query_prints_a_readable_table_and_json(demo_store: Path) -> None:
    sparql = ("PREFIX dbp: <https://w3id.org/dbp#> SELECT ?id WHERE { ?b dbp:batteryId ?id } "
              "ORDER BY ?id LIMIT 3")
    table = run("query", "--store", str(demo_store), sparql).stdout
    assert "BP-000001" in table and "BP-000003" in table
    as_json = run("query", "--store", str(demo_store), "--format", "json", sparql).stdout
    rows = json.loads(as_json)["results"]["bindings"]
    assert [r["id"]["value"] for r in rows] == ["BP-000001", "BP-000002", "BP-000003"]


def test_query_from_file_and_syntax_error(demo_store: Path, tmp_path: Path) -> None:
    query_file = tmp_path / "q.rq"
    query_file.write_text("ASK { ?s ?p ?o }")
    assert "true" in run("query", "--store", str(demo_store), f"@{query_file}").stdout.lower()
    bad = run("query", "--store", str(demo_store), "SELECT WHERE {", check=False)
    assert bad.returncode != 0
    assert "line" in (bad.stderr + bad.stdout).lower()
    assert "Traceback" not in bad.stderr


def test_load_reports_triples_and_rate_and_dump_round_trips(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = tmp_path / "extra.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> , <urn:d> .\n")
    result = run("load", "--store", str(store), "--graph", "urn:graph:extra", str(data))
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("loaded 2 triples") and "triples/s" in last
    dump = run("dump", "--store", str(store), "--format", "nquads").stdout
    assert "<urn:a> <urn:b> <urn:c> <urn:graph:extra> ." in dump


def test_load_rejects_malformed_rdf_without_storing_anything(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = tmp_path / "broken.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> \n")
    result = run("load", "--store", str(store), "--graph", "urn:graph:x", str(data), check=False)
    assert result.returncode != 0
    assert "broken.ttl" in result.stderr and "Traceback" not in result.stderr
    dump = run("dump", "--store", str(store), "--format", "nquads").stdout
    assert "urn:graph:x" not in dump


def test_raw_load_of_triples_without_a_graph_is_refused(tmp_path: Path) -> None:
    """They would land in the engine's own default graph, which no query reads (issue 18,
    finding 8: the default graph is the merge of the views)."""
    store = tmp_path / "store"
    data = tmp_path / "extra.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n")
    result = run("load", "--store", str(store), "--raw", str(data), check=False)
    assert result.returncode != 0
    assert "--graph" in result.stderr and "Traceback" not in result.stderr
    quads = tmp_path / "extra.nq"
    quads.write_text("<urn:a> <urn:b> <urn:c> <urn:graph:raw> .\n")
    run("load", "--store", str(store), "--raw", str(quads))
    dump = run("dump", "--store", str(store), "--format", "nquads").stdout
    assert "<urn:a> <urn:b> <urn:c> <urn:graph:raw> ." in dump
    assert "<urn:a> <urn:b> <urn:c> .\n" not in dump


def test_validate_reports_violations_and_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("""
        @prefix dbp: <https://w3id.org/dbp#> .
        <http://127.0.0.1:8000/id/battery/X1>
            a <https://w3id.org/emmo/domain/battery#battery_be3b35a7_75a3_4be0_9265_beb178ea7b00> ;
            dbp:batteryId "X1" ; dbp:manufacturingDate "yesterday" .
    """)
    result = run("validate", "--store", str(tmp_path / "s"), str(bad), check=False)
    assert result.returncode != 0
    assert "manufacturing date" in (result.stdout + result.stderr)


def test_token_lifecycle(tmp_path: Path) -> None:
    store = tmp_path / "store"
    created = run("token", "create", "--role", "oem", "--org", "acme", "--store", str(store))
    token = created.stdout.split()[-1]
    assert token.startswith("dbp_")
    listing = run("token", "list", "--store", str(store)).stdout
    assert "oem" in listing and "acme" in listing and token not in listing
    principal = token.split("_")[1]
    run("token", "revoke", principal, "--store", str(store))
    assert "revoked" in run("token", "list", "--store", str(store)).stdout.lower()


def test_import_catenax_and_reject_unusable(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = Path(__file__).resolve().parent.parent / "data" / "catenax"
    run("organisation", "load", str(data / "organisations.ttl"), "--store", str(store))
    good = run("import", "--format", "catenax", "--store", str(store),
               str(data / "complete.json"))
    assert "imported battery CX-EV-0001" in good.stdout and "version 1" in good.stdout
    # every warning is printed with its JSON path
    assert "warning: $.performance.dynamic.negativeEvents[1] (line " in good.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"identification": ')
    result = run("import", "--format", "catenax", "--store", str(store), str(bad), check=False)
    assert result.returncode == 1 and "bad.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_organisations_custody_and_transfers_from_the_command_line(tmp_path: Path) -> None:
    """An operator registers organisations, loads a passport naming them, and hands the
    battery to its operator - the same rules as over HTTP, as the local admin."""
    store = tmp_path / "store"
    data = Path(__file__).resolve().parent.parent / "data"
    created = run("organisation", "put", "rheinvolt", "--name", "Rheinvolt Energy GmbH",
                  "--country", "DE", "--store", str(store))
    assert "created organisation rheinvolt" in created.stdout
    refused = run("organisation", "put", "rheinvolt", "--name", "R", "--country", "Germany",
                  "--store", str(store), check=False)
    assert refused.returncode != 0 and "ISO 3166-1" in refused.stderr
    loaded = run("organisation", "load", str(data / "organisations.ttl"), "--store", str(store))
    assert "organisation record(s) written" in loaded.stdout
    run("load", "--store", str(store), str(data / "valid" / "minimal.ttl"))
    shown = run("custody", "show", "BP-000001", "--store", str(store)).stdout
    assert "manufacturer rheinvolt, operator -" in shown
    moved = run("custody", "transfer", "BP-000001", "--role", "operator", "--to", "voltaris",
                "--store", str(store)).stdout
    assert "operator - -> voltaris" in moved
    assert "operator voltaris" in run("custody", "show", "BP-000001", "--store",
                                      str(store)).stdout
    unknown = run("custody", "transfer", "BP-000001", "--role", "operator", "--to", "nobody",
                  "--store", str(store), check=False)
    assert unknown.returncode != 0 and "not registered" in unknown.stderr
    assert "layout version 1" in run("migrate", "--store", str(store)).stdout


def test_migrate_brings_a_store_written_before_custody_records_up_to_date(tmp_path: Path) -> None:
    """A store from before custody records (no custody graph, no partitions, lineage status in
    the public lineage graph) is migrated by `dbp migrate`, once."""
    from graph_service.container import build_services
    from graph_service.services.access.migration import as_before_custody
    from tests.conftest import make_settings

    store = tmp_path / "store"
    run("demo", "--batteries", "3", "--store", str(store))
    services = build_services(make_settings(store=str(store)))
    before = services.custody.record("BP-000001")
    assert before is not None and before.manufacturer is not None
    as_before_custody(services)
    assert services.custody.record("BP-000001") is None
    services.sparql.shutdown()
    services.store.close()

    migrated = run("migrate", "--store", str(store)).stdout
    assert "migrated the store from layout version 0 to 1" in migrated
    shown = run("custody", "show", "BP-000001", "--store", str(store)).stdout
    assert f"manufacturer {before.manufacturer}," in shown
    again = run("migrate", "--store", str(store)).stdout
    assert "layout version 1; nothing to migrate" in again


def test_import_report_json_lists_every_error_and_warning(tmp_path: Path) -> None:
    store = tmp_path / "store"
    data = Path(__file__).resolve().parent.parent / "data" / "catenax"
    run("organisation", "load", str(data / "organisations.ttl"), "--store", str(store))
    result = run("import", "--format", "catenax", "--store", str(store), "--report", "json",
                 str(data / "nca-performance-ev.json"), str(data / "quirks-off-schema.json"),
                 check=False)
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["accepted"] and first["battery"] == "CX-NCA-7731"
    assert "$['x-oem-signature']" in {w["path"] for w in first["importWarnings"]}
    assert not second["accepted"] and len(second["errors"]) >= 11
    assert all({"path", "message", "line", "column"} <= set(e)
               for e in second["errors"] if e["kind"] == "schema")


def test_export_writes_the_document_or_lists_what_is_missing(tmp_path: Path,
                                                              demo_store: Path) -> None:
    store = tmp_path / "store"
    data = Path(__file__).resolve().parent.parent / "data" / "catenax"
    run("organisation", "load", str(data / "organisations.ttl"), "--store", str(store))
    run("import", "--format", "catenax", "--store", str(store), str(data / "minimal.json"))
    out = tmp_path / "out.json"
    run("export", "CX-ESS-0002", "--format", "catenax", "--store", str(store), "--out", str(out))
    assert json.loads(out.read_text())["identification"]["idDmc"] == "CX-ESS-0002"
    # a demo passport lacks facts the format requires: listed, nothing made up
    refused = run("export", "BP-000001", "--store", str(demo_store), check=False)
    assert refused.returncode == 3 and "missing $.metadata.issueDate" in refused.stderr
    assert refused.stdout == ""
    partial = run("export", "BP-000001", "--store", str(demo_store), "--allow-incomplete",
                  check=False)
    assert partial.returncode == 3 and "PLACEHOLDER" not in partial.stdout
    assert json.loads(partial.stdout)["identification"]["idDmc"] == "BP-000001"
    result = run("export", "CX-ESS-0002", "--format", "battinfo", "--store", str(store),
                 check=False)
    assert result.returncode == 2 and "not yet supported" in result.stderr
    # as Battery Pass aspects: what only a Battery Pass document states is listed as missing
    result = run("export", "CX-ESS-0002", "--format", "batterypass", "--store", str(store),
                 check=False)
    assert result.returncode == 3 and "batteryCarbonFootprint" in result.stderr
    assert result.stdout == ""
