"""Dense output-stationary systolic array: PyRTL netlist, golden model, cycle model."""

from accelbench.designs.systolic.design import DenseSystolic

__all__ = ["DenseSystolic"]
