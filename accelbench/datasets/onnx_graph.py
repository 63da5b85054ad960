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


def with_outputs(model: Any, names: Sequence[str]) -> Any:
    """A copy of ``model`` whose graph also outputs the tensors ``names``."""
    from onnx import TensorProto, helper

    out = type(model)()
    out.CopyFrom(model)
    existing = {o.name for o in out.graph.output}
    for name in names:
        if name not in existing:
            out.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                                                  None))
    return out


def session(model: Any, threads: int = 2) -> Any:
    """An onnxruntime CPU session for an in-memory model (fixed thread count)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    # idle pool threads must not spin: many sessions share two cores (StagedRunner)
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


class StagedRunner:
    """Runs a model in stages that end at chosen tensors, so a callback can replace them.

    Each stage is its own onnxruntime session; the tensors a later stage needs (including
    residual shortcuts) are carried over in a dict.
    """

    def __init__(self, model: Any, boundaries: Sequence[str], threads: int = 1) -> None:
        from onnx import helper

        graph = model.graph
        consts = {t.name: t for t in graph.initializer}
        types = tensor_types(model)
        self.input_name, _ = float_input(model)
        self.outputs = [o.name for o in graph.output]
        boundary_set = set(boundaries)
        stages: list[list[Any]] = [[]]
        for node in graph.node:
            stages[-1].append(node)
            if boundary_set.intersection(node.output):
                stages.append([])
        stages = [s for s in stages if s]
        needed_later: list[set[str]] = []
        later: set[str] = set(self.outputs)
        for nodes in reversed(stages):
            needed_later.append(set(later))
            for node in nodes:
                later.update(node.input)
        needed_later.reverse()
        self.stages = []
        for nodes, after in zip(stages, needed_later, strict=True):
            produced = {o for n in nodes for o in n.output}
            used = [i for n in nodes for i in n.input if i and i not in produced]
            feeds = [i for i in dict.fromkeys(used) if i not in consts]
            inits = [consts[i] for i in dict.fromkeys(used) if i in consts]
            outs = [o for n in nodes for o in n.output if o in after or o in boundary_set]
            sub = helper.make_graph(  # element type 1 = float, for tensors of unknown type
                nodes, "stage",
                [helper.make_tensor_value_info(f, types.get(f, 1), None) for f in feeds],
                [helper.make_tensor_value_info(o, types.get(o, 1), None) for o in outs],
                initializer=inits)
            sub_model = helper.make_model(sub, opset_imports=model.opset_import,
                                          ir_version=model.ir_version)
            self.stages.append((session(sub_model, threads), feeds, outs))

    def run(self, x: np.ndarray, on_boundary: Any) -> dict[str, np.ndarray]:
        """Run on one input batch; ``on_boundary(name, value)`` may return a replacement."""
        env = {self.input_name: x}
        for sess, feeds, outs in self.stages:
            values = sess.run(outs, {f: env[f] for f in feeds})
            for name, value in zip(outs, values, strict=True):
                replaced = on_boundary(name, value)
                env[name] = value if replaced is None else replaced
        return {o: env[o] for o in self.outputs}


@dataclass(frozen=True)
class ConvNode:
    """A Conv node with constant weights, as the layer list of an engine sees it."""

    name: str
    input: str
    output: str
    weight: np.ndarray
    bias: np.ndarray
    stride: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    #: (top, bottom, left, right) as applied to this node's input size
    pads: tuple[int, int, int, int]
    activation: str


def conv_nodes(model: Any, input_hw: dict[str, tuple[int, int]]) -> list[ConvNode]:
    """Every 2-D Conv with constant weights; ``input_hw`` maps input tensors to (H, W)."""
    consts = _constants(model)
    consumers: dict[str, list[Any]] = defaultdict(list)
    for node in model.graph.node:
        for name in node.input:
            consumers[name].append(node)
    layers = []
    for index, node in enumerate(model.graph.node):
        if node.op_type != "Conv" or node.input[1] not in consts:
            continue
        attrs = {a.name: a for a in node.attribute}
        w = consts[node.input[1]].astype(np.float32)
        if w.ndim != 4:
            continue
        bias = (consts[node.input[2]].astype(np.float32) if len(node.input) > 2
                and node.input[2] else np.zeros(w.shape[0], np.float32))
        stride = tuple(attrs["strides"].ints) if "strides" in attrs else (1, 1)
        dil = tuple(attrs["dilations"].ints) if "dilations" in attrs else (1, 1)
        groups = attrs["group"].i if "group" in attrs else 1
        h, wd = input_hw[node.input[0]]
        kh, kw = w.shape[2:]
        auto = attrs["auto_pad"].s.decode() if "auto_pad" in attrs else "NOTSET"
        if auto in ("SAME_UPPER", "SAME_LOWER"):
            pads = []
            for size, k, s, d in ((h, kh, stride[0], dil[0]), (wd, kw, stride[1], dil[1])):
                total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
                small, big = total // 2, total - total // 2
                pads.append((small, big) if auto == "SAME_UPPER" else (big, small))
            (top, bottom), (left, right) = pads
        elif auto == "VALID":
            top = bottom = left = right = 0
        else:
            p = list(attrs["pads"].ints) if "pads" in attrs else [0, 0, 0, 0]
            top, left, bottom, right = p
        users = consumers[node.output[0]]
        activation = "linear"
        if len(users) == 1 and users[0].op_type == "Relu":
            activation = "relu"
        elif len(users) == 1 and users[0].op_type == "Clip":
            lo, hi = _clip_range(users[0], consts)
            activation = "relu6" if (lo, hi) == (0.0, 6.0) else "linear"
        layers.append(ConvNode(node.name or f"conv{index}", node.input[0], node.output[0],
                               w, bias, stride, dil, groups, (top, bottom, left, right),
                               activation))
    return layers
