"""The RBF centres must be the paper's figure-3 bitmaps, bit for bit."""

import hashlib
from pathlib import Path

import numpy as np
import pytest

from lenet.prototypes import bitmaps, prototypes

GOLDEN = "a61b3bbe7e039b17"  # sha256 of the bitmaps, checked once against PAPER.md below
PAPER_MD = Path(__file__).resolve().parents[3] / "shared" / "PAPER.md"


def test_shape_and_values():
    b = bitmaps()
    assert b.shape == (10, 12, 7) and b.dtype == np.float32
    assert set(np.unique(b)) == {-1.0, 1.0}
    assert prototypes().shape == (10, 84)
    np.testing.assert_array_equal(prototypes()[3].reshape(12, 7), b[3])


def test_known_features_of_figure_3():
    b = bitmaps() > 0
    assert b[1][9].tolist() == [False, True, True, True, True, True, True]  # the foot of the 1
    assert b[4][10:, 5:].all() and not b[4][10:, :5].any()  # the 4's descender
    assert not b[0][1].any() and not b[2][1].any()  # the bar with a blank row under it
    assert not b[:, 11].any() or b[4][11].any()  # only the 4 reaches the last row


def test_golden_hash():
    assert hashlib.sha256((bitmaps() > 0).tobytes()).hexdigest()[:16] == GOLDEN


@pytest.mark.skipif(not PAPER_MD.exists(), reason="shared/PAPER.md is not beside the checkout")
def test_same_as_paper_md():
    text = PAPER_MD.read_text()
    block = text.split("### The prototypes")[1].split("```")[1]
    rows = [line.split() for line in block.strip().splitlines()]
    expected = np.array([[[c == "#" for c in row[d]] for row in rows] for d in range(10)])
    np.testing.assert_array_equal(bitmaps() > 0, expected)
