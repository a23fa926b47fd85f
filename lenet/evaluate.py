"""Evaluate shipped weights on the 10,000 MNIST test images.

    python -m lenet.evaluate --model lenet5 [--data-dir DIR] [--json] [--record]

Prints the test error with its standard error, the per-class error and the error/rejection
trade-off of section III of the paper: a digit is rejected when the gap between its best and
second-best score is small (for LeNet-5, the gap between the two smallest RBF distances). The
thresholds, the temperature and the "unsure" gap were fixed on the validation split when the
weights were trained (:func:`calibrate`, stored in their metadata); here they are only applied.
With ``--json`` the last line is one JSON object with ``test_error`` (a fraction),
``standard_error``, ``errors``, ``n``, ``validation_error``, ``selected_on``, ``calibrated_on``
and the rest.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from lenet.checkpoint import (
    NETWORKS,
    RUNS_50000,
    WEIGHTS_DIR,
    WeightsError,
    load_model,
    read_info,
    update_info,
    weights_path,
)
from lenet.data import DEFAULT_DATA_DIR, DataError, load_split
from lenet.model import VARIANTS

REJECTION_RATES = (0.0, 0.005, 0.01, 0.02, 0.05, 0.10)  # of the validation digits
UNSURE_FRACTION = 0.01  # the app calls the 1% least certain validation digits "unsure"
# What the weights carry from their validation split, reported beside the test figures.
CALIBRATION = ("validation_error", "selected_on", "calibrated_on", "temperature", "unsure_gap", "rejection_thresholds")


@torch.no_grad()
def scores(model: torch.nn.Module, x: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    """Class scores (N, 10), larger = more likely, for images (N, 1, 28, 28)."""
    model.eval()
    return torch.cat([model(x[i : i + batch]) for i in range(0, len(x), batch)])


def score_gap(s: torch.Tensor) -> torch.Tensor:
    """Best minus second-best score per row (N,): small means the network hesitates."""
    top2 = s.topk(2, dim=1).values
    return top2[:, 0] - top2[:, 1]


def fit_temperature(s: torch.Tensor, y: torch.Tensor) -> float:
    """The T that makes softmax(scores / T) best calibrated: least negative log-likelihood of the
    labels (temperature scaling, Guo et al. 2017). LeNet-5's scores are minus squared distances,
    tens of units apart, so their plain softmax says "100%" even when the network hesitates."""
    grid = torch.logspace(-1, 2, 61)  # 0.1 … 100
    nll = torch.stack([F.cross_entropy(s / t, y) for t in grid])
    return float(grid[nll.argmin()])


def standard_error(error: float, n: int) -> float:
    """Binomial standard error of an error rate measured on ``n`` images: √(p(1 − p)/n)."""
    return math.sqrt(error * (1 - error) / n) if n else 0.0


def calibrate(s: torch.Tensor, y: torch.Tensor) -> dict:
    """What the app and the rejection table need, fitted on the validation split (scores ``s``,
    labels ``y``): the error there, the confidence temperature, the gap below which the app says
    "unsure" (the ``UNSURE_FRACTION`` least certain validation digits), and the gap thresholds
    that reject each of ``REJECTION_RATES`` of them. The test set is never used here."""
    wrong = s.argmax(1) != y
    gap = score_gap(s)
    order = gap.argsort()  # least certain first
    thresholds = []
    for rate in REJECTION_RATES:
        k = int(round(rate * len(y)))
        thresholds.append(float(gap[order[k - 1]]) if k else 0.0)
    unsure_gap = float(gap[order[int(round(UNSURE_FRACTION * len(y)))]])
    return {
        "validation_error": int(wrong.sum()) / len(y),
        "validation_errors": int(wrong.sum()),
        "validation_n": len(y),
        "temperature": fit_temperature(s, y),
        "unsure_gap": unsure_gap,
        "rejection_thresholds": thresholds,
        "calibrated_on": "validation",
    }


def summarize(s: torch.Tensor, y: torch.Tensor, calibration: dict) -> dict:
    """Test error (with its standard error), per-class error, confusion matrix, and the
    error/rejection trade-off at the thresholds ``calibration`` fixed on the validation split."""
    pred = s.argmax(1)
    wrong = pred != y
    gap = score_gap(s)
    rejection = []
    for rate, threshold in zip(REJECTION_RATES, calibration["rejection_thresholds"], strict=True):
        kept = gap > threshold if rate else torch.ones_like(wrong)
        rejection.append({
            "rate_on_validation": rate,
            "threshold": threshold,
            "rejected": 1 - int(kept.sum()) / len(y),
            "error": int(wrong[kept].sum()) / max(1, int(kept.sum())),
        })  # fmt: skip
    confusion = torch.zeros(10, 10, dtype=torch.long)
    confusion.index_put_((y, pred), torch.ones_like(y), accumulate=True)
    per_class = [int(wrong[y == c].sum()) / max(1, int((y == c).sum())) for c in range(10)]
    unsure = gap < calibration["unsure_gap"]
    error = int(wrong.sum()) / len(y)
    return {
        "test_error": error,
        "standard_error": standard_error(error, len(y)),
        "errors": int(wrong.sum()),
        "n": len(y),
        **{k: calibration[k] for k in CALIBRATION if k in calibration},  # selected_on: the run's (lenet.train)
        "per_class_error": per_class,
        "confusion": confusion.tolist(),
        "rejection": rejection,
        "unsure_rate": float(unsure.float().mean()),
        "unsure_catches": float(wrong[unsure].sum() / max(1, int(wrong.sum()))),
        "misclassified": torch.nonzero(wrong).flatten().tolist(),
    }


def report(name: str, r: dict) -> str:
    lines = [
        f"{name}: test error {100 * r['test_error']:.2f}% ± {100 * r['standard_error']:.2f}% "
        f"({r['errors']} of {r['n']}; ± one standard error)",
        (
            f"validation error {100 * r['validation_error']:.2f}%"
            if r["validation_error"] is not None
            else "validation error not measurable (trained on the validation images)"
        )
        + f" (selected on {r.get('selected_on', 'not recorded')}, calibrated on {r['calibrated_on']})",
        "per-class error:",
        "  " + "  ".join(f"{c}: {100 * e:.2f}%" for c, e in enumerate(r["per_class_error"])),
        "rejection (reject when best − second-best score is below a threshold set on the validation split):",
    ]
    for row in r["rejection"]:
        lines.append(f"  reject {100 * row['rejected']:5.1f}% (validation: {100 * row['rate_on_validation']:4.1f}%)  "
                     f"threshold {row['threshold']:8.3f}  error on the rest {100 * row['error']:.2f}%")  # fmt: skip
    lines.append(f"'unsure' gap (the {100 * UNSURE_FRACTION:.0f}% least certain validation digits): "
                 f"{r['unsure_gap']:.3f}; on the test set it flags {100 * r['unsure_rate']:.1f}% of the digits, "
                 f"catching {100 * r['unsure_catches']:.0f}% of the errors")  # fmt: skip
    return "\n".join(lines)


def errors_path(name: str, weights_dir: Path | str = WEIGHTS_DIR) -> Path:
    return Path(weights_dir) / f"{name}_errors.safetensors"


def write_misclassified(path: Path, x: torch.Tensor, y: torch.Tensor, s: torch.Tensor) -> None:
    """Ship the misclassified test digits beside the weights, so the app can show them without
    MNIST: ``images`` uint8 (K, 28, 28), ``labels``, ``predictions``, ``runner_up``, ``indices``
    int64 (K,), ``gaps`` float32 (K,) (best − second-best score), ``scores`` float32 (K, 10)."""
    from safetensors.torch import save_file

    top2 = s.topk(2, dim=1).indices
    wrong = torch.nonzero(top2[:, 0] != y).flatten()
    save_file({
        "images": (x[wrong, 0] * 255).round().to(torch.uint8),
        "labels": y[wrong], "predictions": top2[wrong, 0], "runner_up": top2[wrong, 1], "indices": wrong,
        "gaps": score_gap(s)[wrong].float().contiguous(), "scores": s[wrong].float().contiguous(),
    }, str(path))  # fmt: skip


RECORDED = (
    "test_error", "standard_error", "errors", "n", "per_class_error", "rejection", "unsure_rate", "unsure_catches",
)  # fmt: skip


def record(name: str, weights_dir: Path, r: dict) -> None:
    """Store what was measured beside the weights (metadata) and in the training log; the
    misclassified digits go to ``<model>_errors.safetensors`` (see :func:`write_misclassified`).
    In weights/ and weights/50k/ (the 50,000-image runs of the networks shipped on all 60,000) the
    model card is rewritten; in any other folder (a candidate under weights/candidates/) only that
    log's curve is redrawn."""
    summary = {k: r[k] for k in RECORDED}
    update_info(weights_path(name, weights_dir), summary)
    log_path = Path(weights_dir) / f"{name}.json"
    log = json.loads(log_path.read_text()) if log_path.exists() else {"model": name}
    log.update(summary, confusion=r["confusion"], misclassified=r["misclassified"])
    log_path.write_text(json.dumps(log, indent=1) + "\n")
    card_dir = Path(weights_dir).parent if Path(weights_dir).name == RUNS_50000 else Path(weights_dir)
    if card_dir.resolve() != Path(WEIGHTS_DIR).resolve():  # a candidate: its curve, no model card
        from lenet.train import write_curve

        if "history" in log:
            write_curve(log, Path(weights_dir) / f"{name}_curve.png")
        return
    from lenet.card import write_card  # the card is made from the logs just updated

    write_card(card_dir)  # weights/50k/ (a shipped network's 50,000-image run) is on the card too


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Evaluate shipped weights on the MNIST test set.")
    p.add_argument(
        "--model",
        choices=[*NETWORKS, *VARIANTS],
        default="lenet5",
        help="which network (lenet5-softmax ... lenet5-6k: the design-choice variants)",
    )
    p.add_argument("--weights-dir", type=Path, default=WEIGHTS_DIR, help="folder of <model>.safetensors")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="holds MNIST/raw (python -m lenet.data)")
    p.add_argument("--json", action="store_true", help="end with one line of JSON")
    p.add_argument("--record", action="store_true",
                   help="write the measured figures into the weights' metadata and weights/<model>.json")  # fmt: skip
    args = p.parse_args(argv)
    torch.set_num_threads(max(1, min(4, torch.get_num_threads())))
    try:
        model = load_model(args.model, args.weights_dir)
        calibration = read_info(weights_path(args.model, args.weights_dir))
        missing = [k for k in CALIBRATION if k not in calibration]
        if missing:
            raise WeightsError(
                f"{weights_path(args.model, args.weights_dir)} carries no calibration on the validation split "
                f"({', '.join(missing)} missing): retrain it with python -m lenet.train"
            )
        x, y = load_split("test", args.data_dir)
    except (WeightsError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    s = scores(model, x)
    r = summarize(s, y, calibration)
    print(report(args.model, r))
    if args.record:
        record(args.model, args.weights_dir, r)
        write_misclassified(errors_path(args.model, args.weights_dir), x, y, s)
    if args.json:
        print(json.dumps({"model": args.model, **r}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
