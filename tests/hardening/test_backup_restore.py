"""``dbp backup`` and ``dbp restore``: a demo store backed up, restored to a new path and served
answers like the original; both commands refuse to overwrite, and backup refuses a store that a
running server holds."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import make_settings, start_server

from .conftest import DBP_CLI, cli_env, run_cli

COUNT = ("PREFIX dbp: <https://w3id.org/dbp#> "
         "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b dbp:batteryId ?id }")


def _fails(*args: str) -> str:
    result = subprocess.run([*DBP_CLI, *args], capture_output=True, text=True, env=cli_env(),
                            timeout=300)
    assert result.returncode != 0, result.stdout
    return " ".join((result.stdout + result.stderr).split())


def test_backup_restore_serve(tmp_path: Path) -> None:
    original, backup, restored = tmp_path / "store", tmp_path / "backup", tmp_path / "restored"
    run_cli("demo", "--batteries", "3", "--store", str(original))
    assert "backed up" in run_cli("backup", "--store", str(original), "--to", str(backup)).stdout
    assert "restored" in run_cli("restore", "--from", str(backup), "--store",
                                 str(restored)).stdout

    assert "exists" in _fails("backup", "--store", str(original), "--to", str(backup))
    assert "exists" in _fails("restore", "--from", str(backup), "--store", str(original))
    assert "not a backup" in _fails("restore", "--from", str(tmp_path / "nothing"), "--store",
                                    str(tmp_path / "new"))

    with start_server(make_settings(store=str(restored))) as live:
        with live.client() as client:
            count = client.get("/sparql", params={"query": COUNT},
                               headers={"Accept": "application/sparql-results+json"})
            assert count.status_code == 200, count.text
            assert count.json()["results"]["bindings"][0]["n"]["value"] == "3"
            page = client.get("/batteries/BP-000002/history")
            assert page.status_code == 200, page.text
        # The served store is locked by the server: backup says so instead of failing obscurely.
        refused = _fails("backup", "--store", str(restored), "--to", str(tmp_path / "b2"))
        assert "server running" in refused
