"""Read PyTorch's legacy (non-zip) ``.pth`` state dicts without torch and without trust.

A ``.pth`` file is a pickle, and unpickling can call any importable function. This reader
uses a restricted unpickler that resolves only the globals a plain state dict needs
(``collections.OrderedDict``, ``torch._utils._rebuild_tensor_v2`` and the typed storage
classes); any other global, opcode-built object or persistent id is refused with
:class:`UnsafeWeightsError` before anything is called.

Legacy layout (``torch.save(..., _use_new_zipfile_serialization=False)``): five pickles
(magic number, protocol version, system info, the state dict whose tensors point at
storages by persistent id, the list of storage keys) followed, for each key in that list,
by an 8-byte little-endian element count and the storage's raw little-endian bytes.
"""

from __future__ import annotations

import collections
import io
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from accelbench.errors import AccelbenchError

_MAGIC = 0x1950A86A20F9469CFC6C
_PROTOCOL = 1001

#: torch storage class name -> numpy dtype of its elements (little-endian)
_STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"), "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"), "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"), "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"), "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


class UnsafeWeightsError(AccelbenchError):
    """A weight file asks for something a plain state dict never needs."""


class WeightFileError(AccelbenchError):
    """A weight file is truncated or not in the legacy PyTorch format."""


@dataclass(frozen=True)
class _StorageType:
    name: str

    @property
    def dtype(self) -> np.dtype:
        return _STORAGE_DTYPES[self.name]


@dataclass
class _StorageRef:
    key: str
    dtype: np.dtype
    numel: int
    data: np.ndarray | None = None


@dataclass
class _TensorRef:
    storage: _StorageRef
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor(storage: Any, offset: Any, size: Any, stride: Any, *_rest: Any) -> _TensorRef:
    if not isinstance(storage, _StorageRef):
        raise UnsafeWeightsError("tensor rebuild called without a storage reference")
    ints = (offset, *size, *stride)
    if not all(isinstance(v, int) and v >= 0 for v in ints) or len(size) != len(stride):
        raise WeightFileError("tensor with an invalid offset, size or stride")
    return _TensorRef(storage, offset, tuple(size), tuple(stride))


def _empty_ordered_dict(*args: Any) -> collections.OrderedDict:
    if args:  # OrderedDict(iterable) would consume attacker-chosen objects
        raise UnsafeWeightsError("OrderedDict built with arguments")
    return collections.OrderedDict()


class _RestrictedUnpickler(pickle.Unpickler):
    """Resolves only the globals of a state dict; never imports anything."""

    def __init__(self, stream: io.BytesIO, storages: dict[str, _StorageRef] | None) -> None:
        super().__init__(stream)
        self._storages = storages

    def find_class(self, module: str, name: str) -> Any:
        # fresh objects on every lookup, so a BUILD opcode cannot alter shared state
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if (module, name) == ("collections", "OrderedDict"):
            return lambda *args: _empty_ordered_dict(*args)
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return lambda *args: _rebuild_tensor(*args)
        raise UnsafeWeightsError(
            f"weight file refers to {module}.{name}, which a state dict never needs; "
            "refusing to load it (it could run code)")

    def persistent_load(self, pid: Any) -> Any:
        if self._storages is None:
            raise UnsafeWeightsError("unexpected persistent id outside the state dict")
        ok = (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage"
              and isinstance(pid[1], _StorageType) and isinstance(pid[2], str)
              and isinstance(pid[4], int) and pid[4] >= 0 and pid[5] is None)
        if not ok:
            raise UnsafeWeightsError(f"unsupported persistent id {str(pid)[:80]!r}")
        _, stype, key, _location, numel, _view = pid
        ref = self._storages.setdefault(key, _StorageRef(key, stype.dtype, numel))
        if ref.dtype != stype.dtype or ref.numel != numel:
            raise WeightFileError(f"storage {key!r} declared twice with different types")
        return ref


def _restricted_load(stream: io.BytesIO, storages: dict[str, _StorageRef] | None) -> Any:
    try:
        return _RestrictedUnpickler(stream, storages).load()
    except AccelbenchError:
        raise
    except Exception as exc:  # truncated or malformed pickle data
        raise WeightFileError(f"malformed pickle data: {type(exc).__name__}: {exc}") from None


def loads_state_dict(data: bytes) -> dict[str, np.ndarray]:
    """Parse a legacy ``.pth`` byte string into ``{name: float/int numpy array}``."""
    stream = io.BytesIO(data)
    if _restricted_load(stream, None) != _MAGIC:
        raise WeightFileError("not a legacy PyTorch file (bad magic number); zip-format "
                              ".pth files are not supported")
    if _restricted_load(stream, None) != _PROTOCOL:
        raise WeightFileError("unsupported legacy PyTorch protocol version")
    sys_info = _restricted_load(stream, None)
    if not isinstance(sys_info, dict) or not sys_info.get("little_endian", False):
        raise WeightFileError("weight file is not little-endian")
    storages: dict[str, _StorageRef] = {}
    state = _restricted_load(stream, storages)
    keys = _restricted_load(stream, None)
    if not isinstance(state, dict) or not isinstance(keys, list):
        raise WeightFileError("weight file does not hold a state dict")
    view = memoryview(data)
    pos = stream.tell()
    for key in keys:
        if not isinstance(key, str) or key not in storages:
            raise WeightFileError(f"storage key {key!r} not used by any tensor")
        ref = storages[key]
        if pos + 8 > len(data):
            raise WeightFileError("weight file is truncated (storage header)")
        (numel,) = struct.unpack_from("<q", data, pos)
        nbytes = numel * ref.dtype.itemsize
        if numel != ref.numel or pos + 8 + nbytes > len(data):
            raise WeightFileError(f"storage {key!r} is truncated or has the wrong size")
        ref.data = np.frombuffer(view[pos + 8:pos + 8 + nbytes], dtype=ref.dtype)
        pos += 8 + nbytes
    return {str(name): _materialise(name, t) for name, t in state.items()}


def _materialise(name: str, t: Any) -> np.ndarray:
    if not isinstance(t, _TensorRef):
        raise WeightFileError(f"state dict entry {name!r} is not a tensor")
    if t.storage.data is None:
        raise WeightFileError(f"tensor {name!r} has no storage data")
    itemsize = t.storage.dtype.itemsize
    last = t.offset + sum((n - 1) * s for n, s in zip(t.size, t.stride, strict=True) if n)
    if any(t.size) and last >= t.storage.numel:
        raise WeightFileError(f"tensor {name!r} reaches past its storage")
    arr = np.lib.stride_tricks.as_strided(
        t.storage.data[t.offset:], shape=t.size,
        strides=tuple(s * itemsize for s in t.stride), writeable=False)
    return np.array(arr, dtype=t.storage.dtype.newbyteorder("="))


def load_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """Read a legacy ``.pth`` state dict from ``path`` (never executes code from it)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WeightFileError(f"cannot read weight file {path}: {exc.strerror}") from None
    try:
        return loads_state_dict(data)
    except AccelbenchError as exc:
        raise type(exc)(f"{path}: {exc}") from None
