"""What the paper reports, typed once: LeCun, Bottou, Bengio and Haffner, "Gradient-Based Learning
Applied to Document Recognition", Proc. IEEE 86(11), 1998 (``shared/PAPER.md``).

The model computes its own counts (:meth:`lenet.model._LeNet.layers`); these are the paper's, for
the architecture view, the model card, the training curves and the tests to compare against.
Keyed by architecture (``net.name``): a network trained another way has the same paper figures.
"""

from __future__ import annotations

from lenet.model import LayerInfo

# Section II-B: maps, size, kernel, trainable parameters and connections of LeNet-5's layers.
LAYERS: dict[str, LayerInfo] = {
    row.name: row
    for row in (
        LayerInfo("C1", 6, (28, 28), "5×5", 156, 122_304),
        LayerInfo("S2", 6, (14, 14), "2×2", 12, 5_880),
        LayerInfo("C3", 16, (10, 10), "5×5", 1_516, 151_600),
        LayerInfo("S4", 16, (5, 5), "2×2", 32, 2_000),
        LayerInfo("C5", 120, (1, 1), "5×5", 48_120, 48_120),
        LayerInfo("F6", 84, (1, 1), "—", 10_164, 10_164),
        LayerInfo("Output", 10, (1, 1), "—", 0, 840),
    )
}
TOTAL = (60_000, 340_908)  # LeNet-5's trainable parameters and connections (section II-B)

# MNIST test error, section III: LeNet-5 0.95% (0.8% with distortions), LeNet-1 1.7%.
TEST_ERROR = {"lenet5": 0.0095, "lenet1": 0.017}
# Section III-C: LeNet-5 trained with 540,000 distorted copies of the training images added.
TEST_ERROR_DISTORTED = {"lenet5": 0.008}

# Where our network is not the paper's, said wherever the paper's figure is shown beside ours.
NOT_THE_SAME = {
    "lenet1": "the paper's LeNet-1 (section III-C.5) read digits shrunk to 16×16 and had about 2,600 free "
    "parameters; ours follows seed 004 (the 28×28 field, the digit in a 20×20 box, 3,246 parameters), "
    "so the two figures are not of the same network",
}

# Why the paper made each choice that a design-choice variant (lenet.model.VARIANTS) undoes: the
# paper's argument, paraphrased, with its section. The variants' figures are ours, not the paper's.
DESIGN_REASONS = {
    "lenet5-softmax": "Section II-B: the outputs are Euclidean RBF units on fixed, distributed codes (the "
    "7×12 bitmaps) rather than one unit per class, because one-of-N sigmoid outputs behave badly when there "
    "are more than a few dozen classes, and because RBF units can reject what is no character at all; "
    "section II-C adds the MAP criterion's term so that the prototypes cannot collapse.",
    "lenet5-fullc3": "Section II-B, Table I: not every S2 map feeds every C3 map, to keep the number of "
    "connections within bounds and, more importantly, to break the symmetry of the network: maps given "
    "different inputs are forced to learn different, complementary features.",
    "lenet5-relu": "Section II-B and appendix A: every unit squashes its sum with a scaled hyperbolic "
    "tangent, symmetric about zero, whose constants make f(±1) = ±1 and keep the gain near 1 where the "
    "targets lie; symmetric functions are believed to make learning converge faster.",
    "lenet5-maxpool": "Section II-B: a subsampling unit adds its 2×2 inputs, multiplies them by a trained "
    "coefficient, adds a trained bias and squashes; lowering the resolution makes the output less "
    "sensitive to shifts and distortions, and the coefficient lets the unit run from a blur (small) to a "
    "noisy OR or AND (large).",
    "lenet5-6k": "Section III-C: the test error kept falling as the training set grew, so more data would "
    "still have helped; which is also why the paper added 540,000 distorted copies of the training images.",
}
