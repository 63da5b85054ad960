"""Compute-engine models shared by engine designs: SCALE-Sim's cycle model (compatible
and corrected), and helpers that evaluate network workloads layer by layer."""
