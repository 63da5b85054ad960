"""Helpers shared by engine designs: accepting network workloads, area metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accelbench.metrics import Metric
from accelbench.workloads import NetworkWorkload, Workload

if TYPE_CHECKING:
    from accelbench.design import Design


def is_network(workload: Workload) -> bool:
    return isinstance(workload, NetworkWorkload) or workload.kind == "network"


def area_metrics(design: Design, netlist: str, prefix: str | None = None) -> list[Metric]:
    """GE and flip-flops of one netlist (Yosys, IHP SG13G2 cells; cached)."""
    from accelbench.netlist.area import netlist_area

    report = netlist_area(design, netlist)
    name = prefix or netlist
    return [Metric(f"{name}_ge", report.total_ge, "GE", "lower",
                   description=f"area of the {netlist} netlist ({report.technology})"),
            Metric(f"{name}_flip_flops", report.flip_flops, "", "lower",
                   description=f"flip-flops of the {netlist} netlist")]
