"""The memory-planner family: a plan of where every tensor of a network lives, and its check.

A memory planner decides, for an on-chip feature-map budget of ``B`` bytes, which tensors
of a :class:`~accelbench.networks.types.Network` stay in the on-chip buffer (at which
offset, over which live range) and which go to DRAM, and what that costs in DRAM bytes.
Subclass :class:`MemoryPlannerDesign` and implement :meth:`~MemoryPlannerDesign.plan`; the
base sweeps the budgets of the design's parameters, checks every plan with
:func:`check_plan` and returns the standard metrics.

Steps are the network's layer order (step 0 is the input layer). The whole-tensor traffic
model of :func:`build_plan` is the one the built-in planners use: a tensor on chip costs no
DRAM traffic, except that the network input is read once and every network output is
written once; a tensor in DRAM is written once by its producer and read once by each
consumer. Weights are read from DRAM as the planner says (``layer_weight_bytes``).

Minimal example (a planner that keeps nothing on chip)::

    from accelbench.families.memory import MemoryPlannerDesign, build_plan

    class AllInDram(MemoryPlannerDesign):
        technique = "my-planner"
        summary = "every tensor in DRAM"

        def __init__(self):
            super().__init__("all-in-dram")

        def plan(self, network, budget_bytes, bytes_per_value=1):
            return build_plan(network, self.name, budget_bytes, bytes_per_value, onchip={})

Offsets come from :func:`best_fit_offsets`, a greedy best-fit placement over live ranges
(TensorFlow Lite's arena planner: the largest tensor first, each into the smallest gap
between the tensors already placed that are live at the same time).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from accelbench.design import Design, EvaluationOptions, Netlist
from accelbench.energy.breakdown import EnergyCounts, energy_metrics
from accelbench.errors import AccelbenchError
from accelbench.metrics import Evaluation, Metric
from accelbench.networks.types import Network
from accelbench.workloads import NetworkWorkload

KIB = 1024
#: the default sweep of on-chip feature-map budgets (128 KiB to 8 MiB, spec default)
DEFAULT_BUDGETS = tuple(KIB * 2 ** k for k in range(7, 14))
#: the budget whose metrics head a record (default; the sweep is in ``details``)
DEFAULT_BUDGET = 2048 * KIB
#: placement alignment of on-chip tensors in bytes (default; TFLite aligns to 64)
DEFAULT_ALIGNMENT = 64


class PlanError(AccelbenchError, ValueError):
    """A plan that breaks the memory-planner contract (names the tensor and step)."""


@dataclass(frozen=True)
class TensorPlan:
    """Where one tensor lives and what it costs.

    ``first``/``last``: live range in steps (producer to last reader); ``offset`` in the
    on-chip buffer (``None`` in DRAM); ``onchip_bytes`` is the size rounded up to the
    placement alignment; ``group`` is the index of the group of nodes that owns it.
    """

    name: str
    size_bytes: int
    first: int
    last: int
    consumers: tuple[int, ...]
    onchip: bool
    offset: int | None
    onchip_bytes: int
    dram_read_bytes: int
    dram_write_bytes: int
    shortcut: bool = False
    group: int = 0

    @property
    def dram_bytes(self) -> int:
        return self.dram_read_bytes + self.dram_write_bytes


@dataclass(frozen=True)
class GroupPlan:
    """Totals of one group of nodes (consecutive steps ``first..last``)."""

    index: int
    first: int
    last: int
    layers: tuple[str, ...]
    tensors: int
    onchip_tensors: int
    weight_bytes: int
    dram_read_bytes: int  # feature maps only
    dram_write_bytes: int
    peak_onchip_bytes: int

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["layers"] = [self.layers[0], self.layers[-1]] if self.layers else []
        data["layer_count"] = len(self.layers)
        return data


@dataclass(frozen=True)
class Plan:
    """A checked placement of every tensor of ``network`` under ``budget_bytes``."""

    policy: str
    network: str
    budget_bytes: int
    bytes_per_value: float
    tensors: tuple[TensorPlan, ...]
    layer_weight_bytes: tuple[tuple[str, int], ...]
    groups: tuple[GroupPlan, ...] = ()
    alignment: int = 1
    notes: tuple[str, ...] = field(default=())

    @property
    def weight_bytes(self) -> int:
        return sum(b for _, b in self.layer_weight_bytes)

    @property
    def dram_read_bytes(self) -> int:
        """Feature-map reads plus weight reads."""
        return sum(t.dram_read_bytes for t in self.tensors) + self.weight_bytes

    @property
    def dram_write_bytes(self) -> int:
        return sum(t.dram_write_bytes for t in self.tensors)

    @property
    def dram_bytes(self) -> int:
        return self.dram_read_bytes + self.dram_write_bytes

    @property
    def feature_map_dram_bytes(self) -> int:
        return self.dram_bytes - self.weight_bytes

    @property
    def shortcut_dram_bytes(self) -> int:
        return sum(t.dram_bytes for t in self.tensors if t.shortcut)

    @property
    def peak_onchip_bytes(self) -> int:
        """The buffer's high-water mark: the top of the highest on-chip tensor."""
        return max((t.offset + t.onchip_bytes for t in self.tensors if t.onchip), default=0)

    def tensor(self, name: str) -> TensorPlan:
        for t in self.tensors:
            if t.name == name:
                return t
        raise KeyError(name)

    def totals(self) -> dict[str, int]:
        return {"budget_bytes": self.budget_bytes, "dram_bytes": self.dram_bytes,
                "dram_read_bytes": self.dram_read_bytes,
                "dram_write_bytes": self.dram_write_bytes, "weight_bytes": self.weight_bytes,
                "feature_map_dram_bytes": self.feature_map_dram_bytes,
                "shortcut_dram_bytes": self.shortcut_dram_bytes,
                "peak_onchip_bytes": self.peak_onchip_bytes,
                "onchip_tensors": sum(t.onchip for t in self.tensors)}

    def dram_tensors(self) -> dict[str, list[int]]:
        """``{tensor: [read bytes, write bytes]}`` of the tensors with DRAM traffic."""
        return {t.name: [t.dram_read_bytes, t.dram_write_bytes] for t in self.tensors
                if t.dram_bytes}


