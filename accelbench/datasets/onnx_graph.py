"""Find the interlayer feature maps of any ONNX CNN and run it with those maps exposed.

A feature map is "interlayer" when a layer-by-layer accelerator writes it off-chip, i.e.
it is the output of a fused conv (+ bias/BN) (+ residual add) (+ activation) group:

* ``relu``: the output of Relu, or of Clip with min 0 (ReLU6);
* ``activation``: the output of another activation (LeakyRelu, HardSwish, Elu, Selu,
  PRelu, Clip with another range) or of a Sigmoid/HardSigmoid product (SiLU,
  hard-swish, squeeze-excite scaling);
* ``residual``: an Add of two computed tensors (not a bias), unless every consumer is an
  activation (then the activation's output is the map);
* ``linear``: a Conv/BatchNormalization output with no activation that feeds something
  other than an activation or Add (e.g. a linear bottleneck feeding the next block).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accelbench.errors import AccelbenchError

RELU_OPS = {"Relu"}
OTHER_ACTIVATIONS = {"LeakyRelu", "HardSwish", "Elu", "Selu", "PRelu", "Celu", "Mish",
                     "Gelu", "Softplus", "ThresholdedRelu"}
GATES = {"Sigmoid", "HardSigmoid"}
#: ops that an accelerator fuses into the producing layer's output stage
FUSED_CONSUMERS = RELU_OPS | OTHER_ACTIVATIONS | GATES | {"Clip", "Add", "Mul",
                                                         "BatchNormalization"}
LINEAR_PRODUCERS = {"Conv", "BatchNormalization"}


class ModelError(AccelbenchError):
    """An ONNX model cannot be used as a dataset source."""


@dataclass(frozen=True)
class Tap:
    """One interlayer feature map: the ONNX tensor ``name`` and its kind."""

    name: str
    kind: str
    op: str


def _constants(model: Any) -> dict[str, np.ndarray]:
    from onnx import numpy_helper

    out = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant" and node.attribute:
            attr = node.attribute[0]
            if attr.name == "value":
                out[node.output[0]] = numpy_helper.to_array(attr.t)
    return out


def _clip_range(node: Any, consts: dict[str, np.ndarray]) -> tuple[float | None, float | None]:
    lo = hi = None
    for attr in node.attribute:  # opset < 11: attributes
        if attr.name == "min":
            lo = attr.f
        elif attr.name == "max":
            hi = attr.f
    inputs = list(node.input)
    if len(inputs) > 1 and inputs[1] in consts:
        lo = float(consts[inputs[1]])
    if len(inputs) > 2 and inputs[2] in consts:
        hi = float(consts[inputs[2]])
    return lo, hi


def find_taps(model: Any, kinds: Sequence[str] | None = None) -> list[Tap]:
    """The interlayer feature maps of ``model`` in graph (topological) order."""
    graph = model.graph
    consts = _constants(model)
    producer = {out: node for node in graph.node for out in node.output}
    consumers: dict[str, list[Any]] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)

    def computed(name: str) -> bool:
        return name in producer and name not in consts

    def all_activations(name: str) -> bool:
        users = consumers[name]
        return bool(users) and all(u.op_type in RELU_OPS | OTHER_ACTIVATIONS | {"Clip"}
                                   for u in users)

    taps: list[Tap] = []
    for node in graph.node:
        op, out = node.op_type, node.output[0] if node.output else ""
        kind = None
        if op in RELU_OPS:
            kind = "relu"
        elif op == "Clip":
            lo, _hi = _clip_range(node, consts)
            kind = "relu" if lo == 0.0 else "activation"
        elif op in OTHER_ACTIVATIONS or (op == "Mul" and len(node.input) == 2 and any(
                computed(i) and producer[i].op_type in GATES for i in node.input)):
            kind = "activation"
        elif (op == "Add" and len(node.input) == 2 and all(computed(i) for i in node.input)
              and not all_activations(out)):
            kind = "residual"
        elif op in LINEAR_PRODUCERS and any(
                u.op_type not in FUSED_CONSUMERS for u in consumers[out]):
            kind = "linear"
        if kind is not None and consumers[out] and (kinds is None or kind in kinds):
            taps.append(Tap(out, kind, op))
    return taps


def float_input(model: Any) -> tuple[str, list[int | str]]:
    """The model's single float image input: (name, dims with symbolic ones as str)."""
    from onnx import TensorProto

    init = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in init]
    if len(inputs) != 1:
        raise ModelError(f"the model has {len(inputs)} inputs; a CNN classifier with one "
                         "image input is needed")
    tt = inputs[0].type.tensor_type
    if tt.elem_type != TensorProto.FLOAT:
        raise ModelError(f"input {inputs[0].name!r} is not float32")
    dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
            for d in tt.shape.dim]
    if len(dims) != 4:
        raise ModelError(f"input {inputs[0].name!r} has {len(dims)} dimensions, not 4")
    return inputs[0].name, dims


