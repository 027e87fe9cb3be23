"""``dbp serve`` and ``dbp demo``: run the service, load the synthetic fleet."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from graph_service.cli.common import (
    BaseIriOption,
    HostOption,
    PortOption,
    StoreOption,
    _open,
    _progress,
    _settings,
    app,
    console,
)


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
    from graph_service.api.server_protocol import header_deadline_protocol

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_config=logging_config(settings.log_level), access_log=False,
                http=header_deadline_protocol(settings.header_read_timeout_seconds))


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
    from graph_service.services.fleet.demo import write_demo_fleet

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
