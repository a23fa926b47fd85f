"""A drawing in a lesson link: the canvas's strokes (:mod:`lenet.strokes`) as a short URL-safe string.

The page's Share button writes it (``explorer/static/share.js``, a twin of :func:`encode` that
gives the same string for the same strokes) and the page opened from the link reads it back here
(:func:`decode`), so a link needs no account and no stored state on the server. The format,
version 1, is bytes in base64url without padding: ::

    1, width, height, brush, number of strokes,                       # unsigned varints
    then per stroke: its number of points, x₀, y₀, then Δx, Δy per point  # zig-zag varints

Points are rounded to whole canvas pixels (a tenth of an MNIST pixel on the 280-pixel canvas),
and a point nearer than a quarter of the pen's width to the last one kept is left out, as
:func:`lenet.strokes.rasterise` leaves it out before drawing: the picture read is the same, and a
digit takes about 100-400 characters. :func:`decode` refuses, with a message for a person, a string
that is too long, not base64url, cut short, of another version, or whose drawing breaks the bounds
of :func:`lenet.strokes.parse`. Pure Python, no Gradio.
"""

from __future__ import annotations

import base64
import math
import re
from typing import Any

from lenet import strokes as ink

VERSION = 1
MAX_CHARS = 2000  # a link's drawing: a digit needs a few hundred; links past ~2,000 characters break in some places
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class BadLink(ink.BadStrokes):
    """A lesson link's drawing that cannot be read; the message says why, for a person."""


def _varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _zigzag(n: int) -> int:
    return 2 * n if n >= 0 else -2 * n - 1


def _rounded(v: float) -> int:
    return math.floor(v + 0.5)  # halves up, as JavaScript's Math.round (Python's round() goes to even)


def thinned(points: list[tuple[int, int]], brush: int) -> list[tuple[int, int]]:
    """Whole-pixel points without repeats, and without those nearer than brush / 4 to the last one kept
    (the first and last are kept): compared in integers, (4·distance)² ≥ brush², as share.js does."""
    kept = points[:1]
    for i, (x, y) in enumerate(points[1:], 1):
        dx, dy = x - kept[-1][0], y - kept[-1][1]
        far = 16 * (dx * dx + dy * dy) >= brush * brush
        if (dx or dy) and (far or i == len(points) - 1):
            kept.append((x, y))
    return kept


def encode(value: Any) -> str:
    """A strokes value (as :func:`lenet.strokes.parse` takes it) → the link's string; "" for an
    empty drawing. Raises :class:`lenet.strokes.BadStrokes` for a value that is not a drawing."""
    drawing = ink.parse(value)
    if drawing is None:
        return ""
    brush = max(1, _rounded(drawing.brush))
    out = bytearray([VERSION])
    for n in (drawing.width, drawing.height, brush, len(drawing.strokes)):
        _varint(n, out)
    for stroke in drawing.strokes:
        points = thinned([(_rounded(x), _rounded(y)) for x, y in stroke], brush)
        _varint(len(points), out)
        px, py = 0, 0
        for x, y in points:
            _varint(_zigzag(x - px), out)
            _varint(_zigzag(y - py), out)
            px, py = x, y
    return base64.urlsafe_b64encode(bytes(out)).decode("ascii").rstrip("=")


def decode(text: str) -> dict | None:
    """The link's string → the strokes value the canvas takes ({"strokes", "brush", "width",
    "height"}, checked by :func:`lenet.strokes.parse`), or None for "". Raises :class:`BadLink`."""
    if not isinstance(text, str):
        raise BadLink(f"A lesson link's drawing is text, not {type(text).__name__}.")
    if len(text) > MAX_CHARS:
        raise BadLink(f"This lesson link's drawing is too long: {len(text):,} characters, the limit is {MAX_CHARS:,}.")
    if not text:
        return None
    if not _BASE64URL.fullmatch(text):
        raise BadLink("This lesson link's drawing is damaged: it holds characters other than letters, digits, - and _.")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise BadLink("This lesson link's drawing is damaged: it was cut at a wrong place.") from None
    at = 0

    def number() -> int:
        nonlocal at
        n = shift = 0
        while True:
            if at >= len(data) or shift > 28:
                raise BadLink("This lesson link's drawing is damaged: it is cut short. Copy the whole link.")
            byte = data[at]
            at += 1
            n |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return n

    def signed() -> int:
        n = number()
        return n // 2 if n % 2 == 0 else -(n + 1) // 2

    if not data or data[0] != VERSION:
        raise BadLink("This lesson link was made by another version of the page: its drawing cannot be read.")
    at = 1
    width, height, brush, count = number(), number(), number(), number()
    if count > ink.MAX_STROKES:
        raise BadLink(f"This lesson link's drawing has {count:,} strokes; the limit is {ink.MAX_STROKES}.")
    lines = []
    for _ in range(count):
        n = number()
        if n > len(data):  # every point takes at least two bytes
            raise BadLink("This lesson link's drawing is damaged: it is cut short. Copy the whole link.")
        x = y = 0
        line = []
        for _ in range(n):
            x, y = x + signed(), y + signed()
            line.append([x, y])
        lines.append(line)
    if at != len(data):
        raise BadLink("This lesson link's drawing is damaged: it has bytes after its last stroke.")
    value = {"strokes": lines, "brush": brush, "width": width, "height": height}
    try:
        ink.parse(value)  # the canvas's own bounds
    except ink.BadStrokes as exc:
        raise BadLink(f"This lesson link's drawing cannot be read: {exc}") from None
    return value
