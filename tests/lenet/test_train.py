"""Training: distortions keep digits digits; a smoke run lowers the loss and writes its files."""

import json

import pytest
import torch

from lenet import data
from lenet.checkpoint import load_model
from lenet.distort import Distortion, change_pen, distort
from lenet.train import main, network_name


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
    """Spied on at three levels: the split training asks for, every IDX file lenet.data reads (any
    route to the test images, whatever name it was imported under), and every file opened."""
    import builtins
    import io

    read, files = [], []
    real_split, real_idx, real_open = data.load_split, data._read_idx, io.open

    def spy(split, data_dir=data.DEFAULT_DATA_DIR):
        read.append(split)
        assert split != "test", "training read the test set"
        return real_split(split, data_dir)

    def idx(path):
        files.append(path.name)
        assert not path.name.startswith("t10k"), f"training read {path}"
        return real_idx(path)

    def opened(file, *args, **kwargs):
        assert "t10k" not in str(file), f"training opened {file}"
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("lenet.train.samples.load_split", spy)
    monkeypatch.setattr("lenet.data._read_idx", idx)
    monkeypatch.setattr(io, "open", opened)
    monkeypatch.setattr(builtins, "open", opened)
    argv = ["--model", "lenet1", "--smoke", "--epochs", "3", "--quiet", "--threads", "1", "--out-dir", str(tmp_path)]
    assert main(argv) == 0
    assert read == ["fit", "validation"]
    assert files and all(f.startswith("train-") for f in files)
    log = json.loads((tmp_path / "lenet1.json").read_text())
    losses = [r["train_loss"] for r in log["history"]]
    assert losses[-1] < 0.9 * losses[0]
    # chance is 90% error; 2,000 distorted digits for 3 epochs reach 27.7% here (seed 0, one thread)
    assert log["history"][-1]["validation_error"] < 0.4
    assert log["validation_error"] == log["history"][-1]["validation_error"]
    assert log["calibrated_on"] == "validation" and "test_error" not in log
    # where each setting was chosen, computed from what the run records
    chosen = log["settings_chosen"]
    assert chosen["epochs"]["where"] == "command line" and chosen["epochs"]["value"] == 3  # --epochs 3
    assert chosen["distortion_strength"]["where"] == "test set, then validation"  # LeNet-1's default 0.35
    assert chosen["j"]["where"] == "unused" and chosen["temperature"]["where"] == "validation"
    assert log["selected_on"].startswith("validation, and the test set") and "distortion_strength" in log["selected_on"]
    assert log["threads"] == 1 and "--threads 1" in log["command"] and log["reproduce"]["command"] == log["command"]
    model = load_model("lenet1", tmp_path)
    assert model.name == "lenet1"


def test_distillation_loss_is_zero_only_when_the_student_matches_the_calibrated_teacher():
    from lenet.train import distillation_loss

    teacher = -torch.rand(4, 10) * 40  # LeNet-5 scores: minus squared distances
    matched = distillation_loss(teacher / 8.0, teacher, teacher_t=8.0)
    assert matched.abs() < 1e-5
    assert distillation_loss(torch.zeros(4, 10), teacher, teacher_t=8.0) > 0.01


def _fake_mnist(monkeypatch, read):
    """MNIST stand-ins by split, each image tagged with its index among the 60 training images in
    pixel (0, 0): fit = the first 50, validation = the last 10, as in lenet/data.py."""
    g = torch.Generator().manual_seed(0)
    x = torch.rand(60, 1, 28, 28, generator=g) * 0.5
    x[:, 0, 0, 0] = torch.arange(60) / 100
    y = torch.arange(60) % 10
    parts = {"train": slice(None), "fit": slice(None, 50), "validation": slice(50, None)}

    def fake(split, data_dir=data.DEFAULT_DATA_DIR):
        read.append(split)
        assert split in parts, f"training read the {split} split"
        return x[parts[split]].clone(), y[parts[split]].clone()

    monkeypatch.setattr("lenet.train.samples.load_split", fake)