def session(model: Any, threads: int = 2) -> Any:
    """An onnxruntime CPU session for an in-memory model (fixed thread count)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    # idle pool threads must not spin: several sessions may share two cores
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(model.SerializeToString(), sess_options=opts,
                                    providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
        raise ModelError(f"onnxruntime cannot load the model: {exc}") from None


def tensor_types(model: Any) -> dict[str, int]:
    """ONNX element type of every tensor whose type shape inference can tell."""
    from onnx import shape_inference

    try:
        inferred = shape_inference.infer_shapes(model)
    except Exception:  # e.g. models over 2 GB; stages then assume float tensors
        return {}
    graph = inferred.graph
    return {vi.name: vi.type.tensor_type.elem_type
            for vi in (*graph.value_info, *graph.input, *graph.output)
            if vi.type.tensor_type.elem_type}


def tensor_shapes(model: Any, inputs: dict[str, list[int]]) -> dict[str, tuple[int, ...]]:
    """The shape of every tensor that shape inference can tell, with the graph inputs set
    to ``inputs`` (e.g. a batch of one at the chosen size); {} if inference fails."""
    from onnx import shape_inference

    fixed = type(model)()
    fixed.CopyFrom(model)
    for graph_input in fixed.graph.input:
        if graph_input.name in inputs:
            dims = graph_input.type.tensor_type.shape.dim
            for dim, value in zip(dims, inputs[graph_input.name], strict=True):
                dim.Clear()
                dim.dim_value = int(value)
    try:
        graph = shape_inference.infer_shapes(fixed).graph
    except Exception:  # onnx raises several error types; the caller then guesses
        return {}
    shapes = {}
    for vi in (*graph.value_info, *graph.output):
        dims = vi.type.tensor_type.shape.dim
        if dims and all(d.HasField("dim_value") and d.dim_value > 0 for d in dims):
            shapes[vi.name] = tuple(int(d.dim_value) for d in dims)
    return shapes


def conv_activations(model: Any) -> dict[str, str]:
    """The activation applied to each Conv output: "relu", "relu6" (Clip 0..6) or
    "linear" (anything else, e.g. a residual add or a projection)."""
    consts = _constants(model)
    consumers: dict[str, list[Any]] = defaultdict(list)
    for node in model.graph.node:
        for name in node.input:
            consumers[name].append(node)
    activations = {}
    for node in model.graph.node:
        if node.op_type != "Conv":
            continue
        users = consumers[node.output[0]]
        activation = "linear"
        if len(users) == 1 and users[0].op_type == "Relu":
            activation = "relu"
        elif len(users) == 1 and users[0].op_type == "Clip":
            activation = "relu6" if _clip_range(users[0], consts) == (0.0, 6.0) else "linear"
        activations[node.output[0]] = activation
    return activations
