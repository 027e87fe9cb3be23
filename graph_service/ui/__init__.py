"""The operator dashboard's presentation layer: Jinja2 templates, static CSS/JS, inline SVG
charts and the template filters. No HTTP and no business logic: ``api/routes/ui.py`` calls the
services and hands their answers (the same models the REST facade returns) to the templates.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from graph_service.model.namespaces import PREFIXES

UI_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = UI_DIR / "templates"
STATIC_DIR = UI_DIR / "static"

_VOCAB = "https://w3id.org/dbp/vocab/"


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
    """The server path of a minted IRI (dereferenceable here), else None (external IRI)."""
    text = str(iri or "")
    if base and text.startswith(base):
        return "/" + text[len(base):]
    return None


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


def label(concept: object) -> str:
    """A concept's label, else its id."""
    if concept is None:
        return "\u2013"
    return getattr(concept, "label", None) or getattr(concept, "id", None) or str(concept)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters.update(curie=curie, local_href=local_href, num=num, minutes=minutes, day=day,
                       label=label)
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


templates = make_templates()

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "curie", "num", "templates"]
