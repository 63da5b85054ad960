"""Arbitrary ONNX CNNs: which tensors are interlayer feature maps (onnx_graph.find_taps),
and the numpy executor against onnxruntime, checked on small hand-built graphs that have
every pattern once; operators the executor lacks run in onnxruntime, labelled."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from accelbench.datasets import get_source
from accelbench.datasets.executor import Executor
from accelbench.datasets.onnx_graph import ModelError, find_taps, session


def _model(opset: int = 14, extra: tuple = ()):
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
        # an int64 shape computed early and used late
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
        *extra,
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


def _exposing(model, names):
    """A copy of ``model`` that also outputs ``names`` (for onnxruntime)."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    have = {o.name for o in out.graph.output}
    out.graph.output.extend(helper.make_tensor_value_info(n, TensorProto.FLOAT, None)
                            for n in names if n not in have)
    return out


def _input(shape=(1, 3, 32, 32), seed=1):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def test_executor_matches_onnxruntime_and_hooks_replace_maps():
    model = _model()
    x = _input()
    names = [t.name for t in find_taps(model)]
    reference = session(_exposing(model, names)).run(["logits", *names], {"img": x})
    ex = Executor(model)
    assert ex.machine_independent and ex.fallback_ops == []
    mine = ex.run({"img": x}, ["logits", *names])
    for name, theirs in zip(["logits", *names], reference, strict=True):
        # onnxruntime's float32 rounding, propagated: small against each map's range
        np.testing.assert_allclose(mine[name], theirs, rtol=0,
                                   atol=1e-5 * float(np.abs(theirs).max()))
    zeroed = ex.run({"img": x}, ["logits"], watch={"c4"},
                    on_tensor=lambda name, value: np.zeros_like(value))["logits"]
    assert not np.allclose(zeroed, mine["logits"])  # c4 feeds both c5 and the shortcut
    seen = []
    again = ex.run({"img": x}, ["logits"], on_conv=lambda node, i, o: seen.append(
        (node.name, i.shape, o.shape)))["logits"]
    np.testing.assert_array_equal(again, mine["logits"])  # hooks returning None change nothing
    assert [s[0] for s in seen] == ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]


def _pool_model():
    nodes = [
        helper.make_node("MaxPool", ["img"], ["mp"], kernel_shape=[3, 3], strides=[2, 2],
                         ceil_mode=1),
        helper.make_node("AveragePool", ["mp"], ["ap"], kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1], count_include_pad=0, ceil_mode=1),
        helper.make_node("AveragePool", ["ap"], ["ap2"], kernel_shape=[2, 2],
                         pads=[1, 0, 1, 0], count_include_pad=1),
        helper.make_node("Softmax", ["ap2"], ["out"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "pools", [helper.make_tensor_value_info("img", TensorProto.FLOAT,
                                                       [1, 3, 17, 18])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                             ir_version=8)


def test_pooling_rules_match_onnxruntime():
    model = _pool_model()
    x = _input((1, 3, 17, 18), seed=4)
    names = ["mp", "ap", "ap2", "out"]
    theirs = session(_exposing(model, names)).run(names, {"img": x})
    mine = Executor(model).run({"img": x}, names)
    for name, ref in zip(names, theirs, strict=True):
        assert mine[name].shape == ref.shape, name
        np.testing.assert_allclose(mine[name], ref, rtol=1e-5, atol=1e-6)


def test_unsupported_operators_run_in_onnxruntime_and_are_labelled(tmp_path, capsys):
    tanh = helper.make_node("Tanh", ["logits"], ["squashed"])
    model = _model(extra=(tanh,))
    model.graph.output[0].name = "squashed"
    ex = Executor(model)
    assert ex.fallback_ops == ["Tanh"] and not ex.machine_independent
    path = ex.compute_path()
    assert path["onnxruntime_ops"] == ["Tanh"] and path["onnxruntime"]
    x = _input()
    (theirs,) = session(model).run(["squashed"], {"img": x})
    np.testing.assert_allclose(ex.run({"img": x}, ["squashed"])["squashed"], theirs,
                               rtol=1e-5, atol=1e-6)
    file = tmp_path / "tanh.onnx"
    onnx.save(model, str(file))
    source = get_source(f"onnx:{file}?limit=1&formats=fixed8")
    assert "onnxruntime" in source.key_packages()
    maps = source.load("fixed8", cache_dir=tmp_path)
    assert maps.provenance["source"]["compute"]["onnxruntime_ops"] == ["Tanh"]
    assert "can differ between machines" in capsys.readouterr().err


def test_control_flow_is_refused_with_the_operator_named():
    then = helper.make_graph([helper.make_node("Identity", ["img"], ["y"])], "then", [],
                             [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    cond = helper.make_node("Constant", [], ["cond"], value=helper.make_tensor(
        "c", TensorProto.BOOL, [], [True]))
    node = helper.make_node("If", ["cond"], ["out"], then_branch=then, else_branch=then)
    graph = helper.make_graph([cond, node], "g", [helper.make_tensor_value_info(
        "img", TensorProto.FLOAT, [1, 3, 8, 8])], [helper.make_tensor_value_info(
            "out", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              ir_version=8)
    with pytest.raises(ModelError, match="If"):
        Executor(model)


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
