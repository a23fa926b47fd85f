"""A drawing as the pen made it: strokes of points, checked strictly, then rasterised with Pillow.

The page's canvas sends what was drawn rather than a picture of it (a few kilobytes of JSON instead
of PNG uploads, and no editor export in the browser): ::

    {"strokes": [[[x, y], [x, y], ...], ...],   # one list of points per stroke, in canvas pixels
     "brush": 24,                                # the pen's diameter, in canvas pixels
     "width": 280, "height": 280}                # the canvas the points were drawn on

:func:`parse` checks such a value (a mapping, or its JSON text) against fixed bounds and says, for a
person, what is wrong with one that breaks them; it touches each point at most once and stops at the
first fault, so a value of millions of points costs no more than refusing it. :func:`rasterise`
draws the strokes with a round pen, black on white, on a canvas no bigger than RASTER pixels a side,
as the Sketchpad's composite was (a wide canvas of several digits passes a larger ``raster``);
:func:`lenet.preprocess.preprocess` then reads it like any other picture. Pure Python and Pillow, no Gradio.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from lenet.preprocess import UnreadableImage

# Bounds on what one drawing may hold. A digit drawn slowly with a 120 Hz pen is a few hundred points
# (the canvas drops points closer than a pixel to the last one); these leave a wide margin.
MAX_STROKES = 100
MAX_POINTS = 10_000
MAX_JSON = 1_000_000  # characters of a value sent as JSON text
MIN_SIDE, MAX_SIDE = 16, 4096  # canvas side, in pixels
# The largest canvas side rasterised: bigger canvases are drawn scaled down to this (the digit ends
# up 20 pixels high anyway), so a value's cost does not depend on its canvas size.
RASTER = 280
# Points may lie off the canvas (the pen left it while drawing); they are kept, the picture is the
# canvas. A point further out than this many canvas sides is not a drawing.
MARGIN = 1.0
# What drawing costs Pillow: about one operation per pixel under the pen, for each segment (its length
# plus a round joint, times the pen's width), at the scale rasterised, ~3 ns each. A digit is ~0.3 M of
# these; a canvas scribbled all over a few times, ~3 M. More is refused, so that no value within the
# sizes above (10,000 long segments under a huge pen: ~150 M, half a second) stalls the server.
MAX_INK = 40 * RASTER * RASTER


class BadStrokes(UnreadableImage):
    """A strokes value that breaks the format or its bounds; the message says how, for a person."""


@dataclass(frozen=True)
class Strokes:
    """A checked drawing: ``strokes`` as lists of (x, y) floats in canvas pixels, the pen's diameter
    ``brush`` and the canvas ``width`` × ``height``, all in the same units; ``raster``, the longer
    side :func:`rasterise` draws it at (the one its ink was bounded at by :func:`parse`)."""

    strokes: tuple[tuple[tuple[float, float], ...], ...]
    brush: float
    width: int
    height: int
    raster: int = RASTER

    @property
    def points(self) -> int:
        return sum(len(s) for s in self.strokes)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadStrokes(f"{what} must be a number, not {type(value).__name__}.")
    if not math.isfinite(value):
        raise BadStrokes(f"{what} must be a finite number, not {value}.")
    return float(value)


def _side(value: Any, what: str) -> int:
    side = _number(value, f"The canvas {what}")
    if side != int(side) or not MIN_SIDE <= side <= MAX_SIDE:
        raise BadStrokes(f"The canvas {what} must be a whole number of pixels, {MIN_SIDE} to {MAX_SIDE}, not {value}.")
    return int(side)


def parse(value: Any, raster: int = RASTER, ask: str = "draw one digit") -> Strokes | None:
    """A strokes value (a mapping, or its JSON text) → :class:`Strokes`, or None when nothing is drawn
    (None, an empty mapping or text, no strokes). Raises :class:`BadStrokes` for anything else that
    is not a drawing within the bounds above: wrong types, missing or extra keys, NaN or infinite
    numbers, a negative or oversized brush or canvas, too many strokes or points, points far off the
    canvas. Costs at most one look at each point, and nothing per point of an oversized value.
    ``raster``: the longer side :func:`rasterise` will draw at, which the ink bound is counted at;
    ``ask``: what the refusal of too much ink asks for (the canvas's purpose: "draw one digit")."""
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        if len(value) > MAX_JSON:
            raise BadStrokes(f"This drawing is too big: {len(value):,} characters of JSON, the limit is {MAX_JSON:,}.")
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise BadStrokes("This drawing is not valid JSON.") from None
    if not isinstance(value, Mapping):
        raise BadStrokes(f"A drawing is a JSON object of strokes, brush, width, height; not {type(value).__name__}.")
    if not value:
        return None
    unknown = set(value) - {"strokes", "brush", "width", "height"}
    if unknown:
        raise BadStrokes(f"A drawing has strokes, brush, width, height; unknown key {sorted(map(str, unknown))[0]!r}.")
    missing = [k for k in ("strokes", "brush", "width", "height") if k not in value]
    if missing:
        raise BadStrokes(f"This drawing lacks its {missing[0]}.")
    width, height = _side(value["width"], "width"), _side(value["height"], "height")
    brush = _number(value["brush"], "The brush size")
    if not 0 < brush <= max(width, height) / 2:
        raise BadStrokes(f"The brush size must be above 0 and at most half the canvas, not {value['brush']}.")
    strokes = value["strokes"]
    if not isinstance(strokes, list):
        raise BadStrokes(f"The strokes must be a list of strokes, not {type(strokes).__name__}.")
    if len(strokes) > MAX_STROKES:
        raise BadStrokes(f"This drawing has {len(strokes):,} strokes; the limit is {MAX_STROKES}. Clear and redraw.")
    if not all(isinstance(s, list) for s in strokes):
        raise BadStrokes("Each stroke must be a list of [x, y] points.")
    total = sum(len(s) for s in strokes)  # len() only: an oversized value is refused before any point is read
    if total > MAX_POINTS:
        raise BadStrokes(f"This drawing has {total:,} points; the limit is {MAX_POINTS:,}. Clear and redraw.")
    lo_x, hi_x, lo_y, hi_y = -MARGIN * width, (1 + MARGIN) * width, -MARGIN * height, (1 + MARGIN) * height
    scale = min(1.0, raster / max(width, height))
    pen = max(1.0, brush * scale)
    ink = 0.0  # the rasterising cost, see MAX_INK
    checked = []
    for i, stroke in enumerate(strokes, 1):
        points = []
        for point in stroke:
            if not (isinstance(point, list) and len(point) == 2):
                raise BadStrokes(f"Stroke {i} has a point that is not a pair [x, y].")
            x, y = _number(point[0], f"Stroke {i}'s x"), _number(point[1], f"Stroke {i}'s y")
            if not (lo_x <= x <= hi_x and lo_y <= y <= hi_y):
                raise BadStrokes(f"Stroke {i} has a point ({x:g}, {y:g}) far outside the {width}×{height} canvas.")
            ink += pen * (pen + (math.hypot(x - points[-1][0], y - points[-1][1]) * scale if points else 0.0))
            points.append((x, y))
        if ink > MAX_INK:
            raise BadStrokes(f"This drawing has too much ink to read: clear it and {ask}.")
        if points:
            checked.append(tuple(points))
    if not checked:
        return None
    return Strokes(tuple(checked), brush, width, height, raster)


def rasterise(drawing: Strokes, raster: int | None = None) -> np.ndarray:
    """The drawing as the canvas showed it: uint8 (H, W) grey, 255 paper and 0 ink, drawn with a
    round pen of the drawing's brush diameter. The canvas is scaled so that its longer side is at
    most ``raster`` pixels (by default the drawing's own, as :func:`parse` counted its ink at: with
    MAX_INK, the cost is bounded), the pen with it."""
    scale = min(1.0, (raster or drawing.raster) / max(drawing.width, drawing.height))
    w, h = max(1, round(drawing.width * scale)), max(1, round(drawing.height * scale))
    pen = max(1.0, drawing.brush * scale)
    r = pen / 2
    im = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(im)
    for stroke in drawing.strokes:
        points = _thinned([(x * scale, y * scale) for x, y in stroke], max(1.0, pen / 4))
        if len(points) > 1:
            draw.line(points, fill=0, width=max(1, round(pen)), joint="curve")
        for x, y in (points[0], points[-1]) if len(points) > 1 else points[:1]:  # round caps
            draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
    return np.asarray(im)


def _thinned(points: list[tuple[float, float]], apart: float) -> list[tuple[float, float]]:
    """``points`` without those closer than ``apart`` to the last one kept (the ends are kept): under
    a round pen a quarter of its width, they change nothing visible, and each round joint costs Pillow
    a few microseconds (20,000 of them: ~0.1 s)."""
    kept = points[:1]
    for x, y in points[1:-1]:
        if (x - kept[-1][0]) ** 2 + (y - kept[-1][1]) ** 2 >= apart * apart:
            kept.append((x, y))
    return kept + points[-1:] if len(points) > 1 else kept


def picture(value: Any) -> np.ndarray | None:
    """A strokes value → its rasterised picture (see :func:`rasterise`), or None when nothing is
    drawn. Raises :class:`BadStrokes` (an :class:`UnreadableImage`) with the reason otherwise."""
    drawing = parse(value)
    return None if drawing is None else rasterise(drawing)
