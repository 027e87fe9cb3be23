"""Shared parts of the ``dbp`` command line: the typer app, consoles, options and helpers."""

from __future__ import annotations

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


def _cli_principal():
    from graph_service.services.access import Principal, Role

    return Principal(id=CLI_PRINCIPAL_ID, role=Role.ADMIN, label="local command line")


def _open(settings: Settings):
    """The services over the store the settings name. The base IRI is the store's own: a
    store already holds its ontology graph under the base it was built with, and a command
    that minted under another (the default port's, say) would write a second copy of the
    ontology there and name records the store does not know. Without an address given
    (--port, --host, --base-iri or their DBP_ variables) the command takes the store's base;
    with a different one given it refuses."""
    from graph_service.container import build_services
    from graph_service.store import open_store

    try:
        store = open_store(settings)
    except OSError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "lock" in reason.lower():
            _fail(f"the store {settings.store} is in use by another process (a running "
                  "`dbp serve`?); stop that process first, or send the documents to the "
                  f"running service (POST /import, POST /passports). ({reason})", code=3)
        _fail(f"cannot open the store {settings.store}: {reason}", code=3)
    stored = _stored_base_iri(store)
    if stored is not None and stored != settings.base_iri:
        explicit = (not settings.base_iri_derived
                    or {"port", "host"} & settings.model_fields_set)
        if explicit:
            store.close()
            _fail(f"the store {settings.store} was built for the base IRI {stored}, but this "
                  f"command would mint IRIs under {settings.base_iri}; give the store's own "
                  f"(--base-iri {stored}, or DBP_BASE_IRI={stored}) or leave --port, --host "
                  "and the base IRI out to use it", code=2)
        settings = settings.model_copy(update={"base_iri": stored})
    return build_services(settings, store)


def _stored_base_iri(store) -> str | None:
    """The base IRI a store was built with: the name of the graph that holds the project
    ontology's own header (``{base}graph/ontology``). None for an empty store, or when several
    graphs hold it."""
    from rdflib import OWL, RDF, URIRef

    from graph_service.model.graphs import GraphLayout
    from graph_service.services.sparql.named_queries import (
        INTERNAL_QUERIES_DIR,
        Dataset,
        NamedQueries,
    )

    suffix = str(GraphLayout("http://x/").ontology)[len("http://x/"):]
    rows = NamedQueries(store, directory=INTERNAL_QUERIES_DIR).select(
        "graphs-asserting", Dataset(default_graph=(), named_graphs=(), all_named=True),
        s=URIRef("https://w3id.org/dbp"), p=RDF.type, o=OWL.Ontology)
    bases = {str(row["g"])[:-len(suffix)] for row in rows if str(row["g"]).endswith(suffix)}
    return bases.pop() if len(bases) == 1 else None


def _file_format(path: Path):
    from graph_service.store.base import RdfFormat

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
    from graph_service.services.passports.ingest import ValidationFailed

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
