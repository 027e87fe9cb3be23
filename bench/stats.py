"""Small statistics helpers (no numpy): median, percentiles, geometric mean."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)


def summary_ms(seconds: Sequence[float]) -> dict[str, float | int | None]:
    """Median, p95, min and mean of durations given in seconds, reported in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": _round(median(ms)),
        "p95_ms": _round(percentile(ms, 95)),
        "min_ms": _round(min(ms) if ms else None),
        "mean_ms": _round(sum(ms) / len(ms) if ms else None),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round(numerator / denominator, 3)


def geometric_mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None and v > 0]
    if not present:
        return None
    return round(math.exp(sum(math.log(v) for v in present) / len(present)), 3)


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)
