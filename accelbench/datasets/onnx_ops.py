"""numpy kernels for the ONNX operators of CNN classifiers, each machine-independent.

Reductions (Conv, Gemm, MatMul, pools, ReduceMean/Sum) go through
:mod:`accelbench.datasets.linear_ops` (certified float32 results); everything else is one
IEEE operation per element in float32 (add, multiply, divide, square root, comparisons,
selections), or :func:`accelbench.datasets.exact.exp` for Sigmoid and Softmax, so every CPU
computes the same bits. Minimum and maximum are written as comparisons and selections
and zeros are normalised to +0.0 where a SIMD min/max could pick either signed zero.

``OPS`` maps an operator type to ``(kernel, check)``: ``check(node, opset)`` returns None
when the kernel implements the node's attributes in that opset, else the reason (the
executor then runs that node with onnxruntime, see ``executor``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accelbench.datasets import exact, linear_ops


@dataclass(frozen=True)
class Node:
    """An ONNX node with its attributes as Python values."""

    op: str
    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attrs: dict[str, Any]
    domain: str = ""

    @classmethod
    def from_proto(cls, proto: Any, index: int) -> Node:
        from onnx import helper

        attrs = {a.name: helper.get_attribute_value(a) for a in proto.attribute}
        return cls(proto.op_type, proto.name or f"{proto.op_type}_{index}",
                   tuple(proto.input), tuple(proto.output), attrs, proto.domain)

    def ints(self, name: str, default: Sequence[int] | None = None) -> list[int] | None:
        value = self.attrs.get(name)
        return [int(v) for v in value] if value is not None else (
            None if default is None else list(default))


Inputs = list["np.ndarray | None"]
Kernel = Callable[[Node, Inputs, int], list[np.ndarray]]
Check = Callable[[Node, int], "str | None"]

F32 = np.float32


def _zero_fix(x: np.ndarray) -> np.ndarray:
    return x + x.dtype.type(0) if x.dtype.kind == "f" else x


# -- elementwise -----------------------------------------------------------------------
def _binary(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Kernel:
    def kernel(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
        a, b = x[0], x[1]
        return [np.asarray(fn(a, b)).astype(np.result_type(a, b), copy=False)]
    return kernel


def _int_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if np.result_type(a, b).kind == "f":
        return np.divide(a, b)
    q = np.abs(a) // np.abs(b)  # ONNX integer division truncates toward zero
    return np.where((a < 0) != (b < 0), -q, q)


def _relu(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    return [np.where(v > 0, v, v.dtype.type(0))]


def _leaky(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    alpha = v.dtype.type(node.attrs.get("alpha", 0.01))
    return [np.where(v < 0, v * alpha, v)]


def _prelu(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v, slope = x[0], x[1]
    return [np.where(v < 0, v * slope, v).astype(v.dtype)]


def _clip_bounds(node: Node, x: Inputs, opset: int) -> tuple[Any, Any]:
    if opset < 11:
        return node.attrs.get("min"), node.attrs.get("max")
    lo = x[1] if len(x) > 1 and x[1] is not None else None
    hi = x[2] if len(x) > 2 and x[2] is not None else None
    return lo, hi


def _clip(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    lo, hi = _clip_bounds(node, x, opset)
    if lo is not None:
        lo = v.dtype.type(np.asarray(lo).item())
        v = np.where(v < lo, lo, v)
    if hi is not None:
        hi = v.dtype.type(np.asarray(hi).item())
        v = np.where(v > hi, hi, v)
    return [_zero_fix(v)]


def _hard_sigmoid_of(v: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    y = v * F32(alpha) + F32(beta)
    y = np.where(y < 0, F32(0), y)
    return np.where(y > 1, F32(1), y)


def _hard_sigmoid(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    return [_hard_sigmoid_of(x[0], node.attrs.get("alpha", 0.2), node.attrs.get("beta", 0.5))]


def _hard_swish(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    return [_zero_fix(x[0] * _hard_sigmoid_of(x[0], 1.0 / 6.0, 0.5))]


def _sigmoid(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = np.asarray(x[0], dtype=np.float64)
    return [(1.0 / (1.0 + exact.exp(-v))).astype(x[0].dtype)]


def _softmax_rows(v: np.ndarray, log: bool) -> np.ndarray:
    """Softmax (or log-softmax) of each row of a 2-D float64 array, deterministically."""
    shifted = v - v.max(axis=1, keepdims=True)
    e = exact.exp(shifted)
    sums = np.array([math.fsum(row) for row in e.tolist()])[:, None]
    return shifted - exact.log(sums) if log else e / sums


def _softmax_kernel(log: bool) -> Kernel:
    def kernel(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
        v = x[0]
        axis = node.attrs.get("axis", 1 if opset < 13 else -1) % v.ndim
        if opset < 13:  # coerced to 2-D at ``axis``
            rows = v.reshape(int(np.prod(v.shape[:axis], dtype=np.int64)), -1)
            return [_softmax_rows(rows.astype(np.float64), log).astype(v.dtype)
                    .reshape(v.shape)]
        moved = np.moveaxis(v, axis, -1)
        rows = moved.reshape(-1, moved.shape[-1]).astype(np.float64)
        out = _softmax_rows(rows, log).astype(v.dtype).reshape(moved.shape)
        return [np.moveaxis(out, -1, axis)]
    return kernel


def _batchnorm(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v, scale, bias, mean, var = x[:5]
    eps = F32(node.attrs.get("epsilon", 1e-5))
    factor = scale / np.sqrt(var + eps)
    shape = (1, -1) + (1,) * (v.ndim - 2)
    return [(v - mean.reshape(shape)) * factor.reshape(shape) + bias.reshape(shape)]


def _check_batchnorm(node: Node, opset: int) -> str | None:
    if node.attrs.get("training_mode", 0) or len([o for o in node.outputs if o]) > 1:
        return "training-mode BatchNormalization"
    if opset < 7 and node.attrs.get("spatial", 1) != 1:
        return "non-spatial BatchNormalization"
    return None


# -- convolution, products, pools ------------------------------------------------------
def _spatial_attrs(node: Node, in_hw: tuple[int, int], kernel: tuple[int, int],
                   ceil_mode: bool = False) -> tuple[tuple[int, int], tuple[int, int],
                                                     tuple[int, int, int, int],
                                                     tuple[int, int]]:
    """(stride, dilation, pads as top/bottom/left/right, output H x W) of a Conv or pool."""
    stride = tuple(node.ints("strides", (1, 1)))
    dilation = tuple(node.ints("dilations", (1, 1)))
    auto = node.attrs.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else str(auto)
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        pads = []
        for size, k, s, d in zip(in_hw, kernel, stride, dilation, strict=True):
            total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
            small, big = total // 2, total - total // 2
            pads.append((small, big) if auto == "SAME_UPPER" else (big, small))
        (top, bottom), (left, right) = pads
    elif auto == "VALID":
        top = bottom = left = right = 0
    else:
        top, left, bottom, right = node.ints("pads", (0, 0, 0, 0))
    out_hw = (linear_ops.output_size(in_hw[0], kernel[0], stride[0], dilation[0], top, bottom,
                                     ceil_mode),
              linear_ops.output_size(in_hw[1], kernel[1], stride[1], dilation[1], left, right,
                                     ceil_mode))
    return stride, dilation, (top, bottom, left, right), out_hw  # type: ignore[return-value]


def conv_geometry(node: Node, in_hw: tuple[int, int], kernel: tuple[int, int]
                  ) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int, int, int]]:
    """(stride, dilation, pads as top/bottom/left/right) of a 2-D Conv node."""
    stride, dilation, pads, _ = _spatial_attrs(node, in_hw, kernel)
    return stride, dilation, pads


def _conv(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v, w = x[0], x[1]
    b = x[2] if len(x) > 2 else None
    stride, dilation, pads = conv_geometry(node, v.shape[2:], w.shape[2:])
    return [linear_ops.conv2d(v, w, b, stride, pads, dilation, node.attrs.get("group", 1))]


def _check_conv(node: Node, opset: int) -> str | None:
    kernel = node.ints("kernel_shape")
    if kernel is not None and len(kernel) != 2:
        return f"{len(kernel)}-D Conv"
    return None


def _gemm(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    a, b = x[0], x[1]
    c = x[2] if len(x) > 2 else None
    a = a.T if node.attrs.get("transA", 0) else a
    b = b.T if node.attrs.get("transB", 0) else b
    alpha, beta = node.attrs.get("alpha", 1.0), node.attrs.get("beta", 1.0)
    if alpha == 1.0 and beta == 1.0:
        return [linear_ops.matmul(a, b, c)]
    y = linear_ops.matmul(a, b) * F32(alpha)
    return [y + F32(beta) * c if c is not None else y]


def _matmul(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    a, b = x[0], x[1]
    if a.ndim >= 2 and b.ndim == 2:
        out = linear_ops.matmul(a.reshape(-1, a.shape[-1]), b)
        return [out.reshape(*a.shape[:-1], b.shape[1])]
    if a.ndim < 2 or b.ndim < 2:
        raise NotImplementedError("MatMul of vectors")
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, (*batch, *a.shape[-2:]))
    b = np.broadcast_to(b, (*batch, *b.shape[-2:]))
    out = np.empty((*batch, a.shape[-2], b.shape[-1]), np.float32)
    for index in np.ndindex(*batch):
        out[index] = linear_ops.matmul(a[index], b[index])
    return [out]


def _check_matmul(node: Node, opset: int) -> str | None:
    return None


def _pool_setup(node: Node, v: np.ndarray):
    kernel = tuple(node.ints("kernel_shape"))
    ceil_mode = bool(node.attrs.get("ceil_mode", 0))
    stride, dilation, pads, out_hw = _spatial_attrs(node, v.shape[2:], kernel, ceil_mode)
    top, bottom, left, right = pads
    # padding that only ceil_mode windows reach, counted as outside the input
    extra_h = max(0, (out_hw[0] - 1) * stride[0] + dilation[0] * (kernel[0] - 1) + 1
                  - (v.shape[2] + top + bottom))
    extra_w = max(0, (out_hw[1] - 1) * stride[1] + dilation[1] * (kernel[1] - 1) + 1
                  - (v.shape[3] + left + right))
    return kernel, stride, dilation, pads, (top, bottom + extra_h, left, right + extra_w), out_hw


def _maxpool(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    kernel, stride, dilation, _, extended, out_hw = _pool_setup(node, v)
    return [linear_ops.window_max(v, kernel, stride, extended, dilation, out_hw)]


def _window_counts(size: int, kernel: int, stride: int, dilation: int, before: int,
                   after: int, out: int, include_pad: bool) -> np.ndarray:
    """Elements of each window inside the input (or inside input + explicit pads)."""
    lo, hi = (-before, size + after) if include_pad else (0, size)
    starts = np.arange(out) * stride - before
    taps = starts[:, None] + np.arange(kernel)[None, :] * dilation
    return ((taps >= lo) & (taps < hi)).sum(axis=1)


def _avgpool(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    kernel, stride, dilation, pads, extended, out_hw = _pool_setup(node, v)
    include = bool(node.attrs.get("count_include_pad", 0))
    rows = _window_counts(v.shape[2], kernel[0], stride[0], dilation[0], pads[0], pads[1],
                          out_hw[0], include)
    cols = _window_counts(v.shape[3], kernel[1], stride[1], dilation[1], pads[2], pads[3],
                          out_hw[1], include)
    divisor = (rows[:, None] * cols[None, :]).astype(np.float64)
    return [linear_ops.window_sums(v, kernel, stride, extended, dilation, out_hw, divisor)]


def _check_pool(node: Node, opset: int) -> str | None:
    kernel = node.ints("kernel_shape")
    if kernel is None or len(kernel) != 2:
        return "pooling that is not 2-D"
    if node.attrs.get("storage_order", 0) or len([o for o in node.outputs if o]) > 1:
        return "MaxPool with indices"
    return None


def _global_avg(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    return [linear_ops.axis_means(v, tuple(range(2, v.ndim)), keepdims=True)]


def _global_max(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    return [_zero_fix(v.max(axis=tuple(range(2, v.ndim)), keepdims=True))]


def _reduce_axes(node: Node, x: Inputs, opset: int, input_from: int) -> tuple[int, ...]:
    v = x[0]
    if opset >= input_from:
        axes = x[1] if len(x) > 1 and x[1] is not None else None
        axes = None if axes is None else [int(a) for a in np.asarray(axes).reshape(-1)]
    else:
        axes = node.ints("axes")
    if not axes:
        if node.attrs.get("noop_with_empty_axes", 0):
            return ()
        return tuple(range(v.ndim))
    return tuple(sorted(a % v.ndim for a in axes))


def _reduce(mean: bool, input_from: int) -> Kernel:
    def kernel(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
        axes = _reduce_axes(node, x, opset, input_from)
        if not axes:
            return [x[0]]
        keep = bool(node.attrs.get("keepdims", 1))
        return [linear_ops.axis_means(x[0], axes, keep, mean=mean)]
    return kernel


# -- shapes and data movement ------------------------------------------------------------
def _identity(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    return [x[0]]


def _dropout(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    outs = [x[0]]
    if len(node.outputs) > 1:
        outs.append(np.ones(x[0].shape, bool))
    return outs


def _flatten(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    axis = node.attrs.get("axis", 1) % (v.ndim + 1) if v.ndim else 0
    lead = int(np.prod(v.shape[:axis], dtype=np.int64))
    return [v.reshape(lead, -1)]


def _reshape(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v, shape = x[0], [int(s) for s in np.asarray(x[1]).reshape(-1)]
    if not node.attrs.get("allowzero", 0):
        shape = [v.shape[i] if s == 0 else s for i, s in enumerate(shape)]
    return [v.reshape(shape)]


def _transpose(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    perm = node.ints("perm")
    return [np.ascontiguousarray(np.transpose(x[0], perm))]


def _axes(node: Node, x: Inputs, opset: int) -> list[int] | None:
    if opset >= 13:
        return None if len(x) < 2 or x[1] is None else [int(a) for a in
                                                      np.asarray(x[1]).reshape(-1)]
    return node.ints("axes")


def _squeeze(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    axes = _axes(node, x, opset)
    if axes is None:
        return [np.squeeze(v)]
    return [np.squeeze(v, axis=tuple(a % v.ndim for a in axes))]


def _unsqueeze(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    axes = _axes(node, x, opset) or []
    rank = v.ndim + len(axes)
    for a in sorted(a % rank for a in axes):
        v = np.expand_dims(v, a)
    return [v]


def _concat(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    return [np.concatenate([v for v in x if v is not None], axis=node.attrs["axis"])]


def _shape(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    dims = np.array(x[0].shape, np.int64)
    start, end = node.attrs.get("start", 0), node.attrs.get("end")
    return [dims[start:end]]


def _gather(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v, idx = x[0], np.asarray(x[1])
    axis = node.attrs.get("axis", 0) % v.ndim
    idx = np.where(idx < 0, idx + v.shape[axis], idx)
    return [np.take(v, idx, axis=axis)]


def _slice(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    if opset < 10:
        starts, ends = node.ints("starts"), node.ints("ends")
        axes, steps = node.ints("axes"), None
    else:
        starts = [int(s) for s in np.asarray(x[1]).reshape(-1)]
        ends = [int(s) for s in np.asarray(x[2]).reshape(-1)]
        axes = ([int(a) for a in np.asarray(x[3]).reshape(-1)]
                if len(x) > 3 and x[3] is not None else None)
        steps = ([int(s) for s in np.asarray(x[4]).reshape(-1)]
                 if len(x) > 4 and x[4] is not None else None)
    axes = axes if axes is not None else list(range(len(starts)))
    steps = steps if steps is not None else [1] * len(starts)
    index: list[slice] = [slice(None)] * v.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        index[axis % v.ndim] = slice(*slice(start, end, step).indices(v.shape[axis % v.ndim]))
    return [v[tuple(index)]]


def _constant(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    from onnx import numpy_helper

    attrs = node.attrs
    if "value" in attrs:
        return [numpy_helper.to_array(attrs["value"])]
    for key, dtype in (("value_float", np.float32), ("value_floats", np.float32),
                       ("value_int", np.int64), ("value_ints", np.int64)):
        if key in attrs:
            return [np.array(attrs[key], dtype)]
    raise NotImplementedError("Constant without a value")


def _check_constant(node: Node, opset: int) -> str | None:
    keys = {"value", "value_float", "value_floats", "value_int", "value_ints"}
    return None if keys & set(node.attrs) else "Constant of a sparse or string value"


def _constant_of_shape(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    from onnx import numpy_helper

    value = node.attrs.get("value")
    fill = numpy_helper.to_array(value).reshape(-1) if value is not None else \
        np.zeros(1, np.float32)
    shape = [int(s) for s in np.asarray(x[0]).reshape(-1)]
    return [np.full(shape, fill[0], fill.dtype)]


def _cast(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    from onnx import helper

    return [x[0].astype(helper.tensor_dtype_to_np_dtype(node.attrs["to"]))]


def _check_cast(node: Node, opset: int) -> str | None:
    from onnx import TensorProto

    ok = {TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32, TensorProto.BOOL}
    return None if node.attrs.get("to") in ok else "Cast to a type other than float32/int"


def _pad(node: Node, x: Inputs, opset: int) -> list[np.ndarray]:
    v = x[0]
    if opset < 11:
        pads, value = node.ints("pads"), node.attrs.get("value", 0.0)
    else:
        pads = [int(p) for p in np.asarray(x[1]).reshape(-1)]
        value = (np.asarray(x[2]).item() if len(x) > 2 and x[2] is not None
                 and np.asarray(x[2]).size else 0)
    mode = node.attrs.get("mode", b"constant")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    rank = v.ndim
    width = [(pads[i], pads[i + rank]) for i in range(rank)]
    if any(p < 0 for pair in width for p in pair):
        raise NotImplementedError("negative Pad")
    if mode == "constant":
        return [np.pad(v, width, constant_values=v.dtype.type(value))]
    return [np.pad(v, width, mode={"reflect": "reflect", "edge": "edge"}[mode])]


def _check_pad(node: Node, opset: int) -> str | None:
    mode = node.attrs.get("mode", b"constant")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    if mode not in ("constant", "reflect", "edge"):
        return f"Pad mode {mode}"
    if opset >= 18 and len(node.inputs) > 3 and node.inputs[3]:
        return "Pad with axes"
    return None


def _no_check(node: Node, opset: int) -> str | None:
    return None


OPS: dict[str, tuple[Kernel, Check]] = {
    "Add": (_binary(np.add), _no_check),
    "Sub": (_binary(np.subtract), _no_check),
    "Mul": (_binary(np.multiply), _no_check),
    "Div": (_binary(_int_div), _no_check),
    "Relu": (_relu, _no_check),
    "LeakyRelu": (_leaky, _no_check),
    "PRelu": (_prelu, _no_check),
    "Clip": (_clip, _no_check),
    "HardSigmoid": (_hard_sigmoid, _no_check),
    "HardSwish": (_hard_swish, _no_check),
    "Sigmoid": (_sigmoid, _no_check),
    "Softmax": (_softmax_kernel(log=False), _no_check),
    "LogSoftmax": (_softmax_kernel(log=True), _no_check),
    "BatchNormalization": (_batchnorm, _check_batchnorm),
    "Conv": (_conv, _check_conv),
    "Gemm": (_gemm, _no_check),
    "MatMul": (_matmul, _check_matmul),
    "MaxPool": (_maxpool, _check_pool),
    "AveragePool": (_avgpool, _check_pool),
    "GlobalAveragePool": (_global_avg, _no_check),
    "GlobalMaxPool": (_global_max, _no_check),
    "ReduceMean": (_reduce(True, 18), _no_check),
    "ReduceSum": (_reduce(False, 13), _no_check),
    "Identity": (_identity, _no_check),
    "Dropout": (_dropout, _no_check),
    "Flatten": (_flatten, _no_check),
    "Reshape": (_reshape, lambda n, o: "Reshape-1" if o < 5 else None),
    "Transpose": (_transpose, _no_check),
    "Squeeze": (_squeeze, _no_check),
    "Unsqueeze": (_unsqueeze, _no_check),
    "Concat": (_concat, _no_check),
    "Shape": (_shape, _no_check),
    "Gather": (_gather, _no_check),
    "Slice": (_slice, _no_check),
    "Constant": (_constant, _check_constant),
    "ConstantOfShape": (_constant_of_shape, _no_check),
    "Cast": (_cast, _check_cast),
    "Pad": (_pad, _check_pad),
}


def unsupported_reason(node: Node, opset: int) -> str | None:
    """None when ``OPS`` computes ``node`` machine-independently, else why not."""
    if node.domain not in ("", "ai.onnx"):
        return f"operator domain {node.domain}"
    entry = OPS.get(node.op)
    if entry is None:
        return f"operator {node.op}"
    return entry[1](node, opset)
