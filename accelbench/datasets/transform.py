"""Run a dataset's network while a callback replaces interlayer feature maps.

For lossy codecs (e.g. DCT compression of feature maps): the callback sees each map as the
accelerator would write it off-chip and returns what it would read back; the network runs on
to its output, and the result says how often its predictions still agree with the
unmodified network (the unmodified top-1 class is the reference label: top-1 agreement is
the fraction of images whose modified top-1 class equals it, top-5 agreement the fraction
whose modified top-5 classes contain it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from accelbench.datasets.images import resolve_images
from accelbench.datasets.onnx_graph import StagedRunner, float_input, session
from accelbench.errors import AccelbenchError

#: ``transform(layer_name, kind, float_map) -> replacement map, or None to keep it``;
#: ``float_map`` is one image's map without the batch axis (e.g. C x H x W).
Transform = Callable[[str, str, np.ndarray], "np.ndarray | None"]


@dataclass
class TransformResult:
    """Agreement of the transformed network with the unmodified one, over the images."""

    source: str
    images: list[str]
    top1_agreement: float
    top5_agreement: float
    #: per image: reference top-5 and transformed top-5 class indices
    per_image: list[dict[str, Any]] = field(default_factory=list)
    #: layers whose map the transform changed (on at least one image)
    layers_changed: list[str] = field(default_factory=list)


def _top(values: np.ndarray, k: int) -> list[int]:
    flat = np.asarray(values).reshape(-1)
    return [int(i) for i in np.argsort(-flat, kind="stable")[:k]]


def forward_with_transform(source: str | Any, transform: Transform,
                           images: str | Path | Sequence[str | Path] | None = None,
                           ) -> TransformResult:
    """Run ``source``'s network (a name for ``get_source`` or a NetworkSource) on its images
    (or ``images``: a folder, or bundled names / file paths), replacing feature maps with
    ``transform``'s results, and compare top-1/top-5 predictions with the plain network."""
    from accelbench.datasets import get_source

    src = get_source(source) if isinstance(source, str) else source
    if not hasattr(src, "taps"):
        raise AccelbenchError(f"dataset {src.name!r} has no network to run")
    model, taps = src.model(), src.taps()
    labels = dict(zip((t.name for t in taps), src.layer_names(), strict=True))
    kinds = {t.name: t.kind for t in taps}
    refs = src.images() if images is None else resolve_images(images)
    pre = src.preprocessing()
    input_name, _ = float_input(model)
    output = model.graph.output[0].name
    reference = session(model)
    runner = StagedRunner(model, list(labels))
    changed: set[str] = set()
    per_image = []
    top1 = top5 = 0
    for ref in refs:
        x = pre(ref)[None]
        (plain,) = reference.run([output], {input_name: x})

        def on_boundary(tensor: str, value: np.ndarray) -> np.ndarray | None:
            if tensor not in labels:
                return None
            original = value[0]
            new = transform(labels[tensor], kinds[tensor], original.copy())
            if new is None:
                return None
            new = np.asarray(new, dtype=np.float32)
            if new.shape != original.shape:
                raise AccelbenchError(f"transform returned shape {new.shape} for layer "
                                      f"{labels[tensor]}, expected {original.shape}")
            if not np.array_equal(new, original):
                changed.add(labels[tensor])
            return new[None]

        modified = runner.run(x, on_boundary)[output]
        ref_top, new_top = _top(plain, 5), _top(modified, 5)
        top1 += new_top[0] == ref_top[0]
        top5 += ref_top[0] in new_top
        per_image.append({"id": ref.id, "reference_top5": ref_top, "top5": new_top})
    n = len(refs)
    order = src.layer_names()
    return TransformResult(src.name, [r.id for r in refs], top1 / n, top5 / n, per_image,
                           [name for name in order if name in changed])
