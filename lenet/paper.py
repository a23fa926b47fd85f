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
