"""A real Virtuoso 7 (``virtuoso-t``) on 127.0.0.1 with a private database, for the remote store
tests and the benchmark.

The executable comes from Debian's ``virtuoso-opensource-7-bin`` (``make install`` installs it).
Each server gets a fresh database directory, free SQL and HTTP ports on the loopback interface,
a random DBA password and one SPARQL account (``dbp``, roles SPARQL_SELECT and SPARQL_UPDATE)
that the adapter uses over HTTP digest authentication at ``/sparql-auth``. Tests that need it
and cannot find it are skipped by their fixtures, not failed.

    with running_virtuoso_server(tmp_path) as server:
        store = VirtuosoStore(server.query_url, server.update_url, server.store_url,
                              username=server.username, password=server.password)
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from graph_service.store.virtuoso import graph_security_sql

START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
USERNAME = "dbp"

# Settings that make Virtuoso answer like a standard SPARQL endpoint: no row cap (Debian's
# default truncates results at 10 000 rows without saying so), no cost-estimate refusal and no
# server-side execution limit (an exceeded limit returns *partial* results, "anytime queries").
_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 16
CheckpointInterval = 60
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
DirsAllowed = ., {db}, {db}/load
VADInstallDir = {db}/vad
ThreadsPerQuery = {threads}
AsyncQueueMaxThreads = {threads}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = 16
ServerThreads = 16
EnabledDavVSP = 0
HTTPProxyEnabled = 0

[SPARQL]
ResultSetMaxRows = 0
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
DefaultQuery = ASK {{}}
"""


class VirtuosoUnavailable(RuntimeError):
    """``virtuoso-t`` or ``isql-vt`` is not installed."""


def virtuoso_executables() -> tuple[str, str] | None:
    server, client = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, client) if server and client else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class VirtuosoServer:
    """A running Virtuoso; ``url`` is its HTTP base URL (no trailing slash)."""

    url: str
    sql_port: int
    location: Path
    process: subprocess.Popen[bytes]
    isql: str
    dba_password: str
    username: str
    password: str

    @property
    def query_url(self) -> str:
        return f"{self.url}/sparql-auth"

    @property
    def update_url(self) -> str:
        return f"{self.url}/sparql-auth"

    @property
    def store_url(self) -> str:
        """Virtuoso's SPARQL 1.1 Graph Store Protocol endpoint (authenticated)."""
        return f"{self.url}/sparql-graph-crud-auth"

    def is_running(self) -> bool:
        return self.process.poll() is None

    def sql(self, statements: str, timeout: float = 3600) -> str:
        """Run SQL through ``isql-vt`` as DBA (bulk loading, checkpoints); returns its output."""
        completed = subprocess.run(
            [self.isql, f"127.0.0.1:{self.sql_port}", "dba", self.dba_password,
             f"exec={statements}"],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False,
        )
        output = completed.stdout.decode(errors="replace") + completed.stderr.decode(
            errors="replace")
        if completed.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql-vt failed: {output[-2000:]}")
        return output

    def bulk_load_nquads(self, path: Path, *, store_default_graph: str,
                         timeout: float = 24 * 3600) -> None:
        """Load an N-Quads file with Virtuoso's own bulk loader (``ld_dir`` +
        ``rdf_loader_run``, then a checkpoint): the way to fill a large store, far faster than
        SPARQL updates. The file is linked into the database directory (the loader reads only
        from ``DirsAllowed``); triples without a graph go to ``store_default_graph``."""
        target = self.location / "load" / path.name
        target.parent.mkdir(exist_ok=True)
        if not target.exists():
            try:
                target.hardlink_to(path)
            except OSError:
                shutil.copyfile(path, target)
        self.sql(f"ld_dir('{target.parent}', '{path.name}', '{store_default_graph}'); "
                 "rdf_loader_run(); checkpoint;", timeout=timeout)
        errors = self.sql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST "
                          "WHERE ll_error IS NOT NULL;")
        if "0 Rows." not in errors:
            raise RuntimeError(f"the Virtuoso bulk loader reported errors: {errors[-2000:]}")

    def bulk_load_files(self, paths: list[Path], *, store_default_graph: str,
                        loaders: int = 2, timeout: float = 24 * 3600) -> None:
        """Load many N-Quads files (``.nq`` or ``.nq.gz``: the loader decompresses) with
        ``loaders`` bulk-loader threads in parallel, then checkpoint."""
        import concurrent.futures

        directory = self.location / "load"
        directory.mkdir(exist_ok=True)
        for path in paths:
            target = directory / path.name
            if not target.exists():
                try:
                    target.hardlink_to(path)
                except OSError:
                    shutil.copyfile(path, target)
        patterns = sorted({"*.nq.gz" if p.name.endswith(".gz") else "*.nq" for p in paths})
        self.sql("".join(f"ld_dir('{directory}', '{pattern}', '{store_default_graph}'); "
                         for pattern in patterns), timeout=timeout)
        # rdf_loader_run() takes files from the load list until it is empty: several in
        # parallel (separate connections) share the work.
        with concurrent.futures.ThreadPoolExecutor(max(1, loaders)) as pool:
            for future in [pool.submit(self.sql, "rdf_loader_run();", timeout)
                           for _ in range(max(1, loaders))]:
                future.result()
        errors = self.sql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST "
                          "WHERE ll_error IS NOT NULL;")
        if "0 Rows." not in errors and "40001" in errors:
            # Parallel loaders can deadlock on shared rows (SQL state 40001, "Transaction
            # deadlock"): the file's transaction is rolled back. Load those files again, alone
            # (quads already in the store are not duplicated).
            self.sql("UPDATE DB.DBA.LOAD_LIST SET ll_state = 0, ll_error = NULL "
                     "WHERE ll_error LIKE '40001%'; rdf_loader_run();", timeout=timeout)
            errors = self.sql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST "
                              "WHERE ll_error IS NOT NULL;")
        self.sql("checkpoint;", timeout=timeout)
        if "0 Rows." not in errors:
            raise RuntimeError(f"the Virtuoso bulk loader reported errors: {errors[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # Virtuoso checkpoints and exits on SIGTERM
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)


