"""Metrics and the result record that every evaluation produces."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Direction = Literal["higher", "lower", "none"]


@dataclass(frozen=True)
class Metric:
    """One measured figure.

    ``exact`` metrics (area, cycles, bits, ratios) are deterministic and may be asserted;
    timings are not exact and are only compared as ratios within one run.
    """

    name: str
    value: float | int
    unit: str = ""
    direction: Direction = "none"
    exact: bool = True
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Evaluation:
    """What a design returns for one workload: headline metrics plus detail tables.

    ``details`` holds JSON-serialisable breakdowns (per layer, per image, ...) that the
    report turns into tables and plots.
    """

    metrics: list[Metric]
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def metric(self, name: str) -> Metric:
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "metrics": [m.to_json() for m in self.metrics],
            "details": self.details,
            "notes": self.notes,
        }
