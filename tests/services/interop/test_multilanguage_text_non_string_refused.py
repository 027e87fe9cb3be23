"""Partner-document finding: a MultiLanguageText with values that are not texts was accepted
silently. Labeling ``labels[].labelingMeaning`` is a samm-c:MultiLanguageText; the generated JSON
schema says only "object", so ``{"en": 42, "de": null}`` passed and was kept as JSON.

Now every property whose characteristic is a MultiLanguageText (read from the aspect model,
``samm.multilanguage_properties``) must map each language to a string: anything else is a 422
with the JSON path of that language, and nothing is written.
"""

from __future__ import annotations

import json

import pytest

from graph_service.container import Services
from graph_service.services.interop.errors import DocumentRejected
from tests.services.interop.conftest import ADMIN
from tests.services.interop.partner_corpus import battery_pass_set, register


@pytest.fixture(autouse=True)
def _models(services: Services) -> None:
    if not (services.settings.passport_models / "batterypass").exists():
        pytest.skip("the Battery Pass aspect models are not installed")
    register(services)


def test_non_string_texts_are_refused_at_their_path(services: Services) -> None:
    document = battery_pass_set("NZ-MLT-1")
    document["Labeling"]["labels"][0]["labelingMeaning"] = {
        "en": 42, "de": None, "fr": ["Collecte"], "nl": {"tekst": "x"}, "it": True,
        "es": "Recogida selectiva"}
    before = services.store.count()
    with pytest.raises(DocumentRejected) as refused:
        services.imports.import_document(json.dumps(document).encode(), "batterypass", ADMIN)
    assert services.store.count() == before
    problems = {p.path: p.message for p in refused.value.problems}
    base = "$.Labeling.labels[0].labelingMeaning"
    assert {f"{base}.{lang}" for lang in ("en", "de", "fr", "nl", "it")} <= set(problems)
    assert f"{base}.es" not in problems
    assert "not a number" in problems[f"{base}.en"]
    assert "not null" in problems[f"{base}.de"]
    assert "None" not in " ".join(problems.values())


def test_texts_in_several_languages_round_trip(services: Services) -> None:
    document = battery_pass_set("NZ-MLT-2")
    # (RDF keeps language tags in lower case; they come back in BCP 47's recommended case)
    meaning = {"en": "Collect separately", "de": "Getrennt sammeln", "fr-CA": "Collecte",
               "zh-Hant-TW": "分類回收"}
    document["Labeling"]["labels"][0]["labelingMeaning"] = meaning
    result = services.imports.import_document(json.dumps(document).encode(), "batterypass",
                                              ADMIN)
    back = services.imports.export_document(result.battery_id, "batterypass").document
    (labeling,) = [v for k, v in back.items() if k.endswith("#Labeling")]
    assert labeling["labels"][0]["labelingMeaning"] == meaning
