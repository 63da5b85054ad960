"""Networks as graphs of layers: shapes, strides, padding, groups and every tensor edge.

A :class:`Network` is an ordered tuple of :class:`Layer` objects in topological order.
Each layer names its producers in ``inputs``, so residual (shortcut) edges are explicit:
a memory planner can ask for the consumers of a tensor and its size in bytes. Shapes are
channel-first ``(C, H, W)``; a layer's output tensor carries the layer's name.

Execution order is the layer order: layer ``i`` runs at step ``i`` (the input layer is
step 0, the network input already in memory). :meth:`Network.liveness` gives every
tensor's lifetime: the step that produces it, every step that reads it, and the last one.
Layers without consumers are the network's outputs (several heads allowed).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from accelbench.errors import AccelbenchError

#: operations a layer can perform
OPS = ("input", "conv", "dwconv", "fc", "maxpool", "avgpool", "add", "mul", "concat",
       "upsample")
#: operations with weights, executed by a compute engine as matrix products
COMPUTE_OPS = ("conv", "dwconv", "fc")
#: element-wise operations of two or more tensors (``mul`` broadcasts a C x 1 x 1 operand)
ELEMENTWISE_OPS = ("add", "mul")
ACTIVATIONS = ("linear", "relu", "relu6", "leaky", "silu", "sigmoid")

Shape = tuple[int, int, int]


class NetworkError(AccelbenchError, ValueError):
    """A network description is inconsistent (unknown producer, wrong shape, ...)."""


@dataclass(frozen=True)
class Layer:
    """One node of a network graph.

    ``in_shape`` is the shape of the (first) input tensor as its producer made it, before
    padding; ``pads`` are explicit (top, bottom, left, right) zero rows/columns. For
    ``fc`` the input is flattened (``in_features`` = product of ``in_shape``) and
    ``out_shape`` is ``(features, 1, 1)``. ``activation`` is applied to the output.
    ``concat`` joins its inputs along channels (``in_shape`` is the first input's);
    ``upsample`` is nearest-neighbour to ``out_shape``; ``mul`` multiplies its first
    input by the second, which may be ``(C, 1, 1)`` (squeeze-excite scaling).
    ``shares_weights_with`` names a layer whose weights this one reuses (a detection head
    applied to several pyramid levels): the network counts those weights once.
    """

    name: str
    op: str
    inputs: tuple[str, ...]
    in_shape: Shape
    out_shape: Shape
    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    groups: int = 1
    activation: str = "linear"
    bias: bool = True
    shares_weights_with: str = ""

    @property
    def in_channels(self) -> int:
        return self.in_shape[0]

    @property
    def out_channels(self) -> int:
        return self.out_shape[0]

    @property
    def in_features(self) -> int:
        return math.prod(self.in_shape)

    @property
    def padded_in_hw(self) -> tuple[int, int]:
        t, b, left, r = self.pads
        return self.in_shape[1] + t + b, self.in_shape[2] + left + r

    @property
    def is_compute(self) -> bool:
        return self.op in COMPUTE_OPS

    @property
    def gemm(self) -> tuple[int, int, int]:
        """(M, N, K) of one group: output pixels, filters per group, reduction length."""
        if self.op == "fc":
            return 1, self.out_channels, self.in_features
        if not self.is_compute:
            raise NetworkError(f"layer {self.name!r} ({self.op}) is not a matrix product")
        kh, kw = self.kernel
        cin_g = self.in_channels // self.groups
        return (self.out_shape[1] * self.out_shape[2], self.out_channels // self.groups,
                kh * kw * cin_g)

    @property
    def macs(self) -> int:
        """Multiply-accumulates of the layer (compute layers; 0 otherwise)."""
        if not self.is_compute:
            return 0
        m, n, k = self.gemm
        return m * n * k * (1 if self.op == "fc" else self.groups)

    @property
    def weight_count(self) -> int:
        if self.op == "fc":
            return self.in_features * self.out_channels
        if not self.is_compute:
            return 0
        kh, kw = self.kernel
        return self.out_channels * (self.in_channels // self.groups) * kh * kw

    @property
    def out_values(self) -> int:
        return math.prod(self.out_shape)

    @property
    def in_values(self) -> int:
        """Values read from every input tensor (an add reads both operands). For concat
        and mul, whose inputs differ in shape, use :meth:`Network.input_values`."""
        return math.prod(self.in_shape) * max(len(self.inputs), 1)

    def out_bytes(self, bytes_per_value: float = 1) -> int:
        return math.ceil(self.out_values * bytes_per_value)

    def weight_bytes(self, bytes_per_value: float = 1) -> int:
        return math.ceil(self.weight_count * bytes_per_value)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(macs=self.macs, weights=self.weight_count)
        return data


@dataclass(frozen=True)
class Lifetime:
    """The life of one tensor: produced at step ``producer``, read at ``consumers``.

    ``last`` is the last step that reads it (the producer step for a network output):
    the tensor must be kept, on chip or in DRAM, over ``producer..last`` inclusive.
    """

    tensor: str
    producer: int
    consumers: tuple[int, ...]

    @property
    def last(self) -> int:
        return max(self.consumers, default=self.producer)

    def live_at(self, step: int) -> bool:
        return self.producer <= step <= self.last


@dataclass(frozen=True)
class Network:
    """A named layer graph in topological order; see the module docstring."""

    name: str
    layers: tuple[Layer, ...]
    description: str = ""
    source: str = ""
    #: evaluated in the default benchmark matrix
    in_default_matrix: bool = True
    #: shapes were checked edge by edge (False for imported SCALE-Sim topologies, whose
    #: rows are independent layers chained only to keep their order)
    shapes_checked: bool = True
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise NetworkError(f"network {self.name!r}: duplicate layer names {dup}")
        seen: set[str] = set()
        for layer in self.layers:
            if layer.op not in OPS:
                raise NetworkError(f"network {self.name!r}, layer {layer.name!r}: unknown "
                                   f"op {layer.op!r} (expected one of {OPS})")
            if layer.activation not in ACTIVATIONS:
                raise NetworkError(f"network {self.name!r}, layer {layer.name!r}: unknown "
                                   f"activation {layer.activation!r}")
            for src in layer.inputs:
                if src not in seen:
                    raise NetworkError(f"network {self.name!r}, layer {layer.name!r}: input "
                                       f"{src!r} is not an earlier layer")
            shared = layer.shares_weights_with
            if shared and (shared not in seen or not layer.is_compute):
                raise NetworkError(f"network {self.name!r}, layer {layer.name!r}: shares "
                                   f"weights with {shared!r}, which is not an earlier layer "
                                   f"(or the layer has no weights)")
            seen.add(layer.name)
        if self.shapes_checked:
            for layer in self.layers:
                _check_shapes(self, layer)

    @cached_property
    def _index(self) -> dict[str, Layer]:
        return {layer.name: layer for layer in self.layers}

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    def layer(self, name: str) -> Layer:
        try:
            return self._index[name]
        except KeyError:
            raise NetworkError(f"network {self.name!r} has no layer {name!r}") from None

    def producers(self, name: str) -> list[Layer]:
        """The layers whose outputs ``name`` reads."""
        return [self.layer(src) for src in self.layer(name).inputs]

    @cached_property
    def _consumers(self) -> dict[str, list[Layer]]:
        out: dict[str, list[Layer]] = {layer.name: [] for layer in self.layers}
        for layer in self.layers:
            for src in layer.inputs:
                out[src].append(layer)
        return out

    def consumers(self, name: str) -> list[Layer]:
        """The layers that read the output of ``name``."""
        self.layer(name)
        return list(self._consumers[name])

    def tensor_bytes(self, name: str, bytes_per_value: float = 1) -> int:
        """Size of the output tensor of layer ``name``."""
        return self.layer(name).out_bytes(bytes_per_value)

    def position(self, name: str) -> int:
        """The execution step of layer ``name`` (its index in the layer order)."""
        self.layer(name)
        return self._positions[name]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {layer.name: i for i, layer in enumerate(self.layers)}

    def input_values(self, name: str) -> int:
        """Values layer ``name`` reads: the sum of its input tensors' sizes."""
        return sum(p.out_values for p in self.producers(name))

    @property
    def outputs(self) -> list[Layer]:
        """Layers whose outputs nothing in the network reads: the network's results."""
        return [layer for layer in self.layers[1:] if not self._consumers[layer.name]]

    @cached_property
    def liveness(self) -> dict[str, Lifetime]:
        """Every tensor's lifetime in execution steps (see :class:`Lifetime`)."""
        out = {}
        for step, layer in enumerate(self.layers):
            readers = tuple(self._positions[c.name] for c in self._consumers[layer.name])
            out[layer.name] = Lifetime(layer.name, step, readers)
        return out

    def shortcut_edges(self) -> list[tuple[str, str]]:
        """Edges (producer, consumer) that skip over at least one layer in the order, i.e.
        tensors that must stay alive past the next layer (residual shortcuts)."""
        pos = {layer.name: i for i, layer in enumerate(self.layers)}
        return [(src, layer.name) for layer in self.layers for src in layer.inputs
                if pos[layer.name] - pos[src] > 1]

    def compute_layers(self) -> list[Layer]:
        return [layer for layer in self.layers if layer.is_compute]

    @property
    def input_layer(self) -> Layer:
        return self.layers[0]

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    @property
    def weight_count(self) -> int:
        """Weights of the network, each shared weight counted once (no biases, no BN)."""
        return sum(layer.weight_count for layer in self.layers
                   if not layer.shares_weights_with)

    @property
    def layer_weight_count(self) -> int:
        """Weights summed over layers: a layer reusing another's weights counts them too."""
        return sum(layer.weight_count for layer in self.layers)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "source": self.source,
                "layers": len(self.layers), "compute_layers": len(self.compute_layers()),
                "macs": self.macs, "weights": self.weight_count,
                "shortcut_edges": len(self.shortcut_edges()),
                "outputs": [layer.name for layer in self.outputs],
                "in_default_matrix": self.in_default_matrix, "notes": list(self.notes)}

    def to_json(self) -> dict[str, Any]:
        return {**self.describe(), "layers": [layer.to_json() for layer in self.layers]}