def _chosen_run(path, **changes):
    """A weights file as a validation-chosen 50,000-image run writes it (lenet.train)."""
    from lenet.checkpoint import save_model
    from lenet.model import build_model

    info = {
        "network": "lenet5", "recipe": "ours", "init": "the paper's (appendix A)", "teacher": "none", "seed": 0,
        "epochs": 2, "batch_size": 16, "lr": 3e-3, "ema": 0.9, "distortions": False, "distortion_strength": 0.5,
        "pen": 0, "j": 5.0, "train_images": 50_000, "validation_images": 10_000, "validation_error": 0.007,
        "temperature": 11.0, "unsure_gap": 25.0, "rejection_thresholds": [0.0, 14.0, 25.0, 35.0, 46.0, 50.0],
        "selected_on": "validation", "calibrated_on": "validation", **changes,
    }  # fmt: skip
    save_model(build_model("lenet5"), path, info)
    return path


def test_all_60000_trains_on_every_training_image_with_the_chosen_runs_settings(tmp_path, monkeypatch):
    read, seen = [], set()
    _fake_mnist(monkeypatch, read)
    from lenet.model import build_model as real_build

    def build(name):
        model = real_build(name)
        forward = model.forward

        def spy(x):
            if model.training:
                seen.update(round(100 * float(v)) for v in x[:, 0, 0, 0])
            return forward(x)

        model.forward = spy
        return model

    monkeypatch.setattr("lenet.train.run.build_model", build)
    ref = _chosen_run(tmp_path / "chosen.safetensors")
    out = tmp_path / "all"
    args = ["--all-60000", "--calibration-from", str(ref), "--quiet", "--threads", "1", "--out-dir", str(out)]
    assert main(args) == 0
    assert read == ["train"]  # fit + validation, and never the test split
    assert seen == set(range(60)), "--all-60000 did not train on every training image (validation included)"
    log = json.loads((out / "lenet5.json").read_text())
    assert log["train_images"] == 60 and log["validation_images"] == 0
    assert (log["epochs"], log["batch_size"], log["ema"], log["distortions"]) == (2, 16, 0.9, False)  # frozen
    assert len(log["history"]) == 2 and all(r["validation_error"] is None for r in log["history"])
    assert log["validation_error"] is None and "not measurable" in log["validation_note"]
    assert (log["temperature"], log["unsure_gap"]) == (11.0, 25.0)  # carried, not refitted
    assert log["rejection_thresholds"] == [0.0, 14.0, 25.0, 35.0, 46.0, 50.0]
    assert str(ref) in log["calibrated_on"] and log["reference_validation_error"] == 0.007
    assert log["settings_chosen"]["temperature"]["chosen"].startswith("fitted on the validation split")
    assert log["settings_chosen"]["epochs"]["chosen"].endswith(f"frozen from {ref}")
    assert log["settings_chosen"]["j"]["where"] == "test set, then validation"  # the chosen run's j = 5
    assert "test_error" not in log
    assert (out / "lenet5_curve.png").stat().st_size > 1000


def test_without_all_60000_the_validation_images_are_held_out(tmp_path, monkeypatch):
    read = []
    _fake_mnist(monkeypatch, read)
    args = ["--epochs", "1", "--batch-size", "16", "--no-distort", "--quiet", "--threads", "1"]
    assert main([*args, "--out-dir", str(tmp_path)]) == 0
    log = json.loads((tmp_path / "lenet5.json").read_text())
    assert read == ["fit", "validation"] and (log["train_images"], log["validation_images"]) == (50, 10)


def test_the_recorded_command_names_the_threads_even_when_left_to_the_default(tmp_path, monkeypatch):
    """Without --threads the run used the default (2): its log says so and its command says it."""
    _fake_mnist(monkeypatch, [])
    threads = torch.get_num_threads()
    try:
        assert main(["--epochs", "1", "--batch-size", "16", "--no-distort", "--quiet", "--out-dir", str(tmp_path)]) == 0
    finally:
        torch.set_num_threads(threads)
    log = json.loads((tmp_path / "lenet5.json").read_text())
    assert log["threads"] == 2 and log["command"].endswith("--threads 2")
    assert log["reproduce"] == {"command": log["command"], "exactly": False, "how": log["reproduce"]["how"]}
    assert "statistically, not bit for bit" in log["reproduce"]["how"]
    chosen = log["settings_chosen"]  # LeNet-5's defaults where the flags were left out; the rest given by hand
    assert chosen["j"]["where"] == "test set, then validation" and chosen["lr"]["where"] == "not searched"
    assert chosen["batch_size"] == {"value": 16, "where": "command line", "chosen": chosen["batch_size"]["chosen"]}
    assert chosen["distortion_strength"]["where"] == "unused"  # --no-distort
    assert chosen["seed"]["where"] == "fixed"


