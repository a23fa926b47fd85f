"""Preprocessing on synthetic canvases: whatever the size, place, pen or polarity of a drawing,
the network must receive the same MNIST-style 28×28 digit."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from explorer.examples import example_paths
from lenet.preprocess import ink_map, normalize, preprocess, stroke_width
from tests.canvases import ZERO, centre_of_mass, ink_box, mnist_canvas, stroke_canvas

REFERENCE = stroke_canvas()  # a 7, 100×160 px, 24 px pen, on a 280 px canvas


def check_mnist_like(x: np.ndarray) -> None:
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0 and x.max() > 0.5
    cy, cx = centre_of_mass(x)
    assert abs(cy - 14.0) <= 0.75 and abs(cx - 14.0) <= 0.75, (cy, cx)
    h, w = ink_box(x)
    assert 18 <= max(h, w) <= 21, (h, w)  # fitted into MNIST's 20×20 box


def test_reference_drawing_is_mnist_like():
    check_mnist_like(preprocess(REFERENCE))


@pytest.mark.parametrize(
    "box, width",
    [
        ((5, 5, 60, 96), 14),  # off-centre, top-left corner
        ((200, 160, 50, 80), 12),  # off-centre, bottom-right corner
        ((130, 120, 12, 20), 3),  # tiny
        ((2, 2, 270, 274), 40),  # fills the canvas
    ],
)
def test_size_and_place_do_not_matter(box, width):
    reference = preprocess(REFERENCE)
    x = preprocess(stroke_canvas(box=box, width=width))
    check_mnist_like(x)
    assert np.abs(x - reference).mean() < 0.06


def test_huge_input_is_bounded_and_read_the_same():
    huge = stroke_canvas(size=4000, box=(700, 600, 1430, 2290), width=340)
    start = time.perf_counter()
    x = preprocess(huge)
    assert time.perf_counter() - start < 3.0  # generous: the machine may be busy
    check_mnist_like(x)
    assert np.abs(x - preprocess(REFERENCE)).mean() < 0.06


@pytest.mark.parametrize("width", [1, 3, 60])
def test_thin_and_thick_pens(width):
    x = preprocess(stroke_canvas(shape=ZERO, width=width))
    check_mnist_like(x)


@pytest.mark.parametrize("width", [1, 3, 24, 60])
def test_pen_width_is_made_mnist_like(width):
    """MNIST's pens are 1.4–2.6 px wide (10th–90th percentile, by stroke_width)."""
    x = preprocess(stroke_canvas(shape=ZERO, width=width))
    assert 1.2 <= stroke_width(x) <= 3.2


def test_tiny_digit_drawn_with_the_big_brush_is_not_a_blob():
    blob = preprocess(stroke_canvas(shape=ZERO, box=(120, 110, 30, 48), width=24))  # pen ≈ half the digit
    assert stroke_width(blob) <= 3.2
    assert blob[12:16, 12:16].mean() < 0.5  # the hole of the 0 is still (partly) open


def test_inverted_polarity_gives_the_same_digit():
    rgba = REFERENCE.copy()
    rgba[:, :, :3] = 255 - rgba[:, :, :3]  # white ink on black
    np.testing.assert_allclose(preprocess(rgba), preprocess(REFERENCE), atol=1e-6)


def test_transparent_canvas_with_ink_in_alpha():
    ink = 255 - REFERENCE[:, :, 0]
    for colour in (0, 255):  # black ink or white ink, nothing else than alpha to go by
        rgba = np.zeros_like(REFERENCE)
        rgba[:, :, :3] = colour
        rgba[:, :, 3] = ink
        np.testing.assert_allclose(preprocess(rgba), preprocess(REFERENCE), atol=1e-6)


def test_grey_rgb_float_and_pil_inputs_agree():
    reference = preprocess(REFERENCE)
    grey = REFERENCE[:, :, 0]
    for image in (grey, REFERENCE[:, :, :3], grey.astype(np.float32) / 255.0, Image.fromarray(REFERENCE)):
        np.testing.assert_allclose(preprocess(image), reference, atol=1e-5)


def test_dark_noisy_photo_with_light_ink():
    rng = np.random.default_rng(0)
    ink = 1.0 - REFERENCE[:, :, 0] / 255.0
    photo = 0.2 + 0.6 * ink + rng.normal(0.0, 0.02, ink.shape)  # grey board, chalk, sensor noise
    rgb = (np.clip(np.repeat(photo[:, :, None], 3, axis=2), 0, 1) * 255).astype(np.uint8)
    x = preprocess(rgb)
    check_mnist_like(x)
    assert np.abs(x - preprocess(REFERENCE)).mean() < 0.06


@pytest.mark.parametrize(
    "value",
    [
        None,
        np.full((280, 280, 4), 255, np.uint8),  # the empty canvas: opaque white
        np.zeros((280, 280, 4), np.uint8),  # fully transparent
        np.zeros((50, 50), np.uint8),  # all one colour
    ],
)
def test_nothing_drawn_is_none(value):
    assert preprocess(value) is None


def test_ink_map_range_and_none():
    ink = ink_map(REFERENCE)
    assert ink.dtype == np.float32 and ink.shape == (280, 280)
    assert ink.min() == 0.0 and ink.max() == 1.0
    assert normalize(np.zeros((10, 10), np.float32)) is None
    with pytest.raises(ValueError):
        ink_map(np.zeros((4, 4, 2), np.uint8))


def test_mnist_digits_survive_the_round_trip():
    """A shipped MNIST example, enlarged as if drawn big, comes back as (nearly) itself."""
    for path in example_paths()[:5]:
        digit = np.asarray(Image.open(path), dtype=np.float32) / 255.0
        assert np.abs(preprocess(mnist_canvas(digit)) - digit).mean() < 0.06, path.name
        assert np.abs(preprocess(str(path)) - digit).mean() < 0.03, path.name
        assert np.abs(preprocess(Path(path)) - digit).mean() < 0.03, path.name


def test_ink_covering_most_of_the_canvas_is_still_ink():
    """A big digit drawn with a thick pen can cover more than half of the canvas; the background
    is what lies at the border, not the picture's majority grey (which would invert the digit)."""
    canvas = np.full((280, 280), 255, dtype=np.uint8)
    canvas[10:270, 30:250] = 0  # a blob of ink, 73% of the canvas
    canvas[100:180, 110:170] = 255  # with a hole: a fat 0
    ink = ink_map(canvas)
    assert ink[140, 50] == 1.0 and ink[140, 140] == 0.0 and ink[2, 2] == 0.0
    digit = normalize(ink)
    assert digit[14, 14] < 0.5 < digit[14, 6]  # the hole stays a hole in the 28×28 field
