"""Training: distortions keep digits digits; a smoke run lowers the loss and writes its files."""

import json

import torch

from lenet.checkpoint import load_model
from lenet.distort import Distortion, distort
from lenet.train import main


def test_distortion_shape_and_identity():
    x = torch.zeros(4, 1, 28, 28)
    x[:, :, 8:20, 12:16] = 1.0
    g = torch.Generator().manual_seed(0)
    out = distort(x, Distortion(), g)
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    assert not torch.allclose(out, x)
    none = Distortion(shift=0, scale=0, squeeze=0, shear=0, rotate=0, elastic=0)
    torch.testing.assert_close(distort(x, none, g), x, atol=1e-5, rtol=0)


def test_smoke_training_lowers_the_loss(mnist_test, tmp_path):
    assert (
        main(["--model", "lenet1", "--smoke", "--epochs", "3", "--quiet", "--threads", "1", "--out-dir", str(tmp_path)])
        == 0
    )
    log = json.loads((tmp_path / "lenet1.json").read_text())
    losses = [r["train_loss"] for r in log["history"]]
    assert losses[-1] < 0.9 * losses[0]
    assert log["history"][-1]["test_error"] < 0.9  # better than chance on the held-out digits
    model = load_model("lenet1", tmp_path)
    assert model.name == "lenet1"


def test_distillation_loss_is_zero_only_when_the_student_matches_the_calibrated_teacher():
    from lenet.train import distillation_loss

    teacher = -torch.rand(4, 10) * 40  # LeNet-5 scores: minus squared distances
    matched = distillation_loss(teacher / 8.0, teacher, teacher_t=8.0)
    assert matched.abs() < 1e-5
    assert distillation_loss(torch.zeros(4, 10), teacher, teacher_t=8.0) > 0.01
