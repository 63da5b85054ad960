"""Registers the ZVC codec at 8- and 16-bit words."""

from accelbench import hookimpl
from accelbench.designs.zvc import ZvcCodec


@hookimpl
def accelbench_designs():
    return [ZvcCodec(word_bits=8), ZvcCodec(word_bits=16)]
