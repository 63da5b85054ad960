"""The ShortcutFusion planner and its three comparison policies as accelbench designs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from accelbench.design import EvaluationOptions, Netlist
from accelbench.designs.shortcutfusion.policies import (
    full_onchip_bytes,
    plan_policy,
    shortcut_tensors,
    skip_read_bytes,
)
from accelbench.families.memory import (
    DEFAULT_ALIGNMENT,
    DEFAULT_BUDGET,
    DEFAULT_BUDGETS,
    MemoryPlannerDesign,
    Plan,
)
from accelbench.metrics import Evaluation
from accelbench.networks.types import Network

ASSUMED = (
    "bytes per value 1 (int8 weights and activations) (default)",
    "on-chip tensors aligned to 64 bytes (default, as TFLite's arena)",
    "whole-tensor traffic: a DRAM tensor is written once and read once per consumer "
    "(default)",
    "every layer, pools, concat and upsample included, reads its inputs and writes its "
    "output (default)",
)


class PolicyPlanner(MemoryPlannerDesign):
    """One policy of :mod:`~accelbench.designs.shortcutfusion.policies` as a design."""

    policy: ClassVar[str]
    technique: ClassVar[str] = "shortcutfusion"
    assumed_defaults = ASSUMED

    def __init__(self, name: str, *, alignment: int = DEFAULT_ALIGNMENT,
                 budgets: Sequence[int] = DEFAULT_BUDGETS,
                 default_budget: int = DEFAULT_BUDGET, bytes_per_value: float = 1) -> None:
        super().__init__(name, budgets=budgets, default_budget=default_budget,
                         bytes_per_value=bytes_per_value, alignment=alignment,
                         policy=self.policy)
        self.alignment = alignment

    def plan(self, network: Network, budget_bytes: int, bytes_per_value: float = 1) -> Plan:
        return plan_policy(network, self.policy, budget_bytes, bytes_per_value,
                           self.alignment)

    def full_budget(self, network: Network, bytes_per_value: float = 1) -> int | None:
        return full_onchip_bytes(network, bytes_per_value, self.alignment)

    def describe_network(self, network: Network, bytes_per_value: float) -> dict[str, Any]:
        return {**super().describe_network(network, bytes_per_value),
                "shortcut_tensors": list(shortcut_tensors(network)),
                "shortcut_skip_read_bytes": skip_read_bytes(network, bytes_per_value)}

    def evaluate(self, data: Any, options: EvaluationOptions) -> Evaluation:
        ev = super().evaluate(data, options)
        ev.details["policy"] = self.policy
        return ev


class DramBaseline(PolicyPlanner):
    policy = "baseline"
    technique = "dram-baseline"
    baseline_for = ("shortcutfusion",)
    summary = ("layer by layer through DRAM: every layer reads its weights and inputs and "
               "writes its output off-chip once (ShortcutFusion's baseline)")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("dram-baseline", **kwargs)


class LowerBound(PolicyPlanner):
    policy = "lower_bound"
    technique = "unlimited-buffer"
    baseline_for = ("shortcutfusion",)
    summary = ("unlimited on-chip buffer: weights once, the network input and outputs "
               "once (the lower bound of every planner)")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("lower-bound", **kwargs)


class ShortcutMining(PolicyPlanner):
    policy = "shortcutmining"
    technique = "shortcutmining"
    baseline_for = ("shortcutfusion",)
    summary = ("ShortcutMining-like (Azizimazreah & Chen, HPCA 2019): the baseline, but "
               "shortcut tensors stay on chip from producer to the add when they fit")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("shortcutmining", **kwargs)


class ShortcutFusion(PolicyPlanner):
    policy = "shortcutfusion"
    summary = ("ShortcutFusion (Nguyen et al. 2021): reuse-aware static allocation of "
               "shortcut and intermediate maps under an on-chip budget, weights once; "
               "instruction-driven buffer controller netlist")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("shortcutfusion", **kwargs)

    def netlists(self) -> Mapping[str, Netlist]:
        from accelbench.designs.shortcutfusion.controller import ControllerConfig, netlist

        config = ControllerConfig(word_bytes=self.alignment)
        return {"controller": Netlist("controller", lambda p: netlist(p, config),
                                      config.describe())}

    def evaluate(self, data: Any, options: EvaluationOptions) -> Evaluation:
        ev = super().evaluate(data, options)
        if options.area:
            from accelbench.netlist.area import area_metrics

            ev.metrics += area_metrics(self, "controller")
        return ev

    def verify(self, seed: int = 0) -> None:
        from accelbench.designs.shortcutfusion.cosim import verify_controller

        verify_controller(self.alignment, seed)


def policy_designs(**kwargs: Any) -> list[PolicyPlanner]:
    """The four planners, in the order of ``accelbench plan``'s ``policies``."""
    return [DramBaseline(**kwargs), LowerBound(**kwargs), ShortcutMining(**kwargs),
            ShortcutFusion(**kwargs)]
