"""Output helpers shared by every CLI command: tables for people, JSON for tools."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate


def emit(data: Any, *, as_json: bool, headers: Sequence[str] = (),
         rows: Sequence[Sequence[Any]] = ()) -> None:
    """Print ``data`` as JSON, or ``rows`` as a plain table."""
    if as_json:
        json.dump(data, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print(tabulate(rows, headers=list(headers), tablefmt="simple"))
