"""Training: distortions keep digits digits; a smoke run lowers the loss and writes its files."""

import json

import pytest
import torch

from lenet import data
from lenet.checkpoint import load_model
from lenet.distort import Distortion, change_pen, distort
from lenet.train import main


def test_distortion_shape_and_identity():
    x = torch.zeros(4, 1, 28, 28)
    x[:, :, 8:20, 12:16] = 1.0
    g = torch.Generator().manual_seed(0)
    out = distort(x, Distortion(), g)
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    assert not torch.allclose(out, x)
    none = Distortion(shift=0, scale=0, squeeze=0, shear=0, rotate=0, elastic=0, pen_p=0)
    torch.testing.assert_close(distort(x, none, g), x, atol=1e-5, rtol=0)


def test_pen_change_by_hand():
    """A vertical bar 4 px wide: τ = −1 erodes it to 2 px, 1 dilates it to 6 px (3×3 steps), 2 to
    8 px, 0 leaves it, and τ = 0.5 is halfway between the bar and its dilation."""
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 6:22, 12:16] = 1.0
    widths = {}
    for tau in (-1.0, 0.0, 1.0, 2.0):
        out = change_pen(x, torch.tensor([tau]))
        widths[tau] = int((out[0, 0, 14] > 0.5).sum())
        assert out.min() >= 0 and out.max() <= 1
    assert widths == {-1.0: 2, 0.0: 4, 1.0: 6, 2.0: 8}
    torch.testing.assert_close(change_pen(x, torch.tensor([0.0])), x)
    half = change_pen(x, torch.tensor([0.5]))
    assert float(half[0, 0, 14, 11]) == 0.5 and float(half[0, 0, 14, 12]) == 1.0 and float(half[0, 0, 14, 10]) == 0.0


@pytest.mark.slow  # a short training run: 5-6 s
def test_smoke_training_lowers_the_loss_and_never_reads_the_test_set(mnist_test, tmp_path, monkeypatch):
    read = []
    real = data.load_split

    def spy(split, data_dir=data.DEFAULT_DATA_DIR):
        read.append(split)
        assert split != "test", "training read the test set"
        return real(split, data_dir)

    monkeypatch.setattr("lenet.train.load_split", spy)
    assert (
        main(["--model", "lenet1", "--smoke", "--epochs", "3", "--quiet", "--threads", "1", "--out-dir", str(tmp_path)])
        == 0
    )
    assert read == ["fit", "validation"]
    log = json.loads((tmp_path / "lenet1.json").read_text())
    losses = [r["train_loss"] for r in log["history"]]
    assert losses[-1] < 0.9 * losses[0]
    assert log["history"][-1]["validation_error"] < 0.9  # better than chance on the held-out digits
    assert (log["selected_on"], log["calibrated_on"]) == ("validation", "validation")
    assert log["validation_error"] == log["history"][-1]["validation_error"]
    assert "test_error" not in log
    model = load_model("lenet1", tmp_path)
    assert model.name == "lenet1"


def test_distillation_loss_is_zero_only_when_the_student_matches_the_calibrated_teacher():
    from lenet.train import distillation_loss

    teacher = -torch.rand(4, 10) * 40  # LeNet-5 scores: minus squared distances
    matched = distillation_loss(teacher / 8.0, teacher, teacher_t=8.0)
    assert matched.abs() < 1e-5
    assert distillation_loss(torch.zeros(4, 10), teacher, teacher_t=8.0) > 0.01
