"""How it learned: the plots are drawn from the training log, and a missing log says so."""

from __future__ import annotations

import io

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
