"""A test-only plugin (loaded through ``ACCELBENCH_PLUGINS``) with designs that misbehave
on purpose, for the Dask executor tests: Dask workers are separate processes, so a design
must come from a plugin they load themselves.

* ``test-raises-w8`` raises in ``evaluate``;
* ``test-dies-w8`` kills the worker process that evaluates it, every time;
* ``test-slow-w8`` writes its process id to ``$ACCELBENCH_TEST_PIDFILE`` and, the first
  time only, sleeps long enough for a test to kill that worker; otherwise it is ZVC.
"""

import os
import time
from pathlib import Path

from accelbench import hookimpl
from accelbench.designs.zvc import ZvcCodec

PIDFILE = "ACCELBENCH_TEST_PIDFILE"


class _Renamed(ZvcCodec):
    def __init__(self, name: str) -> None:
        super().__init__(8)
        self.name = name


class RaisingDesign(_Renamed):
    def evaluate(self, *args, **kwargs):
        raise RuntimeError("injected failure")


class DyingDesign(_Renamed):
    def evaluate(self, *args, **kwargs):
        os._exit(3)


class SlowDesign(_Renamed):
    def evaluate(self, *args, **kwargs):
        pidfile = Path(os.environ[PIDFILE])
        first = not pidfile.exists()
        pidfile.write_text(str(os.getpid()))
        if first:
            time.sleep(60)  # the test kills this worker meanwhile
        return super().evaluate(*args, **kwargs)


@hookimpl
def accelbench_designs():
    return [RaisingDesign("test-raises-w8"), DyingDesign("test-dies-w8"),
            SlowDesign("test-slow-w8")]
