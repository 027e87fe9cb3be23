"""The access policy between organisations, as data (``ontology/access-policy.ttl``).

Per role: of which batteries it reads legitimate-interest data (Annex XIII points 2 and 4), the
derived dismantling information, the status facts of the passport lineage and who wrote each
passport version - every battery, the batteries in its organisation's custody (it manufactures or
operates them), or none. The reasoning (Art. 77(2)) is in the file and in docs/access.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from graph_service.config import REPO_ROOT
from graph_service.model.namespaces import DBP
from graph_service.services.access import Role

DEFAULT_POLICY_FILE = REPO_ROOT / "ontology" / "access-policy.ttl"


class Scope(StrEnum):
    """Of which batteries a role reads legitimate-interest data."""

    NONE = "none"
    CUSTODY = "custody"
    ALL = "all"


_SCOPES = {DBP.NoBatteries: Scope.NONE, DBP.BatteriesInCustody: Scope.CUSTODY,
           DBP.AllBatteries: Scope.ALL}


class InvalidPolicy(ValueError):
    """The policy file does not give every role exactly one known scope."""


@dataclass(frozen=True)
class AccessPolicy:
    scopes: dict[Role, Scope]

    def scope(self, role: Role) -> Scope:
        return self.scopes[role]

    @classmethod
    def load(cls, path: Path | None = None) -> AccessPolicy:
        """Read a policy file; refuse it unless every role has exactly one known scope (a
        missing role must never silently fall back to some default)."""
        source = path or DEFAULT_POLICY_FILE
        graph = Graph().parse(source, format="turtle")
        return cls.from_graph(graph, str(source))

    @classmethod
    def from_graph(cls, graph: Graph, source: str = "policy") -> AccessPolicy:
        scopes: dict[Role, Scope] = {}
        for node in set(graph.subjects(DBP.readsLegitimateInterestOf, None)):
            role_ids = [str(v) for v in graph.objects(node, DBP.roleId) if isinstance(v, Literal)]
            values = [v for v in graph.objects(node, DBP.readsLegitimateInterestOf)
                      if isinstance(v, URIRef)]
            if len(role_ids) != 1 or len(values) != 1 or values[0] not in _SCOPES:
                raise InvalidPolicy(f"{source}: {node} needs one dbp:roleId and one "
                                    "dbp:readsLegitimateInterestOf of dbp:AllBatteries, "
                                    "dbp:BatteriesInCustody or dbp:NoBatteries")
            try:
                role = Role(role_ids[0])
            except ValueError:
                raise InvalidPolicy(f"{source}: unknown role {role_ids[0]!r}") from None
            if role in scopes:
                raise InvalidPolicy(f"{source}: role {role.value} is given twice")
            scopes[role] = _SCOPES[values[0]]
        missing = sorted(r.value for r in Role if r not in scopes)
        if missing:
            raise InvalidPolicy(f"{source}: no scope for role(s) {', '.join(missing)}")
        if scopes[Role.PUBLIC] is not Scope.NONE:
            # Anonymous callers have no organisation and no legitimate interest (Art. 77(2)).
            raise InvalidPolicy(f"{source}: the public role cannot read legitimate-interest data")
        if scopes[Role.ADMIN] is not Scope.ALL:
            raise InvalidPolicy(f"{source}: the admin role reads every battery")
        return cls(scopes)


__all__ = ["DEFAULT_POLICY_FILE", "AccessPolicy", "InvalidPolicy", "Scope"]
