"""Compute-engine designs, evaluated layer by layer on a network.

The harness owns the loop: :meth:`EngineDesign.evaluate` walks the network's compute layers
(:func:`accelbench.engines.layers.engine_layers`), asks the design for one
:class:`LayerResult` per layer (and per point of its sweep, if it declares one), sums them,
and reports the standard metrics every engine shares:

* ``total_cycles``, ``utilisation`` (issued MACs / (PEs x cycles)), ``macs`` (the layer
  MACs of the network, dense), ``issued_macs``;
* access counts in bytes per memory level and operand, named
  ``<level>_<operand>_<read|write>_bytes`` with level ``dram``, ``sram`` or ``rf`` and
  operand ``ifmap``, ``weight``, ``ofmap`` or ``psum``, plus ``dram_bytes`` and
  ``sram_bytes`` totals;
* ``latency_ms`` at the design's stated clock, when it states one;
* energy per inference (``energy_pj`` and its DRAM/SRAM/RF/MAC parts) under the default
  model of :mod:`accelbench.energy`, from the counts above and the memory sizes of
  :meth:`EngineDesign.memory_sizes`; the counts are stored in ``details["energy"]``;
* ``real_layers``: layers evaluated on real weights and activations;
* ``model_seconds``: wall time of the per-layer evaluation (a timing, not exact).

Per-layer results land in ``details["per_layer"]``; a sweep (e.g. over weight sparsity) in
``details["sweep"]`` as a structured list, one entry per point with its totals and per-layer
cycles. A baseline is a design of its own with its own records: a design never runs its
baselines inside :meth:`evaluate`; the report compares records.

Minimal example::

    class MyArray(EngineDesign):
        technique = "myarray"

        def __init__(self):
            super().__init__("myarray-8x8", rows=8, cols=8)

        @property
        def pes(self) -> int:
            return 64

        def evaluate_layer(self, layer, data, point):
            cycles = -(-layer.macs // self.pes)
            acc = Accesses()
            acc.add("dram", "weight", "read", layer.weight_values)
            return LayerResult(cycles=cycles, macs=layer.macs, accesses=acc)
"""

from __future__ import annotations

import abc
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from accelbench.design import Design, EvaluationOptions
from accelbench.energy.breakdown import (
    DEFAULT_RF_BYTES,
    DEFAULT_SRAM_BYTES,
    EnergyCounts,
    energy_metrics,
)
from accelbench.engines.layers import EngineLayer, engine_layers
from accelbench.errors import AccelbenchError
from accelbench.metrics import Evaluation, Metric
from accelbench.workloads import NetworkData, NetworkWorkload, Workload

LEVELS = ("dram", "sram", "rf")
OPERANDS = ("ifmap", "weight", "ofmap", "psum")
DIRECTIONS = ("read", "write")


@dataclass
class Accesses:
    """Bytes moved per (memory level, operand, direction)."""

    counts: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def add(self, level: str, operand: str, direction: str, nbytes: int) -> None:
        if level not in LEVELS or operand not in OPERANDS or direction not in DIRECTIONS:
            raise AccelbenchError(f"unknown access ({level}, {operand}, {direction}); levels "
                                  f"{LEVELS}, operands {OPERANDS}, directions {DIRECTIONS}")
        key = (level, operand, direction)
        self.counts[key] = self.counts.get(key, 0) + int(nbytes)

    def __iadd__(self, other: Accesses) -> Accesses:
        for (level, operand, direction), n in other.counts.items():
            self.add(level, operand, direction, n)
        return self

    def level_bytes(self, level: str) -> int:
        return sum(n for (lv, _, _), n in self.counts.items() if lv == level)

    def to_json(self) -> dict[str, int]:
        return {access_metric_name(*key): n for key, n in sorted(self.counts.items())}


def access_metric_name(level: str, operand: str, direction: str) -> str:
    return f"{level}_{operand}_{direction}_bytes"


