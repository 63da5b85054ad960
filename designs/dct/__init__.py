"""DCT interlayer feature-map compression (Shao et al., arXiv 2110.06155), lossy.

Golden model (:mod:`.golden` transform, :mod:`.tables` quantiser, :mod:`.stream` format,
:mod:`.model` codec), netlists (:mod:`.netlist` 2-D, :mod:`.netlist_cm` channel DCT), the
design classes (:mod:`.design`) and the on-chip memory split model (:mod:`.memory_split`).
"""
