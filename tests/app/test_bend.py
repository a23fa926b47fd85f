"""``/transform`` through the real HTTP API: the contract of issue 11's "bend the digit".

Inputs: the picture as ``/predict`` takes it (a Sketchpad value, or a file), the network, then
shift_x, shift_y, scale, rotation, squeeze, thickness, noise; the first output is a gr.Label.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from explorer.examples import example_paths
from tests.canvases import sketch, stroke_canvas

gradio_client = pytest.importorskip("gradio_client")

NEUTRAL = (0, 0, 1, 0, 0, 0, 0)
NAMES = ["shift_x", "shift_y", "scale", "rotation", "squeeze", "thickness", "noise"]


@pytest.fixture(scope="module")
def seven(tmp_path_factory):
    path = tmp_path_factory.mktemp("bend") / "seven.png"
    Image.fromarray(stroke_canvas()).save(path)
    return path


def test_transform_signature(client):
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/transform"]
    names = [p["parameter_name"] for p in api["parameters"]]
    assert names[2:] == NAMES
    assert api["parameters"][0]["component"] in ("Sketchpad", "Imageeditor")
    assert api["returns"][0]["component"] == "Label"


@pytest.mark.parametrize("network", ["lenet5", "lenet1", "lenet5-paper"])
def test_neutral_transform_reads_exactly_as_predict(client, seven, network):
    predicted = client.predict(sketch(seven), network, api_name="/predict")[0]
    transformed = client.predict(sketch(seven), network, *NEUTRAL, api_name="/transform")[0]
    assert transformed == predicted


def test_neutral_transform_of_an_mnist_file_reads_as_predict(client):
    path = example_paths()[3]
    predicted = client.predict(sketch(path), "lenet5", api_name="/predict")[0]
    assert client.predict(sketch(path), "lenet5", *NEUTRAL, api_name="/transform")[0] == predicted


def test_a_bent_digit_is_read_and_out_of_range_is_clamped_with_a_message(client, seven):
    label, now, sweep = client.predict(sketch(seven), "lenet5", 0, 0, 1, 400, 0, 0, 0, api_name="/transform")
    assert label["label"] in [str(d) for d in range(10)]
    assert "rotation = 400 is out of range" in now and "180 was used" in now
    assert "<svg" in sweep and "reads your" in sweep
    turned = client.predict(sketch(seven), "lenet5", 0, 0, 1, 180, 0, 0, 0, api_name="/transform")[0]
    assert turned == label


def test_bad_settings_and_networks_are_refused_in_words(client, seven):
    label, now, _ = client.predict(sketch(seven), "lenet9", *NEUTRAL, api_name="/transform")
    assert label.get("label") is None and "no network called" in now
    label, now, _ = client.predict(sketch(seven), "lenet5", "left", 0, 1, 0, 0, 0, 0, api_name="/transform")
    assert label.get("label") is None and "must be a number" in now


def test_a_shift_changes_the_distances(client, seven):
    _, still, _ = client.predict(sketch(seven), "lenet5", *NEUTRAL, api_name="/transform")
    _, moved, _ = client.predict(sketch(seven), "lenet5", 6, 0, 1, 0, 0, 0, 0, api_name="/transform")
    assert still != moved
    assert np.isfinite(len(moved))
