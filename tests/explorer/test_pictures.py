"""The pictures: shapes, dtypes, and one colour scale fixed to the squashing function's range."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from explorer import pictures as vz
from lenet.model import BACKGROUND, INK, TANH_A
from lenet.prototypes import bitmaps


def test_colour_scale_is_fixed_to_the_squashing_range():
    assert (vz.LO, vz.HI) == (-TANH_A, TANH_A)
    rgb = vz.colorize(np.array([-TANH_A, 0.0, TANH_A, -5.0, 5.0]))
    assert rgb.dtype == np.uint8 and rgb.shape == (5, 3)
    np.testing.assert_array_equal(rgb[0], vz.LUT[0])
    np.testing.assert_array_equal(rgb[2], vz.LUT[255])
    np.testing.assert_array_equal(rgb[3], rgb[0])  # beyond the range: the end colours
    np.testing.assert_array_equal(rgb[4], rgb[2])
    assert rgb[1].min() > 240  # zero is (nearly) white
    assert rgb[0][2] > rgb[0][0] and rgb[2][0] > rgb[2][2]  # negative blue, positive red


def test_a_value_keeps_its_colour_whatever_else_is_in_the_map():
    quiet = vz.colorize(np.array([0.5, 0.0, 0.1]))
    loud = vz.colorize(np.array([0.5, -1.7, 1.7]))
    np.testing.assert_array_equal(quiet[0], loud[0])


def test_lut_is_monotone_through_white():
    assert vz.LUT.shape == (256, 3) and vz.LUT.dtype == np.uint8
    brightness = vz.LUT.astype(int).sum(1)
    assert np.all(np.diff(brightness[:128]) >= 0) and np.all(np.diff(brightness[128:]) <= 0)


def test_feature_grid_shape_gaps_and_nearest_neighbour():
    maps = np.random.default_rng(0).uniform(-TANH_A, TANH_A, (6, 28, 28)).astype(np.float32)
    grid = vz.feature_grid(maps, cols=3)
    assert grid.dtype == np.uint8 and grid.shape == (1 + 2 * 29, 1 + 3 * 29, 3)
    np.testing.assert_array_equal(grid[0], np.broadcast_to(vz.GAP, (grid.shape[1], 3)))  # gap row
    np.testing.assert_array_equal(grid[1:29, 1:29], vz.colorize(maps[0]))
    np.testing.assert_array_equal(grid[30:58, 59:87], vz.colorize(maps[5]))
    big = vz.feature_grid(maps, cols=3, scale=3)
    assert big.shape == (3 * grid.shape[0], 3 * grid.shape[1], 3)
    np.testing.assert_array_equal(big[::3, ::3], grid)
    np.testing.assert_array_equal(big[1::3, 2::3], grid)


def test_one_row_by_default():
    assert vz.feature_grid(np.zeros((16, 5, 5))).shape == (7, 1 + 16 * 6, 3)


def test_f6_as_the_7_by_12_picture_of_the_prototypes():
    units = np.full(84, -1.0, dtype=np.float32)
    units[7 * 3 + 5] = 1.0  # unit 26: row 3, column 5
    pic = vz.units_picture(units, 12, 7)
    assert pic.shape == (14, 9, 3)
    np.testing.assert_array_equal(pic[1 + 3, 1 + 5], vz.colorize(np.float32(1.0)))
    np.testing.assert_array_equal(pic[1, 1], vz.colorize(np.float32(-1.0)))


def test_prototypes_grid_is_the_ten_bitmaps_on_the_same_scale():
    grid = vz.prototypes_grid()
    assert grid.shape == (14, 1 + 10 * 8, 3)
    for digit in range(10):
        x = 1 + digit * 8
        np.testing.assert_array_equal(grid[1:13, x : x + 7], vz.colorize(bitmaps()[digit]))


def test_input_picture_is_ink_black_on_white():
    x = np.full((32, 32), BACKGROUND, dtype=np.float32)
    x[10:20, 15] = INK
    pic = vz.input_picture(x)
    assert pic.shape == (32, 32, 3) and pic.dtype == np.uint8
    assert pic[0, 0].tolist() == [255, 255, 255] and pic[12, 15].tolist() == [0, 0, 0]
    assert vz.input_picture(x, scale=4).shape == (128, 128, 3)


@pytest.mark.parametrize("shape", [(7, 9, 3), (30, 175, 3), (12, 20)])  # RGB, and grey
def test_png_round_trip(shape):
    rgb = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    uri = vz.png_data_uri(rgb)
    assert uri.startswith("data:image/png;base64,")
    back = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
    np.testing.assert_array_equal(back, rgb)
