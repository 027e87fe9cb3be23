"""The access policy between organisations is data (ontology/access-policy.ttl, replaced with
DBP_ACCESS_POLICY_FILE): the default says what docs/access.md says, a site's file changes what
the engine's datasets hold, and a file that leaves a role undecided is refused at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.services.access import Role
from graph_service.services.access.policy import DEFAULT_POLICY_FILE, AccessPolicy, InvalidPolicy
from tests.security.support import stored_demo_battery

# docs/access.md, "Legitimate interest between organisations"
DOCUMENTED = {
    "public": "none", "oem": "custody", "operator": "custody", "repairer": "all",
    "remanufacturer": "all", "recycler": "all", "researcher": "all", "authority": "all",
    "admin": "all",
}


def test_the_default_policy_is_the_documented_one() -> None:
    policy = AccessPolicy.load()
    assert {role.value: policy.scope(role).value for role in Role} == DOCUMENTED


def _site_policy(tmp_path: Path, researcher: str) -> Path:
    text = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
    marker = 'dbp:roleId "researcher"'
    head, tail = text.split(marker, 1)
    tail = tail.replace("dbp:AllBatteries", researcher, 1)
    path = tmp_path / "policy.ttl"
    path.write_text(head + marker + tail, encoding="utf-8")
    return path


def test_a_site_policy_changes_what_the_engine_reads(server_factory, tmp_path: Path) -> None:
    server = server_factory(access_policy_file=_site_policy(tmp_path, "dbp:NoBatteries"))
    fleet = stored_demo_battery(server)
    query = {"query": f"ASK {{ <{fleet.battery}> <https://w3id.org/dbp#cellCount> ?n }}"}
    accept = {"Accept": "application/sparql-results+json"}
    with fleet.client("researcher") as researcher:
        assert researcher.get("/sparql", params=query, headers=accept).json()["boolean"] is False
        assert researcher.get(f"/batteries/{fleet.battery_id}/history").json()["versions"] == []
        assert researcher.get(f"/batteries/{fleet.battery_id}/hazards").status_code == 403
    with fleet.client("repairer") as repairer:
        assert repairer.get("/sparql", params=query, headers=accept).json()["boolean"] is True


@pytest.mark.parametrize(("change", "says"), [
    (lambda t: t.replace('role:admin a dbp:Role ; dbp:roleId "admin"', "role:admin a dbp:Role"),
     "roleId"),
    (lambda t: t[:t.index("role:admin")], "no scope for role(s) admin"),
    (lambda t: t.replace('dbp:roleId "public" ; rdfs:label "general public"@en ;\n'
                         '    dbp:readsLegitimateInterestOf dbp:NoBatteries',
                         'dbp:roleId "public" ; rdfs:label "general public"@en ;\n'
                         '    dbp:readsLegitimateInterestOf dbp:AllBatteries'),
     "public role cannot"),
    (lambda t: t.replace('dbp:roleId "oem"', 'dbp:roleId "owner"'), "unknown role"),
    (lambda t: t.replace('dbp:roleId "admin" ; rdfs:label "administrator of this service"@en ;\n'
                         '    dbp:readsLegitimateInterestOf dbp:AllBatteries',
                         'dbp:roleId "admin" ; rdfs:label "administrator of this service"@en ;\n'
                         '    dbp:readsLegitimateInterestOf dbp:BatteriesInCustody'),
     "admin role reads every battery"),
])
def test_an_undecided_policy_is_refused(tmp_path: Path, change, says: str) -> None:
    path = tmp_path / "policy.ttl"
    path.write_text(change(DEFAULT_POLICY_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InvalidPolicy, match=says.replace("(", r"\(").replace(")", r"\)")):
        AccessPolicy.load(path)
