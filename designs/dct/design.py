"""The DCT codecs as accelbench designs: 2-D DCT (Shao et al.) and channel DCT (DCT-CM).

Both are lossy codecs of one C x H x W map of 8-bit words. They follow the lossy-codec
contract being added to the codec base: ``encode(values, shape)``, ``decode(encoded)``,
and the streaming hooks ``compressor_inputs``, ``decompressor_sideband`` and
``decompressor_output`` through which the base drives the netlists. Until the base
streams those hooks itself, :meth:`DctCodec.cosimulate` does it here with the same
:class:`~accelbench.netlist.stream.StreamHarness`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from accelbench.bits import to_words
from accelbench.design import EvaluationOptions
from accelbench.designs.dct import netlist, netlist_cm
from accelbench.designs.dct.model import DctEncoded, DctModel, Shape, check_shape
from accelbench.errors import NetlistMismatchError, UnknownNameError
from accelbench.families.codec import CodecDesign, Encoded
from accelbench.families.codec import compare_words as _compare
from accelbench.metrics import Evaluation
from accelbench.netlist.ports import Ports
from accelbench.workloads import FeatureMapWorkload, Workload

DEFAULTS_2D = (
    "8x8 blocks per channel, row-major block order, edges zero-padded to a multiple of 8 "
    "(padding coded and counted in every ratio)",
    "transform: 8x8 constant matrix, constants round(2^14 A), 4 fraction bits between "
    "the passes, round half up (within 0.858 of the exact DCT for every block)",
    "quantisation tables jpeg (libjpeg quality scaling of the JPEG luminance table), "
    "uniform, zonal; round half away from zero",
    "coding: 64-bit non-zero bitmap + non-zero values in zig-zag order, each in the "
    "width its frequency needs under the table; two streams (bitmap, values) of 16-bit "
    "words",
    "uint8 is level-shifted by -128 before the transform (as JPEG)",
)
DEFAULTS_CM = (
    "channels in groups of 8 (zero-padded), a block = 8 consecutive pixels x 8 channel "
    "frequencies, pixels zero-padded to a multiple of 8 (padding counted)",
    "transform: 1-D 8-point DCT along the channels, constants round(2^14 A), round "
    "half up",
    "jpeg table: the first row of the JPEG luminance table, libjpeg quality scaling",
    "coding as the 2-D variant: 64-bit bitmap + non-zero values",
    "uint8 is level-shifted by -128",
)


def variant_name(transform: str, fmt: str, table: str, value: int) -> str:
    prefix = "dct" if transform == "2d" else "dctcm"
    knob = {"jpeg": "q", "uniform": "s", "zonal": "k"}[table]
    return f"{prefix}-{fmt}-{table}-{knob}{value}"


class DctCodec(CodecDesign):
    """The 2-D DCT codec (Shao et al.): one variant = format + quantisation table."""

    summary = ("DCT interlayer feature-map compression (Shao et al., arXiv 2110.06155): "
               "8x8 2-D DCT, quantisation, bitmap + non-zero values; lossy")
    technique: ClassVar[str] = "dct"
    baseline_for: ClassVar[tuple[str, ...]] = ()
    lossy: ClassVar[bool] = True
    compressed_streams = ("bitmap", "values")
    transform: ClassVar[str] = "2d"
    assumed_defaults: ClassVar[tuple[str, ...]] = DEFAULTS_2D
    headline_description = ("uncompressed / compressed bits over all layers (padding of "
                            "edge blocks counted), mean over images")
    #: configuration inputs of the netlists
    config_inputs: ClassVar[tuple[str, ...]] = ("channels", "height", "width")

    def __init__(self, fmt: str = "fixed8", table: str = "jpeg", value: int = 50,
                 stream_bits: int = 16) -> None:
        self.model = DctModel(self.transform, fmt, table, value, stream_bits)
        super().__init__(variant_name(self.transform, fmt, table, value), word_bits=8,
                         format=fmt, table=table, table_value=value,
                         stream_bits=stream_bits)
        self.fmt = fmt

    # --- golden model ----------------------------------------------------------------
    def encode(self, values: np.ndarray, shape: Shape | None = None) -> DctEncoded:
        if shape is None:
            raise ValueError(f"{self.name} needs the map shape (C, H, W) to encode")
        return self.model.encode(to_words(values, 8), shape)

    def decode(self, encoded: Encoded) -> np.ndarray:
        return self.model.decode(encoded)

    def compressed_bits(self, values: np.ndarray, shape: Shape | None = None) -> int:
        if shape is None:
            raise ValueError(f"{self.name} needs the map shape (C, H, W)")
        return self.model.compressed_bits(to_words(values, 8), shape)

    # --- netlists ----------------------------------------------------------------------
    def build_compressor(self, ports: Ports) -> None:
        netlist.dct2d_compressor(ports, self.model)

    def build_decompressor(self, ports: Ports) -> None:
        netlist.dct2d_decompressor(ports, self.model)

    # --- streaming hooks (the lossy-codec contract) --------------------------------------
    def config(self, shape: Shape) -> dict[str, int]:
        c, h, w = check_shape(shape)
        return {"channels": c, "height": h, "width": w}

    def compressor_inputs(self, words: np.ndarray, shape: Shape
                          ) -> tuple[dict[str, np.ndarray], dict[str, int]]:
        """The map's words in the order the compressor consumes them, and its config."""
        words = to_words(np.asarray(words).reshape(-1), 8)
        shape = check_shape(shape, len(words))
        return {"in": words[self.model.hardware_order(shape)]}, self.config(shape)

    def decompressor_sideband(self, encoded: Encoded) -> dict[str, int]:
        return self.config(encoded.shape)

    def decompressor_output(self, out_words: np.ndarray, encoded: Encoded) -> np.ndarray:
        """The decompressor's output stream (block order) back in C,H,W order."""
        order = self.model.hardware_order(encoded.shape)
        out_words = np.asarray(out_words)
        if len(out_words) != len(order):
            raise NetlistMismatchError(f"{self.name} decompressor produced {len(out_words)} "
                                       f"words, expected {len(order)}")
        result = np.zeros(len(order), dtype=np.uint8)
        result[order] = out_words.astype(np.uint8)
        return result

    # --- co-simulation -------------------------------------------------------------------
    def simulate_compress(self, values: np.ndarray, shape: Shape | None = None, *,
                          simulator: str = "compiled", **stalls: Any
                          ) -> tuple[DctEncoded, int]:
        if shape is None:
            raise ValueError(f"{self.name} needs the map shape (C, H, W)")
        streams, config = self.compressor_inputs(values, shape)
        res = self._run_harness("compressor", simulator, streams, config, stalls)
        out = {n: res.outputs[n].astype(np.uint64) for n in self.compressed_streams}
        return DctEncoded(out, {}, int(np.prod(shape)), check_shape(shape)), res.cycles

    def simulate_decompress(self, encoded: Encoded, *, simulator: str = "compiled",
                            **stalls: Any) -> tuple[np.ndarray, int]:
        res = self._run_harness("decompressor", simulator,
                                {n: encoded.streams[n] for n in self.compressed_streams},
                                self.decompressor_sideband(encoded), stalls)
        return self.decompressor_output(res.outputs["out"], encoded), res.cycles

    def cosimulate(self, values: np.ndarray, shape: Shape | None = None, *,
                   simulator: str = "compiled", **stalls: Any):
        """Both netlists against the golden encoder and the golden decoder, bit for bit."""
        from accelbench.families.codec import CoSimResult

        words = to_words(np.asarray(values).reshape(-1), 8)
        golden = self.encode(words, shape)
        got, c_cycles = self.simulate_compress(words, shape, simulator=simulator, **stalls)
        for stream in self.compressed_streams:
            _compare(f"{self.name} compressor stream {stream!r}", got.streams[stream],
                     golden.streams[stream], len(words))
        restored, d_cycles = self.simulate_decompress(golden, simulator=simulator, **stalls)
        _compare(f"{self.name} decompressor output", restored, self.decode(golden),
                 len(words))
        return CoSimResult(golden, c_cycles, d_cycles)

    def verify_shapes(self) -> list[Shape]:
        return [(1, 8, 8), (2, 13, 21), (3, 7, 7), (1, 1, 1), (2, 16, 9)]

    def verify(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        for shape in self.verify_shapes():
            n = int(np.prod(shape))
            for zero_fraction in (0.0, 0.7, 1.0):
                values = rng.integers(0, 256, n)
                values[rng.random(n) < zero_fraction] = 0
                for p in (1.0, 0.6):
                    self.cosimulate(values, shape, valid_probability=p, ready_probability=p,
                                    seed=int(rng.integers(1 << 31)))

    def example_simulation(self, *, netlist: str | None = None, vcd: str | None = None,
                           seed: int = 0, words: int = 64,
                           simulator: str = "compiled") -> dict[str, Any]:
        """A random half-sparse map of about ``words`` values through one netlist."""
        from accelbench.netlist.stream import StreamHarness

        netlist = netlist or "compressor"
        if netlist not in self.netlists():
            raise UnknownNameError(f"design {self.name!r} has no netlist {netlist!r}")
        side = max(1, int(np.ceil(np.sqrt(max(words, 1)))))
        shape = (1, side, -(-max(words, 1) // side))
        rng = np.random.default_rng(seed)
        n = int(np.prod(shape))
        values = rng.integers(0, 256, n)
        values[rng.random(n) < 0.5] = 0
        golden = self.encode(values, shape)
        harness = StreamHarness(self.netlists()[netlist].build,
                                simulator="fast" if vcd else simulator, trace=bool(vcd))
        if netlist == "compressor":
            streams, config = self.compressor_inputs(values, shape)
            res = harness.run(streams, config)
            for stream in self.compressed_streams:
                _compare(f"{self.name} compressor stream {stream!r}", res.outputs[stream],
                         golden.streams[stream], n)
        else:
            res = harness.run({s: golden.streams[s] for s in self.compressed_streams},
                              self.decompressor_sideband(golden))
            _compare(f"{self.name} decompressor output",
                     self.decompressor_output(res.outputs["out"], golden),
                     self.decode(golden), n)
        if vcd:
            harness.write_vcd(vcd)
        return {"design": self.name, "netlist": netlist, "shape": list(shape), "values": n,
                "cycles": res.cycles, "words_per_cycle": round(n / res.cycles, 4),
                "compressed_bits": golden.total_bits, "matches_golden_model": True,
                "vcd": vcd or ""}

    # --- evaluation ----------------------------------------------------------------------
    def accepts(self, workload: Workload) -> bool:
        return isinstance(workload, FeatureMapWorkload) and workload.format == self.fmt

    def evaluate(self, workload: Workload, options: EvaluationOptions) -> Evaluation:
        from accelbench.designs.dct.evaluate import evaluate_dct

        return evaluate_dct(self, workload, options)


class DctCmCodec(DctCodec):
    """The channel DCT codec (DCT-CM style, Shi et al. arXiv 2106.12850)."""

    summary = ("Channel DCT (DCT-CM style, Shi et al., arXiv 2106.12850): 1-D 8-point DCT "
               "along the channels of each pixel, quantisation, bitmap + non-zero values; "
               "lossy")
    transform = "channel"
    assumed_defaults = DEFAULTS_CM
    config_inputs = ("channels", "pixels")

    def build_compressor(self, ports: Ports) -> None:
        netlist_cm.dctcm_compressor(ports, self.model)

    def build_decompressor(self, ports: Ports) -> None:
        netlist_cm.dctcm_decompressor(ports, self.model)

    def config(self, shape: Shape) -> dict[str, int]:
        c, h, w = check_shape(shape)
        if h * w >= 1 << netlist_cm.PIXEL_BITS:
            raise ValueError(f"{self.name}: H*W must be below 2^{netlist_cm.PIXEL_BITS}")
        return {"channels": c, "pixels": h * w}

    def verify_shapes(self) -> list[Shape]:
        return [(8, 1, 8), (13, 5, 7), (3, 7, 7), (1, 1, 1), (16, 3, 4)]
