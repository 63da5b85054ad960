"""The ``accelbench`` command line.

Each command group is a module with ``register(subparsers)``; :data:`COMMAND_MODULES`
lists them in the order ``accelbench --help`` shows them. A command's function returns
the exit status; :class:`accelbench.errors.AccelbenchError` becomes one line
``accelbench: error: ...`` and exit status 2. SIGTERM stops a command the way Ctrl-C does
(clean-up runs, nothing half-written is left), with exit status 143 (130 for SIGINT).
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Sequence

from accelbench import __version__
from accelbench.cliutil import Parser
from accelbench.errors import AccelbenchError

#: modules that add their own sub-commands through ``register(subparsers)``
COMMAND_MODULES = (
    "accelbench.cli.listing",
    "accelbench.cli.netlists",
    "accelbench.cli.matrix",
    "accelbench.cli.scaffold",
    "accelbench.datasets.cli",
    "accelbench.networks.cli",
    "accelbench.networks.plan_cli",
    "accelbench.energy.cli",
    "accelbench.netlist.cli",
)


class StopSignal(KeyboardInterrupt):
    """SIGTERM (or SIGINT) received: unwinds like Ctrl-C so clean-up code runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stop(signum: int, _frame) -> None:
    raise StopSignal(signum)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="accelbench",
        description="CNN-accelerator memory techniques as PyRTL netlists, benchmarked on "
                    "real activations.")
    parser.add_argument("--version", action="version", version=f"accelbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module_name.startswith(exc.name):
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_stop) if on_main_thread else None
    try:
        return int(args.func(args) or 0)
    except AccelbenchError as exc:
        print(f"accelbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        signum = exc.signum if isinstance(exc, StopSignal) else signal.SIGINT
        print(f"accelbench: stopped by {signal.Signals(signum).name}", file=sys.stderr)
        return 128 + signum
    except BrokenPipeError:
        return 0
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
