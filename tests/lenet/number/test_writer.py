"""Numbers written from MNIST-like digits (lenet/number/writer.py), as bench/read_number.py writes them."""

from __future__ import annotations

import numpy as np

from lenet.number.writer import CANVAS, write_number


def test_a_long_number_is_shrunk_to_fit_with_or_without_layers():
    digit = np.zeros((28, 28), np.float32)
    digit[4:24, 8:20] = 1.0  # a wide block: ten of them do not fit the canvas at full size
    digits = np.stack([digit] * 10)
    canvas, touching = write_number(digits, np.random.default_rng(0), touch=0.0)
    again, _, layers = write_number(digits, np.random.default_rng(0), touch=0.0, layers=True)
    assert canvas.shape == (*CANVAS, 4) and len(touching) == 9
    assert (canvas == again).all() and layers.shape == (10, *CANVAS)
