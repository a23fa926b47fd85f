"""The ink of a row of digits, as pieces: which pixels are strokes, its connected pieces and their
boxes, the writer's digit height, how many strokes a vertical line crosses.

What every step of the reader measures the ink with: the gaps between connected pieces are the
first cuts of the over-segmentation (section V-A), the digit height H is the unit of every cut and
penalty, and the crossings tell a row of digits (1–3 strokes) from a scribble. Pure numpy.
"""

from __future__ import annotations

import numpy as np

INK_LEVEL = 0.35  # ink above this is a stroke (components, segments, cut costs)


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


def label_boxes(labels: np.ndarray, n: int, where: np.ndarray | None = None) -> list[list[int]]:
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


def vertical_crossings(mask: np.ndarray) -> float:
    """The median number of strokes a vertical line through the ink crosses (1–3 for digits)."""
    runs = (mask[1:] & ~mask[:-1]).sum(axis=0) + mask[0]
    runs = runs[runs > 0]
    return float(np.median(runs)) if runs.size else 0.0


def estimate_height(mask: np.ndarray) -> float:
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
