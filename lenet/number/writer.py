"""Numbers written the way a person writes them, from MNIST digits: one pen, uneven gaps, some
neighbours touching. What ``bench/read_number.py`` reads, and where ``lenet.number.train_pieces`` cuts its
"not one digit" pieces from (each digit's own ink comes back with ``layers=True``).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from lenet.preprocess import stroke_width

CANVAS = (280, 1120)  # height, width of the wide canvas
MARGIN = 20  # pixels kept free around the number
TOUCH = 0.4  # chance of writing a digit into the previous one: about 1/3 of pairs then touch


def _digit_ink(digit: np.ndarray, height: float, pen: float) -> np.ndarray:
    """An MNIST digit (28, 28) in [0, 1] → its ink cropped and scaled to ``height`` px high (float
    in [0, 1]), with the stroke made ``pen`` px wide: one pen for every digit of a number."""
    rows, cols = np.nonzero(digit > 0.05)
    crop = digit[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    s = height / crop.shape[0]
    size = (max(1, round(crop.shape[1] * s)), max(1, round(height)))
    img = Image.fromarray((crop * 255).astype(np.uint8)).resize(size, Image.Resampling.BICUBIC)
    change = pen - stroke_width(np.asarray(img, dtype=np.float32) / 255.0)
    if abs(change) >= 2:
        k = int(abs(change)) // 2 * 2 + 1  # rank filters want odd sizes
        img = img.filter(ImageFilter.MaxFilter(k) if change > 0 else ImageFilter.MinFilter(min(k, 5)))
    return np.asarray(img, dtype=np.float32) / 255.0


def write_number(
    digits: np.ndarray, rng: np.random.Generator, touch: float = TOUCH, overlap: float = 1.0, layers: bool = False
) -> tuple[np.ndarray, list[bool]] | tuple[np.ndarray, list[bool], np.ndarray]:
    """MNIST digits (n, 28, 28) → an opaque white RGBA canvas (280, 1120, 4) uint8 with the number
    written in black ink, and for each of the n − 1 neighbouring pairs whether their inks touch.

    Each digit is slid towards the previous ones until its ink is at the chosen gap from theirs,
    row by row: 0.06–0.4 digit heights apart, or, with probability ``touch``, running into them by
    0.15–``overlap`` pen widths (1 pen ≈ 0.07–0.13 digit heights). A writer does not tuck a digit
    deep under the previous one, so the boxes of two neighbours overlap by at most a third of the
    narrower one's width; where that keeps them apart, the pair does not touch — whether a pair
    touches is read from the ink, not from the intent. A number too wide for the canvas is shrunk
    to fit, as a writer would write smaller.

    With ``layers``, a third value: float32 (n, 280, 1120), each digit's own ink on the canvas
    (1 = full ink), drawn with the same placement and shrinking; the canvas's ink is their maximum.
    The random draws are the same either way, so the canvases are too.
    """
    n = len(digits)
    h = rng.uniform(100, 170)  # the writer's digit height, px
    pen = h * rng.uniform(0.07, 0.13)  # one pen for the number
    pieces, tops, lefts = [], [], []
    canvas_right = np.full(int(2 * h), -1)  # per row, the rightmost ink written so far
    rows = len(canvas_right)
    for i in range(n):
        ink = _digit_ink(digits[i], h * rng.uniform(0.9, 1.1), pen)
        top = int(round(0.5 * h + rng.normal(0, 0.04 * h) + (h - ink.shape[0]) / 2))
        top = int(np.clip(top, 0, rows - ink.shape[0]))
        b = ink > 0.5
        has = b.any(axis=1)
        first = np.where(has, b.argmax(axis=1), -1)  # leftmost ink per row of this digit
        last = np.where(has, ink.shape[1] - 1 - b[:, ::-1].argmax(axis=1), -1)
        left = 0
        if i:
            touches = bool(rng.random() < touch)
            gap = -rng.uniform(0.15, max(0.15, overlap)) * pen if touches else rng.uniform(0.06, 0.4) * h
            prev = canvas_right[top : top + ink.shape[0]]
            both = has & (prev >= 0)
            contact = np.max(prev[both] - first[both]) if both.any() else canvas_right.max()
            box_right = lefts[-1] + pieces[-1].shape[1]
            tuck = box_right - min(ink.shape[1], pieces[-1].shape[1]) / 3  # boxes overlap ≤ 1/3
            left = int(round(max(gap + contact, tuck)))
        pieces.append(ink)
        tops.append(top)
        lefts.append(left)
        span = slice(top, top + ink.shape[0])
        canvas_right[span] = np.maximum(canvas_right[span], np.where(last >= 0, left + last, -1))
    touching = [
        _touch(pieces[i] > 0.5, tops[i], lefts[i], pieces[i + 1] > 0.5, tops[i + 1], lefts[i + 1]) for i in range(n - 1)
    ]
    shift = -min(lefts)
    width = max(lf + p.shape[1] for lf, p in zip(lefts, pieces, strict=True)) + shift
    own = np.zeros((n if layers else 0, rows, width), dtype=np.float32)
    drawn = np.zeros((rows, width), dtype=np.float32)
    for k, (ink, top, left) in enumerate(zip(pieces, tops, lefts, strict=True)):
        view = drawn[top : top + ink.shape[0], left + shift : left + shift + ink.shape[1]]
        np.maximum(view, ink, out=view)
        if layers:
            own[k, top : top + ink.shape[0], left + shift : left + shift + ink.shape[1]] = ink
    ys, xs = np.nonzero(drawn > 0.02)
    crop = (slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1))
    drawn, own = drawn[crop], own[:, crop[0], crop[1]]
    room = (CANVAS[0] - 2 * MARGIN, CANVAS[1] - 2 * MARGIN)
    s = min(1.0, room[0] / drawn.shape[0], room[1] / drawn.shape[1])
    if s < 1:
        size = (max(1, round(drawn.shape[1] * s)), max(1, round(drawn.shape[0] * s)))
        drawn = np.asarray(Image.fromarray(drawn).resize(size, Image.Resampling.BILINEAR))
        if layers:  # (without, ``own`` is empty: nothing to stack)
            own = np.stack([np.asarray(Image.fromarray(o).resize(size, Image.Resampling.BILINEAR)) for o in own])
    dh, dw = drawn.shape
    top = rng.integers(MARGIN, CANVAS[0] - MARGIN - dh + 1)
    left = rng.integers(MARGIN, max(MARGIN, CANVAS[1] - MARGIN - dw) + 1)
    grey = np.full(CANVAS, 255, dtype=np.uint8)
    grey[top : top + dh, left : left + dw] = (255 * (1 - np.clip(drawn, 0, 1))).round().astype(np.uint8)
    canvas = np.dstack([grey, grey, grey, np.full_like(grey, 255)])
    if not layers:
        return canvas, touching
    placed = np.zeros((n, *CANVAS), dtype=np.float32)
    placed[:, top : top + dh, left : left + dw] = np.clip(own.reshape(n, dh, dw), 0, 1)
    return canvas, touching, placed


def _touch(a: np.ndarray, a_top: int, a_left: int, b: np.ndarray, b_top: int, b_left: int) -> bool:
    """Whether two ink masks placed at (top, left) touch (8-connected)."""
    top, left = min(a_top, b_top), min(a_left, b_left)
    h = max(a_top + a.shape[0], b_top + b.shape[0]) - top + 2
    w = max(a_left + a.shape[1], b_left + b.shape[1]) - left + 2
    fa, fb = np.zeros((h, w), bool), np.zeros((h, w), bool)
    fa[a_top - top + 1 : a_top - top + 1 + a.shape[0], a_left - left + 1 : a_left - left + 1 + a.shape[1]] = a
    fb[b_top - top + 1 : b_top - top + 1 + b.shape[0], b_left - left + 1 : b_left - left + 1 + b.shape[1]] = b
    grown = fa.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            grown |= np.roll(np.roll(fa, dy, 0), dx, 1)
    return bool((grown & fb).any())
