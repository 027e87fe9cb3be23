"""The graphs a caller reads: Annex XIII access groups x the access policy x custody.

Contract 5: this decides which graphs the engine is given, never which results are kept.

* every caller: the vocabulary graphs, the public lineage, the organisation records, the public
  view; the custody graph as a named graph (not merged into the default graph: the identity data
  states the same manufacturer and operator, a merged copy would count them twice);
* authorities and admins: the authority view;
* legitimate-interest data (view, derived view, fleet statistics) by the role's policy scope:
  ``all`` reads the whole views; ``custody`` reads the partitions of the batteries its
  organisation manufactures or operates (a handful of graph names, from the partition index);
  ``none`` reads none.
"""

from __future__ import annotations

from rdflib import URIRef

from graph_service.model.graphs import AccessGroup, GraphLayout
from graph_service.services.access import READ_GROUPS, Principal
from graph_service.services.access.custody import Custody, CustodyRecords
from graph_service.services.access.policy import AccessPolicy, Scope


def shared_graphs(layout: GraphLayout) -> list[URIRef]:
    return [layout.ontology, layout.reference, layout.parameters, layout.lineage,
            layout.organisations, layout.view(AccessGroup.PUBLIC)]


def readable_graphs(principal: Principal, layout: GraphLayout, policy: AccessPolicy,
                    partitions: tuple[str, ...] = ()) -> list[URIRef]:
    """The default graph of a caller (its merge); ``partitions``: the custody partition keys of
    the caller's organisation (used by the ``custody`` scope only)."""
    graphs = shared_graphs(layout)
    if AccessGroup.AUTHORITY in READ_GROUPS[principal.role]:
        graphs.append(layout.view(AccessGroup.AUTHORITY))
    scope = policy.scope(principal.role)
    if scope is Scope.ALL:
        graphs.extend([layout.view(AccessGroup.LEGITIMATE_INTEREST), layout.derived_view,
                       layout.statistics])
    elif scope is Scope.CUSTODY:
        graphs.extend(layout.legitimate_interest_partition(key) for key in partitions)
        graphs.extend(layout.derived_partition(key) for key in partitions)
        # Fleet-wide aggregates of step outcomes (no battery's own facts) explain the
        # estimates of the derived data the caller reads.
        graphs.append(layout.statistics)
    return graphs


def reads_legitimate_interest(principal: Principal, custody: Custody | None,
                              policy: AccessPolicy) -> bool:
    """Whether the caller reads this battery's legitimate-interest data (and who wrote its
    versions): a decision from the stored custody record and the policy."""
    scope = policy.scope(principal.role)
    if scope is Scope.ALL:
        return True
    if scope is Scope.CUSTODY:
        return custody is not None and custody.holds(principal.organisation)
    return False


def reads_derived(principal: Principal, policy: AccessPolicy) -> bool:
    """Whether the caller may read derived data of some battery at all."""
    return policy.scope(principal.role) is not Scope.NONE


def readable_groups(principal: Principal, custody: Custody | None,
                    policy: AccessPolicy) -> frozenset[AccessGroup]:
    """The access groups of one battery the caller reads."""
    groups = set(READ_GROUPS[principal.role])
    if not reads_legitimate_interest(principal, custody, policy):
        groups.discard(AccessGroup.LEGITIMATE_INTEREST)
    return frozenset(groups)


def custody_partitions(principal: Principal, policy: AccessPolicy,
                       custody: CustodyRecords) -> tuple[str, ...]:
    if policy.scope(principal.role) is not Scope.CUSTODY or not principal.organisation:
        return ()
    return custody.partitions_of(principal.organisation)


__all__ = [
    "custody_partitions",
    "readable_graphs",
    "readable_groups",
    "reads_derived",
    "reads_legitimate_interest",
    "shared_graphs",
]
