"""Helpers shared by every CLI command: output, argument types, the parser class.

Command modules (``accelbench.cli.*``, ``accelbench.datasets.cli``, ...) use these so that
every command prints tables and JSON the same way and rejects bad numbers the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from tabulate import tabulate


def emit(data: Any, *, as_json: bool, headers: Sequence[str] = (),
         rows: Sequence[Sequence[Any]] = ()) -> None:
    """Print ``data`` as JSON, or ``rows`` as a plain table."""
    if as_json:
        json.dump(data, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print(tabulate(rows, headers=list(headers), tablefmt="simple"))


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``accelbench: error: ...`` (exit 2)."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("accelbench").strip()
        where = f"{command}: " if command else ""
        self.exit(2, f"accelbench: error: {where}{message} (see `{self.prog} --help`)\n")


def int_range(minimum: int | None = None, maximum: int | None = None,
              what: str = "") -> Callable[[str], int]:
    """An argparse ``type`` for integers in ``[minimum, maximum]`` (either end open)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum:,}, got {value:,}")
        return value

    parse.__name__ = what or "integer"  # argparse names the type in some messages
    return parse


#: common integer option types
positive_int = int_range(1, what="positive integer")
non_negative_int = int_range(0, what="non-negative integer")
seed_int = int_range(0, 2**32 - 1, what="seed")
