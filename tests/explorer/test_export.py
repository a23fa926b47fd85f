"""The offline kit (explorer/export.py): the files it writes, the app's scripts reused as they are, and
weights that are the shipped ones, bit for bit. In a browser: tests/app/test_offline_browser.py."""

from __future__ import annotations

import gzip
import json
import re

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file

from explorer import assets, export, live
from lenet.checkpoint import architecture, save_model, weights_path
from lenet.model import build_model
from lenet.network import DEFAULT, TITLES
from tests.explorer.test_live import unplanes
from tests.weights import TRAINED, WEIGHTS, untrained

FILES = {"index.html", "style.css", "weights.js", "lenet.js", "canvas.js", "a11y.js", "offline.js", "README.md"}


def kit_data(folder) -> dict:
    """What weights.js sets: globalThis.LENET_KIT = {...};"""
    text = (folder / "weights.js").read_text()
    found = re.search(r"^globalThis\.LENET_KIT = (\{.*\});$", text, re.MULTILINE)
    assert found, text[:200]
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def networks():
    return {name: untrained(name, seed=i) for i, name in enumerate(TITLES)}


@pytest.fixture(scope="module")
def kit(networks, tmp_path_factory):
    folder = tmp_path_factory.mktemp("kit")
    written = export.export(folder, networks)
    assert {p.name for p in written} == FILES
    return folder


def test_the_kit_holds_its_files_and_each_script_the_page_loads(kit):
    assert {p.name for p in kit.iterdir()} == FILES
    page = (kit / "index.html").read_text()
    for src in re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', page):
        assert (kit / src).is_file(), src
    assert "http://" not in page and "https://" not in page  # nothing from the internet
    assert page.count("<template id=") == len(TITLES)  # a view for every network of the switch
    assert f'value="{DEFAULT}" checked' in page


def test_the_apps_scripts_travel_unchanged(kit):
    """lenet.js is the app's live reading itself; canvas.js and a11y.js are the app's, wrapped."""
    assert (kit / "lenet.js").read_text() == assets.read("lenet.js")
    assert (kit / "offline.js").read_text() == assets.read("offline.js")
    assert assets.js("canvas.js") in (kit / "canvas.js").read_text()
    assert (kit / "canvas.js").read_text().startswith("function inkCanvas(element, props, watch) {")
    assert assets.js("a11y.js").strip() in (kit / "a11y.js").read_text()


def test_the_weights_are_the_payload_of_the_apps_live_reading(kit, networks):
    data = kit_data(kit)
    assert data["nets"] == json.loads(json.dumps(live.payload(networks)))
    assert data["page"]["default"] == DEFAULT and len(data["page"]["lut"]) == 256


def test_the_readme_makes_the_folder_a_static_space(kit):
    readme = (kit / "README.md").read_text()
    front = readme.split("---")[1]
    assert re.search(r"^sdk: static$", front, re.MULTILINE)
    assert re.search(r"^app_file: index.html$", front, re.MULTILINE)


def test_the_kit_fits_the_budget_of_the_pages_extra_weight(kit):
    """Issue 18's budget for the browser's reading: 500 kB compressed (a static Space and most servers
    send gzip); the weights are most of it."""
    zipped = sum(len(gzip.compress(p.read_bytes(), 9)) for p in kit.iterdir())
    assert zipped <= 500_000, zipped


def test_the_kit_carries_the_shipped_weights_bit_for_bit(tmp_path):
    """``python -m explorer.export DIR`` from the weights folder (the shipped one; without it, untrained
    networks saved there): every tensor of every network equals the .safetensors file's, read directly."""
    folder = WEIGHTS
    if not TRAINED:
        folder = tmp_path / "weights"
        torch.manual_seed(0)
        for name in TITLES:
            save_model(build_model(architecture(name)), weights_path(name, folder), {"note": "untrained, for tests"})
    export.main([str(tmp_path / "kit"), "--weights", str(folder)])
    nets = kit_data(tmp_path / "kit")["nets"]
    assert list(nets) == list(TITLES)
    for name, net in nets.items():
        shipped = load_file(str(weights_path(name, folder)))
        values = unplanes(net["weights"])
        assert sorted(k for k, _ in net["tensors"]) == sorted(shipped), name
        at = 0
        for key, shape in net["tensors"]:
            n = int(np.prod(shape))
            assert np.array_equal(values[at : at + n].reshape(shape), shipped[key]), (name, key)
            at += n
        assert at == len(values)


def test_missing_weights_stop_the_export_with_the_fix(tmp_path):
    with pytest.raises(SystemExit, match="Cannot write the kit"):
        export.main([str(tmp_path / "kit"), "--weights", str(tmp_path / "nothing")])
