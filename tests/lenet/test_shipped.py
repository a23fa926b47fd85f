"""The shipped weights, every one of them: they load, they are small, they say where each setting
was chosen (computed again here from what they record), their recorded command reproduces their
settings, and a measurement made here — plain argmax, not lenet.evaluate's code — agrees with the
figures they state."""

import shlex
from pathlib import Path

import pytest
import torch

from lenet.checkpoint import (
    NETWORKS,
    ON_60000,
    RUNS_50000,
    WEIGHTS_DIR,
    architecture,
    load_model,
    read_info,
    weights_path,
)
from lenet.evaluate import CALIBRATION, errors_path
from lenet.paper import TEST_ERROR
from lenet.provenance import (
    FIXED,
    HELD_OUT,
    NOT_SEARCHED,
    PAPER,
    TEST,
    TEST_THEN_VALIDATION,
    UNUSED,
    VALIDATION,
    provenance,
    selected_on,
)
from lenet.train import FROZEN, network_name, parse_args

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = list(NETWORKS)  # the page's three, lenet5-paper-distort, lenet1-paper and the number readers
OURS = ["lenet5", "lenet1"]  # our recipe: these must beat the paper
SLICE = 2000  # the quick check reads the first 2,000 test digits; the slow one all 10,000 and the validation split


def info_of(name: str) -> dict:
    return read_info(weights_path(name))


