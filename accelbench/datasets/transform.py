"""Run a dataset's network while callbacks replace feature maps or convolution outputs, and
measure how far its output moves.

For lossy codecs (e.g. DCT compression of feature maps) ``transform`` sees each recorded
map as the accelerator would write it off-chip and returns what it would read back; for
engines that compute convolutions another way (e.g. pruned in the frequency domain)
``conv_transform`` sees each convolution with its actual input and returns its output as
that engine would compute it. The network runs on to its output (on the datasets'
deterministic compute path, so every figure reproduces bit for bit on any machine).

The network's output is its **logits**: the classifier's last tensor before any softmax
(ResNet-50-1by2's ONNX graph ends in a Softmax, whose input is used). Measures, with the
unmodified network as the reference:

* ``top1_agreement``: fraction of images whose modified top-1 class is the reference top-1;
  ``top5_agreement``: fraction whose modified top-5 classes contain the reference top-1;
* ``mean_kl_divergence``: mean over images of KL(softmax(reference) || softmax(modified)),
  natural log, in nats (continuous, unlike agreement, which moves in steps of one image);
* ``output_snr_db``: 10 log10(sum of squared reference logits / sum of squared logit
  differences) over all images and classes; ``inf`` when the logits are identical.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from accelbench.datasets import exact
from accelbench.datasets.conv_layers import ConvLayerBuilder, RealConvLayer
from accelbench.datasets.images import resolve_images
from accelbench.datasets.onnx_graph import float_input
from accelbench.datasets.onnx_ops import Node
from accelbench.errors import AccelbenchError

#: ``transform(layer_name, kind, float_map) -> replacement map, or None to keep it``;
#: ``float_map`` is one image's map without the batch axis (e.g. C x H x W).
Transform = Callable[[str, str, np.ndarray], "np.ndarray | None"]
#: ``conv_transform(layer) -> replacement output (O x H' x W', before the activation), or
#: None to keep it``; ``layer.input`` is this image's actual input of the convolution in
#: the modified network and ``layer.output`` what the convolution computes from it.
ConvTransform = Callable[[RealConvLayer], "np.ndarray | None"]


@dataclass
class TransformResult:
    """How the transformed network's logits compare with the unmodified network's."""

    source: str
    images: list[str]
    top1_agreement: float
    top5_agreement: float
    #: mean over images of KL(softmax(reference) || softmax(modified)), in nats
    mean_kl_divergence: float
    #: 10 log10(sum reference^2 / sum (reference - modified)^2) over all logits; inf if equal
    output_snr_db: float
    #: per image: id, reference and transformed top-5 class indices, kl_divergence
    per_image: list[dict[str, Any]] = field(default_factory=list)
    #: recorded maps the transform changed (on at least one image), in network order
    layers_changed: list[str] = field(default_factory=list)
    #: convolutions whose output conv_transform changed (on at least one image)
    convs_changed: list[str] = field(default_factory=list)
    #: the tensor the measures compare (the logits)
    output: str = ""


def _top(values: np.ndarray, k: int) -> list[int]:
    flat = np.asarray(values).reshape(-1)
    return [int(i) for i in np.argsort(-flat, kind="stable")[:k]]


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log(softmax(logits)) of a vector in float64, the same bits on every CPU."""
    z = np.asarray(logits, dtype=np.float64).reshape(-1)
    shifted = z - z.max()
    return shifted - float(exact.log(np.array([math.fsum(exact.exp(shifted).tolist())]))[0])


def kl_divergence(reference: np.ndarray, modified: np.ndarray) -> float:
    """KL(softmax(reference) || softmax(modified)) in nats (0.0 for equal logits)."""
    log_p, log_q = log_softmax(reference), log_softmax(modified)
    p = exact.exp(log_p)
    return max(0.0, math.fsum((p * (log_p - log_q)).tolist()))


