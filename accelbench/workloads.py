"""Workloads: what a design runs on in the benchmark matrix.

Two kinds exist: feature maps (a dataset in one number format, for codecs and sparse
engines) and networks (layer graphs, for engine cycle models and memory planners).
A workload is a light, picklable description; ``load()`` fetches the data lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accelbench.datasets.types import FeatureMapSet
    from accelbench.registry import Registry


@dataclass(frozen=True)
class Workload:
    id: str
    kind: str
    synthetic: bool
    description: str = ""

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "synthetic": self.synthetic,
                "description": self.description}


@dataclass(frozen=True)
class FeatureMapWorkload(Workload):
    """The feature maps of dataset ``dataset`` in number format ``format``."""

    dataset: str = ""
    format: str = ""
    word_bits: int = 8

    def load(self) -> FeatureMapSet:
        from accelbench.datasets import get_source

        return get_source(self.dataset).load(self.format)


@dataclass(frozen=True)
class NetworkWorkload(Workload):
    """A network graph registered through the ``accelbench_networks`` hook."""

    network: str = ""

    def load(self) -> Any:
        from accelbench.registry import get_registry

        return get_registry().network(self.network)


def feature_map_workloads(registry: Registry, *, default_only: bool = True) -> list[Workload]:
    """One workload per (dataset source, number format)."""
    from accelbench.datasets.types import FORMATS

    out: list[Workload] = []
    for source in registry.dataset_sources.values():
        if default_only and not source.in_default_matrix:
            continue
        for fmt in source.formats:
            label = " (SYNTHETIC)" if source.synthetic else ""
            out.append(FeatureMapWorkload(
                id=f"{source.name}/{fmt}", kind="feature-maps", synthetic=source.synthetic,
                description=f"{source.description}, {fmt}{label}",
                dataset=source.name, format=fmt, word_bits=FORMATS[fmt].word_bits))
    return out


def network_workloads(registry: Registry, *, default_only: bool = True) -> list[Workload]:
    out: list[Workload] = []
    for net in registry.networks.values():
        if default_only and not getattr(net, "in_default_matrix", True):
            continue
        out.append(NetworkWorkload(id=f"net/{net.name}", kind="network", synthetic=False,
                                   description=getattr(net, "description", ""),
                                   network=net.name))
    return out


def all_workloads(registry: Registry, *, default_only: bool = True) -> list[Workload]:
    return (feature_map_workloads(registry, default_only=default_only)
            + network_workloads(registry, default_only=default_only))
