"""Structural contracts of what plugins contribute besides designs.

The registry checks every contributed dataset source, network and report section against
these protocols when it loads the plugins, so a malformed contribution fails once, naming
its plugin, instead of an ``AttributeError`` in some later command. Commands ask
``isinstance(source, CachedDatasetSource)`` rather than probing with ``hasattr``.
The concrete bases (:class:`accelbench.datasets.types.DatasetSource`,
:class:`accelbench.networks.types.Network`, the sections of :mod:`accelbench.report`)
satisfy them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from accelbench.datasets.types import FeatureMapSet
    from accelbench.records import ResultRecord
    from accelbench.report.sections import SectionOutput


@runtime_checkable
class DatasetSource(Protocol):
    """A producer of feature maps (``accelbench_dataset_sources``)."""

    name: str
    description: str
    synthetic: bool
    #: evaluated by every codec in the default benchmark matrix
    in_default_matrix: bool
    formats: Sequence[str]

    def load(self, fmt: str) -> FeatureMapSet: ...

    def describe(self) -> dict[str, Any]: ...


@runtime_checkable
class CachedDatasetSource(DatasetSource, Protocol):
    """A source whose data is built once into the dataset cache, with a manifest."""

    def build(self, *, cache_dir: str | Path | None = None, force: bool = False) -> Any: ...

    def store(self, cache_dir: str | Path | None = None) -> Any: ...

    def manifest(self, *, cache_dir: str | Path | None = None) -> tuple[Any, dict]: ...


@runtime_checkable
class ConfigurableDatasetSource(Protocol):
    """A source that takes options (``--images``, ``--size``, ...) and returns a new one."""

    def configured(self, **options: Any) -> DatasetSource: ...


@runtime_checkable
class NetworkGraph(Protocol):
    """A layer graph (``accelbench_networks``), e.g. :class:`accelbench.networks.Network`."""

    name: str
    description: str
    in_default_matrix: bool
    layers: Sequence[Any]

    def compute_layers(self) -> Sequence[Any]: ...

    def shortcut_edges(self) -> Sequence[tuple[str, str]]: ...

    def describe(self) -> dict[str, Any]: ...

    def to_json(self) -> dict[str, Any]: ...


@runtime_checkable
class ReportSection(Protocol):
    """A part of the report (``accelbench_report_sections``); see
    :mod:`accelbench.report.sections` for the tables and plots it returns."""

    name: str
    #: sections are rendered in ascending order; generic family tables use 0-99
    order: int

    def render(self, records: Sequence[ResultRecord]) -> SectionOutput | None: ...
