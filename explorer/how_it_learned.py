"""How it learned: the training curves and the error/rejection trade-off of a shipped network,
drawn once (at start-up) from its training log ``weights/<name>.json`` by ``lenet.curves`` (the
plotter the model card uses too), with what made the weights. Strings only: no Gradio. Its CSS is
``static/how_it_learned.css``.
"""

from __future__ import annotations

import html

from explorer.glossary import glossary_html, recipe_terms
from explorer.pictures import img
from lenet.curves import learning_png
from lenet.network import Network, frozen_from_log
from lenet.paper import NOT_THE_SAME, TEST_ERROR


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
    ten = next((r for r in log["rejection"] if abs(r.get("rate_on_validation", r["rejected"]) - 0.01) < 1e-9), None)
    paper = f"{100 * TEST_ERROR.get(network.arch, float('nan')):.2f}%"
    if network.arch in NOT_THE_SAME:
        paper += f" (but {html.escape(NOT_THE_SAME[network.arch])})"
    facts = [f"<b>{title}</b> trained for {len(log['history'])} epochs."]
    all_60000 = "validation_error" in log and log["validation_error"] is None  # python -m lenet.train --all-60000
    if all_60000:
        chosen = log.get("reference_validation_error")
        there = "" if chosen is None else f" ({100 * chosen:.2f}% error there)"
        facts.append(
            "Trained on all 60,000 training digits, with every setting and the calibration of a run on 50,000 "
            f"that was chosen and calibrated on the other 10,000, the validation digits{there}; its own "
            "validation error cannot be measured: it trained on those digits."
        )
    elif "validation_error" in log:
        facts.append(
            f"Chosen and calibrated on 10,000 validation digits it never trained on: "
            f"{100 * log['validation_error']:.2f}% error there."
        )
    if "test_error" in log:
        se = f" ± {100 * log['standard_error']:.2f}%" if "standard_error" in log else ""
        error = f"<b>{100 * log['test_error']:.2f}%</b>{se}"
        when = "once, after training (not looked at before it shipped)" if all_60000 else "after it was chosen"
        facts.append(f"MNIST test error, measured {when}: {error}; the paper {paper}.")
    if ten:
        facts.append(
            f"Rejecting the {100 * ten['rejected']:.1f}% of test digits it is least sure about (the smallest lead of "
            f"its answer over the second choice) leaves {100 * ten['error']:.2f}% errors on the rest."
        )
    words = recipe_terms(str(log.get("recipe", "")))  # the recipe's jargon, said plainly under it
    plain = glossary_html(words, "What the recipe's words mean") if words else ""
    recipe = html.escape(str(log.get("recipe", "")))
    # the command that retrains it as the repository is now (an --all-60000 run's reference has moved)
    command = html.escape(str(log.get("reproduce", {}).get("command", log.get("command", ""))))
    per_epoch = ("no error after each epoch (no digit was left out to measure it on)" if all_60000
                 else "the error after each epoch on the validation digits")  # fmt: skip
    return (
        f'<div class="lenet-learning"><p>{" ".join(facts)}</p>'
        + img(learning_png(log, title, network.arch, frozen_from_log(log)), f"training curves of {title}")
        + "<p class='how'>The training loss is measured on the training digits (distorted when the recipe "
        f"distorts them), {per_epoch}, the test error once at the end. "
        f"Recipe: {recipe}.<br>Retrain it with <code>{command}</code></p>{plain}</div>"
    )
