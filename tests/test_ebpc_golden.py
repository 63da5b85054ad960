"""EBPC golden model: the spec's worked example, a per-value transcription of the spec
as an independent reference, round trips, input validation and the paper-method sizes."""

import numpy as np
import pytest
from ebpc_spec import (
    paper_reference_block,
    signed_words,
    spec_bpc,
    spec_words,
    spec_znz,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.bits import pack_bits
from accelbench.designs.ebpc import golden, paper
from accelbench.designs.ebpc.bitcode import code_bits, pack_codes

SHAPES = [(8, 8), (16, 8), (16, 16)]


# --- the spec's worked example -------------------------------------------------------


def test_worked_example_of_the_spec():
    s = golden.encode(np.array([0, 0, 5, 0, 7, 7, 7, 0, 0, 0, 9]), word_bits=8, block_size=8)
    assert s.znz_words.tolist() == [0x0C, 0x1C, 0x50] and s.znz_bits == 20
    assert s.bpc_bits == 51
    expected = ("00000101" "00011100" "11001000" "11001000" "00001" "00011100" "001010")
    assert s.bpc_words.tolist() == spec_words(expected, 8)
    assert s.znz_words.dtype == np.uint8 and s.bpc_words.dtype == np.uint8
    assert golden.decode(s, 11, word_bits=8, block_size=8).tolist() == [0, 0, 5, 0, 7, 7, 7,
                                                                         0, 0, 0, 9]


@pytest.mark.parametrize(("w", "b"), SHAPES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_golden_equals_the_spec_transcription_and_round_trips(w, b, data):
    values = data.draw(signed_words(w))
    s = golden.encode(values, word_bits=w, block_size=b)
    znz_ref, bpc_ref = spec_znz(values), spec_bpc(values, w, b)
    assert s.znz_bits == len(znz_ref) and s.bpc_bits == len(bpc_ref)
    assert s.znz_words.tolist() == spec_words(znz_ref, w)
    assert s.bpc_words.tolist() == spec_words(bpc_ref, w)
    assert s.znz_words.dtype == s.bpc_words.dtype == np.dtype(f"uint{w}")
    assert np.array_equal(golden.decode(s, len(values), word_bits=w, block_size=b), values)


@pytest.mark.parametrize("w", [8, 16])
@settings(max_examples=40, deadline=None)
@given(codes=st.lists(st.integers(0, 17).flatmap(
    lambda n: st.tuples(st.integers(0, (1 << n) - 1), st.just(n))), max_size=200))
def test_pack_codes_equals_bit_packing(w, codes):
    codes = [(v, n) for v, n in codes if n <= w + 1]
    values = np.array([v for v, _ in codes], dtype=np.int64)
    lengths = np.array([n for _, n in codes], dtype=np.int64)
    words, total = pack_codes(values, lengths, w)
    bits = code_bits(values, lengths)
    assert total == len(bits) == int(lengths.sum())
    assert words.tolist() == pack_bits(bits, w).tolist()


def test_zero_run_boundaries_and_empty_bpc():
    for n in (1, 15, 16, 17, 31, 32, 33):
        zeros = np.zeros(n, dtype=np.int64)
        s = golden.encode(zeros)
        assert s.bpc_words.size == 0 and s.bpc_bits == 0
        assert s.znz_words.tolist() == spec_words(spec_znz(zeros), 8)
        assert golden.decode(s, n).tolist() == [0] * n
        tail = np.concatenate([zeros, [1]])
        assert golden.encode(tail).znz_words.tolist() == spec_words(spec_znz(tail), 8)


def test_extreme_deltas_use_the_ninth_plane():
    values = np.array([127, -128, 127, -128, 1, -1, 127, -128], dtype=np.int64)
    s = golden.encode(values)
    assert s.bpc_words.tolist() == spec_words(spec_bpc(values, 8, 8), 8)
    assert golden.decode(s, 8).tolist() == values.tolist()


@pytest.mark.parametrize("bad", [
    np.array([128]), np.array([-129]), np.zeros((2, 2), int), np.array([1.5]),
    np.array([], dtype=int), np.array([True, False]), np.array([2**63], dtype=np.uint64),
])
def test_bad_input_is_a_clear_value_error(bad):
    with pytest.raises(ValueError, match=r"range|1-D|integer|words"):
        golden.encode(bad, word_bits=8, block_size=8)


@pytest.mark.parametrize(("w", "b"), [(8, 16), (12, 8), (32, 8), (16, 4)])
def test_unsupported_shapes(w, b):
    with pytest.raises(ValueError, match="supports"):
        golden.encode(np.array([1]), word_bits=w, block_size=b)


def test_decode_accepts_plain_containers():
    s = golden.encode(np.array([0, 3, 0, 0, -2]))
    plain = {"znz_words": s.znz_words.tolist(), "bpc_words": s.bpc_words.tolist()}
    assert golden.decode(plain, 5).tolist() == [0, 3, 0, 0, -2]
    zeros = golden.encode(np.zeros(4, int))
    assert golden.decode({"znz": zeros.znz_words, "bpc": []}, 4).tolist() == [0] * 4


def test_unsigned_dtypes_in_range_are_accepted():
    s = golden.encode(np.array([1, 0, 127], dtype=np.uint8))
    assert golden.decode(s, 3).tolist() == [1, 0, 127]


# --- the paper's evaluation-code sizes -----------------------------------------------
@pytest.mark.parametrize("fmt", ["fixed8", "fixed12", "fixed16", "float16"])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_paper_sizes_equal_a_literal_count(fmt, data):
    conv = paper.CONVENTIONS[fmt]
    w = 8 if fmt == "fixed8" else 16
    values = data.draw(signed_words(w, max_size=70))
    if fmt == "fixed12":
        values = np.clip(values, -2048, 2047)
    held = paper._held(values, conv)
    nz = held[~paper.is_zero(held, conv)]
    expected_bpc = sum(paper_reference_block([int(v) for v in nz[i:i + 8]], conv)
                       for i in range(0, len(nz), 8))
    zero = paper.is_zero(held, conv)
    runs, run = [], 0
    for z in zero:
        if z:
            run += 1
        else:
            if run:
                runs.append(run)
            run = 0
    expected_znz = int((~zero).sum()) + sum(((r - 1) // 16 + 1) * 5 for r in runs)
    assert paper.bpc_bits(nz, conv) == expected_bpc
    assert paper.ebpc_bits(values, conv) == expected_bpc + expected_znz
    assert golden.paper_bits(values, w, fmt) == expected_bpc + expected_znz


def test_paper_zero_rle_size():
    conv = paper.CONVENTIONS["fixed8"]
    values = np.array([0] * 16 + [3] + [0] * 17 + [0] * 3)  # runs: 16, then 20 (16 + 4)
    assert paper.zero_rle_bits(values, conv) == 6 + 9 + 6 + 5
    assert paper.uncompressed_bits(10, paper.CONVENTIONS["fixed12"]) == 120
