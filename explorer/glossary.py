"""The words a student meets on the page, in plain words (issue 16, item 6): the paper's technical
terms (convolution, subsampling, feature map, RBF, prototype, F6) and the training recipes' (Adam,
one-cycle, EMA, distortions; the paper's Levenberg-Marquardt, batches, mu), as a native
``<details>`` that a keyboard opens (Enter on its summary) and a screen reader reads as a list.
Strings only: no Gradio. Its CSS is ``static/a11y.css``.
"""

from __future__ import annotations

import html
import re

# The network's words, in the order a digit meets them (the paper's section II-B, said simply).
TERMS = {
    "convolution": "a small grid of weights (5×5 here) slid over the picture; at each place it adds up the "
    "pixels under it, weighted, so the result lights up where its pattern (an edge, a stroke end) appears",
    "feature map": "the picture one detector makes: one number per place, saying how much its pattern is there",
    "subsampling": "halving a map's size by merging each 2×2 square into one value: the exact position matters "
    "less, so a digit drawn a little to the side still reads the same",
    "F6": "the last layer of 84 units before the answer; the paper draws its ideal outputs as 7×12 pictures",
    "RBF": "radial basis function: an output unit that measures a distance, how far F6's 84 values are from "
    "that digit's prototype; the nearest prototype is the answer",
    "prototype": "a fixed 7×12 drawing of each digit (figure 3 of the paper), what F6 should look like for that "
    "digit: chosen by hand, never learned",
}

# The training recipe's words (weights/<name>.json, "recipe"), for the "How it learned" tab.
RECIPE_TERMS = {
    "Adam": "the rule that nudges every weight after each batch of digits, with a step size of its own for "
    "each weight, larger where the weight's gradient has been steady",
    "one-cycle": "the step size first rises, then falls to almost nothing by the last epoch: big moves early, "
    "fine adjustments at the end",
    "EMA": "exponential moving average: the weights shipped are a running average of the weights over the "
    "last steps of training, steadier than the weights after any single step",
    "distortions": "each training digit is shown shifted, turned, stretched or wobbled a little (affine and "
    "elastic distortions), so the network sees many more ways of writing it than the 60,000 drawn",
    "Levenberg-Marquardt": "the paper's rule (appendix C): each weight's step is made smaller where the error "
    "curves sharply around it (its curvature, measured on 500 digits before each pass) and larger where it is flat",
    "batches": "the digits are shown a few at a time; the weights move once per group, by what the group asks",
    "mu": "μ, a small number added to every curvature, so that a weight on flat ground does not take a huge step",
}
# How each recipe word is found in a recipe (case aside), where not as a whole word.
FOUND = {"distortions": r"\bdistort", "batches": r"\bbatch", "mu": r"\bmu\b"}


def glossary_html(terms: dict[str, str] | None = None, summary: str = "Words used here") -> str:
    """``terms`` (by default :data:`TERMS`) as a closed ``<details class="glossary">``: each term, then
    what it means."""
    terms = TERMS if terms is None else terms
    rows = "".join(f"<dt>{html.escape(t)}</dt><dd>{html.escape(d)}</dd>" for t, d in terms.items())
    return f'<details class="glossary"><summary>{html.escape(summary)}</summary><dl>{rows}</dl></details>'


def recipe_terms(recipe: str) -> dict[str, str]:
    """The recipe words that ``recipe`` (a training log's "recipe") uses, with what they mean."""
    return {
        t: d for t, d in RECIPE_TERMS.items() if re.search(FOUND.get(t, rf"\b{re.escape(t)}\b"), recipe, re.IGNORECASE)
    }
