"""The generic real dataset source: a trained ONNX CNN run on real images.

:class:`NetworkSource` does the work for every real source: preprocess the images, run the
network once per image on the deterministic compute path (``executor``) with every
interlayer feature map captured (``onnx_graph.find_taps``), convert each layer to every
number format and cache the words (``store``, built by ``build``). Subclasses only say where
the model comes from (``builtin_sources``); :class:`OnnxSource` is ``onnx:PATH``, any ONNX
CNN a user supplies. Options (``source_options``) configure images, size, kinds and
formats.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from accelbench.datasets import notices, source_options
from accelbench.datasets.executor import Executor, logits_tensor
from accelbench.datasets.fingerprint import file_sha256, package_version
from accelbench.datasets.images import ImageRef, Preprocessing, preset, resolve_images
from accelbench.datasets.manifest import SCHEMA, CorruptCacheError, content_sha256
from accelbench.datasets.onnx_graph import ModelError, Tap, find_taps, float_input
from accelbench.datasets.source_options import SourceOptionError
from accelbench.datasets.store import DatasetStore, datasets_root
from accelbench.datasets.types import FORMATS, DatasetSource, FeatureMapSet
from accelbench.errors import AccelbenchError

#: packages whose versions can change the stored words (part of the cache key);
#: onnxruntime joins them when a model needs it for some operators
KEY_PACKAGES = ("numpy", "onnx", "pillow")


class SourceUnavailableError(AccelbenchError):
    """A listed dataset source needs a package that is not installed."""


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
    manifest_sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class NetworkSource(DatasetSource):
    """Feature maps of a trained ONNX classifier on real images (see module docstring)."""

    base_name: ClassVar[str]
    default_preset: ClassVar[str] = "imagenet"
    #: the distribution that provides the model, recorded in the manifest
    model_package: ClassVar[str | None] = None
    OPTIONS: ClassVar[tuple[str, ...]] = source_options.OPTIONS

    def __init__(self, **options: Any) -> None:
        self.options = source_options.normalise(options, self.OPTIONS, self.base_name)
        self.formats = self.options.get("formats", tuple(FORMATS))
        self.name = source_options.canonical_name(self.base_name, self.options)
        self._model: Any = None
        self._executor: Executor | None = None
        self._logits: dict[tuple[str, str], np.ndarray] = {}

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

    def executor(self) -> Executor:
        """The model on the deterministic compute path (built once per source object)."""
        if self._executor is None:
            self._executor = Executor(self.model())
        return self._executor

    def compute_path(self) -> dict[str, Any]:
        return self.executor().compute_path()

    def logits_tensor(self) -> str:
        """The tensor of the network's logits (before a final softmax, if it has one)."""
        return logits_tensor(self.model())[0]

    def logits(self, ref: ImageRef) -> np.ndarray:
        """The network's logits on one image (1 x classes; kept on this object)."""
        key = (ref.id, ref.sha256())
        if key not in self._logits:
            input_name, _ = float_input(self.model())
            tensor = self.logits_tensor()
            self._logits[key] = self.executor().run(
                {input_name: self.preprocessing()(ref)[None]}, [tensor])[tensor]
        return self._logits[key]

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

    def size_configurable(self) -> bool:
        """Whether option ``size`` changes the input size (the model does not fix it)."""
        if "size" not in self.OPTIONS:
            return False
        _name, dims = float_input(self.model())
        return not all(isinstance(d, int) and d > 0 for d in dims[1:])

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
    def key_packages(self) -> tuple[str, ...]:
        return KEY_PACKAGES + (() if self.executor().machine_independent else ("onnxruntime",))

    def _key_material(self, refs: list[ImageRef]) -> dict[str, Any]:
        from accelbench.datasets.build import BUILDER_VERSION

        return {"schema": SCHEMA, "builder": BUILDER_VERSION,
                "source": self.base_name, "model": self.model_identity(),
                "compute": self.compute_path(),
                "kinds": list(self.options.get("kinds", ())),
                "preprocess": self.options.get("preprocess", self.default_preset),
                "size": self.options.get("size"), "formats": list(self.formats),
                "images": [[r.id, r.sha256()] for r in refs],
                "packages": {p: package_version(p) for p in self.key_packages()}}

    def store(self, cache_dir: str | Path | None = None) -> DatasetStore:
        self.check_available()
        refs = self.images()
        material = json.dumps(self._key_material(refs), sort_keys=True)
        key = hashlib.sha256(material.encode()).hexdigest()
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.slug())[:60]
        return DatasetStore(datasets_root(cache_dir), slug, key)

    def slug(self) -> str:
        return self.base_name

    def _verified(self, store: DatasetStore, notify: bool = True) -> dict[str, Any] | None:
        """The manifest if the entry is complete and every format verifies; None (with a
        notice when the entry exists but is damaged) otherwise."""
        try:
            manifest = store.read_manifest()
            if manifest is None:
                return None
            if set(manifest["formats"]) != set(self.formats):
                raise CorruptCacheError("the entry lacks some formats")
            store.verify(manifest)
            return manifest
        except CorruptCacheError as exc:
            if notify:
                notices.warn(f"dataset cache {store.directory} is corrupt or incomplete "
                             f"({exc}); rebuilding it")
            return None

    def _reuse_or_build(self, store: DatasetStore, force: bool, notify: bool = True
                        ) -> tuple[dict[str, Any], BuildReport | None]:
        """The verified manifest of ``store``, building it first when needed (the report
        is None when a valid entry was reused)."""
        from accelbench.datasets.build import build_into

        if not force:
            manifest = self._verified(store, notify)
            if manifest is not None:
                return manifest, None
        with store.lock():  # another process may be building it: wait, then re-check
            if not force:
                manifest = self._verified(store, notify=False)
                if manifest is not None:
                    return manifest, None
            report = build_into(self, store)
            manifest = store.read_manifest()
        if manifest is None:
            raise CorruptCacheError(f"{store.manifest_path} vanished right after it was "
                                    "built (is another program deleting the cache?)")
        return manifest, report

    def build(self, *, cache_dir: str | Path | None = None, force: bool = False) -> BuildReport:
        """Build and cache every format (reusing a complete, verified cache unless force)."""
        import time

        start = time.perf_counter()
        store = self.store(cache_dir)
        manifest, report = self._reuse_or_build(store, force)
        if report is None:
            report = BuildReport(
                self.name, str(store.directory), False, 0.0, images=len(manifest["images"]),
                layers=len(manifest["layers"]),
                format_bytes={f: e["bytes"] for f, e in manifest["formats"].items()})
        report.seconds = time.perf_counter() - start
        report.manifest_sha256 = store.manifest_sha256()
        return report

    def manifest(self, *, cache_dir: str | Path | None = None
                 ) -> tuple[DatasetStore, dict[str, Any]]:
        """The cache entry and its manifest, every format verified (built if needed)."""
        store = self.store(cache_dir)
        manifest, _report = self._reuse_or_build(store, False)
        return store, manifest

    def load(self, fmt: str, *, cache_dir: str | Path | None = None) -> FeatureMapSet:
        """The feature maps in format ``fmt``, from the cache (built on first use)."""
        if fmt not in self.formats:
            raise SourceOptionError(f"dataset {self.name!r} has no format {fmt!r}; "
                                    f"formats: {', '.join(self.formats)}")
        store = self.store(cache_dir)
        try:
            manifest = store.read_manifest()
            if manifest is not None and set(manifest["formats"]) == set(self.formats):
                return store.load_format(manifest, fmt, self.publication(store, manifest))
        except CorruptCacheError as exc:
            notices.warn(f"dataset cache {store.directory} is corrupt or incomplete ({exc}); "
                         "rebuilding it")
        manifest, _report = self._reuse_or_build(store, False, notify=False)
        return store.load_format(manifest, fmt, self.publication(store, manifest))

    # -- publication ---------------------------------------------------------------------
    def is_default(self) -> bool:
        """True for the source with no options: the dataset the project publishes."""
        return not self.options and not isinstance(self, OnnxSource)

    def publication(self, store: DatasetStore, manifest: dict[str, Any]) -> dict[str, Any]:
        """Whether this build matches what the project publishes for this source
        (``published.json``): None values where nothing is published for it."""
        from accelbench.datasets.published import published_record

        record = published_record(self.base_name) if self.is_default() else None
        local = store.manifest_sha256()
        content = content_sha256(manifest)
        if record is None:
            return {"manifest_sha256": local, "content_sha256": content,
                    "published_manifest_sha256": None, "matches_published": None,
                    "published_content_sha256": None, "content_matches_published": None}
        return {"manifest_sha256": local, "content_sha256": content,
                "published_manifest_sha256": record["manifest_sha256"],
                "matches_published": local == record["manifest_sha256"],
                "published_content_sha256": record["content_sha256"],
                "content_matches_published": content == record["content_sha256"]}

    def describe(self) -> dict[str, Any]:
        reason = self.unavailable_reason()
        return {**super().describe(), "name": self.name, "available": reason is None,
                "network": self.network_name, **({"unavailable": reason} if reason else {})}


class OnnxSource(NetworkSource):
    """``onnx:PATH``: any ONNX CNN with one float image input (N,3,H,W or N,H,W,3)."""

    in_default_matrix = False
    default_preset = "imagenet"
    network_name = None

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
