"""Hostile probe, second round: the command line over a store built for another address, and
over a store a running server holds.

* ``dbp token create`` without --port wrote the default base IRI's ontology graphs into a store
  built for another port; ``dbp organisation put`` (no --port at all) registered the
  organisation under the default base, so for that store it stayed "not registered". The
  commands now take the store's own base IRI, and refuse a different one given explicitly,
  naming both.
* ``dbp import`` while the server held the store printed a RocksDB traceback.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from graph_service.config import Settings
from graph_service.store import open_store
from tests.cli.test_cli import DBP, _serve, run
from tests.conftest import free_port


def run_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``dbp ARGS`` with exactly ``env`` (plus DBP_ENVIRONMENT=test)."""
    return subprocess.run([*DBP, *args], capture_output=True, text=True, timeout=300,
                          env={**env, "DBP_ENVIRONMENT": "test"}, check=False)


@pytest.fixture(scope="module")
def port_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    store = tmp_path_factory.mktemp("hostile2-cli") / "store"
    port = free_port()
    run("demo", "--batteries", "1", "--store", str(store), "--port", str(port))
    return store, port


def _ontology_graphs(store: Path) -> list[str]:
    opened = open_store(Settings(store=str(store)))
    try:
        return sorted(str(g) for g in opened.graphs() if str(g).endswith("graph/ontology"))
    finally:
        opened.close()


def test_cli_without_port_uses_the_stores_own_base_iri(port_store: tuple[Path, int]) -> None:
    store, port = port_store
    base = f"http://127.0.0.1:{port}/"
    env = {k: v for k, v in os.environ.items() if k not in ("DBP_PORT", "DBP_BASE_IRI")}
    made = run_with(env, "token", "create", "--role", "oem", "--org", "acme",
                    "--store", str(store))
    assert made.returncode == 0, made.stderr
    put = run_with(env, "organisation", "put", "acme", "--name", "Acme", "--store", str(store))
    assert put.returncode == 0, put.stderr
    assert f"<{base}id/org/acme>" in put.stdout, put.stdout
    assert _ontology_graphs(store) == [f"{base}graph/ontology"]


def test_cli_with_another_port_is_refused_naming_both_base_iris(
        port_store: tuple[Path, int]) -> None:
    store, port = port_store
    other = port + 1 if port < 65535 else port - 1
    result = run_with({**os.environ, "DBP_PORT": str(other)}, "token", "create", "--role",
                      "admin", "--org", "acme", "--store", str(store))
    assert result.returncode == 2, result.stderr
    assert f"http://127.0.0.1:{port}/" in result.stderr
    assert f"http://127.0.0.1:{other}/" in result.stderr
    assert "Traceback" not in result.stderr
    assert _ontology_graphs(store) == [f"http://127.0.0.1:{port}/graph/ontology"]


def test_cli_import_while_the_server_holds_the_store_is_a_clean_message(
        port_store: tuple[Path, int]) -> None:
    store, port = port_store
    data = Path(__file__).resolve().parent.parent / "data" / "catenax" / "complete.json"
    for _server in _serve(store, "--base-iri", f"http://127.0.0.1:{port}/"):
        result = run("import", "--format", "catenax", "--store", str(store), str(data),
                     check=False)
        assert result.returncode == 3, result.stderr
        assert "in use by another process" in result.stderr
        assert "Traceback" not in result.stderr
