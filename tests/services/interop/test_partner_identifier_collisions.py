"""Partner probe of stop 30: partner identifiers that are not battery ids (characters outside
A-Z a-z 0-9 . _ ~ -) were sanitised, so idDmc "Akku/Ü 123 #4" and "Akku 123 4" both became battery
Akku-123-4, and the second import silently replaced the first battery's passport (version 2).
Such an identifier now gets 8 hex digits of its SHA-256 after its sanitised form."""

from __future__ import annotations

import json

from graph_service.container import Services
from tests.services.interop.conftest import ADMIN, DATA, body_of
from tests.services.interop.support import register_partners


def test_identifiers_that_sanitise_alike_name_two_batteries(services: Services) -> None:
    ids = []
    for index, dmc in enumerate(("Akku/Ü 123 #4", "Akku 123 4")):
        document = json.loads((DATA / "complete.json").read_text(encoding="utf-8"))
        document["identification"]["idDmc"] = dmc
        document["metadata"]["passportIdentifier"] = (
            f"urn:uuid:00000000-0000-4000-8000-00000000000{index}")
        document["identification"]["identification"]["serial"][0]["value"] = f"SN-AKKU-{index}"
        register_partners(services, document)
        result = services.imports.import_document(body_of(document), "catenax", ADMIN)
        assert result.ingest.committed and result.ingest.version == 1, result.battery_id
        assert any(dmc in w.message and result.battery_id in w.message
                   for w in result.warnings)
        ids.append(result.battery_id)
    assert ids[0] != ids[1] and all(i.startswith("Akku-123-4-") for i in ids)
