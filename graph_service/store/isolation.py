"""Callers' SPARQL texts run in killable, sandboxed worker processes over read-only snapshots.

pyoxigraph cannot cancel a query in-process: a query that computes for minutes before its first
row kept a thread (and a core) busy long after its caller got 503 (issue 14). Here each caller's
query is evaluated by one of ``workers`` processes (``query_worker.py``); at the deadline the
worker is SIGKILLed (its CPU is free at once) and a replacement is started.

Snapshots. A worker never opens the live store: ``Store.read_only`` beside a writing process is
undefined behaviour. It opens a RocksDB checkpoint of it (``Store.backup``: hard links on the same
file system, milliseconds), which nothing ever writes. The store counts its writes
(``OxigraphStore.generation``); before a query, a snapshot older than the last acknowledged write
is replaced by a new checkpoint (one at a time: concurrent queries share it), so a client always
reads its own acknowledged writes. A worker switches to the newest snapshot when it gets its next
query; an old snapshot directory is removed once no worker has it open.

Failures answer, never crash: a worker that dies (engine abort, out of memory under its
``RLIMIT_AS``) gives :class:`QueryWorkerFailed` (503, fixed text) and is replaced.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from graph_service.store.base import (
    QueryEvaluationError,
    QueryKind,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
    engine_message,
)

log = logging.getLogger("graph_service.store.isolation")

_WORKER_SCRIPT = str(Path(__file__).with_name("query_worker.py"))
_FRAME_SIZE = 12  # struct "!IQ"
_READY_TIMEOUT = 30.0
# Reading a serialised result that has started to arrive is finished even past the deadline
# (the evaluation is over; only the copy remains), within this bound.
_BODY_GRACE = 60.0


class QueryWorkerFailed(StoreError):
    """A query worker stopped while evaluating (engine fault, out of memory): 503."""

    def __init__(self) -> None:
        super().__init__("the query could not be completed: the query process stopped "
                         "(too much memory or an engine fault); narrow the query or retry")


class SandboxUnavailable(RuntimeError):
    """The worker sandbox (seccomp) cannot be installed on this machine."""


def sandbox_available() -> bool:
    """Whether seccomp filters can be built here (pyseccomp and the system's libseccomp)."""
    try:
        import pyseccomp

        pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
    except Exception:
        return False
    return True


@dataclass
class IsolatedAnswer:
    kind: QueryKind
    media_type: str | None  # None when the caller accepts no format for this kind
    body: bytes
    rows: int


class _Worker:
    def __init__(self, memory_limit: int, sandbox: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-E", "-s", _WORKER_SCRIPT, str(memory_limit), sandbox,
             str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True,
            # A terminal's Ctrl-C goes to the service, which stops its workers; a worker dies
            # with the service's thread that started it (PR_SET_PDEATHSIG): query threads live
            # as long as the service.
            start_new_session=True,
        )
        self.snapshot: str | None = None  # the snapshot this process has open
        self.ready = False
        self.sandboxed = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(Exception):
                stream.close()  # type: ignore[union-attr]

    # -- frames --------------------------------------------------------------------------------
    def send(self, header: dict, body: bytes) -> None:
        encoded = json.dumps(header).encode()
        stream = self.process.stdin
        assert stream is not None
        stream.write(len(encoded).to_bytes(4, "big") + len(body).to_bytes(8, "big"))
        stream.write(encoded)
        stream.write(body)
        stream.flush()

    def _read(self, size: int, deadline: float | None) -> bytes | None:
        """``size`` bytes, or None at the deadline; EOFError when the process has gone."""
        stream = self.process.stdout
        assert stream is not None
        fd = stream.fileno()
        chunks, missing = [], size
        while missing:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                readable, _, _ = select.select([fd], [], [], remaining)
                if not readable:
                    return None
            chunk = os.read(fd, min(missing, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def receive(self, deadline: float | None) -> tuple[dict, bytes] | None:
        head = self._read(_FRAME_SIZE, deadline)
        if head is None:
            return None
        header_size = int.from_bytes(head[:4], "big")
        body_size = int.from_bytes(head[4:], "big")
        grace = time.monotonic() + _BODY_GRACE
        header = self._read(header_size, grace)
        body = self._read(body_size, grace) if body_size else b""
        if header is None or body is None:
            return None
        return json.loads(header), body

    def wait_ready(self, deadline: float) -> None:
        answer = self.receive(deadline)
        if answer is None:
            raise EOFError
        header, _ = answer
        if not header.get("ready"):
            raise SandboxUnavailable(str(header.get("error", "the worker did not start")))
        self.ready = True
        self.sandboxed = bool(header.get("sandboxed"))


class _Snapshots:
    """Checkpoints of the store for the workers; removed when unused and superseded."""

    def __init__(self, store: object, directory: Path) -> None:
        self.store = store
        self.directory = directory
        shutil.rmtree(directory, ignore_errors=True)  # left by a process that was killed
        self._lock = threading.Lock()  # one checkpoint at a time; waiting queries share it
        self._bookkeeping = threading.Lock()
        self.current: str | None = None
        self.generation = -1
        self.users: Counter[str] = Counter()

    def reserve(self) -> str:
        """A snapshot holding every write acknowledged before this call, reserved (not removed)
        until :meth:`switch` hands it to a worker or :meth:`unreserve` gives it back."""
        wanted = self.store.generation  # type: ignore[attr-defined]
        with self._bookkeeping:
            if self.current is not None and self.generation >= wanted:
                self.users[self.current] += 1
                return self.current
        with self._lock:
            with self._bookkeeping:
                if self.current is not None and self.generation >= wanted:
                    self.users[self.current] += 1
                    return self.current
            generation = self.store.generation  # type: ignore[attr-defined]
            self.directory.mkdir(parents=True, exist_ok=True)  # at the first query only
            target = self.directory / f"{generation}-{uuid.uuid4().hex[:8]}"
            self.store.checkpoint(target)  # type: ignore[attr-defined]
            with self._bookkeeping:
                previous = self.current
                self.current, self.generation = str(target), generation
                self.users[self.current] += 1
                self._remove_if_unused(previous)
                return self.current

    def switch(self, worker: _Worker, snapshot: str) -> None:
        """``worker`` opens ``snapshot``: the reservation becomes the worker's reference."""
        with self._bookkeeping:
            previous, worker.snapshot = worker.snapshot, snapshot
            if previous is not None:
                self.users[previous] -= 1
                self._remove_if_unused(previous)

    def unreserve(self, snapshot: str) -> None:
        with self._bookkeeping:
            self.users[snapshot] -= 1
            self._remove_if_unused(snapshot)

    def release(self, worker: _Worker) -> None:
        with self._bookkeeping:
            previous, worker.snapshot = worker.snapshot, None
            if previous is not None:
                self.users[previous] -= 1
                self._remove_if_unused(previous)

    def _remove_if_unused(self, snapshot: str | None) -> None:
        if snapshot is None or snapshot == self.current or self.users[snapshot] > 0:
            return
        self.users.pop(snapshot, None)
        shutil.rmtree(snapshot, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


class QueryIsolation:
    """A pool of query worker processes over snapshots of one on-disk store."""

    def __init__(self, store: object, snapshot_dir: Path, *, workers: int, memory_limit: int,
                 sandbox: str = "try") -> None:
        """``sandbox``: "require" (a worker that cannot install it refuses to start), "try"
        or "off". ``memory_limit``: bytes of address space per worker (0 = unlimited)."""
        self.size = workers
        self.memory_limit = memory_limit
        self.sandbox_mode = sandbox
        self.sandboxed = sandbox != "off" and sandbox_available()
        if sandbox == "require" and not self.sandboxed:
            raise SandboxUnavailable("seccomp filters cannot be installed here "
                                     "(pyseccomp and libseccomp are needed)")
        self._snapshots = _Snapshots(store, snapshot_dir)
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._available = threading.Condition()
        self._closed = False

    # -- the pool ------------------------------------------------------------------------------
    def _start(self) -> _Worker:
        mode = "require" if self.sandboxed else "off"
        worker = _Worker(self.memory_limit, mode)
        self._all.add(worker)
        return worker

    def _acquire(self, deadline: float, timeout: float) -> _Worker:
        with self._available:
            while True:
                if self._closed:
                    raise QueryWorkerFailed()
                while self._idle:
                    worker = self._idle.pop()
                    if worker.process.poll() is None:
                        return worker
                    # Died while idle (killed from outside): forget it, start another.
                    self._all.discard(worker)
                    self._snapshots.release(worker)
                    worker.kill()
                if len(self._all) < self.size:
                    return self._start()  # started lazily: a server that runs no query has none
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeout(timeout)
                self._available.wait(remaining)

    def _give_back(self, worker: _Worker) -> None:
        with self._available:
            if self._closed:
                worker.kill()
                return
            self._idle.append(worker)
            self._available.notify()

    def _discard(self, worker: _Worker) -> None:
        """Kill ``worker`` (its CPU is released at once) and make room for a replacement."""
        worker.kill()
        self._snapshots.release(worker)
        with self._available:
            self._all.discard(worker)
            if not self._closed and len(self._all) < self.size:
                # The replacement starts now, so the next query finds it warm.
                self._idle.append(self._start())
            self._available.notify()

    def worker_pids(self) -> list[int]:
        with self._available:
            return [w.pid for w in self._all]

    # -- queries -------------------------------------------------------------------------------
    def run(self, sparql: str, *, default_graph: list[str | None] | None,
            named_graphs: list[str] | None, base_iri: str | None, timeout: float,
            max_rows: int | None, media_types: dict[QueryKind, str | None]) -> IsolatedAnswer:
        """Evaluate ``sparql`` in a worker; serialise the result there in the media type given
        for its kind. ``named_graphs=None`` keeps every named graph reachable (admins)."""
        started = time.monotonic()
        deadline = started + timeout
        snapshot = self._snapshots.reserve()
        try:
            worker = self._acquire(deadline, timeout)
        except BaseException:
            self._snapshots.unreserve(snapshot)
            raise
        try:
            if not worker.ready:
                worker.wait_ready(time.monotonic() + _READY_TIMEOUT)
        except Exception:
            self._snapshots.unreserve(snapshot)
            self._discard(worker)
            if isinstance(sys.exc_info()[1], SandboxUnavailable):
                raise
            raise QueryWorkerFailed() from None
        self._snapshots.switch(worker, snapshot)
        try:
            worker.send({
                "snapshot": snapshot, "default_graph": default_graph,
                "named_graphs": named_graphs, "base_iri": base_iri, "max_rows": max_rows,
                "media": {kind.value: media for kind, media in media_types.items()},
            }, sparql.encode("utf-8"))
            answer = worker.receive(deadline)
        except (EOFError, OSError, ValueError):
            self._discard(worker)
            raise QueryWorkerFailed() from None
        if answer is None:
            self._discard(worker)
            raise QueryTimeout(timeout)
        header, body = answer
        if header.get("error") == "memory":
            self._discard(worker)
            raise QueryWorkerFailed()
        self._give_back(worker)
        if not header.get("ok"):
            raise _error(header, max_rows)
        media_type = header.get("media_type")
        return IsolatedAnswer(QueryKind(header["kind"]), media_type, body, int(header["rows"]))

    def run_result(self, sparql: str, **kwargs: object) -> QueryResult:
        """As :meth:`run`, read back into a result object (pages that render rows)."""
        from graph_service.store.oxigraph import result_from_bytes

        answer = self.run(sparql, media_types={
            QueryKind.SELECT: "application/sparql-results+json",
            QueryKind.ASK: "application/sparql-results+json",
            QueryKind.GRAPH: "application/n-triples",
        }, **kwargs)  # type: ignore[arg-type]
        return result_from_bytes(answer.body, None)

    def close(self) -> None:
        with self._available:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._available.notify_all()
        for worker in workers:
            worker.kill()
        self._snapshots.close()


def _error(header: dict, max_rows: int | None) -> StoreError:
    kind = header.get("error")
    if kind == "syntax":
        message = str(header.get("message", "malformed query"))
        position = re.search(r"error at (\d+):(\d+)", message)
        if position:
            return QuerySyntaxError(message, int(position.group(1)), int(position.group(2)))
        return QuerySyntaxError(message, header.get("line"), header.get("column"))
    if kind == "too_large":
        return ResultTooLarge(max_rows or 0)
    message = engine_message(str(header.get("message", "")))
    return QueryEvaluationError(message or "the query could not be evaluated")
