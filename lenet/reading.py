"""One reading of one digit: the answer, how sure the network is, and every layer's activations.

Confidence. LeNet-5 is trained with the MAP criterion (section II-C, eq. 9): a cross-entropy over
the logits −y_i (y_i the squared distance of F6 to prototype i) plus one "rubbish" logit −j. Its
class posterior, given that the input is a digit at all, is therefore the softmax of −y_i over the
ten classes; that is what the page shows. (Keeping the rubbish logit would not give a confidence:
with j = 0.1 it outweighs every class whose distance exceeds 0.1, so a perfect match would read
"40 %".) LeNet-1 ends in plain logits, so its confidences are their softmax too.

Doubt. The network is called unsure when the two best scores differ by less than ``unsure_gap``
(score units: minus squared RBF distance for LeNet-5, logits for LeNet-1). The shipped weights
carry a gap chosen on the test set in their metadata (``lenet.checkpoint.read_info``); without it
we fall back to ln 4, i.e. "the runner-up is at least a quarter as likely as the answer" — both
networks' scores are log-probabilities up to a constant, so the fallback means the same for both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lenet.checkpoint import WEIGHTS_DIR, read_info, weights_path

FALLBACK_UNSURE_GAP = math.log(4.0)


@dataclass(frozen=True)
class Reading:
    """What one forward pass says about one 28×28 digit."""

    model: str  # "lenet5" or "lenet1"
    digit: int  # the answer: the best score (LeNet-5: the nearest prototype)
    runner_up: int  # the second-best class
    probabilities: np.ndarray  # float64 (10,), softmax of the scores, see the module docstring
    scores: np.ndarray  # float32 (10,), larger = more likely
    output: np.ndarray  # float32 (10,), LeNet-5: squared distances to the prototypes; LeNet-1: logits
    unsure: bool  # the two best scores are closer than the gap
    acts: dict[str, np.ndarray]  # per layer, one sample: "input" (S, S), "C1" (maps, H, W), …, "F6" (84,)


def unsure_gap(name: str, weights_dir: Path | str = WEIGHTS_DIR) -> float:
    """The doubt threshold stored with the weights of ``name``, or the documented fallback."""
    try:
        gap = read_info(weights_path(name, weights_dir)).get("unsure_gap")
    except Exception:  # the weights loaded already; unreadable metadata only costs the threshold
        gap = None
    return (
        float(gap)
        if isinstance(gap, (int, float)) and math.isfinite(gap) and gap >= 0
        else FALLBACK_UNSURE_GAP
    )


def probabilities(scores: np.ndarray) -> np.ndarray:
    """Class probabilities, float64 (10,) summing to 1: the softmax of the scores (10,)."""
    s = np.asarray(scores, dtype=np.float64)
    e = np.exp(s - s.max())
    return e / e.sum()


@torch.no_grad()
def read_digit(model: torch.nn.Module, digit: np.ndarray, gap: float = FALLBACK_UNSURE_GAP) -> Reading:
    """Run ``model`` on one digit, float32 (28, 28) in [0, 1] with ink = 1 (see lenet.preprocess)."""
    x = torch.from_numpy(np.ascontiguousarray(digit, dtype=np.float32))[None, None]  # (1, 1, 28, 28)
    acts = {k: v[0].numpy() for k, v in model.forward_intermediates(x).items()}
    acts["input"] = acts["input"][0]  # (S, S)
    scores = acts["scores"]
    best, second = np.argsort(-scores, kind="stable")[:2]
    return Reading(
        model=model.name,
        digit=int(best),
        runner_up=int(second),
        probabilities=probabilities(scores),
        scores=scores,
        output=acts["Output"],
        unsure=bool(scores[best] - scores[second] < gap),
        acts=acts,
    )


def top_confidences(reading: Reading, k: int = 3) -> dict[str, float]:
    """The ``k`` most likely digits as {"7": 0.98, …}, best first: what a gr.Label shows."""
    order = np.argsort(-reading.scores, kind="stable")[:k]  # scores, not probabilities: these can tie at 0
    return {str(int(i)): float(reading.probabilities[i]) for i in order}
