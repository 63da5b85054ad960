"""Building a real dataset into its cache entry: check the resources, run the network on
every image (``executor``), quantize every layer to every format, write the manifest last.

Before anything is allocated the builder estimates the memory one image needs (from the
model's tensor shapes at the chosen input size) and the disk the entry needs, and refuses
with an error naming the option to change (``size``, ``limit``, ``formats``). Float maps
of many images go to a memory-mapped scratch file inside the entry. SIGTERM is handled
like SIGINT while building (the temporary files are removed on the way out); files of a
builder killed outright are removed by the next one (``DatasetStore.lock``).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from accelbench.datasets.fingerprint import package_version
from accelbench.datasets.images import ImageRef
from accelbench.datasets.manifest import SCHEMA, body_sha256
from accelbench.datasets.onnx_graph import ModelError, float_input, tensor_shapes
from accelbench.datasets.source_options import SourceOptionError, as_json
from accelbench.datasets.store import DatasetStore, available_memory
from accelbench.datasets.types import FORMATS

if TYPE_CHECKING:
    from accelbench.datasets.network_source import BuildReport, NetworkSource

#: float maps above this size are kept in a memory-mapped scratch file while building
IN_MEMORY_LIMIT = 2 << 30
TOP_K = 5
#: bump when the words stored for the same model, images and options change
#: (2: the certified numpy compute path replaced onnxruntime; fixed formats from the scale)
BUILDER_VERSION = 2
#: float64 working copies a convolution holds per output value (input, output, bound,
#: interval ends) and the im2col chunk, for the memory estimate
WORK_FACTOR = 8
IM2COL_BYTES = 8 << 23


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block SIGTERM raises KeyboardInterrupt, as SIGINT does, so the builder's
    clean-up runs. A Python handler already installed (the accelbench CLI turns SIGTERM
    into its own KeyboardInterrupt) is kept; handlers can only be set on the main thread."""
    if (threading.current_thread() is not threading.main_thread()
            or callable(signal.getsignal(signal.SIGTERM))):
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _gib(nbytes: float) -> str:
    return f"{nbytes / 2**30:.1f} GiB"


def estimate_image_bytes(source: NetworkSource) -> tuple[int, int]:
    """(bytes of working memory for one image's forward pass, recorded values per image),
    from the model's tensor shapes at the configured input size."""
    model = source.model()
    pre = source.preprocessing()
    name, dims = float_input(model)
    shape = [1, 3, pre.size, pre.size] if pre.layout == "NCHW" else [1, pre.size, pre.size, 3]
    shapes = tensor_shapes(model, {name: [d if isinstance(d, int) and d > 0 else s
                                          for d, s in zip(dims, shape, strict=True)]})
    sizes = {t: int(np.prod(s, dtype=np.int64)) for t, s in shapes.items()}
    tap_values = [sizes.get(t.name) for t in source.taps()]
    if not sizes or any(v is None for v in tap_values):  # shape inference failed: guess
        biggest = int(np.prod(shape)) * 64
        return WORK_FACTOR * 8 * biggest + IM2COL_BYTES, 0
    biggest = max(sizes.values())
    return 4 * sum(sizes.values()) + WORK_FACTOR * 8 * biggest + IM2COL_BYTES, \
        int(sum(tap_values))  # type: ignore[arg-type]


