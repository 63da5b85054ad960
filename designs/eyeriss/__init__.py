"""An Eyeriss-like row-stationary analytical model (no netlist)."""
