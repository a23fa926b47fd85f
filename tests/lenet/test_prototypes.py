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
    assert b[0][0].sum() == 5 and not b[0][1].any() and not b[2][1].any()  # the bar with a blank row under it
    assert np.flatnonzero(b[:, 11].any(axis=1)).tolist() == [4]  # only the 4 reaches the last row ...
    assert np.flatnonzero(b[:, 10].any(axis=1)).tolist() == [4]  # ... and the one above it
    assert [int(np.flatnonzero(b[d].any(axis=1)).max()) for d in range(10)] == [9, 9, 9, 9, 11, 9, 9, 9, 9, 9]
