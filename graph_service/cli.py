"""The ``dbp`` command line. Commands call the same services as the HTTP API."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from graph_service.config import Settings

app = typer.Typer(help="Digital Battery Passport knowledge-graph service.", no_args_is_help=True)
# Messages name files and IRIs: never break them at the terminal width (scripts grep them).
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

CLI_PRINCIPAL_ID = "cli"
SMALL_BULK = 20  # fewer documents than this are imported in-process unless --workers says

StoreOption = Annotated[
    str | None, typer.Option("--store", help="Store path or ':memory:' (default: DBP_STORE).")
]
# Commands that mint IRIs take the address the service will be served on: the base IRI follows
# it (http://{host}:{port}/) unless DBP_BASE_IRI or --base-iri says otherwise.
HostOption = Annotated[str | None, typer.Option(help="Bind address (default 127.0.0.1).")]
PortOption = Annotated[int | None, typer.Option(help="Port (default 8000).")]
BaseIriOption = Annotated[str | None, typer.Option(
    help="Base of minted IRIs (default: DBP_BASE_IRI, else http://HOST:PORT/).")]
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=0, help="Worker processes for parse/validate/derive (default: one per "
    "CPU; 0: in this process).")]


def _settings(**overrides: object) -> Settings:
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)


def _fail(message: str, code: int = 1) -> None:
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


@app.command()
def serve(
    store: StoreOption = None,
    host: HostOption = None,
    port: PortOption = None,
    enable_update: Annotated[
        bool | None, typer.Option("--enable-update/--disable-update", help="Allow SPARQL Update.")
    ] = None,
    base_iri: BaseIriOption = None,
) -> None:
    """Run the HTTP service (SPARQL endpoint and REST facade)."""
    import uvicorn

    from graph_service.api.app import create_app
    from graph_service.services.linked_data.base_iri import describe_base_iri

    settings = _settings(store=store, host=host, port=port, enable_update=enable_update,
                         base_iri=base_iri)
    console.print(
        f"serving store [bold]{settings.store}[/bold] on http://{settings.host}:{settings.port}"
        f" (dashboard: /ui, SPARQL: /sparql, API docs: /docs)"
    )
    console.print(describe_base_iri(settings))
    from graph_service.api.observability import logging_config

    # JSON log lines; the app writes one access line per request (uvicorn's own is off).
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_config=logging_config(settings.log_level), access_log=False)


@app.command()
def demo(
    batteries: Annotated[int, typer.Option("--batteries", "-n", min=1, max=100_000,
                                           help="Number of battery packs.")] = 20,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same fleet).")] = 7,
    store: StoreOption = None,
    host: HostOption = None,
    port: PortOption = None,
    base_iri: BaseIriOption = None,
) -> None:
    """Write a deterministic synthetic fleet of battery passports into the store (its IRIs are
    minted for the address given, so `dbp serve` with the same --port dereferences them)."""
    from graph_service.services.demo import write_demo_fleet

    settings = _settings(store=store, host=host, port=port, base_iri=base_iri)
    console.print(f"minting IRIs under {settings.base_iri}")
    services = _open(settings)
    started = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task("passports", total=batteries)
        triples = write_demo_fleet(
            services, batteries, seed=seed, on_battery=lambda: progress.advance(task)
        )
    services.store.flush()
    elapsed = time.perf_counter() - started
    console.print(
        f"wrote {batteries} battery passports ({triples} triples) in {elapsed:.1f} s "
        f"into {settings.store}"
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

    from graph_service.services.ingest import ValidationFailed
    from graph_service.store import RdfFormat, StoreError, open_memory_store

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
    from graph_service.services.ingest import ValidationFailed
    from graph_service.store import StoreError

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
    from graph_service.store import QueryKind, StoreError

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
        from graph_service.store import RdfFormat, ResultFormat

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

    from graph_service.store import RdfFormat, StoreError

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


token_app = typer.Typer(help="Manage principals and their bearer tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="public, oem, operator, repairer, remanufacturer, "
                                      "recycler, researcher, authority or admin")],
    org: Annotated[str | None, typer.Option(help="Organisation id (required for oem/operator).")]
    = None,
    label: Annotated[str, typer.Option(help="A note on who holds the token.")] = "",
    store: StoreOption = None,
) -> None:
    """Create a principal and print its token once (the last word of the output)."""
    from graph_service.services.access import Role

    try:
        parsed = Role(role)
    except ValueError:
        _fail(f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}")
        return
    services = _open(_settings(store=store))
    try:
        issued = services.principals.create(parsed, org, label)
    except ValueError as exc:
        _fail(str(exc))
        return
    services.store.flush()
    console.print(
        f"created principal {issued.principal.id} (role {parsed.value}"
        f"{', org ' + org if org else ''}); store this token now, it is not shown again:"
    )
    print(issued.token)


@token_app.command("list")
def token_list(store: StoreOption = None) -> None:
    """List principals (never their tokens)."""
    services = _open(_settings(store=store))
    table = Table()
    for column in ("id", "role", "organisation", "label", "status"):
        table.add_column(column)
    for principal, revoked in services.principals.list():
        table.add_row(principal.id, principal.role.value, principal.organisation or "",
                      principal.label, "revoked" if revoked else "active")
    console.print(table)


@token_app.command("revoke")
def token_revoke(principal_id: Annotated[str, typer.Argument(help="Principal id.")],
                 store: StoreOption = None) -> None:
    """Revoke a principal's token."""
    services = _open(_settings(store=store))
    if not services.principals.revoke(principal_id):
        _fail(f"no principal {principal_id!r}")
    services.store.flush()
    console.print(f"revoked {principal_id}")


