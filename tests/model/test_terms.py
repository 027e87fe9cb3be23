"""EMMO/BattINFO term constants and vocabulary IRIs have one home: model/terms.py (namespaces:
model/namespaces.py; issue 19: they were defined in services/facade/batteries.py, the demo
generator, importers and three ``vocab()`` minters). tests/ontology/test_external_iris.py checks
that every one of them exists upstream."""

from __future__ import annotations

import re

from graph_service.config import REPO_ROOT
from graph_service.model.namespaces import DBP_VOCAB
from graph_service.model.terms import vocab, vocab_name

PACKAGE = REPO_ROOT / "graph_service"
# A term written out (EMMO["EMMO_..."], ECHEM["..."]...) or a vocabulary IRI spelled in full.
DEFINITION = re.compile(r'\b(?:EMMO|ECHEM|BATTERY|CHEMSUB|CHAMEO)\["|w3id\.org/dbp/vocab/'
                        r'|"https://w3id\.org/emmo#"')


def test_terms_are_defined_only_in_the_model_package() -> None:
    elsewhere = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py")) if path.parent.name != "model"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if DEFINITION.search(line)
    ]
    assert not elsewhere, "import these from graph_service.model.terms:\n" + "\n".join(elsewhere)


def test_vocab_mints_and_reads_back_a_concept() -> None:
    iri = vocab("chemistry", "nmc811")
    assert str(iri) == f"{DBP_VOCAB}chemistry/nmc811"
    assert vocab_name(iri, "chemistry") == "nmc811"
    assert vocab_name(iri, "status") is None
