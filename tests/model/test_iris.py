"""IRI minting in one place (model/iris.py): the forms stored data has always used, and only
from checked identifiers (issue 19: IRIs were minted in access, audit, feedback, rules, ingest)."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

from graph_service.model.iris import InvalidIdentifier, IriMinter, quantity_iris

BASE = "http://127.0.0.1:8000/"
MINTER = IriMinter(BASE)


def test_the_minted_forms_are_those_of_the_stored_data() -> None:
    battery = f"{BASE}id/battery/BP-000001"
    assert str(MINTER.version("BP-000001", 3)) == f"{battery}/version/3"
    assert str(MINTER.derivation("BP-000001")) == f"{battery}/derivation"
    assert str(MINTER.rule("isolation-steps", "0123456789ab")) == (
        f"{BASE}id/rule/isolation-steps/0123456789ab")
    assert str(MINTER.statistics("step", "unscrew")) == f"{BASE}id/statistics/step/unscrew"
    assert str(MINTER.audit_record("ab" * 16)) == f"{BASE}id/audit/{'ab' * 16}"
    assert str(MINTER.principal("0a1b2c3d4e5f")) == f"{BASE}id/principal/0a1b2c3d4e5f"
    quantity, value = quantity_iris(MINTER.battery("BP-000001"), "rated-capacity")
    assert (str(quantity), str(value)) == (f"{battery}/q/rated-capacity",
                                           f"{battery}/q/rated-capacity/value")


@pytest.mark.parametrize("call", [
    lambda: MINTER.version("BP 1", 1),
    lambda: MINTER.derivation("../x"),
    lambda: MINTER.rule("rule>x", "0123"),
    lambda: MINTER.statistics("step", "a/b"),
    lambda: MINTER.audit_record("x y"),
    lambda: quantity_iris(MINTER.battery("BP-1"), "q#1"),
])
def test_identifiers_are_checked(call) -> None:
    with pytest.raises(InvalidIdentifier):
        call()


@pytest.mark.parametrize("subject", ["jwt-auth0|5f1c", "jwt-a b", 'jwt-"quoted"<x>', "jwt-é"])
def test_an_identity_providers_subject_makes_an_iri_the_store_accepts(subject: str) -> None:
    iri = MINTER.principal(subject)
    NamedNode(str(iri))  # raises ValueError on an IRI the store cannot hold
    assert str(iri).startswith(f"{BASE}id/principal/jwt-")
