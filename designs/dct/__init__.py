"""DCT interlayer feature-map compression (Shao et al., arXiv 2110.06155), lossy.

Golden model: :mod:`.golden` (fixed-point transform, bounds), :mod:`.tables` (quantiser),
:mod:`.stream` (bitmap + values format), :mod:`.model` (the codec of one map).
Hardware: :mod:`.netlist` (2-D), :mod:`.netlist_cm` (channel DCT), :mod:`.hw` (the
format's coder/decoder), :mod:`.hwlib` (generic builders, to move to
accelbench.netlist.lib). Designs on the codec base: :mod:`.design`; on-chip memory split
:mod:`.memory_split`; the report section :mod:`.report`; whole-map throughput
:mod:`.figures`.
"""
