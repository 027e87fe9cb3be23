"""The operator dashboard's presentation layer: Jinja2 templates, static CSS/JS, inline SVG
charts and the template filters. No HTTP and no business logic: ``api/routes/ui.py`` calls the
services and hands their answers (the same models the REST facade returns) to the templates.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.templating import Jinja2Templates

from graph_service.model.iris import safe_href
from graph_service.model.namespaces import DBP_VOCAB, PREFIXES

UI_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = UI_DIR / "templates"
STATIC_DIR = UI_DIR / "static"

_VOCAB = DBP_VOCAB


def curie(iri: object, base: str = "") -> str:
    """A short, readable form of an IRI: ``dbp:Derivation``, ``vocab:tool/heat-gun`` or the
    path of a minted IRI (``/id/battery/BP-000001``)."""
    text = str(iri or "")
    if base and text.startswith(base):
        return "/" + text[len(base):]
    if text.startswith(_VOCAB):
        return "vocab:" + text[len(_VOCAB):]
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


def local_href(iri: object, base: str) -> str | None:
    """The server path of a minted IRI (dereferenceable here), else None (external IRI, or one
    that would not be a safe link: see ``safe_href``)."""
    text = str(iri or "")
    if not base or not text.startswith(base):
        return None
    return safe_href(text, base)


def num(value: object, places: int = 2) -> str:
    """A number without trailing zeros (42.0 -> "42", 5.80 -> "5.8"); "-" for none."""
    if value is None or value == "":
        return "\u2013"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def minutes(value: object) -> str:
    """Minutes as "55 min" or "5 h 9 min"."""
    if value is None:
        return "\u2013"
    total = round(float(value))  # type: ignore[arg-type]
    if total < 60:
        return f"{num(value, 1)} min"
    hours, rest = divmod(total, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def day(value: object) -> str:
    """The date part of an ISO date or date-time."""
    text = str(value or "")
    return text[:10] if len(text) >= 10 else (text or "\u2013")


_CAMEL = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]+)+$")
# EMMO unit labels are class names (KiloWattHour); operators read symbols.
UNIT_SYMBOLS = {
    "Volt": "V", "MilliVolt": "mV", "Ampere": "A", "AmpereHour": "Ah", "Watt": "W",
    "KiloWatt": "kW", "KiloWatthour": "kWh", "KiloWattHour": "kWh", "WattHour": "Wh",
    "Ohm": "\u03a9", "MilliOhm": "m\u03a9", "DegreeCelsius": "\u00b0C", "Kelvin": "K",
    "Percent": "%", "Kilogram": "kg", "Gram": "g", "Second": "s", "Hour": "h", "Year": "years",
    "Metre": "m", "MilliMetre": "mm", "NewtonMetre": "N\u00b7m", "Newton": "N",
}


def humanize(text: str) -> str:
    """``NominalVoltage`` -> ``nominal voltage``: EMMO's labels are class names."""
    if not _CAMEL.match(text):
        return text
    return " ".join(re.findall(r"[A-Z][a-z]+", text)).lower()


def label(concept: object) -> str:
    """A concept's label (class-name labels as words), else its id."""
    if concept is None:
        return "\u2013"
    text = getattr(concept, "label", None) or getattr(concept, "id", None) or str(concept)
    return humanize(str(text))


def unit(concept: object) -> str:
    """A unit's symbol (V, kWh, \u00b0C) where known, else its label."""
    if concept is None:
        return ""
    key = getattr(concept, "id", None) or ""
    return UNIT_SYMBOLS.get(key) or UNIT_SYMBOLS.get(getattr(concept, "label", "") or "") \
        or label(concept)


def ppe_reason(item: object) -> str:
    """Why a PPE item is needed, without repeating its name (the rule's rationale reads
    "arc-rated face shield: required when high-voltage"); an item with several rationales
    (a voltage-rated one also says whether its rating covers the battery) gets each, the
    requirement first."""
    rationale = str(getattr(item, "rationale", None) or "")
    name = str(getattr(getattr(item, "ppe", None), "label", None) or "")
    reasons = [_ppe_reason_part(part.strip(), name) for part in rationale.split("; ")]
    reasons.sort(key=lambda reason: not reason.startswith(("required", "always")))
    return "; ".join(reason for reason in reasons if reason)


def _ppe_reason_part(rationale: str, name: str) -> str:
    if name and rationale.startswith(f"{name}:"):
        rationale = rationale[len(name) + 1:].strip()
    if rationale == "required when always":
        return "always required"
    if rationale.startswith("required when "):
        return f"required: {rationale[len('required when '):]} hazard"
    return rationale


def tool_lines(tools: list) -> list[dict]:
    """One line per tool: its sizes and bits together ("insulated socket set: 10 mm, 13 mm
    socket"); the bare entry of a tool that also has sized entries is not repeated."""
    lines: dict[str, dict] = {}
    for entry in tools or []:
        tool = getattr(entry, "tool", None)
        key = str(getattr(tool, "iri", None) or getattr(tool, "id", None) or tool)
        line = lines.setdefault(key, {"tool": tool, "details": [], "iris": []})
        detail = getattr(entry, "detail", None)
        if detail and detail not in line["details"]:
            line["details"].append(detail)
        line["iris"].append(getattr(entry, "iri", None))
    return list(lines.values())


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters.update(curie=curie, local_href=local_href, num=num, minutes=minutes, day=day,
                       label=label, unit=unit, ppe_reason=ppe_reason, tool_lines=tool_lines)
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


templates = make_templates()

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "curie", "num", "templates"]
