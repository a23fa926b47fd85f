"""How it learned: the plots are drawn from the training log, and a missing log says so."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from explorer.how_it_learned import learning_html
from lenet.curves import learning_png
from tests.weights import untrained

LOG = {
    "model": "lenet5",
    "history": [{"epoch": e, "train_loss": 1.0 / e, "validation_error": 0.02 / e} for e in range(1, 6)],
    "rejection": [
        {"rate_on_validation": r, "rejected": 1.1 * r, "threshold": 0.0, "error": 0.004 - 0.03 * r}
        for r in (0.0, 0.01, 0.05, 0.1)
    ],
    "validation_error": 0.0041,
    "test_error": 0.004,
    "standard_error": 0.0006,
    "recipe": "ours",
    "command": "python -m lenet.train --model lenet5",
}


def test_png_is_an_image_sized_for_the_tab():
    im = Image.open(io.BytesIO(learning_png(LOG, "LeNet-5", "lenet5")))
    assert im.format == "PNG" and 800 <= im.width <= 900 and 240 <= im.height <= 320


def test_html_states_the_figures_and_the_command():
    page = learning_html(untrained("lenet5", LOG))
    assert "data:image/png;base64," in page and "5 epochs" in page
    assert "0.40%</b> ± 0.06%" in page and "0.95%" in page  # ours, the paper's
    assert "0.41% error there" in page  # the validation figure it was chosen on
    assert "Rejecting the 1.1% of test digits" in page and "leaves 0.37% errors" in page  # 1% of validation


def test_lenet1_is_not_passed_off_as_the_papers():
    page = learning_html(untrained("lenet1", {**LOG, "model": "lenet1"}))
    assert "1.70%" in page and "16×16" in page and "not of the same network" in page
    assert "python -m lenet.train --model lenet5" in page


def test_missing_log_gives_a_note():
    assert "No training log" in learning_html(untrained("lenet1"))


def test_a_retrain_on_all_60000_shows_the_validation_curve_of_the_run_it_was_frozen_from(tmp_path):
    """An --all-60000 retrain has no validation error of its own: its plot draws the 50,000-image
    run's (read from the run beside its ``reference``), and without that log only the gap."""
    import json

    from lenet.network import frozen_from_log

    run = {**LOG, "history": [{**r, "validation_error": 0.03 / r["epoch"]} for r in LOG["history"]]}
    (tmp_path / "lenet5.json").write_text(json.dumps(run))
    retrain = {**LOG, "validation_error": None, "reference": str(tmp_path / "lenet5.safetensors"),
               "history": [{**r, "validation_error": None} for r in LOG["history"]]}  # fmt: skip
    assert frozen_from_log(retrain) == run and frozen_from_log(LOG) == {}
    assert frozen_from_log({**retrain, "reference": str(tmp_path / "gone.safetensors")}) == {}

    def red_pixels(png: bytes) -> int:  # the validation colour, #d62728
        im = Image.open(io.BytesIO(png)).convert("RGB")
        return sum(1 for r, g, b in im.getdata() if r > 180 and g < 80 and b < 80)

    alone = red_pixels(learning_png(retrain, "LeNet-5", "lenet5"))
    drawn = red_pixels(learning_png(retrain, "LeNet-5", "lenet5", frozen_from_log(retrain)))
    assert drawn > alone + 100  # the curve is there
    assert "validation" in learning_html(untrained("lenet5", retrain))


def test_the_paper_line_is_its_figure_with_distortions_for_a_distorted_run(monkeypatch):
    """lenet5-paper-distort stands beside the paper's 0.8% with distortions, not its 0.95%."""
    import matplotlib.axes

    seen, draw = [], matplotlib.axes.Axes.axhline

    def axhline(self, y=0, *args, **kwargs):
        seen.append(y)
        return draw(self, y, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "axhline", axhline)
    learning_png(LOG, "LeNet-5", "lenet5")
    learning_png(LOG, "LeNet-5 · 1998 recipe, with distortions", "lenet5", distorted=True)
    assert seen == [pytest.approx(0.95), pytest.approx(0.8)]
