"""The spectral convolution core: FFT unit -> sparse Hadamard engine -> inverse FFT unit.

One block wires the three units with valid/ready streams (no other logic): input words
are tile rows (for each tile, for each channel, the 8 rows of its zero-padded 8 x 8
input tile), output words are rows of output blocks (for each tile, for each filter group,
for each lane, the 8 rows of its 8 x 8 block, before overlap-and-add). The kernel memories
are loaded through the engine's ``kw_*`` port; ``channels`` / ``groups`` configure the
layer. The overlap-and-add of the blocks into the output map is the output buffer's
job (an adder per word on its write port), outside this netlist.
"""

from __future__ import annotations

from accelbench.designs.spectral.engine import EngineConfig, config_ports, hadamard_unit
from accelbench.designs.spectral.fft import (
    acc_word_bits,
    fft2d_unit,
    ifft2d_unit,
    out_word_bits,
    pixel_word_bits,
    spec_word_bits,
)
from accelbench.designs.spectral.hwlib import internal_stream
from accelbench.netlist.ports import Ports


def core_netlist(ports: Ports, cfg: EngineConfig | None = None) -> None:
    """Streams ``tile`` -> ``block``; the engine's configuration and kernel ports; outputs
    ``idle``, ``running``, ``pass_end``."""
    cfg = cfg or EngineConfig()
    fp = cfg.fp
    tiles = ports.stream_in("tile", pixel_word_bits(fp))
    blocks = ports.stream_out("block", out_word_bits(fp))
    conf = config_ports(ports, cfg)
    spec_out, spec_in = internal_stream(spec_word_bits(fp), "core_spec")
    acc_out, acc_in = internal_stream(acc_word_bits(fp), "core_acc")
    fft = fft2d_unit(tiles, spec_out, fp)
    engine = hadamard_unit(spec_in, acc_out, cfg, conf.channels_m1, conf.groups_m1,
                           conf.kernel_write)
    ifft = ifft2d_unit(acc_in, blocks, fp)
    for name, wire in (("idle", fft.idle & engine.idle & ifft.idle),
                       ("running", engine.running), ("pass_end", engine.pass_end)):
        port = ports.output(name, 1)
        port <<= wire