custody_app = typer.Typer(help="Who manufactures and who operates a battery.",
                          no_args_is_help=True)
app.add_typer(custody_app, name="custody")


@custody_app.command("show")
def custody_show(battery: Annotated[str, typer.Argument(help="Battery id.")],
                 store: StoreOption = None) -> None:
    """Print a battery's custody record."""
    services = _open(_settings(store=store))
    try:
        record = services.transfers.record(battery)
    except (LookupError, ValueError) as exc:
        _fail(str(exc))
        return
    console.print(f"{battery}: manufacturer {record.manufacturer or '-'}, "
                  f"operator {record.operator or '-'}")


@custody_app.command("transfer")
def custody_transfer(
    battery: Annotated[str, typer.Argument(help="Battery id.")],
    role: Annotated[str, typer.Option(help="manufacturer or operator")],
    to: Annotated[str, typer.Option("--to", help="The registered organisation taking over.")],
    store: StoreOption = None,
) -> None:
    """Transfer a battery's manufacture or operation (audited, as the local admin)."""
    services = _open(_settings(store=store))
    try:
        result = services.transfers.transfer(battery, role, to, _cli_principal())
    except (LookupError, ValueError, PermissionError) as exc:
        _fail(str(exc))
        return
    services.store.flush()
    if result.changed:
        console.print(f"{battery}: {role} {result.previous or '-'} -> {to} "
                      f"(passport version {result.version})")
    else:
        console.print(f"{battery}: {role} is already {to}; nothing changed")


organisation_app = typer.Typer(help="Organisation records (public; never written by passports).",
                               no_args_is_help=True)
app.add_typer(organisation_app, name="organisation")


@organisation_app.command("put")
def organisation_put(
    organisation: Annotated[str, typer.Argument(help="Organisation id, e.g. rheinvolt.")],
    name: Annotated[str, typer.Option(help="Legal or trade name.")],
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 code.")] = None,
    address: Annotated[str | None, typer.Option(help="Postal address.")] = None,
    web: Annotated[str | None, typer.Option(help="Web address.")] = None,
    store: StoreOption = None,
) -> None:
    """Create or replace an organisation record (audited, as the local admin)."""
    from rdflib import Graph, Literal
    from rdflib.namespace import XSD

    from graph_service.model.namespaces import DBP

    services = _open(_settings(store=store))
    try:
        iri = services.minter.organisation(organisation)
    except ValueError as exc:
        _fail(str(exc))
        return
    record = Graph()
    record.add((iri, DBP.name, Literal(name)))
    for predicate, value in ((DBP.country, country), (DBP.postalAddress, address)):
        if value is not None:
            record.add((iri, predicate, Literal(value)))
    if web is not None:
        record.add((iri, DBP.webAddress, Literal(web, datatype=XSD.anyURI)))
    try:
        result = services.organisations.put(organisation, record, _cli_principal())
    except (ValueError, PermissionError) as exc:
        _fail(str(exc))
        return
    services.store.flush()
    console.print(f"{'created' if result.created else 'replaced'} organisation {organisation} "
                  f"<{result.iri}>")


