"""Occlusion maps: against a hand-made occlusion, their shape, where they can be non-zero, and —
with trained weights — that they lie on the ink of clear digits."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from explorer.examples import example_paths
from lenet.model import build_model
from lenet.occlusion import INK_MIN, PATCH, contrast, ink_share, occlusion
from lenet.preprocess import preprocess
from tests.weights import WEIGHTS


@pytest.fixture(scope="module")
def digit() -> np.ndarray:
    """A synthetic "7" on the 28×28 field, float32 in [0, 1], ink = 1."""
    from tests.canvases import stroke_canvas

    return preprocess(stroke_canvas())


@pytest.fixture(scope="module", params=["lenet5", "lenet1"])
def net(request):
    torch.manual_seed(0)
    return build_model(request.param).eval()


def test_shape_dtype_and_padding(net, digit):
    maps = occlusion(net, digit)
    s = net.input_size
    assert maps.shape == (10, s, s) and maps.dtype == np.float32 and np.isfinite(maps).all()
    pad = (s - 28) // 2
    if pad:  # LeNet-5's 32×32 border is blank paper: erasing it changes nothing
        assert not maps[:, :pad].any() and not maps[:, -pad:].any()
        assert not maps[:, :, :pad].any() and not maps[:, :, -pad:].any()
    assert np.abs(maps).max() > 0


def test_only_ink_carries_weight_and_the_falls_add_up(net, digit):
    """Blank paper is exactly 0, and the map shares out the falls: its total over the field is the
    total fall over all squares (each computed here by erasing the square by hand)."""
    maps = occlusion(net, digit)
    pad = (net.input_size - 28) // 2
    inner = maps[:, pad : pad + 28, pad : pad + 28]
    assert not inner[:, digit <= 0].any()
    assert np.abs(inner[:, digit > INK_MIN]).sum() > 0
    r = PATCH // 2
    x = torch.from_numpy(digit)
    batch = []
    for cy in range(28):
        for cx in range(28):
            square = (slice(max(0, cy - r), cy + r + 1), slice(max(0, cx - r), cx + r + 1))
            if x[square].any():  # erasing blank paper changes nothing: leave out its rounding noise
                erased = x.clone()
                erased[square] = 0.0
                batch.append(erased)
    with torch.no_grad():
        falls = net(x[None, None]) - net(torch.stack(batch)[:, None])  # (squares with ink, 10)
    np.testing.assert_allclose(maps.sum(axis=(1, 2)), falls.sum(0).numpy(), rtol=1e-3, atol=1e-3)


@torch.no_grad()
def test_equals_erasing_squares_by_hand(net, digit):
    """Oracle: at a few ink pixels, erase each covering square by hand and share its fall by ink."""
    maps = occlusion(net, digit)
    pad = (net.input_size - 28) // 2
    r = PATCH // 2
    x = torch.from_numpy(digit)
    base = net(x[None, None])[0]
    ys, xs = np.nonzero(digit > 0.2)
    for y, xx in list(zip(ys, xs, strict=True))[:: max(1, len(ys) // 4)][:4]:
        total = torch.zeros(10)
        for cy in range(y - r, y + r + 1):
            for cx in range(xx - r, xx + r + 1):
                if not (0 <= cy < 28 and 0 <= cx < 28):
                    continue  # no square is centred outside the field
                square = (slice(max(0, cy - r), cy + r + 1), slice(max(0, cx - r), cx + r + 1))
                erased = x.clone()
                erased[square] = 0.0
                total += (base - net(erased[None, None])[0]) / x[square].sum()
        expected = (digit[y, xx] * total).numpy()
        np.testing.assert_allclose(maps[:, y + pad, xx + pad], expected, rtol=1e-4, atol=1e-5)


def test_contrast_is_answer_minus_rival():
    maps = np.random.default_rng(0).normal(size=(10, 32, 32)).astype(np.float32)
    np.testing.assert_array_equal(contrast(maps, 4, 9), maps[4] - maps[9])


def test_ink_share():
    ink = np.zeros((4, 4))
    ink[0, 0] = 1.0
    s = np.zeros((4, 4))
    s[0, 0], s[3, 3] = 3.0, -1.0
    assert ink_share(s, ink) == pytest.approx(0.75)
    assert ink_share(np.zeros((4, 4)), ink) == 0.0


def _example_digits():
    """The shipped MNIST example digits, exactly as stored: float32 (28, 28), ink = 1."""
    for path in example_paths():
        yield int(path.stem.split("-")[-1]), np.asarray(Image.open(path).convert("L"), np.float32) / 255.0


@torch.no_grad()
def _fall(net, x: torch.Tensor, label: int, pixels: np.ndarray) -> float:
    """How much the score of ``label`` falls when the ``pixels`` (flat indices) of ``x`` are erased."""
    erased = x.clone().flatten()
    erased[pixels] = 0.0
    return (net(x[None, None])[0, label] - net(erased.view(1, 1, 28, 28))[0, label]).item()


@pytest.mark.usefixtures("trained")
@pytest.mark.parametrize("name", ["lenet5", "lenet1"])
def test_the_map_finds_the_ink_that_matters(name):
    """Faithfulness on the clear example digits that the trained network reads right: erasing the fifth
    of the ink that the map ranks highest lowers the answer's score far more than erasing a random fifth
    of the ink, on every digit; and over the digits, the ink speaks for the answer more than against it.
    (Not on every digit: the 60-epoch LeNet-5 reads the example 5 far from its prototype, score −13.4,
    and erasing squares of that 5 brings F6 nearer it on balance — its map is 862 for, 1,120 against.)"""
    from lenet.checkpoint import load_model

    net = load_model(name, WEIGHTS)
    rng = np.random.default_rng(0)
    checked, speaks_for, speaks_against = 0, 0.0, 0.0
    for label, digit in _example_digits():
        x = torch.from_numpy(digit)
        if net(x[None, None]).argmax().item() != label:
            continue
        maps = occlusion(net, digit)
        pad = (net.input_size - 28) // 2
        answer = maps[label][pad : pad + 28, pad : pad + 28]
        speaks_for, speaks_against = speaks_for + answer[answer > 0].sum(), speaks_against - answer[answer < 0].sum()
        ink = np.flatnonzero(digit > INK_MIN)
        k = len(ink) // 5
        top = ink[np.argsort(-answer.ravel()[ink])[:k]]
        randoms = [rng.choice(ink, k, replace=False) for _ in range(10)]
        falls = [_fall(net, x, label, p) for p in randoms]
        assert _fall(net, x, label, top) > 2 * np.mean(falls), label
        checked += 1
    assert checked >= 8 and speaks_for > 2 * speaks_against
