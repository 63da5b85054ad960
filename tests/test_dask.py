"""The matrix on Dask distributed (a real LocalCluster, 2 worker processes): the same raw
records as a serial run, and failures reported by case with nothing written."""

import json
import os
import signal
import threading
import time

import pytest

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

from accelbench.executors import parse_executor  # noqa: E402
from accelbench.registry import build_registry  # noqa: E402
from accelbench.runner import run_matrix  # noqa: E402

#: a small matrix: a codec on SYNTHETIC feature maps, an analytical engine on a network
SLICE = {"designs": ["zvc-w8", "eyeriss-like-12x14"],
         "workloads": ["synthetic/fixed8", "net/alexnet"], "all_workloads": True,
         "sim_words": 256, "area": False}


def _records(path):
    """Entries by name: everything but the timings (pytest-benchmark's stats and the
    metrics marked ``exact: False``, e.g. ``model_seconds``) and the evaluation date."""
    doc = json.loads(path.read_text())
    out = {}
    for bench in doc["benchmarks"]:
        extra = json.loads(json.dumps(bench["extra_info"]))
        record = extra.get("accelbench_record")
        if record:
            del record["provenance"]["date"]
            for name, metric in record["metrics"].items():
                if metric.get("exact", True) is False:
                    assert isinstance(metric.pop("value"), float)
                    assert isinstance(extra.pop(name), float)
        out[bench["name"]] = {"fullname": bench["fullname"], "params": set(bench["params"]),
                              "param": bench["param"], "keys": sorted(bench),
                              "stats": sorted(bench["stats"]), "extra_info": extra}
    return doc, out


def test_dask_records_equal_the_serial_run(tmp_path):
    assert run_matrix(results=tmp_path / "serial", name="serial", report=False, **SLICE) == 0
    assert run_matrix(results=tmp_path / "dask", name="dask", executor="dask", jobs=2,
                      **SLICE) == 0
    serial_doc, serial = _records(tmp_path / "serial" / "raw" / "serial.json")
    dask_doc, on_dask = _records(tmp_path / "dask" / "raw" / "dask.json")
    assert sorted(on_dask) == sorted(serial) == [
        "test_case[eyeriss-like-12x14@net/alexnet]", "test_case[zvc-w8@synthetic/fixed8]",
        "test_verify[eyeriss-like-12x14]", "test_verify[zvc-w8]"]
    for name in serial:
        assert on_dask[name] == serial[name], name
    assert sorted(dask_doc) == sorted(serial_doc)
    assert dask_doc["accelbench_run"]["timing"].startswith("under Dask, 2 workers")
    assert serial_doc["accelbench_run"]["timing"] == "serial"
    assert "case times measured under Dask" in (tmp_path / "dask" / "README.md").read_text()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A 2-worker cluster whose workers load the misbehaving test plugin; a task may be
    retried once after its worker died."""
    import dask

    pidfile = tmp_path_factory.mktemp("pid") / "slow.pid"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ACCELBENCH_PLUGINS", "dask_test_plugin")
        mp.setenv("ACCELBENCH_TEST_PIDFILE", str(pidfile))
        mp.setenv("PYTHONPATH", os.pathsep.join(filter(None, [
            os.path.dirname(__file__), os.environ.get("PYTHONPATH")])))
        from accelbench.executors import LOCAL_CLUSTER_CONFIG

        with dask.config.set({**LOCAL_CLUSTER_CONFIG,
                              "distributed.scheduler.allowed-failures": 1}), \
                distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                         dashboard_address=None,
                                         silence_logs=50) as local:
            yield local, build_registry(), pidfile


def _address(local) -> str:
    return "dask://" + local.scheduler_address.removeprefix("tcp://")


def test_a_raising_case_and_a_dying_worker_are_reported_and_the_rest_finish(
        cluster, tmp_path, capsys):
    local, registry, _ = cluster
    code = run_matrix(results=tmp_path, executor=_address(local), registry=registry,
                      designs=["zvc-w8", "test-raises-w8", "test-dies-w8"],
                      workloads=["synthetic/fixed8"], all_workloads=True, sim_words=256,
                      area=False)
    out, err = capsys.readouterr()
    assert code == 1
    failed = sorted(line for line in err.splitlines() if line.startswith("FAILED"))
    assert failed[0] == ("FAILED test-dies-w8@synthetic/fixed8: its worker died (Dask gave "
                         "up after retrying it: " + failed[0].split("retrying it: ", 1)[1])
    assert failed[1] == "FAILED test-raises-w8@synthetic/fixed8: RuntimeError: injected failure"
    assert len(failed) == 2
    assert "2 of 6 tasks failed (the other 4 finished)" in err
    assert "ok zvc-w8@synthetic/fixed8" in out and "ok verify test-dies-w8" in out
    assert list((tmp_path / "raw").iterdir()) == []
    assert not (tmp_path / "README.md").exists()


def test_a_worker_killed_mid_run_is_retried(cluster, tmp_path):
    local, registry, pidfile = cluster
    pidfile.unlink(missing_ok=True)
    with distributed.Client(local) as client:  # the previous test's dead workers are back
        client.wait_for_workers(2, timeout=120)
    killed = []

    def kill_the_slow_worker():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            text = pidfile.read_text() if pidfile.exists() else ""
            if text:
                os.kill(int(text), signal.SIGKILL)
                killed.append(int(text))
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_the_slow_worker, daemon=True)
    killer.start()
    code = run_matrix(results=tmp_path, name="retried", executor=_address(local),
                      registry=registry, designs=["test-slow-w8", "zvc-w8"],
                      workloads=["synthetic/fixed8"], all_workloads=True, sim_words=256,
                      area=False, report=False)
    killer.join(timeout=5)
    assert killed, "the slow case never started"
    assert code == 0
    doc = json.loads((tmp_path / "raw" / "retried.json").read_text())
    records = {b["name"]: b["extra_info"]["accelbench_record"] for b in doc["benchmarks"]
               if "accelbench_record" in b["extra_info"]}
    slow = records["test_case[test-slow-w8@synthetic/fixed8]"]
    zvc = records["test_case[zvc-w8@synthetic/fixed8]"]
    assert slow["metrics"] == zvc["metrics"]  # the retried case finished, and is ZVC
    assert int(pidfile.read_text()) != killed[0]  # ... on another worker process


def test_workers_without_the_runs_designs_are_refused():
    from accelbench.errors import AccelbenchError
    from accelbench.executors import check_workers

    registry = build_registry(entry_points=False)
    with pytest.raises(AccelbenchError, match=r"lacks the designs \['mine-w8'\]"):
        check_workers({"tcp://w": {"designs": ["zvc-w8"], "plugins": {}}}, registry,
                      ["mine-w8"])
    other = {name: "0.0" for name in registry.plugins}
    with pytest.raises(AccelbenchError, match="other versions of the plugins"):
        check_workers({"tcp://w": {"designs": ["zvc-w8"], "plugins": other}}, registry,
                      ["zvc-w8"])


def test_executor_specs():
    from accelbench.errors import AccelbenchError

    assert parse_executor("local") == ("local", None)
    assert parse_executor("dask") == ("dask", None)
    assert parse_executor("dask://10.0.0.5:8786") == ("dask", "tcp://10.0.0.5:8786")
    for bad in ("dask://host", "dask://:8786", "dask://h:99999", "ray"):
        with pytest.raises(AccelbenchError):
            parse_executor(bad)
