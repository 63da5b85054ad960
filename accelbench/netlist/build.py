"""Building a design's netlist into its own PyRTL block, and exporting it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pyrtl

from accelbench.netlist.ports import Ports, TopLevelPorts


def build_block(build: Callable[[Ports], None], ports: Ports | None = None) -> pyrtl.Block:
    """Run a netlist builder inside a fresh block (top-level ports by default)."""
    block = pyrtl.Block()
    with pyrtl.set_working_block(block, no_sanity_check=True):
        build(ports if ports is not None else TopLevelPorts())
    block.sanity_check()
    return block


def module_name(*parts: str) -> str:
    """A legal Verilog module name from design and netlist names."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))
    return name if name[:1].isalpha() else f"m_{name}"


_GENERATED_NAME = re.compile(r"\b(tmp|const_)(\d+(?:_\d+)*)\b")


def _renumber_generated_names(text: str) -> str:
    """Number PyRTL's automatic wire names by first appearance.

    PyRTL draws them from a process-wide counter, so the same netlist built twice would
    otherwise give different text (and miss the area cache).
    """
    seen: dict[str, str] = {}

    def rename(match: re.Match) -> str:
        key = match.group(0)
        if key not in seen:
            seen[key] = f"{match.group(1)}{len(seen)}"
        return seen[key]

    return _GENERATED_NAME.sub(rename, text)


def to_verilog(block: pyrtl.Block, name: str = "toplevel") -> str:
    """Deterministic Verilog of ``block`` with an asynchronous active-high reset ``rst``.

    Every register returns to its reset value on ``rst``; asynchronous reset maps onto
    the reset flip-flop of the cell library without extra logic.
    """
    buf = io.StringIO()
    pyrtl.output_to_verilog(buf, add_reset="asynchronous", block=block, module_name=name)
    return _renumber_generated_names(buf.getvalue())