def conv_output_hw(in_hw: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int],
                   pads: Sequence[int]) -> tuple[int, int]:
    """floor((H + pads - k) / s) + 1 along each axis (what every framework computes)."""
    t, b, left, r = pads
    h = (in_hw[0] + t + b - kernel[0]) // stride[0] + 1
    w = (in_hw[1] + left + r - kernel[1]) // stride[1] + 1
    return h, w


def _check_shapes(net: Network, layer: Layer) -> None:
    where = f"network {net.name!r}, layer {layer.name!r}"
    if layer.op == "input":
        if layer.inputs:
            raise NetworkError(f"{where}: an input layer has no producers")
        return
    if not layer.inputs:
        raise NetworkError(f"{where}: {layer.op} needs an input")
    if layer.op in ("concat", "mul", "upsample"):
        _check_reshaping_op(net, layer, where)
        return
    for src in layer.inputs:
        produced = net.layer(src).out_shape
        if produced != layer.in_shape:
            raise NetworkError(f"{where}: input {src!r} has shape {produced}, the layer "
                               f"expects {layer.in_shape}")
    cin, cout = layer.in_channels, layer.out_channels
    if layer.op == "add":
        if len(layer.inputs) < 2 or layer.out_shape != layer.in_shape:
            raise NetworkError(f"{where}: an add takes two or more inputs of its own shape")
        return
    if layer.op == "fc":
        if layer.out_shape[1:] != (1, 1):
            raise NetworkError(f"{where}: fc output must be (features, 1, 1)")
        return
    if any(p < 0 for p in layer.pads) or min(layer.stride) < 1:
        raise NetworkError(f"{where}: negative padding or stride < 1")
    hw = conv_output_hw(layer.in_shape[1:], layer.kernel, layer.stride, layer.pads)
    if layer.out_shape[1:] != hw:
        raise NetworkError(f"{where}: output {layer.out_shape[1:]} does not follow from "
                           f"input {layer.in_shape}, kernel {layer.kernel}, stride "
                           f"{layer.stride}, pads {layer.pads} (expected {hw})")
    if layer.op in ("maxpool", "avgpool"):
        if cin != cout:
            raise NetworkError(f"{where}: pooling keeps the channel count")
        return
    if cin % layer.groups or cout % layer.groups:
        raise NetworkError(f"{where}: {cin} -> {cout} channels not divisible by "
                           f"{layer.groups} groups")
    if layer.op == "dwconv" and not (layer.groups == cin == cout):
        raise NetworkError(f"{where}: a depthwise conv has groups == in == out channels")


