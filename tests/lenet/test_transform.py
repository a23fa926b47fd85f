"""lenet.transform against hand-computed cases, and the batched sweep against one-by-one readings."""

from __future__ import annotations

import numpy as np
import pytest

from lenet.network import load_network
from lenet.transform import NAMES, RANGES, BadSettings, Settings, bend, settings, sweep, sweep_values


def bar(rows=slice(6, 22), cols=slice(12, 16)) -> np.ndarray:
    d = np.zeros((28, 28), np.float32)
    d[rows, cols] = 1
    return d


def extent(d: np.ndarray, axis: int, threshold: float = 0.5) -> int:
    """Number of rows (axis=1) or columns (axis=0) holding ink above ``threshold``."""
    return int((d > threshold).any(axis=axis).sum())


@pytest.fixture(scope="module")
def lenet5():
    return load_network("lenet5")


def test_neutral_is_the_identity_exactly():
    rng = np.random.default_rng(0)
    d = rng.random((28, 28), dtype=np.float32)
    assert np.array_equal(bend(d, Settings()), d)
    s, notes = settings(0, 0, 1, 0, 0, 0, 0)
    assert s.neutral and notes == []
    assert np.array_equal(bend(d, s), d)


@pytest.mark.parametrize("dx,dy", [(3, 0), (0, -4), (-2, 5), (6, 6)])
def test_a_shift_moves_the_ink_by_exactly_that_many_pixels(dx, dy):
    d = bar()
    d[8, 13] = 0.5  # some grey, so that the values move with the ink too
    out = bend(d, Settings(shift_x=dx, shift_y=dy))
    expected = np.zeros_like(d)
    expected[6 + dy : 22 + dy, 12 + dx : 16 + dx] = d[6:22, 12:16]
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_four_quarter_turns_come_back_and_one_turns_a_cross_into_itself():
    d = bar(slice(7, 21), slice(12, 16)) + bar(slice(12, 16), slice(7, 21))
    d = np.minimum(d, 1)  # a plus sign, symmetric under a quarter turn about the centre
    out = d
    for _ in range(4):
        out = bend(out, Settings(rotation=90))
    np.testing.assert_allclose(out, d, atol=1e-4)
    np.testing.assert_allclose(bend(d, Settings(rotation=90)), d, atol=1e-4)


def test_a_quarter_turn_counter_clockwise_lays_a_vertical_bar_down():
    d = bar(slice(4, 24), slice(13, 15))  # vertical, 20 px tall, 2 wide
    out = bend(d, Settings(rotation=90))
    assert extent(out, 0) == 20 and extent(out, 1) == 2


def test_scale_two_doubles_the_extent_of_the_ink():
    d = bar(slice(10, 18), slice(12, 16))  # 8 tall, 4 wide, centred on the field's centre
    out = bend(d, Settings(scale=2))
    assert extent(out, 1) == 16 and extent(out, 0) == 8
    half = bend(d, Settings(scale=0.5))
    assert extent(half, 1) == 4 and extent(half, 0) == 2


def test_squeeze_narrows_only_the_width():
    d = bar(slice(6, 22), slice(10, 18))  # 16 tall, 8 wide
    out = bend(d, Settings(squeeze=0.5))
    assert extent(out, 0) == 4 and extent(out, 1) == 16
    assert extent(bend(d, Settings(squeeze=-0.5)), 0) == 12


def test_thickness_thins_and_thickens():
    d = bar()
    thick, thin = bend(d, Settings(thickness=1)), bend(d, Settings(thickness=-1))
    assert (thick > 0.5).sum() > (d > 0.5).sum() > (thin > 0.5).sum()


def test_noise_is_seeded_and_grows_by_adding_pixels():
    d = bar()
    a, b = bend(d, Settings(noise=0.1)), bend(d, Settings(noise=0.1))
    assert np.array_equal(a, b)
    changed = a != d
    assert 0.05 * 784 / 2 < changed.sum() < 0.15 * 784
    more = bend(d, Settings(noise=0.3)) != d
    assert more.sum() > changed.sum() and not (changed & ~more).any()


def test_out_of_range_values_are_clamped_with_a_note():
    s, notes = settings(rotation=400, scale=0.1, noise=-1)
    assert (s.rotation, s.scale, s.noise) == (180, 0.5, 0)
    assert len(notes) == 3
    assert "rotation = 400 is out of range (-180 … 180); 180 was used." in notes


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "3", object(), True, [1]])
def test_what_is_not_a_number_is_refused_with_a_message(bad):
    with pytest.raises(BadSettings, match="number"):
        settings(shift_x=bad)


def test_unknown_names_are_refused():
    with pytest.raises(BadSettings, match="no setting called"):
        settings(tilt=3)
    with pytest.raises(BadSettings, match="At most 7"):
        settings(*range(8))


def test_sweep_values_cover_the_range_and_hold_neutral():
    for name, r in RANGES.items():
        v = sweep_values(name)
        assert len(v) >= 41 and v[0] == r.lo and v[-1] == r.hi and r.neutral in v
        assert np.all(np.diff(v) > 0)


@pytest.mark.parametrize("which", NAMES)
def test_the_sweep_batch_equals_reading_each_setting_one_by_one(lenet5, which):
    d = bar()
    d[6:9, 8:20] = 1  # a T: a seven-ish shape
    base = Settings(shift_x=1, thickness=0.3) if which != "noise" else Settings(rotation=10)
    sw = sweep(lenet5.net, d, which, base=base)
    for k, v in enumerate(sw.values):
        s = Settings(**{**base.__dict__, which: float(v)})
        reading = lenet5.read(bend(d, s))
        np.testing.assert_allclose(sw.digits[k], bend(d, s), atol=1e-6)
        np.testing.assert_allclose(sw.outputs[k], reading.output, rtol=1e-4, atol=1e-3)
        assert sw.answers[k] == reading.digit


def test_the_band_is_where_the_answer_stays_as_at_neutral(lenet5):
    d = bar()
    sw = sweep(lenet5.net, d, "rotation")
    assert sw.values[sw.neutral] == 0 and sw.answer == lenet5.read(d).digit
    lo, hi = sw.band
    inside = (sw.values >= lo) & (sw.values <= hi)
    assert np.all(sw.answers[inside] == sw.answer)
    k_lo, k_hi = np.flatnonzero(inside)[[0, -1]]
    assert k_lo == 0 or sw.answers[k_lo - 1] != sw.answer
    assert k_hi == len(sw.values) - 1 or sw.answers[k_hi + 1] != sw.answer


def test_a_sweep_of_an_unknown_slider_is_refused(lenet5):
    with pytest.raises(BadSettings):
        sweep(lenet5.net, bar(), "tilt")
