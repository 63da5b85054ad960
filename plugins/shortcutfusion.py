"""Registers ShortcutFusion, its comparison policies (DRAM baseline, ShortcutMining-like,
unlimited-buffer lower bound) and the ShortcutFusion report section."""

from accelbench import hookimpl
from accelbench.designs.shortcutfusion.design import policy_designs
from accelbench.designs.shortcutfusion.report import ShortcutFusionSection


@hookimpl
def accelbench_designs():
    return policy_designs()


@hookimpl
def accelbench_report_sections():
    return [ShortcutFusionSection()]
