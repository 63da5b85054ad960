"""Run an ONNX model in numpy with the same bits on every machine (the datasets' compute
path), with hooks that see or replace any tensor and every convolution's output.

Every operator of the built-in networks is computed by :mod:`accelbench.datasets.onnx_ops`:
reductions as certified float32 results of float64 arithmetic, everything else as single
IEEE operations per element (see :mod:`accelbench.datasets.exact` for why that cannot
differ between CPUs, BLAS kernels or thread counts). An operator it does not implement
(or implements only for other attributes) runs alone in onnxruntime in float32 instead;
the result is then machine-dependent and :meth:`Executor.compute_path` says so (it is part
of a dataset's cache key and manifest).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as np

from accelbench.datasets.blas import limited_blas
from accelbench.datasets.onnx_graph import ModelError, session, tensor_types
from accelbench.datasets.onnx_ops import OPS, Node, unsupported_reason

#: the deterministic compute path (name and version: part of every dataset's cache key)
COMPUTE_PATH = "numpy-certified-float32"
EXECUTOR_VERSION = 1
#: ops a graph may end in after its logits: the logits are taken before them
PROBABILITY_OPS = {"Softmax", "LogSoftmax"}
PASS_THROUGH_OPS = {"Identity", "Reshape", "Flatten", "Squeeze", "Dropout"}

OnTensor = Callable[[str, np.ndarray], "np.ndarray | None"]
OnConv = Callable[[Node, np.ndarray, np.ndarray], "np.ndarray | None"]


def default_opset(model: Any) -> int:
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return int(entry.version)
    return 1


def logits_tensor(model: Any) -> tuple[str, bool]:
    """The tensor holding the network's logits: its first output, or the input of a final
    Softmax/LogSoftmax (through reshapes); the flag says whether a softmax was skipped."""
    producer = {o: n for n in model.graph.node for o in n.output}
    name = model.graph.output[0].name
    current = name
    while current in producer:
        node = producer[current]
        if node.op_type in PROBABILITY_OPS:
            return node.input[0], True
        if node.op_type not in PASS_THROUGH_OPS:
            break
        current = node.input[0]
    return name, False


class Executor:
    """A model prepared for :meth:`run` (weights converted once)."""

    def __init__(self, model: Any) -> None:
        from onnx import numpy_helper

        self.model = model
        self.opset = default_opset(model)
        self.constants = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        self.nodes = [Node.from_proto(n, i) for i, n in enumerate(model.graph.node)]
        self.fallback: dict[str, str] = {}  # node name -> reason
        for node, proto in zip(self.nodes, model.graph.node, strict=True):
            if any(a.type in (5, 10) for a in proto.attribute):  # GRAPH(S): control flow
                raise ModelError(f"operator {node.op} (node {node.name}) has subgraphs; "
                                 "control flow is not supported")
            reason = unsupported_reason(node, self.opset)
            if reason is not None:
                self.fallback[node.name] = reason
        self._protos = {n.name: p for n, p in zip(self.nodes, model.graph.node, strict=True)}
        self._sessions: dict[str, Any] = {}
        self._types: dict[str, int] | None = None
        self._last_use_cache: dict[tuple[str, ...], dict[str, int]] = {}

    # -- description ------------------------------------------------------------------
    @property
    def fallback_ops(self) -> list[str]:
        """Operator types that run in onnxruntime (float32, machine-dependent)."""
        by_name = {n.name: n.op for n in self.nodes}
        return sorted({by_name[name] for name in self.fallback})

    @property
    def machine_independent(self) -> bool:
        return not self.fallback

    def compute_path(self) -> dict[str, Any]:
        """How the model's tensors are computed (recorded in cache keys and manifests)."""
        path: dict[str, Any] = {"executor": COMPUTE_PATH, "version": EXECUTOR_VERSION,
                                "machine_independent": self.machine_independent}
        if self.fallback:
            from accelbench.datasets.fingerprint import package_version

            path["onnxruntime_ops"] = self.fallback_ops
            path["onnxruntime"] = package_version("onnxruntime")
        return path

    # -- running ----------------------------------------------------------------------
    def _last_use(self, outputs: tuple[str, ...]) -> dict[str, int]:
        cached = self._last_use_cache.get(outputs)
        if cached is None:
            cached = {}
            for index, node in enumerate(self.nodes):
                for name in node.inputs:
                    if name:
                        cached[name] = index
            for name in outputs:
                cached[name] = len(self.nodes)
            self._last_use_cache[outputs] = cached
        return cached

    def run(self, feeds: dict[str, np.ndarray], outputs: Sequence[str], *,
            watch: Collection[str] = (), on_tensor: OnTensor | None = None,
            on_conv: OnConv | None = None) -> dict[str, np.ndarray]:
        """Compute ``outputs`` from ``feeds``.

        ``on_tensor(name, value)`` is called for every tensor in ``watch`` as soon as it is
        computed and may return a replacement (same shape) that the rest of the network
        then uses; ``on_conv(node, input, output)`` likewise for every Conv node, with its
        actual input and its output (before any activation).
        """
        with limited_blas():
            return self._run(feeds, tuple(outputs), set(watch), on_tensor, on_conv)

    def _run(self, feeds: dict[str, np.ndarray], outputs: tuple[str, ...], watch: set[str],
             on_tensor: OnTensor | None, on_conv: OnConv | None) -> dict[str, np.ndarray]:
        last_use = self._last_use(outputs)
        env: dict[str, np.ndarray] = dict(feeds)
        for index, node in enumerate(self.nodes):
            inputs = [None if not name else self._value(name, env, node) for name in
                      node.inputs]
            results = self._compute(node, inputs)
            for name, value in zip(node.outputs, results, strict=False):
                if not name:
                    continue
                if node.op == "Conv" and on_conv is not None and inputs[0] is not None:
                    value = _replaced(on_conv(node, inputs[0], value), value, name)
                if name in watch and on_tensor is not None:
                    value = _replaced(on_tensor(name, value), value, name)
                env[name] = value
            for name in node.inputs:
                if name and last_use.get(name) == index and name not in self.constants:
                    env.pop(name, None)
        missing = [o for o in outputs if o not in env]
        if missing:
            raise ModelError(f"the model does not compute {', '.join(missing)}")
        return {o: env[o] for o in outputs}

    def _value(self, name: str, env: dict[str, np.ndarray], node: Node) -> np.ndarray:
        if name in env:
            return env[name]
        if name in self.constants:
            return self.constants[name]
        raise ModelError(f"node {node.name} ({node.op}) reads {name!r}, which nothing "
                         "computes before it")

    def _compute(self, node: Node, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
        if node.name in self.fallback:
            return self._onnxruntime(node, inputs)
        kernel, _check = OPS[node.op]
        try:
            return kernel(node, inputs, self.opset)
        except (ValueError, IndexError, KeyError, TypeError, NotImplementedError) as exc:
            raise ModelError(f"node {node.name} ({node.op}) failed: {exc}") from None

    def _onnxruntime(self, node: Node, inputs: list[np.ndarray | None]) -> list[np.ndarray]:
        """One node alone in an onnxruntime session (float32, machine-dependent)."""
        from onnx import helper

        feeds = {name: value for name, value in zip(node.inputs, inputs, strict=True)
                 if name and value is not None}
        key = node.name + "|" + ",".join(f"{v.dtype}" for v in feeds.values())
        sess = self._sessions.get(key)
        if sess is None:
            if self._types is None:
                self._types = tensor_types(self.model)
            graph = helper.make_graph(
                [self._protos[node.name]], "node",
                [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(v.dtype),
                                               None) for n, v in feeds.items()],
                [helper.make_tensor_value_info(o, self._types.get(o, 1), None)
                 for o in node.outputs if o])
            sub = helper.make_model(graph, opset_imports=self.model.opset_import,
                                    ir_version=self.model.ir_version)
            sess = self._sessions[key] = session(sub, threads=1)
        try:
            values = sess.run([o for o in node.outputs if o], feeds)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelError(f"onnxruntime failed on node {node.name} ({node.op}): "
                             f"{exc}") from None
        it = iter(values)
        return [next(it) if o else np.empty(0) for o in node.outputs]


def _replaced(new: np.ndarray | None, old: np.ndarray, name: str) -> np.ndarray:
    if new is None:
        return old
    new = np.asarray(new, dtype=old.dtype)
    if new.shape != old.shape:
        raise ModelError(f"a hook returned shape {new.shape} for {name}, expected "
                         f"{old.shape}")
    return new
