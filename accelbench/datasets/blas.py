"""How many threads BLAS may use while the executor runs.

The datasets' results do not depend on it (``exact``), only the speed does: the
executor's matrix products are modest (a few hundred rows), and OpenBLAS threads that
spin-wait on a machine shared with other work cost more than they save (measured on the
2-core development machine: EfficientNet-Lite0 forward pass 12 s with one thread, 34 s
with two, under load). ``ACCELBENCH_BLAS_THREADS`` (default 1) sets the count; 0 leaves
BLAS as configured (e.g. by OPENBLAS_NUM_THREADS).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from typing import Any

ENV_VAR = "ACCELBENCH_BLAS_THREADS"


@functools.cache
def _controller() -> Any:
    try:
        import numpy  # noqa: F401 - BLAS is found among the loaded libraries
        from threadpoolctl import ThreadpoolController
    except ImportError:  # an optimisation only: without it BLAS keeps its own setting
        return None
    return ThreadpoolController()


def blas_threads() -> int:
    try:
        return max(0, int(os.environ.get(ENV_VAR, "1")))
    except ValueError:
        return 1


@contextlib.contextmanager
def limited_blas() -> Iterator[None]:
    """Within the block BLAS uses ``ACCELBENCH_BLAS_THREADS`` threads."""
    threads, controller = blas_threads(), _controller()
    if not threads or controller is None:
        yield
        return
    with controller.limit(limits=threads, user_api="blas"):
        yield