def snr_db(reference: Sequence[np.ndarray], modified: Sequence[np.ndarray]) -> float:
    ref = np.concatenate([np.asarray(r, np.float64).reshape(-1) for r in reference])
    mod = np.concatenate([np.asarray(m, np.float64).reshape(-1) for m in modified])
    noise = math.fsum(((ref - mod) ** 2).tolist())
    if noise == 0.0:
        return math.inf
    signal = math.fsum((ref ** 2).tolist())
    if signal == 0.0:
        return -math.inf
    return float(10.0 * exact.log(np.array([signal / noise]))[0] / math.log(10.0))


def _checked(new: Any, original: np.ndarray, what: str) -> np.ndarray:
    new = np.asarray(new, dtype=np.float32)
    if new.shape != original.shape:
        raise AccelbenchError(f"transform returned shape {new.shape} for {what}, expected "
                              f"{original.shape}")
    if not np.all(np.isfinite(new)):
        raise AccelbenchError(f"transform returned values that are not finite for {what}")
    return new


def forward_with_transform(source: str | Any, transform: Transform | None = None,
                           images: str | Path | Sequence[str | Path] | None = None, *,
                           conv_transform: ConvTransform | None = None) -> TransformResult:
    """Run ``source``'s network (a name for ``get_source`` or a NetworkSource) on its images
    (or ``images``: a folder, or bundled names / file paths), replacing recorded feature
    maps with ``transform``'s results and convolution outputs with ``conv_transform``'s,
    and compare its logits with the unmodified network's (module docstring)."""
    from accelbench.datasets import get_source

    src = get_source(source) if isinstance(source, str) else source
    from accelbench.datasets.network_source import NetworkSource

    if not isinstance(src, NetworkSource):
        raise AccelbenchError(f"dataset {src.name!r} has no network to run")
    model, taps = src.model(), src.taps()
    labels = dict(zip((t.name for t in taps), src.layer_names(), strict=True))
    kinds = {t.name: t.kind for t in taps}
    refs = src.images() if images is None else resolve_images(images)
    pre = src.preprocessing()
    input_name, _ = float_input(model)
    output = src.logits_tensor()
    convs = ConvLayerBuilder(src) if conv_transform is not None else None
    changed: set[str] = set()
    convs_changed: set[str] = set()
    conv_order: list[str] = []

    def on_tensor(tensor: str, value: np.ndarray) -> np.ndarray | None:
        original = value[0]
        new = transform(labels[tensor], kinds[tensor], original.copy()) if transform else None
        if new is None:
            return None
        new = _checked(new, original, f"layer {labels[tensor]}")
        if not np.array_equal(new, original):
            changed.add(labels[tensor])
        return new[None]

    def on_conv(node: Node, x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
        assert convs is not None and conv_transform is not None
        layer = convs.layer(node, x, y)
        if layer is None:
            return None
        if layer.name not in conv_order:
            conv_order.append(layer.name)
        new = conv_transform(layer)
        if new is None:
            return None
        new = _checked(new, layer.output, f"convolution {layer.name}")
        if not np.array_equal(new, layer.output):
            convs_changed.add(layer.name)
        return new[None]

    per_image, plain_all, modified_all = [], [], []
    top1 = top5 = 0
    for ref in refs:
        plain = src.logits(ref)
        modified = src.executor().run(
            {input_name: pre(ref)[None]}, [output], watch=labels if transform else (),
            on_tensor=on_tensor, on_conv=on_conv if convs is not None else None)[output]
        ref_top, new_top = _top(plain, 5), _top(modified, 5)
        top1 += new_top[0] == ref_top[0]
        top5 += ref_top[0] in new_top
        per_image.append({"id": ref.id, "reference_top5": ref_top, "top5": new_top,
                          "kl_divergence": kl_divergence(plain, modified)})
        plain_all.append(plain)
        modified_all.append(modified)
    n = len(refs)
    order = src.layer_names()
    return TransformResult(
        src.name, [r.id for r in refs], top1 / n, top5 / n,
        math.fsum(e["kl_divergence"] for e in per_image) / n,
        snr_db(plain_all, modified_all), per_image,
        [name for name in order if name in changed],
        [name for name in conv_order if name in convs_changed], output)
