"""``/read_number`` through the real HTTP API: the contract of issue 12's "Read a number" tab, and
every kind of bad input answered in words while the server goes on reading.

Inputs: the picture as ``/predict`` takes it (a Sketchpad value: a file goes in as its composite,
``tests.canvases.sketch``), then the network
(default lenet5-global); the first output is the digits read, as a string, then the page's views:
the digits with the sentence, the picture of the cuts, the segmentation graph.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from explorer.examples import example_paths
from lenet.number import BLANK, NOISE, TOO_LONG, write_number
from tests.app.test_bad_input import Raw
from tests.canvases import huge_png, sketch
from tests.weights import require_trained

gradio_client = pytest.importorskip("gradio_client")

NUMBER = "40721"  # written from the shipped MNIST test digits, apart: every version of the reader reads it


def examples() -> np.ndarray:
    """The ten shipped MNIST test digits, float32 (10, 28, 28), ink 1, in the order 0..9."""
    return np.stack([np.asarray(Image.open(p).convert("L"), np.float32) / 255 for p in example_paths()])


def written(number: str, seed: int = 0, touch: float = 0.0) -> np.ndarray:
    """``number`` written by lenet.number.write_number on its 1120×280 canvas from the shipped test digits."""
    canvas, _ = write_number(examples()[[int(d) for d in number]], np.random.default_rng(seed), touch=touch)
    return canvas


def save(picture: np.ndarray, path) -> str:
    Image.fromarray(picture).save(path)
    return str(path)


def scribble() -> np.ndarray:
    """A pen run back and forth across the whole canvas."""
    im = Image.new("L", (1120, 280), 255)
    points = np.random.default_rng(1).uniform([0, 0], [1120, 280], (60, 2))
    ImageDraw.Draw(im).line([tuple(p) for p in points], fill=0, width=12)
    return np.asarray(im)


def forty_digits() -> np.ndarray:
    """40 digits in a row, 112 px high: far beyond the 10 the tab reads."""
    strip = np.hstack([np.pad(d, ((4, 4), (2, 2))) for d in examples()[np.arange(40) % 10]])
    grey = Image.fromarray((255 * (1 - strip)).astype(np.uint8))
    return np.asarray(grey.resize((strip.shape[1] * 4, strip.shape[0] * 4)))


@pytest.fixture(scope="module")
def number(tmp_path_factory) -> str:
    return save(written(NUMBER), tmp_path_factory.mktemp("number") / "number.png")


def still_reading(client, number) -> None:
    """The server goes on: a real number right after is read (its digits, a picture and a graph)."""
    digits, said, picture, graph = client.predict(sketch(number), api_name="/read_number")
    assert digits and "<svg" in picture and "number-graph" in graph, said
    require_trained("lenet5-pieces")
    assert digits == NUMBER


def test_read_number_signature(client):
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/read_number"]
    assert [p["parameter_name"] for p in api["parameters"]] == ["drawing", "name"]
    assert api["parameters"][0]["component"] in ("Sketchpad", "Imageeditor")
    assert api["parameters"][1]["parameter_default"] == "lenet5-global"
    assert api["returns"][0]["component"] == "Textbox"


@pytest.mark.usefixtures("trained")
def test_a_written_number_reads_right_and_its_cuts_are_drawn(client, number):
    digits, said, picture, graph = client.predict(sketch(number), "lenet5-pieces", api_name="/read_number")
    assert digits == NUMBER
    assert "Read 5 digits: 40721." in said and said.count("<span") == 5  # the big digits, one span each
    assert picture.count('<rect class="piece"') == 5 and picture.count('class="cut on') == 4
    assert graph.count('class="arc path"') == 5


@pytest.mark.usefixtures("trained")
@pytest.mark.parametrize("network", ["lenet5", "lenet1", "lenet5-paper"])
def test_the_page_s_networks_read_numbers_too(client, number, network):
    digits, said, _, _ = client.predict(sketch(number), network, api_name="/read_number")
    assert len(digits) >= 2 and digits.isdigit(), said  # what each makes of it is its own affair


def test_blank_is_answered_with_what_to_do(client, number, tmp_path):
    digits, said, picture, graph = client.predict(
        sketch(save(np.full((280, 1120), 255, np.uint8), tmp_path / "blank.png")), api_name="/read_number"
    )
    assert digits == "" and BLANK in said and picture == graph == ""
    still_reading(client, number)


def test_nothing_sent_is_blank_too(client, number):
    raw = Raw(client.src)
    status, message = raw.call("read_number", [None, "lenet5-pieces"])
    assert status == 200 and message["success"], message
    assert message["output"]["data"][0] == "" and BLANK in message["output"]["data"][1]


@pytest.mark.usefixtures("trained")
def test_a_single_digit_is_read_and_the_tab_says_it_wants_a_row(client, tmp_path):
    canvas, _ = write_number(examples()[[7]], np.random.default_rng(0))
    digits, said, _, _ = client.predict(sketch(save(canvas, tmp_path / "seven.png")), api_name="/read_number")
    assert digits == "7" and "one digit" in said and "2 to 10" in said


def test_forty_digits_are_refused_as_too_long(client, number, tmp_path):
    digits, said, _, _ = client.predict(sketch(save(forty_digits(), tmp_path / "forty.png")), api_name="/read_number")
    assert digits == "" and TOO_LONG in said
    still_reading(client, number)


def test_a_scribble_across_everything_is_refused(client, number, tmp_path):
    digits, said, _, _ = client.predict(sketch(save(scribble(), tmp_path / "scribble.png")), api_name="/read_number")
    assert digits == "" and NOISE in said
    still_reading(client, number)


def test_a_huge_picture_is_refused_before_decoding(client, number, tmp_path):
    digits, said, _, _ = client.predict(sketch(huge_png(tmp_path / "huge.png")), api_name="/read_number")
    assert digits == "" and "too big" in said
    still_reading(client, number)


@pytest.mark.parametrize("content", [b"", b"not a picture at all", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64])
def test_a_file_that_is_not_a_picture_is_refused(client, number, tmp_path, content):
    path = tmp_path / "broken.png"
    path.write_bytes(content)
    digits, said, _, _ = client.predict(sketch(path), api_name="/read_number")
    assert digits == "" and "refused" in said and "picture" in said
    still_reading(client, number)


@pytest.mark.parametrize("network", ["lenet9", 42, ["lenet5"], None])
def test_an_unknown_network_is_named_in_the_answer(client, number, network):
    status, message = Raw(client.src).call("read_number", [None, network])
    assert status == 200 and message["success"], message
    digits, said = message["output"]["data"][:2]
    assert digits == "" and "There is no network called" in said and "lenet5-pieces" in said
    still_reading(client, number)


@pytest.mark.parametrize(
    "value, says",
    [
        ({"strokes": "no", "brush": 24, "width": 1120, "height": 280}, "must be a list"),
        ({"strokes": [[[1, 2]]] * 101, "brush": 24, "width": 1120, "height": 280}, "the limit is 100"),
        ({"strokes": [[[1e9, 2]]], "brush": 24, "width": 1120, "height": 280}, "far outside"),
        # a zigzag over the whole width, under a huge pen: too much ink, and the number is asked for
        (
            {
                "strokes": [[[0 if i % 2 else 1120, 280 * (i % 7) / 6] for i in range(200)]],
                "brush": 120,
                "width": 1120,
                "height": 280,
            },
            "too much ink to read: clear it and write a number of 2 to 10 digits in a row.",
        ),
    ],
)
def test_the_wide_canvas_s_bad_strokes_get_a_clear_message(client, number, value, says):
    status, message = Raw(client.src).call("number_strokes", [value, "lenet5-pieces"])
    assert status == 200 and message["success"], message
    assert message["output"]["data"][0] == "" and says in message["output"]["data"][1]
    still_reading(client, number)


# --- /read_number_sdnn: the same picture read by the SDNN (section VII), without cutting ----------------


def test_read_number_sdnn_signature(client):
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/read_number_sdnn"]
    assert [p["parameter_name"] for p in api["parameters"]] == ["drawing"]
    assert [r["component"] for r in api["returns"]] == ["Textbox", "Html"]


def test_the_sdnn_reads_a_written_number_with_its_output_map(client, number):
    digits, view = client.predict(sketch(number), api_name="/read_number_sdnn")
    assert digits.isdigit() and "sdnn-map" in view and "SDNN read" in view
    assert view.count('<g class="cell">') >= 5  # one cell per output column, a few per digit
    require_trained("lenet5-sdnn")
    assert digits == NUMBER


@pytest.mark.parametrize("picture, says", [("blank", BLANK), ("scribble", NOISE), ("forty", TOO_LONG)])
def test_the_sdnn_answers_bad_input_in_words(client, number, tmp_path, picture, says):
    array = {"blank": np.full((280, 1120), 255, np.uint8), "scribble": scribble(), "forty": forty_digits()}[picture]
    digits, view = client.predict(sketch(save(array, tmp_path / f"{picture}.png")), api_name="/read_number_sdnn")
    assert digits == "" and says in view and "sdnn-map" not in view
    still_reading(client, number)
