"""The training curves of one network, as a PNG: the one plotter behind the model card
(``lenet/card.py``) and the page's "How it learned" view.

The log is what ``python -m lenet.train`` wrote and ``python -m lenet.evaluate --record`` completed:
``history`` (per epoch: ``train_loss``, ``validation_error``), ``test_error`` (read at the
end) and ``rejection`` (on the test set, at thresholds fixed on the validation split).
"""

from __future__ import annotations

import io
import math

from lenet.paper import TEST_ERROR, TEST_ERROR_DISTORTED

TRAIN, VALIDATION, TEST, PAPER = "#1f77b4", "#d62728", "#111827", "#6b7280"


def learning_png(log: dict, title: str, arch: str, frozen_from: dict | None = None, distorted: bool = False) -> bytes:
    """Three plots side by side as PNG bytes (880 × 300 px): training loss per epoch (log scale),
    validation error per epoch with the final test error and the paper's, and the test error left
    after rejecting the least certain digits. ``log`` needs ``history``; ``arch`` ("lenet5") picks
    the paper's figure, its figure with distortions if ``distorted`` (``lenet5-paper-distort``'s 0.8%).
    ``frozen_from``: for an ``--all-60000`` retrain (no validation error of its
    own), the log of the 50,000-image run it was frozen from, whose validation curve is drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter, ScalarFormatter

    h = log["history"]
    epochs = [r["epoch"] for r in h]
    marker = "o" if len(h) < 15 else None
    table = TEST_ERROR_DISTORTED if distorted else TEST_ERROR
    paper = 100 * table[arch] if arch in table else None  # none for a design-choice variant
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(8.8, 3.0), dpi=100)
    a.plot(epochs, [r["train_loss"] for r in h], color=TRAIN, marker=marker, ms=3)
    a.set(title="training loss", xlabel="epoch (pass over the training set)", yscale="log")
    # an --all-60000 run trained on the validation split: no validation error (None), drawn as a gap
    errors = [math.nan if r["validation_error"] is None else 100 * r["validation_error"] for r in h]
    measured = any(math.isfinite(e) for e in errors)
    b.plot(epochs, errors, color=VALIDATION, marker=marker, ms=3,
           label="validation" if measured else "validation: none (trained on it)")  # fmt: skip
    if not measured:  # the epochs still span the axis, as the training loss's
        b.set_xlim(epochs[0] - 0.5, epochs[-1] + 0.5)
        run = [r for r in (frozen_from or {}).get("history", []) if r.get("validation_error") is not None]
        if run:  # the same settings on 50,000 images: the curve the retrain's choices rest on
            errors = [100 * r["validation_error"] for r in run]
            b.plot([r["epoch"] for r in run], errors, color=VALIDATION, ls=":", marker=marker, ms=3,
                   label="validation, its 50,000-image run")  # fmt: skip
    if "test_error" in log:
        b.plot(
            [epochs[-1]],
            [100 * log["test_error"]],
            "D",
            color=TEST,
            ms=5,
            label=f"test: {100 * log['test_error']:.2f}%",
        )
    if paper is not None:
        b.axhline(paper, color=PAPER, ls="--", label=f"paper (test): {paper:.2f}%")
    # Zoomed on the paper's figure and the final error: the first epochs may leave the top of the plot.
    ends = [v for v in (paper, errors[-1]) if v is not None and math.isfinite(v)]  # an --all-60000 run: none
    sep = ":\n" if len(title) > 28 else ": "  # a long title on two lines, clear of its neighbours'
    b.set(title=f"{title}{sep}error (%)", xlabel="epoch", ylim=(0, 3 * max(ends or [1.0])))
    b.legend(fontsize=8, loc="upper right")
    rej = log.get("rejection") or []
    if rej:
        c.plot([100 * r["rejected"] for r in rej], [100 * r["error"] for r in rej], color=TEST, marker="o", ms=4)
    c.set(title="test error on the digits it accepts (%)", xlabel="digits rejected as unsure (%)", ylim=(0, None))
    for ax in (a, b):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    a.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))  # 1, 2, 5, 10, 20, …: plain numbers
    a.yaxis.set_major_formatter(ScalarFormatter())
    a.yaxis.set_minor_formatter(NullFormatter())
    for ax in (a, b, c):
        ax.grid(alpha=0.3)
        ax.title.set_fontsize(10)
        ax.xaxis.label.set_fontsize(8)
        ax.tick_params(labelsize=8)
    fig.tight_layout(pad=0.6)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()
