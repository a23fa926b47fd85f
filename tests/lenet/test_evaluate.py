"""Evaluation figures from scores: error, rejection, the doubt threshold, the calibration."""

import pytest
import torch

from lenet.evaluate import fit_temperature, score_gap, summarize


def test_summary_counts_and_rejection():
    y = torch.tensor([0, 1, 2, 3])
    s = torch.tensor([
        [9.0, 0, 0, 0, 0, 0, 0, 0, 0, 0],  # right, sure
        [0, 9.0, 0, 0, 0, 0, 0, 0, 0, 0],  # right, sure
        [0, 0, 1.0, 0.9, 0, 0, 0, 0, 0, 0],  # right, hesitant
        [0, 0, 0, 0.5, 0.6, 0, 0, 0, 0, 0],  # wrong, hesitant
    ]).repeat(50, 1)  # fmt: skip
    r = summarize(s, y.repeat(50))
    assert (r["test_error"], r["errors"], r["n"]) == (0.25, 50, 200)
    assert r["per_class_error"][3] == 1.0 and r["per_class_error"][0] == 0.0
    assert r["confusion"][3][4] == 50
    assert r["rejection"][0]["error"] == 0.25
    # Rejecting the least certain 10% takes out only the hesitant rows, errors among them.
    assert r["rejection"][-1]["rejected"] == 0.10 and r["rejection"][-1]["error"] < 0.25
    torch.testing.assert_close(score_gap(s[:4]), torch.tensor([9.0, 9.0, 0.1, 0.1]))


def test_temperature_recovers_the_one_that_made_the_labels():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(20_000, 10, generator=g) * 6
    y = torch.multinomial(torch.softmax(logits / 3.0, dim=1), 1, generator=g).flatten()
    assert fit_temperature(logits, y) == pytest.approx(3.0, rel=0.1)
