"""A reading: the answer, the network's own confidence and the doubt."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lenet.checkpoint import save_model, weights_path
from lenet.model import build_model
from lenet.reading import FALLBACK_UNSURE_GAP, probabilities, read_digit, top_confidences, unsure_gap

DIGIT = np.zeros((28, 28), np.float32)
DIGIT[4:24, 13:16] = 1.0  # a 1


@pytest.fixture(scope="module", params=["lenet5", "lenet1"])
def model(request):
    torch.manual_seed(0)
    return build_model(request.param).eval()


def test_lenet5_probabilities_are_the_map_posterior_over_the_ten_digits():
    distances = np.array([3.0, 10.0, 1.0, 50, 50, 50, 50, 50, 50, 50])
    p = probabilities(-distances)
    np.testing.assert_allclose(p, np.exp(-distances) / np.exp(-distances).sum())
    assert np.argmax(p) == 2 and p[2] > 0.85  # a near-perfect match reads as confident


def test_probabilities_are_a_softmax_and_survive_huge_scores():
    p = probabilities(np.arange(10.0))
    np.testing.assert_allclose(p.sum(), 1.0)
    assert np.argmax(p) == 9
    assert np.isfinite(probabilities(-np.arange(10.0) * 1e4)).all()


def test_reading_of_one_digit(model):
    r = read_digit(model, DIGIT)
    assert r.model == model.name and r.digit == int(np.argmax(r.scores)) and r.runner_up != r.digit
    assert r.acts["input"].shape == (model.input_size, model.input_size)
    assert r.acts["C1"].ndim == 3 and r.scores.shape == (10,)
    top = top_confidences(r)
    assert list(top)[0] == str(r.digit) and len(top) == 3
    assert all(isinstance(k, str) and isinstance(v, float) for k, v in top.items())


def test_doubt_follows_the_gap(model):
    r = read_digit(model, DIGIT, gap=0.0)
    assert not r.unsure
    gap = float(r.scores[r.digit] - r.scores[r.runner_up])
    assert read_digit(model, DIGIT, gap=gap + 1e-3).unsure


def test_unsure_gap_from_metadata_or_fallback(tmp_path):
    assert unsure_gap("lenet5", tmp_path) == FALLBACK_UNSURE_GAP  # no file at all
    save_model(build_model("lenet5"), weights_path("lenet5", tmp_path), {"unsure_gap": 2.5})
    assert unsure_gap("lenet5", tmp_path) == 2.5
    save_model(build_model("lenet1"), weights_path("lenet1", tmp_path), {"test_error": 0.01})
    assert unsure_gap("lenet1", tmp_path) == FALLBACK_UNSURE_GAP == math.log(4)
