"""The Viterbi transformer (section V-B): the cost of every arc of the interpretation graph, and the
cheapest path through the graph.

The cuts are the nodes of the segmentation graph, the pieces its arcs, and the reading is the
cheapest path from the first cut to the last (:func:`viterbi`): per arc the best digit's energy,
plus penalties for a piece much shorter than the row's digits or much wider or narrower than that
digit usually is (MNIST's width/height per class), plus a constant per digit (:func:`arc_costs`);
per node, a cost per stroke that a cut goes through, a bonus for a gap. What each of these weighs
is :class:`Costs`, tuned on validation numbers, per network (:func:`costs_for`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

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
# trained to give pieces that are not one digit high energies (lenet/number/train_pieces.py, j = 20): its
# clean digits sit near 13 rather than 1, hence the larger reward per digit read.
NETWORK_COSTS: dict[str, Costs] = {
    "lenet5-pieces": Costs(digit=-30.0, cut=4.0, gap=6.0, short_cost=100.0, aspect_cost=0.0, reject=60.0),
    # lenet5-global was trained through the graph under lenet5-pieces' costs (lenet/number/global_training.py):
    # it keeps them. Re-tuned on varied validation numbers (--varied --tune) they read 78.6% against 78.1%, on
    # the numbers tuned on: within noise, not taken.
    "lenet5-global": Costs(digit=-30.0, cut=4.0, gap=6.0, short_cost=100.0, aspect_cost=0.0, reject=60.0),
}


def costs_for(network: str) -> Costs:
    """The costs tuned on validation numbers for the network of that name (COSTS by default)."""
    return NETWORK_COSTS.get(network, COSTS)


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
