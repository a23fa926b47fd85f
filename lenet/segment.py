"""Read a row of handwritten digits the paper's way: cut, recognise every candidate piece, Viterbi.

LeCun, Bottou, Bengio and Haffner (1998), sections IV–V, read whole ZIP codes and cheque amounts,
where nobody says where one digit ends and the next begins. Their answer is heuristic
over-segmentation, and this module follows it:

1. **Cut too much** (:func:`oversegment`). The ink is split at every plausible boundary: the gaps
   between its connected pieces, and, through touching ink, near-vertical paths that start at the
   notches of the upper and lower contours (where two loops meet) and at the valleys of the ink
   crossed (the vertical ink profile), each crossing as little ink as it can, and free paths that
   slant and curve along the gap where one digit runs into the next (the least-ink path through
   each point of two rows, kept where that cost is locally least). A bit of stroke a cut
   leaves cut off from its side goes to the side it still touches. The result is a left-to-right
   row of *segments*; a digit is one segment or a run of a few consecutive ones.
2. **Recognise every candidate** (:func:`build_graph`). Every run of 1..``MAX_SPAN`` consecutive
   segments is a candidate piece, preprocessed like a single digit (the steps of
   ``lenet.preprocess.normalize``: MNIST's pen width, size normalisation and centring), and all
   are scored in ONE batched forward pass. The cost of a piece read as digit d starts from
   LeNet-5's RBF output y_d, the squared distance of F6 to digit d's prototype (eq. 7): an
   unnormalised energy, so that a piece that is no digit at all can cost a lot whatever its label.
3. **Viterbi** (:func:`decode`, :func:`viterbi`). The cuts are the nodes of the segmentation graph,
   the pieces its arcs, and the reading is the cheapest path from the first cut to the last: per
   arc the best digit's energy, plus penalties for a piece much shorter than the row's digits or
   much wider or narrower than that digit usually is (MNIST's width/height per class), plus a
   constant per digit; per node, a cost per stroke that a cut goes through, a bonus for a gap.

What differs from the paper, and why the figures are what they are (``bench/read_number.py``):
the shipped LeNet-5 was trained on single, centred MNIST digits only. The paper also trained its
recogniser on the pieces of the graph, so that parts of digits, pairs of digits and badly cut
pieces get high energies for every class ("rubbish"); ours never saw such pieces, and two touching
digits squeezed into the 20×20 box often look like one good digit (an 8, a 0). The penalties and
``Costs`` stand in for that training; they were tuned on numbers written with the last 10,000
MNIST training digits, never on the test set. A piece on the path whose best energy is above
``Costs.reject`` is answered "?" (the MAP criterion's rubbish constant j plays that part for one
digit, but the shipped j = 5 is below the energies of clean pieces cut from touching ink).
``lenet5-pieces`` (``lenet/train_pieces.py``) is LeNet-5 given that training: fine-tuned on the
pieces of numbers written with fit digits, those that are not one digit with the rubbish target;
read with it using ``costs_for("lenet5-pieces")``.

Pure numpy, Pillow and torch; no Gradio: a page turns :class:`NumberReading` into pictures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PIL import Image

from lenet.preprocess import (
    BOX,
    MAX_CROSSINGS,
    MNIST_PEN,
    UnreadableImage,
    _rank_filter,
    centre,
    fit_cropped,
    ink_map,
    normalize,
    place,
    stroke_width,
    to_array,
)

MAX_DIGITS = 10  # what the page asks for; longer rows are read but flagged
MAX_SPAN = 12  # a digit is at most this many consecutive segments
BAND = 48  # px: the height of the ink's bounding box in the working copy
MARGIN = 2  # px of blank paper around it
INK_LEVEL = 0.35  # ink above this is a stroke (components, segments, cut costs)
MAX_ASPECT = 18.0  # ink wider than this × the digit height: far more than 10 digits, or a line
MAX_COVER = 0.5  # ink over more than this share of its box is a scribble (numbers: at most 0.45)
MAX_SEGMENTS = 60  # refuse beyond this many segments (a scribble, a page of text)

# Cutting (fractions of the estimated digit height H).
CUT_MIN_WIDTH = 0.45  # only ink at least this wide may hold two digits
CUT_EDGE = 0.1  # no cut closer than this to either end of the ink it splits
CUT_SEPARATION = 0.1  # two cut candidates in the same ink at least this far apart
CUT_DRIFT = 0.05  # a cut path may wander this far either side of its valley
CUT_EVERY = 0.1  # at most one cut per this much width of ink
CUT_ROWS = (0.35, 0.65)  # free cuts: the least-ink paths through each point of these rows (shares of the ink's height)
CUT_MAX_STROKES = 3  # a free cut through more strokes than this is left out
CUT_DISTINCT = 0.05  # two cut paths closer than this on average (mean |Δx|) are one
CUT_NOTCH = 0.1  # a dip of the upper (or rise of the lower) contour this deep marks two loops meeting
TINY = 0.02  # a segment of fewer than TINY·H² pixels is glued to its nearest neighbour

MAX_WIDTH = 1.5  # pieces wider than this × H are not scored at all
MIN_HEIGHT = 0.5  # nor pieces of several segments lower than this × H (no digit; its segments are scored alone)
OTHER_SCALE = 5.0  # networks without an RBF output: energy = OTHER_SCALE · (−log softmax)

# Width / height of MNIST digits, per class: mean and standard deviation of its logarithm over the
# 10,000 validation digits (the last 10,000 training images; ink > 0.3 in the 28×28 field).
LOG_ASPECT = np.array([-0.122, -0.938, -0.079, -0.258, -0.260, -0.074, -0.339, -0.277, -0.303, -0.407])
LOG_ASPECT_SD = np.array([0.197, 0.446, 0.212, 0.203, 0.214, 0.241, 0.204, 0.215, 0.212, 0.189])


@dataclass(frozen=True)
class Costs:
    """What a path through the graph pays, in energy units (squared RBF distances: a clean MNIST
    digit scores about 1 for its class, about 50 for the runner-up). Tuned on validation digits."""

    digit: float = -10.0  # per digit read; negative: a two-digit blob often looks like one digit (an 8)
    cut: float = 4.0  # per stroke that a chosen cut goes through
    gap: float = 10.0  # taken off for each gap between separate pieces of ink that the path cuts at
    short: float = 0.85  # a piece less than short·H high ...
    short_cost: float = 200.0  # ... pays this per H of height missing
    aspect_free: float = 2.0  # a piece's log width/height may be this many SDs off its digit's ...
    aspect_cost: float = 20.0  # ... beyond that it pays this × (SDs in excess)²
    reject: float = 60.0  # a piece on the path whose best energy is above this is no digit: "?"


COSTS = Costs()
# Costs tuned for a network other than the shipped LeNet-5 (same rule: validation numbers only, by
# ``python -m bench.read_number --split validation --network NAME --tune``). lenet5-pieces was
# trained to give pieces that are not one digit high energies (lenet/train_pieces.py, j = 20): its
# clean digits sit near 13 rather than 1, hence the larger reward per digit read.
NETWORK_COSTS: dict[str, Costs] = {
    "lenet5-pieces": Costs(digit=-30.0, cut=4.0, gap=6.0, short_cost=100.0, aspect_cost=0.0, reject=60.0),
}


def costs_for(network: str) -> Costs:
    """The costs tuned on validation numbers for the network of that name (COSTS by default)."""
    return NETWORK_COSTS.get(network, COSTS)


BLANK = "Nothing written yet: write a number of up to 10 digits in a row."
TOO_LONG = "This is longer than a row of 10 digits (or a line rather than digits): write at most 10 digits in one row."
NOISE = "This looks like a scribble, noise or a pattern, not a row of digits. Write the digits on plain paper."
NOT_DIGITS = "This does not look like digits. Write a number of up to 10 digits in a row."


@dataclass(frozen=True)
class Cut:
    """A node of the segmentation graph: a boundary between segments ``index − 1`` and ``index``."""

    index: int  # 0 = before everything, len(segments) = after everything
    kind: str  # "start", "gap" (between separate pieces of ink), "ink" (through touching ink), "end"
    line: list[tuple[float, float]]  # (x, y) points in the input's pixels, top to bottom
    cost: float  # what passing this cut adds to a path: Costs.cut per stroke it goes through, −Costs.gap at a gap
    on_path: bool


@dataclass(frozen=True)
class Piece:
    """An arc of the segmentation graph: segments ``start`` .. ``end − 1`` read as one digit."""

    start: int  # the cut it begins at
    end: int  # the cut it ends at
    box: tuple[int, int, int, int]  # (left, top, right, bottom) in the input's pixels, right/bottom excluded
    digit: int  # the best digit
    runner_up: int
    energy: float  # squared RBF distance of F6 to the best digit's prototype
    cost: float  # the arc's cost on a path: energy + shape penalties + the per-digit constant
    on_path: bool


@dataclass(frozen=True)
class NumberReading:
    """What :func:`read_number` makes of a row of digits."""

    digits: str  # the number read, e.g. "4072"; "?" for a piece that is no digit; "" for none
    message: str  # one sentence for the user
    pieces: list[Piece] = field(default_factory=list)  # the chosen path, left to right
    cuts: list[Cut] = field(default_factory=list)  # every node of the graph, left to right
    graph: list[Piece] = field(default_factory=list)  # every candidate piece (arcs), by start then end
    inputs: np.ndarray | None = None  # float32 (len(graph), 28, 28): what LeNet-5 saw for each arc
    energies: np.ndarray | None = None  # float32 (len(graph), 10): its RBF outputs for each arc
    path_cost: float = math.inf
    digit_height: float = 0.0  # estimated, in the input's pixels


# --- connected components ------------------------------------------------------------------------


def components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected components of a boolean (H, W) mask → int32 labels (0 = background, 1..n), n.

    Run-length labelling, all in numpy (no scipy): the horizontal runs of each row are joined to
    the runs of the row above that they touch, diagonals included (for each run, those runs form
    one range, found by binary search); the runs' labels are then the least run index of their
    component (min-label propagation with pointer jumping), numbered 1..n in row-major order of
    each component's first run.
    """
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)  # a blank column either side (np.pad is slow on small arrays)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    rows, starts = np.nonzero(d == 1)
    _, ends = np.nonzero(d == -1)  # exclusive; same order as the starts (row-major)
    n = len(rows)
    labels = np.zeros((h, w), dtype=np.int32)
    if n == 0:
        return labels, 0
    stride = w + 2
    first = np.searchsorted(rows, np.arange(h + 1))  # runs of row r: first[r] .. first[r + 1]
    key_start, key_end = rows * stride + starts, rows * stride + ends
    below = rows > 0
    j = np.flatnonzero(below)
    above = (rows[j] - 1) * stride
    lo = np.maximum(np.searchsorted(key_end, above + starts[j], "left"), first[rows[j] - 1])
    hi = np.minimum(np.searchsorted(key_start, above + ends[j], "right"), first[rows[j]])
    count = np.maximum(hi - lo, 0)
    v = np.repeat(j, count)  # edges (u, v): run u of the row above touches run v
    u = np.repeat(lo, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
    root = np.arange(n)
    while True:
        m = np.minimum(root[u], root[v])
        new = root.copy()
        np.minimum.at(new, root[u], m)
        np.minimum.at(new, root[v], m)
        new = np.minimum(new, new[new])
        while True:
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, root):
            break
        root = new
    _, ids = np.unique(root, return_inverse=True)
    ids = ids.astype(np.int32) + 1
    length = ends - starts
    offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    labels[np.repeat(rows, length), np.repeat(starts, length) + offset] = np.repeat(ids, length)
    return labels, int(ids.max())


