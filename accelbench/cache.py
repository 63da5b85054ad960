"""The user cache directory (datasets, area reports), overridable by ACCELBENCH_CACHE."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "ACCELBENCH_CACHE"


def cache_root() -> Path:
    """``$ACCELBENCH_CACHE``, else ``$XDG_CACHE_HOME/accelbench``, else ~/.cache/accelbench."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "accelbench"


def cache_dir(*parts: str) -> Path:
    """A folder of the cache, created if missing; an unwritable cache is a clear error."""
    from accelbench.fileio import ensure_dir

    return ensure_dir(cache_root().joinpath(*parts), what="cache folder",
                      hint=f" (set {ENV_VAR} to use another folder)")
