"""Workloads: what a design runs on in the benchmark matrix, and the data the harness loads.

Two kinds exist: feature maps (a dataset in one number format, for codecs and sparse
engines) and networks (layer graphs, for engine cycle models and memory planners, with
the real weights and activations of a dataset where one matches the graph). A workload
is a light, picklable description; :meth:`Workload.load` fetches its data through a
registry, so a design receives loaded data and never looks anything up itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accelbench.datasets.conv_layers import RealConvLayer
    from accelbench.datasets.types import DatasetSource, FeatureMapSet
    from accelbench.networks.types import Network
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

    def load(self, registry: Registry | None = None) -> Any:
        """The data a design evaluates (looked up in ``registry``, default the global one)."""
        raise NotImplementedError


@dataclass
class FeatureMapData:
    """Loaded feature maps and the dataset source that made them (whose network a lossy
    codec runs to measure its accuracy cost)."""

    maps: FeatureMapSet
    source: DatasetSource


@dataclass
class NetworkData:
    """A network graph and, when a real dataset belongs to it, that dataset's convolutions
    (trained weights, and the input and output maps of one image).

    ``dataset`` is the source whose convolution names equal the network's compute-layer
    names (its ``network_name`` is this network); ``image`` is the index of the image whose
    activations :meth:`real_layer` returns.
    """

    network: Network
    dataset: DatasetSource | None = None
    image: int = 0
    _real: dict[str, RealConvLayer] | None = field(default=None, repr=False)

    @property
    def has_real_data(self) -> bool:
        return self.dataset is not None

    def real_layer(self, name: str) -> RealConvLayer | None:
        """The real convolution called ``name`` (None without a dataset or for a layer the
        dataset does not record, e.g. a fully connected classifier)."""
        if self.dataset is None:
            return None
        if self._real is None:
            from accelbench.datasets import real_conv_layers

            self._real = {layer.name: layer
                          for layer in real_conv_layers(self.dataset, self.image)}
        return self._real.get(name)


def _registry(registry: Registry | None) -> Registry:
    if registry is not None:
        return registry
    from accelbench.registry import get_registry

    return get_registry()


@dataclass(frozen=True)
class FeatureMapWorkload(Workload):
    """The feature maps of dataset ``dataset`` in number format ``format``."""

    dataset: str = ""
    format: str = ""
    word_bits: int = 8
    signed: bool = True

    def load(self, registry: Registry | None = None) -> FeatureMapData:
        from accelbench.datasets import get_source

        source = get_source(self.dataset, registry=_registry(registry))
        return FeatureMapData(source.load(self.format), source)


@dataclass(frozen=True)
class NetworkWorkload(Workload):
    """A network graph registered through the ``accelbench_networks`` hook."""

    network: str = ""

    def load(self, registry: Registry | None = None) -> NetworkData:
        reg = _registry(registry)
        network = reg.network(self.network)
        return NetworkData(network, real_dataset_for(reg, network.name))


def real_dataset_for(registry: Registry, network: str) -> DatasetSource | None:
    """The available real dataset source that declares ``network`` as its graph."""
    for source in registry.dataset_sources.values():
        if source.synthetic or source.network_name != network:
            continue
        if source.describe().get("available", True):
            return source
    return None


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
                dataset=source.name, format=fmt, word_bits=FORMATS[fmt].word_bits,
                signed=FORMATS[fmt].signed))
    return out


def network_workloads(registry: Registry, *, default_only: bool = True) -> list[Workload]:
    out: list[Workload] = []
    for net in registry.networks.values():
        if default_only and not net.in_default_matrix:
            continue
        out.append(NetworkWorkload(id=f"net/{net.name}", kind="network", synthetic=False,
                                   description=net.description, network=net.name))
    return out


def all_workloads(registry: Registry, *, default_only: bool = True) -> list[Workload]:
    return (feature_map_workloads(registry, default_only=default_only)
            + network_workloads(registry, default_only=default_only))
