"""Which tensors of an arbitrary ONNX CNN are interlayer feature maps (onnx_graph.find_taps),
checked on a small hand-built graph that has every pattern once."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from accelbench.datasets import get_source
from accelbench.datasets.onnx_graph import StagedRunner, find_taps, session


def _model(opset: int = 14):
    rng = np.random.default_rng(0)
    inits = []

    def const(name, shape, scale=0.3):
        inits.append(numpy_helper.from_array((rng.standard_normal(shape) * scale)
                                             .astype(np.float32), name))
        return name

    def int_const(name, values):
        inits.append(numpy_helper.from_array(np.array(values, np.int64), name))
        return name

    def conv(name, x, cin, cout):
        return helper.make_node("Conv", [x, const(f"{name}.w", (cout, cin, 3, 3)),
                                         const(f"{name}.b", (cout,))], [name],
                                pads=[1, 1, 1, 1], name=name)

    nodes = [
        conv("c1", "img", 3, 8), helper.make_node("Relu", ["c1"], ["relu1"]),
        # an int64 shape computed early and used late: crosses StagedRunner stages
        helper.make_node("Shape", ["relu1"], ["shape1"]),
        helper.make_node("Gather", ["shape1", int_const("zero", [0])], ["batch"], axis=0),
        helper.make_node("Concat", ["batch", int_const("minus1", [-1])], ["flat_shape"],
                         axis=0),
        conv("c2", "relu1", 8, 8), helper.make_node("Sigmoid", ["c2"], ["sig2"]),
        helper.make_node("Mul", ["c2", "sig2"], ["silu2"]),
        conv("c3", "silu2", 8, 8), helper.make_node("HardSwish", ["c3"], ["hs3"]),
        conv("c4", "hs3", 8, 8),                                    # linear: feeds c5 and add
        conv("c5", "c4", 8, 8), helper.make_node("Add", ["c5", "c4"], ["res5"]),
        conv("c6", "res5", 8, 8), helper.make_node("Add", ["c6", "res5"], ["add6"]),
        helper.make_node("Relu", ["add6"], ["relu6"]),              # add fused into the relu
        conv("c7", "relu6", 8, 8),
        helper.make_node("LeakyRelu", ["c7"], ["leaky7"], alpha=0.1),
        helper.make_node("GlobalAveragePool", ["leaky7"], ["pool"]),
        helper.make_node("Reshape", ["pool", "flat_shape"], ["flat"]),
        helper.make_node("Gemm", ["flat", const("fc.w", (16, 8)), const("fc.b", (16,))],
                         ["fc"], transB=1),
        helper.make_node("Add", ["fc", const("fc.bias2", (16,))], ["fc2"]),  # a bias add
        helper.make_node("Relu", ["fc2"], ["fcrelu"]),
        helper.make_node("Gemm", ["fcrelu", const("out.w", (10, 16)), const("out.b", (10,))],
                         ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes, "patterns", [helper.make_tensor_value_info("img", TensorProto.FLOAT,
                                                          [1, 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              ir_version=8)
    onnx.checker.check_model(model)
    return model


def test_find_taps_classifies_every_pattern():
    taps = [(t.name, t.kind) for t in find_taps(_model())]
    assert taps == [("relu1", "relu"), ("silu2", "activation"), ("hs3", "activation"),
                    ("c4", "linear"), ("res5", "residual"), ("relu6", "relu"),
                    ("leaky7", "activation"), ("fcrelu", "relu")]
    assert [t.name for t in find_taps(_model(), kinds=("relu",))] == ["relu1", "relu6",
                                                                      "fcrelu"]


def test_staged_runner_replaces_maps_and_keeps_shortcuts():
    model = _model()
    x = np.random.default_rng(1).standard_normal((1, 3, 32, 32)).astype(np.float32)
    (plain,) = session(model).run(["logits"], {"img": x})
    runner = StagedRunner(model, [t.name for t in find_taps(model)])
    same = runner.run(x, lambda name, value: None)["logits"]
    np.testing.assert_allclose(same, plain, rtol=1e-5, atol=1e-5)
    zeroed = runner.run(x, lambda name, value: np.zeros_like(value) if name == "c4" else None)
    assert not np.allclose(zeroed["logits"], plain)  # c4 feeds both c5 and the shortcut


def test_onnx_source_builds_datasets_of_any_shape(tmp_path):
    path = tmp_path / "patterns.onnx"
    onnx.save(_model(), str(path))
    source = get_source(f"onnx:{path}?limit=3&formats=fixed8,bfloat16")
    assert source.preprocessing().size == 32  # taken from the model's fixed input
    maps = source.load("fixed8", cache_dir=tmp_path)
    assert [la.kind for la in maps.layers] == ["relu", "activation", "activation", "linear",
                                              "residual", "relu", "activation", "relu"]
    assert maps.layers[0].shape == (8, 32, 32) and maps.layers[-1].shape == (16,)
    assert maps.images == ["chelsea", "coffee", "astronaut"]
    assert source.load("bfloat16", cache_dir=tmp_path).layers[0].words.dtype == np.int16
