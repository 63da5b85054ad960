"""Messages for the user about the dataset cache (e.g. "corrupt, rebuilding it").

Outside pytest a notice is one line on stderr. Inside a test (``accelbench run`` runs the
benchmark matrix as pytest processes, which capture stderr) it is a
:class:`DatasetCacheWarning`, which pytest lists in its warnings summary.
"""

from __future__ import annotations

import os
import sys
import warnings


class DatasetCacheWarning(UserWarning):
    """A cached dataset was damaged or incomplete and is being rebuilt."""


def warn(message: str) -> None:
    if os.environ.get("PYTEST_CURRENT_TEST"):
        warnings.warn(message, DatasetCacheWarning, stacklevel=3)
    else:
        print(f"accelbench: warning: {message}", file=sys.stderr, flush=True)
