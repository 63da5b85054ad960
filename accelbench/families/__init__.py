"""Family base classes: one per design family (codec, engine, memory)."""
