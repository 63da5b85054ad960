"""The Design contract: one hardware technique with fixed parameters.

A design builds one or more netlists (e.g. a compressor and a decompressor), owns a numpy
golden model that defines its behaviour bit-exactly, verifies the netlists against it,
and evaluates **loaded data** into metrics: the harness loads a workload's data (feature
maps, a network with its real weights where a dataset has them) and hands it to
:meth:`Design.evaluate`; a design never reaches for the registry. Subclass a family base
(:class:`accelbench.families.codec.CodecDesign`,
:class:`accelbench.families.engine.EngineDesign`,
:class:`accelbench.families.memory.MemoryPlannerDesign`), or :class:`Design` itself for
something new, and return instances from the ``accelbench_designs`` hook.

Each design says which technique it implements (``technique``) and which techniques it is
a baseline of (``baseline_for``); report sections pick their records by these.
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
    """Base class of every design.

    Subclasses set ``family`` (through their family base), ``technique``, ``summary`` and,
    for baselines, ``baseline_for``.
    """

    family: ClassVar[str]
    #: the technique this design implements, e.g. "ebpc", "spots"; records carry it
    technique: ClassVar[str] = ""
    #: techniques this design is a baseline of (empty for a technique itself)
    baseline_for: ClassVar[tuple[str, ...]] = ()
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
    def evaluate(self, data: Any, options: EvaluationOptions) -> Evaluation:
        """Evaluate the design on a workload's loaded data and return its metrics.

        ``data`` is what :meth:`accelbench.workloads.Workload.load` returned for a workload
        this design :meth:`accepts`: a :class:`~accelbench.workloads.FeatureMapData` or a
        :class:`~accelbench.workloads.NetworkData`.
        """

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

    @property
    def technique_name(self) -> str:
        """``technique``, or the design's name when a plugin left it unset."""
        return self.technique or self.name

    def describe(self) -> dict[str, Any]:
        """JSON-serialisable description used by ``accelbench designs --json``."""
        return {
            "name": self.name,
            "family": self.family,
            "technique": self.technique_name,
            "baseline_for": list(self.baseline_for),
            "summary": self.summary,
            "parameters": self.parameters,
            "netlists": sorted(self.netlists()),
            "assumed_defaults": list(self.assumed_defaults),
        }


class AnalyticalDesign(Design):
    """A model without hardware (a baseline described by equations, not a netlist).

    It has no netlists, so there is nothing to co-simulate; its own tests check the model.
    Combine it with a family base: ``class MyModel(AnalyticalDesign, EngineDesign)``.
    """

    def netlists(self) -> Mapping[str, Netlist]:
        return {}

    def verify(self, seed: int = 0) -> None:
        """Nothing to co-simulate."""


@dataclass(frozen=True)
class EvaluationOptions:
    """Knobs of one evaluation, set from the matrix or the CLI.

    ``sim_words``: values per layer streamed through the netlists (the rest of the layer
    is measured by the golden model; 0 skips co-simulation); ``simulator``: "compiled" or
    "fast"; ``area``: run Yosys for GE figures; ``max_images``: evaluate only the first
    images of a dataset; ``accuracy``: measure a lossy technique's effect on the network's
    predictions (real images through the network).
    """

    sim_words: int = 2048
    simulator: str = "compiled"
    area: bool = True
    max_images: int | None = None
    accuracy: bool = True

    def __post_init__(self) -> None:
        from accelbench.errors import AccelbenchError

        if self.sim_words < 0:
            raise AccelbenchError(f"sim_words must be >= 0, got {self.sim_words}")
        if self.simulator not in ("compiled", "fast"):
            raise AccelbenchError(f"simulator must be 'compiled' or 'fast', got "
                                  f"{self.simulator!r}")
        if self.max_images is not None and self.max_images < 1:
            raise AccelbenchError(f"max_images must be >= 1, got {self.max_images}")

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)
