"""The design families and their contracts: one base class per family.

* :mod:`accelbench.families.codec` - feature-map compressor/decompressor pairs, lossless
  or lossy (:class:`~accelbench.families.codec.CodecDesign`);
* :mod:`accelbench.families.engine` - compute engines evaluated layer by layer
  (:class:`~accelbench.families.engine.EngineDesign`);
* :mod:`accelbench.families.memory` - on-chip memory planners
  (:class:`~accelbench.families.memory.MemoryPlannerDesign`).

Each base owns the loop over the data, the totals and the standard metric names; a design
implements only what is its own.
"""