@dataclass
class LayerResult:
    """One compute layer on the engine.

    ``macs``: the layer's multiply-accumulates (dense); ``issued_macs``: those the engine
    actually performs (fewer when it skips zeros; default ``macs``); ``accesses``: bytes
    per level and operand; ``real``: the layer ran on real weights/activations;
    ``details``: further JSON-able per-layer figures.
    """

    cycles: int
    macs: int
    accesses: Accesses = field(default_factory=Accesses)
    issued_macs: int | None = None
    real: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def issued(self) -> int:
        return self.macs if self.issued_macs is None else self.issued_macs


@dataclass(frozen=True)
class Sweep:
    """A design parameter evaluated at several values; ``default`` gives the headline."""

    parameter: str
    values: tuple[Any, ...]
    default: Any
    unit: str = ""

    def __post_init__(self) -> None:
        if self.default not in self.values:
            raise AccelbenchError(f"sweep {self.parameter}: default {self.default!r} is not "
                                  f"one of {self.values}")


@dataclass
class NetworkTotals:
    """The sum of a network's layer results at one point."""

    results: list[tuple[EngineLayer, LayerResult]]

    @property
    def cycles(self) -> int:
        return sum(r.cycles for _, r in self.results)

    @property
    def macs(self) -> int:
        return sum(r.macs for _, r in self.results)

    @property
    def issued_macs(self) -> int:
        return sum(r.issued for _, r in self.results)

    @property
    def accesses(self) -> Accesses:
        total = Accesses()
        for _, r in self.results:
            total += r.accesses
        return total

    @property
    def real_layers(self) -> int:
        return sum(r.real for _, r in self.results)


