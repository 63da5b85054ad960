"""Energy per inference from the accesses a record counted, under cited per-access models.

* :mod:`accelbench.energy.models` - the models as data (Horowitz 45 nm, Eyeriss-relative),
  SRAM size interpolation, user TOML tables;
* :mod:`accelbench.energy.breakdown` - counts -> energy by component (DRAM, SRAM, RF, MAC),
  the function every family base calls and ``accelbench energy`` reuses on raw records.

What is counted: MACs, on-chip SRAM and register-file accesses, DRAM bytes, as the design
reports them. Not counted: leakage, clock tree, control, interconnect, and codec or
controller logic unless a design states it.
"""

from accelbench.energy.breakdown import (
    EnergyBreakdown,
    EnergyCounts,
    breakdown,
    counts_from_record,
    energy_metrics,
)
from accelbench.energy.models import DEFAULT_MODEL, MODELS, EnergyModel, get_model, load_table

__all__ = ["DEFAULT_MODEL", "MODELS", "EnergyBreakdown", "EnergyCounts", "EnergyModel",
           "breakdown", "counts_from_record", "energy_metrics", "get_model", "load_table"]
