"""Synthetic canvases for the tests: digits drawn as a Sketchpad would export them."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

# A "7" and a "0" as polylines in a unit box (x right, y down).
SEVEN = [(0.1, 0.05), (0.9, 0.05), (0.45, 0.95)]
ZERO = [(0.5, 0.0), (0.9, 0.25), (0.9, 0.75), (0.5, 1.0), (0.1, 0.75), (0.1, 0.25), (0.5, 0.0)]
# ... and, for rows of digits (the "Read a number" tab), a 1, a 2 and a 4 (in two strokes).
ONE = [(0.55, 0.0), (0.45, 1.0)]
TWO = [(0.1, 0.25), (0.3, 0.02), (0.7, 0.02), (0.9, 0.25), (0.85, 0.45), (0.1, 1.0), (0.95, 1.0)]
FOUR = [[(0.45, 0.0), (0.05, 0.65), (0.95, 0.65)], [(0.7, 0.25), (0.7, 1.0)]]
STROKES = {"0": [ZERO], "1": [ONE], "2": [TWO], "4": FOUR, "7": [SEVEN]}


def row(digits: str, width: float, height: float, gap: float | list[float] = 0.35) -> list[list[tuple[float, float]]]:
    """``digits`` (of 0, 1, 2, 4, 7) written in a row as polylines, centred on (0, 0): each digit
    ``height`` tall and 0.6 × as wide, ``gap`` × height apart (or one gap per neighbouring pair:
    a negative one runs a digit into the last), the whole row shrunk to fit ``width``."""
    w = 0.6 * height
    gaps = [gap] * (len(digits) - 1) if isinstance(gap, (int, float)) else list(gap)
    lefts = [0.0]
    for g in gaps:
        lefts.append(lefts[-1] + w + g * height)
    total = lefts[-1] + w
    s = min(1.0, 0.9 * width / total)
    out = []
    for left, d in zip(lefts, digits, strict=True):
        x0 = s * (left - total / 2)
        out += [[(x0 + s * x * w, s * (y - 0.5) * height) for x, y in stroke] for stroke in STROKES[d]]
    return out


def stroke_canvas(
    shape=SEVEN, size: int = 280, box: tuple[float, float, float, float] = (50, 40, 150, 200), width: int = 24
) -> np.ndarray:
    """An opaque white RGBA canvas (size, size, 4) uint8 with ``shape`` drawn in black, scaled
    into ``box`` = (left, top, box width, box height), with a round pen ``width`` pixels wide."""
    im = Image.new("RGBA", (size, size), (255, 255, 255, 255))
    draw = ImageDraw.Draw(im)
    left, top, w, h = box
    points = [(left + x * w, top + y * h) for x, y in shape]
    draw.line(points, fill=(0, 0, 0, 255), width=width, joint="curve")
    r = width / 2
    for x, y in points:  # round caps, like a brush
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(0, 0, 0, 255))
    return np.asarray(im).copy()


def mnist_canvas(digit: np.ndarray, size: int = 280) -> np.ndarray:
    """An MNIST digit (28, 28) ink in [0, 1] as an opaque white RGBA canvas with black ink,
    enlarged to ``size`` the way a big drawing would look."""
    grey = Image.fromarray((255.0 * (1.0 - digit) + 0.5).astype(np.uint8)).resize((size, size), Image.BILINEAR)
    g = np.asarray(grey)
    return np.dstack([g, g, g, np.full_like(g, 255)])


def centre_of_mass(x: np.ndarray) -> tuple[float, float]:
    r = np.arange(x.shape[0])
    m = x.sum()
    return float((x.sum(1) * r).sum() / m), float((x.sum(0) * r).sum() / m)


def ink_box(x: np.ndarray, level: float = 0.1) -> tuple[int, int]:
    """Height and width of the region where ink exceeds ``level``."""
    rows, cols = np.nonzero(x > level)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def huge_png(path: Path, side: int = 10_000) -> Path:
    """A side×side greyscale PNG (white, a black bar) written row by row: it costs the test almost no
    memory, and would cost a naive server side² bytes (100 MB) or 4·side² (RGBA) to decode."""
    row_white = b"\x00" + b"\xff" * side
    row_bar = (
        b"\x00"
        + b"\xff" * (side // 2 - side // 40)
        + b"\x00" * (side // 20)
        + b"\xff" * (side - side // 2 - side // 40)
    )
    deflate = zlib.compressobj(1)
    data = [deflate.compress(row_bar if side // 10 <= y < side - side // 10 else row_white) for y in range(side)]
    data.append(deflate.flush())

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(data)) + chunk(b"IEND", b"")
    )
    return path


def sketch(path) -> dict:
    """A Sketchpad value as the browser sends it, with the composite uploaded from ``path``."""
    from gradio_client import handle_file

    return {"background": None, "layers": [], "composite": handle_file(str(path)), "id": None}
