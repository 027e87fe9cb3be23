"""Partner-document probe: a Battery Pass set naming one aspect under two keys - its name and
its module name ("Labeling" and "Labels"), or its name and its SAMM URN - was accepted without a
word, and the payload under the later key silently replaced the earlier one (a different
declarationOfConformity was lost).

Now the set is refused (422) at the second key, naming the first; nothing is written.
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.services.interop.errors import DocumentRejected
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import battery_pass_set
from tests.services.interop.support import battery_pass_services

URN = "urn:samm:io.BatteryPass.Labels:1.2.0#Labeling"


@pytest.fixture(scope="module")
def services() -> Services:
    return battery_pass_services()


@pytest.mark.parametrize("second", ["Labels", URN])
def test_one_aspect_under_two_keys_is_refused_naming_both(services: Services,
                                                          second: str) -> None:
    pid = "BP-TWO-KEYS-" + ("URN" if second == URN else "MODULE")
    sent = battery_pass_set(pid)
    other = dict(sent["Labeling"], declarationOfConformity="https://other.example/doc.pdf")
    body = json.dumps({"Labeling": sent["Labeling"],
                       "GeneralProductInformation": sent["GeneralProductInformation"],
                       second: other}).encode()
    with pytest.raises(DocumentRejected) as refused:
        services.imports.import_document(body, "batterypass", ADMIN)
    problems = {p.path: p.message for p in refused.value.problems}
    path = f"$['{second}']" if second == URN else f"$.{second}"
    assert '"Labeling"' in problems[path] and "Labeling" in problems[path]
    assert not services.repository.exists(pid)


def test_each_aspect_once_under_any_key_is_accepted(services: Services) -> None:
    sent = battery_pass_set("BP-ONE-KEY-EACH")
    body = json.dumps({"GeneralProductInformation": sent["GeneralProductInformation"],
                       URN: sent["Labeling"]}).encode()
    result = services.imports.import_document(body, "batterypass", ADMIN)
    assert result.ingest.committed
