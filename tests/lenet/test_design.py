"""python -m lenet.design: the variants against LeNet-5 from their recorded logs."""

from __future__ import annotations

import json
import math

from lenet import design
from lenet.model import VARIANTS


def test_paired_counts_and_mcnemar():
    assert design.paired([1, 2, 3, 4], [3, 4, 5, 6, 7, 8]) == {"only_variant": 4, "only_lenet5": 2,
                                                               "z": 2 / math.sqrt(6)}  # fmt: skip
    assert design.paired([1], [1])["z"] == 0.0


def test_rows_come_from_the_logs_and_the_networks(tmp_path, capsys):
    """LeNet-5's row is its 50,000-image run (weights/50k/), as the variants were trained; the shipped
    all-60,000 retrain beside it in weights/ is not what they are compared with."""
    (tmp_path / "50k").mkdir()
    (tmp_path / "50k" / "lenet5.json").write_text(json.dumps({"test_error": 0.005, "errors": 50, "train_images": 50_000,
                                                              "misclassified": [1, 2, 3], "validation_error": 0.007,
                                                              "wall_seconds": 100.4}))  # fmt: skip
    (tmp_path / "lenet5.json").write_text(json.dumps({"test_error": 0.004, "errors": 40, "misclassified": [7],
                                                      "validation_error": None, "train_images": 60_000}))  # fmt: skip
    (tmp_path / "lenet5-relu.json").write_text(json.dumps({"test_error": 0.009, "errors": 90,
                                                           "misclassified": [2, 3, 4, 5, 6]}))  # fmt: skip
    found = {r["network"]: r for r in design.rows(tmp_path)}
    assert list(found) == ["lenet5", *VARIANTS]
    assert found["lenet5-relu"]["only_variant"] == 3 and found["lenet5-relu"]["only_lenet5"] == 1
    assert (found["lenet5"]["validation_error"], found["lenet5"]["train_images"]) == (0.007, 50_000)
    assert found["lenet5-fullc3"]["test_error"] is None and "z" not in found["lenet5-fullc3"]
    assert found["lenet5-fullc3"]["connections"] == 430_908 and found["lenet5-maxpool"]["parameters"] == 59_956
    assert design.main(["--weights-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "| `lenet5-relu` | ReLU, max(0, a) | — | 0.90% (90) | 3 / 1 (+1.0) |" in out


def test_a_variants_curve_is_drawn_without_a_paper_figure():
    """The paper gives no figure for a variant: its curve is drawn without one (it raised on NaN limits)."""
    from lenet.curves import learning_png

    log = {"history": [{"epoch": 1, "train_loss": 2.0, "validation_error": 0.1},
                       {"epoch": 2, "train_loss": 1.0, "validation_error": 0.05}]}  # fmt: skip
    assert learning_png(log, "ReLU", "lenet5-relu")[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_shipped_table_compares_the_variants_with_the_50000_image_lenet5():
    """On the shipped files: LeNet-5's row is weights/50k/lenet5 (when lenet5 ships on all 60,000), trained on
    the same 50,000 images as every variant but the 6,000-image one, with a validation error to compare."""
    from lenet.checkpoint import ON_60000, RUNS_50000, WEIGHTS_DIR, chosen_run_dir
    from tests.weights import require_trained

    require_trained("lenet5")
    found = {r["network"]: r for r in design.rows()}
    base = json.loads((chosen_run_dir("lenet5") / "lenet5.json").read_text())
    if "lenet5" in ON_60000:
        assert chosen_run_dir("lenet5") == WEIGHTS_DIR / RUNS_50000
    assert found["lenet5"]["train_images"] == 50_000 and found["lenet5"]["validation_error"] is not None
    assert (
        found["lenet5"]["validation_error"] == base["validation_error"] and found["lenet5"]["errors"] == base["errors"]
    )
    for name in VARIANTS:
        if found[name]["train_images"] is not None:
            assert found[name]["train_images"] == (VARIANTS[name].train_images or found["lenet5"]["train_images"])
