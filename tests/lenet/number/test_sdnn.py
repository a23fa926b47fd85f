"""The SDNN of section VII (lenet/number/sdnn.py): LeNet-5 replicated over a strip as one convolution,
its input strip, the grammar's Viterbi on synthetic output maps, refusals, and the shipped lenet5-sdnn
reading a written number."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from lenet.model import build_model
from lenet.number import BLANK, NOISE, TOO_LONG, read_sdnn, write_number
from lenet.number.sdnn import FIELD, FOLLOW, NONE, PAD, SDNN, STEP, Decoder, column_centres, decode, prepare_strip
from lenet.number.train_sdnn import NEAR, PER_DIGIT, RUBBISH, SHIFT, windows
from tests.weights import require_trained

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(scope="module")
def network():
    torch.manual_seed(0)
    return build_model("lenet5").eval()


def example(name: str) -> np.ndarray:
    """An MNIST test digit shipped in examples/ (28, 28), ink in [0, 1]."""
    return np.asarray(Image.open(EXAMPLES / name), np.float32) / 255.0


def written(names, seed=0, **kw):
    return write_number(np.stack([example(n) for n in names]), np.random.default_rng(seed), **kw)


# --- one convolution = LeNet-5 on every window ---------------------------------------------------


@torch.no_grad()
@pytest.mark.parametrize("columns", [1, 2, 7, 20])
def test_the_convolution_is_lenet5_on_every_32x32_window(network, columns):
    torch.manual_seed(columns)
    strip = torch.rand(2, 1, FIELD, FIELD + STEP * (columns - 1))
    strip[1] = (strip[1] > 0.8).float()  # ink-like as well as noise
    energies = SDNN(network)(strip)  # (2, T, 10)
    assert energies.shape == (2, columns, 10)
    per_window = torch.stack(
        [network.forward_intermediates(strip[..., STEP * t : STEP * t + FIELD])["Output"] for t in range(columns)],
        dim=1,
    )  # LeNet-5 itself on each window: 32×32 goes in unpadded
    assert (energies - per_window).abs().max() < 2e-4  # float rounding (energies ≈ 84)
    # a window 2 px off is another input: the comparison tells columns apart (an untrained network's
    # energies differ little from window to window)
    if columns > 1:
        off = network.forward_intermediates(strip[..., 2 : 2 + FIELD])["Output"]
        assert (energies[:, 0] - off).abs().max() > 1e-3


@torch.no_grad()
def test_the_convolution_reads_a_prepared_strip_as_lenet5_does(network):
    strip, status = prepare_strip(written(["mnist-test-0000-7.png", "mnist-test-0001-2.png"])[0])
    assert status == ""
    x = torch.from_numpy(strip.ink)[None, None]
    energies = SDNN(network)(x)[0]
    for t in range(strip.columns):
        own = network.forward_intermediates(x[..., STEP * t : STEP * t + FIELD])["Output"][0]
        assert (energies[t] - own).abs().max() < 2e-4


def test_the_sdnn_needs_rbf_outputs():
    with pytest.raises(ValueError):
        SDNN(build_model("lenet5-softmax"))


# --- the input strip -----------------------------------------------------------------------------


def test_the_strip_makes_a_digit_as_tall_as_mnist_s_and_centres_it():
    canvas = written(["mnist-test-0000-7.png", "mnist-test-0002-1.png", "mnist-test-0003-0.png"], seed=2)[0]
    strip, _ = prepare_strip(canvas)
    ink = strip.ink
    assert ink.shape[0] == FIELD and (ink.shape[1] - FIELD) % STEP == 0
    rows = np.nonzero((ink > 0.35).any(axis=1))[0]
    assert 17 <= rows.max() - rows.min() + 1 <= 24  # MNIST's 20 px box (the three digits' heights differ a little)
    mass = ink.sum(axis=1)
    assert abs((mass * np.arange(FIELD)).sum() / mass.sum() - 16) <= 1
    cols = np.nonzero((ink > 0.35).any(axis=0))[0]
    assert PAD - 1 <= cols.min() <= PAD + 2 and ink.shape[1] - cols.max() >= PAD - 1
    # the columns' centres, in canvas x, span the ink: strip px → canvas px
    ys, xs = np.nonzero(canvas[..., 0] < 128)
    centres = strip.centres()
    assert len(centres) == strip.columns and np.all(np.diff(centres) > 0)
    assert centres[0] < xs.min() + 4 * strip.px and centres[-1] > xs.max() - 4 * strip.px
    assert abs(strip.x0 + (cols.min() + 0.5) * strip.px - xs.min()) <= 3 * strip.px


def stairs(rise: int = 15) -> np.ndarray:
    """A white RGB canvas with five MNIST digits written apart, each ``rise`` px higher than the last
    (a baseline climbing as steeply as the varied writer's steepest), at 4× MNIST's size."""
    names = ["mnist-test-0000-7.png", "mnist-test-0001-2.png", "mnist-test-0002-1.png", "mnist-test-0003-0.png",
             "mnist-test-0004-4.png"]  # fmt: skip
    canvas = np.full((400, 700, 3), 255, np.uint8)
    for i, name in enumerate(names):
        digit = np.asarray(Image.fromarray((example(name) * 255).astype(np.uint8)).resize((112, 112)), np.float32)
        top, left = 250 - rise * i, 20 + 130 * i
        canvas[top : top + 112, left : left + 112] = (255 - digit)[..., None].astype(np.uint8)
    return canvas


def digit_rows(strip) -> list[float]:
    """The centre-of-mass row of each of :func:`stairs`' five digits in ``strip``."""
    rows = []
    for i in range(5):
        a, b = ((np.array([20, 132]) + 130 * i - strip.x0) / strip.px).round().astype(int)
        mass = strip.ink[:, a:b].sum(axis=1)
        rows.append(float((mass * np.arange(FIELD)).sum() / mass.sum()))
    return rows


def test_the_strip_follows_a_sloping_baseline_column_by_column():
    one, _ = prepare_strip(stairs(), follow=0)
    each, _ = prepare_strip(stairs(), follow=12)
    rows_one, rows_each = digit_rows(one), digit_rows(each)
    assert rows_one[0] - rows_one[-1] > 8  # one centre for the row: the first digit low, the last high (or cut)
    assert all(abs(r - 16) <= 1 for r in rows_each)  # each digit's ink centred as MNIST centres a digit
    assert one.ink.shape == each.ink.shape and one.x0 == each.x0 and one.px == each.px  # only rows move


def test_column_centres_follow_the_ink_within_sigma():
    small = np.zeros((60, 100), np.float32)
    small[10:14, 0:30] = 1.0  # ink around row 11.5 on the left, around row 41.5 on the right
    small[40:44, 70:100] = 1.0
    flat = column_centres(small, 0)
    assert np.allclose(flat, flat[0]) and abs(flat[0] - 26.5) < 1e-6  # the whole row's centre of mass
    follow = column_centres(small, 5)
    assert abs(follow[10] - 11.5) < 0.1 and abs(follow[90] - 41.5) < 0.1
    assert np.all(np.diff(follow) >= -1e-9)  # between them, a smooth climb (blank columns: the nearest ink's)


# --- the grammar (Viterbi over the columns) ------------------------------------------------------


def energy_map(columns: str, low: float = 2.0, high: float = 60.0) -> np.ndarray:
    """A synthetic output map: per column a digit (low energy for it, high for the rest) or "."
    (high for every digit)."""
    e = np.full((len(columns), 10), high, np.float32)
    for t, c in enumerate(columns):
        if c != ".":
            e[t, int(c)] = low
    return e


@pytest.mark.parametrize(
    "columns, decoder, digits",
    [
        ("..33...7..", Decoder(none=20), "37"),
        ("..33..33..", Decoder(none=20), "33"),  # the same digit twice, apart: two digits
        ("1111111", Decoder(none=20, change=math.inf), "1"),  # one run is one digit when runs cannot touch
        ("4499", Decoder(none=20, change=math.inf), "49"),  # a change of digit needs a "none" column (4.99) ...
        ("4499", Decoder(none=20, change=5), "49"),  # ... or is paid for
        (".5.", Decoder(none=1), ""),  # "none" cheaper than the digit everywhere: nothing read
        ("", Decoder(), ""),
    ],
)
def test_decode_finds_the_digits_on_synthetic_maps(columns, decoder, digits):
    e = energy_map(columns)
    got, labels, cost = decode(e, np.full(len(columns), decoder.none), decoder)
    assert got == digits
    assert len(labels) == len(columns)
    if decoder.none > 2 and decoder.change < math.inf:  # the path labels every column as the map says
        assert "".join("." if v == NONE else str(v) for v in labels) == columns
        paid = sum(2.0 if c != "." else decoder.none for c in columns) + len(digits) * decoder.digit
        assert cost == pytest.approx(paid + (decoder.change if columns == "4499" else 0))
    if columns == "4499" and decoder.change == math.inf:  # one column given up to "none" between them
        assert "".join("." if v == NONE else str(v) for v in labels) in ("4.99", "44.9")


def test_decode_splits_a_run_when_a_reward_per_digit_pays_for_it():
    e = energy_map("777777")
    assert decode(e, np.full(6, 20.0), Decoder(none=20, digit=-10, change=5))[0] == "777777"
    assert decode(e, np.full(6, 20.0), Decoder(none=20, digit=-10, change=math.inf))[0] == "7"
    assert decode(e, np.full(6, 20.0), Decoder(none=20, digit=-10, change=50))[0] == "7"


def test_decode_takes_the_cheapest_digit_of_a_run():
    e = energy_map("..8..")
    e[2, 3] = 1.0  # 3 is cheaper still at that column
    assert decode(e, np.full(5, 20.0), Decoder(none=20))[0] == "3"


# --- refusals ------------------------------------------------------------------------------------


def test_bad_input_is_answered_with_a_message(network):
    white = np.full((280, 1120, 4), 255, np.uint8)
    assert read_sdnn(network, white).message == BLANK and read_sdnn(network, white).digits == ""
    assert read_sdnn(network, None).message == BLANK
    scribble = Image.new("L", (1120, 280), 255)  # a zigzag across the whole canvas
    xs = np.linspace(60, 1060, 60)
    ImageDraw.Draw(scribble).line([(x, 40 if i % 2 else 240) for i, x in enumerate(xs)], fill=0, width=12)
    r = read_sdnn(network, np.asarray(scribble))
    assert r.digits == "" and r.message == NOISE
    line = white.copy()
    line[138:142, 5:1115, :3] = 0  # a line far longer than 10 digits
    r = read_sdnn(network, line)
    assert r.digits == "" and r.message == TOO_LONG
    huge = np.full((3000, 8000), 255, np.uint8)  # a huge picture with a number on it still reads
    canvas = written(["mnist-test-0000-7.png", "mnist-test-0001-2.png"])[0][..., 0]
    huge[1000:1280, 2000:3120] = canvas
    r = read_sdnn(network, huge)
    assert r.message and len(r.energies) == len(r.centres) == len(r.labels) == len(r.none_cost)
    assert 2000 <= r.centres.min() and r.centres.max() <= 3120 + 40


# --- training windows ----------------------------------------------------------------------------


def test_windows_are_centred_on_digits_or_away_from_them():
    names = ["mnist-test-0000-7.png", "mnist-test-0002-1.png", "mnist-test-0003-0.png"]
    canvas, _, layers = written(names, seed=4, layers=True)
    x, t = windows(canvas, layers, np.array([7, 1, 0]), np.random.default_rng(0))
    assert x.shape[1:] == (FIELD, FIELD) and len(x) == len(t)
    assert sorted(t[t < RUBBISH].tolist()) == sorted([0, 1, 7] * PER_DIGIT)
    assert (t == RUBBISH).sum() >= 2
    for window, target in zip(x, t, strict=True):
        cols = window.sum(axis=0)
        if target < RUBBISH:  # the digit's ink is around the middle of its window
            centre = (cols * np.arange(FIELD)).sum() / cols.sum()
            assert abs(centre - 16) <= SHIFT + 6
    assert NEAR > SHIFT


def test_the_window_rules_set_how_many_windows_and_where():
    names = ["mnist-test-0000-7.png", "mnist-test-0002-1.png", "mnist-test-0003-0.png"]
    canvas, _, layers = written(names, seed=4, layers=True)
    _, t2 = windows(canvas, layers, np.array([7, 1, 0]), np.random.default_rng(0), per_digit=2)
    _, t3 = windows(canvas, layers, np.array([7, 1, 0]), np.random.default_rng(0), per_digit=3)
    assert (t2 < RUBBISH).sum() == 6 and (t3 < RUBBISH).sum() == 9
    _, far = windows(canvas, layers, np.array([7, 1, 0]), np.random.default_rng(0), per_digit=2, near=40.0)
    assert (far == RUBBISH).sum() < (t2 == RUBBISH).sum()  # "none" only far from every digit: fewer of them


# --- the shipped network ---------------------------------------------------------------------------


def test_the_shipped_sdnn_reads_a_written_number():
    require_trained("lenet5-sdnn")
    from lenet.checkpoint import load_model

    model = load_model("lenet5-sdnn")
    names = ["mnist-test-0000-7.png", "mnist-test-0001-2.png", "mnist-test-0003-0.png"]
    right = 0
    for seed in range(5):
        r = read_sdnn(model, written(names, seed)[0])
        right += r.digits == "720"
        assert r.energies.shape == (len(r.centres), 10)
    assert right >= 4


def test_the_reader_centres_the_strip_as_the_shipped_network_was_trained():
    """``FOLLOW`` (how read_sdnn centres the strip) is what the shipped lenet5-sdnn's windows were cut with."""
    require_trained("lenet5-sdnn")
    from lenet.checkpoint import WEIGHTS_DIR

    info = json.loads((WEIGHTS_DIR / "lenet5-sdnn.json").read_text())
    assert info.get("follow", 0.0) == FOLLOW


@pytest.mark.slow
def test_train_sdnn_smoke_writes_a_network_that_reads(tmp_path, mnist_test):
    """``python -m lenet.number.train_sdnn --smoke``: a pass on a few numbers' windows writes weights
    and a log with the windows' and the readings' validation figures, and the weights load."""
    from lenet.checkpoint import load_model
    from lenet.number.train_sdnn import main

    assert main(["--smoke", "--quiet", "--out-dir", str(tmp_path)]) == 0
    log = json.loads((tmp_path / "lenet5-sdnn.json").read_text())
    assert log["network"] == "lenet5-sdnn" and len(log["history"]) == 1
    assert {"digit_window_error", "none_below_j", "validation_exact"} <= log["history"][0].keys()
    assert log["train_windows"] > 0 and 0 <= log["history"][0]["validation_exact"] <= 1
    assert log["init"] == "weights/lenet5-pieces.safetensors"  # relative to the repository, not this machine
    assert log["follow"] == FOLLOW and log["window_rules"] == {"shift": SHIFT, "near": NEAR, "per_digit": PER_DIGIT}
    model = load_model("lenet5-sdnn", path=tmp_path / "lenet5-sdnn.safetensors")
    assert read_sdnn(model, written(["mnist-test-0000-7.png", "mnist-test-0001-2.png"])[0]).message
