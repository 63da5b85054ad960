"""accelbench: CNN-accelerator memory techniques as PyRTL netlists, benchmarked on real data.

Plugins implement the hooks of :mod:`accelbench.hookspecs` and mark them with
:data:`hookimpl`.
"""

from importlib.metadata import PackageNotFoundError, version

import pluggy

PROJECT = "accelbench"

hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marker for hook implementations in plugins: ``@accelbench.hookimpl``."""

try:
    __version__ = version(PROJECT)
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["PROJECT", "__version__", "hookimpl"]