# --- over-segmentation ---------------------------------------------------------------------------


STEP = 0.05  # what a cut path pays per sideways move, so that paths through empty paper stay straight


def _step(total: np.ndarray, back: np.ndarray) -> np.ndarray:
    """One row of the cut paths' dynamic programming: ``total`` (..., n) the cheapest way to each
    column of the row above → the cheapest way to each column of this row before its own ink, coming
    from the column to the left, the same column or the column to the right (STEP per sideways
    move; ties in that order), and that move (−1, 0, 1) written into ``back``."""
    best = total.copy()
    back[...] = 0
    right = total[..., 1:] + STEP  # into columns 0 .. n − 2
    better = right < best[..., :-1]  # strictly: the same column wins a tie
    np.copyto(best[..., :-1], right, where=better)
    np.copyto(back[..., :-1], 1, where=better)
    left = total[..., :-1] + STEP  # into columns 1 .. n − 1
    better = left <= best[..., 1:]  # the left wins any tie
    np.copyto(best[..., 1:], left, where=better)
    np.copyto(back[..., 1:], -1, where=better)
    return best


def _sweep(first: list[np.ndarray], costs: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Several dynamic programmings over the same H rows in one sweep (:func:`_step` once per row
    for all of them, not once per row for each): ``first[i]`` (k, n) the totals in row 0 and
    ``costs[i]`` (H, k, n) the cost of each cell, moves along the last axis. Side by side in one
    row, each (k, n) block padded with a column that costs ∞, so that none reaches another (a
    padding cell is never the cheaper way to a finite one). Returns (totals, moves) per
    programming: float64 (H, k, n), int8 (H, k, n), as separate sweeps would give them."""
    h = costs[0].shape[0]

    def pad(a: np.ndarray) -> np.ndarray:
        return np.concatenate([a, np.full((*a.shape[:-1], 1), np.inf)], axis=-1)

    cost = np.concatenate([pad(c).reshape(h, -1) for c in costs], axis=1)
    total = np.empty(cost.shape)
    back = np.zeros(cost.shape, dtype=np.int8)
    total[0] = np.concatenate([pad(f).ravel() for f in first])
    for r in range(1, h):
        total[r] = _step(total[r - 1], back[r]) + cost[r]
    out, at = [], 0
    for k, n in (f.shape for f in first):
        block = slice(at, at + k * (n + 1))
        out.append((total[:, block].reshape(h, k, n + 1)[..., :n], back[:, block].reshape(h, k, n + 1)[..., :n]))
        at = block.stop
    return out


def _least_ink_paths(ink: np.ndarray, edge: int, drift: int):
    """Dynamic programming over the rows of ``ink`` (float (H, W)), all starts at once: for every
    start column in [edge, W − edge), the path from the top row to the bottom row that moves at
    most one column per row, stays within ``drift`` columns of its start and inside [edge, W −
    edge), and crosses as little ink as it can (plus a small price per sideways move, so that paths
    through empty paper stay straight). Returns (its first row, its costs: what :func:`_sweep`
    takes; a function of :func:`_sweep`'s result → (the ink each start's path crosses, (n,); a
    function start index → its path, int (H,): the column in each row))."""
    h, w = ink.shape
    starts = np.arange(edge, w - edge)
    offsets = np.arange(-drift, drift + 1)
    cols = starts[:, None] + offsets[None, :]  # (n, 2·drift + 1): the columns each path may use
    inside = (cols >= edge) & (cols < w - edge)  # a path hugging either end cuts nothing off
    cost = np.where(inside, ink[:, np.clip(cols, 0, w - 1)], np.inf)  # (H, n, m)

    def paths(total: np.ndarray, back: np.ndarray):
        end = total[-1].argmin(axis=1)
        crossed = total[-1][np.arange(len(starts)), end]

        def trace(v: int) -> np.ndarray:
            x = int(end[v])
            path = np.empty(h, dtype=np.int64)
            for r in range(h - 1, -1, -1):
                path[r] = cols[v, x]
                x += back[r, v, x]
            return path

        return crossed, trace

    return cost[0] + 0.01 * np.abs(offsets), cost, paths


def _through_paths(ink: np.ndarray, edge: int, rows: tuple[float, ...]):
    """For each of ``rows`` (shares of the height) and every column x in [edge, W − edge): the
    least-ink path from the top row to the bottom row through (that row, x), free to slant (at most
    one column per row, a small price per sideways move): forward and backward dynamic programming,
    the cost through a point being the best way down to it plus the best way on from it. Returns
    (first row, costs, a function of :func:`_sweep`'s result) as :func:`_least_ink_paths`; that
    function gives a list of (ink crossed per x, (n,); a function x index → its path, int (H,)),
    one per row."""
    h, w = ink.shape
    c = ink[:, edge : w - edge].astype(np.float64)
    both = np.stack([c, c[::-1]], axis=1)  # (H, 2, n): down from the top row and up from the bottom row

    def paths(total: np.ndarray, back: np.ndarray):
        down, back_down = total[:, 0], back[:, 0]
        up, back_up = total[::-1, 1], back[::-1, 1]
        out = []
        for share in rows:
            row = min(h - 1, max(0, round(share * (h - 1))))
            through = down[row] + up[row] - c[row]

            def trace(x0: int, row: int = row) -> np.ndarray:
                path = np.empty(h, dtype=np.int64)
                x = x0
                for r in range(row, -1, -1):
                    path[r] = x
                    x += int(back_down[r, x])
                x = x0
                for r in range(row, h):
                    path[r] = x
                    x += int(back_up[r, x])
                return path + edge

            out.append((through, trace))
        return out

    return both[0], both, paths


def _valleys(crossed: np.ndarray) -> np.ndarray:
    """The local minima of the (lightly smoothed) ink crossed as a function of the start, lowest first."""
    p = np.convolve(np.pad(crossed, 1, mode="edge"), [0.25, 0.5, 0.25], mode="valid")
    i = np.arange(len(p))
    valleys = i[(p <= p[np.maximum(i - 1, 0)]) & (p <= p[np.minimum(i + 1, len(p) - 1)])]
    return valleys[np.argsort(p[valleys], kind="stable")]


def cut_paths(ink: np.ndarray, height: float) -> list[tuple[np.ndarray, float]]:
    """Where to cut one connected piece of ink (float (H, W), zero outside it) that may hold several
    digits: least-ink paths from its top row to its bottom row, left to right, as (column of the path
    in each row, int (H,); how many strokes it crosses).

    Two families of cuts. *Near-vertical* ones: a path starts at every column, moves at most one
    column per row and at most CUT_DRIFT·H from its start, and crosses as little ink as it can
    (:func:`_least_ink_paths`); the ink crossed as a function of the start is the vertical ink
    profile when the drift is 0. They start at the notches of the upper and lower contours first
    (where two touching loops meet, the profile has a peak, not a valley), then at the valleys of
    that function (local minima), each CUT_SEPARATION·H from the others and at least CUT_EDGE·H
    from either end. *Free* ones (:func:`_through_paths`): for each point of the rows CUT_ROWS, the
    least-ink path through it, free to slant or curve; at the local minima of that cost along the
    row. They follow the slanted or curved gap where one digit is written into the next (a stroke
    running under its neighbour) and cross the ink only where the two touch; those through more
    than CUT_MAX_STROKES strokes are left out. A path within CUT_DISTINCT·H (mean) of one already
    taken is the same cut; at most one cut per CUT_EVERY·H of width.
    """
    h, w = ink.shape
    edge = max(1, round(CUT_EDGE * height))
    most = int(w // (CUT_EVERY * height))
    if w - 2 * edge <= 0 or most <= 0:
        return []
    separation = max(2, round(CUT_SEPARATION * height))
    chosen: list[np.ndarray] = []
    programs = [_least_ink_paths(ink, edge, max(1, round(CUT_DRIFT * height)))]
    if CUT_ROWS:
        programs.append(_through_paths(ink, edge, CUT_ROWS))
    swept = _sweep([first for first, _, _ in programs], [cost for _, cost, _ in programs])
    families = [(*programs[0][2](*swept[0]), True)]
    if CUT_ROWS:
        families += [(crossed, trace, False) for crossed, trace in programs[1][2](*swept[1])]
    for crossed, trace, with_notches in families:
        if len(chosen) >= most:
            break
        candidates = _valleys(crossed)
        if with_notches:
            notches = _notches(ink > INK_LEVEL, height) - edge
            candidates = np.concatenate([notches[(notches >= 0) & (notches < len(crossed))], candidates])
        taken: list[int] = []
        for v in candidates:
            if any(abs(int(v) - t) < separation for t in taken):
                continue
            path = trace(int(v))
            if not with_notches and _strokes(ink, path) > CUT_MAX_STROKES:
                continue
            # else it is the same cut as one taken
            if not chosen or np.abs(np.array(chosen) - path).mean(axis=1).min() >= CUT_DISTINCT * height:
                chosen.append(path)
                taken.append(int(v))
                if len(chosen) == most:
                    break
    out: list[tuple[np.ndarray, float]] = []
    for path in sorted(chosen, key=lambda q: q.mean()):
        if out:
            path = np.maximum(path, out[-1][0])  # cut paths never cross
        strokes = _strokes(ink, path)
        out.append((path, float(strokes)))
    return out


def _strokes(ink: np.ndarray, path: np.ndarray) -> int:
    """How many strokes (runs of ink) a cut path crosses."""
    along = ink[np.arange(len(path)), path] > INK_LEVEL
    return int(along[0]) + int(np.count_nonzero(along[1:] & ~along[:-1]))


def _notches(mask: np.ndarray, height: float) -> np.ndarray:
    """Columns where the upper contour (first ink row of each column) dips down, or the lower
    contour (last ink row) rises, by at least CUT_NOTCH·H below / above the contour on both sides
    within CUT_SEPARATION·H: the V between two touching loops. Deepest first."""
    has = mask.any(axis=0)
    h, w = mask.shape
    upper = np.where(has, mask.argmax(axis=0), h).astype(np.float64)
    lower = np.where(has, h - 1 - mask[::-1].argmax(axis=0), -1).astype(np.float64)
    k = max(2, round(CUT_SEPARATION * height))
    found = []
    for contour, sign in ((upper, 1.0), (-lower, 1.0)):
        c = sign * contour
        padded = np.pad(c, k, mode="edge")
        windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * k + 1)  # (w, 2k + 1)
        left, right = windows[:, :k].min(axis=1), windows[:, k + 1 :].min(axis=1)
        depth = c - np.maximum(left, right)
        peak = (c >= windows.max(axis=1)) & has & (depth >= CUT_NOTCH * height)
        found += [(depth[x], x) for x in np.flatnonzero(peak)]
    return np.array([x for _, x in sorted(found, reverse=True)], dtype=np.int64)


@dataclass
class _Segments:
    labels: np.ndarray  # int32 (H, W) at the working size: 0 background, k + 1 = segment k (left to right)
    boxes: np.ndarray  # int (S, 4): left, top, right, bottom (exclusive) per segment
    cut_lines: list[list[tuple[float, float]]]  # per inner cut 1..S−1, in working pixels
    cut_costs: np.ndarray  # float (S + 1,): strokes crossed by each cut (0 at the ends and at gaps)
    cut_kinds: list[str]


def oversegment(ink: np.ndarray, height: float) -> _Segments:
    """Cut the ink (float (H, W) at the working size; ``height``: the row's digit height H in
    working pixels) into left-to-right segments: its connected pieces, each wide one cut further
    along least-ink paths (:func:`cut_paths`)."""
    mask = ink > INK_LEVEL
    comp, n = components(mask)
    # One per segment before ordering: (top, left, boolean mask of its pixels in its piece's box).
    regions: list[tuple[int, int, np.ndarray]] = []
    paths: list[tuple[int, int, np.ndarray, float]] = []  # (region left of it, region right of it, path, cost)
    for c, (left, top, right, bottom) in enumerate(_label_boxes(comp, n), start=1):
        sub = comp[top:bottom, left:right] == c
        width = right - left
        cuts: list[tuple[np.ndarray, float]] = []
        if width >= CUT_MIN_WIDTH * height:
            cuts = cut_paths(np.where(sub, ink[top:bottom, left:right], 0.0), height)
        cols = np.arange(width)[None, :]
        side = np.zeros(sub.shape, dtype=np.int64)
        for path, _ in cuts:
            side += cols >= path[:, None]
        _reassign_fragments(sub, side, len(cuts) + 1)
        base = len(regions)
        for k in range(len(cuts) + 1):
            regions.append((top, left, sub & (side == k)))
        for k, (path, crossed) in enumerate(cuts):
            line = np.stack([path + left, np.arange(top, bottom)], axis=1)
            paths.append((base + k, base + k + 1, line, crossed))

    # Glue tiny regions (specks, slivers a cut left over) to their nearest neighbour.
    area = np.array([r.sum() for _, _, r in regions], dtype=np.float64)
    owner = np.arange(len(regions))
    centres = np.array([(np.argwhere(r) + (y, x)).mean(axis=0) if r.any() else (0.0, 0.0) for y, x, r in regions])
    big = area >= TINY * height * height
    if big.any():
        for k in np.flatnonzero(~big):
            d = np.linalg.norm(centres[big] - centres[k], axis=1)
            owner[k] = np.flatnonzero(big)[d.argmin()]
    kept = sorted(set(owner.tolist()), key=lambda k: _centre_x(regions, owner, k))
    order = {k: i for i, k in enumerate(kept)}
    labels = np.zeros(mask.shape, dtype=np.int32)
    for k, (y, x, r) in enumerate(regions):
        labels[y : y + r.shape[0], x : x + r.shape[1]][r] = order[owner[k]] + 1
    # Faint ink around the strokes (anti-aliasing) goes with the stroke it borders.
    fringe = (ink > 0) & (labels == 0)
    if fringe.any():
        padded = np.pad(labels, 1)
        h, w = labels.shape
        near = np.max([padded[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)], axis=0)
        labels[fringe] = near[fringe]
    s = len(kept)
    boxes = np.array(_label_boxes(labels, s), dtype=np.int64).reshape(s, 4)

    # Nodes: cut i sits between segments i − 1 and i. Choosing it pays for the cut paths that it
    # separates (a path between regions a and b is crossed when a ends up left of the cut, b right):
    # the most strokes one of them goes through. Not their sum: slanted paths that meet leave
    # slivers, ordered by their centres, and a sum would charge one cut for all of their paths.
    cut_costs = np.zeros(s + 1)
    kinds = ["start"] + ["gap"] * (s - 1) + ["end"]
    lines: list[list[tuple[float, float]]] = [[] for _ in range(s + 1)]
    for a, b, line, crossed in paths:
        ia, ib = order[owner[a]], order[owner[b]]
        if ia == ib:
            continue  # a sliver glued back: the path is not a boundary any more
        lo, hi = min(ia, ib), max(ia, ib)
        for i in range(lo + 1, hi + 1):
            cut_costs[i] = max(cut_costs[i], crossed)
            kinds[i] = "ink"
            if hi == lo + 1:
                lines[i] = [(float(x), float(y)) for x, y in line]
    for i in range(1, s):
        if not lines[i]:  # a gap, or a cut shared by several paths: a vertical line between the two
            x = 0.5 * (boxes[i - 1, 2] + boxes[i, 0])
            top, bottom = min(boxes[i - 1, 1], boxes[i, 1]), max(boxes[i - 1, 3], boxes[i, 3])
            lines[i] = [(float(x), float(top)), (float(x), float(bottom))]
    if s:
        lines[0] = [(float(boxes[:, 0].min()), 0.0), (float(boxes[:, 0].min()), float(mask.shape[0]))]
        lines[s] = [(float(boxes[:, 2].max()), 0.0), (float(boxes[:, 2].max()), float(mask.shape[0]))]
    return _Segments(labels, boxes, lines, cut_costs, kinds)


def _grow(mask: np.ndarray) -> np.ndarray:
    """A boolean mask grown by one pixel in all eight directions."""
    h, w = mask.shape
    p = np.zeros((h + 2, w + 2), dtype=bool)
    p[1:-1, 1:-1] = mask
    return np.any([p[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)], axis=0)


def _reassign_fragments(ink: np.ndarray, side: np.ndarray, parts: int) -> None:
    """After cutting one connected piece of ``ink`` (bool) into ``parts`` (``side``: the part of each
    pixel, changed in place), a bit of stroke that a cut left cut off from the rest of its part (the
    tip of the neighbour's stroke that crossed the cut) goes to the part it still touches."""
    h, w = ink.shape
    # All the parts labelled in one pass: side by side, two blank columns apart, so none touch.
    spread = np.zeros((h, parts * (w + 2)), dtype=bool)
    for k in range(parts):
        spread[:, k * (w + 2) : k * (w + 2) + w] = ink & (side == k)
    spread_labels, _ = components(spread)
    changed: set[int] = set()  # parts that received a fragment since: labelled again
    for k in range(parts):
        part = ink & (side == k)
        if k in changed:
            labels, n = components(part)
        else:
            labels = spread_labels[:, k * (w + 2) : k * (w + 2) + w]
            ids = np.unique(labels[labels > 0])
            if len(ids) < 2:
                continue
            labels = np.searchsorted(ids, labels) + 1
            labels[~part] = 0
            n = len(ids)
        if n < 2:
            continue
        main = int(np.bincount(labels.ravel())[1:].argmax()) + 1
        for f in range(1, n + 1):
            if f == main:
                continue
            fragment = labels == f
            touching = side[_grow(fragment) & ink & ~part]
            if touching.size:
                side[fragment] = to = np.bincount(touching).argmax()
                changed.add(int(to))


def _centre_x(regions: list[tuple[int, int, np.ndarray]], owner: np.ndarray, k: int) -> float:
    """Centre of mass (x) of everything glued to region ``k``."""
    xs = np.concatenate([np.nonzero(r)[1] + x for j, (_, x, r) in enumerate(regions) if owner[j] == k])
    return float(xs.mean())


def _label_boxes(labels: np.ndarray, n: int, where: np.ndarray | None = None) -> list[list[int]]:
    """The box (left, top, right, bottom; right/bottom excluded) of each label 1..n of ``labels``
    (only its pixels in ``where``, if given), in one pass; (W, H, 0, 0) for a label without any."""
    h, w = labels.shape
    ys, xs = np.nonzero(labels > 0 if where is None else (labels > 0) & where)
    k = labels[ys, xs] - 1
    out = np.empty((4, n), dtype=np.int64)
    out[0], out[1], out[2], out[3] = w, h, 0, 0
    np.minimum.at(out[0], k, xs)
    np.minimum.at(out[1], k, ys)
    np.maximum.at(out[2], k, xs + 1)
    np.maximum.at(out[3], k, ys + 1)
    return out.T.tolist()


# --- recognition and Viterbi ---------------------------------------------------------------------


def energies(model: torch.nn.Module, batch: np.ndarray) -> np.ndarray:
    """float32 (B, 28, 28) digits → (B, 10) energies in one forward pass: LeNet-5's RBF outputs (the
    squared distances to the prototypes), or OTHER_SCALE · (−log softmax) for a network without them."""
    with torch.no_grad():
        acts = model.forward_intermediates(torch.from_numpy(np.ascontiguousarray(batch, np.float32))[:, None])
    if model.name == "lenet5":
        return acts["Output"].numpy()
    return (-OTHER_SCALE * torch.log_softmax(acts["scores"], dim=1)).numpy()


def viterbi(n_cuts: int, arcs: dict[tuple[int, int], float], node_costs: np.ndarray) -> tuple[float, list[int]]:
    """The cheapest path from cut 0 to cut ``n_cuts − 1`` through the graph whose arcs are
    ``{(start, end): cost}`` (start < end) and whose nodes cost ``node_costs[i]`` to pass through.
    Returns (cost, the cuts on the path); (inf, []) when no path exists."""
    best = np.full(n_cuts, np.inf)
    back = np.full(n_cuts, -1)
    best[0] = node_costs[0]
    incoming: dict[int, list[tuple[int, float]]] = {}
    for (a, b), c in arcs.items():
        incoming.setdefault(b, []).append((a, c))
    for b in range(1, n_cuts):
        for a, c in incoming.get(b, []):
            total = best[a] + c + node_costs[b]
            if total < best[b]:
                best[b], back[b] = total, a
    if not np.isfinite(best[-1]):
        return math.inf, []
    path = [n_cuts - 1]
    while path[-1] != 0:
        path.append(int(back[path[-1]]))
    return float(best[-1]), path[::-1]


def arc_costs(energy: np.ndarray, boxes: np.ndarray, height: float, costs: Costs = COSTS) -> np.ndarray:
    """(B, 10) energies of B pieces and their (B, 4) boxes → (B, 10) cost of reading each piece as
    each digit: the energy, plus a penalty when the piece is much shorter than a digit (height H) or
    much wider or narrower than that digit usually is, plus the per-digit constant."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    h = (boxes[:, 3] - boxes[:, 1]) / height
    w = (boxes[:, 2] - boxes[:, 0]) / height
    short = costs.short_cost * np.maximum(0.0, costs.short - h)
    z = (np.log(np.maximum(w, 1e-3) / np.maximum(h, 1e-3))[:, None] - LOG_ASPECT) / LOG_ASPECT_SD  # (B, 10)
    z[:, 1] = np.maximum(z[:, 1], 0.0)  # a 1 may be as thin as the pen: only too wide is suspect
    aspect = costs.aspect_cost * np.maximum(0.0, np.abs(z) - costs.aspect_free) ** 2
    return energy + short[:, None] + aspect + costs.digit


# --- the whole reading ---------------------------------------------------------------------------


def _working_ink(image: Any) -> tuple[np.ndarray | None, str, float, tuple[float, float]]:
    """Any picture → (its ink cropped to the ink and resized so that the ink is BAND px high, float32
    with a 2 px margin; a message when there is nothing to read; input pixels per working pixel;
    the working copy's origin (x, y) in input pixels)."""
    array = to_array(image)
    if array is None:
        return None, BLANK, 1.0, (0.0, 0.0)
    try:
        ink = ink_map(array)
    except ValueError:
        raise UnreadableImage(f"Expected a grey, RGB or RGBA picture, got an array of shape {array.shape}.") from None
    if ink is None:
        return None, BLANK, 1.0, (0.0, 0.0)
    shrink = array.shape[0] / ink.shape[0]  # ink_map shrinks pictures over MAX_SIDE
    ys, xs = np.nonzero(ink > INK_LEVEL)
    if ys.size == 0:
        return None, BLANK, 1.0, (0.0, 0.0)
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    crop = ink[top:bottom, left:right]
    s = BAND / crop.shape[0]
    if crop.shape[1] * s > MAX_ASPECT * BAND:  # a line, or far more than 10 digits: not worth resizing
        return None, TOO_LONG, 1.0, (0.0, 0.0)
    filt = Image.Resampling.BOX if s < 1 else Image.Resampling.BILINEAR
    work = np.asarray(Image.fromarray(crop).resize((max(1, round(crop.shape[1] * s)), BAND), filt), np.float32)
    work = np.pad(work, MARGIN)  # so that cut paths and boxes never touch the border
    scale = shrink / s
    return work, "", scale, (left * shrink - MARGIN * scale, top * shrink - MARGIN * scale)


def _vertical_crossings(mask: np.ndarray) -> float:
    """The median number of strokes a vertical line through the ink crosses (1–3 for digits)."""
    runs = (mask[1:] & ~mask[:-1]).sum(axis=0) + mask[0]
    runs = runs[runs > 0]
    return float(np.median(runs)) if runs.size else 0.0


def _estimate_height(mask: np.ndarray) -> float:
    """The writer's digit height in working pixels: the median height of the tall pieces of ink."""
    comp, n = components(mask)
    heights = []
    for c in range(1, n + 1):
        ys = np.nonzero((comp == c).any(axis=1))[0]
        heights.append(ys.max() - ys.min() + 1)
    heights = np.array(heights, dtype=np.float64)
    band = float(np.count_nonzero(mask.any(axis=1)))
    tall = heights[heights >= 0.5 * band]
    return float(np.median(tall)) if tall.size else band


@torch.no_grad()
def read_number(model: torch.nn.Module, image: Any, costs: Costs = COSTS) -> NumberReading:
    """Read a row of handwritten digits in ``image`` (whatever lenet.preprocess.to_array takes).

    Returns a :class:`NumberReading`: ``digits`` is the string read ("" with a ``message`` saying why
    for a blank picture, a row far longer than 10 digits, or noise), ``pieces`` the chosen path,
    ``cuts`` and ``graph`` the whole segmentation graph, all in the input's pixel coordinates.
    ``costs``: what a path pays (:func:`costs_for` the network's name).
    Raises :class:`lenet.preprocess.UnreadableImage` only for something that is not a picture.
    """
    graph, status, scale, origin = build_graph(model, image)
    if graph is None:
        return NumberReading("", status)
    return decode(graph, costs, scale, origin)


def build_graph(model: torch.nn.Module, image: Any) -> tuple[_Graph | None, str, float, tuple[float, float]]:
    """The segmentation graph of ``image`` with every piece scored, before any costs: (graph, "",
    input pixels per working pixel, origin) or (None, the message for the user, 1, (0, 0))."""
    work, status, scale, origin = _working_ink(image)
    if work is None:
        return None, status, 1.0, (0.0, 0.0)
    mask = work > INK_LEVEL
    if _vertical_crossings(mask) > MAX_CROSSINGS or mask.mean() > MAX_COVER:
        return None, NOISE, 1.0, (0.0, 0.0)
    height = _estimate_height(mask)
    if mask.shape[1] > MAX_ASPECT * height:
        return None, TOO_LONG, 1.0, (0.0, 0.0)
    seg = oversegment(work, height)
    if len(seg.boxes) > MAX_SEGMENTS:
        return None, TOO_LONG, 1.0, (0.0, 0.0)
    return _Graph(seg, height, *_score_pieces(model, work, seg, height)), "", scale, origin


@dataclass
class _Graph:
    """The segmentation graph before any costs: segments and cuts, and every candidate piece."""

    seg: _Segments
    height: float
    spans: list[tuple[int, int]]  # (start cut, end cut) per piece
    boxes: np.ndarray  # int (B, 4) in working pixels
    inputs: np.ndarray  # float32 (B, 28, 28)
    energy: np.ndarray  # float32 (B, 10)


def mnist_pen(work: np.ndarray, height: float) -> np.ndarray:
    """The working ink with its pen made MNIST's for digits ``height`` px high: the pen-width step
    of ``lenet.preprocess.normalize``, done once for the whole row (one pen wrote all of it)
    rather than once per candidate piece. Same rule: only a pen under 0.6× or over 1.6× MNIST's
    (1.9 px in a 20 px box) is widened or narrowed."""
    target = MNIST_PEN * height / BOX
    pen = stroke_width(work)
    if 0 < pen < 0.6 * target:
        size = round(target - pen) + 1
        wider = _rank_filter(np.pad(work, size), size, np.max)[size:-size, size:-size]
        return np.clip(wider / np.median(wider[wider > 0.1]), 0.0, 1.0).astype(np.float32)
    if pen > 1.6 * target:
        thinner = _rank_filter(work, round(pen - target) + 1, np.min)
        if thinner.max() > 0.5:  # never erase a digit
            return thinner.astype(np.float32)
    return work


def mnist_field(piece: np.ndarray) -> np.ndarray | None:
    """One candidate piece's ink (float (h, w), pen already MNIST's) → float32 (28, 28) in [0, 1]:
    the rest of ``lenet.preprocess.normalize`` — cropped, fitted into the 20×20 box (aspect kept,
    Lanczos) and placed with its centre of mass at (14, 14). None when there is no ink.
    (Scaling pieces by the row's digit height instead, so that fragments stay small and two digits
    stay wide, did not read better on the validation numbers.)"""
    if not np.any(piece > 0):
        return None
    return place(piece)


def _score_pieces(model, work, seg: _Segments, height: float):
    """Every run of 1..MAX_SPAN consecutive segments no wider than MAX_WIDTH·H, normalised like a
    single MNIST digit, and scored in one batch: (spans, boxes, inputs, energies).

    The same fields as :func:`mnist_field` of each piece's ink, made cheaply (a number has ~100
    pieces): each piece is cropped straight to its ink box, the union of its segments' ink boxes
    (:func:`_label_boxes`), and its fitting and centring are ``lenet.preprocess``'s own."""
    s = len(seg.boxes)
    inked = mnist_pen(work, height)
    seg_boxes = seg.boxes.tolist()  # plain ints: the running box of a run of segments, cheaply
    ink_boxes = _label_boxes(seg.labels, s, inked > 0)  # a run of segments' ink box: the union of theirs
    too_wide, too_low = MAX_WIDTH * height, MIN_HEIGHT * height
    spans, boxes, inputs = [], [], []
    for a in range(s):
        x0, y0, x1, y1 = seg_boxes[a]
        i0, j0, i1, j1 = ink_boxes[a]
        for b in range(a + 1, min(s, a + MAX_SPAN) + 1):
            if b > a + 1:
                bx0, by0, bx1, by1 = seg_boxes[b - 1]
                x0, y0, x1, y1 = min(x0, bx0), min(y0, by0), max(x1, bx1), max(y1, by1)
                bx0, by0, bx1, by1 = ink_boxes[b - 1]
                i0, j0, i1, j1 = min(i0, bx0), min(j0, by0), max(i1, bx1), max(j1, by1)
            if x1 - x0 > too_wide:
                break
            if b - a > 1 and y1 - y0 < too_low:
                continue
            if i1 <= i0:  # no ink in these segments
                continue
            lab = seg.labels[j0:j1, i0:i1]
            crop = np.where((lab > a) & (lab <= b), inked[j0:j1, i0:i1], 0.0)
            digit = centre(fit_cropped(crop, BOX))
            if digit is None:
                continue
            spans.append((a, b))
            boxes.append((x0, y0, x1, y1))
            inputs.append(digit)
    batch = np.stack(inputs) if inputs else np.zeros((0, 28, 28), np.float32)
    energy = energies(model, batch) if len(batch) else np.zeros((0, 10), np.float32)
    return spans, np.array(boxes, dtype=np.int64).reshape(-1, 4), batch, energy


def decode(graph: _Graph, costs: Costs = COSTS, scale: float = 1.0, origin=(0.0, 0.0)) -> NumberReading:
    """The cheapest path through ``graph`` under ``costs``, as a :class:`NumberReading` whose
    coordinates are working pixels × ``scale`` + ``origin`` (the input's pixels)."""
    seg, height = graph.seg, graph.height
    s = len(seg.boxes)
    cost = arc_costs(graph.energy, graph.boxes, height, costs)  # (B, 10)
    best = cost.argmin(axis=1)
    arcs = {span: float(cost[k, best[k]]) for k, span in enumerate(graph.spans)}
    node_costs = costs.cut * seg.cut_costs - costs.gap * (np.array(seg.cut_kinds) == "gap")
    total, path = viterbi(s + 1, arcs, node_costs)
    on_path = set(zip(path[:-1], path[1:], strict=False))

    # Boxes in the input's pixels, and each piece's runner-up, for all pieces at once.
    xy = graph.boxes.astype(np.float64)
    x0s, x1s = np.floor(origin[0] + xy[:, 0] * scale), np.ceil(origin[0] + xy[:, 2] * scale)
    y0s, y1s = np.floor(origin[1] + xy[:, 1] * scale), np.ceil(origin[1] + xy[:, 3] * scale)
    in_boxes = np.stack([x0s, y0s, x1s, y1s], axis=1).astype(np.int64).tolist()
    rest = np.argsort(cost, axis=1, kind="stable")[:, :2]
    runner_up = np.where(rest[:, 0] == best, rest[:, 1], rest[:, 0]).tolist()
    best_energy = graph.energy[np.arange(len(best)), best].tolist()
    pieces = [
        Piece(
            start=a,
            end=b,
            box=tuple(in_boxes[k]),
            digit=int(best[k]),
            runner_up=runner_up[k],
            energy=best_energy[k],
            cost=arcs[(a, b)],
            on_path=(a, b) in on_path,
        )
        for k, (a, b) in enumerate(graph.spans)
    ]
    chosen = sorted((p for p in pieces if p.on_path), key=lambda p: p.start)
    cuts = [
        Cut(
            index=i,
            kind=seg.cut_kinds[i],
            line=[(origin[0] + x * scale, origin[1] + y * scale) for x, y in seg.cut_lines[i]],
            cost=float(node_costs[i]),
            on_path=i in path,
        )
        for i in range(s + 1)
    ]
    digits = "".join("?" if p.energy > costs.reject else str(p.digit) for p in chosen)
    return NumberReading(
        digits=digits,
        message=_message(digits),
        pieces=chosen,
        cuts=cuts,
        graph=pieces,
        inputs=graph.inputs,
        energies=graph.energy,
        path_cost=total,
        digit_height=height * scale,
    )


def _message(digits: str) -> str:
    if not digits or set(digits) == {"?"}:
        return NOT_DIGITS
    n = len(digits)
    said = f"Read {n} digit{'s' if n > 1 else ''}: {digits}."
    if "?" in digits:
        said += " A '?' marks ink that does not look like a digit."
    if n > MAX_DIGITS:
        said += f" That is more than {MAX_DIGITS} digits: the reader is made for {MAX_DIGITS} at most."
    return said


@torch.no_grad()
def read_components(model: torch.nn.Module, image: Any) -> str:
    """The naive reading the paper improves on: each connected piece of ink (specks below TINY·H²
    left out) read as one digit, left to right. Returns the digits ("" for a blank picture)."""
    work, _, _, _ = _working_ink(image)
    if work is None:
        return ""
    mask = work > INK_LEVEL
    comp, n = components(mask)
    height = _estimate_height(mask)
    found = []
    for c in range(1, n + 1):
        ys, xs = np.nonzero(comp == c)
        if len(ys) < TINY * height * height:
            continue
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        digit = normalize(np.where(comp[y0:y1, x0:x1] == c, work[y0:y1, x0:x1], 0.0))
        if digit is not None:
            found.append((xs.mean(), digit))
    if not found:
        return ""
    found.sort(key=lambda t: t[0])
    return "".join(str(d) for d in energies(model, np.stack([d for _, d in found])).argmin(axis=1))