def _check_reshaping_op(net: Network, layer: Layer, where: str) -> None:
    """concat (channels add up, same H x W), mul (x by x or by C x 1 x 1), upsample."""
    shapes = [net.layer(src).out_shape for src in layer.inputs]
    if shapes[0] != layer.in_shape:
        raise NetworkError(f"{where}: input {layer.inputs[0]!r} has shape {shapes[0]}, the "
                           f"layer expects {layer.in_shape}")
    if layer.op == "concat":
        if len({s[1:] for s in shapes}) != 1:
            raise NetworkError(f"{where}: concat inputs differ in H x W: {shapes}")
        expected = (sum(s[0] for s in shapes), *shapes[0][1:])
        if layer.out_shape != expected:
            raise NetworkError(f"{where}: concat of {shapes} is {expected}, not "
                               f"{layer.out_shape}")
    elif layer.op == "mul":
        if len(shapes) != 2 or layer.out_shape != shapes[0] or shapes[1] not in (
                shapes[0], (shapes[0][0], 1, 1)):
            raise NetworkError(f"{where}: mul takes x and a tensor of x's shape or "
                               f"(C, 1, 1), got {shapes}")
    else:
        if len(shapes) != 1 or layer.out_shape[0] != shapes[0][0]:
            raise NetworkError(f"{where}: upsample takes one input and keeps its channels")
        if any(o < i for o, i in zip(layer.out_shape[1:], shapes[0][1:], strict=True)):
            raise NetworkError(f"{where}: upsample to {layer.out_shape} is smaller than "
                               f"its input {shapes[0]}")
