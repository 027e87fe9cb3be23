"""IRI minting. Every instance IRI is built here, and only from a validated identifier."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from rdflib import URIRef

# Unreserved URI characters only: an identifier can never smuggle '/', '?', '#', '>' or spaces
# into an IRI or a SPARQL string. Always used with fullmatch: "$" would accept a trailing "\n".
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
# Characters no IRI may hold (RFC 3987): controls, space and <>"{}|\^`.
_NOT_IN_IRI = re.compile(r'[\x00-\x20\x7f<>"{}|\\^`]')


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
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
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

    def version(self, battery_id: str, number: int) -> URIRef:
        """Version ``number`` of a battery's passport data (the audit graph describes it)."""
        return URIRef(f"{self.battery(battery_id)}/version/{int(number)}")

    def derivation(self, battery_id: str) -> URIRef:
        """The activity that derived a battery's facts (prov:wasGeneratedBy of each of them)."""
        return URIRef(f"{self.battery(battery_id)}/derivation")

    def rule(self, rule_id: str, digest: str) -> URIRef:
        """A rule as it was when it ran: its id and the hash of its text."""
        check_identifier(rule_id, "rule id")
        return URIRef(f"{self.base}id/rule/{rule_id}/{check_identifier(digest, 'digest')}")

    def statistics(self, kind: str, concept: str) -> URIRef:
        """The fleet statistics node of one step or fastener type."""
        check_identifier(kind, "statistics kind")
        local = check_identifier(concept, f"{kind} type")
        return URIRef(f"{self.base}id/statistics/{kind}/{local}")

    def audit_record(self, token: str) -> URIRef:
        """One audit record (``token``: a fresh random hex string)."""
        return URIRef(f"{self.base}id/audit/{check_identifier(token, 'audit record id')}")

    def principal(self, principal_id: str) -> URIRef:
        """A principal: one of our token ids (hex), or ``jwt-`` and the identity provider's
        subject. The subject is not ours to restrict, so the characters no IRI may hold are
        percent-encoded (the store would refuse the IRI); other ids are used as they are."""
        segment = _NOT_IN_IRI.sub(lambda m: quote(m.group(), safe=""), principal_id)
        return URIRef(f"{self.base}id/principal/{segment}")

    def organisation(self, org_id: str) -> URIRef:
        return URIRef(f"{self.base}id/org/{check_identifier(org_id, 'organisation id')}")

    def organisation_id_of(self, iri: str) -> str | None:
        """The organisation id of one of our organisation IRIs, or None."""
        prefix = f"{self.base}id/org/"
        candidate = iri[len(prefix):] if iri.startswith(prefix) else ""
        return candidate if _IDENTIFIER.fullmatch(candidate) else None

    def source_document(self, battery_id: str, digest: str) -> URIRef:
        """The record of a partner document received for a battery (by content hash)."""
        return self.part(battery_id, "source", check_identifier(digest[:32], "digest"))

    # The records the service keeps under its own IRIs: written by its services (lineage,
    # derivations, statistics, audit, principals, organisations), never by a passport.
    _RECORD_KINDS = ("passport", "rule", "statistics", "audit", "principal", "org")

    def record_kind_of(self, iri: str) -> str | None:
        """The kind of service record an IRI names (``passport``, ``rule``, ``statistics``,
        ``audit``, ``principal``, ``org``), or None."""
        prefix = f"{self.base}id/"
        if not iri.startswith(prefix):
            return None
        kind = iri[len(prefix):].split("/", 1)[0]
        return kind if kind in self._RECORD_KINDS else None

    def unminted_spelling(self, iri: str) -> str | None:
        """Why ``iri`` is another spelling of an IRI under this base, which the service never
        mints (and which would escape every check that reads a battery or a record from the
        IRI): a scheme or host in other case, a percent-encoded unreserved character, a dot or
        empty path segment, or a battery IRI whose id is no identifier. None when it is fine
        (including every IRI that is not under this base in any spelling)."""
        normalised = _syntax_normalised(iri)
        base = str(self.base)
        if not normalised.startswith(base):
            return None
        if normalised != iri:
            return f"it is another spelling of <{normalised}>; write that"
        path = iri[len(base):]
        if any(segment in ("", ".", "..") for segment in path.split("/")[:-1]) or \
                path.endswith(("/.", "/..")) or "//" in path:
            return "the service never mints IRIs with empty, '.' or '..' path segments"
        prefix = "id/battery/"
        if path.startswith(prefix) and self.battery_id_of(iri) is None:
            return ("a battery IRI's id is 1-128 letters, digits and . _ ~ - (starting with a "
                    "letter or digit)")
        return None

    def battery_id_of(self, iri: str) -> str | None:
        """The battery id of any IRI minted under a battery, or None."""
        prefix = f"{self.base}id/battery/"
        if not iri.startswith(prefix):
            return None
        candidate = iri[len(prefix) :].split("/", 1)[0]
        return candidate if _IDENTIFIER.fullmatch(candidate) else None


