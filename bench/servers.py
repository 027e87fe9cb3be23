"""The three SPARQL servers under test, each in its own process on a free loopback port.

* ours: ``python -m bench.serve_ours`` (the real app under uvicorn, store loaded from N-Quads);
* Oxigraph: ``oxigraph serve`` from the PyPI package ``oxigraph``, loaded with the same quads;
* rdflib-endpoint: ``python -m bench.serve_rdflib`` (an rdflib Dataset behind FastAPI).

Every server runs in a separate process, so client threads of the benchmark never share a GIL
with the server they measure. Processes are stopped by their own handle, never by name.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent


class ServerError(RuntimeError):
    """A server did not start, or exited."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_executable() -> str | None:
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which("oxigraph")


class RssSampler:
    """Samples a process's resident set size every ``interval`` seconds; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{pid}", daemon=True)
        self._thread.start()

    def current(self) -> int:
        try:
            rss = self.process.memory_info().rss
        except psutil.Error:
            return 0
        self.peak = max(self.peak, rss)
        return rss

    def high_water_mark(self) -> int:
        """The kernel's peak RSS (VmHWM) where available, else the sampled peak."""
        try:
            with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return max(self.peak, int(line.split()[1]) * 1024)
        except OSError:
            pass
        return self.peak

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.current()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


@dataclass
class Server:
    """A running SPARQL server process."""

    name: str
    url: str  # base URL, no trailing slash
    query_path: str
    process: subprocess.Popen[bytes]
    log_path: Path
    # Request parameters every query gets (Oxigraph: the default graphs of the dataset).
    params: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    sampler: RssSampler | None = None
    load_seconds: float = 0.0
    rss_after_load: int = 0
    restarts: int = 0

    @property
    def query_url(self) -> str:
        return f"{self.url}{self.query_path}"

    def client(self, timeout: float = 300.0) -> httpx.Client:
        # verify=False: loopback HTTP only, and it saves ~80 ms of TLS setup per client
        return httpx.Client(headers=self.headers, timeout=timeout, verify=False)

    def running(self) -> bool:
        return self.process.poll() is None

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.sampler is not None:
            self.sampler.current()
            self.sampler.stop()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def _spawn(command: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    with log_path.open("wb") as log:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)


def wait_ready(server: Server, probe: str, timeout: float) -> None:
    """Wait until ``GET {url}{probe}`` answers 2xx (the process loads its data first)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5.0, verify=False) as client:
        while True:
            if not server.running():
                raise ServerError(f"{server.name} exited with {server.process.returncode}: "
                                  f"{server.log_tail()}")
            try:
                if client.get(f"{server.url}{probe}").is_success:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                server.stop()
                raise ServerError(f"{server.name} did not answer within {timeout:g} s")
            time.sleep(0.1)


def start_ours(quads: Path, store: str, workdir: Path, *, base_iri: str,
               token: str) -> Server:
    port = free_port()
    log = workdir / f"ours-{port}.log"
    process = _spawn([sys.executable, "-m", "bench.serve_ours", "--quads", str(quads),
                      "--store", store, "--port", str(port), "--base-iri", base_iri], log)
    return Server("ours", f"http://127.0.0.1:{port}", "/sparql", process, log,
                  headers={"Authorization": f"Bearer {token}"},
                  sampler=RssSampler(process.pid))


def start_oxigraph(workdir: Path, *, location: Path | None, default_graphs: list[str]) -> Server:
    executable = oxigraph_executable()
    if executable is None:
        raise ServerError("the `oxigraph` executable was not found (pip install oxigraph)")
    port = free_port()
    log = workdir / f"oxigraph-{port}.log"
    command = [executable, "serve", "--bind", f"127.0.0.1:{port}"]
    if location is not None:
        command += ["--location", str(location)]
    process = _spawn(command, log)
    return Server("oxigraph", f"http://127.0.0.1:{port}", "/query", process, log,
                  params=[("default-graph-uri", g) for g in default_graphs],
                  sampler=RssSampler(process.pid))


def oxigraph_bulk_load(location: Path, quads: Path, log_dir: Path) -> float:
    """``oxigraph load`` into an on-disk store (before ``serve`` opens it)."""
    executable = oxigraph_executable()
    if executable is None:
        raise ServerError("the `oxigraph` executable was not found (pip install oxigraph)")
    started = time.perf_counter()
    with (log_dir / "oxigraph-load.log").open("wb") as log:
        subprocess.run([executable, "load", "--location", str(location), "--file", str(quads),
                        "--format", "nq"], check=True, stdout=log, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def oxigraph_post_store(server: Server, quads: Path) -> None:
    """Load N-Quads into a running (in-memory) ``oxigraph serve`` through its /store endpoint."""
    with quads.open("rb") as body, httpx.Client(timeout=3600, verify=False) as client:
        response = client.post(f"{server.url}/store", content=body,
                               headers={"Content-Type": "application/n-quads"})
    if not response.is_success:
        raise ServerError(f"oxigraph /store answered {response.status_code}: {response.text}")


def start_rdflib(quads: Path, workdir: Path) -> Server:
    port = free_port()
    log = workdir / f"rdflib-{port}.log"
    process = _spawn([sys.executable, "-m", "bench.serve_rdflib", "--quads", str(quads),
                      "--port", str(port)], log)
    return Server("rdflib-endpoint", f"http://127.0.0.1:{port}", "/", process, log,
                  sampler=RssSampler(process.pid))
