"""Golden models and test data shared by the compute engines: exact integer convolution
(im2col lowering times the weight matrix), symmetric int8 quantisation, and crops of
real convolution layers small enough to co-simulate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from accelbench.engines.layers import ConvShape

if TYPE_CHECKING:
    from accelbench.datasets.conv_layers import RealConvLayer


def patch_matrix(x: np.ndarray, shape: ConvShape) -> np.ndarray:
    """im2col over all channels: M x K, row m = output pixel (raster order),
    k = (dy * kw + dx) * C + c."""
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
    """K x N from O x C x kh x kw, in :func:`patch_matrix`'s k order."""
    o, c, kh, kw = weight.shape
    return weight.astype(np.int64).transpose(2, 3, 1, 0).reshape(kh * kw * c, o)


def dense_weight(weight: np.ndarray, groups: int) -> np.ndarray:
    """O x C x kh x kw from a grouped O x C/groups x kh x kw, zero outside each group."""
    o, cg, kh, kw = weight.shape
    full = np.zeros((o, cg * groups, kh, kw), dtype=np.int64)
    ng = o // groups
    for g in range(groups):
        full[g * ng:(g + 1) * ng, g * cg:(g + 1) * cg] = weight[g * ng:(g + 1) * ng]
    return full


def conv_int(x: np.ndarray, weight: np.ndarray, shape: ConvShape) -> np.ndarray:
    """Exact integer convolution without bias: filters x E_h x E_w, int64. ``weight`` is
    O x C/groups x kh x kw."""
    eh, ew = shape.out_hw
    full = dense_weight(weight, shape.groups) if shape.groups > 1 else weight
    out = patch_matrix(x, shape) @ weight_matrix(full)
    return out.T.reshape(weight.shape[0], eh, ew)


def group_gemms(x: np.ndarray, weight: np.ndarray,
                shape: ConvShape) -> list[tuple[np.ndarray, np.ndarray]]:
    """The layer as one (patches M x K/g, weights K/g x N/g) matrix product per group."""
    g = shape.groups
    cg, ng = shape.channels // g, shape.filters // g
    out = []
    for i in range(g):
        part = ConvShape(cg, shape.height, shape.width, ng, shape.kernel, shape.stride,
                         shape.pads)
        out.append((patch_matrix(x[i * cg:(i + 1) * cg], part),
                    weight_matrix(weight[i * ng:(i + 1) * ng])))
    return out


def quantize_int8(x: np.ndarray, scale: float | None = None) -> tuple[np.ndarray, float]:
    """Symmetric int8: round(x / scale) clipped to +-127, scale = max|x| / 127 unless
    given (a zero tensor has scale 1)."""
    if scale is None:
        peak = float(np.max(np.abs(x))) if x.size else 0.0
        scale = peak / 127 if peak > 0 else 1.0
    return np.clip(np.rint(x / scale), -127, 127).astype(np.int64), scale


@dataclass
class RealCrop:
    """A window of a real layer: int8 input (whole-layer scale), float weights of the
    kept filters and channels, and the scale that quantises them as the whole layer."""

    name: str
    shape: ConvShape
    x: np.ndarray  # int64 values in -127..127, C x H x W
    weight: np.ndarray  # float32, O x C/groups x kh x kw
    weight_scale: float

    def int_weight(self, weight: np.ndarray | None = None) -> np.ndarray:
        """``weight`` (default the crop's) quantised with the whole layer's scale."""
        return quantize_int8(self.weight if weight is None else weight,
                             self.weight_scale)[0]


def crop_real_layer(layer: RealConvLayer, *, channels: int, filters: int,
                    window: tuple[int, int], origin: tuple[int, int] = (0, 0)) -> RealCrop:
    """The first ``channels`` input channels and ``filters`` filters of ``layer``
    (depthwise: ``channels`` of both), a ``window`` (h, w) of its input at ``origin``, with
    the layer's stride and padding. Quantisation uses the whole layer's scales, so a
    zero is what the hardware sees for the whole layer."""
    depthwise = layer.groups > 1 and layer.groups == layer.input.shape[0]
    if layer.groups > 1 and not depthwise:
        raise ValueError(f"{layer.name}: only dense and depthwise layers can be cropped")
    if depthwise:
        filters = channels
    xq, _ = quantize_int8(layer.input)
    y0, x0 = origin
    h, w = window
    x = xq[:channels, y0:y0 + h, x0:x0 + w]
    weight = layer.weight[:filters, :1 if depthwise else channels]
    _, scale = quantize_int8(layer.weight)
    shape = ConvShape(channels, x.shape[1], x.shape[2], filters, layer.kernel,
                      layer.stride[0], tuple(layer.pads), channels if depthwise else 1)
    return RealCrop(layer.name, shape, x, weight, scale)
