"""ShortcutFusion (Nguyen et al., arXiv 2106.08167): reuse-aware on-chip allocation of
shortcut data, with its baselines (every tensor in DRAM, a ShortcutMining-like shortcut
buffer) and the infinite-buffer lower bound.

``policies`` holds the four planners' placements, ``design`` the accelbench designs,
``program`` the per-layer instruction program of a plan, ``controller`` the buffer
controller netlist that executes it, ``report`` the report section.
"""
