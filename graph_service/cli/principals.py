"""Principals, custody and organisations: ``dbp token``, ``dbp custody``,
``dbp organisation``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from graph_service.cli.common import (
    StoreOption,
    _cli_principal,
    _fail,
    _open,
    _settings,
    app,
    console,
    err_console,
)

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