@organisation_app.command("load")
def organisation_load(
    file: Annotated[Path, typer.Argument(help="Turtle file of organisation records "
                                        "(subjects {base}id/org/{id}).")],
    store: StoreOption = None,
) -> None:
    """Create or replace every organisation record of a Turtle file (audited, local admin)."""
    from rdflib import Graph

    services = _open(_settings(store=store))
    try:
        records = Graph().parse(file, format="turtle")
    except Exception as exc:  # rdflib raises many types for bad Turtle
        _fail(f"{file}: {exc}")
        return
    organisations = sorted({s for s in records.subjects()}, key=str)
    failures = 0
    for iri in organisations:
        org_id = services.custody.organisation_id(iri)
        if org_id is None:
            err_console.print(f"[red]{file}[/red]: {iri} is not an organisation IRI here")
            failures += 1
            continue
        record = Graph()
        record += records.triples((iri, None, None))
        try:
            services.organisations.put(org_id, record, _cli_principal())
        except (ValueError, PermissionError) as exc:
            err_console.print(f"[red]{org_id}[/red]: {exc}")
            failures += 1
    services.store.flush()
    console.print(f"{len(organisations) - failures} organisation record(s) written")
    if failures:
        raise typer.Exit(1)


@app.command()
def migrate(store: StoreOption = None) -> None:
    """Bring a store to the current named-graph layout (custody records and partitions).

    The service does this at start-up; the command does it ahead of time (idempotent)."""
    from graph_service.container import build_services
    from graph_service.model.graphs import GraphLayout
    from graph_service.services.access.migration import LAYOUT_VERSION, layout_version
    from graph_service.store import open_store

    settings = _settings(store=store)
    opened = open_store(settings)
    before = layout_version(opened, GraphLayout(settings.base_iri))
    services = build_services(settings, opened)  # building the services runs the migration
    services.store.flush()
    if before < LAYOUT_VERSION:
        console.print(f"migrated the store from layout version {before} to {LAYOUT_VERSION}")
    else:
        console.print(f"store is at layout version {LAYOUT_VERSION}; nothing to migrate")


def _embedded_store_path(store: str | None, refusal: str) -> Path:
    """The directory of the embedded on-disk store the settings select (backup, restore)."""
    settings = _settings(store=store)
    if settings.is_memory_store or settings.store_backend != "oxigraph":
        _fail(refusal)
    return Path(settings.store)


def _check_copy(source: Path, not_a_store: str, target: Path, target_exists: str) -> None:
    """A store directory is copied whole, never into an existing one."""
    if not (source / "CURRENT").is_file():
        _fail(f"{source} {not_a_store}")
    if target.exists():
        _fail(f"{target} exists; {target_exists}")


@app.command()
def backup(
    to: Annotated[Path, typer.Option("--to", help="New directory to write the backup into.")],
    store: StoreOption = None,
) -> None:
    """Write a consistent copy of the on-disk store to a new directory (stop the server first:
    the store is opened by one process at a time)."""
    from graph_service.store.oxigraph import OxigraphStore

    source = _embedded_store_path(
        store, "backup works on the embedded on-disk store; for a remote store use its own "
               "backup (e.g. `oxigraph backup`)")
    _check_copy(source, "is not a store directory", to, "back up into a new directory")
    started = time.perf_counter()
    try:
        opened = OxigraphStore(source)
    except OSError as exc:
        _fail(f"cannot open {source} ({_describe(exc)}); is a server running on it? Stop it "
              "first, or dump it over HTTP")
        return
    try:
        opened.backup(to)
    finally:
        opened.close()
    elapsed = time.perf_counter() - started
    console.print(f"backed up {source} to {to} in {elapsed:.1f} s")


@app.command()
def restore(
    source: Annotated[Path, typer.Option("--from", help="A directory written by `dbp backup`.")],
    store: StoreOption = None,
) -> None:
    """Put a backup in place as the store; refuses to overwrite an existing store."""
    import shutil

    target = _embedded_store_path(
        store, "restore writes an embedded on-disk store; name its path with --store")
    _check_copy(source, "is not a backup written by `dbp backup`",
                target, "restore into a new path (or move the old store away first)")
    staging = target.with_name(f".{target.name}.restoring")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(source, staging)
    staging.rename(target)  # the store appears whole or not at all
    console.print(f"restored {source} to {target}")


