"""GS1 Digital Link for batteries: ``/01/{GTIN}/21/{serial}`` and its RFC 9264 linkset.

A battery's passport states its GTIN (``dbp:gtin``, the trade item = battery model; the shapes
check the GS1 check digit) and its serial number (``dbp:serialNumber``, AI 21). A Digital Link
resolves only when *both* belong to the same battery. Its links use the GS1 Web Vocabulary's
link types (https://ref.gs1.org/voc/, version 1.16): ``gs1:defaultLink`` (the battery's IRI),
``gs1:dpp`` ("A link to a digital product passport": the battery's current passport) and
``gs1:pip`` (the product information page: the dashboard's passport page).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

GS1_VOC = "https://ref.gs1.org/voc/"
DEFAULT_LINK = f"{GS1_VOC}defaultLink"
DPP = f"{GS1_VOC}dpp"
PIP = f"{GS1_VOC}pip"
LINKSET = "application/linkset+json"

# Used with fullmatch: "$" would accept a trailing newline (and int("\n") is no check digit).
_GTIN = re.compile(r"[0-9]{8}|[0-9]{12,14}")
# AI (21): up to 20 characters of GS1 AI encodable character set 82.
_SERIAL = re.compile(r"[A-Za-z0-9!\"%&'()*+,\-./:;<=>?_]{1,20}")


class InvalidDigitalLink(ValueError):
    """Not a GS1 Digital Link of a GTIN and a serial number (the message says why)."""


class LinkTypeUnknown(LookupError):
    """``?linkType=`` names a link type this item has no link for."""


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of the digits before it (weights 3, 1, 3... from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalise_gtin(gtin: str) -> str:
    """The GTIN-14 form (GTIN-8/12/13 padded with zeros) of a valid GTIN."""
    if not _GTIN.fullmatch(gtin):
        raise InvalidDigitalLink(
            f"GTIN {gtin[:40]!r} is not a GTIN: 8, 12, 13 or 14 digits")
    if gs1_check_digit(gtin[:-1]) != int(gtin[-1]):
        raise InvalidDigitalLink(
            f"GTIN {gtin} has a wrong check digit (GS1 mod-10: expected "
            f"{gs1_check_digit(gtin[:-1])})")
    return gtin.zfill(14)


def check_serial(serial: str) -> str:
    if not _SERIAL.fullmatch(serial):
        raise InvalidDigitalLink(
            "serial number (AI 21): 1-20 characters of GS1 character set 82")
    return serial


def expand_link_type(value: str) -> str:
    """``gs1:dpp``, ``dpp`` or the full IRI -> the full link-type IRI."""
    value = value.strip()
    if value.startswith("gs1:"):
        return GS1_VOC + value[4:]
    if value.startswith(("http://", "https://")):
        return value
    return GS1_VOC + value


@dataclass(frozen=True)
class Link:
    href: str
    title: str
    type: str | None = None


@dataclass
class DigitalLinks:
    """The links of one resolved Digital Link (anchor = its canonical URI on this service)."""

    anchor: str
    links: dict[str, list[Link]] = field(default_factory=dict)

    def target(self, link_type: str | None) -> str:
        """Where a request for ``link_type`` goes (the default link without one)."""
        wanted = DEFAULT_LINK if link_type is None else expand_link_type(link_type)
        found = self.links.get(wanted)
        if not found:
            available = ", ".join(f"gs1:{t[len(GS1_VOC):]}" if t.startswith(GS1_VOC) else t
                                  for t in self.links)
            raise LinkTypeUnknown(f"no link of type {link_type!r} for {self.anchor}; "
                                  f"available: {available}, linkset")
        return found[0].href

    def link_header(self) -> str:
        """RFC 8288 Link header: the linkset, then every typed link."""
        parts = [f'<{self.anchor}?linkType=linkset>; rel="linkset"; type="{LINKSET}"']
        for relation, links in self.links.items():
            for link in links:
                extra = f'; type="{link.type}"' if link.type else ""
                parts.append(f'<{link.href}>; rel="{relation}"; title="{link.title}"{extra}')
        return ", ".join(parts)


def linkset_document(links: DigitalLinks) -> bytes:
    """The RFC 9264 JSON linkset (``application/linkset+json``) of a Digital Link."""
    context: dict[str, object] = {"anchor": links.anchor}
    for relation, targets in links.links.items():
        context[relation] = [{k: v for k, v in (("href", t.href), ("title", t.title),
                                                 ("type", t.type)) if v is not None}
                             for t in targets]
    return json.dumps({"linkset": [context]}, indent=1).encode()
