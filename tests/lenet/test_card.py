"""The model card writer: every figure on the card comes from the training logs, the curves are
drawn, and the shipped card is what the writer makes of the shipped logs (regenerate it on purpose
with ``python -m lenet.card``)."""

from __future__ import annotations

import json
import shutil

import pytest
from PIL import Image

from lenet.card import paper_error, value_text, write_card
from lenet.checkpoint import NETWORKS, ON_60000, RUNS_50000, WEIGHTS_DIR

LOGS = [WEIGHTS_DIR / f"{name}.json" for name in NETWORKS if (WEIGHTS_DIR / f"{name}.json").is_file()]
RUNS = [WEIGHTS_DIR / RUNS_50000 / f"{n}.json" for n in ON_60000]  # the 50,000-image runs of the 60,000 retrains
SHIPPED_LOGS = ("lenet5", "lenet1", "lenet5-paper")  # as tests/lenet/test_shipped.py
pytestmark = pytest.mark.skipif(
    not all((WEIGHTS_DIR / f"{name}.json").is_file() for name in SHIPPED_LOGS), reason="needs the shipped training logs"
)
slow = pytest.mark.slow  # the tests that draw the curves too: 7-13 s on the shared 2 cores


@pytest.fixture
def logs_in(tmp_path, monkeypatch):
    """The shipped logs copied to a temporary folder, and a card writer that draws no curves (fast)."""
    copy_logs(tmp_path)
    monkeypatch.setattr("lenet.card.plot_curve", lambda log, path: None)
    return tmp_path


def copy_logs(folder) -> None:
    """The shipped logs, and the 50,000-image runs' in 50k/, as weights/ holds them."""
    (folder / RUNS_50000).mkdir()
    for log in LOGS:
        shutil.copy(log, folder / log.name)
    for log in RUNS:
        shutil.copy(log, folder / RUNS_50000 / log.name)


def edit(folder, name: str, change) -> None:
    path = folder / f"{name}.json"
    log = json.loads(path.read_text())
    change(log)
    path.write_text(json.dumps(log))


@pytest.fixture
def card(tmp_path):
    copy_logs(tmp_path)
    return write_card(tmp_path)


@slow
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
        if log["validation_error"] is None:  # an all-60,000 retrain: its 50,000-image run's figures instead
            run = json.loads((WEIGHTS_DIR / RUNS_50000 / path.name).read_text())
            part = text.split(f"`weights/{name}.safetensors`")[1].split("\n## ")[0]
            assert "- Validation error: not measurable" in part and "not because\n  of its test figure" in part
            assert f"compared, **{100 * run['validation_error']:.2f}%** ({run['validation_errors']} of" in part
            assert f"{100 * run['test_error']:.2f}% ± {100 * run['standard_error']:.2f}%** ({run['errors']} of" in part
            assert f"`weights/{RUNS_50000}/{name}.safetensors`" in part and f"`{run['command']}`" in part
            assert text.count(f"| {run['history'][-1]['epoch']} | ") >= 1
        else:
            assert f"compared: **{100 * log['validation_error']:.2f}%**" in text
        assert f"`{log['command']}` (seed {log['seed']}, {log['threads']} thread(s))" in text
        assert f"Reproduce: `{log['reproduce']['command']}` — {log['reproduce']['how']}" in text
        assert f"temperature {log['temperature']:.2f}" in text and f"**{log['unsure_gap']:.3f}**" in text
        assert f"Trainable parameters: {log['parameters']:,}." in text
        assert text.count(f"| {log['history'][-1]['epoch']} | ") >= 1


@slow
def test_card_draws_the_curves(card):
    for path in LOGS:
        with Image.open(card.parent / f"{path.stem}_curve.png") as im:
            assert im.format == "PNG" and im.width > 600 and im.height > 200


@slow
def test_a_changed_log_changes_the_card(tmp_path):
    copy_logs(tmp_path)
    log = json.loads((tmp_path / "lenet1.json").read_text())
    log["test_error"], log["errors"], log["standard_error"] = 0.0123, 123, 0.0011
    (tmp_path / "lenet1.json").write_text(json.dumps(log))
    text = write_card(tmp_path).read_text()
    assert "- MNIST test error: **1.23% ± 0.11%** (123 of" in text
    assert "| LeNet-1 (`lenet1`) | 1.70% |" in text  # the summary table follows the log too
    assert "**1.23% ± 0.11%** (123 of 10000) | `" in text


