"""Evaluation figures from scores: error, rejection, the doubt threshold, the calibration."""

import pytest
import torch

from lenet.evaluate import calibrate, fit_temperature, score_gap, standard_error, summarize


def test_summary_counts_and_rejection():
    y = torch.tensor([0, 1, 2, 3])
    s = torch.tensor([
        [9.0, 0, 0, 0, 0, 0, 0, 0, 0, 0],  # right, sure
        [0, 9.0, 0, 0, 0, 0, 0, 0, 0, 0],  # right, sure
        [0, 0, 1.0, 0.9, 0, 0, 0, 0, 0, 0],  # right, hesitant
        [0, 0, 0, 0.5, 0.6, 0, 0, 0, 0, 0],  # wrong, hesitant
    ]).repeat(50, 1)  # fmt: skip
    cal = calibrate(s, y.repeat(50))  # here the same digits stand for the validation split
    assert (cal["validation_error"], cal["calibrated_on"]) == (0.25, "validation")
    assert "selected_on" not in cal  # where a run was chosen is the run's to say (lenet.provenance), not calibrate's
    r = summarize(s, y.repeat(50), cal)
    assert (r["test_error"], r["errors"], r["n"]) == (0.25, 50, 200)
    assert r["standard_error"] == pytest.approx((0.25 * 0.75 / 200) ** 0.5)
    assert r["per_class_error"][3] == 1.0 and r["per_class_error"][0] == 0.0
    assert r["confusion"][3][4] == 50
    assert r["rejection"][0]["error"] == 0.25
    # The 10% threshold is the gap of the 20th least certain row: every row as hesitant as that one
    # goes (ties go together), which takes out the wrong rows and keeps the sure ones.
    assert 0.10 <= r["rejection"][-1]["rejected"] <= 0.5 and r["rejection"][-1]["error"] == 0.0
    torch.testing.assert_close(score_gap(s[:4]), torch.tensor([9.0, 9.0, 0.1, 0.1]))


def test_temperature_recovers_the_one_that_made_the_labels():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(20_000, 10, generator=g) * 6
    y = torch.multinomial(torch.softmax(logits / 3.0, dim=1), 1, generator=g).flatten()
    assert fit_temperature(logits, y) == pytest.approx(3.0, rel=0.1)


def test_thresholds_come_from_validation_and_are_only_applied_to_test():
    """Calibrated on digits where 10% are hesitant (gap 0.1), then applied to digits where half
    are more hesitant still (gap 0.05): the 10% threshold rejects all of those (50%), not 10%."""
    sure = torch.tensor([[9.0, 0, 0, 0, 0, 0, 0, 0, 0, 0]])
    hesitant = torch.tensor([[1.0, 0.9, 0, 0, 0, 0, 0, 0, 0, 0]])
    val = torch.cat([sure.repeat(90, 1), hesitant.repeat(10, 1)])
    cal = calibrate(val, torch.zeros(100, dtype=torch.long))
    assert cal["rejection_thresholds"][-1] == pytest.approx(0.1) and cal["validation_error"] == 0.0
    test = torch.cat([sure.repeat(50, 1), torch.tensor([[1.0, 0.95, 0, 0, 0, 0, 0, 0, 0, 0]]).repeat(50, 1)])
    labels = torch.cat([torch.zeros(50, dtype=torch.long), torch.ones(50, dtype=torch.long)])  # hesitant = wrong
    r = summarize(test, labels, cal)
    assert r["test_error"] == 0.5
    assert r["rejection"][-1]["rejected"] == 0.5 and r["rejection"][-1]["error"] == 0.0
    assert r["unsure_rate"] == 0.5 and r["unsure_catches"] == 1.0


def test_standard_error():
    assert standard_error(0.005, 10_000) == pytest.approx(0.000705, rel=1e-3)
    assert standard_error(0.0, 100) == 0.0


def test_report_of_a_network_trained_on_the_validation_images():
    """``lenet.train --all-60000``: no validation error to show, and the report says why."""
    from lenet.evaluate import report

    y = torch.tensor([0, 1] * 10)
    s = torch.nn.functional.one_hot(y, 10).float()
    cal = {**calibrate(s, y), "validation_error": None, "selected_on": "validation, frozen from X"}
    text = report("lenet5", summarize(s, y, cal))
    assert "validation error not measurable" in text and "frozen from X" in text


def test_recording_a_candidate_writes_its_log_and_curve_but_no_model_card(mnist_test, tmp_path):
    import json

    from lenet.checkpoint import save_model
    from lenet.evaluate import main
    from lenet.model import build_model

    torch.manual_seed(0)
    info = {"validation_error": None, "selected_on": "validation: frozen", "calibrated_on": "validation: carried",
            "temperature": 10.0, "unsure_gap": 1.0, "rejection_thresholds": [0.0, 1, 2, 3, 4, 5]}  # fmt: skip
    save_model(build_model("lenet5"), tmp_path / "lenet5.safetensors", info)
    history = [{"epoch": 1, "train_loss": 50.0, "validation_error": None, "lr": 0.1, "seconds": 1.0}]
    (tmp_path / "lenet5.json").write_text(json.dumps({"model": "lenet5", **info, "history": history}))
    assert main(["--model", "lenet5", "--weights-dir", str(tmp_path), "--record"]) == 0
    log = json.loads((tmp_path / "lenet5.json").read_text())
    assert 0 <= log["test_error"] <= 1 and log["n"] == 10_000
    assert (tmp_path / "lenet5_curve.png").exists() and not (tmp_path / "MODEL_CARD.md").exists()
