"""The model card writer: every figure on the card comes from the training logs, the curves are
drawn, and the shipped card is what the writer makes of the shipped logs (regenerate it on purpose
with ``python -m lenet.card``)."""

from __future__ import annotations

import json
import shutil

import pytest
from PIL import Image

from lenet.card import paper_error, write_card
from lenet.checkpoint import NETWORKS, WEIGHTS_DIR

LOGS = [WEIGHTS_DIR / f"{name}.json" for name in NETWORKS if (WEIGHTS_DIR / f"{name}.json").is_file()]
SHIPPED_LOGS = ("lenet5", "lenet1", "lenet5-paper")  # as tests/lenet/test_shipped.py
pytestmark = [
    pytest.mark.skipif(
        not all((WEIGHTS_DIR / f"{name}.json").is_file() for name in SHIPPED_LOGS),
        reason="needs the shipped training logs",
    ),
    pytest.mark.slow,  # each test writes the card and draws its curves: 7-13 s on the shared 2 cores
]


@pytest.fixture
def card(tmp_path):
    for log in LOGS:
        shutil.copy(log, tmp_path / log.name)
    return write_card(tmp_path)


def test_card_states_each_networks_figures_from_its_log(card):
    text = card.read_text()
    for path in LOGS:
        log = json.loads(path.read_text())
        name = log["model"]
        assert f"`weights/{name}.safetensors`" in text
        figure = f"{100 * log['test_error']:.2f}% ± {100 * log['standard_error']:.2f}%"
        error = f"**{figure}** ({log['errors']} of {log['n']})"
        assert f"- MNIST test error: {error}" in text
        assert f"(the paper: {100 * paper_error(name):.2f}%)" in text
        assert f"chosen: **{100 * log['validation_error']:.2f}%**" in text
        assert f"`{log['command']}` (seed {log['seed']})" in text
        assert f"temperature {log['temperature']:.2f}" in text and f"**{log['unsure_gap']:.3f}**" in text
        assert f"Trainable parameters: {log['parameters']:,}." in text
        assert text.count(f"| {log['history'][-1]['epoch']} | ") >= 1


def test_card_draws_the_curves(card):
    for path in LOGS:
        with Image.open(card.parent / f"{path.stem}_curve.png") as im:
            assert im.format == "PNG" and im.width > 600 and im.height > 200


def test_a_changed_log_changes_the_card(tmp_path):
    for log in LOGS:
        shutil.copy(log, tmp_path / log.name)
    log = json.loads((tmp_path / "lenet1.json").read_text())
    log["test_error"], log["errors"], log["standard_error"] = 0.0123, 123, 0.0011
    (tmp_path / "lenet1.json").write_text(json.dumps(log))
    text = write_card(tmp_path).read_text()
    assert "- MNIST test error: **1.23% ± 0.11%** (123 of" in text
    assert "| LeNet-1 (`lenet1`) | 1.70% |" in text  # the summary table follows the log too


def test_card_says_how_the_data_was_used_and_what_differs_from_the_paper(card):
    text = card.read_text()
    assert "first 50,000 MNIST training images" in text and "read once per shipped" in text
    assert "rotations" in text and "μ = 0.5" in text and "16×16" in text


def test_shipped_card_is_the_writers_output(card):
    assert card.read_text() == (WEIGHTS_DIR / "MODEL_CARD.md").read_text()
