"""Numbers written the way a person writes them, from MNIST digits: one pen, uneven gaps, some
neighbours touching. What ``bench/read_number.py`` reads, and where ``lenet.number.train_pieces`` cuts its
"not one digit" pieces from (each digit's own ink comes back with ``layers=True``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from lenet.preprocess import stroke_width

CANVAS = (280, 1120)  # height, width of the wide canvas
MARGIN = 20  # pixels kept free around the number
TOUCH = 0.4  # chance of writing a digit into the previous one: about 1/3 of pairs then touch


@dataclass(frozen=True)
class Hand:
    """One writer's habits for a whole number, drawn once (:func:`hand`). The plain hand is the one
    ``write_number`` always had: upright, a baseline with a little jitter, one pen of 0.07–0.13 H."""

    pen: float  # pen width, px
    slant: float = 0.0  # shear: x moves by slant·(distance above the digit's middle)
    slope: float = 0.0  # the baseline rises by slope·(x advanced)
    wobble: float = 0.04  # the baseline's jitter per digit, in digit heights (SD)
    size: tuple[float, float] = (0.9, 1.1)  # each digit's height, times H
    narrow: tuple[float, float] = (1.0, 1.0)  # each digit's width, times its own
    tilt: float = 0.0  # each digit turned by up to ± this many degrees
    gap: tuple[float, float] = (0.06, 0.4)  # gaps between digits that don't touch, in H
    overlap: float = 1.0  # touching strokes run into the last digit by up to this many pens
    tuck: float = 1 / 3  # how far two digits' boxes may overlap, as a share of the narrower
    rows: float = 2.0  # the writing band's height, in H (a climbing baseline needs more) ...
    base: float = 0.5  # ... and where the first digit's top sits in it, in H
    varied: bool = False  # whether digits are narrowed, slanted and turned


def hand(rng: np.random.Generator, h: float, pen: float, varied: bool, overlap: float = 1.0) -> Hand:
    """The writer's habits. ``varied`` draws a hand from a wider range of people than the plain one:
    thin to thick pens (0.05–0.17 H), slanted either way, baselines that climb or fall, digits
    narrowed (a 1 can be a single stroke) or turned a little, tight or wide gaps, deeper overlaps
    (up to an eighth of the digit height). The plain hand draws nothing."""
    if not varied:
        return Hand(pen=pen, overlap=overlap)
    pen = h * rng.uniform(0.05, 0.17)
    return Hand(
        pen=pen,
        slant=float(np.clip(rng.normal(0.0, 0.12), -0.3, 0.3)),
        slope=float(np.clip(rng.normal(0.0, 0.05), -0.12, 0.12)),
        wobble=rng.uniform(0.02, 0.08),
        size=(0.85, 1.15),
        narrow=(rng.uniform(0.6, 0.9), 1.15),
        tilt=rng.uniform(0.0, 5.0),
        gap=(0.02, rng.uniform(0.2, 0.55)),
        overlap=max(1.0, h / 8 / pen),  # strokes run in by up to an eighth of the digit height
        tuck=0.45,
        rows=3.0,
        base=1.0,
        varied=True,
    )


def _shape(ink: np.ndarray, hand: Hand, rng: np.random.Generator) -> np.ndarray:
    """A varied hand's digit: narrowed, slanted and turned (the plain hand's ink unchanged)."""
    if not hand.varied:
        return ink
    img = Image.fromarray((ink * 255).astype(np.uint8))
    width = max(1, round(img.width * rng.uniform(*hand.narrow)))
    img = img.resize((width, img.height), Image.Resampling.BILINEAR)
    h, w = img.height, img.width
    extra = int(np.ceil(abs(hand.slant) * h))
    # Shear about the middle row: the output pixel (x, y) takes the input (x − extra/2 + slant·(y − h/2), y).
    img = img.transform(
        (w + extra, h),
        Image.Transform.AFFINE,
        (1, hand.slant, -extra / 2 - hand.slant * h / 2, 0, 1, 0),
        Image.Resampling.BILINEAR,
    )
    img = img.rotate(rng.uniform(-hand.tilt, hand.tilt), Image.Resampling.BILINEAR, expand=True)
    out = np.asarray(img, dtype=np.float32) / 255.0
    rows, cols = np.nonzero(out > 0.05)
    return out[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


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
    digits: np.ndarray,
    rng: np.random.Generator,
    touch: float = TOUCH,
    overlap: float = 1.0,
    layers: bool = False,
    varied: bool = False,
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

    With ``varied``, a writer from a wider range of people (:func:`hand`): slant, pen width,
    baseline slope and jitter, narrowed and turned digits, tighter or wider gaps and deeper
    overlaps, all drawn per number. The plain writer's draws are unchanged by this option.
    """
    n = len(digits)
    h = rng.uniform(100, 170)  # the writer's digit height, px
    pen = h * rng.uniform(0.07, 0.13)  # one pen for the number
    way = hand(rng, h, pen, varied, overlap)
    pen = way.pen
    pieces, tops, lefts = [], [], []
    canvas_right = np.full(int(way.rows * h), -1)  # per row, the rightmost ink written so far
    rows = len(canvas_right)
    for i in range(n):
        ink = _shape(_digit_ink(digits[i], h * rng.uniform(*way.size), pen), way, rng)
        rise = way.slope * (lefts[-1] + pieces[-1].shape[1] if i else 0)
        top = int(round(way.base * h - rise + rng.normal(0, way.wobble * h) + (h - ink.shape[0]) / 2))
        top = int(np.clip(top, 0, rows - ink.shape[0]))
        b = ink > 0.5
        has = b.any(axis=1)
        first = np.where(has, b.argmax(axis=1), -1)  # leftmost ink per row of this digit
        last = np.where(has, ink.shape[1] - 1 - b[:, ::-1].argmax(axis=1), -1)
        left = 0
        if i:
            touches = bool(rng.random() < touch)
            gap = -rng.uniform(0.15, max(0.15, way.overlap)) * pen if touches else rng.uniform(*way.gap) * h
            prev = canvas_right[top : top + ink.shape[0]]
            both = has & (prev >= 0)
            contact = np.max(prev[both] - first[both]) if both.any() else canvas_right.max()
            box_right = lefts[-1] + pieces[-1].shape[1]
            tuck = box_right - min(ink.shape[1], pieces[-1].shape[1]) * way.tuck  # boxes overlap ≤ 1/3
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


def written(images: np.ndarray, labels: np.ndarray, lengths, n: int, seed: int, touch: float = TOUCH,
            overlap: float = 1.0, varied: bool = False, layers: bool = False):  # fmt: skip
    """``n`` numbers of each length in ``lengths``, each written (:func:`write_number`) with digits
    drawn at random from ``images`` (N, 28, 28) / ``labels`` (N,): yields (canvas, truth string,
    touching flags), and with ``layers`` each digit's own ink as a fourth value. The same seed
    gives the same numbers, with or without layers."""
    rng = np.random.default_rng(seed)
    for length in lengths:
        for _ in range(n):
            pick = rng.choice(len(labels), size=length, replace=False)
            truth = "".join(str(d) for d in labels[pick])
            canvas, *rest = write_number(images[pick], rng, touch, overlap, layers=layers, varied=varied)
            yield (canvas, truth, *rest)


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
