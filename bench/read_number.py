"""How well does LeNet-5 read a whole handwritten number? A benchmark, not a test.

    python -m bench.read_number [--n 200] [--split test] [--seed 0] [--touch 0.33] [--long 50]

Numbers of 2–5 digits (and, with ``--long``, 6–10) are written from MNIST digits the way a person
writes on a wide canvas (1120×280, like the page's): one pen for the whole number, digits of about
the same height with a little size and baseline jitter, uneven gaps, and about a third of
neighbouring digits touching or overlapping (``--touch``). Each canvas is read twice:

- the paper's way (``lenet.segment.read_number``: heuristic over-segmentation, every candidate
  piece scored by LeNet-5 in one batch, Viterbi through the segmentation graph);
- the naive way: each connected piece of ink read as one digit, left to right
  (``lenet.segment.read_components``).

It prints exact-match accuracy by length and by touching / not touching, how often the right
segmentation was among the candidates at all, and the server time per 5-digit number (p50, p90;
from the canvas array to the string, one thread, as the app runs). Thresholds and penalties in
``lenet.segment`` were tuned with ``--split validation`` (the last 10,000 MNIST training digits);
the figures to report are ``--split test``.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from PIL import Image, ImageFilter

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
    from lenet.preprocess import stroke_width

    change = pen - stroke_width(np.asarray(img, dtype=np.float32) / 255.0)
    if abs(change) >= 2:
        k = int(abs(change)) // 2 * 2 + 1  # rank filters want odd sizes
        img = img.filter(ImageFilter.MaxFilter(k) if change > 0 else ImageFilter.MinFilter(min(k, 5)))
    return np.asarray(img, dtype=np.float32) / 255.0


def write_number(
    digits: np.ndarray, rng: np.random.Generator, touch: float = TOUCH, overlap: float = 1.0
) -> tuple[np.ndarray, list[bool]]:
    """MNIST digits (n, 28, 28) → an opaque white RGBA canvas (280, 1120, 4) uint8 with the number
    written in black ink, and for each of the n − 1 neighbouring pairs whether their inks touch.

    Each digit is slid towards the previous ones until its ink is at the chosen gap from theirs,
    row by row: 0.06–0.4 digit heights apart, or, with probability ``touch``, running into them by
    0.15–``overlap`` pen widths (1 pen ≈ 0.07–0.13 digit heights). A writer does not tuck a digit
    deep under the previous one, so the boxes of two neighbours overlap by at most a third of the
    narrower one's width; where that keeps them apart, the pair does not touch — whether a pair
    touches is read from the ink, not from the intent. A number too wide for the canvas is shrunk
    to fit, as a writer would write smaller.
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
    drawn = np.zeros((rows, width), dtype=np.float32)
    for ink, top, left in zip(pieces, tops, lefts, strict=True):
        view = drawn[top : top + ink.shape[0], left + shift : left + shift + ink.shape[1]]
        np.maximum(view, ink, out=view)
    ys, xs = np.nonzero(drawn > 0.02)
    drawn = drawn[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    room = (CANVAS[0] - 2 * MARGIN, CANVAS[1] - 2 * MARGIN)
    s = min(1.0, room[0] / drawn.shape[0], room[1] / drawn.shape[1])
    if s < 1:
        size = (max(1, round(drawn.shape[1] * s)), max(1, round(drawn.shape[0] * s)))
        drawn = np.asarray(Image.fromarray(drawn).resize(size, Image.Resampling.BILINEAR))
    dh, dw = drawn.shape
    top = rng.integers(MARGIN, CANVAS[0] - MARGIN - dh + 1)
    left = rng.integers(MARGIN, max(MARGIN, CANVAS[1] - MARGIN - dw) + 1)
    grey = np.full(CANVAS, 255, dtype=np.uint8)
    grey[top : top + dh, left : left + dw] = (255 * (1 - np.clip(drawn, 0, 1))).round().astype(np.uint8)
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)]), touching


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


