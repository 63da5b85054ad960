"""EBPC: Extended Bit-Plane Compression (Cavigelli, Rutishauser, Benini, JETCAS 2019).

``golden`` is the bit-exact numpy model of the authors' hardware variant, ``netlist``
the streaming compressor/decompressor netlists and their simulation drivers, and
``design`` the accelbench codec registered by ``plugins/ebpc.py``.
"""
