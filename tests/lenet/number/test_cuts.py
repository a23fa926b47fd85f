"""The cuts of one piece of touching ink (lenet/number/cuts.py) and the segments they leave
(segmentation.py), on synthetic strokes drawn at the working size: each behaviour checked against
the reader without it."""

from __future__ import annotations

import numpy as np

from lenet.number import cuts, segmentation
from lenet.number.ink import INK_LEVEL
from tests.lenet.test_segment import best_split, ring, stroke


def test_a_run_two_pens_long_is_a_seam_and_a_single_stroke_is_not():
    ink = np.zeros((3, 40), dtype=np.float32)
    ink[0, 5:15] = 1.0  # two 5 px strokes side by side: a seam in the middle
    ink[1, 5:10] = 1.0  # one stroke
    ink[2, 5:35] = 1.0  # a bar, written along the row: no seam
    cost = cuts._seams(ink, pen=5.0)
    assert np.flatnonzero(cost[0] != ink[0]).tolist() == [9, 10]  # the middle two of an even run
    assert np.allclose(cost[0, [9, 10]], cuts.CUT_SEAM)
    assert np.array_equal(cost[1:], ink[1:])


def test_a_one_written_against_a_zero_is_cut_along_their_seam(monkeypatch):
    """A slanted 1 pressed against the left side of a 0 (the varied writer's "10"): no cut crosses
    little ink between them, but the free cuts may run down the seam of the doubled stroke."""
    shape = (52, 70)
    one, zero = stroke(shape, 24, 3, 15, 49, 5), ring(shape, 33, 26, 10, 22, 5, angle=14)
    share, line = best_split(one, zero)
    assert share > 0.9
    (x_top, _), (x_bottom, _) = line[0], line[-1]
    assert x_top - x_bottom > 0.1 * 44  # it leans with the 1
    monkeypatch.setattr(cuts, "CUT_SEAM", 1.0)  # a seam costs its ink like any other: no cut separates them
    assert best_split(one, zero)[0] < 0.85


def test_a_sliver_a_cut_leaves_goes_back_to_its_own_stroke(monkeypatch):
    """A cut through a 0's right side leaves a sliver of it nearer the centre of the 1 beside it
    than of the 0: it is glued to the 0, whose stroke it still touches, not to the 1."""
    shape = (52, 56)
    zero, one = ring(shape, 18, 26, 13, 21, 4), stroke(shape, 44, 6, 44, 46, 4)  # apart: two pieces of ink
    ink = np.maximum(zero, one).astype(np.float32)
    cols = np.flatnonzero((zero > INK_LEVEL).any(axis=0))
    rows = np.flatnonzero((zero > INK_LEVEL).any(axis=1))
    right = cols[-1] - cols[0] + 1  # the 0's box is the piece cut_paths is given
    slices = [(np.full(len(rows), right - 2), 1.0)]  # one cut: a sliver of its two rightmost columns
    monkeypatch.setattr(segmentation, "cut_paths", lambda piece, height, *_: slices if piece.shape[1] == right else [])
    seg = segmentation.oversegment(ink, 44.0)
    assert len(seg.boxes) == 2  # the sliver was glued: the 0 and the 1
    of_one = seg.labels == seg.labels[26, 44]
    assert not (of_one & (zero > INK_LEVEL) & (one < 0.1)).any()  # no ink of the 0 went with the 1
