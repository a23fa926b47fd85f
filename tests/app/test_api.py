"""The app through its real HTTP API: gradio_client against the app served in-process.

The contract: ``/predict`` takes the Sketchpad value first (then the network, with a default) and
its first output is a gr.Label whose top label is the digit itself ("7").
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from explorer.examples import example_paths
from tests.canvases import mnist_canvas, sketch, stroke_canvas
from tests.weights import require_trained

gradio_client = pytest.importorskip("gradio_client")


def save(rgba: np.ndarray, path) -> str:
    Image.fromarray(rgba).save(path)
    return str(path)


def test_api_names_and_signature(client):
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert "/predict" in api and "/predict_image" in api
    params = api["/predict"]["parameters"]
    assert params[0]["component"] in ("Sketchpad", "Imageeditor")  # Sketchpad is an ImageEditor template
    assert all(p["parameter_has_default"] for p in params[1:])
    assert api["/predict"]["returns"][0]["component"] == "Label"
    strokes = api["/strokes"]["parameters"]  # the canvas's: its strokes, the network, the unit followed
    assert strokes[0]["type"]["properties"].keys() == {"strokes", "brush", "width", "height"}
    assert [p["parameter_name"] for p in strokes] == ["value", "name", "unit"]
    assert api["/strokes"]["returns"][0]["component"] == "Label"


def test_a_drawing_gets_a_digit_label(client, tmp_path):
    label, message, view = client.predict(sketch(save(stroke_canvas(), tmp_path / "seven.png")), api_name="/predict")
    assert label["label"] in [str(d) for d in range(10)]
    assert [c["label"] for c in label["confidences"]][0] == label["label"] and len(label["confidences"]) == 3
    assert label["label"] in message
    assert "<b>C1</b>" in view and "<b>C3</b>" in view and "data:image/png;base64," in view


def test_both_networks(client, tmp_path):
    path = sketch(save(stroke_canvas(), tmp_path / "seven.png"))
    _, message5, view5 = client.predict(path, "lenet5", api_name="/predict")
    _, message1, view1 = client.predict(path, "lenet1", api_name="/predict")
    assert "LeNet-5" in message5 and "<b>F6</b>" in view5
    assert "LeNet-1" in message1 and "<b>F6</b>" not in view1


@pytest.mark.parametrize("what", ["blank", "cleared"])
def test_empty_canvas_invites_to_draw(client, tmp_path, what):
    if what == "blank":
        value = sketch(save(np.full((280, 280, 4), 255, np.uint8), tmp_path / "blank.png"))
    else:
        value = {"background": None, "layers": [], "composite": None, "id": None}
    label, message, view = client.predict(value, api_name="/predict")
    assert not label.get("label") and "Draw a digit" in message and "<b>C1</b>" in view


def test_an_uploaded_mnist_example_is_read(client):
    path = example_paths()[0]
    label, message, _ = client.predict(gradio_client.handle_file(str(path)), api_name="/predict_image")
    assert label["label"] in [str(d) for d in range(10)]
    assert [c["label"] for c in label["confidences"]][0] == label["label"]  # the answer leads its confidences
    require_trained()
    assert label["label"] == path.stem.split("-")[-1]


@pytest.mark.usefixtures("trained")
@pytest.mark.parametrize("model", ["lenet5", "lenet1"])
def test_reads_mnist_test_digits_drawn_on_the_canvas(client, tmp_path, model, mnist_test):
    """MNIST test digits, enlarged onto a 280 px canvas as if drawn there, are read correctly (MNIST from
    the mnist_test fixture: skipped where it is not fetched, failed under CI=true)."""
    images, labels = mnist_test
    right = 0
    n = 20
    for i in range(n):
        path = save(mnist_canvas(images[i, 0].numpy()), tmp_path / f"{i}.png")
        label, _, _ = client.predict(sketch(path), model, api_name="/predict")
        right += label["label"] == str(int(labels[i]))
    assert right >= n - 1, f"{model} read {right} of {n}"


def test_design_choices_reads_the_picture_with_lenet5_and_every_variant(client, tmp_path):
    from lenet.checkpoint import WEIGHTS_DIR, weights_path
    from lenet.model import VARIANTS

    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/design_choices"]
    assert api["returns"][0]["component"] == "Json"
    data, view = client.predict(sketch(save(stroke_canvas(), tmp_path / "seven.png")), api_name="/design_choices")
    assert list(data) == ["lenet5", *VARIANTS] and "Why LeNet-5 was built this way" in view
    for name, entry in data.items():
        if name == "lenet5" or weights_path(name, WEIGHTS_DIR).is_file():
            assert entry["answer"] in range(10) and len(entry["confidences"]) == 10
        else:
            assert entry["missing"] == f"python -m lenet.train --model {name}"
    answer = data["lenet5"]["answer"]
    blank = sketch(save(np.full((280, 280, 4), 255, np.uint8), tmp_path / "blank.png"))
    data, _ = client.predict(blank, api_name="/design_choices")
    assert list(data) == ["error"] and "digit" in data["error"].lower()
    require_trained("lenet5")
    assert answer == 7
