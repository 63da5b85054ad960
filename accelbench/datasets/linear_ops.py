"""Convolution, matrix product and pooling in float64 with certified float32 results.

Each function computes its sums with numpy/BLAS in float64 (fast, in whatever order the
machine likes) and hands them to :func:`accelbench.datasets.exact.certified_float32`
together with a bound on the sum of the terms' magnitudes, so the float32 results are the
machine-independent ``float32(round64(exact sum))`` (module docstring of ``exact``).
Inputs and weights are float32 arrays; outputs are float32. Work is split into chunks of
at most :data:`CHUNK_VALUES` float64 values so memory stays bounded on large inputs.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from accelbench.datasets.exact import certified_float32

#: float64 values per im2col chunk (64 MiB)
CHUNK_VALUES = 1 << 23

Pads = tuple[int, int, int, int]  # top, bottom, left, right


def _f64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def output_size(size: int, kernel: int, stride: int, dilation: int, before: int,
                after: int, ceil_mode: bool = False) -> int:
    """Output length of a convolution or pooling window along one axis (ONNX rules; with
    ``ceil_mode`` the last window must start inside the input or the leading padding)."""
    span = dilation * (kernel - 1) + 1
    room = size + before + after - span
    if room < 0:
        return 0
    if not ceil_mode:
        return room // stride + 1
    out = -(-room // stride) + 1
    if (out - 1) * stride >= size + before:
        out -= 1
    return out


def matmul(a: np.ndarray, b: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """``a @ b (+ bias)`` for 2-D float32 ``a`` (M x K) and ``b`` (K x N); ``bias`` is
    broadcastable to M x N."""
    a64, b64 = _f64(a), _f64(b)
    z = a64 @ b64
    magnitude = np.sqrt(np.einsum("ij,ij->i", a64, a64))[:, None] * \
        np.sqrt(np.einsum("ij,ij->j", b64, b64))[None, :]
    terms = a.shape[1]
    bias64 = None
    if bias is not None:
        bias64 = np.broadcast_to(_f64(bias), z.shape)
        z = z + bias64
        magnitude = magnitude + np.abs(bias64)
        terms += 1
    n = z.shape[1]

    def terms_at(flat: np.ndarray) -> np.ndarray:
        rows, cols = flat // n, flat % n
        products = a64[rows] * b64[:, cols].T
        return products if bias64 is None else _with_column(products, bias64[rows, cols])

    return certified_float32(z, magnitude, terms, terms_at)


def _with_column(terms: np.ndarray, column: np.ndarray) -> np.ndarray:
    return np.concatenate([terms, column[:, None]], axis=1)


def pad_nchw(x: np.ndarray, pads: Pads, value: float = 0.0) -> np.ndarray:
    top, bottom, left, right = pads
    if not any(pads):
        return x
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)


def conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
           stride: tuple[int, int], pads: Pads, dilation: tuple[int, int] = (1, 1),
           groups: int = 1) -> np.ndarray:
    """ONNX Conv on N x C x H x W float32 input; ``pads`` = (top, bottom, left, right)."""
    n, c, h, w = x.shape
    out_ch, c_per_group, kh, kw = weight.shape
    ho = output_size(h, kh, stride[0], dilation[0], pads[0], pads[1])
    wo = output_size(w, kw, stride[1], dilation[1], pads[2], pads[3])
    if c_per_group * groups != c or out_ch % groups:
        raise ValueError(f"Conv: {c} input channels do not fit weight {weight.shape} "
                         f"with {groups} groups")
    out = np.empty((n, out_ch, ho, wo), np.float32)
    if ho == 0 or wo == 0:
        return out
    if groups == c == out_ch and c_per_group == 1:
        for i in range(n):
            out[i] = _depthwise(x[i], weight, bias, stride, pads, dilation, (ho, wo))
        return out
    per_group = out_ch // groups
    for g in range(groups):
        ws = slice(g * per_group, (g + 1) * per_group)
        cs = slice(g * c_per_group, (g + 1) * c_per_group)
        _grouped(x[:, cs], weight[ws], None if bias is None else bias[ws], stride, pads,
                 dilation, out[:, ws])
    return out


def _windows(x64: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
             dilation: tuple[int, int], out_hw: tuple[int, int]) -> np.ndarray:
    """N x C x Ho x Wo x kh x kw view of the (padded) input's receptive fields."""
    kh, kw = kernel
    span_h, span_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    view = sliding_window_view(x64, (span_h, span_w), axis=(2, 3))
    view = view[:, :, ::stride[0], ::stride[1], ::dilation[0], ::dilation[1]]
    return view[:, :, :out_hw[0], :out_hw[1]]


