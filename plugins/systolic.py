"""Registers the dense output-stationary systolic array (the baseline of SPOTS)."""

from accelbench import hookimpl
from accelbench.designs.systolic import DenseSystolic


@hookimpl
def accelbench_designs():
    return [DenseSystolic(16, 16)]
