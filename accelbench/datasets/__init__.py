"""Shared activation datasets: real feature maps of trained CNNs in every number format.

Entry points for the rest of accelbench (all import lazily, so importing this package is
cheap):

* :func:`get_source` - a dataset source by name, including ``onnx:PATH`` and options after
  ``?`` (``efficientnet-lite0?images=/data/val&limit=50``);
* ``get_source(name).load(fmt)`` -> :class:`~accelbench.datasets.types.FeatureMapSet`;
* :func:`forward_with_transform` - run a network with feature maps or convolution outputs
  replaced (lossy codecs, approximate engines) and measure the effect on its logits;
* :func:`real_conv_layers` - conv weights with one image's real input and output maps.

Every real dataset is computed on a deterministic path (``executor``): the same bits on
every machine, checked against the manifests the project publishes (``published``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accelbench.datasets.conv_layers import RealConvLayer
    from accelbench.datasets.transform import ConvTransform, Transform, TransformResult
    from accelbench.datasets.types import DatasetSource
    from accelbench.registry import Registry

DEFAULT_SOURCE = "efficientnet-lite0"


def get_source(name: str, registry: Registry | None = None) -> DatasetSource:
    """The dataset source called ``name``: a source of ``registry`` (default: the global
    one), or ``onnx:PATH`` for any ONNX CNN; either may be followed by
    ``?option=value&...`` (images, limit, preprocess, size, kinds, formats)."""
    from accelbench.datasets.network_source import OnnxSource
    from accelbench.datasets.source_options import SourceOptionError, parse_name

    base, options = parse_name(name)
    if base.startswith("onnx:"):
        return OnnxSource(base.removeprefix("onnx:"), **options)
    if registry is None:
        from accelbench.registry import get_registry

        registry = get_registry()
    source = registry.dataset_source(base)
    if not options:
        return source
    from accelbench.protocols import ConfigurableDatasetSource

    if not isinstance(source, ConfigurableDatasetSource):
        raise SourceOptionError(f"dataset {base!r} takes no options")
    return source.configured(**options)


def forward_with_transform(source: str | DatasetSource, transform: Transform | None = None,
                           images: str | Path | list[str | Path] | None = None, *,
                           conv_transform: ConvTransform | None = None) -> TransformResult:
    """See :func:`accelbench.datasets.transform.forward_with_transform`."""
    from accelbench.datasets.transform import forward_with_transform as run

    return run(source, transform, images, conv_transform=conv_transform)


def real_conv_layers(source_name: str | Any = DEFAULT_SOURCE,
                     image: int | str | Path = 0) -> list[RealConvLayer]:
    """See :func:`accelbench.datasets.conv_layers.real_conv_layers`."""
    from accelbench.datasets.conv_layers import real_conv_layers as layers

    return layers(source_name, image)