def _grouped(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
             stride: tuple[int, int], pads: Pads, dilation: tuple[int, int],
             out: np.ndarray) -> None:
    """One group of a convolution as im2col matrix products, image by image and in
    chunks of output rows."""
    out_ch, cg, kh, kw = weight.shape
    ho, wo = out.shape[2:]
    k = cg * kh * kw
    w64 = _f64(weight).reshape(out_ch, k)
    w_norm = np.sqrt(np.einsum("ok,ok->o", w64, w64))[:, None]
    b64 = None if bias is None else _f64(bias)[:, None]
    terms = k + (bias is not None)
    pointwise = (kh, kw, stride, dilation) == (1, 1, (1, 1), (1, 1)) and not any(pads)
    rows = max(1, min(ho, CHUNK_VALUES // max(k * wo, 1)))
    for n in range(x.shape[0]):
        image = _f64(x[n:n + 1])
        windows = None if pointwise else _windows(pad_nchw(image, pads), (kh, kw), stride,
                                                  dilation, (ho, wo))[0]
        for y0 in range(0, ho, rows):
            y1 = min(ho, y0 + rows)
            if windows is None:
                cols = image[0, :, y0:y1].reshape(k, -1)
            else:  # C x rows x Wo x kh x kw -> (C kh kw) x (rows Wo)
                cols = np.ascontiguousarray(windows[:, y0:y1].transpose(0, 3, 4, 1, 2)) \
                    .reshape(k, -1)
            z = w64 @ cols
            magnitude = w_norm * np.sqrt(np.einsum("kp,kp->p", cols, cols))[None, :]
            if b64 is not None:
                z += b64
                magnitude += np.abs(b64)
            p = z.shape[1]

            def terms_at(flat: np.ndarray, cols: np.ndarray = cols, p: int = p) -> np.ndarray:
                o, q = flat // p, flat % p
                products = w64[o] * cols[:, q].T
                return products if b64 is None else _with_column(products, b64[o, 0])

            out[n, :, y0:y1] = certified_float32(z, magnitude, terms, terms_at) \
                .reshape(out_ch, y1 - y0, wo)


def _depthwise(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
               stride: tuple[int, int], pads: Pads, dilation: tuple[int, int],
               out_hw: tuple[int, int]) -> np.ndarray:
    """One image of a depthwise convolution (C x H x W) as a loop over the kernel taps.

    The input is split into stride phases first, so every tap reads a unit-stride block;
    the magnitude bound is ||w_c||_1 times the largest |x| in the window (separable max).
    """
    _, _, kh, kw = weight.shape
    ho, wo = out_hw
    sh, sw = stride
    xp = pad_nchw(_f64(x)[None], pads)[0]
    w64 = _f64(weight[:, 0])
    z = np.zeros((x.shape[0], ho, wo))
    term = np.empty_like(z)
    phases: dict[tuple[int, int], np.ndarray] = {}
    taps = []
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * dilation[0], j * dilation[1]
            key = (r0 % sh, c0 % sw)
            if key not in phases:
                phases[key] = np.ascontiguousarray(xp[:, key[0]::sh, key[1]::sw])
            block = phases[key][:, r0 // sh:r0 // sh + ho, c0 // sw:c0 // sw + wo]
            np.multiply(w64[:, i, j][:, None, None], block, out=term)
            z += term
            taps.append((i, j, r0, c0))
    ax = np.abs(pad_nchw(np.asarray(x, np.float32)[None], pads)[0])
    rows = ax[:, 0:sh * (ho - 1) + 1:sh].copy()
    for i in range(1, kh):
        r0 = i * dilation[0]
        np.maximum(rows, ax[:, r0:r0 + sh * (ho - 1) + 1:sh], out=rows)
    window_max = rows[:, :, 0:sw * (wo - 1) + 1:sw].copy()
    for j in range(1, kw):
        c0 = j * dilation[1]
        np.maximum(window_max, rows[:, :, c0:c0 + sw * (wo - 1) + 1:sw], out=window_max)
    magnitude = np.abs(w64).sum(axis=(1, 2))[:, None, None] * window_max
    b64 = None if bias is None else _f64(bias)
    if b64 is not None:
        z += b64[:, None, None]
        magnitude += np.abs(b64)[:, None, None]

    def terms_at(flat: np.ndarray) -> np.ndarray:
        ch, rem = np.divmod(flat, ho * wo)
        y, xcol = np.divmod(rem, wo)
        products = np.stack([w64[ch, i, j] * xp[ch, y * sh + r0, xcol * sw + c0]
                             for i, j, r0, c0 in taps], axis=1)
        return products if b64 is None else _with_column(products, b64[ch])

    return certified_float32(z, magnitude, kh * kw + (bias is not None), terms_at)


def window_sums(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
                pads: Pads, dilation: tuple[int, int], out_hw: tuple[int, int],
                divisor: np.ndarray | float) -> np.ndarray:
    """Sums over pooling windows (zero padding) divided by ``divisor``: AveragePool."""
    windows = _windows(pad_nchw(_f64(x), pads), kernel, stride, dilation, out_hw)
    z = windows.sum(axis=(-2, -1))
    magnitude = np.abs(windows).sum(axis=(-2, -1))

    def terms_at(flat: np.ndarray) -> np.ndarray:
        return windows[np.unravel_index(flat, z.shape)].reshape(len(flat), -1)

    return certified_float32(z, magnitude, kernel[0] * kernel[1], terms_at,
                             np.broadcast_to(divisor, z.shape))


def axis_means(x: np.ndarray, axes: tuple[int, ...], keepdims: bool,
               mean: bool = True) -> np.ndarray:
    """Sum (or mean) over ``axes``: GlobalAveragePool, ReduceMean, ReduceSum."""
    x64 = _f64(x)
    keep = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x64, keep + list(axes))
    out_shape = moved.shape[:len(keep)]
    count = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    flat = moved.reshape(int(np.prod(out_shape, dtype=np.int64)), count)
    z = flat.sum(axis=1)
    magnitude = np.abs(flat).sum(axis=1)
    result = certified_float32(z, magnitude, max(count, 1), lambda idx: flat[idx],
                               float(count) if mean else None)
    result = result.reshape(out_shape)
    if keepdims:
        for a in sorted(axes):
            result = np.expand_dims(result, a)
    return result


def window_max(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
               pads: Pads, dilation: tuple[int, int], out_hw: tuple[int, int]) -> np.ndarray:
    """MaxPool (exact: a maximum needs no rounding; padding is -inf); zeros come out as
    +0.0 (which of two signed zeros a SIMD maximum returns is not defined)."""
    windows = _windows(pad_nchw(x, pads, -np.inf), kernel, stride, dilation, out_hw)
    return (windows.max(axis=(-2, -1)) + np.float32(0.0)).astype(np.float32)
