"""Lists every sub-package of the three folders installed inside `accelbench`.

Metadata lives in pyproject.toml; this file only exists because setuptools cannot
discover packages under a `package-dir` mapping by itself, and a new design package in
designs/ must be installed without anyone editing a list.
"""

from setuptools import find_packages, setup

ROOTS = {"accelbench": "accelbench", "accelbench.designs": "designs",
         "accelbench.plugins": "plugins", "accelbench.benchmarks": "benchmarks"}

packages = []
for package, folder in ROOTS.items():
    packages.append(package)
    packages += [f"{package}.{sub}" for sub in find_packages(folder)]

setup(packages=packages)
