"""The recognition transformer (section V-B): every arc of the segmentation graph read by LeNet-5,
all in one batch — the energies of the interpretation graph.

Every run of 1..``MAX_SPAN`` consecutive segments is a candidate piece, preprocessed like a single
digit (the steps of ``lenet.preprocess.normalize``: MNIST's pen width, size normalisation and
centring), and all are scored in ONE batched forward pass (:func:`score_pieces`). The energy of a
piece read as digit d is LeNet-5's RBF output y_d, the squared distance of F6 to digit d's
prototype (eq. 7): an unnormalised energy, so that a piece that is no digit at all can cost a lot
whatever its label. In the paper each arc of the segmentation graph becomes one arc per class in
the interpretation graph, carrying that energy; :class:`Graph` holds them as a (pieces, 10) array,
and :mod:`lenet.number.viterbi` adds the costs and finds the best path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from lenet.number.ink import label_boxes
from lenet.number.segmentation import Segments
from lenet.preprocess import BOX, MNIST_PEN, _rank_filter, centre, fit_cropped, place, stroke_width

MAX_SPAN = 12  # a digit is at most this many consecutive segments
MAX_WIDTH = 1.5  # pieces wider than this × H are not scored at all
MIN_HEIGHT = 0.5  # nor pieces of several segments lower than this × H (no digit; its segments are scored alone)
OTHER_SCALE = 5.0  # networks without an RBF output: energy = OTHER_SCALE · (−log softmax)


@dataclass
class Graph:
    """The segmentation graph before any costs: segments and cuts, and every candidate piece with its
    energies (the interpretation graph's arcs, one per digit)."""

    seg: Segments
    height: float
    spans: list[tuple[int, int]]  # (start cut, end cut) per piece
    boxes: np.ndarray  # int (B, 4) in working pixels
    inputs: np.ndarray  # float32 (B, 28, 28)
    energy: np.ndarray  # float32 (B, 10)


def energies(model: torch.nn.Module, batch: np.ndarray) -> np.ndarray:
    """float32 (B, 28, 28) digits → (B, 10) energies in one forward pass: LeNet-5's RBF outputs (the
    squared distances to the prototypes), or OTHER_SCALE · (−log softmax) for a network without them."""
    with torch.no_grad():
        acts = model.forward_intermediates(torch.from_numpy(np.ascontiguousarray(batch, np.float32))[:, None])
    if model.name == "lenet5":
        return acts["Output"].numpy()
    return (-OTHER_SCALE * torch.log_softmax(acts["scores"], dim=1)).numpy()


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


def score_pieces(model, work, seg: Segments, height: float):
    """Every run of 1..MAX_SPAN consecutive segments no wider than MAX_WIDTH·H, normalised like a
    single MNIST digit, and scored in one batch: (spans, boxes, inputs, energies).

    The same fields as :func:`mnist_field` of each piece's ink, made cheaply (a number has ~100
    pieces): each piece is cropped straight to its ink box, the union of its segments' ink boxes
    (:func:`label_boxes`), and its fitting and centring are ``lenet.preprocess``'s own."""
    s = len(seg.boxes)
    inked = mnist_pen(work, height)
    seg_boxes = seg.boxes.tolist()  # plain ints: the running box of a run of segments, cheaply
    ink_boxes = label_boxes(seg.labels, s, inked > 0)  # a run of segments' ink box: the union of theirs
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