class EngineDesign(Design):
    """Base of every compute engine (see the module docstring)."""

    family: ClassVar[str] = "engine"
    #: clock for ``latency_ms`` (None: no latency figure); a stated default, not measured
    clock_mhz: ClassVar[float | None] = None
    #: operand type of the MACs, for the energy model
    mac_kind: ClassVar[str] = "int8"

    @property
    @abc.abstractmethod
    def pes(self) -> int:
        """Processing elements (MACs per cycle at full utilisation)."""

    @abc.abstractmethod
    def evaluate_layer(self, layer: EngineLayer, data: NetworkData, point: Any) -> LayerResult:
        """The result of one compute layer; ``point`` is the sweep value (None without a
        sweep). ``data.real_layer(layer.name)`` gives real weights/activations if any."""

    def sweep(self) -> Sweep | None:
        """The parameter this design is evaluated over (None: a single point)."""
        return None

    def memory_sizes(self) -> dict[str, int]:
        """Bytes of the on-chip buffer (``"sram"``) and of one register file (``"rf"``), for
        the energy model; a level left out gets the stated default of
        :mod:`accelbench.energy.breakdown`, labelled assumed."""
        return {}

    def energy_counts(self, totals: NetworkTotals) -> EnergyCounts:
        acc = totals.accesses
        sizes = self.memory_sizes()
        assumed = tuple(f"{level} size {default} B (default)" for level, default in
                        (("sram", DEFAULT_SRAM_BYTES), ("rf", DEFAULT_RF_BYTES))
                        if level not in sizes and acc.level_bytes(level))
        return EnergyCounts(macs=totals.issued_macs, mac_kind=self.mac_kind,
                            dram_bytes=acc.level_bytes("dram"),
                            sram_bytes=acc.level_bytes("sram"),
                            sram_size_bytes=sizes.get("sram", DEFAULT_SRAM_BYTES),
                            rf_bytes=acc.level_bytes("rf"),
                            rf_size_bytes=sizes.get("rf", DEFAULT_RF_BYTES), assumed=assumed)

    def layers(self, data: NetworkData) -> Sequence[EngineLayer]:
        """The layers this engine computes (default: every compute layer)."""
        return engine_layers(data.network)

    def extra_metrics(self, data: NetworkData, options: EvaluationOptions,
                      totals: NetworkTotals) -> tuple[list[Metric], dict[str, Any]]:
        """Design-specific metrics and details at the default point (area, co-simulation)."""
        return [], {}

    def accepts(self, workload: Workload) -> bool:
        return isinstance(workload, NetworkWorkload)

    def _points(self) -> Iterator[Any]:
        sweep = self.sweep()
        yield from (sweep.values if sweep else (None,))

    def evaluate(self, data: NetworkData, options: EvaluationOptions) -> Evaluation:
        layers = self.layers(data)
        if not layers:
            raise AccelbenchError(f"{self.name}: network {data.network.name!r} has no layer "
                                  "this engine computes")
        sweep = self.sweep()
        totals: dict[Any, NetworkTotals] = {}
        started = time.perf_counter()
        for point in self._points():
            totals[point] = NetworkTotals([(layer, self.evaluate_layer(layer, data, point))
                                           for layer in layers])
        seconds = time.perf_counter() - started
        default = totals[sweep.default if sweep else None]
        metrics = self.standard_metrics(default)
        metrics.append(Metric("model_seconds", seconds, "s", "lower", exact=False,
                              description="evaluating every layer at every sweep point"))
        details: dict[str, Any] = {"per_layer": [_layer_entry(layer, r, self.pes)
                                                 for layer, r in default.results]}
        if sweep:
            details["sweep"] = {
                "parameter": sweep.parameter, "unit": sweep.unit, "default": sweep.default,
                "points": [{"value": point, **_totals_entry(t, self.pes),
                            "per_layer_cycles": [r.cycles for _, r in t.results]}
                           for point, t in totals.items()]}
        details["real_data"] = (f"{data.dataset.name}, image {data.image}"
                                if data.has_real_data else None)
        counts = self.energy_counts(default)
        metrics += energy_metrics(counts)
        details["energy"] = {"counts": counts.to_json()}
        extra, extra_details = self.extra_metrics(data, options, default)
        details.update(extra_details)
        return Evaluation(metrics + extra, details=details)

    def standard_metrics(self, totals: NetworkTotals) -> list[Metric]:
        cycles = totals.cycles
        acc = totals.accesses
        metrics = [
            Metric("total_cycles", cycles, "cycles", "lower",
                   description="all computed layers, back to back"),
            Metric("utilisation", round(totals.issued_macs / (self.pes * cycles), 6)
                   if cycles else 0.0, "", "higher",
                   description=f"issued MACs / ({self.pes} PEs x cycles)"),
            Metric("macs", totals.macs, "MAC", "none", description="dense MACs of the layers"),
            Metric("issued_macs", totals.issued_macs, "MAC", "lower",
                   description="MACs the engine performs (zeros skipped where it skips)"),
            Metric("real_layers", totals.real_layers, "", "none",
                   description="layers evaluated on real weights and activations"),
        ]
        for name, n in acc.to_json().items():
            metrics.append(Metric(name, n, "B", "lower"))
        if acc.counts:
            metrics += [Metric("dram_bytes", acc.level_bytes("dram"), "B", "lower",
                               description="off-chip bytes read and written"),
                        Metric("sram_bytes", acc.level_bytes("sram"), "B", "lower",
                               description="on-chip buffer bytes read and written"),
                        Metric("rf_bytes", acc.level_bytes("rf"), "B", "lower",
                               description="register-file bytes read and written")]
        if self.clock_mhz:
            metrics.append(Metric("latency_ms", round(cycles / (self.clock_mhz * 1e3), 6),
                                  "ms", "lower",
                                  description=f"cycles at a stated {self.clock_mhz:g} MHz"))
        return metrics


def _totals_entry(t: NetworkTotals, pes: int) -> dict[str, Any]:
    cycles = t.cycles
    return {"total_cycles": cycles, "issued_macs": t.issued_macs,
            "utilisation": round(t.issued_macs / (pes * cycles), 6) if cycles else 0.0,
            **t.accesses.to_json()}


def _layer_entry(layer: EngineLayer, r: LayerResult, pes: int) -> dict[str, Any]:
    return {"layer": layer.name, "op": layer.op, "cycles": r.cycles, "macs": r.macs,
            "issued_macs": r.issued,
            "utilisation": round(r.issued / (pes * r.cycles), 6) if r.cycles else 0.0,
            "real": r.real, **r.accesses.to_json(), **r.details}
