"""The space displacement neural network (section VII): LeNet-5 replicated over a whole row of
digits, read without cutting it.

    from lenet import load_model
    from lenet.number import read_sdnn
    reading = read_sdnn(load_model("lenet5-sdnn"), picture)
    reading.digits    # "4072"; reading.energies (T, 10), reading.labels: the output map and its path

    python -m lenet.number.sdnn --measure --split validation   # exact readings of written numbers

The paper's figure: a convolutional network is already replicated over its input, so LeNet-5 applied
to a strip 32 px high and W px wide *as one convolution* (C1, S2, C3, S4 as they are; C5 a 5×5
convolution over the S4 maps; F6 a 1×1 convolution; the RBF distances per column) gives
T = (W − 32)/4 + 1 outputs, one every 4 input pixels, each exactly LeNet-5's answer for the 32×32
window under it (:class:`SDNN`; the windows share all their computations). Trained to answer "none
of the above" (the MAP loss's rubbish target, ``LeNet5.loss``) on windows centred between two digits
or half on one (``lenet.number.train_sdnn``), its output columns are read by a small grammar (the
paper's figure: runs of one digit separated by runs of "none"), the cheapest path by Viterbi
(:func:`decode`). The paper read ZIP codes this way with an SDNN trained on its own strings.

Input (:func:`prepare_strip`): the ink row of the picture as the segmenter sees it
(``lenet.number.reading._working_ink``), its pen made MNIST's for the row's digit height
(``lenet.number.recognition.mnist_pen``), scaled so that a digit is as tall as an MNIST digit in
its 20×20 box, with 16 px of paper either side, and centred vertically column by column: each
column moved so that the centre of mass of the ink within about a digit's width of it
(:func:`column_centres`, a Gaussian of σ = ``FOLLOW`` px) lies at row 16 of the 32, as MNIST
centres a digit in its field, padded by 2. The paper's SDNN read normalised strings; one centre
for the whole row put the digits of a sloping baseline high at one end and low at the other.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from lenet.model import BACKGROUND, INK, LeNet5
from lenet.number.ink import INK_LEVEL, estimate_height, vertical_crossings
from lenet.number.reading import (
    BLANK,
    MAX_ASPECT,
    MAX_COVER,
    MAX_DIGITS,
    NOISE,
    NOT_DIGITS,
    TOO_LONG,
    _working_ink,
)
from lenet.number.recognition import mnist_pen
from lenet.preprocess import BOX, MAX_CROSSINGS

FIELD = 32  # LeNet-5's input window, px
STEP = 4  # C1 → S2 → C3 → S4 halve twice: one output column every 4 input pixels
CENTRE_ROW = 16.0  # MNIST's centre of mass (14, 14) in the 28×28 field, padded by 2
# strip px: σ of the per-column vertical centring (column_centres; 0: one centre for the whole row, as
# lenet5-sdnn was trained before). 12 (about one digit's width) for the shipped lenet5-sdnn, whose
# windows were cut from strips centred so: chosen on validation numbers (lenet/number/train_sdnn.py).
FOLLOW = 12.0
PAD = 16  # strip px of paper left and right of the ink, so that windows centred on the ends exist
NONE = -1  # the label of a column read as "none of the above"


@dataclass(frozen=True)
class Decoder:
    """The grammar's constants, in energy units (squared RBF distances). A column costs its digit's
    energy, or "none of the above": ``none`` plus ``gap`` × (the runner-up's energy − the best's), so
    that a column sure of one digit (a large gap) costs more to call "none" than a column between
    two digits, whose two best are close; each digit read costs ``digit`` (negative: a reward per
    digit, against reading two as one); a digit that follows another with no "none" column between
    them costs ``change`` more (inf: not allowed). Chosen on validation numbers
    (``python -m lenet.number.sdnn --tune``)."""

    # Chosen for lenet5-sdnn by ``python -m lenet.number.sdnn --tune --split validation --writer both --n 50
    # --seed 3`` (400 validation numbers, plain and varied writer): 58.2% exact, the best of the grid; the
    # gap term never helped (0 in all of the ten best), and a change of digit with no "none" between
    # read the same at 20 as not allowed at all.
    none: float = 28.0
    digit: float = 5.0
    change: float = 20.0
    gap: float = 0.0


DECODER = Decoder()


class SDNN(nn.Module):
    """LeNet-5 (the same module's weights, nothing copied) as one convolutional network over a strip.

    The strip: float (B, 1, 32, W) with ink in [0, 1], W = 32 + 4(T − 1). Every layer keeps its
    weights and its width: C1 (B, 6, 28, W − 4), S2 (B, 6, 14, (W − 4)/2), C3 (B, 16, 10, (W − 12)/2),
    S4 (B, 16, 5, (W − 12)/4), C5 (B, 120, 1, T) the 5×5 convolution over S4, F6 (B, 84, 1, T) a
    1×1 convolution, Output (B, 10, T) the RBF distances of each column's F6 to the prototypes."""

    def __init__(self, lenet: LeNet5):
        super().__init__()
        if not getattr(lenet, "rbf", False):
            raise ValueError("the SDNN replicates a LeNet-5 with RBF outputs")
        self.lenet = lenet

    def forward_intermediates(self, strip: torch.Tensor) -> dict[str, torch.Tensor]:
        net = self.lenet
        acts = {"input": BACKGROUND + (INK - BACKGROUND) * strip}  # (B, 1, 32, W)
        acts["C1"] = net.act(net.c1(acts["input"]))  # (B, 6, 28, W − 4)
        acts["S2"] = net.pooled(net.s2, acts["C1"])  # (B, 6, 14, (W − 4)/2)
        acts["C3"] = net.act(net.c3(acts["S2"]))  # (B, 16, 10, (W − 12)/2)
        acts["S4"] = net.pooled(net.s4, acts["C3"])  # (B, 16, 5, (W − 12)/4)
        acts["C5"] = net.act(net.c5(acts["S4"]))  # (B, 120, 1, T)
        f6 = net.f6
        acts["F6"] = net.act(F.conv2d(acts["C5"], f6.weight[:, :, None, None], f6.bias))  # (B, 84, 1, T)
        x = acts["F6"][:, :, 0]  # (B, 84, T)
        centres = net.output.centres  # (10, 84)
        acts["Output"] = (x[:, None, :, :] - centres[None, :, :, None]).pow(2).sum(2)  # (B, 10, T)
        return acts

    def forward(self, strip: torch.Tensor) -> torch.Tensor:
        """Energies (B, T, 10): column t is LeNet-5's RBF output for the window at x = 4t .. 4t + 31."""
        return self.forward_intermediates(strip)["Output"].transpose(1, 2)


@dataclass(frozen=True)
class Strip:
    """A picture's ink row as the SDNN reads it: ``ink`` float32 (32, W) in [0, 1], W = 32 + 4(T − 1);
    strip pixel x lies at x0 + x · px in the picture; ``height`` the row's digit height in the picture's px."""

    ink: np.ndarray
    x0: float
    px: float
    height: float

    @property
    def columns(self) -> int:
        return (self.ink.shape[1] - FIELD) // STEP + 1

    def centres(self) -> np.ndarray:
        """float (T,): the picture x of each output column's window centre."""
        return self.x0 + (STEP * np.arange(self.columns) + FIELD / 2) * self.px


def prepare_strip(image: Any, follow: float | None = None) -> tuple[Strip | None, str]:
    """Any picture (what ``lenet.preprocess.to_array`` takes) → (its :class:`Strip`, "") or (None,
    the refusal: blank, noise, far longer than 10 digits, with ``read_number``'s messages).
    ``follow`` (default ``FOLLOW``): how the strip is centred vertically (:func:`column_centres`)."""
    work, status, scale, origin = _working_ink(image)
    if work is None:
        return None, status
    mask = work > INK_LEVEL
    if vertical_crossings(mask) > MAX_CROSSINGS or mask.mean() > MAX_COVER:
        return None, NOISE
    height = estimate_height(mask)
    if mask.shape[1] > MAX_ASPECT * height:
        return None, TOO_LONG
    work = mnist_pen(work, height)
    f = BOX / height  # strip px per working px: a digit as tall as MNIST's in its 20×20 box
    h, w = work.shape
    size = (max(1, round(w * f)), max(1, round(h * f)))
    small = Image.frombuffer("F", (w, h), np.ascontiguousarray(work, np.float32), "raw", "F", 0, 1)
    small = np.asarray(small.resize(size, Image.Resampling.LANCZOS), np.float32).clip(0.0, 1.0)
    fx = size[0] / w
    follow = FOLLOW if follow is None else follow
    shift = CENTRE_ROW - column_centres(small, follow)  # (size[0],) rows down
    if follow <= 0:
        shift = np.round(shift)  # one whole-pixel move for the row: the ink as it was, not resampled
    width = PAD + size[0] + PAD
    width = FIELD + STEP * max(0, math.ceil((width - FIELD) / STEP))
    ink = np.zeros((FIELD, width), np.float32)
    ink[:, PAD : PAD + size[0]] = _shifted(small, shift)  # a tall row's ink beyond the 32 rows is cut
    if not np.any(ink > INK_LEVEL):
        return None, BLANK
    px = scale / fx  # picture px per strip px
    return Strip(ink, origin[0] - PAD * px, px, height * scale), ""


def column_centres(small: np.ndarray, follow: float) -> np.ndarray:
    """float (W,): the row of ``small`` (H, W) (the row's ink, a digit 20 px tall) that each column
    centres on row 16. ``follow`` = 0: one row for all, the ink's centre of mass (as MNIST centres
    a digit; a sloping baseline then puts the digits at one end high and at the other low);
    ``follow`` > 0: the centre of mass of the ink within a Gaussian of σ = ``follow`` px of the
    column, so that every window sees its digits centred as MNIST's are (the paper's SDNN read
    normalised strings); where there is no ink near, the nearest inked column's."""
    rows = np.arange(small.shape[0], dtype=np.float64)
    mass = small.sum(axis=0).astype(np.float64)  # (W,)
    moment = (small * rows[:, None]).sum(axis=0)
    whole = float(moment.sum() / max(mass.sum(), 1e-6))
    if follow <= 0 or mass.sum() <= 0:
        return np.full(small.shape[1], whole)
    r = int(math.ceil(3 * follow))
    kernel = np.exp(-0.5 * (np.arange(-r, r + 1) / follow) ** 2)
    m = np.convolve(mass, kernel, mode="same") if len(mass) >= len(kernel) else _smooth(mass, kernel)
    y = np.convolve(moment, kernel, mode="same") if len(mass) >= len(kernel) else _smooth(moment, kernel)
    known = m > 1e-3 * kernel.sum()
    if not known.any():
        return np.full(small.shape[1], whole)
    xs = np.arange(small.shape[1])
    return np.interp(xs, xs[known], y[known] / m[known])


def _smooth(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``np.convolve(values, kernel, "same")`` for a kernel longer than the values: the values' length."""
    full = np.convolve(values, kernel, mode="full")
    start = (len(kernel) - 1) // 2
    return full[start : start + len(values)]


def _shifted(small: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """float32 (32, W): column x of ``small`` (H, W) moved down by ``shift[x]`` rows (fractions
    linearly), rows 0–31 kept, paper where nothing moved in."""
    h = small.shape[0]
    src = np.arange(FIELD)[:, None] - shift[None, :]  # (32, W): the row of small each strip row takes
    lo = np.floor(src).astype(np.int64)
    frac = (src - lo).astype(np.float32)
    cols = np.arange(small.shape[1])[None, :]

    def at(r: np.ndarray) -> np.ndarray:
        inside = (r >= 0) & (r < h)
        return np.where(inside, small[r.clip(0, h - 1), cols], 0.0)

    return ((1 - frac) * at(lo) + frac * at(lo + 1)).astype(np.float32)


def column_costs(energies: np.ndarray, decoder: Decoder = DECODER) -> np.ndarray:
    """float (T,): what reading each column as "none of the above" costs: the decoder's constant (the
    MAP criterion's rubbish constant j plays that part in training), plus ``decoder.gap`` × the gap
    between the column's two lowest energies."""
    if not len(energies):
        return np.zeros(0, np.float32)
    two = np.sort(energies, axis=1)[:, :2]
    return (decoder.none + decoder.gap * (two[:, 1] - two[:, 0])).astype(np.float32)


def decode(energies: np.ndarray, none_cost: np.ndarray, decoder: Decoder = DECODER) -> tuple[str, np.ndarray, float]:
    """The grammar of section VII over the output columns, by Viterbi: each digit a run of one or more
    columns of that digit, digits separated by runs of "none" (or, for ``decoder.change`` more, one
    digit right after another). ``energies`` (T, 10), ``none_cost`` (T,) → (the digits read, the
    label of each column on the cheapest path: 0–9 or NONE (−1), the path's cost)."""
    t_n = len(energies)
    if t_n == 0:
        return "", np.zeros(0, np.int64), 0.0
    cost = np.concatenate([np.asarray(none_cost, np.float64)[:, None], energies.astype(np.float64)], axis=1)
    # states: 0 = none, 1 + d = inside a run of digit d. back[t, s]: the state at t − 1, and whether a
    # new digit began at t (a run of d can follow a run of d only as a new digit, through ``change``)
    best = cost[0].copy()
    best[1:] += decoder.digit
    back = np.zeros((t_n, 11), np.int64)
    new = np.zeros((t_n, 11), bool)
    new[0, 1:] = True
    for t in range(1, t_n):
        prev = best
        from_digit = prev[1:].min() + decoder.digit + decoder.change  # a new digit straight after a digit
        arg_digit = 1 + int(prev[1:].argmin())
        start = prev[0] + decoder.digit  # a new digit after "none"
        nxt = np.empty(11)
        # none: after none or after any digit
        k = int(prev.argmin())
        nxt[0], back[t, 0] = prev[k], k
        # digit d: go on, start after none, or start after a digit
        options = np.stack([prev[1:], np.full(10, start), np.full(10, from_digit)])  # (3, 10)
        pick = options.argmin(axis=0)
        nxt[1:] = options[pick, np.arange(10)]
        back[t, 1:] = np.where(pick == 0, np.arange(1, 11), np.where(pick == 1, 0, arg_digit))
        new[t, 1:] = pick > 0
        best = nxt + cost[t]
    s = int(best.argmin())
    total = float(best[s])
    labels = np.empty(t_n, np.int64)
    digits = []
    for t in range(t_n - 1, -1, -1):
        labels[t] = s - 1 if s else NONE
        if s and new[t, s]:
            digits.append(str(s - 1))
        s = int(back[t, s])
    return "".join(reversed(digits)), labels, total


def runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """The runs of one label on the path that are not "none": (first column, last column + 1, digit),
    left to right."""
    out: list[tuple[int, int, int]] = []
    t = 0
    while t < len(labels):
        if labels[t] == NONE:
            t += 1
            continue
        d = int(labels[t])
        end = t
        while end < len(labels) and labels[end] == d:
            end += 1
        out.append((t, end, d))
        t = end
    return out


@dataclass(frozen=True)
class SdnnReading:
    """What :func:`read_sdnn` makes of a row of digits."""

    digits: str  # the number read, e.g. "4072"; "" for none
    message: str  # one sentence for the user
    energies: np.ndarray = field(default_factory=lambda: np.zeros((0, 10), np.float32))  # (T, 10) RBF outputs
    none_cost: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # (T,) "none" per column
    centres: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (T,) picture x of each column's centre
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # (T,) 0–9 or NONE on the path
    starts: list[int] = field(default_factory=list)  # the column where each digit read begins
    strip: np.ndarray | None = None  # float32 (32, W): what the SDNN read, ink 1
    x0: float = 0.0  # picture x of the strip's pixel 0
    px: float = 1.0  # picture px per strip px
    digit_height: float = 0.0  # the row's digit height, picture px
    path_cost: float = math.inf


@torch.no_grad()
def read_sdnn(model: LeNet5, image: Any, decoder: Decoder = DECODER, follow: float | None = None) -> SdnnReading:
    """Read a row of handwritten digits with LeNet-5 ``model`` replicated over it (no cutting).

    Returns an :class:`SdnnReading`: ``digits`` ("" with a ``message`` saying why for a blank
    picture, noise or a row far longer than 10 digits), the output map (``energies``, one row per
    column, a column every 4 strip px) and the path through it. Raises
    :class:`lenet.preprocess.UnreadableImage` only for something that is not a picture. ``follow``:
    the strip's vertical centring (:func:`column_centres`; default ``FOLLOW``, the shipped network's)."""
    strip, status = prepare_strip(image, follow)
    if strip is None:
        return SdnnReading("", status)
    energies = SDNN(model)(torch.from_numpy(strip.ink)[None, None])[0].numpy()  # (T, 10)
    none = column_costs(energies, decoder)
    digits, labels, total = decode(energies, none, decoder)
    starts = _starts(digits, labels)
    return SdnnReading(
        digits=digits,
        message=_message(digits),
        energies=energies,
        none_cost=none,
        centres=strip.centres(),
        labels=labels,
        starts=starts,
        strip=strip.ink,
        x0=strip.x0,
        px=strip.px,
        digit_height=strip.height,
        path_cost=total,
    )


def _starts(digits: str, labels: np.ndarray) -> list[int]:
    """The first column of each digit read: where a run begins, and where a run of one digit is the
    same digit twice (the grammar read it as two), its middle."""
    found = [(a, b) for a, b, _ in runs(labels)]
    starts = [a for a, _ in found]
    extra = len(digits) - len(found)
    # a run read as k digits (the same digit k times): split it evenly, widest runs first
    order = sorted(range(len(found)), key=lambda i: found[i][0] - found[i][1])
    for i in order[: max(0, extra)]:
        a, b = found[i]
        starts.append((a + b + 1) // 2)
    return sorted(starts)


def _message(digits: str) -> str:
    if not digits:
        return NOT_DIGITS
    n = len(digits)
    said = f"The SDNN read {n} digit{'s' if n > 1 else ''}: {digits}."
    if n > MAX_DIGITS:
        said += f" That is more than {MAX_DIGITS} digits: the reader is made for {MAX_DIGITS} at most."
    return said


# --- measuring it on written numbers ------------------------------------------------------------


def written_numbers(split: str, lengths, n: int, seed: int, varied: bool = False, data_dir=None):
    """``n`` numbers of each length written (``lenet.number.writer.written``) with the MNIST
    digits of ``split`` ("validation": the last 10,000 training images; "test") → [(canvas, truth)]."""
    from lenet.data import DEFAULT_DATA_DIR, load_split
    from lenet.number.writer import written

    images, labels = load_split(split, data_dir or DEFAULT_DATA_DIR)
    numbers = written(images[:, 0].numpy(), labels.numpy(), lengths, n, seed, varied=varied)
    return [(canvas, truth) for canvas, truth, _ in numbers]


def exact_rate(model: LeNet5, numbers, decoder: Decoder = DECODER, follow: float | None = None) -> dict:
    """The share of ``numbers`` [(canvas, truth)] read exactly, overall and per length, and the
    median reading time (ms, one thread)."""
    right: dict[int, list[bool]] = {}
    times = []
    for canvas, truth in numbers:
        start = time.perf_counter()
        got = read_sdnn(model, canvas, decoder, follow).digits
        times.append(time.perf_counter() - start)
        right.setdefault(len(truth), []).append(got == truth)
    every = [r for v in right.values() for r in v]
    return {
        "exact": float(np.mean(every)),
        "n": len(every),
        "by_length": {k: float(np.mean(v)) for k, v in sorted(right.items())},
        "median_ms": 1000 * float(np.median(times)),
    }


@torch.no_grad()
def tune(model: LeNet5, numbers, nones=(10, 14, 17, 20, 24, 28, 34), digits=(-10, -5, 0, 5),
         changes=(0, 5, 10, 20, math.inf), gaps=(0.0, 0.25, 0.5, 1.0),
         follow: float | None = None) -> list[tuple[float, Decoder]]:  # fmt: skip
    """Every decoder of the grid on ``numbers`` [(canvas, truth)] (validation numbers only): the
    output maps are made once, then decoded with each. Returns (exact rate, decoder), best first."""
    maps = []
    for canvas, truth in numbers:
        strip, _ = prepare_strip(canvas, follow)
        energies = None if strip is None else SDNN(model)(torch.from_numpy(strip.ink)[None, None])[0].numpy()
        maps.append((energies, truth))
    found = []
    for none in nones:
        for digit in digits:
            for change in changes:
                for gap in gaps:
                    d = Decoder(float(none), float(digit), float(change), float(gap))
                    right = [e is not None and decode(e, column_costs(e, d), d)[0] == t for e, t in maps]
                    found.append((float(np.mean(right)), d))
    return sorted(found, key=lambda f: -f[0])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Measure the SDNN reader on written numbers (exact readings).")
    p.add_argument("--measure", action="store_true", help="read written numbers and print the exact-reading rate")
    p.add_argument("--tune", action="store_true", help="choose the decoder's constants (validation numbers only)")
    p.add_argument("--split", default="validation", choices=["validation", "test"], help="the digits written")
    p.add_argument("--n", type=int, default=200, help="numbers of each length (2, 3, 4, 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the digits and the handwriting")
    p.add_argument("--writer", default="plain", choices=["plain", "varied", "both"], help="which writer")
    p.add_argument("--network", default="lenet5-sdnn", help="the LeNet-5 to replicate")
    p.add_argument("--weights", type=Path, default=None, help="its weights file (default: the shipped one)")
    p.add_argument(
        "--follow",
        type=float,
        default=None,
        help="the strip's per-column centring σ (default: the 'follow' in the weights' json, else 0)",
    )
    p.add_argument("--decoder", default="", help="override decoder constants, e.g. none=18,digit=-2,change=inf")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    if not (args.measure or args.tune):
        p.print_help()
        return 0
    if args.tune and args.split != "validation":
        p.error("--tune chooses the decoder: only on --split validation")
    from dataclasses import replace

    from lenet.checkpoint import load_model, read_info, weights_path

    torch.set_num_threads(args.threads)
    model = load_model(args.network, path=args.weights)
    follow = args.follow
    if follow is None:
        follow = float(read_info(args.weights or weights_path(args.network)).get("follow", 0.0))
    decoder = DECODER
    if args.decoder:
        decoder = replace(decoder, **{k: float(v) for k, v in (kv.split("=") for kv in args.decoder.split(","))})
    if args.tune:
        numbers = []
        for writer in ("plain", "varied") if args.writer == "both" else (args.writer,):
            numbers += written_numbers(args.split, (2, 3, 4, 5), args.n, args.seed, writer == "varied")
        for rate, d in tune(model, numbers, follow=follow)[:10]:
            print(f"{100 * rate:.1f}% exact of {len(numbers)} ({args.writer} writer): {d}")
        return 0
    for writer in ("plain", "varied") if args.writer == "both" else (args.writer,):
        numbers = written_numbers(args.split, (2, 3, 4, 5), args.n, args.seed, writer == "varied")
        r = exact_rate(model, numbers, decoder, follow)
        lengths = ", ".join(f"{k} digits {100 * v:.1f}%" for k, v in r["by_length"].items())
        said = f"{100 * r['exact']:.1f}% of {r['n']} read exactly ({lengths}); median {r['median_ms']:.1f} ms"
        print(
            f"{args.network} SDNN, {writer} writer, MNIST {args.split} digits, seed {args.seed}, {decoder}, "
            f"follow {follow}: {said}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
