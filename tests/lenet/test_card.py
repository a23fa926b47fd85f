"""The model card writer: every figure on the card comes from the training logs, the curves are
drawn, and the shipped card is what the writer makes of the shipped logs (regenerate it on purpose
with ``python -m lenet.card``)."""

from __future__ import annotations

import json
import shutil

import pytest
from PIL import Image

from lenet.card import write_card
from lenet.checkpoint import WEIGHTS_DIR
from lenet.paper import TEST_ERROR

LOGS = [WEIGHTS_DIR / f"{name}.json" for name in ("lenet5", "lenet1")]
pytestmark = pytest.mark.skipif(not all(p.is_file() for p in LOGS), reason="needs the shipped training logs")


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
        error = f"**MNIST test error: {100 * log['test_error']:.2f}%** ({log['errors']} of {log['n']} test images)"
        assert error in text
        assert f"(the paper: {100 * TEST_ERROR[name]:.2f}%)" in text
        assert f"`{log['command']}` (seed {log['seed']})" in text
        assert f"temperature {log['temperature']:.2f}" in text and f"**{log['unsure_gap']:.3f}**" in text
        assert f"Trainable parameters: {log['parameters']:,}." in text
        assert text.count(f"| {log['history'][-1]['epoch']} | ") >= 1


def test_card_draws_the_curves(card):
    for name in ("lenet5", "lenet1"):
        with Image.open(card.parent / f"{name}_curve.png") as im:
            assert im.format == "PNG" and im.width > 600 and im.height > 200


def test_a_changed_log_changes_the_card(tmp_path):
    for log in LOGS:
        shutil.copy(log, tmp_path / log.name)
    log = json.loads((tmp_path / "lenet1.json").read_text())
    log["test_error"], log["errors"] = 0.0123, 123
    (tmp_path / "lenet1.json").write_text(json.dumps(log))
    assert "**MNIST test error: 1.23%** (123 of" in write_card(tmp_path).read_text()


def test_shipped_card_is_the_writers_output(card):
    assert card.read_text() == (WEIGHTS_DIR / "MODEL_CARD.md").read_text()
