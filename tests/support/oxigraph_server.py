"""A real ``oxigraph serve`` process on 127.0.0.1 for tests of the remote store adapter.

The ``oxigraph`` executable comes from the PyPI package ``oxigraph`` (a test dependency); it is
looked up next to the running interpreter first, then on ``PATH``. Tests that need it and cannot
find it are skipped by their fixtures, not failed.

    with running_oxigraph_server(tmp_path) as server:
        store = RemoteStore(server.query_url, server.update_url, server.store_url)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class OxigraphServerUnavailable(RuntimeError):
    """The ``oxigraph`` executable is not installed."""


def oxigraph_executable() -> str | None:
    """Path of the ``oxigraph`` CLI, or ``None`` when it is not installed."""
    names = ("oxigraph.exe", "oxigraph") if os.name == "nt" else ("oxigraph",)
    bin_dir = Path(sys.executable).parent
    for name in names:
        candidate = bin_dir / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OxigraphServer:
    """A running ``oxigraph serve``; ``url`` is its base URL (no trailing slash)."""

    url: str
    location: Path
    process: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    @property
    def store_url(self) -> str:
        """The SPARQL 1.1 Graph Store Protocol endpoint."""
        return f"{self.url}/store"

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)


def _wait_until_ready(server: OxigraphServer, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=2.0) as client:
        while True:
            if not server.is_running():
                raise RuntimeError(
                    f"oxigraph serve exited with {server.process.returncode}: "
                    f"{log_path.read_text(errors='replace')[-2000:]}"
                )
            try:
                response = client.post(
                    server.query_url,
                    data={"query": "ASK {}"},
                    headers={"Accept": "application/sparql-results+json"},
                )
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"oxigraph serve did not answer within {START_TIMEOUT:g} s")
            time.sleep(0.05)


@contextlib.contextmanager
def running_oxigraph_server(tmp_path: Path | None = None) -> Iterator[OxigraphServer]:
    """Start ``oxigraph serve`` on a free loopback port, yield it once it answers, stop it.

    Data is persisted in a fresh directory under ``tmp_path`` (or a private temporary directory
    removed afterwards), so every server starts empty.
    """
    executable = oxigraph_executable()
    if executable is None:
        raise OxigraphServerUnavailable(
            "the `oxigraph` executable was not found (pip install oxigraph)"
        )
    with contextlib.ExitStack() as cleanup:
        if tmp_path is None:
            base = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="oxigraph-")))
        else:
            base = Path(tmp_path)
        server = None
        for attempt in range(3):  # another process may grab the free port before we bind it
            location = Path(tempfile.mkdtemp(prefix="oxigraph-data-", dir=base))
            log_path = location.with_suffix(".log")
            port = _free_port()
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    [executable, "serve", "--location", str(location),
                     "--bind", f"127.0.0.1:{port}"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                )
            candidate = OxigraphServer(f"http://127.0.0.1:{port}", location, process)
            cleanup.callback(candidate.stop)
            try:
                _wait_until_ready(candidate, log_path)
            except RuntimeError:
                candidate.stop()
                if attempt == 2:
                    raise
                continue
            server = candidate
            break
        assert server is not None
        yield server