# ---------------------------------------------------------------------------------------------
@app.command("import")
def import_files(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="catenax (Catena-X battery pass 6.1.0 JSON) or "
                                        "battinfo (JSON-LD); batterypass: not yet supported.")],
    store: StoreOption = None,
    battery: Annotated[str | None, typer.Option(help="Battery id to use (one file).")] = None,
    port: PortOption = None,
    base_iri: BaseIriOption = None,
    workers: WorkersOption = None,
    report: Annotated[str, typer.Option(
        "--report", help="text (warnings and errors for people) or json (one machine-readable "
                         "report per file, one JSON document per line on stdout)")] = "text",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and map, store nothing.")]
    = False,
) -> None:
    """Import partner passports: every warning and error is printed with its JSON path; a
    refused file stores nothing (same service as POST /import). Many files (or --workers) go
    through the bulk pipeline that POST /import uses for JSON Lines: worker processes map,
    validate and derive, the store commits in batches."""
    import json

    from graph_service.services.ingest import NotOwner, PassportRejected, StageNotPermitted
    from graph_service.services.interop import (
        DocumentError,
        DocumentRejected,
        FormatNotSupported,
        FormatUnavailable,
        UnknownFormat,
    )

    if report not in ("text", "json"):
        _fail("--report is text or json")
    services = _open(_settings(store=store, port=port, base_iri=base_iri))
    try:
        services.imports.registry.importer(format)
    except (UnknownFormat, FormatNotSupported, FormatUnavailable) as exc:
        _fail(str(exc), 2)
    if battery is not None and len(files) != 1:
        _fail("--battery names the battery of one file only", code=2)
    per_file = (battery is not None or dry_run or report == "json"
                or (workers is None and len(files) < SMALL_BULK) or workers == 0)
    if not per_file:
        from graph_service.services.interop.bulk import documents_from_paths, prepare_partner

        _bulk(services, documents_from_paths(files),
              prepare_partner(format, str(services.ingest.audit.principal_iri(_cli_principal()))),
              len(files), workers)
        return
    failures = 0
    for path in files:
        entry: dict[str, object] = {"file": str(path)}
        try:
            result = services.imports.import_document(path.read_bytes(), format,
                                                      _cli_principal(), battery,
                                                      dry_run=dry_run)
            entry.update(result.report(), accepted=True)
            if report == "text":
                verb = "checked" if dry_run else "imported"
                console.print(f"{path}: {verb} battery {result.battery_id} ({format} "
                              f"{result.version}, version {result.ingest.version}, "
                              f"{len(result.warnings)} warning(s))")
                for warning in result.warnings:
                    console.print(f"  warning: {warning}")
        except DocumentRejected as exc:
            failures += 1
            entry.update(exc.report(), accepted=False, error=str(exc))
            if report == "text":
                err_console.print(f"[red]{path}[/red]: refused, {len(exc.problems)} error(s)")
                for problem in exc.problems:
                    err_console.print(f"  error: {problem}")
                for warning in exc.warnings:
                    err_console.print(f"  warning: {warning}")
        except (UnknownFormat, FormatNotSupported, FormatUnavailable) as exc:
            _fail(str(exc), 2)
        except (DocumentError, PassportRejected, StageNotPermitted, NotOwner,
                ValueError) as exc:
            failures += 1
            entry.update(accepted=False, error=str(exc),
                         errors=[{"path": getattr(exc, "path", None) or "$",
                                  "message": str(exc), "line": getattr(exc, "line", None),
                                  "column": getattr(exc, "column", None)}])
            if report == "text":
                err_console.print(f"[red]{path}[/red]: {exc}")
        if report == "json":
            sys.stdout.write(json.dumps(entry, default=str) + "\n")
    services.store.flush()
    if failures:
        if report == "text":
            err_console.print(f"{failures} file(s) refused; nothing was stored from them")
        raise typer.Exit(1)


def _bulk(services, documents, prepare, total: int, workers: int | None) -> None:
    """Run the bulk pipeline with a progress bar; print each rejected document's reasons."""
    from graph_service.services.interop.bulk import BulkImporter

    failures = 0

    def done(outcome) -> None:
        nonlocal failures
        progress.advance(task)
        if outcome.error is None:
            what = f"version {outcome.version}" if outcome.committed else "unchanged"
            console.print(f"{outcome.name}: battery {outcome.battery_id} ({what}, "
                          f"{len(outcome.warnings)} warning(s))")
            return
        failures += 1
        err_console.print(f"[red]{outcome.name}[/red]: {outcome.error}")
        for violation in outcome.violations:
            where = f" {violation.get('path')}" if violation.get("path") else ""
            err_console.print(f"  {violation.get('focusNode', '')}{where}: "
                              f"{violation.get('message', '')}")

    if workers is None and total < SMALL_BULK:
        workers = 0  # starting worker processes costs seconds: not worth it for a few files
    with _progress() as progress:
        task = progress.add_task("passports", total=total)
        report = BulkImporter(services).run(documents, prepare, _cli_principal(),
                                            workers=workers, on_done=done)
    rate = report.committed / report.seconds if report.seconds else 0.0
    console.print(f"committed {report.committed} of {len(report.outcomes)} passports in "
                  f"{report.seconds:.1f} s ({rate:.1f} passports/s)")
    if failures:
        err_console.print(f"{failures} document(s) rejected; nothing was stored from them")
        raise typer.Exit(1)


