"""Passport commands: ``dbp load``, ``validate``, ``query``, ``dump``, ``derive``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from graph_service.cli.common import (
    BaseIriOption,
    PortOption,
    StoreOption,
    WorkersOption,
    _bulk,
    _cell,
    _cli_principal,
    _describe,
    _fail,
    _file_format,
    _media_type,
    _open,
    _print_refusal,
    _progress,
    _settings,
    app,
    console,
    err_console,
)


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    store: StoreOption = None,
    graph: Annotated[str | None, typer.Option(
        help="Load as-is into this named graph (no passport validation).")] = None,
    raw: Annotated[bool, typer.Option(
        "--raw", help="Load N-Quads/TriG/JSON-LD as-is (quads keep their graphs; no passport "
                      "validation).")] = False,
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="RDF format (default: from extension).")
    ] = None,
    port: PortOption = None,
    base_iri: BaseIriOption = None,
    workers: WorkersOption = None,
) -> None:
    """Load RDF files. Passports (the default) are validated and committed like POST /passports;
    --graph/--raw bulk-load any RDF (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML)."""
    from rdflib import URIRef

    from graph_service.services.passports.ingest import ValidationFailed
    from graph_service.store import open_memory_store
    from graph_service.store.base import RdfFormat, StoreError

    settings = _settings(store=store, port=port, base_iri=base_iri)
    services = _open(settings)
    target = URIRef(graph) if graph else None
    if not raw and target is None and len(files) > 1:
        # Many passports: the bulk pipeline (workers validate and derive, batched commits).
        from graph_service.services.interop.bulk import documents_from_paths, prepare_rdf

        try:
            types = {path: _media_type(path, RdfFormat.from_name(format) if format else None)
                     for path in files}
        except StoreError as exc:
            _fail(_describe(exc))
            return
        _bulk(services, documents_from_paths(files, types.__getitem__), prepare_rdf(), len(files),
              workers)
        return
    total = 0
    failures = 0
    started = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task("files", total=len(files))
        for path in files:
            try:
                fmt = RdfFormat.from_name(format) if format else _file_format(path)
                if raw and target is None and not fmt.supports_datasets:
                    # Its triples would go to the engine's own default graph, which no query
                    # reads (the default graph is the merge of the views: docs/access.md). Read
                    # first (guarded, in a private store), so a bad document says what is wrong.
                    open_memory_store().load(path.read_bytes(), fmt,
                                             base_iri=path.resolve().as_uri())
                    raise ValueError(f"{fmt.value} holds triples without a graph; name the "
                                     "graph to load them into with --graph IRI")
                if raw or target is not None:
                    before = services.store.count()
                    services.store.load(path.read_bytes(), fmt, graph=target,
                                        base_iri=path.resolve().as_uri())
                    total += services.store.count() - before
                else:
                    result = services.ingest.submit(
                        path.read_bytes(), _media_type(path, fmt), principal=_cli_principal())
                    total += result.triples
            except (ValidationFailed, StoreError, ValueError, PermissionError) as exc:
                failures += 1
                _print_refusal(path, exc)
            progress.advance(task)
    services.store.flush()
    elapsed = max(time.perf_counter() - started, 1e-9)
    if failures:
        err_console.print(f"{failures} file(s) rejected; nothing was stored from them")
    console.print(f"loaded {total} triples in {elapsed:.2f} s ({total / elapsed:,.0f} triples/s)")
    if failures:
        raise typer.Exit(1)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    store: StoreOption = None,
) -> None:
    """Validate passport files against the SHACL shapes without storing them."""
    from graph_service.services.passports.ingest import ValidationFailed
    from graph_service.store.base import StoreError

    services = _open(_settings(store=store or ":memory:"))
    invalid = 0
    for path in files:
        try:
            result = services.ingest.submit(path.read_bytes(), _media_type(path, None),
                                            principal=_cli_principal(), dry_run=True)
            console.print(f"[green]{path}[/green]: conforms ({result.triples} triples)")
            for warning in result.warnings:
                console.print(f"  warning: {warning}")
        except (ValidationFailed, StoreError, ValueError, PermissionError) as exc:
            invalid += 1
            _print_refusal(path, exc)
    if invalid:
        raise typer.Exit(1)


@app.command()
def query(
    query_text: Annotated[str, typer.Argument(metavar="QUERY_OR_@FILE",
                                              help="SPARQL text, or @path to a .rq file.")],
    store: StoreOption = None,
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="table, json, xml, csv, tsv, turtle, nt, jsonld")] =
    "table",
) -> None:
    """Run a SPARQL query over the whole readable dataset and print the result."""
    from graph_service.store.base import QueryKind, StoreError

    if query_text.startswith("@"):
        query_text = Path(query_text[1:]).read_text(encoding="utf-8")
    settings = _settings(store=store)
    services = _open(settings)
    try:
        result = services.sparql.run_query(query_text, services.sparql.full_dataset())
    except StoreError as exc:
        _fail(_describe(exc))
        return
    if format != "table":
        from graph_service.store.base import RdfFormat, ResultFormat

        media = (RdfFormat.from_name(format) if result.kind is QueryKind.GRAPH
                 else ResultFormat.from_name(format))
        sys.stdout.write(result.serialize(media.value).decode())
        return
    if result.kind is QueryKind.ASK:
        console.print("true" if result.boolean else "false")
        return
    table = Table(show_lines=False)
    if result.kind is QueryKind.GRAPH:
        for name in ("subject", "predicate", "object"):
            table.add_column(name, overflow="fold")
        for triple in result.triples():
            table.add_row(*(t.n3() for t in triple))
    else:
        for name in result.variables:
            table.add_column(name, overflow="fold")
        for row in result.rows():
            table.add_row(*(_cell(row.get(v)) for v in result.variables))
    console.print(table)
    console.print(f"{len(result)} row(s)")


@app.command()
def dump(
    store: StoreOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="nquads or trig (whole store); "
                                        "any RDF format with --graph")] = "nquads",
    graph: Annotated[str | None, typer.Option(help="Dump only this named graph.")] = None,
) -> None:
    """Write the store (or one graph) to standard output."""
    from rdflib import URIRef

    from graph_service.store.base import RdfFormat, StoreError

    services = _open(_settings(store=store))
    try:
        data = services.store.dump(RdfFormat.from_name(format),
                                   graph=URIRef(graph) if graph else None)
    except StoreError as exc:
        _fail(_describe(exc))
        return
    sys.stdout.buffer.write(data)


@app.command()
def derive(
    all_batteries: Annotated[bool, typer.Option(
        "--all", help="Re-derive every stored battery (e.g. after rules, parameters or the "
                      "fleet feedback statistics changed).")] = False,
    battery: Annotated[list[str] | None, typer.Option(
        "--battery", "-b", help="Battery id to re-derive (repeatable).")] = None,
    store: StoreOption = None,
) -> None:
    """Re-run the rules (rules/*.rq) for batteries and replace their derived graphs."""
    if not all_batteries and not battery:
        _fail("name batteries with --battery ID or use --all", code=2)
    services = _open(_settings(store=store))
    ids = _battery_ids(services) if all_batteries else list(dict.fromkeys(battery or []))
    try:
        unknown = [bid for bid in ids if not services.repository.exists(bid)]
    except ValueError as exc:  # a malformed id
        _fail(str(exc))
        return
    if unknown:
        _fail(f"no stored battery {', '.join(unknown)}")
    started = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task("derive", total=len(ids))
        for bid in ids:
            services.rules.rederive(bid)
            progress.advance(task)
    services.store.flush()
    elapsed = time.perf_counter() - started
    per_battery = 1000 * elapsed / len(ids) if ids else 0.0
    noun = "battery" if len(ids) == 1 else "batteries"
    console.print(f"derived {len(ids)} {noun} in {elapsed:.1f} s "
                  f"({per_battery:.0f} ms per battery)")


def _battery_ids(services) -> list[str]:
    """Ids of the stored batteries: the subjects of dbp:batteryId in the access views (a
    source graph's data is always also in a view), mapped back from their minted IRIs."""
    from graph_service.model.graphs import AccessGroup
    from graph_service.services.sparql import Dataset
    from graph_service.services.sparql.named_queries import NamedQueries

    views = Dataset(default_graph=tuple(services.layout.view(group) for group in AccessGroup),
                    named_graphs=())
    rows = NamedQueries(services.store).select("battery-ids", views)
    ids = {bid for row in rows
           if (bid := services.minter.battery_id_of(str(row["battery"])))}
    return sorted(ids)
