"""Registers the EBPC paper's codec baselines: zero-RLE and BPC alone (ZVC is
plugins/zvc.py), at 8- and 16-bit words, BPC with the paper's block size 8."""

from accelbench import hookimpl
from accelbench.designs.bpc.design import BpcCodec
from accelbench.designs.zero_rle.design import ZeroRleCodec


@hookimpl
def accelbench_designs():
    return [ZeroRleCodec(8), ZeroRleCodec(16), BpcCodec(8, 8), BpcCodec(16, 8)]
