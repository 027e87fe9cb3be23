"""Path and query parameters shared by several routers, validated before a route runs."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator

from graph_service.model.iris import check_identifier


def _identifier(kind: str) -> AfterValidator:
    # The one identifier rule (model/iris.py, a full match): an id that nothing can have - a
    # trailing newline, a NUL, a look-alike letter - is a 422 naming the parameter.
    return AfterValidator(partial(check_identifier, kind=kind))


BatteryId = Annotated[str, Path(description="Battery id, e.g. BP-000001", max_length=128),
                      _identifier("battery id")]
OrganisationId = Annotated[str, Path(description="Organisation id, e.g. rheinvolt",
                                     max_length=128), _identifier("organisation id")]

# A page offset goes into the engine's OFFSET, which counts in 64 bits (a larger one was refused
# by the engine as malformed SPARQL, answered as if the caller had sent a query): bounded here,
# so a larger one is a 422 naming the parameter.
MAX_OFFSET = 2**63 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET,
                              description="Items to skip (0 to 2^63-1)")]

# Query parameters that choose what a request reads or writes: the battery of a passport write,
# dry run, import or audit read, the graph of a Graph Store request, the node of an explanation.
# Given twice with different values they are refused (api/single_values.py): the framework reads
# the last, a proxy in front may read the first. Other parameters pass as the framework reads
# them: clients send some twice (SPARQLWrapper: format, output, results with two values each).
TARGET_QUERY_PARAMETERS = frozenset({"battery", "graph", "default", "node"})
