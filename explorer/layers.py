"""How the page shows each layer of each architecture, in one table: what the network view"s caption
calls it (the paper"s words with the kernel), what the architecture table says it computes, what it
does in a student"s words (under its panel and beside the paper"s words), and how big its units are
drawn. Keyed by (architecture, layer): ``("lenet5", "C3")``. Strings and numbers only: no Gradio.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    """One layer of one architecture, as the page shows it."""

    kind: str  # the network view"s caption, the paper"s words (section II-B): "convolution 5×5"
    computes: str  # the architecture table"s "what it computes": "subsampling: sum × coefficient + bias"
    does: str  # in a student"s words, under the panel and in the architecture table
    unit_px: float = 0.0  # CSS pixels per unit in the network view (a LeNet-5 C1 map: 28 × 2.6 ≈ 73 px)
    cols: int = 0  # maps per row of the panel"s grid (C1 in one row, the headline; the rest in two); 0: one block


# The input as each architecture sees it: CSS pixels per pixel in the network view.
INPUT_PX = {"lenet5": 3.5, "lenet1": 4.0}

LAYERS = {
    ("lenet5", "C1"): Layer(
        "convolution 5×5",
        "convolution",
        "six small detectors slide over the digit, each lighting up where its pattern (an edge, a stroke end) appears",
        unit_px=2.6,
        cols=6,
    ),
    ("lenet5", "S2"): Layer(
        "subsampling 2×2",
        "subsampling: sum × coefficient + bias",
        "each map shrunk to half its size: where a pattern is matters a little less",
        unit_px=3.6,
        cols=3,
    ),
    ("lenet5", "C3"): Layer(
        "convolution 5×5, Table I",
        "convolution, partial (Table I)",
        "sixteen detectors combine C1's patterns into bigger shapes (corners, curves), each reading a few of "
        "the six maps",
        unit_px=4.0,
        cols=8,
    ),
    ("lenet5", "S4"): Layer(
        "subsampling 2×2",
        "subsampling: sum × coefficient + bias",
        "shrunk to half again: 5×5 per map",
        unit_px=4.6,
        cols=8,
    ),
    ("lenet5", "C5"): Layer(
        "convolution 5×5",
        "convolution on all 16 maps",
        "120 units, each looking at the whole digit through all 16 maps",
        unit_px=7.0,
    ),
    ("lenet5", "F6"): Layer(
        "full",
        "full",
        "84 units: the network's own 7×12 picture of the digit, to compare with the prototypes",
        unit_px=7.0,
    ),
    ("lenet5", "Output"): Layer(
        "Euclidean RBF, fixed prototypes",
        "Euclidean RBF, fixed prototypes",
        "how far F6 is from each digit's prototype: the closest one is the answer",
    ),
    ("lenet1", "C1"): Layer(
        "convolution 5×5",
        "convolution",
        "four small detectors slide over the digit, each lighting up where its pattern (an edge, a stroke end) appears",
        unit_px=3.4,
        cols=4,
    ),
    ("lenet1", "S2"): Layer(
        "average 2×2",
        "average, nothing to learn",
        "each map averaged down to half its size: where a pattern is matters a little less",
        unit_px=5.0,
        cols=2,
    ),
    ("lenet1", "C3"): Layer(
        "convolution 5×5",
        "convolution on all 4 maps",
        "twelve detectors combine the four maps into bigger shapes (corners, curves)",
        unit_px=6.0,
        cols=6,
    ),
    ("lenet1", "S4"): Layer(
        "average 2×2", "average, nothing to learn", "averaged down to half again", unit_px=8.0, cols=6
    ),
    ("lenet1", "Output"): Layer(
        "full", "full, 192 → 10", "ten units each weigh all 192 S4 values into a score: the highest is the answer"
    ),
}
