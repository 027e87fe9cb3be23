"""Issue 14, finding 2: the operator was read from every stored stage.

A repairer wrote ``<battery> dbp:economicOperator <org/X>`` (a predicate not in the ontology) into
the service stage; it was accepted and afterwards operator X passed the ownership check of a
battery operated by another organisation. The operator now comes from the stored custody record
only, and terms of our own namespace that the ontology does not define are refused.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from graph_service.model.graphs import Stage
from graph_service.model.namespaces import DBP
from tests.security.support import MINTER, Fleet

ECONOMIC_OPERATOR = URIRef(str(DBP) + "economicOperator")


def _service_document_naming(fleet: Fleet, organisation: str, describe: bool) -> object:
    document = fleet.document(Stage.SERVICE)
    org = MINTER.organisation(organisation)
    document.add((fleet.battery, ECONOMIC_OPERATOR, org))
    record = next(document.objects(fleet.battery, DBP.hasServiceRecord))
    document.add((record, DBP.performedBy, org))
    if describe:  # the form of the original probe: the organisation described in the document
        document.add((org, RDF.type, DBP.Organisation))
        document.add((org, DBP.name, Literal("Operator X")))
        document.add((org, DBP.organisationId, Literal(organisation)))
    return document


def test_repairer_cannot_make_another_organisation_the_operator(fleet: Fleet) -> None:
    intruder = fleet.other_operator()
    before = fleet.dump()
    with fleet.client("repairer") as client:
        answer = fleet.post(client, _service_document_naming(fleet, intruder, describe=True))
    assert answer.status_code in (403, 422), answer.text
    assert fleet.dump() == before

    with fleet.client("operator", intruder) as client:
        denied = fleet.post(client, fleet.document(Stage.USAGE))
    assert denied.status_code == 403, denied.text
    assert fleet.dump() == before
    with fleet.client("operator", fleet.operator) as client:
        allowed = fleet.post(client, fleet.document(Stage.USAGE))
    assert allowed.status_code in (200, 201), allowed.text


def test_terms_of_our_namespace_that_the_ontology_lacks_are_refused(fleet: Fleet) -> None:
    before = fleet.dump()
    with fleet.client("repairer") as client:
        answer = fleet.post(client, _service_document_naming(fleet, fleet.other_operator(),
                                                             describe=False))
    assert answer.status_code == 422, answer.text
    assert str(ECONOMIC_OPERATOR) in answer.json()["detail"]
    assert fleet.dump() == before