# --- liveness, groups, placement ---------------------------------------------------------

def tensor_bytes(network: Network, name: str, bytes_per_value: float) -> int:
    return network.tensor_bytes(name, bytes_per_value)


def align(size: int, alignment: int) -> int:
    return -(-size // alignment) * alignment


def cut_groups(network: Network) -> list[tuple[int, int]]:
    """Groups of nodes as step ranges ``(first, last)``: a group ends after a step across
    which at most one tensor stays live (a residual block ends at its add, whose output
    is the next block's fork; a plain chain gives one layer per group)."""
    life = network.liveness
    n = len(network.layers)
    crossing = [0] * n  # tensors live across the boundary after step s
    for lt in life.values():
        for s in range(lt.producer, lt.last):
            crossing[s] += 1
    groups, start = [], 1
    for s in range(1, n):
        if crossing[s] <= 1 or s == n - 1:
            groups.append((start, s))
            start = s + 1
    return groups


def max_live_bytes(network: Network, bytes_per_value: float = 1, alignment: int = 1) -> int:
    """The largest sum of live tensor sizes at any step (the largest live set)."""
    live = [0] * len(network.layers)
    for lt in network.liveness.values():
        size = align(tensor_bytes(network, lt.tensor, bytes_per_value), alignment)
        for s in range(lt.producer, lt.last + 1):
            live[s] += size
    return max(live, default=0)


@dataclass(frozen=True)
class Interval:
    """A tensor to place: ``size`` bytes live over steps ``first..last``."""

    name: str
    size: int
    first: int
    last: int


def best_fit_offsets(items: Sequence[Interval], order: Iterable[str] | None = None,
                     fixed: Mapping[str, int] | None = None) -> dict[str, int]:
    """Greedy best-fit offsets: each tensor (``order``, default largest first) goes into
    the smallest gap between already placed tensors live at the same time, lowest offset
    on a tie, or on top of them. ``fixed`` offsets are placed first, unchanged."""
    by_name = {it.name: it for it in items}
    placed: dict[str, int] = dict(fixed or {})
    if order is None:
        order = [it.name for it in sorted(items, key=lambda it: (-it.size, it.first,
                                                                   it.name))]
    for name in order:
        if name in placed:
            continue
        it = by_name[name]
        busy = sorted((placed[o], placed[o] + by_name[o].size) for o in placed
                      if by_name[o].first <= it.last and it.first <= by_name[o].last)
        best, best_gap, top = None, math.inf, 0
        for lo, hi in busy:
            gap = lo - top
            if gap >= it.size and gap < best_gap:
                best, best_gap = top, gap
            top = max(top, hi)
        placed[name] = top if best is None else best
    return placed


# --- building and checking plans ---------------------------------------------------------

def build_plan(network: Network, policy: str, budget_bytes: int, bytes_per_value: float,
               onchip: Mapping[str, int], *, alignment: int = 1,
               layer_weight_bytes: Sequence[tuple[str, int]] | None = None,
               shortcuts: Iterable[str] = (), notes: Sequence[str] = ()) -> Plan:
    """A plan with the whole-tensor traffic model (module docstring); ``onchip`` maps the
    tensors kept on chip to their offsets. Weights default to each layer's own, once."""
    life = network.liveness
    first_layer = network.layers[0].name
    outputs = {layer.name for layer in network.outputs}
    shortcut_set = set(shortcuts)
    groups = cut_groups(network)
    owner = _group_owner(groups, len(network.layers))
    tensors = []
    for layer in network.layers:
        lt = life[layer.name]
        size = tensor_bytes(network, layer.name, bytes_per_value)
        on = layer.name in onchip
        reads = len(lt.consumers) * size
        if on:
            reads = size if layer.name == first_layer else 0
            write = size if layer.name in outputs else 0
        else:
            write = 0 if layer.name == first_layer else size
        tensors.append(TensorPlan(layer.name, size, lt.producer, lt.last, lt.consumers, on,
                                  onchip[layer.name] if on else None,
                                  align(size, alignment) if on else 0, reads, write,
                                  layer.name in shortcut_set, owner[lt.producer]))
    if layer_weight_bytes is None:
        layer_weight_bytes = [(layer.name, layer.weight_bytes(bytes_per_value))
                              for layer in network.compute_layers()]
    plan = Plan(policy, network.name, int(budget_bytes), bytes_per_value, tuple(tensors),
                tuple((n, int(b)) for n, b in layer_weight_bytes), alignment=alignment,
                notes=tuple(notes))
    return _with_groups(network, plan, groups)


def _group_owner(groups: Sequence[tuple[int, int]], steps: int) -> list[int]:
    owner = [0] * steps
    for index, (first, last) in enumerate(groups):
        for s in range(first, last + 1):
            owner[s] = index
    return owner


def _with_groups(network: Network, plan: Plan, groups: Sequence[tuple[int, int]]) -> Plan:
    weights = dict(plan.layer_weight_bytes)
    out = []
    for index, (first, last) in enumerate(groups):
        mine = [t for t in plan.tensors if t.group == index]
        peak = max((t.offset + t.onchip_bytes for t in plan.tensors if t.onchip
                    and t.first <= last and first <= t.last), default=0)
        names = tuple(layer.name for layer in network.layers[first:last + 1])
        out.append(GroupPlan(index, first, last, names, len(mine),
                             sum(t.onchip for t in mine),
                             sum(weights.get(n, 0) for n in names),
                             sum(t.dram_read_bytes for t in mine),
                             sum(t.dram_write_bytes for t in mine), peak))
    return Plan(plan.policy, plan.network, plan.budget_bytes, plan.bytes_per_value,
                plan.tensors, plan.layer_weight_bytes, tuple(out), plan.alignment, plan.notes)


def check_plan(network: Network, plan: Plan) -> None:
    """Raise :class:`PlanError` unless ``plan`` is a valid plan of ``network``.

    Checks: one entry per tensor with the network's live range; on-chip tensors inside
    the budget and never overlapping another on-chip tensor live at the same step; the
    high-water mark within the budget; every tensor read only after it was written (an
    on-chip tensor by its producer, a DRAM tensor by a DRAM write, the network input
    already in DRAM); weights of every compute layer read.
    """
    where = f"plan {plan.policy!r} of {network.name!r}"
    life = network.liveness
    names = [t.name for t in plan.tensors]
    if sorted(names) != sorted(life):
        missing = sorted(set(life) - set(names))
        extra = sorted(set(names) - set(life))
        raise PlanError(f"{where}: tensors missing {missing[:5]}, unknown {extra[:5]}")
    if plan.budget_bytes <= 0:
        raise PlanError(f"{where}: the budget must be positive, got {plan.budget_bytes}")
    first_layer = network.layers[0].name
    outputs = {layer.name for layer in network.outputs}
    onchip = []
    for t in plan.tensors:
        lt = life[t.name]
        if (t.first, t.last, tuple(t.consumers)) != (lt.producer, lt.last, lt.consumers):
            raise PlanError(f"{where}: tensor {t.name!r} has live range {t.first}..{t.last}"
                            f", the network says {lt.producer}..{lt.last}")
        if t.onchip:
            if t.offset is None or t.offset < 0 or t.onchip_bytes < t.size_bytes:
                raise PlanError(f"{where}: tensor {t.name!r} is on chip without a valid "
                                f"offset and size (offset {t.offset}, {t.onchip_bytes} B)")
            if t.offset + t.onchip_bytes > plan.budget_bytes:
                raise PlanError(f"{where}: tensor {t.name!r} at step {t.first} ends at byte "
                                f"{t.offset + t.onchip_bytes}, past the budget "
                                f"{plan.budget_bytes}")
            onchip.append(t)
            if t.name == first_layer and t.dram_read_bytes < t.size_bytes:
                raise PlanError(f"{where}: the network input {t.name!r} is on chip but never "
                                f"read from DRAM (step 0)")
            if t.name in outputs and t.dram_write_bytes < t.size_bytes:
                raise PlanError(f"{where}: network output {t.name!r} (step {t.first}) is "
                                f"never written to DRAM")
        elif t.consumers and t.name != first_layer and t.dram_write_bytes < t.size_bytes:
            step = t.consumers[0]
            raise PlanError(f"{where}: tensor {t.name!r} is read from DRAM at step {step} "
                            f"but only {t.dram_write_bytes} of its {t.size_bytes} bytes "
                            f"were written")
        elif t.dram_read_bytes < t.size_bytes * len(t.consumers):
            raise PlanError(f"{where}: tensor {t.name!r} in DRAM is read by "
                            f"{len(t.consumers)} layers but only {t.dram_read_bytes} bytes "
                            f"are counted")
    onchip.sort(key=lambda t: t.offset)
    for i, a in enumerate(onchip):
        for b in onchip[i + 1:]:
            if b.offset >= a.offset + a.onchip_bytes:
                break
            if a.first <= b.last and b.first <= a.last:
                step = max(a.first, b.first)
                raise PlanError(f"{where}: tensors {a.name!r} and {b.name!r} overlap in the "
                                f"buffer (bytes {b.offset}..{a.offset + a.onchip_bytes}) "
                                f"while both are live at step {step}")
    if plan.peak_onchip_bytes > plan.budget_bytes:
        raise PlanError(f"{where}: peak on-chip bytes {plan.peak_onchip_bytes} exceed the "
                        f"budget {plan.budget_bytes}")
    weights = dict(plan.layer_weight_bytes)
    for layer in network.compute_layers():
        if layer.weight_count and weights.get(layer.name, 0) <= 0 and not (
                layer.shares_weights_with and layer.shares_weights_with in weights):
            raise PlanError(f"{where}: layer {layer.name!r} (step "
                            f"{network.position(layer.name)}) reads weights never loaded")


# --- the family base ---------------------------------------------------------------------

class MemoryPlannerDesign(Design):
    """Base of memory planners: implement :meth:`plan`; evaluation sweeps the budgets.

    Parameters (all recorded): ``budgets`` (bytes, the sweep), ``default_budget`` (the
    budget of the headline metrics), ``bytes_per_value`` (1 = int8). Planners without a
    netlist have nothing to co-simulate; a planner with hardware overrides
    :meth:`netlists` and :meth:`verify`.
    """

    family: ClassVar[str] = "memory"
    technique: ClassVar[str] = ""
    baseline_for: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str, *, budgets: Sequence[int] = DEFAULT_BUDGETS,
                 default_budget: int = DEFAULT_BUDGET, bytes_per_value: float = 1,
                 **parameters: Any) -> None:
        super().__init__(name, budgets=list(budgets), default_budget=default_budget,
                         bytes_per_value=bytes_per_value, **parameters)
        self.budgets = tuple(int(b) for b in budgets)
        self.default_budget = int(default_budget)
        self.bytes_per_value = bytes_per_value

    def plan(self, network: Network, budget_bytes: int, bytes_per_value: float = 1) -> Plan:
        """The plan of ``network`` for an on-chip feature-map budget of ``budget_bytes``."""
        raise NotImplementedError

    def full_budget(self, network: Network, bytes_per_value: float = 1) -> int | None:
        """A budget at which this planner keeps everything on chip, if it has one; the
        sweep then ends there (None: no extra point)."""
        return None

    def describe_network(self, network: Network, bytes_per_value: float) -> dict[str, Any]:
        """``details["network"]`` of a record; subclasses may add to it."""
        return network_summary(network, bytes_per_value)

    def netlists(self) -> Mapping[str, Netlist]:
        return {}

    def verify(self, seed: int = 0) -> None:
        """Nothing to co-simulate unless a subclass has netlists."""

    def accepts(self, workload: Any) -> bool:
        return isinstance(workload, NetworkWorkload)

    def energy_counts(self, plan: Plan) -> EnergyCounts:
        """DRAM bytes of the plan, and the on-chip buffer traffic of the tensors it keeps
        on chip (one write, one read per consumer) in an SRAM the size of the budget."""
        sram = sum(t.size_bytes * (1 + len(t.consumers)) for t in plan.tensors if t.onchip)
        t = plan.totals()
        return EnergyCounts(dram_bytes=t["dram_bytes"], sram_bytes=sram,
                            sram_size_bytes=max(plan.budget_bytes, 1))

    def evaluate(self, data: Any, options: EvaluationOptions) -> Evaluation:
        """Plan ``data.network`` at every budget, check each plan, and report."""
        network = data.network
        bpv = self.bytes_per_value
        budgets = sorted(set(self.budgets) | {self.default_budget})
        full = self.full_budget(network, bpv)
        if full is not None and full > budgets[-1]:
            budgets.append(full)
        sweep, plans, seconds = [], {}, 0.0
        for budget in budgets:
            start = time.perf_counter()
            plan = self.plan(network, budget, bpv)
            seconds += time.perf_counter() - start
            check_plan(network, plan)
            plans[budget] = plan
            sweep.append({**plan.totals(), "budget_bytes": budget,
                          "plan_budget_bytes": plan.budget_bytes, "full": budget == full,
                          "tensors": plan.dram_tensors()})
        head = plans[self.default_budget]
        t = head.totals()
        metrics = [
            Metric("dram_bytes", t["dram_bytes"], "B", "lower",
                   description=f"DRAM reads + writes at a {self.default_budget // KIB} KiB "
                               f"on-chip feature-map budget (default)"),
            Metric("dram_read_bytes", t["dram_read_bytes"], "B", "lower",
                   description="feature-map and weight reads"),
            Metric("dram_write_bytes", t["dram_write_bytes"], "B", "lower"),
            Metric("weight_bytes", t["weight_bytes"], "B", "lower",
                   description="weight reads from DRAM"),
            Metric("feature_map_dram_bytes", t["feature_map_dram_bytes"], "B", "lower"),
            Metric("peak_onchip_bytes", t["peak_onchip_bytes"], "B", "none",
                   description="high-water mark of the on-chip feature-map buffer"),
            Metric("budget_bytes", self.default_budget, "B", "none",
                   description="the on-chip feature-map budget of these metrics"),
            Metric("planner_seconds", round(seconds, 4), "s", "lower", exact=False,
                   description=f"planning time of the {len(budgets)} budgets of the sweep"),
        ]
        counts = self.energy_counts(head)
        metrics += energy_metrics(counts)
        details = {
            "energy": {"counts": counts.to_json()},
            "sweep": sweep,
            "network": self.describe_network(network, bpv),
            "groups": [g.to_json() for g in head.groups],
            "bytes_per_value": bpv,
        }
        return Evaluation(metrics, details=details, notes=list(head.notes))


def network_summary(network: Network, bytes_per_value: float = 1) -> dict[str, Any]:
    """What every planner record says about its network (sizes, shortcut tensors)."""
    return {"name": network.name, "tensors": len(network.layers),
            "max_live_bytes": max_live_bytes(network, bytes_per_value),
            "tensor_bytes": {layer.name: tensor_bytes(network, layer.name, bytes_per_value)
                             for layer in network.layers},
            "outputs": [layer.name for layer in network.outputs]}
