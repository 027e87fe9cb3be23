"""Every parameter, caution and removal guidance of rules/parameters.ttl reaches an answer.

Finding 1 of issue 16: cautions attached to step types never reached any answer. The guard is
general: each subject of rules/parameters.ttl that carries a dcterms:source (parameters,
isolation and stop templates, step types, joint and fastener types, pathway and route data,
damage mappings, PPE and condition-based tools) and each caution and removal-guidance text must
appear in /pathway, /procedure (for every pathway with a procedure) or /explain of a derived node
for some design of the corpus where it applies. A parameter no design reaches is unused (or the
corpus lacks the design that needs it) and fails the test.

The stripped-fastener caution applies only once outcomes were fed back: one design gets two
stripped-fastener reports (the real feedback service) in a service of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.services.derivation.feedback import StepOutcomeIn
from graph_service.services.derivation.rules import RULES_DIR
from tests.rules import ADMIN, design_path, new_services, submit
from tests.rules.corpus import DesignAnswers

FEEDBACK_DESIGN = "nmc-400v-service-disconnect"


def parameter_items() -> tuple[set[str], set[str]]:
    graph = Graph().parse(RULES_DIR / "parameters.ttl", format="turtle")
    subjects = {str(s) for s in graph.subjects(DCTERMS.source, None) if isinstance(s, URIRef)}
    texts = {str(o) for p in (DBP.caution, DBP.removalGuidance)
             for o in graph.objects(None, p) if isinstance(o, Literal)}
    return subjects, texts


def answer_text(services: Services, battery_id: str) -> str:
    """Everything a caller reads about one battery: the pathway, the procedure of every pathway
    with one, and the explanation of every derived node the battery links to."""
    procedures = services.procedures
    parts: list[str] = [procedures.pathway(battery_id, ADMIN).model_dump_json()]
    default = procedures.procedure(battery_id, ADMIN)
    parts.append(default.model_dump_json())
    for key in default.availablePathways:
        parts.append(procedures.procedure(battery_id, ADMIN, key).model_dump_json())
    for node in derived_nodes(services, battery_id):
        parts.append(procedures.explain(node, ADMIN).model_dump_json())
    return "\n".join(parts)


def derived_nodes(services: Services, battery_id: str) -> Iterable[str]:
    derived = services.store.graph(services.layout.derived(battery_id))
    prefix = f"{services.minter.battery(battery_id)}/derived/"
    return sorted({str(s) for s in derived.subjects() if str(s).startswith(prefix)})


@pytest.fixture(scope="module")
def feedback_text() -> str:
    services = new_services()
    submit(services, design_path(FEEDBACK_DESIGN).read_bytes())
    outcomes = [StepOutcomeIn(stepType="disconnect-hv-connector", strippedFastener=True,
                              fastenerType="torx-screw", actualMinutes=9.0) for _ in range(2)]
    services.feedback.record(FEEDBACK_DESIGN, outcomes, ADMIN)
    return answer_text(services, FEEDBACK_DESIGN)


@pytest.fixture(scope="module")
def texts(corpus: dict[str, DesignAnswers], corpus_services: Services,
          feedback_text: str) -> dict[str, str]:
    found = {name: answer_text(corpus_services, name) for name in corpus}
    found[f"{FEEDBACK_DESIGN} (with fed-back stripped fasteners)"] = feedback_text
    return found


def test_every_parameter_and_caution_reaches_an_answer(texts: dict[str, str]) -> None:
    subjects, cautions = parameter_items()
    assert len(subjects) > 100 and len(cautions) > 10
    unused = sorted(s for s in subjects if not any(s in text for text in texts.values()))
    unread = sorted(c for c in cautions if not any(c in text for text in texts.values()))
    assert not unused, "parameters no design's answer uses:\n" + "\n".join(unused)
    assert not unread, "cautions no design's answer shows:\n" + "\n".join(unread)


def test_stripped_fastener_caution_follows_feedback(feedback_text: str) -> None:
    assert "https://w3id.org/dbp/param/stripped-fastener-min" in feedback_text
    assert "stripped in 2 reported cases" in feedback_text
