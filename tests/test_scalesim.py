"""SCALE-Sim compatible and corrected cycle models, topology CSV parsing, the CLI, and
(when SCALE-Sim is installed) agreement with the real SCALE-Sim."""

import importlib.util
import os
import random
import sys
import warnings

import pytest

from accelbench.cli import main
from accelbench.engines.scalesim import format_report, gemm_cycles, topology_cycles
from accelbench.engines.scalesim_reference import run_reference, scalesim_available
from accelbench.errors import AccelbenchError
from accelbench.networks.topology import (
    TopologyError,
    network_to_rows,
    network_to_topology_csv,
    parse_topology,
    topology_to_network,
)
from accelbench.networks.zoo import alexnet, mobilenetv2, resnet34

HEADER = ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
          "Num Filter, Strides,\n")
EXAMPLE = HEADER + ("conv1, 10, 10, 3, 3, 4, 8, 1,\nconv2, 8, 8, 3, 3, 8, 16, 1,\n"
                    "fc, 1, 1, 1, 1, 64, 10, 1,\nconvDP, 9, 9, 3, 3, 3, 1, 2,\n")
#: COMPUTE_REPORT.csv of SCALE-Sim 3.0.0 for EXAMPLE on an 8x8 array (Total Cycles,
#: Mapping Efficiency %, Compute Util %), as SCALE-Sim printed them under Python 3.11.
#: SCALE-Sim averages per-fold floats with the built-in sum(), which Python 3.12 made
#: compensated: the last digits then change, for SCALE-Sim and for our model alike.
RECORDED_PYTHON = (3, 11)
SCALESIM_8X8 = {
    "os": [("399", "100.0", "71.99999999999999"), ("859", "90.0", "75.34883720930232"),
           ("155", "7.8125", "6.41025641025641")] + [("45", "12.5", "4.891304347826087")] * 3,
    "ws": [("429", "90.0", "61.935483870967744"), ("1043", "100.0", "55.38461538461538"),
           ("367", "62.5", "2.083333333333335")] + [("75", "7.03125", "2.5")] * 3,
    "is": [("1199", "90.0", "19.45945945945945"), ("1709", "90.0", "31.999999999999996"),
           ("255", "12.5", "3.205128205128205")] + [("91", "56.25", "1.875")] * 3,
}


@pytest.mark.parametrize("dataflow", ["os", "ws", "is"])
def test_compatible_mode_reproduces_scalesim_reports(dataflow):
    rows = topology_cycles(parse_topology(EXAMPLE), (8, 8), dataflow)
    got = [(str(r.total_cycles), str(r.mapping_efficiency), str(r.compute_util))
           for r in rows]
    expected = SCALESIM_8X8[dataflow]
    if sys.version_info[:2] == RECORDED_PYTHON:
        assert got == expected
    assert [g[0] for g in got] == [e[0] for e in expected]
    assert [float(x) for g in got for x in g[1:]] == pytest.approx(
        [float(x) for e in expected for x in e[1:]], rel=1e-13)
    assert [r.name for r in rows][3:] == ["convDPChannel_0", "convDPChannel_1",
                                          "convDPChannel_2"]


def test_the_specs_example_numbers():
    # scalesim.md, 8x8 array: os / ws / is
    assert [gemm_cycles(64, 8, 36, 8, 8, df).total_cycles for df in ("os", "ws", "is")] == \
        [399, 429, 1199]
    assert [gemm_cycles(36, 16, 72, 8, 8, df).total_cycles for df in ("os", "ws", "is")] == \
        [859, 1043, 1709]
    assert [gemm_cycles(1, 10, 64, 8, 8, df).total_cycles for df in ("os", "ws", "is")] == \
        [155, 367, 255]