def check_resources(source: NetworkSource, n_images: int, store: DatasetStore) -> bool:
    """Refuse builds that cannot fit (one-line errors naming the option); return whether
    the float maps must go to a memory-mapped scratch file."""
    per_image, values = estimate_image_bytes(source)
    memory = available_memory()
    if per_image > memory:
        hint = ("use a smaller input (option size)" if source.size_configurable() else
                "the model's input size is fixed")
        raise SourceOptionError(
            f"building {source.name!r} needs about {_gib(per_image)} of memory per image at "
            f"input size {source.preprocessing().size}, more than is available "
            f"({_gib(memory)}): {hint}")
    floats = n_images * values * 4
    scratch = floats > min(IN_MEMORY_LIMIT, (memory - per_image) // 2)
    words = n_images * values * sum(FORMATS[f].dtype.itemsize for f in source.formats)
    need = words + (floats if scratch else 0)
    free = shutil.disk_usage(store.root).free
    if need > free:
        raise SourceOptionError(
            f"building {source.name!r} needs about {_gib(need)} of disk in {store.root}, "
            f"more than is free ({_gib(free)}): use fewer images (option limit) or fewer "
            "formats (option formats)")
    return scratch


def forward_maps(source: NetworkSource, refs: Sequence[ImageRef], scratch: Path | None = None
                 ) -> tuple[list[np.ndarray], list[tuple[int, ...]], list[list[int]]]:
    """Run the network on every image: per layer an (images, values) float32 array, the
    layer shapes, and each image's top-5 classes (by logits)."""
    executor = source.executor()
    names = [t.name for t in source.taps()]
    pre = source.preprocessing()
    input_name, _ = float_input(source.model())
    logits = source.logits_tensor()
    maps: list[np.ndarray] = []
    shapes: list[tuple[int, ...]] = []
    top: list[list[int]] = []
    for index, ref in enumerate(refs):
        captured: dict[str, np.ndarray] = {}
        out = executor.run({input_name: pre(ref)[None]}, [logits], watch=names,
                           on_tensor=captured.__setitem__)
        scores = np.asarray(out[logits]).reshape(-1)
        top.append([int(i) for i in np.argsort(-scores, kind="stable")[:TOP_K]])
        values = [captured[n] for n in names]
        if index == 0:
            shapes = [tuple(int(d) for d in v.shape[1:]) for v in values]
            maps = _allocate(len(refs), shapes, scratch)
        for layer, value in enumerate(values):
            if not np.all(np.isfinite(value)):
                raise ModelError(f"layer {names[layer]} is not finite on image {ref.id}")
            maps[layer][index] = value.reshape(-1)
    return maps, shapes, top


def _allocate(n: int, shapes: list[tuple[int, ...]], scratch: Path | None) -> list[np.ndarray]:
    sizes = [int(np.prod(s)) for s in shapes]
    if scratch is None:
        return [np.empty((n, size), np.float32) for size in sizes]
    return [np.lib.format.open_memmap(scratch / f"{i}.npy", mode="w+", dtype=np.float32,
                                      shape=(n, size)) for i, size in enumerate(sizes)]


def build_into(source: NetworkSource, store: DatasetStore) -> BuildReport:
    """Build ``source`` into ``store`` (call with the store's lock held)."""
    from accelbench.datasets.network_source import BuildReport

    start = time.perf_counter()
    refs = source.images()
    use_scratch = check_resources(source, len(refs), store)
    path = source.compute_path()
    store.begin_rebuild()
    print(f"building dataset {source.name} ({len(refs)} images) in {store.directory}",
          file=sys.stderr, flush=True)
    if not path["machine_independent"]:
        print(f"accelbench: warning: operators {', '.join(path['onnxruntime_ops'])} of "
              f"{source.name} run in onnxruntime (float32): this dataset can differ between "
              "machines", file=sys.stderr, flush=True)
    with sigterm_as_interrupt():
        scratch = store.scratch_dir() if use_scratch else None
        try:
            maps, shapes, top = forward_maps(source, refs, scratch)
            forward = time.perf_counter() - start
            taps, names = source.taps(), source.layer_names()
            layers = [(n, t.kind, s) for n, t, s in zip(names, taps, shapes, strict=True)]
            entries = {fmt: store.write_format(fmt, layers, maps) for fmt in source.formats}
        finally:
            maps = []
            if scratch is not None:
                store.remove_scratch(scratch)
        manifest = {
            "schema": SCHEMA, "key": store.key, "name": source.name,
            "base_name": source.base_name, "description": source.description,
            "synthetic": False,
            "source": {"model": source.model_identity(), "options": as_json(source.options),
                       "preprocessing": source.preprocessing().describe(), "compute": path,
                       "network": source.network_name},
            "packages": {p: package_version(p) for p in
                         ("accelbench", *source.key_packages(), "scikit-image",
                          *([source.model_package] if source.model_package else []))},
            "images": [{"id": r.id, "sha256": r.sha256()} for r in refs],
            "predictions": {r.id: t for r, t in zip(refs, top, strict=True)},
            "layers": [{"name": n, "tensor": t.name, "kind": t.kind, "shape": list(s)}
                       for n, t, s in zip(names, taps, shapes, strict=True)],
            "formats": entries,
        }
        manifest["integrity"] = body_sha256(manifest)
        store.commit(manifest)
    total = time.perf_counter() - start
    return BuildReport(source.name, str(store.directory), True, total, forward,
                       total - forward, len(refs), len(layers),
                       {f: e["bytes"] for f, e in entries.items()})