def test_all_60000_refuses_to_rechoose_a_setting(tmp_path):
    import pytest

    from lenet.train import parse_args

    ref = _chosen_run(tmp_path / "chosen.safetensors")
    for extra in (["--epochs", "3"], ["--j", "0.1"], ["--distort"], ["--recipe", "paper"], ["--train-images", "9"]):
        with pytest.raises(SystemExit):
            parse_args(["--all-60000", "--calibration-from", str(ref), *extra])
    with pytest.raises(SystemExit):  # no chosen run to freeze from
        parse_args(["--all-60000"])
    with pytest.raises(SystemExit):  # a run that was not chosen on the 10,000 validation images
        parse_args(["--all-60000", "--calibration-from", str(_chosen_run(tmp_path / "b.safetensors", train_images=9))])
    args = parse_args(["--all-60000", "--calibration-from", str(ref), "--epochs", "2"])  # agreeing is fine
    assert (args.epochs, args.batch_size, args.j, args.distort) == (2, 16, 5.0, False)
    paper = _chosen_run(tmp_path / "paper.safetensors", mu=None, mu_schedule=[[1, 0.5], [3, 0.05]], ema="none")
    args = parse_args(["--all-60000", "--calibration-from", str(paper), "--mu-schedule", "1:0.5,3:0.05"])
    assert (args.recipe, args.mu_schedule, args.epochs) == ("paper", [[1, 0.5], [3, 0.05]], 2)
    for extra in (["--mu-schedule", "1:0.5,3:0.02"], ["--mu", "0.02"], ["--recipe", "ours"], ["--copies", "2"]):
        with pytest.raises(SystemExit):
            parse_args(["--all-60000", "--calibration-from", str(paper), *extra])
    # the paper's protocol: its distorted copies per image are a setting too (lenet5-paper-distort)
    copies = _chosen_run(tmp_path / "copies.safetensors", mu=0.5, ema="none", distortions=True, copies_per_image=9)
    args = parse_args(["--all-60000", "--calibration-from", str(copies)])
    assert (args.recipe, args.distort, args.copies) == ("paper", True, 9)
    with pytest.raises(SystemExit):
        parse_args(["--all-60000", "--calibration-from", str(copies), "--copies", "3"])


def test_sqrt_fan_in_is_recorded_frozen_by_all_60000_and_credited_to_validation(tmp_path):
    import pytest

    from lenet.model import SQRT_FAN_IN_INIT
    from lenet.provenance import provenance
    from lenet.train import parse_args

    with pytest.raises(SystemExit):  # widen the paper's initialisation or start from weights, not both
        parse_args(["--sqrt-fan-in", "--init", str(tmp_path / "w.safetensors")])
    wide = _chosen_run(tmp_path / "wide.safetensors", init=SQRT_FAN_IN_INIT, mu=0.02, ema="none", batch_size=1)
    args = parse_args(["--all-60000", "--calibration-from", str(wide)])
    assert (args.sqrt_fan_in, args.recipe, args.mu, args.batch_size) == (True, "paper", 0.02, 1)
    written = _chosen_run(tmp_path / "written.safetensors", mu=0.5, ema="none")
    assert parse_args(["--all-60000", "--calibration-from", str(written)]).sqrt_fan_in is False
    with pytest.raises(SystemExit):  # --all-60000 freezes the initialisation too
        parse_args(["--all-60000", "--calibration-from", str(written), "--sqrt-fan-in"])
    info = {
        "network": "lenet5-paper",
        "command": "python -m lenet.train --recipe paper --mu 0.02 --sqrt-fan-in",
        "init": SQRT_FAN_IN_INIT,
        "mu": 0.02,
        "batch_size": 1,
        "epochs": 20,
        "seed": 0,
        "j": 0.1,
    }
    added = provenance(info)
    chosen = added["settings_chosen"]
    assert "per-sample steps, mu 0.02, initial weights in ±2.4/√F" in added["recipe"]  # what this run did
    assert chosen["init"]["where"] == "validation"
    assert (chosen["mu"]["where"], chosen["batch_size"]["where"]) == ("the paper", "the paper")
    added = provenance({**info, "init": "the paper's (appendix A)", "mu": 0.3, "batch_size": 4})
    chosen = added["settings_chosen"]
    assert "summed 4-sample batches, mu 0.3, initial weights in ±2.4/F" in added["recipe"]
    assert "init" not in chosen and chosen["mu"]["where"] == chosen["batch_size"]["where"] == "command line"


