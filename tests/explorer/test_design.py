"""The Design choices view: each variant's reading of the digit beside LeNet-5's, and what each one
measured, from the networks themselves (untrained here: the structure, not the figures)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from explorer import design
from lenet.model import VARIANTS, build_model
from lenet.network import Network


def network(name: str, log: dict | None = None, seed: int = 0) -> Network:
    torch.manual_seed(seed)
    net = build_model(name).eval()
    return Network(name, design.SHORT[name], net, net.layers(), 1.0, 0.1, log or {})


@pytest.fixture(scope="module")
def networks():
    return {"lenet5": network("lenet5"), **{n: network(n, seed=k + 1) for k, n in enumerate(VARIANTS)}}


def test_every_network_reads_the_digit_and_says_what_its_outputs_are(networks):
    digit = np.zeros((28, 28), np.float32)
    digit[4:24, 13:15] = 1.0
    out = design.compare(networks, digit)
    assert list(out) == ["lenet5", *VARIANTS]
    for name, entry in out.items():
        r = networks[name].read(digit)
        assert entry["answer"] == r.digit == int(np.argmax(r.scores)) and entry["runner_up"] == r.runner_up
        assert abs(sum(entry["confidences"]) - 1) < 1e-3
        key = "scores" if name == "lenet5-softmax" else "distances"
        assert set(entry) >= {key} and ({"scores", "distances"} - {key}).isdisjoint(entry)
        assert np.allclose(entry[key], r.output, atol=1e-3)
        if key == "distances":  # the answer is the nearest prototype
            assert entry["answer"] == int(np.argmin(entry[key]))
    assert out["lenet5"]["changed"] is None and out["lenet5-relu"]["changed"] == VARIANTS["lenet5-relu"].instead


def test_a_variant_without_weights_is_shown_with_the_command_that_trains_it(networks):
    some = {**networks, "lenet5-relu": None}
    out = design.compare(some, np.zeros((28, 28), np.float32))
    assert out["lenet5-relu"] == {"title": "ReLU", "missing": "python -m lenet.train --model lenet5-relu"}
    page = design.design_html(some, out)
    assert "python -m lenet.train --model lenet5-relu" in page and page.count("weights not trained") == 2


def test_rows_that_read_otherwise_are_marked(networks):
    readings = {n: {"title": design.SHORT[n], "answer": 7, "runner_up": 1, "unsure": False,
                    "confidences": [0.1] * 10} for n in networks}  # fmt: skip
    readings["lenet5-6k"]["answer"] = 2
    table = design.now_html(readings)
    assert table.count('class="dc-differs"') == 1 and "reads it otherwise" in table
    assert design.EMPTY in design.now_html(None)


def test_the_record_comes_from_each_networks_log(networks):
    log = {
        "test_error": 0.0123,
        "standard_error": 0.0011,
        "validation_error": 0.0105,
        "wall_seconds": 600,
        "train_images": 6000,
        "rejection": [{"rejected": 0.0, "error": 0.0123}, {"rejected": 0.05, "error": 0.004}],
    }
    some = {**networks, "lenet5-6k": network("lenet5-6k", log)}
    table = design.record_html(some)
    assert "1.23% ± 0.11%" in table and "1.05%" in table and "6,000 images" in table and "10 min" in table
    assert "1.23% → 0.40% at 5.0% rejected" in table and "<svg" in table
    assert "430,908" in table  # lenet5-fullc3's connections, counted from the network itself
    assert table.count("not yet measured") == len(networks) - 1  # the untrained ones have no test figure
    for name in VARIANTS:
        assert design.DESIGN_REASONS[name][:40] in table
    assert design.CAVEATS["lenet5-relu"][:40] in table


def test_each_variant_is_set_against_lenet5_on_the_same_test_digits(networks):
    base_log = {"misclassified": list(range(10))}
    wrong = {"misclassified": list(range(5, 40))}  # 30 only it gets wrong, 5 only LeNet-5: z = 25/√35 ≈ 4.2
    close = {"misclassified": list(range(2, 13))}  # 3 and 2: within chance
    some = {**networks, "lenet5": network("lenet5", base_log), "lenet5-relu": network("lenet5-relu", wrong),
            "lenet5-6k": network("lenet5-6k", close)}  # fmt: skip
    table = design.record_html(some)
    assert "30 wrong only here, 5 only for LeNet-5<br><small>z = +4.2: beyond chance" in table
    assert "3 wrong only here, 2 only for LeNet-5<br><small>z = +0.4: within chance" in table
    assert "the reference" in table


def test_lenet5_is_compared_as_the_variants_were_trained():
    """Like for like: the LeNet-5 beside the variants is its 50,000-image run (weights/50k/lenet5 while
    lenet5 ships on all 60,000), labelled so, with a validation error; not the page's LeNet-5."""
    from lenet.network import load_network
    from tests.weights import require_trained

    require_trained("lenet5")
    loaded = design.load_variants()
    base = loaded["lenet5"]
    assert base is not None and base.title == "LeNet-5, the same 50,000 images"
    assert base.log["train_images"] == 50_000 and base.log["validation_error"] is not None
    page = load_network("lenet5")
    view = design.DesignChoices({"lenet5": page}, loaded)
    assert view.networks["lenet5"] is base and list(view.networks) == ["lenet5", *VARIANTS]
    assert (
        "LeNet-5, the same 50,000 images" in view.record and f"{100 * base.log['validation_error']:.2f}%" in view.record
    )
    if page.log.get("train_images") == 60_000:  # the shipped retrain: what the variants are not compared with
        assert page.log["validation_error"] is None and base.log["test_error"] is not None
