"""Heuristic over-segmentation, the segments (section V-A): the row of ink cut too much, into
left-to-right segments, and the cuts between them — the nodes of the segmentation graph.

The ink is split at every plausible boundary: the gaps between its connected pieces, and each piece
wide enough to hold two digits along the cut paths of :mod:`lenet.number.cuts`. A bit of stroke a
cut leaves cut off from its side goes to the side it still touches; specks and slivers are glued to
their nearest neighbour. A digit is then one segment or a run of a few consecutive ones: the arcs
of the graph (:mod:`lenet.number.recognition`). Each cut carries what passing it costs a path: the
strokes it goes through, or none at a gap. Pure numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lenet.number.cuts import cut_paths
from lenet.number.ink import INK_LEVEL, components, label_boxes

# Fractions of the estimated digit height H.
CUT_MIN_WIDTH = 0.45  # only ink at least this wide may hold two digits
TINY = 0.02  # a segment of fewer than TINY·H² pixels is glued to its nearest neighbour


@dataclass
class Segments:
    """The row cut into segments, and the cuts between them: the segmentation graph's nodes."""

    labels: np.ndarray  # int32 (H, W) at the working size: 0 background, k + 1 = segment k (left to right)
    boxes: np.ndarray  # int (S, 4): left, top, right, bottom (exclusive) per segment
    cut_lines: list[list[tuple[float, float]]]  # per inner cut 1..S−1, in working pixels
    cut_costs: np.ndarray  # float (S + 1,): strokes crossed by each cut (0 at the ends and at gaps)
    cut_kinds: list[str]


def oversegment(ink: np.ndarray, height: float) -> Segments:
    """Cut the ink (float (H, W) at the working size; ``height``: the row's digit height H in
    working pixels) into left-to-right segments: its connected pieces, each wide one cut further
    along least-ink paths (:func:`cut_paths`)."""
    mask = ink > INK_LEVEL
    comp, n = components(mask)
    # One per segment before ordering: (top, left, boolean mask of its pixels in its piece's box).
    regions: list[tuple[int, int, np.ndarray]] = []
    paths: list[tuple[int, int, np.ndarray, float]] = []  # (region left of it, region right of it, path, cost)
    for c, (left, top, right, bottom) in enumerate(label_boxes(comp, n), start=1):
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

    # Glue tiny regions (specks, slivers a cut left over) to the big region they touch most: the
    # rest of the stroke a cut sliced them from, not the digit whose centre happens to be nearer
    # (which mixed a sliver of one digit into the next); specks touching none, to the nearest one.
    area = np.array([r.sum() for _, _, r in regions], dtype=np.float64)
    owner = np.arange(len(regions))
    centres = np.array([(np.argwhere(r) + (y, x)).mean(axis=0) if r.any() else (0.0, 0.0) for y, x, r in regions])
    big = area >= TINY * height * height
    if big.any():
        index = np.zeros(mask.shape, dtype=np.int64)  # each pixel's region + 1 (0: none)
        for k, (y, x, r) in enumerate(regions):
            index[y : y + r.shape[0], x : x + r.shape[1]][r] = k + 1
        for k in np.flatnonzero(~big):
            y, x, r = regions[k]
            y0, x0 = max(y - 1, 0), max(x - 1, 0)  # its box and one pixel around it
            window = index[y0 : y + r.shape[0] + 1, x0 : x + r.shape[1] + 1]
            own = np.zeros(window.shape, dtype=bool)
            own[y - y0 : y - y0 + r.shape[0], x - x0 : x - x0 + r.shape[1]] = r
            near = window[_grow(own) & ~own] - 1
            near = near[near >= 0]
            near = near[big[near]]
            if near.size:
                owner[k] = np.bincount(near).argmax()
            else:
                owner[k] = np.flatnonzero(big)[np.linalg.norm(centres[big] - centres[k], axis=1).argmin()]
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
    boxes = np.array(label_boxes(labels, s), dtype=np.int64).reshape(s, 4)

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
    return Segments(labels, boxes, lines, cut_costs, kinds)


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
