"""The dataset cache under damage, signals, unwritable paths and oversized requests: every
case is detected, reported in one line (or rebuilt with a notice) and loses nothing."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from accelbench.cli import main as accelbench_main
from accelbench.datasets import build, get_source, images, store
from accelbench.datasets.manifest import body_sha256
from accelbench.datasets.notices import DatasetCacheWarning

SMALL = "efficientnet-lite0?limit=1&formats=fixed8,uint8"


@pytest.fixture(scope="module")
def golden(tmp_path_factory) -> Path:
    """A cache root holding SMALL, built once; tests work on copies."""
    root = tmp_path_factory.mktemp("golden")
    get_source(SMALL).build(cache_dir=root)
    return root


@pytest.fixture
def cache(golden, tmp_path) -> Path:
    copy = tmp_path / "cache"
    shutil.copytree(golden, copy)
    return copy


def _entry(cache: Path) -> Path:
    return get_source(SMALL).store(cache).directory


def _edit_manifest(cache: Path, change, seal: bool = True) -> None:
    """Apply ``change`` to the manifest; ``seal`` recomputes its integrity digest, as if
    the damage had been written by a faulty program (so the field checks must find it)."""
    path = _entry(cache) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest = change(manifest) or manifest
    if seal and isinstance(manifest, dict):
        manifest["integrity"] = body_sha256(manifest)
    path.write_text(json.dumps(manifest))


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = accelbench_main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_line_error(code: int, err: str) -> str:
    """The error line (besides it only the progress line of a build that was started)."""
    lines = [line for line in err.splitlines()
             if line.strip() and not line.startswith("building dataset ")]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("accelbench: error: "), err
    assert "Traceback" not in err
    return lines[0]


DAMAGE = {
    "edited value": (lambda m: m["formats"]["fixed8"]["layers"][0].update(zero_fraction=0.5),
                     False),
    "layers of the wrong type": (lambda m: m.update(layers="stem"), True),
    "missing key": (lambda m: m.pop("predictions"), True),
    "extra layer": (lambda m: m["formats"]["fixed8"]["layers"].append(
        dict(m["formats"]["fixed8"]["layers"][0])), True),
    "file outside the entry": (lambda m: m["formats"]["uint8"].update(file="../../x.npz"),
                               True),
    "negative scale": (lambda m: m["formats"]["fixed8"]["layers"][2].update(scale=-1.0), True),
    "shape not a list": (lambda m: m["layers"][1].update(shape="32x112x112"), True),
    "zero point out of range": (lambda m: m["formats"]["uint8"]["layers"][0].update(
        zero_point=300), True),
    "not an object": (lambda m: [m], False),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_manifests_are_reported_and_rebuilt(cache, golden, damage):
    change, seal = DAMAGE[damage]
    good = (_entry(golden) / "manifest.json").read_bytes()
    _edit_manifest(cache, change, seal)
    with pytest.warns(DatasetCacheWarning, match="corrupt or incomplete.*rebuilding"):
        maps = get_source(SMALL).load("fixed8", cache_dir=cache)
    assert (_entry(cache) / "manifest.json").read_bytes() == good  # rebuilt, identical
    reference = get_source(SMALL).load("fixed8", cache_dir=golden)
    for a, b in zip(maps.layers, reference.layers, strict=True):
        np.testing.assert_array_equal(a.words, b.words)


def test_info_checks_every_format_and_shows_the_manifest_it_loaded(cache, golden, capsys):
    entry = _entry(cache)
    data = bytearray((entry / "uint8.npz").read_bytes())  # not the format info times
    data[len(data) // 2] ^= 0x10
    (entry / "uint8.npz").write_bytes(bytes(data))
    # and a plausible, sealed edit the words' checks alone cannot see
    true_fraction = json.loads((entry / "manifest.json").read_text())[
        "formats"]["fixed8"]["layers"][0]["zero_fraction"]
    _edit_manifest(cache, lambda m: m["formats"]["fixed8"]["layers"][0].update(
        zero_fraction=0.999))
    with pytest.warns(DatasetCacheWarning, match="uint8"):
        code, out, err = _cli(capsys, "datasets", "info", SMALL, "--cache-dir", str(cache),
                              "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["formats_verified"] == ["fixed8", "uint8"]
    assert info["layers"][0]["zero_fraction"] == true_fraction
    manifest_file = entry / "manifest.json"
    assert info["manifest_sha256"] == hashlib.sha256(manifest_file.read_bytes()).hexdigest()
    assert manifest_file.read_bytes() == (_entry(golden) / "manifest.json").read_bytes()
    assert set(info) >= {"published_manifest_sha256", "matches_published", "content_sha256"}
    assert info["matches_published"] is None  # nothing is published for a limit=1 variant


_BUILDER = """
import sys
from accelbench.cli import main
from accelbench.datasets import build
build.IN_MEMORY_LIMIT = 0  # float maps in a scratch folder: something to clean up
sys.exit(main(["datasets", "build", sys.argv[1], "--cache-dir", sys.argv[2], "--force"]))
"""


def _start_builder(cache: Path, script: str = _BUILDER) -> tuple[subprocess.Popen, Path]:
    proc = subprocess.Popen([sys.executable, "-c", script, SMALL, str(cache)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    entry = _entry(cache)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".scratch-") for p in entry.glob(".*")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the builder never started"
        time.sleep(0.05)
    return proc, entry


def _temporaries(entry: Path) -> list[str]:
    return sorted(p.name for p in entry.iterdir() if p.name.startswith((".tmp-", ".scratch-")))


def test_sigterm_during_a_build_cleans_up_like_sigint(cache):
    """Through the CLI (its SIGTERM handler) ..."""
    proc, entry = _start_builder(cache)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert err.strip().splitlines()[-1] == "accelbench: stopped by SIGTERM"
    assert "Traceback" not in err
    assert _temporaries(entry) == []
    assert not (entry / "manifest.json").exists()  # no half-built entry looks valid
    with open(get_source(SMALL).store(cache).lock_path) as handle:  # the lock is free
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    get_source(SMALL).load("fixed8", cache_dir=cache)  # and the next use rebuilds it


_LIBRARY_BUILDER = """
import sys
from accelbench.datasets import build, get_source
build.IN_MEMORY_LIMIT = 0
try:
    get_source(sys.argv[1]).build(cache_dir=sys.argv[2], force=True)
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
    sys.exit(3)
