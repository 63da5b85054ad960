"""The torch-free, restricted reader of legacy .pth state dicts."""

from __future__ import annotations

import collections
import os
import pickle

import numpy as np
import pytest

from accelbench.datasets import efficientnet
from accelbench.datasets.torch_weights import (
    UnsafeWeightsError,
    WeightFileError,
    load_state_dict,
    loads_state_dict,
)

MAGIC = 0x1950A86A20F9469CFC6C


class _RunsShell:
    """Unpickling this would run a shell command (touching a marker file)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _legacy(state) -> bytes:
    header = [MAGIC, 1001, {"protocol_version": 1001, "little_endian": True}]
    return b"".join(pickle.dumps(x, protocol=2) for x in (*header, state, []))


def test_real_weights_load_without_torch():
    sd = load_state_dict(efficientnet.weights_path())
    assert len(sd) == 296
    assert sum(v.size for v in sd.values()) == 4_694_073
    assert sd["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert sd["_conv_stem.weight"].dtype == np.float32
    assert sd["_blocks.15._project_conv.weight"].shape == (320, 1152, 1, 1)
    assert sd["_fc.weight"].shape == (1000, 1280)
    assert np.all(np.isfinite(sd["_bn1.running_var"])) and np.all(sd["_bn1.running_var"] > 0)


@pytest.mark.parametrize("where", ["state", "header", "nested"])
def test_code_running_pickle_is_rejected_and_never_runs(tmp_path, where):
    marker = tmp_path / "pwned"
    evil = _RunsShell(str(marker))
    if where == "state":
        data = _legacy(evil)
    elif where == "nested":
        data = _legacy(collections.OrderedDict(weight=evil))
    else:
        data = pickle.dumps(evil, protocol=2)
    path = tmp_path / "evil.pth"
    path.write_bytes(data)
    with pytest.raises(UnsafeWeightsError, match=r"system.*refusing"):
        load_state_dict(path)
    assert not marker.exists()


def test_other_globals_are_rejected():
    data = _legacy({"x": collections.Counter(a=1)})  # harmless, but not a state dict type
    with pytest.raises(UnsafeWeightsError, match=r"collections\.Counter"):
        loads_state_dict(data)


def test_ordered_dict_with_arguments_is_rejected():
    class Sneaky:
        def __reduce__(self):
            return (collections.OrderedDict, ([("a", 1)],))

    with pytest.raises(UnsafeWeightsError, match="OrderedDict built with arguments"):
        loads_state_dict(_legacy(Sneaky()))


def test_truncated_and_foreign_files_give_clear_errors(tmp_path):
    data = efficientnet.weights_path().read_bytes()
    with pytest.raises(WeightFileError, match="truncated"):
        loads_state_dict(data[: len(data) - 1000])
    with pytest.raises(WeightFileError, match="malformed pickle"):
        loads_state_dict(data[:5000])
    with pytest.raises(WeightFileError, match="magic"):
        loads_state_dict(pickle.dumps(42, protocol=2))
    with pytest.raises(WeightFileError, match="cannot read"):
        load_state_dict(tmp_path / "missing.pth")
