"""IRI minting. Every instance IRI is built here, and only from a validated identifier."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

# Unreserved URI characters only: an identifier can never smuggle '/', '?', '#', '>' or spaces
# into an IRI or a SPARQL string.
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$")


class InvalidIdentifier(ValueError):
    """An identifier that cannot be used to mint an IRI."""

    def __init__(self, value: str, kind: str = "identifier") -> None:
        super().__init__(
            f"invalid {kind} {value[:64]!r}: use 1-128 characters from A-Z a-z 0-9 . _ ~ -, "
            "starting with a letter or digit"
        )
        self.value = value
        self.kind = kind


def check_identifier(value: str, kind: str = "identifier") -> str:
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise InvalidIdentifier(str(value), kind)
    return value


@dataclass(frozen=True)
class IriMinter:
    """Mints instance IRIs under the configured base IRI."""

    base: str

    def battery(self, battery_id: str) -> URIRef:
        return URIRef(f"{self.base}id/battery/{check_identifier(battery_id, 'battery id')}")

    def passport(self, battery_id: str, number: int = 1) -> URIRef:
        """Passport ``number`` of a battery (a new one is issued on repurposing and
        remanufacturing, Art. 77(6))."""
        bid = check_identifier(battery_id, "battery id")
        return URIRef(f"{self.base}id/passport/{bid}/{int(number)}")

    def part(self, battery_id: str, kind: str, local_id: str) -> URIRef:
        """A node that belongs to one battery's passport (module, cell, event, observation...)."""
        check_identifier(kind, "node kind")
        check_identifier(local_id, f"{kind} id")
        return URIRef(f"{self.battery(battery_id)}/{kind}/{local_id}")

    def organisation(self, org_id: str) -> URIRef:
        return URIRef(f"{self.base}id/org/{check_identifier(org_id, 'organisation id')}")

    def battery_id_of(self, iri: str) -> str | None:
        """The battery id of any IRI minted under a battery, or None."""
        prefix = f"{self.base}id/battery/"
        if not iri.startswith(prefix):
            return None
        candidate = iri[len(prefix) :].split("/", 1)[0]
        return candidate if _IDENTIFIER.match(candidate) else None
