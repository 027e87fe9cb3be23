"""The fixpoint's shortcuts (read sets, join guards, required patterns) on partner passports:
Catena-X and BattINFO documents are sparser and shaped otherwise than the demo fleet and the
reviewed pack designs (no joints, no usage records, cells without modules...), so rules the
demo always fires are left out or re-run differently. Each derives exactly the triples of the
plain loop that re-runs every rule until nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.container import Services
from graph_service.services.access import Principal, Role
from tests.rules.test_rule_passes import assert_same, reference
from tests.services.interop.support import services_reading
from tests.services.interop.test_battinfo_documents import DOCUMENTS as BATTINFO
from tests.services.interop.test_catenax_documents import DOCUMENTS as CATENAX

DATA = Path(__file__).resolve().parents[1] / "data"
ADMIN = Principal("t", Role.ADMIN)


@pytest.fixture(scope="module")
def services() -> Services:
    return services_reading()


@pytest.mark.slow
@pytest.mark.parametrize(("format", "name"), [
    *(("catenax", name) for name in CATENAX), *(("battinfo", name) for name in BATTINFO)])
def test_partner_passport_derives_exactly_as_re_running_every_rule(
        services: Services, format: str, name: str) -> None:
    result = services.imports.import_document((DATA / format / name).read_bytes(), format, ADMIN)
    assert result.ingest.committed
    battery_id = result.battery_id
    new = services.rules.derive(battery_id)
    old = reference(services).derive(battery_id)
    assert_same(new, old)
    assert new.evaluations <= old.evaluations
