"""Each real dataset names the network of ``accelbench networks`` its convolutions belong
to (``network_name``): same layer names, shapes, kernels, strides, pads and groups, the
same shortcut additions and the same classifier as the ONNX graph."""

from __future__ import annotations

import pytest

from accelbench.datasets import get_source, real_conv_layers
from accelbench.datasets.onnx_graph import find_taps, float_input, tensor_shapes
from accelbench.networks.zoo import ZOO

SOURCES = ["efficientnet-lite0", "resnet50-1by2"]


def _geometry(layer):
    return (layer.in_shape, layer.out_shape, layer.kernel, layer.stride, layer.pads,
            layer.groups, layer.activation)


@pytest.mark.parametrize("name", SOURCES)
def test_real_convolutions_are_the_networks_compute_layers(name):
    source = get_source(name)
    assert source.network_name == name
    network = ZOO[source.network_name]()
    convs = {la.name: la for la in network.compute_layers() if la.op != "fc"}
    real = real_conv_layers(source, 0)
    assert [r.name for r in real] == list(convs)  # the same layers, in the same order
    for r in real:
        assert _geometry(convs[r.name]) == (r.input.shape, r.output.shape, r.kernel,
                                           r.stride, r.pads, r.groups, r.activation), r.name


def _zoo_name_of_tensors(source, network):
    """ONNX tensor -> the network layer computing the same values (activations are fused
    into the layer that produces their input)."""
    model = source.model()
    by_inputs = {}
    for layer in network.layers:
        by_inputs.setdefault((layer.op, frozenset(layer.inputs)), layer.name)
    names = {model.graph.input[0].name: "input"}
    adds = 0
    for node in model.graph.node:
        ins = [names.get(i) for i in node.input if i in names]
        if node.op_type == "Conv":
            names[node.output[0]] = source.conv_label(node.name, node.output[0], model)
        elif node.op_type in ("Relu", "Clip", "Transpose"):
            names[node.output[0]] = ins[0]
        elif node.op_type == "Add" and len(ins) == 2:
            # a residual addition: the network has an add layer of exactly these operands
            names[node.output[0]] = by_inputs[("add", frozenset(ins))]
            adds += 1
        elif node.op_type == "MaxPool":
            names[node.output[0]] = by_inputs[("maxpool", frozenset(ins))]
    return names, adds


@pytest.mark.parametrize("name", SOURCES)
def test_shortcuts_and_classifier_match_the_onnx_graph(name):
    source = get_source(name)
    network = ZOO[source.network_name]()
    names, adds = _zoo_name_of_tensors(source, network)
    assert adds == sum(la.op == "add" for la in network.layers) > 0
    # every recorded map is the output of a network layer of the same shape
    model = source.model()
    input_name, dims = float_input(model)
    shapes = tensor_shapes(model, {input_name: [1 if isinstance(d, str) else d
                                                for d in dims]})
    for tap in find_taps(model):
        assert network.layer(names[tap.name]).out_shape == shapes[tap.name][1:], tap.name
    classifier = network.compute_layers()[-1]
    logits = source.logits(source.images()[0])
    assert classifier.op == "fc" and classifier.out_shape[0] == logits.shape[1]
    last_map = network.layer(names[source.taps()[-1].name])
    assert classifier.in_features == last_map.out_shape[0]  # after the global pool
