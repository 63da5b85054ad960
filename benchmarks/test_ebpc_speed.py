"""Encoding throughput of the EBPC golden model (words per second), pytest-benchmark.

Cheap (about a second per case). Run alone with
``pytest benchmarks/test_ebpc_speed.py --benchmark-only``; or run this file as a script
(``python benchmarks/test_ebpc_speed.py``) to print the figures. The figures land in the
report's measurement tables; timings vary between runs on a shared machine.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from accelbench.designs.ebpc import golden

WORDS = 1_000_000
TITLE = "EBPC golden-model encoding speed"
NOTES = ["golden.encode (both streams, packed words): 1 M uniform random words, and all layers "
         "of one image of a real dataset; best of 3 rounds on a shared 2-core machine: "
         "compare as a ratio. Dense uniform data is the worst case."]
CASES = [(8, 8, 0.0), (8, 8, 0.5), (8, 8, 0.9), (16, 16, 0.0), (16, 16, 0.5), (16, 8, 0.5)]


def sample(word_bits: int, zero_fraction: float, n: int = WORDS) -> np.ndarray:
    rng = np.random.default_rng(0)
    values = rng.integers(-(1 << (word_bits - 1)), 1 << (word_bits - 1), n)
    values[rng.random(n) < zero_fraction] = 0
    return values


@pytest.mark.parametrize(("word_bits", "block_size", "zero_fraction"), CASES)
def test_ebpc_encode_speed(word_bits, block_size, zero_fraction, benchmark):
    values = sample(word_bits, zero_fraction)
    golden.encode(values[:1000], word_bits, block_size)  # tables built once
    benchmark.pedantic(golden.encode, args=(values, word_bits, block_size), rounds=3,
                       iterations=1, warmup_rounds=0)
    seconds = benchmark.stats.stats.min
    benchmark.extra_info["accelbench_measurement"] = {
        "table": "ebpc_encode_speed",
        "title": TITLE,
        "notes": NOTES,
        "row": {"W/B": f"{word_bits}/{block_size}", "data": "uniform random",
                "zero fraction": zero_fraction,
                "words": WORDS, "seconds": round(seconds, 4),
                "Mwords per second": round(WORDS / seconds / 1e6, 2)},
    }


def real_words() -> tuple[str, np.ndarray] | None:
    """All layers of image 0 of the first real dataset in fixed8 (None without one)."""
    from accelbench.registry import get_registry

    for source in get_registry().dataset_sources.values():
        if not source.synthetic and source.describe().get("available", True):
            fm = source.load("fixed8")
            return source.name, np.concatenate([layer.words[0] for layer in fm.layers])
    return None


def test_ebpc_encode_speed_real(benchmark):
    found = real_words()
    if found is None:
        pytest.skip("no real dataset registered")
    name, words = found
    values = words.astype(np.int64)
    benchmark.pedantic(golden.encode, args=(values, 8, 8), rounds=3, iterations=1,
                       warmup_rounds=0)
    seconds = benchmark.stats.stats.min
    benchmark.extra_info["accelbench_measurement"] = {
        "table": "ebpc_encode_speed",
        "title": TITLE,
        "notes": NOTES,
        "row": {"W/B": "8/8", "zero fraction": round(float(np.mean(values == 0)), 3),
                "words": len(values), "seconds": round(seconds, 4),
                "Mwords per second": round(len(values) / seconds / 1e6, 2),
                "data": f"{name}/fixed8, image 0, all layers"},
    }


def main() -> None:
    for w, b, zf in CASES:
        values = sample(w, zf)
        golden.encode(values[:1000], w, b)
        best = min(_timed(golden.encode, values, w, b) for _ in range(3))
        print(f"W={w:2d} B={b:2d} zeros={zf:.1f}: {WORDS / best / 1e6:6.2f} M words/s "
              f"({best * 1000:.0f} ms for {WORDS} words)")
    found = real_words()
    if found is not None:
        name, words = found
        values = words.astype(np.int64)
        best = min(_timed(golden.encode, values, 8, 8) for _ in range(3))
        print(f"W= 8 B= 8 {name}/fixed8 image 0 ({np.mean(values == 0):.0%} zeros): "
              f"{len(values) / best / 1e6:6.2f} M words/s ({best * 1000:.0f} ms for "
              f"{len(values)} words)")


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
