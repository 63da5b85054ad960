"""From counted accesses to energy by component.

A family base fills an :class:`EnergyCounts` from its standard counts (MACs performed,
DRAM bytes, SRAM and register-file bytes with the memories' sizes) and stores it in the
record's ``details["energy"]`` beside the metrics of :func:`energy_metrics`; the report
and ``accelbench energy`` rebuild the breakdown from those stored counts under any model,
with no re-run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from accelbench.energy.models import DEFAULT_MODEL, EnergyModel, get_model
from accelbench.metrics import Metric

if TYPE_CHECKING:
    from accelbench.records import ResultRecord

#: stated defaults where a design does not give its memories' sizes
DEFAULT_SRAM_BYTES = 64 * 1024
DEFAULT_RF_BYTES = 64


@dataclass(frozen=True)
class EnergyCounts:
    """What one inference moves and computes.

    ``assumed`` names the counts or sizes that are stated defaults, not the design's own.
    """

    macs: int = 0
    mac_kind: str = "int8"
    dram_bytes: float = 0
    sram_bytes: float = 0
    sram_size_bytes: float = DEFAULT_SRAM_BYTES
    rf_bytes: float = 0
    rf_size_bytes: float = DEFAULT_RF_BYTES
    assumed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["assumed"] = list(self.assumed)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EnergyCounts:
        known = set(cls.__dataclass_fields__)
        values = {k: v for k, v in data.items() if k in known}
        values["assumed"] = tuple(values.get("assumed", ()))
        return cls(**values)


@dataclass(frozen=True)
class EnergyBreakdown:
    model: str
    unit: str
    dram: float
    sram: float
    rf: float
    mac: float
    dram_high: float | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def total(self) -> float:
        return self.dram + self.sram + self.rf + self.mac

    @property
    def memory_share(self) -> float:
        """(DRAM + SRAM + RF) / total; 0 when nothing was counted."""
        return (self.dram + self.sram + self.rf) / self.total if self.total else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "unit": self.unit, "total": self.total,
                "dram": self.dram, "sram": self.sram, "rf": self.rf, "mac": self.mac,
                "dram_high": self.dram_high, "memory_share": self.memory_share}


def breakdown(counts: EnergyCounts, model: EnergyModel | str = DEFAULT_MODEL) -> EnergyBreakdown:
    m = get_model(model) if isinstance(model, str) else model
    high = (counts.dram_bytes * m.dram_per_byte_high if m.dram_per_byte_high is not None
            else None)
    return EnergyBreakdown(
        model=m.name, unit=m.unit,
        dram=counts.dram_bytes * m.dram_per_byte,
        sram=counts.sram_bytes * m.sram_per_byte(counts.sram_size_bytes)
        if counts.sram_bytes else 0.0,
        rf=counts.rf_bytes * m.rf_per_byte(counts.rf_size_bytes) if counts.rf_bytes else 0.0,
        mac=counts.macs * m.mac_energy(counts.mac_kind) if counts.macs else 0.0,
        dram_high=high, notes=counts.assumed)


def energy_metrics(counts: EnergyCounts, model: EnergyModel | str = DEFAULT_MODEL,
                   prefix: str = "") -> list[Metric]:
    """``energy_pj`` and its components (those that apply) under the default model."""
    b = breakdown(counts, model)
    unit = "pJ" if b.unit == "pJ" else b.unit
    name = "pj" if b.unit == "pJ" else "mac_units"
    what = f"per inference, {b.model}"
    metrics = [Metric(f"{prefix}energy_{name}", round(b.total, 3), unit, "lower",
                      description=f"DRAM + SRAM + RF + MAC energy {what}")]
    for part, value in (("dram", b.dram), ("sram", b.sram), ("rf", b.rf), ("mac", b.mac)):
        if value:
            metrics.append(Metric(f"{prefix}energy_{part}_{name}", round(value, 3), unit,
                                  "lower", description=f"{part.upper()} energy {what}"))
    if b.dram_high is not None and b.dram:
        metrics.append(Metric(f"{prefix}energy_dram_high_{name}", round(b.dram_high, 3),
                              unit, "lower",
                              description=f"DRAM energy at the model's high DRAM cost, {what}"))
    if b.total:
        metrics.append(Metric(f"{prefix}energy_memory_share", round(b.memory_share, 6), "",
                              "none", description="(DRAM + SRAM + RF) / total energy"))
    return metrics


def counts_from_record(record: ResultRecord, key: str = "counts") -> EnergyCounts | None:
    """The counts a record stored for the energy model (None if it stored none)."""
    data = (record.details.get("energy") or {}).get(key)
    return EnergyCounts.from_json(data) if isinstance(data, dict) else None