def _wait_until_ready(server: VirtuosoServer, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=2.0) as client:
        while True:
            if not server.is_running():
                raise RuntimeError(
                    f"virtuoso-t exited with {server.process.returncode}: "
                    f"{log_path.read_text(errors='replace')[-2000:]}")
            try:
                response = client.get(f"{server.url}/sparql", params={"query": "ASK {}"},
                                      headers={"Accept": "application/sparql-results+json"})
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"virtuoso-t did not answer within {START_TIMEOUT:g} s")
            time.sleep(0.2)


@contextlib.contextmanager
def running_virtuoso_server(tmp_path: Path | None = None, *, memory_mb: int = 256,
                            threads: int = 2) -> Iterator[VirtuosoServer]:
    """Start Virtuoso on free loopback ports with a fresh database, yield it, stop it.

    ``memory_mb`` sizes the page buffers (about 8.5 KB each; OpenLink advises two thirds of
    the memory meant for Virtuoso).
    """
    executables = virtuoso_executables()
    if executables is None:
        raise VirtuosoUnavailable(
            "virtuoso-t / isql-vt not found (apt-get install virtuoso-opensource-7-bin)")
    executable, isql = executables
    buffers = max(2000, memory_mb * 1024 // 9)
    with contextlib.ExitStack() as cleanup:
        if tmp_path is None:
            base = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="virtuoso-")))
        else:
            base = Path(tmp_path)
        server = None
        for attempt in range(3):  # another process may take a free port before we bind it
            location = Path(tempfile.mkdtemp(prefix="virtuoso-db-", dir=base))
            sql_port, http_port = _free_port(), _free_port()
            (location / "virtuoso.ini").write_text(_INI.format(
                db=location, sql_port=sql_port, http_port=http_port, buffers=buffers,
                dirty_buffers=buffers * 3 // 4, threads=threads))
            log_path = location / "stdout.log"
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    [executable, "+foreground", "+configfile", str(location / "virtuoso.ini")],
                    cwd=location, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT)
            candidate = VirtuosoServer(
                url=f"http://127.0.0.1:{http_port}", sql_port=sql_port, location=location,
                process=process, isql=isql, dba_password="dba", username=USERNAME,
                password=secrets.token_urlsafe(16))
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
        new_dba = secrets.token_urlsafe(16)
        server.sql(
            f"DB.DBA.USER_CREATE('{server.username}', '{server.password}'); "
            f"GRANT SPARQL_SELECT TO \"{server.username}\"; "
            f"GRANT SPARQL_UPDATE TO \"{server.username}\"; "
            + "".join(f"{statement}; " for statement in graph_security_sql(server.username))
            + f"DB.DBA.USER_PASSWORD_SET('dba', '{new_dba}');")
        server.dba_password = new_dba
        yield server
