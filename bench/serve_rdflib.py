"""rdflib-endpoint in a process of its own, serving an rdflib Dataset parsed from N-Quads.

    python -m bench.serve_rdflib --quads readable.nq --port 8124

The Dataset uses ``default_union=True``: the benchmark hands it only the graphs a researcher may
read, so the union default graph is exactly the researcher's dataset on our endpoint
(rdflib-endpoint ignores ``default-graph-uri``).
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quads", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(str(args.quads), format="nquads")
    print(f"parsed {len(dataset)} triples in {time.perf_counter() - started:.1f} s", flush=True)
    app = SparqlEndpoint(graph=dataset, path="/", cors_enabled=False,
                         title="rdflib-endpoint (benchmark)")
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
