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
    path = cache_root().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
