"""Partner documents: ``dbp import`` (bulk, with workers) and ``dbp export``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from graph_service.cli.common import (
    SMALL_BULK,
    BaseIriOption,
    PortOption,
    StoreOption,
    WorkersOption,
    _bulk,
    _cli_principal,
    _fail,
    _open,
    _settings,
    app,
    console,
    err_console,
)


# ---------------------------------------------------------------------------------------------
@app.command("import")
def import_files(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="catenax (Catena-X battery pass 6.1.0 JSON), "
                                        "batterypass (Battery Pass consortium aspects) or "
                                        "battinfo (JSON-LD).")],
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

    from graph_service.services.interop import (
        DocumentError,
        DocumentRejected,
        FormatNotSupported,
        FormatUnavailable,
        UnknownFormat,
    )
    from graph_service.services.passports.ingest import (
        NotOwner,
        PassportRejected,
        StageNotPermitted,
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


@app.command("export")
def export_passport(
    battery: Annotated[str, typer.Argument(help="Battery id.")],
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="catenax or batterypass (battinfo: import "
                                        "only).")] = "catenax",
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
