"""Helpers for the hardening tests: the service as a real process, and demo passports as bodies.

``ServedStore`` runs ``python -m graph_service serve`` on an on-disk store, exactly as an operator
starts it, so a test can SIGKILL it and start it again on the same store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from rdflib import Graph, Literal, URIRef

from graph_service.model.iris import IriMinter
from graph_service.services.fleet.demo import battery_id, demo_organisation_records, demo_passport
from tests.conftest import free_port

BASE_IRI = "http://127.0.0.1:8000/"
MINTER = IriMinter(BASE_IRI)
DBP_CLI = [sys.executable, "-m", "graph_service"]
HIGH_VOLTAGE_LIMIT = 60.0  # rules/parameters.ttl, param:high-voltage-limit


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBP_")}
    env.update({"DBP_ENVIRONMENT": "test", "DBP_BASE_IRI": BASE_IRI, **extra})
    return env


def run_cli(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    result = subprocess.run([*DBP_CLI, *args], capture_output=True, text=True,
                            env=cli_env(**extra_env), timeout=300)
    if result.returncode != 0:
        raise AssertionError(f"dbp {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def create_admin_token(store: Path) -> str:
    """``dbp token create`` prints the token as the last word of its output. The demo
    organisations are registered with it (``dbp organisation load``): passports only name
    registered organisations."""
    records = store.parent / "demo-organisations.ttl"
    records.write_text(demo_organisation_records(MINTER).serialize(format="turtle"),
                       encoding="utf-8")
    run_cli("organisation", "load", str(records), "--store", str(store))
    result = run_cli("token", "create", "--role", "admin", "--org", "ops", "--store", str(store))
    return result.stdout.split()[-1]


class ServedStore:
    """``python -m graph_service serve --store PATH --port P`` as a child process."""

    def __init__(self, store: Path, log_dir: Path, **extra_env: str) -> None:
        self.store = store
        self.log_dir = log_dir
        self.extra_env = extra_env
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> None:
        self.starts += 1
        log = open(self.log_dir / f"serve-{self.port}-{self.starts}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [*DBP_CLI, "serve", "--store", str(self.store), "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, env=cli_env(**self.extra_env))
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n"
                                     f"{self.log_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the server did not start within {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        path = self.log_dir / f"serve-{self.port}-{self.starts}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no flush - a crash."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def passport_body(index: int) -> bytes:
    return demo_passport(MINTER, index).serialize(format="turtle").encode()


def passport_graph(index: int) -> Graph:
    return demo_passport(MINTER, index)


def is_high_voltage(graph: Graph, index: int) -> bool:
    """The demo pack's nominal voltage (the quantity node the rules read) above the class-B
    limit."""
    battery = MINTER.battery(battery_id(index))
    value = URIRef(f"{battery}/q/nominal-voltage/value")
    numbers = [o.toPython() for o in graph.objects(value, None) if isinstance(o, Literal)]
    assert numbers, f"no nominal voltage in demo passport {index}"
    return float(numbers[0]) > HIGH_VOLTAGE_LIMIT