@torch.no_grad()
def wrong(name: str, x: torch.Tensor, y: torch.Tensor) -> set[int]:
    """Indices of the digits the network gets wrong: its highest score is not the label."""
    model = load_model(name)
    pred = torch.cat([model(x[i : i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    return set(torch.nonzero(pred != y).flatten().tolist())


@pytest.mark.parametrize("name", SHIPPED)
def test_weights_file_is_small_and_described(name):
    path = weights_path(name)
    assert path.stat().st_size < 1_000_000
    info = info_of(name)
    assert info["model"] == architecture(name) and info["network"] == name
    keys = {"command", "seed", "threads", "settings_chosen", "reproduce", "test_error", "errors", *CALIBRATION}
    assert keys <= info.keys()
    if name in ON_60000:  # the all-60,000 retrain of weights/50k/NAME (issue 17): calibration carried from it
        assert info["calibrated_on"].startswith("validation: carried unchanged from the 50,000-image run")
        assert info["train_images"] == 60_000 and info["validation_n"] == 0 and info["validation_error"] is None
    else:
        assert info["calibrated_on"] == "validation"
        assert info["train_images"] == 50_000 and info["validation_n"] == 10_000
    # computed from what the file records, not typed: the same computation gives the same answer
    again = provenance(info)
    assert info["settings_chosen"] == again["settings_chosen"] and info["selected_on"] == again["selected_on"]
    assert info["selected_on"] == selected_on(info["settings_chosen"])


# Where each setting was chosen, as docs/RESULTS.md ("How the runs were chosen") and lenet/sdlm.py tell
# it, written out by hand: the computation in lenet.provenance must agree.
EXPECTED = {
    "lenet5": {"j": TEST_THEN_VALIDATION, "distortion_strength": TEST_THEN_VALIDATION, "seed": FIXED,
               "epochs": VALIDATION},
    "lenet1": {"j": UNUSED, "init": VALIDATION, "distortion_strength": TEST_THEN_VALIDATION, "epochs": VALIDATION},
    "lenet5-paper": {"mu": HELD_OUT, "init": VALIDATION, "batch_size": HELD_OUT, "epochs": PAPER,
                     "j": VALIDATION, "distortion_strength": UNUSED},
    "lenet5-paper-distort": {"mu": HELD_OUT, "distortions": PAPER, "distortion_strength": PAPER, "pen": UNUSED,
                             "j": NOT_SEARCHED},
    "lenet1-paper": {"mu": PAPER, "init": VALIDATION, "j": UNUSED, "distortion_strength": UNUSED},
    "lenet5-pieces": {"j": VALIDATION, "epochs": VALIDATION, "init": TEST_THEN_VALIDATION,
                      "distortion_strength": TEST_THEN_VALIDATION},
    "lenet5-global": {"criterion": VALIDATION, "graph_temperature": VALIDATION, "lr": VALIDATION,
                      "epochs": VALIDATION, "init": TEST_THEN_VALIDATION, "j": NOT_SEARCHED, "seed": FIXED},
    "lenet5-sdnn": {"j": NOT_SEARCHED, "epochs": VALIDATION, "init": TEST_THEN_VALIDATION,
                    "distortion_strength": TEST_THEN_VALIDATION},
}  # fmt: skip


@pytest.mark.parametrize("name", SHIPPED)
def test_where_each_setting_was_chosen(name):
    chosen = info_of(name)["settings_chosen"]
    assert {k: chosen[k]["where"] for k in EXPECTED[name]} == EXPECTED[name]
    for key in ("temperature", "unsure_gap", "rejection_thresholds"):
        assert chosen[key]["where"] == VALIDATION
    on_test = [k for k, c in chosen.items() if c["where"] in (TEST, TEST_THEN_VALIDATION)]
    if on_test:
        assert info_of(name)["selected_on"] != "validation"
        assert all(k in info_of(name)["selected_on"] for k in on_test)
    else:
        assert info_of(name)["selected_on"] == "validation"


@pytest.mark.parametrize("name", SHIPPED)
def test_the_recorded_command_reproduces_the_settings(name, monkeypatch):
    """The command each file gives for retraining it, threads included, parsed by the trainer itself,
    yields the settings the file records."""
    monkeypatch.chdir(ROOT)  # the commands are run from the repository's root
    info = info_of(name)
    words = shlex.split(info["reproduce"]["command"])
    assert info["reproduce"]["exactly"] is False and "statistically" in info["reproduce"]["how"]
    assert words[:2] == ["python", "-m"]
    if name == "lenet5-pieces":
        from lenet.number.train_pieces import parse_args as pieces_args

        args = pieces_args(words[3:])
        assert words[2] == "lenet.train_pieces" and (ROOT / args.init).is_file()  # a shipped file, not runs/
        assert (args.j, args.epochs, args.lr, args.ema, args.batch_size, args.distortion, args.seed) == (
            info["j"], info["epochs"], info["lr"], info["ema"], info["batch_size"], info["distortion_strength"],
            info["seed"],
        )  # fmt: skip
        assert args.threads == info["threads"] == 1
        return
    if name == "lenet5-global":
        from lenet.number.global_training import parse_args as global_args

        args = global_args(words[3:])
        assert words[2] == "lenet.number.global_training" and (ROOT / args.init).is_file()  # a shipped file
        assert (args.criterion, args.temperature, args.epochs, args.lr, args.batch_size, args.varied, args.seed) == (
            info["criterion"], info["graph_temperature"], info["epochs"], info["lr"], info["batch_size"],
            info["varied"], info["seed"],
        )  # fmt: skip
        assert args.threads == info["threads"] == 1
        return
    if name == "lenet5-sdnn":
        from lenet.number.train_sdnn import parse_args as sdnn_args

        args = sdnn_args(words[3:])
        assert words[2] == "lenet.number.train_sdnn" and Path(args.init).name == "lenet5-pieces.safetensors"
        assert (args.j, args.epochs, args.lr, args.ema, args.batch_size, args.distortion, args.seed) == (
            info["j"], info["epochs"], info["lr"], info["ema"], info["batch_size"], info["distortion_strength"],
            info["seed"],
        )  # fmt: skip
        assert args.varied == (info["writer"] == "varied") and args.threads == info["threads"] == 1
        return
    assert words[2] == "lenet.train"
    args = parse_args(words[3:])  # an --all-60000 command reads its --calibration-from (repository-relative)
    assert network_name(args.model, args.recipe, args.distort) == name
    assert args.threads == info["threads"] == 1  # the shipped runs used one thread; the default is 2
    assert parse_args([]).threads == 2
    recorded = {k: info[k] for k in ("epochs", "batch_size", "distortions", "j", "seed")}
    assert recorded == {"epochs": args.epochs, "batch_size": args.batch_size, "distortions": args.distort,
                        "j": args.j, "seed": args.seed}  # fmt: skip
    if args.recipe == "ours":
        assert (info["lr"], info["ema"]) == (args.lr, args.ema)
    else:
        assert info["mu"] == args.mu
    if info["distortions"]:
        assert (info["distortion_strength"], info["pen"]) == (args.distortion, args.pen)


@pytest.mark.parametrize("doc", ["README.md", "docs/RESULTS.md"])
def test_the_docs_give_the_recorded_commands(doc):
    """Every shipped network's command, and the command of the 50,000-image run each retrain was frozen from."""
    text = (ROOT / doc).read_text()
    for name in SHIPPED:
        if name != "lenet5-pieces":
            assert f"`{info_of(name)['reproduce']['command']}`" in text, name
    for name in ON_60000:
        assert f"`{read_info(WEIGHTS_DIR / RUNS_50000 / f'{name}.safetensors')['reproduce']['command']}`" in text, name
    assert "no other flags" not in text


@pytest.mark.parametrize("name", SHIPPED)
def test_a_fresh_reading_of_the_first_test_digits_finds_the_recorded_mistakes(name, mnist_test):
    """The first 2,000 test digits, read here: the digits wrong are the ones the log and the shipped
    misclassified file list (inference may round differently on another CPU: one digit either way)."""
    import json

    from safetensors.torch import load_file

    x, y = mnist_test
    fresh = wrong(name, x[:SLICE], y[:SLICE])
    log = json.loads((weights_path(name).parent / f"{name}.json").read_text())
    recorded = {i for i in log["misclassified"] if i < SLICE}
    shipped = {i for i in load_file(str(errors_path(name)))["indices"].tolist() if i < SLICE}
    assert recorded == shipped
    assert len(fresh ^ recorded) <= 1, sorted(fresh ^ recorded)
    assert len(log["misclassified"]) == log["errors"] == info_of(name)["errors"]


@pytest.mark.slow  # every network on all 10,000 test digits and the 10,000 validation digits: ~40 s
@pytest.mark.parametrize("name", SHIPPED)
def test_a_fresh_measurement_agrees_with_the_stated_errors(name, mnist_test):
    from lenet.data import load_split

    x, y = mnist_test
    stated = info_of(name)
    assert abs(len(wrong(name, x, y)) - stated["errors"]) <= 1
    xv, yv = load_split("validation")
    if name in ON_60000:  # trained on the validation digits: its 50,000-image run's figure is checked instead
        run = read_info(WEIGHTS_DIR / RUNS_50000 / f"{name}.safetensors")
        chosen = load_model(name, WEIGHTS_DIR / RUNS_50000)
        with torch.no_grad():
            pred = torch.cat([chosen(xv[i : i + 1000]).argmax(1) for i in range(0, len(xv), 1000)])
        assert abs(int((pred != yv).sum()) - run["validation_errors"]) <= 1
        return
    assert abs(len(wrong(name, xv, yv)) - stated["validation_errors"]) <= 1
    if name in OURS:
        assert stated["errors"] / 10_000 < TEST_ERROR[name]  # better than the paper


# Issue 17, item 2: choose on validation, retrain on all 60,000 with every setting frozen, ship that.
@pytest.mark.parametrize("name", ON_60000)
def test_a_network_shipped_on_all_60000_keeps_the_run_it_was_frozen_from(name):
    """weights/50k/NAME is the 50,000-image run, chosen and calibrated on validation, with its own test
    figure; the shipped retrain trained on all 60,000, has no validation error, carries that run's
    calibration unchanged and every frozen setting equal; its command reads weights/50k/NAME."""
    run_path = WEIGHTS_DIR / RUNS_50000 / f"{name}.safetensors"
    run, shipped = read_info(run_path), info_of(name)
    assert run["network"] == shipped["network"] == name and run_path.stat().st_size < 1_000_000
    assert (run["train_images"], run["validation_n"], run["calibrated_on"]) == (50_000, 10_000, "validation")
    assert run["validation_error"] is not None and run["validation_errors"] == round(10_000 * run["validation_error"])
    assert {"test_error", "errors", "settings_chosen", "reproduce"} <= run.keys()
    again = provenance(run)
    assert run["settings_chosen"] == again["settings_chosen"] and run["reproduce"] == again["reproduce"]
    assert (shipped["train_images"], shipped["validation_error"], shipped["validation_n"]) == (60_000, None, 0)
    for key in ("temperature", "unsure_gap", "rejection_thresholds"):
        assert shipped[key] == run[key], key
    assert shipped["reference_validation_error"] == run["validation_error"]
    for key, _, _ in FROZEN:
        assert shipped.get(key) == run.get(key), key
    for key in ("recipe", "distortions", "distortion_strength", "pen", "j", "init", "teacher"):
        assert shipped.get(key) == run.get(key), key
    reference = f"weights/{RUNS_50000}/{name}.safetensors"
    assert shipped["reference"] == reference
    assert f"--all-60000 --calibration-from {reference}" in shipped["reproduce"]["command"]
    if "reference_moved" in shipped:  # a retrain that read its run in weights/ before the run moved to weights/50k/
        assert reference in shipped["reference_moved"] and reference in shipped["reproduce"]["how"]
    else:  # it read the run where it lies now: its own command reproduces it
        assert shipped["command"] == shipped["reproduce"]["command"]
    for key, c in shipped["settings_chosen"].items():
        assert c["value"] == run["settings_chosen"][key]["value"] and c["where"] == run["settings_chosen"][key]["where"]
        assert reference in c["chosen"], key
    # the run's own command (no --out-dir) writes to weights/50k/, the retrain's to weights/: the shipped layout
    assert parse_args(shlex.split(run["reproduce"]["command"])[3:]).out_dir == WEIGHTS_DIR / RUNS_50000


@pytest.mark.parametrize("name", ON_60000)
def test_the_mistakes_shipped_are_the_shipped_networks(name):
    """NAME_errors.safetensors beside each network is that network's: the retrain's in weights/, the
    50,000-image run's in weights/50k/ (the Mistakes view reads weights/)."""
    import json

    from safetensors.torch import load_file

    for folder in (WEIGHTS_DIR, WEIGHTS_DIR / RUNS_50000):
        log = json.loads((folder / f"{name}.json").read_text())
        shipped = load_file(str(errors_path(name, folder)))["indices"].tolist()
        assert shipped == log["misclassified"] and len(shipped) == read_info(weights_path(name, folder))["errors"]
    assert json.loads((WEIGHTS_DIR / f"{name}.json").read_text())["train_images"] == 60_000


@pytest.mark.parametrize("doc", ["README.md", "docs/RESULTS.md"])
def test_the_docs_give_both_figures_of_a_network_on_all_60000(doc):
    """The retrain's test error and its 50,000-image run's validation and test errors, as the files record them."""
    text = (ROOT / doc).read_text()
    for name in ON_60000:
        run, shipped = read_info(WEIGHTS_DIR / RUNS_50000 / f"{name}.safetensors"), info_of(name)
        assert f"**{100 * shipped['test_error']:.2f}% ± {100 * shipped['standard_error']:.2f}%**" in text, name
        assert f"{100 * run['validation_error']:.2f}%" in text and f"{100 * run['test_error']:.2f}%" in text, name
    assert "no 60,000 retrain yet" in text