def digit_pool(split: str, data_dir: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits (N, 28, 28) float32 and labels (N,) for ``split``: "test", or "validation" =
    the last 10,000 training digits (the shipped weights saw them in training: tune there only)."""
    from lenet.data import DEFAULT_DATA_DIR, load_split

    data_dir = data_dir or DEFAULT_DATA_DIR
    if split == "validation":
        images, labels = load_split("train", data_dir)
        images, labels = images[-10_000:], labels[-10_000:]
    else:
        images, labels = load_split("test", data_dir)
    return images[:, 0].numpy(), labels.numpy()


def make_numbers(
    split: str, lengths: list[int], n: int, seed: int, touch: float = TOUCH, overlap: float = 1.0, data_dir=None
):
    """``n`` numbers of each length: a list of (canvas, truth string, touching flags)."""
    images, labels = digit_pool(split, data_dir)
    rng = np.random.default_rng(seed)
    out = []
    for length in lengths:
        for _ in range(n):
            pick = rng.choice(len(labels), size=length, replace=False)
            canvas, touching = write_number(images[pick], rng, touch, overlap)
            out.append((canvas, "".join(str(d) for d in labels[pick]), touching))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="numbers per length 2–5 (default: 200)")
    parser.add_argument("--long", type=int, default=0, help="numbers per length 6–10 (default: 0)")
    parser.add_argument("--split", default="test", choices=["test", "validation"], help="digits to write with")
    parser.add_argument("--seed", type=int, default=0, help="seed for the digits and the handwriting")
    parser.add_argument("--touch", type=float, default=TOUCH, help="chance of writing a digit into the last one")
    parser.add_argument("--overlap", type=float, default=1.0, help="touching strokes overlap up to this many pens")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the app uses 1)")
    parser.add_argument("--save-failures", default=None, help="write misread canvases to this folder")
    args = parser.parse_args(argv)

    import torch

    from lenet.checkpoint import load_model
    from lenet.segment import read_components, read_number

    torch.set_num_threads(args.threads)
    model = load_model("lenet5")
    numbers = make_numbers(args.split, [2, 3, 4, 5], args.n, args.seed, args.touch, args.overlap)
    if args.long:
        numbers += make_numbers(args.split, [6, 7, 8, 9, 10], args.long, args.seed + 1, args.touch, args.overlap)
    read_number(model, numbers[0][0])  # warm up
    rows = []
    for i, (canvas, truth, touching) in enumerate(numbers):
        start = time.perf_counter()
        reading = read_number(model, canvas)
        ms = 1000 * (time.perf_counter() - start)
        naive = read_components(model, canvas)
        rows.append((len(truth), any(touching), reading.digits == truth, naive == truth, ms, touching))
        if args.save_failures and reading.digits != truth:
            from pathlib import Path

            Path(args.save_failures).mkdir(parents=True, exist_ok=True)
            Image.fromarray(canvas).save(Path(args.save_failures) / f"{i:04d}_{truth}_{reading.digits}.png")
        print(f"\r{i + 1}/{len(numbers)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    _report(rows, args)
    return 0


def _report(rows, args) -> None:
    length = np.array([r[0] for r in rows])
    touching = np.array([r[1] for r in rows])
    right = np.array([r[2] for r in rows])
    naive = np.array([r[3] for r in rows])
    ms = np.array([r[4] for r in rows])
    short = length <= 5
    pairs = [t for r in rows if r[0] <= 5 for t in r[5]]
    print(
        f"MNIST {args.split} digits, seed {args.seed}, touch {args.touch:.2f}, overlap ≤ {args.overlap:g} pen, "
        f"{args.threads} torch thread(s)"
    )
    print(f"neighbouring digits that touch (2–5 digits): {np.mean(pairs):.1%} of {len(pairs)} pairs")
    print(f"{'':24} {'n':>5} {'segmentation graph':>19} {'components':>11}")

    def line(name, sel):
        if sel.any():
            print(f"{name:24} {int(sel.sum()):5d} {right[sel].mean():19.1%} {naive[sel].mean():11.1%}")

    for n in sorted(set(length.tolist())):
        line(f"{n} digits", length == n)
    line("2–5 digits, all", short)
    line("2–5, some touching", short & touching)
    line("2–5, none touching", short & ~touching)
    if (~short).any():
        line("6–10 digits, all", ~short)
    five = ms[length == 5]
    if five.size:
        print(f"server time per 5-digit number: p50 {np.median(five):.1f} ms, p90 {np.percentile(five, 90):.1f} ms")
    print(f"server time, all lengths: p50 {np.median(ms):.1f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
