"""Drawings as the page's canvas sends them (lenet/strokes.py's format), made up: the ten digits as
polylines, each drawn at a random size, place, slant and pen, its points as far apart as a moving
pen leaves them. MNIST holds pictures, not strokes; these are what the browser's preprocessing is
compared with the server's on (tests/app/test_live_browser.py, tests/live_parity.py).
"""

from __future__ import annotations

import math

import numpy as np

from tests.canvases import STROKES

# The digits not in tests/canvases.py, as polylines in a unit box (x right, y down).
MORE = {
    "3": [[(0.1, 0.1), (0.5, 0.0), (0.9, 0.15), (0.85, 0.4), (0.45, 0.5), (0.9, 0.65), (0.9, 0.9), (0.5, 1.0),
           (0.1, 0.9)]],
    "5": [[(0.9, 0.0), (0.2, 0.0), (0.15, 0.45), (0.6, 0.4), (0.9, 0.6), (0.85, 0.9), (0.5, 1.0), (0.1, 0.9)]],
    "6": [[(0.8, 0.05), (0.4, 0.1), (0.15, 0.5), (0.15, 0.85), (0.5, 1.0), (0.85, 0.85), (0.85, 0.6), (0.5, 0.5),
           (0.15, 0.65)]],
    "8": [[(0.5, 0.5), (0.15, 0.3), (0.5, 0.0), (0.85, 0.3), (0.5, 0.5), (0.1, 0.75), (0.5, 1.0), (0.9, 0.75),
           (0.5, 0.5)]],
    "9": [[(0.85, 0.35), (0.5, 0.5), (0.15, 0.3), (0.5, 0.0), (0.85, 0.2), (0.8, 0.6), (0.6, 1.0)]],
}  # fmt: skip
DIGITS = {**STROKES, **MORE}


def drawing(digit: str, rng: np.random.Generator, size: int = 280) -> dict:
    """``digit`` drawn once on a ``size``-pixel canvas: {strokes, brush, width, height}."""
    height = rng.uniform(0.25, 0.85) * size
    width = height * rng.uniform(0.45, 0.8)
    turn, slant = math.radians(rng.uniform(-15, 15)), rng.uniform(-0.3, 0.3)
    cx, cy = rng.uniform(0.3, 0.7) * size, rng.uniform(0.3, 0.7) * size
    step = rng.uniform(1.5, 10.0)  # pixels between the points a pen leaves
    strokes = []
    for line in DIGITS[digit]:
        points = []
        for (x0, y0), (x1, y1) in zip(line, line[1:], strict=False):
            n = max(1, int(math.hypot((x1 - x0) * width, (y1 - y0) * height) / step))
            points += [(x0 + (x1 - x0) * t / n, y0 + (y1 - y0) * t / n) for t in range(n)]
        points.append(line[-1])
        out = []
        for x, y in points:
            x, y = (x - 0.5) * width, (y - 0.5) * height
            x += slant * -y
            x, y = x * math.cos(turn) - y * math.sin(turn), x * math.sin(turn) + y * math.cos(turn)
            jitter = rng.normal(0, 0.8, 2)
            out.append([round(cx + x + jitter[0], 1), round(cy + y + jitter[1], 1)])
        strokes.append(out)
    return {"strokes": strokes, "brush": float(rng.choice([8, 12, 16, 24, 24, 24, 32, 40])), "width": size,
            "height": size}  # fmt: skip


def drawings(n: int, seed: int = 0) -> list[tuple[str, dict]]:
    """``n`` drawings, the ten digits in turn: (digit, value)."""
    rng = np.random.default_rng(seed)
    names = sorted(DIGITS)
    return [(names[i % len(names)], drawing(names[i % len(names)], rng)) for i in range(n)]
