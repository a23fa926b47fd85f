"""How it learned: the plots are drawn from the training log, and a missing log says so."""

from __future__ import annotations

import io

from PIL import Image

from explorer.how_it_learned import learning_html, learning_png
from tests.weights import untrained

LOG = {
    "model": "lenet5",
    "history": [{"epoch": e, "train_loss": 1.0 / e, "test_error": 0.02 / e} for e in range(1, 6)],
    "rejection": [{"rejected": r, "threshold": 0.0, "error": 0.004 - 0.03 * r} for r in (0.0, 0.01, 0.05, 0.1)],
    "test_error": 0.004,
    "recipe": "ours",
    "command": "python -m lenet.train --model lenet5",
}


def test_png_is_an_image_sized_for_the_tab():
    im = Image.open(io.BytesIO(learning_png(LOG, "LeNet-5", "lenet5")))
    assert im.format == "PNG" and 800 <= im.width <= 900 and 240 <= im.height <= 320


def test_html_states_the_figures_and_the_command():
    page = learning_html(untrained("lenet5", LOG))
    assert "data:image/png;base64," in page and "5 epochs" in page
    assert "0.40%" in page and "0.95%" in page  # ours, the paper's
    assert "leaves 0.37% errors" in page  # 1% rejected
    assert "python -m lenet.train --model lenet5" in page


def test_missing_log_gives_a_note():
    assert "No training log" in learning_html(untrained("lenet1"))
