"""The design-choice variants against LeNet-5, from what each one recorded (issue 17).

    python -m lenet.train --model lenet5-relu          # train one (the shipped LeNet-5's recipe)
    python -m lenet.evaluate --model lenet5-relu --record   # its test figures, beside its weights
    python -m lenet.design                             # this table, from the recorded logs

Each variant (:data:`lenet.model.VARIANTS`) changes one of the paper's choices. The table gives
each one's validation and test error, parameters, connections, training time, and the test digits
it gets wrong against LeNet-5's on the same digits: those only it gets wrong, those only LeNet-5
gets wrong, and McNemar's z = (b − c) / √(b + c) — |z| ≥ 2 is a difference beyond chance at about
the 5% level; below it, the two cannot be told apart on these 10,000 digits.

Like for like: every variant was trained on the first 50,000 training images (``lenet5-6k`` on
6,000 of them) and chosen on the validation split, so LeNet-5's row is its 50,000-image run,
``weights/50k/lenet5`` (:func:`lenet.checkpoint.chosen_run_dir`), not the shipped ``lenet5``, which
is that run retrained on all 60,000 (issue 17) and has no validation error to set beside theirs.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from lenet.checkpoint import WEIGHTS_DIR, chosen_run_dir
from lenet.model import VARIANTS, build_model

BASE = "lenet5"  # its 50,000-image run (weights/50k/lenet5.json): trained on the images the variants were


def paired(base: list[int], other: list[int]) -> dict:
    """The test digits only ``other`` gets wrong (b), only ``base`` gets wrong (c), and McNemar's z."""
    b, c = len(set(other) - set(base)), len(set(base) - set(other))
    return {"only_variant": b, "only_lenet5": c, "z": (b - c) / math.sqrt(b + c) if b + c else 0.0}


def rows(weights_dir: Path | str = WEIGHTS_DIR) -> list[dict]:
    """One row per network (LeNet-5's 50,000-image run first) with its recorded figures; a variant not
    trained or not evaluated yet has ``None`` where a figure is missing."""
    logs = {}
    for name in (BASE, *VARIANTS):
        path = chosen_run_dir(name, weights_dir) / f"{name}.json"
        logs[name] = json.loads(path.read_text()) if path.is_file() else {}
    base_wrong = logs[BASE].get("misclassified")
    out = []
    for name, log in logs.items():
        layers = build_model(name).layers()
        row = {
            "network": name,
            "changed": VARIANTS[name].instead if name in VARIANTS else "nothing: the paper's choices, the same "
                                                                       "50,000 images (weights/50k/)",
            "validation_error": log.get("validation_error"), "test_error": log.get("test_error"),
            "errors": log.get("errors"), "parameters": sum(r.params for r in layers),
            "connections": sum(r.connections for r in layers), "train_images": log.get("train_images"),
            "seconds": log.get("wall_seconds"),
        }  # fmt: skip
        if name != BASE and base_wrong is not None and log.get("misclassified") is not None:
            row.update(paired(base_wrong, log["misclassified"]))
        out.append(row)
    return out


def table(found: list[dict]) -> str:
    """The rows as a Markdown table."""

    def pct(v):
        return "—" if v is None else f"{100 * v:.2f}%"

    lines = [
        "| network | changed | validation | test (errors) | only it wrong / only LeNet-5 wrong (z) | "
        "parameters | connections | train images | seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in found:
        pair = f"{r['only_variant']} / {r['only_lenet5']} ({r['z']:+.1f})" if "z" in r else "—"
        test = "—" if r["test_error"] is None else f"{pct(r['test_error'])} ({r['errors']})"
        lines.append(f"| `{r['network']}` | {r['changed']} | {pct(r['validation_error'])} | {test} | {pair} | "
                     f"{r['parameters']:,} | {r['connections']:,} | {r['train_images'] or '—'} | "
                     f"{'—' if r['seconds'] is None else round(r['seconds'])} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="The design-choice variants against LeNet-5, from their recorded logs.")
    p.add_argument("--weights-dir", type=Path, default=WEIGHTS_DIR, help="folder of <network>.json")
    p.add_argument("--json", action="store_true", help="one line of JSON instead of the table")
    args = p.parse_args(argv)
    found = rows(args.weights_dir)
    print(json.dumps(found) if args.json else table(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
