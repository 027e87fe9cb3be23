"""Fixtures for the dashboard tests: a real uvicorn server with a small demo fleet that holds at
least one battery whose derived thermal-risk alert is critical, and the system Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph_service.config import REPO_ROOT
from graph_service.services.access import Principal, Role
from graph_service.services.fleet.demo import write_demo_fleet

# The root tests/conftest.py, imported by pytest as the top-level module ``conftest``.
from conftest import LiveServer, make_settings, start_server  # isort: skip

FLEET = 8
DESIGNS = Path(__file__).resolve().parents[1] / "data" / "designs"
SETUP = Principal("ui-test-setup", Role.ADMIN)


@dataclass
class Fleet:
    live: LiveServer
    critical: str  # id of a battery whose derived alert level is critical
    ids: list[str]


def start_fleet() -> Fleet:
    """A server with ``FLEET`` demo batteries; if none of them is critical, the reviewed
    thermal-event design passport (critical by tests/rules) is ingested as well."""
    live = start_server(make_settings())
    try:
        services = live.services
        write_demo_fleet(services, FLEET)
        critical = [b.id for b in services.batteries.list(SETUP, risk_level="critical").items]
        if not critical:
            body = (DESIGNS / "thermal-event-swelling.ttl").read_bytes()
            services.ingest.submit(body, "text/turtle", principal=SETUP)
            critical = ["thermal-event-swelling"]
        ids = [b.id for b in services.batteries.list(SETUP, limit=100).items]
    except BaseException:
        live.stop()
        raise
    return Fleet(live, critical[0], ids)


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    started = start_fleet()
    try:
        yield started
    finally:
        started.live.stop()


def chromium_path() -> str | None:
    """The system Chromium (Debian's package; `make install` installs it). Never downloaded."""
    configured = os.environ.get("DBP_CHROMIUM")
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go: $DBP_TEST_ARTIFACTS, else test-artifacts/ at the repository root
    (git-ignored)."""
    root = Path(os.environ.get("DBP_TEST_ARTIFACTS") or REPO_ROOT / "test-artifacts")
    directory = root / "ui"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
