"""pytest options of the benchmark matrix, and its parametrisation from the registry."""

from __future__ import annotations

import argparse

import pytest

from accelbench.cliutil import non_negative_int, positive_int
from accelbench.design import EvaluationOptions
from accelbench.matrix import matrix_cases
from accelbench.registry import get_registry


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("accelbench")
    group.addoption("--designs", action="append", default=None, metavar="GLOB",
                    help="only designs matching GLOB (repeatable)")
    group.addoption("--workloads", action="append", default=None, metavar="GLOB",
                    help="only workloads matching GLOB, e.g. 'efficientnet-lite0/*'")
    group.addoption("--all-workloads", action="store_true",
                    help="include workloads outside the default matrix")
    group.addoption("--sim-words", type=non_negative_int, default=EvaluationOptions.sim_words,
                    help="words per layer co-simulated through codec netlists (0: none)")
    group.addoption("--simulator", choices=("compiled", "fast"), default="compiled",
                    help="PyRTL simulator of the co-simulations")
    group.addoption("--no-area", action="store_true", help="skip Yosys area figures")
    group.addoption("--max-images", type=positive_int, default=None,
                    help="evaluate at most N images of each dataset")
    group.addoption("--shard", type=_shard_spec, default=None, metavar="I/N",
                    help="run only every N-th case starting at I (for parallel processes)")


def _shard_spec(text: str) -> tuple[int, int]:
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected I/N, got {text!r}") from None
    if not 0 <= index < count:
        raise argparse.ArgumentTypeError(f"need 0 <= I < N, got {text!r}")
    return index, count


def _shard(config: pytest.Config, items: list) -> list:
    spec = config.getoption("--shard")
    if not spec:
        return items
    index, count = spec
    return items[index::count]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    config = metafunc.config
    if not {"case", "design_name"} & set(metafunc.fixturenames):
        return
    selected = matrix_cases(designs=config.getoption("--designs"),
                            workloads=config.getoption("--workloads"),
                            default_only=not config.getoption("--all-workloads"))
    if "case" in metafunc.fixturenames:
        cases = _shard(config, selected)
        metafunc.parametrize("case", cases, ids=[c.id for c in cases])
    if "design_name" in metafunc.fixturenames:
        in_matrix = {c.design for c in selected}
        names = _shard(config, [n for n in get_registry().designs if n in in_matrix])
        metafunc.parametrize("design_name", names, ids=names)


@pytest.fixture(scope="session")
def options(pytestconfig: pytest.Config) -> EvaluationOptions:
    return EvaluationOptions(sim_words=pytestconfig.getoption("--sim-words"),
                             simulator=pytestconfig.getoption("--simulator"),
                             area=not pytestconfig.getoption("--no-area"),
                             max_images=pytestconfig.getoption("--max-images"))
