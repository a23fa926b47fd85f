"""The RBF centres: their shape and values (the bitmaps themselves are checked against the paper in
test_paper_golden.py)."""

import numpy as np

from lenet.prototypes import bitmaps, prototypes


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
