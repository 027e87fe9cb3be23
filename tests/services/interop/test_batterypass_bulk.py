"""Battery Pass payloads through the bulk pipeline (POST /import with JSON Lines, dbp import of
many files). Regression (found while rebasing onto the bulk pipeline): the pipeline wrote every
document of a stored battery as the whole passport, so one aspect sent after the others
dropped them; an aspect replaces only what it said before, as a single import does."""

from __future__ import annotations

import json

from graph_service.container import Services
from graph_service.services.interop.batterypass import normalise
from graph_service.services.interop.bulk import import_lines
from graph_service.services.interop.diff import diff
from tests.services.interop.conftest import ADMIN
from tests.services.interop.test_batterypass_documents import (  # noqa: F401  (fixture)
    DATA,
    PAYLOADS,
    by_aspect,
    services,
)


def lines(*documents: object) -> bytes:
    return b"\n".join(json.dumps(d).encode() for d in documents)


def test_bulk_aspects_of_one_battery_keep_each_other(services: Services) -> None:  # noqa: F811
    bid = "NA-ESS-48-2210"
    sent = {p.stem: json.loads(p.read_bytes()) for p in PAYLOADS.glob("*.json")}
    general = sent["GeneralProductInformation"]
    # One line per aspect, each naming the battery by the product identifier it joins on.
    body = lines(*({"GeneralProductInformation": general, name: payload}
                   for name, payload in sorted(sent.items())
                   if name != "GeneralProductInformation"))
    report = import_lines(services, body, "batterypass", ADMIN)
    assert [o.error for o in report.outcomes] == [None] * (len(sent) - 1)
    assert report.committed == len(sent) - 1
    exported = services.imports.export_document(bid, "batterypass")
    assert exported.complete
    leaves = diff(sent, by_aspect(services, exported.document), normalise)
    assert leaves.identical, leaves.details()


def test_bulk_aspect_of_a_stored_battery_replaces_only_itself(
        services: Services) -> None:  # noqa: F811
    bid = "EB36V-NMC622-000918"
    whole = json.loads((DATA / "lmt-ebike-nmc622.json").read_bytes())
    services.imports.import_document(json.dumps(whole).encode(), "batterypass", ADMIN)
    before = by_aspect(services, services.imports.export_document(bid, "batterypass").document)
    general = dict(before["GeneralProductInformation"])
    general["batteryStatus"] = "Repurposed"
    report = import_lines(services, lines({"GeneralProductInformation": general}),
                          "batterypass", ADMIN)
    assert report.committed == 1 and not report.rejected
    after = by_aspect(services, services.imports.export_document(bid, "batterypass").document)
    assert after["GeneralProductInformation"]["batteryStatus"] == "Repurposed"
    assert {k: v for k, v in after.items() if k != "GeneralProductInformation"} == \
        {k: v for k, v in before.items() if k != "GeneralProductInformation"}
