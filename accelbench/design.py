"""The Design contract: one hardware technique with fixed parameters.

A design builds one or more netlists (e.g. a compressor and a decompressor), owns a numpy
golden model that defines its behaviour bit-exactly, verifies the netlists against it,
and evaluates workloads into metrics. Subclass :class:`Design` (or a family base such as
:class:`accelbench.codec.CodecDesign`) and return instances from the
``accelbench_designs`` hook.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from accelbench.metrics import Evaluation
from accelbench.netlist.ports import Ports
from accelbench.workloads import Workload

FAMILIES = ("codec", "engine", "memory")


@dataclass(frozen=True)
class Netlist:
    """A named netlist of a design.

    ``build`` creates the hardware in the current working block, taking its I/O from
    ``ports`` (real top-level ports for export and synthesis, a testbench harness for
    simulation), the way PyRTL's rtllib functions build into the working block.
    """

    name: str
    build: Callable[[Ports], None]
    description: str = ""


class Design(abc.ABC):
    """Base class of every design. Subclasses set ``name``, ``family``, ``summary``."""

    family: ClassVar[str]
    summary: ClassVar[str] = ""
    #: defaults the paper does not fix, named so tables can label them
    assumed_defaults: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str, **parameters: Any) -> None:
        self.name = name
        self.parameters: dict[str, Any] = dict(parameters)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"{type(self).__name__}({self.name!r}, {params})"

    @abc.abstractmethod
    def netlists(self) -> Mapping[str, Netlist]:
        """The design's netlists by name (at least one)."""

    @abc.abstractmethod
    def accepts(self, workload: Workload) -> bool:
        """Whether this design runs on ``workload`` in the benchmark matrix."""

    @abc.abstractmethod
    def evaluate(self, workload: Workload, options: EvaluationOptions) -> Evaluation:
        """Run the design on ``workload`` and return its metrics."""

    @abc.abstractmethod
    def verify(self, seed: int = 0) -> None:
        """Co-simulate every netlist against the golden model on small random inputs.

        Raise :class:`accelbench.errors.NetlistMismatchError` naming what differs.
        """

    def example_simulation(self, *, netlist: str | None = None, vcd: str | None = None,
                           seed: int = 0, words: int = 64,
                           simulator: str = "compiled") -> dict[str, Any]:
        """Simulate a netlist on example input (``accelbench simulate``); optional VCD.

        Returns a JSON-able summary. Designs without a meaningful example raise.
        """
        from accelbench.errors import AccelbenchError

        raise AccelbenchError(f"design {self.name!r} has no example simulation")

    def describe(self) -> dict[str, Any]:
        """JSON-serialisable description used by ``accelbench designs --json``."""
        return {
            "name": self.name,
            "family": self.family,
            "summary": self.summary,
            "parameters": self.parameters,
            "netlists": sorted(self.netlists()),
            "assumed_defaults": list(self.assumed_defaults),
        }


class AnalyticalDesign(Design):
    """A model without hardware (a baseline described by equations, not a netlist).

    It has no netlists, so there is nothing to co-simulate; its own tests check the model.
    """

    def netlists(self) -> Mapping[str, Netlist]:
        return {}

    def verify(self, seed: int = 0) -> None:
        """Nothing to co-simulate."""


@dataclass(frozen=True)
class EvaluationOptions:
    """Knobs of one evaluation, set from the matrix or the CLI.

    ``sim_words``: values per layer streamed through the netlists (the rest of the layer
    is measured by the golden model); ``simulator``: "compiled" or "fast";
    ``area``: run Yosys for GE figures.
    """

    sim_words: int = 2048
    simulator: str = "compiled"
    area: bool = True
    max_images: int | None = None