def test_corrected_mode_fixes_the_quirks():
    # ResNet conv1: 230 padded, 7x7, stride 2: SCALE-Sim's ceil gives 113, floor 112
    row = parse_topology(HEADER + "conv1, 230, 230, 7, 7, 3, 64, 2,\n")
    compat = topology_cycles(row, (32, 32), "os", "compatible")[0]
    fixed = topology_cycles(row, (32, 32), "os", "corrected")[0]
    assert compat.sr == 113 * 113 and fixed.sr == 112 * 112
    folds = -(-112 * 112 // 32) * 2
    assert fixed.total_cycles == folds * (2 * 32 + 32 + 147 - 2)  # no -1, 2R + C + T - 2
    assert fixed.mapping_efficiency == pytest.approx(112 * 112 * 64 / (folds * 1024) * 100)
    assert compat.total_cycles == -(-113 * 113 // 32) * 2 * (147 + 32 + 32 - 2) - 1


def test_gemm_topologies_are_detected():
    rows = parse_topology("Layer Name, M, N, K,\ng0DP, 7, 5, 9,\n")
    assert rows[0].gemm and not rows[0].depthwise  # SCALE-Sim expands DP in conv form only
    assert topology_cycles(rows, (4, 4), "os")[0].total_cycles == 2 * 2 * (9 + 6) - 1


@pytest.mark.parametrize(("text", "message"), [
    (HEADER + "c, 8, 8, 3, 3, 4, 8, 1\n", r"line 2: expected 8 fields .* end with a comma"),
    (HEADER + "c, 8, x, 3, 3, 4, 8, 1,\n", r"line 2: IFMAP Width must be an integer, got 'x'"),
    (HEADER + "\nc, 2, 8, 3, 3, 4, 8, 1,\n", r"line 3: filter 3x3 is larger than the IFMAP"),
    (HEADER + "c, 8, 8, 3, 3, 4, 8, 1, 5:4,\n", r"line 2: sparsity 5:4 has N > M"),
    (HEADER + "c, 8, 8, 3, 3, 0, 8, 1,\n", r"line 2: Channels must be >= 1"),
    (HEADER + "c, 8, 8, 3, 3, 4, 8, 1, 2:4, 9,\n", r"line 2: 10 fields"),
    (HEADER, r"no layers"),
])
def test_bad_topologies_name_the_line(text, message):
    with pytest.raises(TopologyError, match=message):
        parse_topology(text)


def test_a_field_without_trailing_comma_is_dropped_like_scalesim_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = parse_topology(HEADER + "c, 8, 8, 3, 3, 4, 8, 1, 2:4\n")
    assert rows[0].sparsity == (1, 1)
    assert "line 2" in str(caught[0].message)


def test_export_folds_padding_and_names_depthwise_rows():
    rows = {r.name: r for r in network_to_rows(mobilenetv2())}
    dw = rows["features.2.dw_DP"]
    assert (dw.ifmap_h, dw.channels, dw.num_filter, dw.stride) == (114, 96, 1, 2)
    assert not any("DP" in n for n in rows if not n.endswith("_DP"))
    grouped = [r for r in network_to_rows(alexnet()) if r.name.startswith("conv2_g")]
    assert [(r.channels, r.num_filter, r.ifmap_h) for r in grouped] == [(48, 128, 31)] * 2
    fc = rows["classifier"]
    assert (fc.ifmap_h, fc.channels, fc.num_filter) == (1, 1280, 1000)


def test_topology_round_trip_keeps_every_row():
    text = network_to_topology_csv(resnet34())
    rows = parse_topology(text)
    assert rows == network_to_rows(resnet34())
    net = topology_to_network(rows, "resnet34-import")
    assert len(net.compute_layers()) == len(rows)
    conv1 = net.layer("conv1")
    assert conv1.in_shape == (3, 230, 230) and conv1.out_shape == (64, 112, 112)


def test_cli_writes_the_report(tmp_path, capsys):
    topo = tmp_path / "t.csv"
    topo.write_text(EXAMPLE)
    out = tmp_path / "out.csv"
    assert main(["scalesim", "--topology", str(topo), "--array", "8x8", "--dataflow", "ws",
                 "--csv", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == ("LayerID, Total Cycles, Stall Cycles, Overall Util %, "
                        "Mapping Efficiency %, Compute Util %,")
    assert lines[1] == "0, 429, 0, 67.13286713286713, 90.0, 61.935483870967744,"
    assert len(lines) == 7
    assert main(["scalesim", "--network", "alexnet", "--array", "16x8", "--mode",
                 "corrected", "--json"]) == 0
    assert '"mode": "corrected"' in capsys.readouterr().out
    assert main(["scalesim", "--topology", str(topo), "--array", "8by8"]) == 2
    assert "ROWSxCOLS" in capsys.readouterr().err
    topo.write_text(HEADER + "c, 8, 8, 3, 3, 4, 8, 1\n")
    assert main(["scalesim", "--topology", str(topo), "--array", "8x8", "--csv",
                 str(tmp_path / "bad.csv")]) == 2
    assert "line 2" in capsys.readouterr().err
    assert not (tmp_path / "bad.csv").exists()


def _random_topology(rng: random.Random) -> str:
    lines = [HEADER.rstrip("\n")]
    for i in range(3):
        f = rng.choice([1, 3, 5])
        h, w = rng.randint(f, f + 9), rng.randint(f, f + 9)
        c = rng.randint(1, 4)
        name = f"DPconv{i}" if i == 1 else f"conv{i}"
        lines.append(f"{name}, {h}, {w}, {f}, {f}, {c}, {rng.randint(1, 12)}, "
                     f"{rng.choice([1, 2])},")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def scalesim():
    """The real SCALE-Sim, which the test environment installs (the [scalesim] extra):
    missing or not working is a failure, not a skip."""
    assert os.environ.get("ACCELBENCH_SCALESIM_PYTHON") \
        or importlib.util.find_spec("scalesim") is not None, \
        "the scalesim extra is not installed (`pip install -e '.[scalesim]'`)"
    ok, why = scalesim_available()
    assert ok, f"SCALE-Sim is installed but not usable: {why}"
    return why


@pytest.mark.parametrize("array", [(4, 4), (3, 8), (8, 2)])
def test_agrees_with_the_real_scalesim(scalesim, array):
    text = _random_topology(random.Random(array[0] * 10 + array[1]))
    rows = parse_topology(text)
    for dataflow in ("os", "ws", "is"):
        ref = run_reference(text, array, dataflow)
        mine = topology_cycles(rows, array, dataflow)
        assert [(r["Total Cycles"], r["Mapping Efficiency %"], r["Compute Util %"],
                 r["Overall Util %"]) for r in ref] == \
            [(str(m.total_cycles), str(m.mapping_efficiency), str(m.compute_util),
              str(m.overall_util)) for m in mine]
    gemm = "Layer Name, M, N, K,\ng0, 9, 5, 7,\ng1, 3, 11, 4,\n"
    ref = run_reference(gemm, array, "os", gemm=True)
    mine = topology_cycles(parse_topology(gemm), array, "os")
    assert [r["Total Cycles"] for r in ref] == [str(m.total_cycles) for m in mine]


def test_format_report_columns():
    text = format_report(topology_cycles(parse_topology(EXAMPLE), (8, 8)),
                         ("LayerID", "Total Cycles", "Mapping Efficiency %"))
    assert text.splitlines()[1] == "0, 399, 100.0,"


# --- bounded inputs ------------------------------------------------------------------


def test_huge_csv_values_name_the_line_and_field():
    from accelbench.networks.topology import MAX_FIELD

    for value, message in ((str(MAX_FIELD + 1), "IFMAP Height must be <= 2,147,483,647"),
                           ("9" * 5000, "IFMAP Height must be an integer <= 2,147,483,647"),
                           ("1e400", "IFMAP Height must be an integer")):
        with pytest.raises(TopologyError, match=f"line 2: {message}"):
            parse_topology(HEADER + f"big, {value}, 10, 1, 1, 4, 4, 1,\n")
    rows = parse_topology(HEADER + f"max, {MAX_FIELD}, {MAX_FIELD}, 1, 1, 1, 1, 1,\n")
    result = topology_cycles(rows, (32, 32), "os", "corrected")[0]  # exact, closed form
    assert result.total_cycles == -(-MAX_FIELD ** 2 // 32) * (2 * 32 + 32 + 1 - 2)


def test_compatible_mode_is_bounded_and_streams_its_folds():
    from accelbench.engines.scalesim import MAX_COMPATIBLE_FOLDS

    big = parse_topology(HEADER + "big, 100000, 100000, 1, 1, 1, 1, 1,\n")
    with pytest.raises(AccelbenchError, match=r"topology line 2: layer 'big': 312,500,000 "
                                              r"folds on the 32x32 array.*corrected mode"):
        topology_cycles(big, (32, 32), "os", "compatible")
    corrected = topology_cycles(big, (32, 32), "os", "corrected")[0]
    assert corrected.folds == 312_500_000 and corrected.mapping_efficiency == 100 / 32
    # just under the bound: computed, and equal to averaging SCALE-Sim's list of folds
    m = 32 * (MAX_COMPATIBLE_FOLDS // 100) - 5
    row = gemm_cycles(m, 3, 9, 32, 32, "os", "compatible")
    assert row.folds == MAX_COMPATIBLE_FOLDS // 100
    folds = [32 * 3 / 1024] * (row.folds - 1) + [27 * 3 / 1024]
    assert row.mapping_efficiency == sum(folds) / len(folds) * 100


def test_depthwise_expansion_and_array_are_bounded(capsys):
    with pytest.raises(TopologyError, match=r"expands to 2,000,000 layers \(depthwise row "
                                            r"'hugeDP', line 2, has 2,000,000 channels"):
        topology_cycles(parse_topology(HEADER + "hugeDP, 8, 8, 3, 3, 2000000, 1, 1,\n"),
                        (8, 8))
    assert main(["scalesim", "--network", "alexnet", "--array", "65537x8"]) == 2
    assert "must be <= 65,536" in capsys.readouterr().err
