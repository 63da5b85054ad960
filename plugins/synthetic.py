"""Registers the labelled SYNTHETIC feature-map generator."""

from accelbench import hookimpl
from accelbench.datasets.synthetic import SyntheticSource


@hookimpl
def accelbench_dataset_sources():
    return [SyntheticSource()]