@slow
def test_card_says_how_the_data_was_used_and_what_differs_from_the_paper(card):
    text = card.read_text()
    assert "first 50,000 MNIST training images" in text and "after each run was chosen" in text
    assert "read once" not in text and "nothing was chosen" not in text
    assert "rotations" in text and "μ = 0.5" in text and "16×16" in text


@slow
def test_shipped_card_is_the_writers_output(card):
    assert card.read_text() == (WEIGHTS_DIR / "MODEL_CARD.md").read_text()


def test_the_card_says_where_each_setting_was_chosen_from_the_logs(logs_in):
    text = write_card(logs_in).read_text()
    for path in LOGS:
        log = json.loads(path.read_text())
        for key, c in log["settings_chosen"].items():
            line = f"  - `{key}` = {value_text(c['value'])}: **{c['where']}** — {c['chosen']}"
            assert line in text, (log["model"], key)
        assert "--threads" in log["reproduce"]["command"] and f"`{log['reproduce']['command']}` |" in text
    # the shipped logs say that j = 5 and the distortion strengths were first found on the test set
    assert "`lenet5`: j = 5 (then re-decided on validation), distortion strength = 0.5 (then re-decided" in text
    assert "`lenet1`: distortion strength = 0.35 (then re-decided on validation)" in text
    assert "no setting chosen on the test images" not in text
    assert "statistically, not bit for bit" in text


def test_the_cards_test_set_statement_follows_the_logs(logs_in):
    """The card's claim about the test set is made from settings_chosen: where no log records a
    setting found on the test set, it says so; where one does, it names it."""

    def clean(log):
        for c in log["settings_chosen"].values():
            if c["where"].startswith("test set"):
                c["where"] = "validation"

    for path in LOGS:
        edit(logs_in, path.stem, clean)
    for path in RUNS:
        edit(logs_in / RUNS_50000, path.stem, clean)
    text = write_card(logs_in).read_text()
    assert "No run was compared and no setting chosen on the test images." in text
    assert "**Settings first found on the test set**" not in text
    assert text.count("- Selected on: validation.") == len(LOGS)

    def mu_on_test(log):
        log["settings_chosen"]["mu"]["where"] = "test set"

    edit(logs_in, "lenet5-paper", mu_on_test)
    text = write_card(logs_in).read_text()
    assert "`lenet5-paper`: mu = 0.5 (not re-decided on validation)" in text
    assert "no setting chosen on the test images" not in text
    section = text.split("`weights/lenet5-paper.safetensors`")[1].split("\n## ")[0]
    assert "**Settings first found on the test set** (by an earlier session of this project): mu = 0.5" in section


def test_the_card_says_which_networks_ship_on_all_60000_and_which_not_yet(logs_in):
    """From the table (lenet.checkpoint.ON_60000) and the files: the retrains with both figures, the others
    named as not retrained yet; a network dropped from weights/50k/ is no longer called a retrain."""
    text = write_card(logs_in).read_text()
    assert "ship their retrain (their 50,000-image runs are kept in `weights/50k/`" in text
    for name in ON_60000:
        row = next(line for line in text.splitlines() if line.startswith("| ") and f"(`{name}`) |" in line)
        run = json.loads((logs_in / RUNS_50000 / f"{name}.json").read_text())
        assert "| all 60,000 (retrained) |" in row and f"| {100 * run['validation_error']:.2f}% |" in row
    for name in ("lenet5-paper", "lenet5-paper-distort", "lenet1-paper"):
        if name not in ON_60000:
            row = next(line for line in text.splitlines() if line.startswith("| ") and f"(`{name}`) |" in line)
            assert "| 50,000 |" in row and "| the same run |" in row
    pending = [n for n in ("lenet5-paper", "lenet5-paper-distort", "lenet1-paper") if n not in ON_60000]
    assert ("ship their 50,000-image run (no 60,000 retrain yet)" in text) == bool(pending)
    # a network whose shipped log is a 50,000-image run is named as not retrained yet
    edit(logs_in, "lenet1-paper", lambda log: log.update(train_images=50_000, validation_error=0.0141))
    text = write_card(logs_in).read_text()
    assert "`lenet1-paper` ship their 50,000-image run (no 60,000 retrain yet)" in text
    (logs_in / RUNS_50000 / "lenet1.json").unlink()  # a retrain whose 50,000-image run is missing: said so
    text = write_card(logs_in).read_text()
    row = next(line for line in text.splitlines() if line.startswith("| ") and "(`lenet1`) |" in line)
    assert "| all 60,000 (retrained) | missing (weights/50k/lenet1.json) |" in row
