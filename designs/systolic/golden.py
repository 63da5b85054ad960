"""Golden models: im2col lowering, int8 convolution as a matrix product, and the tiling
the array runs (pixels on rows, filters on columns, the reduction k in time)."""

from __future__ import annotations

import math

import numpy as np

from accelbench.engines.layers import ConvShape

__all__ = ["ConvShape", "conv_int", "patch_matrix", "tiles", "weight_matrix"]


def patch_matrix(x: np.ndarray, shape: ConvShape) -> np.ndarray:
    """im2col: M x K, row m = output pixel (raster order), k = (dy * kw + dx) * C + c."""
    c, h, w = x.shape
    t, b, left, r = shape.pads
    kh, kw = shape.kernel
    s = shape.stride
    eh, ew = shape.out_hw
    xp = np.zeros((c, h + t + b, w + left + r), dtype=np.int64)
    xp[:, t:t + h, left:left + w] = x
    cols = np.empty((eh, ew, kh, kw, c), dtype=np.int64)
    for dy in range(kh):
        for dx in range(kw):
            win = xp[:, dy:dy + s * (eh - 1) + 1:s, dx:dx + s * (ew - 1) + 1:s]
            cols[:, :, dy, dx, :] = win.transpose(1, 2, 0)
    return cols.reshape(eh * ew, kh * kw * c)


def weight_matrix(weight: np.ndarray) -> np.ndarray:
    """K x N from O x C x kh x kw, with the patch matrix's k order."""
    o, c, kh, kw = weight.shape
    return weight.astype(np.int64).transpose(2, 3, 1, 0).reshape(kh * kw * c, o)


def conv_int(x: np.ndarray, weight: np.ndarray, shape: ConvShape) -> np.ndarray:
    """Exact integer convolution (no bias): filters x E_h x E_w, int64."""
    eh, ew = shape.out_hw
    out = patch_matrix(x, shape) @ weight_matrix(weight)
    return out.T.reshape(weight.shape[0], eh, ew)


def tiles(total: int, size: int) -> int:
    return math.ceil(total / size)
