"""BPC alone: EBPC's bit-plane coder applied to every word, zeros included (the paper's
BPC baseline, Kim et al.'s bit-plane compression with EBPC's hardware symbol table).

One stream ``bpc``: the N words padded with zero words to whole blocks of B, each block
coded as in EBPC (base, then one symbol per delta bit plane, LSB plane first), packed
MSB-first into W-bit words. ``golden.paper_bits`` counts the paper's evaluation size.
"""
