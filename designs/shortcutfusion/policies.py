"""The four placement policies of the ShortcutFusion comparison (spec defaults).

Every policy builds a :class:`~accelbench.families.memory.Plan` with the whole-tensor
traffic model of :func:`~accelbench.families.memory.build_plan`; they differ in which
tensors stay on chip and in how often weights are read:

* ``baseline``: nothing on chip; every layer reads its weights (a shared head once per use).
* ``lower_bound``: everything on chip (an unlimited buffer); weights read once.
* ``shortcutmining``: the baseline, except shortcut tensors (:func:`shortcut_tensors`)
  placed in the buffer: kept when they fit under the budget.
* ``shortcutfusion``: any tensor may stay on chip (shortcuts first, then the maps passed
  between layers); weights read once.

Placements do not depend on the budget: the offsets of a policy's candidate tensors come
once from a greedy best-fit placement over their live ranges, and at budget ``B`` a tensor
stays on chip exactly when it lies wholly below ``B``. A larger budget therefore keeps a
superset, so traffic never rises with ``B``. ShortcutFusion places the shortcut tensors
first at the offsets ShortcutMining gives them and then the rest around them, so it keeps
a superset of what ShortcutMining keeps at every budget; it also tries the plain
largest-first and smallest-first orders of all tensors and a two-ended ("ping-pong")
placement in a buffer of the largest live set, and per budget uses whichever of the four
keeps the least traffic in DRAM (default: these four candidates).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from accelbench.families.memory import (
    Interval,
    Plan,
    align,
    best_fit_offsets,
    build_plan,
    max_live_bytes,
)
from accelbench.networks.types import ELEMENTWISE_OPS, Network

POLICIES = ("baseline", "lower_bound", "shortcutmining", "shortcutfusion")
#: ShortcutFusion's candidate placements (default: these four), tried at every budget
CANDIDATE_ORDERS = ("shortcut-first", "largest-first", "smallest-first", "ping-pong")


def shortcut_tensors(network: Network) -> tuple[str, ...]:
    """Tensors on a shortcut: the source of an edge that skips at least one layer into an
    element-wise op (a residual add, a squeeze-excite multiply), or into a projection
    conv whose only reader is such an op (a downsampling shortcut, an FPN lateral)."""
    out: list[str] = []
    for layer in network.layers:
        step = network.position(layer.name)
        for src in layer.inputs:
            if step - network.position(src) <= 1 or src in out:
                continue
            readers = network.consumers(layer.name)
            if layer.op in ELEMENTWISE_OPS or (
                    layer.is_compute and len(readers) == 1
                    and readers[0].op in ELEMENTWISE_OPS):
                out.append(src)
    return tuple(out)


def skip_read_bytes(network: Network, bytes_per_value: float = 1) -> int:
    """Baseline DRAM reads of shortcut tensors over edges that skip a layer (the reads a
    plain chain would not have)."""
    shortcuts = set(shortcut_tensors(network))
    return sum(network.tensor_bytes(src, bytes_per_value) for layer in network.layers
               for src in layer.inputs if src in shortcuts
               and network.position(layer.name) - network.position(src) > 1)


def _intervals(network: Network, names: Sequence[str], bytes_per_value: float,
               alignment: int) -> list[Interval]:
    life = network.liveness
    return [Interval(n, align(network.tensor_bytes(n, bytes_per_value), alignment),
                     life[n].producer, life[n].last) for n in names]


def _fit(busy: list[tuple[int, int]], size: int, arena: int, from_top: bool) -> int | None:
    """The lowest (or highest) offset of a free ``size``-byte range inside ``arena``."""
    edges = [(0, 0), *sorted(busy), (arena, arena)]
    free, top = [], 0
    for lo, hi in edges:
        if lo - top >= size:
            free.append((top, lo))
        top = max(top, hi)
    free = [(lo, hi) for lo, hi in free if hi <= arena]
    if not free:
        return None
    return free[-1][1] - size if from_top else free[0][0]


def two_ended_offsets(items: Sequence[Interval], parents: dict[str, str],
                      arena: int) -> dict[str, int]:
    """Ping-pong placement in an ``arena``-byte buffer: in execution order, each tensor
    goes to the end (bottom or top) opposite to its first input's, or else the other end,
    or else on top of everything. A chain then never needs more than its largest live
    pair, where largest-first best fit can fragment."""
    by_name = {it.name: it for it in items}
    placed: dict[str, int] = {}
    side: dict[str, bool] = {}
    for it in sorted(items, key=lambda it: (it.first, it.name)):
        busy = [(placed[o], placed[o] + by_name[o].size) for o in placed
                if by_name[o].first <= it.last and it.first <= by_name[o].last]
        prefer = not side.get(parents.get(it.name, ""), True)
        for top in (prefer, not prefer):
            off = _fit(busy, it.size, arena, top)
            if off is not None:
                placed[it.name], side[it.name] = off, top
                break
        else:
            placed[it.name] = max([arena, *(hi for _, hi in busy)])
            side[it.name] = False
    return placed


@lru_cache(maxsize=64)
def placements(network: Network, bytes_per_value: float, alignment: int
               ) -> dict[str, dict[str, int]]:
    """Budget-independent offsets: ``shortcutmining`` (its shortcut tensors) and the
    three candidate orders of ``shortcutfusion`` (every tensor)."""
    every = [layer.name for layer in network.layers]
    items = _intervals(network, every, bytes_per_value, alignment)
    shortcuts = set(shortcut_tensors(network))
    mining = best_fit_offsets([it for it in items if it.name in shortcuts])
    ascending = [it.name for it in sorted(items, key=lambda it: (it.size, it.first, it.name))]
    parents = {layer.name: layer.inputs[0] for layer in network.layers if layer.inputs}
    live = max_live_bytes(network, bytes_per_value, alignment)
    return {
        "shortcutmining": mining,
        "shortcut-first": best_fit_offsets(items, fixed=mining),
        "largest-first": best_fit_offsets(items),
        "smallest-first": best_fit_offsets(items, order=ascending),
        "ping-pong": two_ended_offsets(items, parents, live),
    }


def _kept(network: Network, offsets: dict[str, int], budget: int, bytes_per_value: float,
          alignment: int) -> dict[str, int]:
    return {n: off for n, off in offsets.items()
            if off + align(network.tensor_bytes(n, bytes_per_value), alignment) <= budget}


def _once_weights(network: Network, bytes_per_value: float) -> list[tuple[str, int]]:
    """Each distinct weight tensor read once (a shared head at its first use)."""
    return [(layer.name, layer.weight_bytes(bytes_per_value))
            for layer in network.compute_layers() if not layer.shares_weights_with]


def full_onchip_bytes(network: Network, bytes_per_value: float = 1,
                      alignment: int = 1) -> int:
    """The smallest buffer at which ShortcutFusion keeps every tensor on chip."""
    sizes = {layer.name: align(network.tensor_bytes(layer.name, bytes_per_value), alignment)
             for layer in network.layers}
    return min(max(off + sizes[n] for n, off in offs.items())
               for key, offs in placements(network, bytes_per_value, alignment).items()
               if key != "shortcutmining")


def plan_policy(network: Network, policy: str, budget_bytes: int,
                bytes_per_value: float = 1, alignment: int = 1) -> Plan:
    """The plan of ``policy`` (one of :data:`POLICIES`) at ``budget_bytes``."""
    shortcuts = shortcut_tensors(network)
    common = dict(alignment=alignment, shortcuts=shortcuts)
    if policy == "baseline":
        return build_plan(network, policy, budget_bytes, bytes_per_value, {}, **common)
    offs = placements(network, bytes_per_value, alignment)
    if policy == "lower_bound":
        keep = offs["largest-first"]
        # an unlimited buffer: the plan's budget is the buffer it needs
        needed = max(off + align(network.tensor_bytes(n, bytes_per_value), alignment)
                     for n, off in keep.items())
        return build_plan(network, policy, needed, bytes_per_value, keep,
                          layer_weight_bytes=_once_weights(network, bytes_per_value),
                          notes=("unlimited buffer: the budget is not a limit",), **common)
    if policy == "shortcutmining":
        keep = _kept(network, offs["shortcutmining"], budget_bytes, bytes_per_value, alignment)
        return build_plan(network, policy, budget_bytes, bytes_per_value, keep, **common)
    if policy == "shortcutfusion":
        weights = _once_weights(network, bytes_per_value)
        best = None
        for order in CANDIDATE_ORDERS:
            keep = _kept(network, offs[order], budget_bytes, bytes_per_value, alignment)
            plan = build_plan(network, policy, budget_bytes, bytes_per_value, keep,
                              layer_weight_bytes=weights,
                              notes=(f"placement order: {order}",), **common)
            if best is None or plan.dram_bytes < best.dram_bytes:
                best = plan
        return best
    raise ValueError(f"unknown policy {policy!r}; expected one of {POLICIES}")
