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


def _bar() -> np.ndarray:
    digit = np.zeros((28, 28), np.float32)
    digit[4:24, 12:15] = 1.0  # an upright 1
    return digit


def test_the_varied_hand_slants_and_its_layers_make_the_canvas():
    slants = []
    for seed in range(12):
        canvas, touching, layers = write_number(
            np.stack([_bar(), _bar()]), np.random.default_rng(seed), layers=True, varied=True
        )
        ink = 1 - canvas[..., 0] / 255.0
        assert np.abs(ink - layers.max(axis=0)).max() < 0.02  # the canvas is its digits' ink
        first = layers[0] > 0.5
        rows = np.nonzero(first.any(axis=1))[0]
        top, bottom = rows[: len(rows) // 4], rows[-len(rows) // 4 :]
        low, high = (np.mean([np.nonzero(first[r])[0].mean() for r in rs]) for rs in (bottom, top))
        slants.append((low - high) / (bottom.mean() - top.mean()))
        assert len(touching) == 1
    slants = np.abs(slants)
    assert slants.max() > 0.1  # some writers lean their 1s ...
    assert slants.min() < slants.max() / 2  # ... by different amounts


def test_the_plain_hand_is_upright():
    for seed in range(5):
        _, _, layers = write_number(np.stack([_bar(), _bar()]), np.random.default_rng(seed), layers=True)
        ink = layers[0] > 0.5
        cols, rows = np.nonzero(ink.any(axis=0))[0], np.nonzero(ink.any(axis=1))[0]
        assert cols.max() - cols.min() < 0.2 * (rows.max() - rows.min())  # about a pen wide: upright