@pytest.mark.parametrize("recipe", [["--recipe", "paper", "--distort", "--copies", "2"], ["--no-distort"]],
                         ids=["paper-copies", "ours"])  # fmt: skip
def test_a_run_stopped_after_a_pass_and_resumed_ends_as_the_whole_run(tmp_path, monkeypatch, recipe):
    from lenet.checkpoint import read_info
    from lenet.train import run as train

    _fake_mnist(monkeypatch, [])
    common = [*recipe, "--epochs", "2", "--batch-size", "8", "--quiet", "--threads", "1"]
    assert main([*common, "--out-dir", str(tmp_path / "whole")]) == 0
    name = train.network_name("lenet5", "paper" if "paper" in recipe else "ours", "--distort" in recipe)
    stopped, measured = tmp_path / "stopped", train.error_rate

    class Stop(Exception):
        pass

    def stop_in_pass_2(model, x, y):  # the process dies in pass 2, after pass 1 was kept
        if (stopped / f"{name}.resume.pt").exists():
            raise Stop
        return measured(model, x, y)

    monkeypatch.setattr(train, "error_rate", stop_in_pass_2)
    with pytest.raises(Stop):
        main([*common, "--resume", "--out-dir", str(stopped)])
    monkeypatch.setattr(train, "error_rate", measured)
    assert main([*common, "--resume", "--out-dir", str(stopped)]) == 0
    whole, resumed = load_model(name, tmp_path / "whole"), load_model(name, stopped)
    for (key, a), b in zip(whole.state_dict().items(), resumed.state_dict().values(), strict=True):
        assert torch.equal(a, b), key
    logs = [json.loads((d / f"{name}.json").read_text()) for d in (tmp_path / "whole", stopped)]
    assert [r["train_loss"] for r in logs[0]["history"]] == [r["train_loss"] for r in logs[1]["history"]]
    assert not (stopped / f"{name}.resume.pt").exists()  # a whole run leaves nothing to go on from
    if "--copies" in recipe:
        assert read_info(stopped / f"{name}.safetensors")["distorted_copies"] == 2 * 50


def test_the_default_out_dir_follows_the_shipped_layout():
    """A 50,000-image run of a network shipped on all 60,000 (lenet.checkpoint.ON_60000) goes to weights/50k/,
    its --all-60000 retrain to weights/; any other network's run to weights/. A retrain that would overwrite
    the run it is frozen from is refused."""
    from pathlib import Path

    from lenet.checkpoint import ON_60000, RUNS_50000, WEIGHTS_DIR, chosen_run_dir
    from lenet.train import parse_args
    from tests.weights import require_trained

    assert parse_args(["--model", "lenet5", "--recipe", "paper"]).out_dir == chosen_run_dir("lenet5-paper")
    assert parse_args(["--model", "lenet5-relu"]).out_dir == WEIGHTS_DIR
    assert parse_args(["--model", "lenet5", "--out-dir", "x"]).out_dir == Path("x")
    for name in ON_60000:
        model, _, recipe = name.partition("-")  # lenet1-paper: --model lenet1 --recipe paper
        recipe, _, distort = recipe.partition("-")  # lenet5-paper-distort: ... --recipe paper --distort
        argv = ["--model", model, *(["--recipe", recipe] if recipe else []), *(["--distort"] if distort else [])]
        assert parse_args(argv).out_dir == WEIGHTS_DIR / RUNS_50000
    require_trained(*ON_60000)
    for name in ON_60000:
        args = parse_args(["--all-60000", "--calibration-from", str(WEIGHTS_DIR / RUNS_50000 / f"{name}.safetensors")])
        assert (network_name(args.model, args.recipe, args.distort), args.out_dir) == (name, WEIGHTS_DIR)
    with pytest.raises(SystemExit):  # weights/lenet5-paper is its 50,000-image run until it ships on 60,000
        parse_args(["--all-60000", "--calibration-from", str(WEIGHTS_DIR / "lenet5-paper.safetensors")])
