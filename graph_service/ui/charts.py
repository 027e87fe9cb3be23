"""Trend plots as server-rendered inline SVG (no JavaScript library, nothing fetched).

``line_chart`` draws one or more time series on a shared time axis. Each series has its own
colour *and* dash pattern and marker shape (readable without colour), each point a ``<title>``
with its date and value, and the chart a ``<title>``/``<desc>`` for screen readers; the page
shows the same numbers in a table next to it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from markupsafe import Markup

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48
DASHES = ("", "8 5", "2 4")
MARKERS = ("circle", "square", "diamond")
# WCAG AA against white for text and >= 3:1 for graphics: blue, dark orange, dark red.
COLOURS = ("#0b57d0", "#9a4a00", "#b3261e")


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[str, float | None]]  # (ISO date-time, value)


def _parse(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return parsed.replace(tzinfo=None)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (steps of 1, 2 or 5 x 10^k)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        low, high = low - 1, high + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.5:
        ticks.append(round(value, 10))
        value += step
        if len(ticks) > 50:
            break
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _format(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return (f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" '
                f'fill="{colour}"')
    if kind == "diamond":
        return (f'<path d="M{x:.1f} {y - 6:.1f} L{x + 6:.1f} {y:.1f} L{x:.1f} {y + 6:.1f} '
                f'L{x - 6:.1f} {y:.1f} Z" fill="{colour}"')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"'


def line_chart(chart_id: str, title: str, unit: str, series: Sequence[Series], *,
               y_min: float | None = None, y_max: float | None = None) -> Markup:
    """An accessible SVG line chart; an empty string when no series has a plottable point."""
    parsed = [
        [(at, when, value) for at, value in s.points
         if value is not None and (when := _parse(at)) is not None]
        for s in series
    ]
    values = [value for points in parsed for _, _, value in points]
    if not values:
        return Markup("")
    times = [when for points in parsed for _, when, _ in points]
    low = min(values) if y_min is None else min(y_min, min(values))
    high = max(values) if y_max is None else max(y_max, max(values))
    ticks = nice_ticks(low, high)
    y_low, y_high = ticks[0], ticks[-1]
    t_low, t_high = min(times), max(times)
    span = (t_high - t_low).total_seconds()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(when: datetime) -> float:
        if span <= 0:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (when - t_low).total_seconds() / span

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - (value - y_low) / ((y_high - y_low) or 1))

    names = ", ".join(s.name for s in series)
    desc = (f"{names} from {t_low.date().isoformat()} to {t_high.date().isoformat()}; "
            f"values between {_format(min(values))} and {_format(max(values))} {unit}.")
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        '<g class="grid" stroke="#c4c7c5" stroke-width="1">',
    ]
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
    parts.append("</g>")
    parts.append('<g class="axis" fill="#1f1f1f" font-size="14">')
    for tick in ticks:
        parts.append(f'<text x="{LEFT - 8}" y="{y_of(tick) + 4:.1f}" text-anchor="end">'
                     f"{_format(tick)}</text>")
    parts.append(f'<text x="14" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">{escape(unit)}</text>')
    distinct = sorted(set(times))
    if len(distinct) > 6:
        step = (len(distinct) - 1) / 5
        distinct = [distinct[round(i * step)] for i in range(6)]
    for when in distinct:
        x = x_of(when)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + plot_h}" '
                     f'y2="{TOP + plot_h + 5}" stroke="#1f1f1f"/>')
        anchor = ("start" if x - LEFT < 40 else "end" if WIDTH - RIGHT - x < 40
                  else "middle")
        parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 20}" text-anchor="{anchor}">'
                     f"{when.date().isoformat()}</text>")
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
                 f'y2="{TOP + plot_h}" stroke="#1f1f1f"/>')
    parts.append("</g>")
    for index, (s, points) in enumerate(zip(series, parsed, strict=True)):
        if not points:
            continue
        colour = COLOURS[index % len(COLOURS)]
        dash = DASHES[index % len(DASHES)]
        ordered = sorted(points, key=lambda p: p[1])
        path = " ".join(f"{'M' if i == 0 else 'L'}{x_of(w):.1f} {y_of(v):.1f}"
                        for i, (_, w, v) in enumerate(ordered))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="series" data-series="{escape(s.name)}">')
        parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="3"'
                     f"{dash_attr}/>")
        for at, when, value in ordered:
            parts.append(_marker(MARKERS[index % len(MARKERS)], x_of(when), y_of(value),
                                 colour)
                         + f"><title>{escape(s.name)} {_format(value)} {escape(unit)} on "
                           f"{escape(at[:10])}</title></{_tag(index)}>")
        parts.append("</g>")
    # Legend below the axis labels: line sample, marker and name per series.
    x = LEFT
    for index, s in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        dash = DASHES[index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        y = HEIGHT - 10
        parts.append(f'<line x1="{x}" x2="{x + 28}" y1="{y - 4}" y2="{y - 4}" '
                     f'stroke="{colour}" stroke-width="3"{dash_attr}/>')
        parts.append(_marker(MARKERS[index % len(MARKERS)], x + 14, y - 4, colour)
                     + f"></{_tag(index)}>")
        parts.append(f'<text x="{x + 36}" y="{y}" font-size="14" fill="#1f1f1f">'
                     f"{escape(s.name)}</text>")
        x += 36 + 9 * len(s.name) + 24
    parts.append("</svg>")
    return Markup("".join(parts))


def usage_charts(records: Sequence[Any]) -> dict[str, Markup]:
    """The passport's usage trends from ``SohSeries.records``: state of health and state of
    charge (%) on one chart, the maximum cell temperature (degrees Celsius) on another."""
    return {
        "soc_soh": line_chart(
            "chart-soc-soh", "State of health and state of charge over time", "%",
            [Series("State of health", [(r.recordedAt or "", r.stateOfHealth) for r in records]),
             Series("State of charge", [(r.recordedAt or "", r.stateOfCharge) for r in records])],
            y_min=0, y_max=100),
        "temperature": line_chart(
            "chart-temperature", "Maximum temperature over time", "\u00b0C",
            [Series("Max. temperature", [(r.recordedAt or "", r.maxTemperature)
                                         for r in records])]),
    }


def _tag(index: int) -> str:
    return {"circle": "circle", "square": "rect", "diamond": "path"}[
        MARKERS[index % len(MARKERS)]]


__all__ = ["Series", "line_chart", "nice_ticks", "usage_charts"]
