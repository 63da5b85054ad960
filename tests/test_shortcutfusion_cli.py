"""``accelbench plan``: the four policies' DRAM bytes, invariants, and bad input."""

import json

import pytest

from accelbench.cli import main

KEYS = {"dram_bytes", "dram_read_bytes", "dram_write_bytes", "weight_bytes",
        "peak_onchip_bytes"}


def _plan(capsys, *args):
    assert main(["plan", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("network,kib", [("resnet152", 256), ("efficientnet-b0", 1024),
                                         ("yolov3", 4096), ("mobilenetv2", 64.5)])
def test_plan_json_has_the_four_policies_in_order(capsys, network, kib):
    data = _plan(capsys, network, "--buffer-kib", str(kib))
    p = data["policies"]
    assert list(p) == ["baseline", "lower_bound", "shortcutmining", "shortcutfusion"]
    assert all(set(v) >= KEYS for v in p.values())
    assert (p["lower_bound"]["dram_bytes"] <= p["shortcutfusion"]["dram_bytes"]
            <= p["shortcutmining"]["dram_bytes"] <= p["baseline"]["dram_bytes"])
    assert data["budget_bytes"] == int(kib * 1024)
    assert p["shortcutfusion"]["peak_onchip_bytes"] <= data["budget_bytes"]
    for v in p.values():
        assert v["dram_bytes"] == v["dram_read_bytes"] + v["dram_write_bytes"]


def test_budget_sweep_from_the_cli_never_rises_and_reaches_the_lower_bound(capsys):
    sf = []
    for kib in (64, 512, 4096, 16384):
        data = _plan(capsys, "resnet50", "--buffer-kib", str(kib))
        sf.append(data["policies"]["shortcutfusion"]["dram_bytes"])
    assert sf == sorted(sf, reverse=True)
    assert sf[-1] == data["policies"]["lower_bound"]["dram_bytes"]
    two = _plan(capsys, "resnet50", "--buffer-kib", "16384", "--bytes-per-value", "2")
    assert two["policies"]["lower_bound"]["dram_bytes"] == 2 * sf[-1]


def test_per_layer_detail_and_the_table(capsys):
    data = _plan(capsys, "resnet34", "--buffer-kib", "512", "--per-layer")
    groups = data["policies"]["shortcutfusion"]["groups"]
    assert groups[2]["layers"] == ["layer1.0.conv1", "layer1.0.conv2", "layer1.0.add"]
    tensors = data["policies"]["shortcutfusion"]["tensors"]
    assert sum(t["dram_read_bytes"] for t in tensors) + data["policies"][
        "shortcutfusion"]["weight_bytes"] == data["policies"]["shortcutfusion"][
        "dram_read_bytes"]
    assert main(["plan", "resnet34", "--buffer-kib", "512", "--per-layer"]) == 0
    out = capsys.readouterr().out
    assert "reduction vs baseline %" in out and "shortcutfusion: groups of nodes" in out


@pytest.mark.parametrize("args,message", [
    (["nope", "--buffer-kib", "1"], "unknown network 'nope'"),
    (["resnet50", "--buffer-kib", "0"], "--buffer-kib must be a positive number, got 0"),
    (["resnet50", "--buffer-kib", "-5"], "--buffer-kib must be a positive number, got -5"),
    (["resnet50", "--buffer-kib", "inf"], "--buffer-kib must be a positive number, got inf"),
    (["resnet50", "--buffer-kib", "1", "--bytes-per-value", "0"],
     "--bytes-per-value must be a positive number"),
])
def test_bad_input_is_one_line(capsys, args, message):
    assert main(["plan", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("accelbench: error: ") and message in err
    assert err.count("\n") == 1


def test_memory_designs_are_listed_and_verified(capsys):
    assert main(["designs", "--family", "memory", "--json"]) == 0
    names = [d["name"] for d in json.loads(capsys.readouterr().out)]
    assert names == ["dram-baseline", "lower-bound", "shortcutmining", "shortcutfusion"]
    assert main(["verify", "shortcutfusion", "shortcutmining"]) == 0
    assert "ok   shortcutfusion" in capsys.readouterr().out
