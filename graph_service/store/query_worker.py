"""A query worker process: evaluates callers' SPARQL texts over a read-only store snapshot.

Started by ``isolation.QueryIsolation`` as ``python -E -s query_worker.py``; it imports only the
standard library, pyoxigraph, pyseccomp and ``result_formats.py`` beside it (never the rest of the
package), so it starts fast and small. Before it reads any request it

* caps its address space (``RLIMIT_AS``): a query that needs more memory makes this process
  fail, never the service;
* installs a seccomp filter that refuses to create any socket except AF_UNIX (and refuses
  ``execve`` and ``io_uring``): whatever a query says (SERVICE, any syntax), the engine in this
  process cannot reach a host.

Protocol over stdin/stdout, one frame each way per query: ``!IQ`` (header length, body length),
a JSON header, then the body (the query text; the serialised result). JSON, never pickle: the
parent must not trust what this process sends beyond plain data.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import socket
import struct
import sys

FRAME = struct.Struct("!IQ")


def install_sandbox() -> None:
    """Refuse every socket that is not AF_UNIX, and exec and io_uring, in this process."""
    import pyseccomp as seccomp

    denied = seccomp.ERRNO(errno.EPERM)
    sandbox = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    sandbox.add_rule(denied, "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    for name in ("execve", "execveat", "io_uring_setup", "io_uring_enter",
                 "io_uring_register", "ptrace", "process_vm_writev", "process_vm_readv"):
        try:
            sandbox.add_rule(denied, name)
        except (ValueError, RuntimeError, OSError):  # a syscall this kernel/arch lacks
            continue
    sandbox.load()


def read_exactly(stream, size: int) -> bytes | None:
    data = stream.read(size) if size else b""
    if size and (data is None or len(data) < size):
        return None
    return data


def send(stream, header: dict, body: bytes = b"") -> None:
    encoded = json.dumps(header).encode()
    stream.write(FRAME.pack(len(encoded), len(body)))
    stream.write(encoded)
    if body:
        stream.write(body)
    stream.flush()


def die_with_parent(parent: int) -> None:
    """Linux: be killed when the service process goes (even by SIGKILL), so that no query
    keeps computing for a parent that is gone."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent went before the call above
        os._exit(0)


def main() -> int:
    memory_limit = int(sys.argv[1])
    sandbox = sys.argv[2]  # "require", "try" or "off"
    die_with_parent(int(sys.argv[3]))
    # The binary protocol owns the original stdout; anything printed goes to stderr.
    requests = os.fdopen(os.dup(0), "rb", buffering=1 << 16)
    answers = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)

    if memory_limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pyoxigraph as ox
    import result_formats as formats

    sandboxed = False
    if sandbox != "off":
        try:
            install_sandbox()
            sandboxed = True
        except Exception as exc:  # no libseccomp, or the kernel refuses filters
            if sandbox == "require":
                send(answers, {"ready": False, "error": f"no sandbox: {exc.__class__.__name__}"})
                return 3
    send(answers, {"ready": True, "sandboxed": sandboxed, "pid": os.getpid()})

    store = None
    opened = None
    while True:
        head = read_exactly(requests, FRAME.size)
        if head is None:
            return 0
        header_size, body_size = FRAME.unpack(head)
        header = json.loads(read_exactly(requests, header_size) or b"{}")
        text = (read_exactly(requests, body_size) or b"").decode("utf-8")
        try:
            if header["snapshot"] != opened:
                store = None  # close the old snapshot before opening the new one
                store = ox.Store.read_only(header["snapshot"])
                opened = header["snapshot"]
            kind, body, rows, media_type = evaluate(ox, formats, store, text, header)
        except SyntaxError as exc:
            send(answers, {"ok": False, "error": "syntax", "message": str(exc),
                           "line": exc.lineno, "column": exc.offset})
            continue
        except TooManyRows:
            send(answers, {"ok": False, "error": "too_large"})
            continue
        except MemoryError:
            send(answers, {"ok": False, "error": "memory"})
            return 4
        except (OSError, RuntimeError, ValueError) as exc:
            message = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            send(answers, {"ok": False, "error": "evaluation", "message": message[:500]})
            continue
        send(answers, {"ok": True, "kind": kind, "rows": rows, "media_type": media_type}, body)


class TooManyRows(Exception):
    pass


# Bytes per allowed row an answer may take while the engine writes it (100 000 rows: 400 MB, a
# tenth of the default memory cap; the 22-column fleet overview takes ~1.7 KB a row as JSON).
ROW_BYTES_BUDGET = 4096


def evaluate(ox, formats, store, text: str, header: dict) -> tuple[str, bytes, int, str | None]:
    kwargs: dict = {"base_iri": header.get("base_iri")}
    if header.get("default_graph") is not None:
        kwargs["default_graph"] = [ox.DefaultGraph() if g is None else ox.NamedNode(g)
                                   for g in header["default_graph"]]
    if header.get("named_graphs") is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in header["named_graphs"]]
    result = store.query(text, **kwargs)
    media = header.get("media") or {}
    if isinstance(result, ox.QueryBoolean):
        media_type = media.get("ask")
        body = formats.serialize_boolean(bool(result), media_type) if media_type else b""
        return "ask", body, 1, media_type
    max_rows = header.get("max_rows")
    if (isinstance(result, ox.QuerySolutions) and max_rows is not None
            and media.get("select") in formats.ENGINE_SOLUTION_FORMATS):
        media_type = media["select"]
        try:
            body, rows = formats.serialize_solutions_in_engine(
                result, media_type, max_rows * ROW_BYTES_BUDGET)
        except formats.OutputBudgetExceeded:
            # Rows larger than the budget allows on average: evaluate again and count them one
            # by one below, which stops at the row cap.
            result = store.query(text, **kwargs)
        else:
            if rows > max_rows:
                raise TooManyRows
            return "select", body, rows, media_type
    items = []
    for item in result:
        items.append(item)
        if max_rows is not None and len(items) > max_rows:
            raise TooManyRows
    if isinstance(result, ox.QuerySolutions):
        media_type = media.get("select")
        names = [v.value for v in result.variables]
        body = formats.serialize_solutions(items, names, media_type) if media_type else b""
        return "select", body, len(items), media_type
    media_type = media.get("graph")
    body = formats.serialize_triples(items, media_type) if media_type else b""
    return "graph", body, len(items), media_type


if __name__ == "__main__":
    sys.exit(main())