"""


def test_sigterm_during_a_library_build_cleans_up(cache):
    """... and without it (e.g. a pytest process of ``accelbench run``): the builder's own
    handler."""
    proc, entry = _start_builder(cache, _LIBRARY_BUILDER)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3 and "Traceback" not in err, err
    assert _temporaries(entry) == []


def test_files_of_a_killed_builder_are_removed_by_the_next(cache, golden):
    proc, entry = _start_builder(cache)
    time.sleep(0.3)
    proc.kill()  # SIGKILL: no chance to clean up
    proc.communicate(timeout=60)
    assert _temporaries(entry)  # it did leave files behind
    (entry / ".tmp-12345-fixed8.npz").write_bytes(b"partial")  # and an older one
    report = get_source(SMALL).build(cache_dir=cache)
    assert report.built and _temporaries(entry) == []
    assert (entry / "manifest.json").read_bytes() == \
        (_entry(golden) / "manifest.json").read_bytes()


def test_a_rebuild_notice_reaches_the_user_inside_pytest(cache, tmp_path):
    """``accelbench run`` runs the matrix as pytest processes, which capture stderr: the
    notice is a warning, listed in pytest's summary."""
    (_entry(cache) / "fixed8.npz").write_bytes(b"broken")
    test_file = tmp_path / "test_inner.py"
    test_file.write_text(textwrap.dedent(f"""
        from accelbench.datasets import get_source

        def test_load():
            get_source({SMALL!r}).load("fixed8", cache_dir={str(cache)!r})
    """))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(test_file)], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "DatasetCacheWarning" in proc.stdout and "rebuilding" in proc.stdout