@app.command("export")
def export_passport(
    battery: Annotated[str, typer.Argument(help="Battery id.")],
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="catenax | batterypass | battinfo (only catenax "
                                        "is supported yet).")] = "catenax",
    store: StoreOption = None,
    port: PortOption = None,
    base_iri: BaseIriOption = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the document here "
                                             "(default: stdout).")] = None,
    allow_incomplete: Annotated[bool, typer.Option(
        "--allow-incomplete", help="Write what is known when required fields have no stored "
                                   "fact; the gaps are printed (stderr) and the exit code is 3."
    )] = False,
) -> None:
    """Export a stored passport as a partner document. Nothing is made up: when the format
    requires facts the passport lacks, the command lists them and fails (exit 3)."""
    import json

    from graph_service.services.interop import (
        ExportIncomplete,
        FormatNotSupported,
        PassportNotFound,
        UnknownFormat,
    )

    services = _open(_settings(store=store, port=port, base_iri=base_iri))
    try:
        result = services.imports.export_document(battery, format,
                                                  allow_incomplete=allow_incomplete)
    except ExportIncomplete as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        for gap in exc.gaps:
            err_console.print(f"  missing {gap.path}: {gap.reason} (provided by: "
                              f"{gap.provided_by})")
        raise typer.Exit(3) from None
    except (UnknownFormat, FormatNotSupported, PassportNotFound, ValueError) as exc:
        _fail(str(exc), 2)
    text = json.dumps(result.document, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
    for warning in result.warnings:
        err_console.print(f"warning: {warning}")
    if result.gaps:
        err_console.print(f"incomplete {format} {result.version} document: "
                          f"{len(result.gaps)} gap(s)")
        for gap in result.gaps:
            err_console.print(f"  missing {gap.path}: {gap.reason} (provided by: "
                              f"{gap.provided_by})")
        raise typer.Exit(3)


def _cli_principal():
    from graph_service.services.access import Principal, Role

    return Principal(id=CLI_PRINCIPAL_ID, role=Role.ADMIN, label="local command line")


def _open(settings: Settings):
    from graph_service.container import build_services

    return build_services(settings)


def _file_format(path: Path):
    from graph_service.store import RdfFormat

    if path.suffix.lower() == ".json":
        return RdfFormat.JSON_LD
    return RdfFormat.from_path(path.name)


def _media_type(path: Path, fmt: object | None) -> str:
    """Plain .json files are read through our JSON-LD context, like application/json."""
    if path.suffix.lower() == ".json":
        return "application/json"
    return str(fmt if fmt is not None else _file_format(path))


def _print_refusal(path: Path, exc: Exception) -> None:
    """Why a passport file was refused: its SHACL violations, or the error that stopped it."""
    from graph_service.services.ingest import ValidationFailed

    if isinstance(exc, ValidationFailed):
        _print_violations(path, exc.result.report.errors)
    else:
        err_console.print(f"[red]{path}[/red]: {_describe(exc)}")


def _print_violations(path: Path, violations: list) -> None:
    err_console.print(f"[red]{path}[/red]: {len(violations)} violation(s)")
    for violation in violations:
        where = f" {violation.path}" if violation.path else ""
        value = f" = {violation.value}" if violation.value else ""
        err_console.print(f"  {violation.focus_node}{where}{value}: {violation.message}")


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        MofNCompleteColumn(), TimeRemainingColumn(), console=err_console, transient=True,
    )


def _cell(term: object) -> str:
    if term is None:
        return ""
    from rdflib import Literal

    return str(term) if isinstance(term, Literal) else f"<{term}>"


def _describe(exc: Exception) -> str:
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    where = f" (line {line}, column {column})" if line else ""
    return f"{exc}{where}"


if __name__ == "__main__":
    app()
