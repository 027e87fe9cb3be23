"""Hostile documents of issue 14's review, rebuilt byte for byte in spirit.

``ENTITY_EXPANSION``: about 680 bytes of RDF/XML whose internal entities expand to a
200 000-character literal. ``ENTITY_BOMB``: the classic ten-level "billion laughs" (about 730
bytes, three gigabytes expanded) that made the engine abort the whole server process.
"""

from __future__ import annotations

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
BASE = "http://127.0.0.1:8000/"
BATTERY = f"{BASE}id/battery/BP-000001"


def _rdfxml(doctype: str, value: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n'
        f"{doctype}\n"
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:dbp="https://w3id.org/dbp#">\n'
        f'  <rdf:Description rdf:about="{BATTERY}">\n'
        f"    <dbp:model>{value}</dbp:model>\n"
        "  </rdf:Description>\n"
        "</rdf:RDF>\n"
    ).encode()


def _levels(names: list[str], first: str, repeat: list[int]) -> str:
    lines = [f'<!ENTITY {names[0]} "{first}">']
    for previous, name, times in zip(names[:-1], names[1:], repeat, strict=True):
        lines.append(f'<!ENTITY {name} "{f"&{previous};" * times}">')
    return "<!DOCTYPE rdf:RDF [\n" + "\n".join(lines) + "\n]>"


ENTITY_EXPANSION = _rdfxml(
    _levels(["a", "b", "c", "d", "e"], "a" * 10, [10, 10, 10, 20]), "&e;")
EXPANDED_LENGTH = 10 * 10 * 10 * 10 * 20

ENTITY_BOMB = _rdfxml(_levels(list("abcdefghij"), "lol", [10] * 9), "&j;")

# An external entity: would read a local file if it were resolved.
EXTERNAL_ENTITY = _rdfxml(
    '<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>', "&x;")
# A DOCTYPE without any entity: refused as well (no DTD reaches the engine).
BARE_DOCTYPE = _rdfxml("<!DOCTYPE rdf:RDF>", "plain")
# The same statement without any declaration: accepted.
PLAIN_RDFXML = _rdfxml("", "plain")

HOSTILE_XML = {
    "entity expansion": ENTITY_EXPANSION,
    "entity bomb": ENTITY_BOMB,
    "external entity": EXTERNAL_ENTITY,
    "bare doctype": BARE_DOCTYPE,
}
