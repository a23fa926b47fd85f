"""Heuristic over-segmentation, the cuts (section V-A): where to cut one connected piece of ink
that may hold several digits.

The paper finds candidate cuts with heuristic image processing, at the minima of the vertical
projection profile and of the distance between the upper and lower contours, and cuts too much:
a wrong cut costs nothing once the recogniser and Viterbi choose among the pieces. Here a cut is a
least-ink path from the top row of the ink to its bottom row, found by dynamic programming
(:func:`cut_paths`): near-vertical ones that start at the notches of the upper and lower contours
(where two loops meet) and at the valleys of the ink crossed (the vertical ink profile), each
crossing as little ink as it can, and free ones that slant and curve along the gap where one digit
runs into the next (the least-ink path through each point of two rows, kept where that cost is
locally least). Where one digit was written into the side of the next (a 1 against a 0, a 9's
tail along a 4's arm) no path crosses little ink between them: the free cuts may run down the
seam of the doubled stroke, the middle of a horizontal run of ink about two pens long, at a fifth
of its ink (:func:`_seams`). :mod:`lenet.number.segmentation` cuts the row with them.

Every length is a fraction of the row's digit height H. Pure numpy.
"""

from __future__ import annotations

import numpy as np

from lenet.number.ink import INK_LEVEL
from lenet.preprocess import stroke_width

# Cutting (fractions of the estimated digit height H).
CUT_EDGE = 0.1  # no cut closer than this to either end of the ink it splits
CUT_SEPARATION = 0.1  # two cut candidates in the same ink at least this far apart
CUT_DRIFT = 0.05  # a cut path may wander this far either side of its valley
CUT_EVERY = 0.1  # at most one cut per this much width of ink
CUT_ROWS = (0.35, 0.65)  # free cuts: the least-ink paths through each point of these rows (shares of the ink's height)
CUT_MAX_STROKES = 3  # a free cut through more strokes than this is left out
CUT_DISTINCT = 0.05  # two cut paths closer than this on average (mean |Δx|) are one
# Seams (chosen on varied validation numbers; 0.05–0.3 and 1.2–1.4 lie within a point of the ceiling):
CUT_SEAM = 0.2  # free cuts pay this share of the ink at the seam of two strokes written into each other
SEAM_RUNS = (1.4, 3.0)  # a horizontal run of ink this many pens long is two strokes side by side
CUT_NOTCH = 0.1  # a dip of the upper (or rise of the lower) contour this deep marks two loops meeting

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


def _seams(ink: np.ndarray, pen: float) -> np.ndarray:
    """What crossing each pixel of ``ink`` (float (H, W)) costs a free cut, which may run along the
    seam where two strokes were written into each other (a 1 against the side of a 0, a 9's tail
    along a 4's arm): the ink itself, but CUT_SEAM of it at the middle of every horizontal run of
    ink SEAM_RUNS[0]..SEAM_RUNS[1] pens (``pen``, px) long, two strokes side by side where one is
    about a pen wide. float64 (H, W).

    ``pen`` is ``lenet.preprocess.stroke_width`` (2·area / perimeter), which comes out short for
    slanted strokes (their stair-step edges are long), so the middle of a single slanted stroke
    can be a seam too: a spare cut along it, whose slivers are glued back. A fairer pen (the
    median of the shorter of each pixel's horizontal and vertical runs) raised the ceiling less
    on the validation numbers (79.4% against 80.0%, 1,200 numbers) and missed the 1 against the 0
    of tests/lenet/number/test_cuts.py."""
    h, w = ink.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)  # the runs of each row, as in ink.components
    padded[:, 1:-1] = ink > INK_LEVEL
    d = np.diff(padded, axis=1)
    rows, starts = np.nonzero(d == 1)
    _, ends = np.nonzero(d == -1)
    length = ends - starts
    two = (length >= SEAM_RUNS[0] * pen) & (length <= SEAM_RUNS[1] * pen)
    rows, starts, length = rows[two], starts[two], length[two]
    cost = ink.astype(np.float64)
    for x in (starts + (length - 1) // 2, starts + length // 2):  # the middle one, or two
        cost[rows, x] = CUT_SEAM * ink[rows, x]
    return cost


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
    running under its neighbour) and cross the ink only where the two touch, or the seam where two
    strokes were written side by side (:func:`_seams`); those through more than CUT_MAX_STROKES
    strokes are left out. A path within CUT_DISTINCT·H (mean) of one already
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
        programs.append(_through_paths(_seams(ink, stroke_width(ink)), edge, CUT_ROWS))
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
