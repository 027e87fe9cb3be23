"""Our service in a process of its own: load N-Quads into the store, then serve the real app.

    python -m bench.serve_ours --quads fleet.nq --store :memory: --port 8123

The dump already holds the ontology graphs (with their hashes, so nothing is reloaded) and the
principals the benchmark created, so its tokens are valid here. Not for production use.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import uvicorn

from graph_service.api.app import create_app
from graph_service.config import Settings
from graph_service.store import open_store
from graph_service.store.base import RdfFormat


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quads", type=Path, required=True)
    parser.add_argument("--store", default=":memory:")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--base-iri", default="http://127.0.0.1:8000/")
    args = parser.parse_args(argv)
    settings = Settings(_env_file=None, store=args.store, host="127.0.0.1",  # type: ignore[call-arg]
                        port=args.port, base_iri=args.base_iri,
                        # Oxigraph server has no query timeout: ours must not cut queries the
                        # other engine is allowed to finish (on-disk fleet queries take minutes
                        # under 8 clients).
                        query_timeout=3600,
                        # The benchmark's concurrent clients share one researcher token, and
                        # the engines compared have no per-caller limit: as many queries as
                        # the settings allow in progress per caller (64), not workers - 1.
                        query_concurrency=64)
    store = open_store(settings)
    started = time.perf_counter()
    # Not store.count(): that scans every quad (minutes for the large scale stores).
    if not store.query("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }").boolean:
        data = args.quads.read_bytes()
        bulk = getattr(store, "bulk_load_bytes", None)
        if bulk is not None:
            bulk(data, RdfFormat.N_QUADS)
        else:
            store.load(data, RdfFormat.N_QUADS)
        del data
        store.flush()
    print(f"store ready in {time.perf_counter() - started:.1f} s", flush=True)
    uvicorn.run(create_app(settings, store), host="127.0.0.1", port=args.port,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
