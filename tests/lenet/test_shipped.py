"""The shipped weights: they load, they are small, they say how they were chosen, a plain
``python -m lenet.train`` reproduces their settings, and they reach their stated error on MNIST."""

import pytest

from lenet.checkpoint import architecture, load_model, read_info, weights_path
from lenet.evaluate import CALIBRATION, scores, summarize
from lenet.paper import TEST_ERROR
from lenet.train import network_name, parse_args

SHIPPED = ["lenet5", "lenet1", "lenet5-paper"]
OURS = ["lenet5", "lenet1"]  # our recipe: these must beat the paper


@pytest.mark.parametrize("name", SHIPPED)
def test_weights_file_is_small_and_described(name):
    path = weights_path(name)
    assert path.stat().st_size < 1_000_000
    info = read_info(path)
    assert info["model"] == architecture(name) and info["network"] == name
    assert {"command", "seed", "test_error", "standard_error", "errors", *CALIBRATION} <= info.keys()
    assert (info["selected_on"], info["calibrated_on"]) == ("validation", "validation")
    assert info["train_images"] == 50_000 and info["validation_images"] == 10_000


@pytest.mark.parametrize("name", SHIPPED)
def test_the_plain_command_reproduces_the_shipped_settings(name):
    info = read_info(weights_path(name))
    flags = ["--model", architecture(name)]
    if "paper" in name:
        flags += ["--recipe", "paper"] + (["--distort"] if name.endswith("-distort") else [])
    args = parse_args(flags)
    assert network_name(args.model, args.recipe, args.distort) == name
    recorded = {k: info[k] for k in ("epochs", "batch_size", "distortions", "j", "seed")}
    assert recorded == {"epochs": args.epochs, "batch_size": args.batch_size, "distortions": args.distort,
                        "j": args.j, "seed": args.seed}  # fmt: skip
    if not info["distortions"]:
        return
    assert (info["distortion_strength"], info["pen"]) == (args.distortion, args.pen)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_error_on_the_mnist_test_set(name, mnist_test):
    x, y = mnist_test
    stated = read_info(weights_path(name))
    measured = summarize(scores(load_model(name), x), y, stated)
    assert measured["n"] == 10_000
    # Inference is deterministic up to float rounding across CPUs: allow one image either way.
    assert abs(measured["errors"] - stated["errors"]) <= 1, (measured["errors"], stated["errors"])
    if name in OURS:
        assert measured["test_error"] < TEST_ERROR[name]  # better than the paper
