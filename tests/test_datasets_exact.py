"""The datasets' compute path gives the same bits whatever the summation order, BLAS
kernel or thread count: certified float32 results (accelbench.datasets.exact) checked
against exact sums, on adversarial inputs, and whole dataset builds under different
OpenBLAS kernels and thread counts in fresh processes."""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbench.datasets import exact, linear_ops

SMALL = "efficientnet-lite0?limit=1&formats=fixed8,float16,uint8"


def _f32_exact(terms: np.ndarray) -> np.ndarray:
    """The canonical value: float32(round64(exact sum)) of each row."""
    return np.array([np.float32(math.fsum(row)) for row in terms.tolist()], np.float32)


def _midpoint_rows(rng: np.random.Generator, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of float32 terms whose exact sum is a float32 rounding midpoint (a tie), hidden
    between huge cancelling terms so that the order of float64 additions decides what a
    naive sum gets; the expected result is the tie rounded to even."""
    a = np.zeros((rows, 8), np.float32)
    expected = np.zeros(rows, np.float32)
    for i in range(rows):
        base = np.float32(rng.uniform(1.0, 2.0))
        half_ulp = (np.float64(np.nextafter(base, np.float32(3))) - np.float64(base)) / 2
        big = np.float32(2.0 ** rng.integers(30, 60))
        a[i] = [big, base, np.float32(half_ulp), -big, big / 2, -big / 4, -big / 4, 0.0]
        expected[i] = np.float32(np.float64(base) + half_ulp)  # ties to even
    return a, expected


def test_certified_matmul_resolves_ties_that_summation_order_decides():
    rng = np.random.default_rng(7)
    a, expected = _midpoint_rows(rng, 64)
    ones = np.ones((8, 1), np.float32)
    results, naive = set(), set()
    for seed in range(6):  # permuting the summands changes any float64 summation order
        perm = np.random.default_rng(seed).permutation(8)
        out = linear_ops.matmul(a[:, perm], ones[perm])[:, 0]
        np.testing.assert_array_equal(out, expected)
        results.add(out.tobytes())
        naive.add(np.array([np.float32(sum(float(v) for v in row))
                            for row in a[:, perm].astype(np.float64)]).tobytes())
    assert len(results) == 1 and len(naive) > 1  # the naive sums do depend on the order
    np.testing.assert_array_equal(expected, _f32_exact(a.astype(np.float64)))


def _brute_conv(x, w, b, stride, pads, groups):
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pads[0], pads[1]), (pads[2], pads[3])))
    ho = (h + pads[0] + pads[1] - kh) // stride + 1
    wo = (wd + pads[2] + pads[3] - kw) // stride + 1
    per = o // groups
    out = np.zeros((n, o, ho, wo), np.float32)
    for i in range(n):
        for oc in range(o):
            g = oc // per
            for y in range(ho):
                for xx in range(wo):
                    patch = xp[i, g * cg:(g + 1) * cg, y * stride:y * stride + kh,
                               xx * stride:xx * stride + kw]
                    terms = [*(patch * w[oc].astype(np.float64)).ravel().tolist(), float(b[oc])]
                    out[i, oc, y, xx] = np.float32(math.fsum(terms))
    return out


@pytest.mark.parametrize("c, o, k, stride, groups, pads", [
    (3, 8, 3, 2, 1, (0, 1, 0, 1)),   # stem-like, TensorFlow SAME
    (8, 8, 3, 1, 8, (1, 1, 1, 1)),   # depthwise
    (6, 6, 5, 2, 6, (1, 2, 1, 2)),   # depthwise 5x5, asymmetric
    (8, 6, 1, 1, 2, (0, 0, 0, 0)),   # grouped pointwise
    (4, 5, 1, 2, 1, (0, 0, 0, 0)),   # strided pointwise (a projection shortcut)
])
def test_convolution_is_the_correctly_rounded_exact_sum(c, o, k, stride, groups, pads):
    rng = np.random.default_rng(c * 100 + k)
    # few-bit inputs (like (x - 127) / 128 pixels) make many sums exact float32 midpoints
    x = (rng.integers(-8, 9, (2, c, 9, 9)) / 8).astype(np.float32)
    w = rng.standard_normal((o, c // groups, k, k)).astype(np.float32)
    b = rng.standard_normal(o).astype(np.float32)
    before = dict(exact.STATS)
    mine = linear_ops.conv2d(x, w, b, (stride, stride), pads, (1, 1), groups)
    np.testing.assert_array_equal(mine.view(np.uint32),
                                  _brute_conv(x, w, b, stride, pads, groups).view(np.uint32))
    assert exact.STATS["certified"] > before["certified"]


def test_pools_and_means_are_correctly_rounded():
    rng = np.random.default_rng(3)
    x = (rng.integers(-50, 50, (1, 2, 7, 7)) / 16).astype(np.float32)
    mean = linear_ops.axis_means(x, (2, 3), keepdims=False)
    expected = np.array([[np.float32(math.fsum(x[0, c].astype(np.float64).ravel()) / 49)
                          for c in range(2)]])
    np.testing.assert_array_equal(mean, expected)
    a = rng.standard_normal((5, 300)).astype(np.float32)
    b = rng.standard_normal((300, 7)).astype(np.float32)
    terms = a[:, None, :].astype(np.float64) * b.T[None, :, :]
    np.testing.assert_array_equal(linear_ops.matmul(a, b),
                                  _f32_exact(terms.reshape(35, 300)).reshape(5, 7))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False, width=32), min_size=1, max_size=40),
       st.randoms(use_true_random=False))
def test_compensated_sums_bound_their_error(values, random):
    terms = np.array([values], np.float64)
    v, bound = exact.compensated_sums(terms)
    exact_sum = math.fsum(values)
    assert abs(float(v[0]) - exact_sum) <= float(bound[0]) + 0.0
    shuffled = list(values)
    random.shuffle(shuffled)
    assert exact.resolve(np.array([shuffled]))[0] == exact.resolve(terms)[0] == \
        np.float32(exact_sum)


def test_exp_and_log_are_accurate():
    x = np.concatenate([np.linspace(-700, 700, 20001),
                        np.random.default_rng(0).standard_normal(2000) * 5])
    ref = np.array([math.exp(v) for v in x])
    assert np.max(np.abs(exact.exp(x) - ref) / ref) < 1e-15
    y = np.exp(np.linspace(-700, 700, 20001))
    ref = np.array([math.log(v) for v in y])
    assert np.max(np.abs(exact.log(y) - ref)) < 1e-13
    assert exact.exp(np.array([0.0]))[0] == 1.0 and exact.log(np.array([1.0]))[0] == 0.0
    with pytest.raises(ValueError, match="positive"):
        exact.log(np.array([0.0]))


# -- whole builds under other kernels and thread counts ---------------------------------
_BUILD = """
import hashlib, json, sys
import numpy as np
from accelbench.datasets import exact, get_source, linear_ops
rng = np.random.default_rng(0)  # a long float64 product: the kernels block K differently
a = rng.standard_normal((300, 2304)).astype(np.float32).astype(np.float64)
b = rng.standard_normal((2304, 400)).astype(np.float32).astype(np.float64)
raw = hashlib.sha256((a @ b).tobytes()).hexdigest()
sums = hashlib.sha256()  # every float64 sum the BLAS kernel returned, before certification
certify = exact.certified_float32
def spy(z, *args, **kwargs):
    sums.update(z.tobytes())
    return certify(z, *args, **kwargs)
linear_ops.certified_float32 = spy
report = get_source(sys.argv[1]).build(cache_dir=sys.argv[2])
from threadpoolctl import threadpool_info
from accelbench.datasets.blas import limited_blas
with limited_blas():
    threads = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
print(json.dumps({"manifest": report.manifest_sha256, "float64_sums": sums.hexdigest(),
                  "raw_float64": raw, "stats": exact.STATS, "threads": threads}))
"""


def _openblas_numpy() -> bool:
    config = np.show_config(mode="dicts") if hasattr(np, "show_config") else {}
    blas = config.get("Build Dependencies", {}).get("blas", {})
    return "openblas" in str(blas.get("name", "")).lower() and \
        "DYNAMIC_ARCH" in str(blas.get("openblas configuration", ""))


def _build_in_subprocess(name: str, cache, core: str, threads: int) -> dict:
    env = {**os.environ, "OPENBLAS_CORETYPE": core, "OPENBLAS_NUM_THREADS": str(threads),
           "ACCELBENCH_BLAS_THREADS": str(threads), "OPENBLAS_VERBOSE": "2",
           "ACCELBENCH_CACHE": str(cache)}
    proc = subprocess.run([sys.executable, "-c", _BUILD, name, str(cache / "datasets")],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert f"Core: {core}" in proc.stderr  # OpenBLAS confirms the forced kernel
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"),
                    reason="forces x86-64 OpenBLAS kernels (Haswell, Nehalem)")
@pytest.mark.skipif(not _openblas_numpy(), reason="numpy is not linked to a DYNAMIC_ARCH "
                                                  "OpenBLAS, whose kernels can be forced")
@pytest.mark.parametrize("name", [SMALL, "resnet50-1by2?limit=1&formats=fixed8,float16,uint8"])
def test_builds_are_identical_across_blas_kernels_and_threads(name, tmp_path):
    runs = {(core, threads): _build_in_subprocess(name, tmp_path / f"{core}{threads}", core,
                                                  threads)
            for core, threads in (("Haswell", 1), ("Haswell", 2), ("Nehalem", 2))}
    # the kernels really add differently (other float64 sums; FMA alone would not show,
    # since products of float32 numbers are exact in float64, but blocking does) ...
    assert runs["Haswell", 2]["raw_float64"] != runs["Nehalem", 2]["raw_float64"]
    if name == SMALL:  # ... also in this very build
        assert runs["Haswell", 2]["float64_sums"] != runs["Nehalem", 2]["float64_sums"]
    # ... and the datasets are the same, bit for bit
    assert len({r["manifest"] for r in runs.values()}) == 1
    assert all(r["stats"]["certified"] > 0 for r in runs.values())
    assert {key: r["threads"] for key, r in runs.items()} == {
        key: [key[1]] for key in runs}  # the builds really ran with 1 and 2 BLAS threads


def test_manifest_digest_is_of_the_file(tmp_path):
    from accelbench.datasets import get_source

    report = get_source("efficientnet-lite0?limit=1&formats=fixed8").build(cache_dir=tmp_path)
    path = Path(report.directory) / "manifest.json"
    assert report.manifest_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


_PREPROCESS = """
import hashlib
from accelbench.datasets.images import BUNDLED_PHOTOS, PRESETS, bundled_images
digest = hashlib.sha256()
for ref in bundled_images(sorted(BUNDLED_PHOTOS)):  # PNG and JPEG photographs
    for preset in ("efficientnet", "open-nsfw"):  # bicubic; bilinear + JPEG round trip
        digest.update(PRESETS[preset](ref).tobytes())
print(digest.hexdigest())
"""


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"),
                    reason="forces libjpeg-turbo's x86-64 SIMD paths")
def test_image_decoding_and_resampling_ignore_the_simd_path():
    """libjpeg-turbo (inside Pillow) picks SSE2 or AVX2 code at run time; its integer
    DCT, colour conversion and resampling give the same bytes on every path (JSIMD_FORCE*
    select them). Pillow's own resampling has no SIMD paths (integer arithmetic)."""
    digests = set()
    for env in ({"JSIMD_FORCENONE": "1"}, {"JSIMD_FORCESSE2": "1"}, {}):
        proc = subprocess.run([sys.executable, "-c", _PREPROCESS],
                              env={**os.environ, **env}, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
        digests.add(proc.stdout.strip())
    assert len(digests) == 1
