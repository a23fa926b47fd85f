"""The canvas's strokes value: checked strictly (a clear message for every malformed or oversized
value, at a bounded cost) and rasterised the way the Sketchpad's composite looked."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from lenet.preprocess import UnreadableImage, preprocess
from lenet.strokes import MAX_POINTS, MAX_STROKES, RASTER, BadStrokes, Strokes, parse, picture, rasterise
from tests.canvases import SEVEN, ZERO, stroke_canvas


def value(strokes, brush=24, width=280, height=280) -> dict:
    return {"strokes": strokes, "brush": brush, "width": width, "height": height}


def drawn(shape, box=(50, 40, 150, 200)) -> list[list[float]]:
    """``shape`` (a unit-box polyline from tests/canvases.py) as canvas points inside ``box``."""
    left, top, w, h = box
    return [[left + x * w, top + y * h] for x, y in shape]


@pytest.mark.parametrize("empty", [None, {}, "", "  ", value([]), value([[], []])])
def test_nothing_drawn_is_none(empty):
    assert parse(empty) is None and picture(empty) is None


def test_a_drawing_parses_to_its_points():
    d = parse(value([drawn(SEVEN), [[10, 10]]], brush=20))
    assert isinstance(d, Strokes) and d.points == 4 and d.brush == 20.0 and (d.width, d.height) == (280, 280)
    assert d.strokes[1] == ((10.0, 10.0),)


def test_json_text_is_accepted_like_the_mapping():
    v = value([drawn(ZERO)])
    assert parse(json.dumps(v)) == parse(v)


def test_rasterised_strokes_match_the_sketchpad_composite():
    """Oracle: the same polyline drawn by tests/canvases.py (as the Sketchpad exported it) and by
    rasterise() from strokes give the same picture, and the same digit after preprocessing."""
    ours = picture(value([drawn(SEVEN)], brush=24))
    theirs = stroke_canvas(SEVEN, width=24)[:, :, 0]
    assert ours.shape == (280, 280) and ours.dtype == np.uint8
    assert np.mean(ours != theirs) < 0.002  # a few edge pixels of the round caps and joints
    diff = np.abs(preprocess(ours) - preprocess(theirs))
    assert diff.mean() < 0.005 and diff.max() < 0.15  # one pixel's anti-aliased edge at most


def test_round_pen_and_single_point_dot():
    dot = picture(value([[[140, 140]]], brush=24))
    rows, cols = np.nonzero(dot < 128)
    assert 22 <= rows.max() - rows.min() + 1 <= 26 and 22 <= cols.max() - cols.min() + 1 <= 26
    assert dot[140 - 11, 140] < 128 and dot[140 - 11, 140 - 11] > 128  # round, not square


def test_resolution_free_big_canvas_is_drawn_scaled():
    """The same drawing on a 4× canvas (points and brush 4×) rasterises at RASTER pixels and reads
    as the same digit."""
    small = value([drawn(SEVEN)], brush=24)
    big = value([[[4 * x, 4 * y] for x, y in drawn(SEVEN)]], brush=96, width=1120, height=1120)
    a, b = picture(small), picture(big)
    assert b.shape == (RASTER, RASTER)
    assert np.abs(preprocess(a) - preprocess(b)).max() < 0.1


def test_points_off_the_canvas_are_kept_and_clipped():
    assert picture(value([[[-50, 140], [330, 140]]])) is not None


BAD = [
    ("a string", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    (42, "not int"),
    ([[1, 2]], "not list"),
    ({"strokes": [], "brush": 24, "width": 280}, "lacks its height"),
    ({**value([]), "colour": "red"}, "unknown key 'colour'"),
    (value("strokes"), "list of strokes"),
    (value([[[1, 2]]], brush=-3), "brush size must be above 0"),
    (value([[[1, 2]]], brush=0), "brush size must be above 0"),
    (value([[[1, 2]]], brush=500), "at most half the canvas"),
    (value([[[1, 2]]], brush=float("nan")), "finite"),
    (value([[[1, 2]]], brush="24"), "must be a number"),
    (value([[[1, 2]]], brush=True), "must be a number"),
    (value([[[1, 2]]], width=-280), "whole number of pixels"),
    (value([[[1, 2]]], width=0), "whole number of pixels"),
    (value([[[1, 2]]], width=280.5), "whole number of pixels"),
    (value([[[1, 2]]], height=10**9), "whole number of pixels"),
    (value([[[1, 2]]], height=float("inf")), "finite"),
    (value([[[1, 2]]], width=None), "must be a number"),
    (value([1, 2]), "list of [x, y] points"),
    (value([[[1, 2, 3]]]), "not a pair"),
    (value([[[1]]]), "not a pair"),
    (value([[{"x": 1, "y": 2}]]), "not a pair"),
    (value([[[float("nan"), 2]]]), "finite"),
    (value([[[1, float("-inf")]]]), "finite"),
    (value([[["1", 2]]]), "must be a number"),
    (value([[[1, None]]]), "must be a number"),
    (value([[[1e9, 2]]]), "far outside"),
    (value([[[1, 2]]] * (MAX_STROKES + 1)), f"limit is {MAX_STROKES}"),
    (value([[[1, 2]] * (MAX_POINTS + 1)]), f"limit is {MAX_POINTS:,}"),
]


@pytest.mark.parametrize("bad, says", BAD, ids=[f"{i}-{says[:20]}" for i, (_, says) in enumerate(BAD)])
def test_malformed_values_get_a_clear_message(bad, says):
    with pytest.raises(BadStrokes) as caught:
        picture(bad)
    assert says in str(caught.value)
    assert isinstance(caught.value, UnreadableImage)  # the app answers it like an unreadable picture


def test_json_text_that_is_nan_is_refused():
    with pytest.raises(BadStrokes, match="finite"):
        parse('{"strokes": [[[NaN, 1]]], "brush": 24, "width": 280, "height": 280}')


def test_millions_of_points_are_refused_at_once():
    """Two million points in one stroke, and as many one-point strokes: refused from the list
    lengths alone, without looking at a point."""
    point = [140, 140]
    huge = value([[point] * 2_000_000])
    many = value([[point]] * 2_000_000)
    for v in (huge, many):
        start = time.perf_counter()
        with pytest.raises(BadStrokes, match="limit is"):
            parse(v)
        assert time.perf_counter() - start < 0.5  # refused before the points are read: ~1 ms idle


def test_json_text_too_long_is_refused_before_parsing():
    text = json.dumps(value([[[140, 140]] * 200_000]))
    start = time.perf_counter()
    with pytest.raises(BadStrokes, match="characters of JSON"):
        parse(text)
    assert time.perf_counter() - start < 0.5  # refused before json.loads: ~1 ms idle


def scribble(n: int, step: float, seed: int = 0) -> list[list[list[float]]]:
    """``n`` points of a random walk with steps of about ``step`` px on the 280 px canvas, as strokes."""
    rng = np.random.default_rng(seed)
    walk = np.clip(140 + np.cumsum(rng.normal(0, step, size=(n, 2)), axis=0), 0, 280).round(1)
    per = max(1, n // MAX_STROKES)
    return [walk[i : i + per].tolist() for i in range(0, n, per)]


@pytest.mark.parametrize("brush", [2, 6, 24])
def test_the_heaviest_allowed_drawings_are_cheap(brush):
    """MAX_POINTS points of scribble (the most a value may hold; a digit is a few hundred): parsed
    and rasterised in a small fraction of a second, or refused for its ink (the 24 px pen)."""
    start = time.perf_counter()
    try:
        image = picture(value(scribble(MAX_POINTS, 2.0), brush=brush))
        assert image.shape == (280, 280) and (image < 128).any()
    except BadStrokes as exc:
        assert "too much ink" in str(exc) and brush == 24
    # A guard against unbounded work, not a speed figure (bench/ has those): ~40 ms idle.
    assert time.perf_counter() - start < 2.5


def test_a_heavy_scribble_is_refused_for_its_ink_before_drawing():
    """Long random segments under a huge pen, on the largest canvas: ~150 M pixel operations to
    draw (half a second): refused by parse(), in the time it takes to read the points."""
    rng = np.random.default_rng(0)
    per = MAX_POINTS // MAX_STROKES
    jumps = [rng.uniform(0, 4096, size=(per, 2)).round(1).tolist() for _ in range(MAX_STROKES)]
    start = time.perf_counter()
    with pytest.raises(BadStrokes, match="too much ink"):
        parse(value(jumps, brush=2000, width=4096, height=4096))
    assert time.perf_counter() - start < 1.0  # drawing it would take seconds


def test_thinning_keeps_the_picture():
    """Dense points (0.5 px apart) and the same stroke thinned give the same picture."""
    dense = [[[100 + 0.5 * i, 60 + 0.3 * i] for i in range(200)]]
    sparse = [[dense[0][0], dense[0][-1]]]
    a, b = picture(value(dense)), picture(value(sparse))
    assert np.mean(a != b) < 0.002


def test_strokes_are_immutable_and_finite():
    d = parse(value([drawn(ZERO)]))
    assert all(math.isfinite(c) for s in d.strokes for p in s for c in p)
    with pytest.raises(AttributeError):
        d.brush = 3  # type: ignore[misc]


def test_a_wide_canvas_is_drawn_at_the_raster_asked_for():
    """The number canvas (1120×280) is drawn 512 pixels across: four times as wide as high, the pen
    scaled with it; the default stays RASTER, so single digits are drawn as before."""
    value = {
        "strokes": [[[100, 40], [100, 240]], [[1000, 140], [1060, 140]]],
        "brush": 24,
        "width": 1120,
        "height": 280,
    }
    wide = rasterise(parse(value, 512), 512)
    assert wide.shape == (128, 512)
    rows, cols = np.nonzero(wide < 128)
    assert (cols.min(), cols.max()) == pytest.approx((100 * 512 / 1120 - 5.5, 1060 * 512 / 1120 + 5.5), abs=1.5)
    assert (rows.min(), rows.max()) == pytest.approx((40 * 512 / 1120 - 5.5, 240 * 512 / 1120 + 5.5), abs=1.5)
    assert picture(value).shape == (70, RASTER)  # without: the longer side is RASTER


def test_the_ink_bound_is_counted_at_the_raster_drawn():
    """A scribble that passes at 280 px costs more pixels at 512: it is counted, and refused, there."""
    zigzag = [[[0 if i % 2 else 1120, 280 * (i % 7) / 6] for i in range(200)]]
    value = {"strokes": zigzag, "brush": 40, "width": 1120, "height": 280}
    assert parse(value) is not None
    with pytest.raises(BadStrokes, match="too much ink to read: clear it and draw one digit"):
        parse(value, 2048)
    with pytest.raises(BadStrokes, match="clear it and write a number"):  # the canvas's own request
        parse(value, 2048, "write a number")
