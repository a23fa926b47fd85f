"""Evaluate shipped weights on the 10,000 MNIST test images.

    python -m lenet.evaluate --model lenet5 [--data-dir DIR] [--json]

Prints the test error, the per-class error and the error/rejection trade-off of section III of
the paper: a digit is rejected when the gap between its best and second-best score is small
(for LeNet-5, the gap between the two smallest RBF distances). With ``--json`` the last line is
one JSON object with ``test_error`` (a fraction), ``errors``, ``n`` and the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from lenet.checkpoint import WEIGHTS_DIR, WeightsError, load_model, update_info, weights_path
from lenet.data import DEFAULT_DATA_DIR, DataError, load_split

REJECTION_RATES = (0.0, 0.005, 0.01, 0.02, 0.05, 0.10)
UNSURE_FRACTION = 0.01  # the app calls the 1% least certain test digits "unsure"


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


def summarize(s: torch.Tensor, y: torch.Tensor) -> dict:
    """Test error, per-class error, confusion matrix and rejection trade-off from scores."""
    pred = s.argmax(1)
    wrong = pred != y
    gap = score_gap(s)
    order = gap.argsort()  # least certain first
    rejection = []
    for rate in REJECTION_RATES:
        k = int(round(rate * len(y)))
        kept = order[k:]
        rejection.append({
            "rejected": k / len(y),
            "threshold": float(gap[order[k - 1]]) if k else 0.0,
            "error": int(wrong[kept].sum()) / len(kept),
        })  # fmt: skip
    confusion = torch.zeros(10, 10, dtype=torch.long)
    confusion.index_put_((y, pred), torch.ones_like(y), accumulate=True)
    per_class = [int(wrong[y == c].sum()) / max(1, int((y == c).sum())) for c in range(10)]
    k = int(round(UNSURE_FRACTION * len(y)))
    unsure_gap = float(gap[order[k]])
    return {
        "test_error": int(wrong.sum()) / len(y),
        "errors": int(wrong.sum()),
        "n": len(y),
        "per_class_error": per_class,
        "confusion": confusion.tolist(),
        "rejection": rejection,
        "unsure_gap": unsure_gap,
        "temperature": fit_temperature(s, y),
        "unsure_catches": float(wrong[gap < unsure_gap].sum() / max(1, int(wrong.sum()))),
        "misclassified": torch.nonzero(wrong).flatten().tolist(),
    }


def report(name: str, r: dict) -> str:
    lines = [f"{name}: test error {100 * r['test_error']:.2f}% ({r['errors']} of {r['n']})", "per-class error:"]
    lines.append("  " + "  ".join(f"{c}: {100 * e:.2f}%" for c, e in enumerate(r["per_class_error"])))
    lines.append("rejection (reject when best − second-best score is below the threshold):")
    for row in r["rejection"]:
        lines.append(f"  reject {100 * row['rejected']:5.1f}%  threshold {row['threshold']:8.3f}  "
                     f"error on the rest {100 * row['error']:.2f}%")  # fmt: skip
    lines.append(f"'unsure' gap (the {100 * UNSURE_FRACTION:.0f}% least certain test digits): {r['unsure_gap']:.3f}, "
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
    "test_error", "errors", "n", "per_class_error", "rejection", "unsure_gap", "unsure_catches", "temperature",
)  # fmt: skip


def record(name: str, weights_dir: Path, r: dict) -> None:
    """Store what was measured beside the weights (metadata) and in the training log; the
    misclassified digits go to ``<model>_errors.safetensors`` (see :func:`write_misclassified`)."""
    summary = {k: r[k] for k in RECORDED}
    update_info(weights_path(name, weights_dir), summary)
    log_path = Path(weights_dir) / f"{name}.json"
    log = json.loads(log_path.read_text()) if log_path.exists() else {"model": name}
    log.update(summary, confusion=r["confusion"], misclassified=r["misclassified"])
    log_path.write_text(json.dumps(log, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Evaluate shipped weights on the MNIST test set.")
    p.add_argument("--model", choices=["lenet5", "lenet1"], default="lenet5", help="which network")
    p.add_argument("--weights-dir", type=Path, default=WEIGHTS_DIR, help="folder of <model>.safetensors")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="holds MNIST/raw (python -m lenet.data)")
    p.add_argument("--json", action="store_true", help="end with one line of JSON")
    p.add_argument("--record", action="store_true",
                   help="write the measured figures into the weights' metadata and weights/<model>.json")  # fmt: skip
    args = p.parse_args(argv)
    torch.set_num_threads(max(1, min(4, torch.get_num_threads())))
    try:
        model = load_model(args.model, args.weights_dir)
        x, y = load_split("test", args.data_dir)
    except (WeightsError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    s = scores(model, x)
    r = summarize(s, y)
    print(report(args.model, r))
    if args.record:
        record(args.model, args.weights_dir, r)
        write_misclassified(errors_path(args.model, args.weights_dir), x, y, s)
    if args.json:
        print(json.dumps({"model": args.model, **r}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
