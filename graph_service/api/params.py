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

# The engine's OFFSET is a 64-bit integer: a larger page start must be a 422 naming ``offset``,
# not a SPARQL syntax error of a query the caller never wrote. 10^15 is beyond any fleet.
MAX_PAGE_OFFSET = 10**15
PageOffset = Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET,
                                  description="Number of items to skip (page start).")]
