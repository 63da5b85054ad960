"""ZVC: zero-value compression (a 1-bit non-zero flag per word, plus non-zero words).

The stream form used here keeps flags and values in two streams, the way EBPC separates
its zero mask from its value code: ``mask`` holds the flags packed MSB-first into W-bit
words, ``values`` holds the non-zero words in order. Size: N + nnz*W bits, as in the
EBPC paper's ZVC baseline.
"""

from accelbench.designs.zvc.design import ZvcCodec

__all__ = ["ZvcCodec"]
