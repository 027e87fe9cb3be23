"""Path parameters shared by several routers, validated before a route runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator

from graph_service.model.iris import check_identifier


def _battery_id(value: str) -> str:
    # The one identifier rule (model/iris.py, a full match): an id that no battery can have -
    # a trailing newline, a NUL, a look-alike letter - is a 422 naming the parameter.
    return check_identifier(value, "battery id")


BatteryId = Annotated[
    str,
    Path(description="Battery id, e.g. BP-000001", max_length=128),
    AfterValidator(_battery_id),
]


def _organisation_id(value: str) -> str:
    return check_identifier(value, "organisation id")


OrganisationId = Annotated[
    str,
    Path(description="Organisation id, e.g. rheinvolt", max_length=128),
    AfterValidator(_organisation_id),
]
