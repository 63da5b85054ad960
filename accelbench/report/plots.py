"""Helpers that keep report plots valid whatever the records contain.

An axis with no data, or a log-scaled axis with non-positive or non-finite values, leaves
matplotlib with NaN limits, and its log locator then fails inside ``tight_layout``
(``ValueError: arange: cannot compute length``). Plot code filters its points through
:func:`finite_points` and scales through :func:`log_scale_if_positive`, which sets explicit
limits from the data, so a plot never depends on matplotlib's autoscaling of odd data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any


def finite_points(points: Iterable[Sequence[Any]]) -> list[tuple[float, ...]]:
    """The points whose every coordinate is a finite number."""
    out = []
    for p in points:
        try:
            values = tuple(float(v) for v in p)
        except (TypeError, ValueError):
            continue
        if all(math.isfinite(v) for v in values):
            out.append(values)
    return out


def log_scale_if_positive(ax: Any, values: Sequence[float], axis: str = "y",
                          margin: float = 1.15) -> bool:
    """Log-scale ``axis`` of ``ax`` with explicit limits if every value is finite and
    positive (returns True); otherwise leave it linear, with limits when there is data."""
    vals = [v for v in values if math.isfinite(v)]
    setter = ax.set_ylim if axis == "y" else ax.set_xlim
    if vals and min(vals) > 0:
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
        lo, hi = min(vals), max(vals)
        setter(lo / margin, hi * margin)
        return True
    if vals:
        lo, hi = min(vals), max(vals)
        pad = (hi - lo) * 0.05 or 1.0
        setter(lo - pad, hi + pad)
    return False


def mark_empty(ax: Any, what: str = "no data") -> None:
    """Label an axis that has nothing to show (instead of leaving its limits undefined)."""
    ax.text(0.5, 0.5, what, ha="center", va="center", transform=ax.transAxes, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
