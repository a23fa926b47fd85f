"""How it learned: the training curves and the error/rejection trade-off of a shipped network,
drawn once (at start-up) from its training log ``weights/<name>.json``.

The log is what ``python -m lenet.train`` wrote: ``history`` (per epoch: ``train_loss``,
``test_error``), ``rejection`` (``rejected``, ``threshold``, ``error``: section III of the paper
reports errors at a given rejection rate) and the recipe and command that made the weights.
Pure matplotlib (Agg) and strings: no Gradio. Its CSS is ``static/how_it_learned.css``.
"""

from __future__ import annotations

import html
import io

from explorer.pictures import img
from lenet.network import Network
from lenet.paper import TEST_ERROR

TRAIN, TEST, PAPER = "#1f77b4", "#d62728", "#6b7280"  # the colours of lenet/card.py's curves


def learning_png(log: dict, title: str, arch: str) -> bytes:
    """Three plots side by side as PNG bytes (880 × 300 px): train loss per epoch (log scale),
    MNIST test error per epoch with the paper's figure, and the test error left after rejecting
    the least certain digits. ``log`` needs ``history`` and ``rejection``; ``arch`` ("lenet5") picks
    the paper's figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    h = log["history"]
    epochs = [r["epoch"] for r in h]
    paper = 100 * TEST_ERROR.get(arch, float("nan"))
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(8.8, 3.0), dpi=100)
    a.plot(epochs, [r["train_loss"] for r in h], color=TRAIN, marker="o" if len(h) < 15 else None, ms=3)
    a.set(title="training loss", xlabel="epoch (pass over the training set)", yscale="log")
    errors = [100 * r["test_error"] for r in h]
    b.plot(epochs, errors, color=TEST, marker="o" if len(h) < 15 else None, ms=3, label=title)
    b.axhline(paper, color=PAPER, ls="--", label=f"paper: {paper:.2f}%")
    # Zoomed on the paper's figure and the final error: the first epochs may leave the top of the plot.
    b.set(title="MNIST test error (%)", xlabel="epoch", ylim=(0, 3 * max(paper, errors[-1])))
    b.legend(fontsize=8, loc="upper right")
    rej = log["rejection"]
    c.plot([100 * r["rejected"] for r in rej], [100 * r["error"] for r in rej], color=TEST, marker="o", ms=4)
    c.set(title="error on the digits it accepts (%)", xlabel="digits rejected as unsure (%)", ylim=(0, None))
    from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter, ScalarFormatter

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


def learning_html(network: Network) -> str:
    """The view for one network: the plots and what made the weights, or a note when the log is
    missing. Called once per network at start-up."""
    log, title = network.log, network.title
    if not log.get("history") or not log.get("rejection"):
        return (
            f'<div class="lenet-learning"><p class="note">No training log was shipped with these {title} '
            f"weights (<code>weights/{network.name}.json</code>, written by <code>python -m lenet.train</code>)."
            "</p></div>"
        )
    last = log["history"][-1]
    ten = next((r for r in log["rejection"] if abs(r["rejected"] - 0.01) < 1e-9), None)
    facts = [
        f"<b>{title}</b> trained for {len(log['history'])} epochs: test error "
        f"<b>{100 * log.get('test_error', last['test_error']):.2f}%</b>, the paper "
        f"{100 * TEST_ERROR.get(network.arch, float('nan')):.2f}%.",
    ]
    if ten:
        facts.append(
            f"Rejecting the 1% of digits it is least sure about (the smallest lead of its answer over the "
            f"second choice) leaves {100 * ten['error']:.2f}% errors on the rest."
        )
    recipe = html.escape(str(log.get("recipe", "")))
    command = html.escape(str(log.get("command", "")))
    return (
        f'<div class="lenet-learning"><p>{" ".join(facts)}</p>'
        + img(learning_png(log, title, network.arch), f"training curves of {title}")
        + "<p class='how'>The training loss is measured on the training digits (distorted when the recipe "
        f"distorts them), the test error on the 10,000 test digits it never trained on. "
        f"Recipe: {recipe}.<br>Made by <code>{command}</code></p></div>"
    )