@pytest.mark.parametrize("layout", ["cache is a file", "datasets is a file",
                                    "entry is a file"])
def test_an_unwritable_cache_gives_one_line_naming_it(tmp_path, monkeypatch, capsys, layout):
    root = tmp_path / "cache"
    if layout == "cache is a file":
        root.write_text("not a directory")
        where = root
    elif layout == "datasets is a file":
        root.mkdir()
        (root / "datasets").write_text("not a directory")
        where = root / "datasets"
    else:
        (root / "datasets").mkdir(parents=True)
        where = get_source(SMALL).store(root / "datasets").directory
        where.write_text("not a directory")
    monkeypatch.setenv("ACCELBENCH_CACHE", str(root))
    code, _out, err = _cli(capsys, "datasets", "build", SMALL)
    line = _one_line_error(code, err)
    assert str(where) in line and "ACCELBENCH_CACHE" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_cache_gives_one_line_naming_it(tmp_path, monkeypatch, capsys):
    root = tmp_path / "cache"
    (root / "datasets").mkdir(parents=True)
    (root / "datasets").chmod(0o555)
    monkeypatch.setenv("ACCELBENCH_CACHE", str(root))
    try:
        code, _out, err = _cli(capsys, "datasets", "build", SMALL)
    finally:
        (root / "datasets").chmod(0o755)
    assert "ACCELBENCH_CACHE" in _one_line_error(code, err)


def test_sizes_and_counts_are_bounded_before_anything_is_allocated(tmp_path, monkeypatch,
                                                                   capsys):
    for argv, option in ((["--size", "100000"], "size"), (["--limit", "0"], "limit"),
                         (["--limit", "10000000"], "limit")):
        code, _out, err = _cli(capsys, "datasets", "info", "efficientnet-lite0", *argv,
                               "--cache-dir", str(tmp_path))
        assert f"option {option}" in _one_line_error(code, err)
    # the memory one image needs is estimated from the model at the chosen size
    monkeypatch.setattr(build, "available_memory", lambda: 256 << 20)
    code, _out, err = _cli(capsys, "datasets", "build", "efficientnet-lite0?limit=1",
                           "--size", "1024", "--cache-dir", str(tmp_path))
    line = _one_line_error(code, err)
    assert "per image" in line and "option size" in line
    monkeypatch.undo()
    # the disk an entry needs, before it is written
    monkeypatch.setattr(build.shutil, "disk_usage", lambda path: SimpleNamespace(
        total=1 << 40, used=1 << 40, free=10 << 20))
    code, _out, err = _cli(capsys, "datasets", "build", SMALL, "--cache-dir", str(tmp_path))
    assert "option limit" in _one_line_error(code, err)
    monkeypatch.undo()
    assert not any(p.is_dir() for p in tmp_path.iterdir())  # no entry was started


def test_loading_and_decoding_are_bounded(cache, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(store, "available_memory", lambda: 1 << 20)
    code, _out, err = _cli(capsys, "datasets", "info", SMALL, "--cache-dir", str(cache))
    assert "option limit" in _one_line_error(code, err)
    monkeypatch.undo()
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 1000)
    code, _out, err = _cli(capsys, "datasets", "build", SMALL, "--cache-dir", str(tmp_path))
    assert "pixels" in _one_line_error(code, err)
    monkeypatch.undo()
    folder = tmp_path / "photos"
    folder.mkdir()
    for ref in images.bundled_images(["chelsea", "coffee"]):
        shutil.copy(ref.path, folder / ref.path.name)
    monkeypatch.setattr(images, "MAX_IMAGES", 1)
    code, _out, err = _cli(capsys, "datasets", "info", "efficientnet-lite0", "--images",
                           str(folder), "--cache-dir", str(tmp_path))
    assert "option limit" in _one_line_error(code, err)
