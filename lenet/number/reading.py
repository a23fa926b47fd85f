"""A row of handwritten digits read the paper's way, start to end: the graph transformers of
:mod:`lenet.number` put together (section IV), and what the reading answers.

:func:`read_number` takes any picture; :func:`build_graph` makes its segmentation graph with every
piece scored (the working copy of the ink, the refusals, :func:`~lenet.number.segmentation.oversegment`,
:func:`~lenet.number.recognition.score_pieces`), and :func:`decode` finds the cheapest path under
the costs and turns it into a :class:`NumberReading` in the input's pixels. :func:`read_components`
is the naive reading the paper improves on, for comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PIL import Image

from lenet.number.ink import INK_LEVEL, components, estimate_height, vertical_crossings
from lenet.number.recognition import Graph, energies, score_pieces
from lenet.number.segmentation import TINY, oversegment
from lenet.number.viterbi import COSTS, Costs, arc_costs, viterbi
from lenet.preprocess import MAX_CROSSINGS, UnreadableImage, ink_map, normalize, to_array

MAX_DIGITS = 10  # what the page asks for; longer rows are read but flagged
BAND = 48  # px: the height of the ink's bounding box in the working copy
MARGIN = 2  # px of blank paper around it
MAX_ASPECT = 18.0  # ink wider than this × the digit height: far more than 10 digits, or a line
MAX_COVER = 0.5  # ink over more than this share of its box is a scribble (numbers: at most 0.45)
MAX_SEGMENTS = 60  # refuse beyond this many segments (a scribble, a page of text)

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


@torch.no_grad()
def read_number(model: torch.nn.Module, image: Any, costs: Costs = COSTS) -> NumberReading:
    """Read a row of handwritten digits in ``image`` (whatever lenet.preprocess.to_array takes).

    Returns a :class:`NumberReading`: ``digits`` is the string read ("" with a ``message`` saying why
    for a blank picture, a row far longer than 10 digits, or noise), ``pieces`` the chosen path,
    ``cuts`` and ``graph`` the whole segmentation graph, all in the input's pixel coordinates.
    ``costs``: what a path pays (:func:`lenet.number.viterbi.costs_for` the network's name).
    Raises :class:`lenet.preprocess.UnreadableImage` only for something that is not a picture.
    """
    graph, status, scale, origin = build_graph(model, image)
    if graph is None:
        return NumberReading("", status)
    return decode(graph, costs, scale, origin)


def build_graph(model: torch.nn.Module, image: Any) -> tuple[Graph | None, str, float, tuple[float, float]]:
    """The segmentation graph of ``image`` with every piece scored, before any costs: (graph, "",
    input pixels per working pixel, origin) or (None, the message for the user, 1, (0, 0))."""
    work, status, scale, origin = _working_ink(image)
    if work is None:
        return None, status, 1.0, (0.0, 0.0)
    mask = work > INK_LEVEL
    if vertical_crossings(mask) > MAX_CROSSINGS or mask.mean() > MAX_COVER:
        return None, NOISE, 1.0, (0.0, 0.0)
    height = estimate_height(mask)
    if mask.shape[1] > MAX_ASPECT * height:
        return None, TOO_LONG, 1.0, (0.0, 0.0)
    seg = oversegment(work, height)
    if len(seg.boxes) > MAX_SEGMENTS:
        return None, TOO_LONG, 1.0, (0.0, 0.0)
    return Graph(seg, height, *score_pieces(model, work, seg, height)), "", scale, origin


def decode(graph: Graph, costs: Costs = COSTS, scale: float = 1.0, origin=(0.0, 0.0)) -> NumberReading:
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
    height = estimate_height(mask)
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
