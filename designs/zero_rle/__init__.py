"""Zero-RLE: the zero-run-length baseline of the EBPC paper, as a streaming hardware code.

Non-zero word -> ``1`` + the W-bit word; a run of L zeros (1..16) -> ``0`` + (L-1) in
4 bits, closed by a non-zero word, its 16th zero or the end of the stream; one stream
``rle`` packed MSB-first into W-bit words. The paper's evaluation code writes the run's
count itself (a 16-zero chunk then takes a 5-bit count); see ``golden.paper_bits``.
"""