def quantity_iris(owner: URIRef, slug: str) -> tuple[URIRef, URIRef]:
    """The IRIs of an EMMO quantity of ``owner`` (a battery, module, cell, record...) and of its
    numerical part: ``{owner}/q/{slug}`` and ``{owner}/q/{slug}/value``. The demo fleet, the
    partner-format importers and BattINFO data name them alike."""
    quantity = URIRef(f"{owner}/q/{check_identifier(slug, 'quantity')}")
    return quantity, URIRef(f"{quantity}/value")


def safe_href(iri: str, local_prefix: str) -> str | None:
    """The link target for a stored IRI, or None when it must be shown as text.

    Only absolute http(s) URLs with a host are links; an IRI under this server's base becomes a
    path on this server, unless that path would start with "//" (a browser reads "//evil/x" as
    a link to the host "evil"), in which case the absolute URL is kept. Backslashes (which
    browsers read as "/") and control characters make an IRI text, as do javascript:, data:
    and every other scheme."""
    if "\\" in iri or any(ord(c) < 0x21 or ord(c) == 0x7F for c in iri):
        return None
    try:
        parts = urlsplit(iri)
        host = parts.hostname
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if iri.startswith(local_prefix):
        path = "/" + iri[len(local_prefix):]
        if not path.startswith("//"):
            return path
    return iri


def sanitize_identifier(raw: str) -> str:
    """``raw`` made to follow ``check_identifier``'s rules (unreserved URI characters only):
    other characters become '-', leading punctuation is dropped, at most 128 characters. The
    result may be empty; callers check it."""
    cleaned = re.sub(r"[^A-Za-z0-9._~-]+", "-", raw.strip())
    return re.sub(r"^[._~-]+", "", cleaned)[:128]


def battery_id_for(raw: str) -> str:
    """The battery id of a partner's identifier (Catena-X idDmc, Battery Pass productIdentifier,
    BattINFO id): the identifier itself when it is one (``check_identifier``); else its
    sanitised form followed by 8 hex digits of its SHA-256, so that two identifiers that
    sanitise alike ("Akku/Ü 123 #4" and "Akku 123 4") never name the same battery - the second
    import would silently replace the first battery's passport. '' when no character is
    usable (callers report it)."""
    if _IDENTIFIER.fullmatch(raw):
        return raw
    cleaned = sanitize_identifier(raw)
    if not cleaned:
        return ""
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cleaned[:119]}-{digest}"



_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SCHEME_AUTHORITY = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def _syntax_normalised(iri: str) -> str:
    """RFC 3986 6.2.2 syntax-based normalisation of the parts that matter for telling our IRIs
    apart: scheme and host in lower case, percent-encoded unreserved characters decoded, the
    hex digits of the other escapes in upper case."""
    match = _SCHEME_AUTHORITY.match(iri)
    if match is not None:
        iri = match.group(1).lower() + match.group(2).lower() + iri[match.end():]

    def escape(found: re.Match[str]) -> str:
        char = chr(int(found.group(1), 16))
        return char if char in _UNRESERVED else f"%{found.group(1).upper()}"

    return _PERCENT.sub(escape, iri)
