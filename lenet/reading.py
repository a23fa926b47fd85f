"""One reading of one digit: the answer, how sure the network is, and every layer's activations.

Confidence. LeNet-5 is trained with the MAP criterion (section II-C, eq. 9): a cross-entropy over
the logits −y_i (y_i the squared distance of F6 to prototype i) plus one "rubbish" logit −j, so the
softmax of −y_i over the ten classes is its class posterior given that the input is a digit. But
those distances are tens of units apart, so that softmax reads "100 %" even when the network
hesitates. The page therefore shows softmax(scores / T), with the temperature T fitted on the
validation split (least negative log-likelihood; ``lenet.evaluate.fit_temperature``) and stored
with the weights. LeNet-1 ends in plain logits; the same calibration applies.

Doubt. The network is called unsure when the two best scores differ by less than ``unsure_gap``
(score units: minus squared RBF distance for LeNet-5, logits for LeNet-1). The shipped weights
carry a gap chosen on the validation split in their metadata (``lenet.checkpoint.read_info``); without it
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
    return float(gap) if isinstance(gap, (int, float)) and math.isfinite(gap) and gap >= 0 else FALLBACK_UNSURE_GAP


def temperature(name: str, weights_dir: Path | str = WEIGHTS_DIR) -> float:
    """The calibration temperature stored with the weights (fitted on the validation split by
    ``python -m lenet.train``), or 1 (the plain softmax)."""
    try:
        t = read_info(weights_path(name, weights_dir)).get("temperature")
    except Exception:  # the weights loaded already; unreadable metadata only costs the calibration
        t = None
    return float(t) if isinstance(t, (int, float)) and math.isfinite(t) and t > 0 else 1.0


def probabilities(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Class probabilities, float64 (10,) summing to 1: the softmax of scores (10,) / temperature."""
    s = np.asarray(scores, dtype=np.float64) / temperature
    e = np.exp(s - s.max())
    return e / e.sum()


@torch.no_grad()
def read_digit(
    model: torch.nn.Module, digit: np.ndarray, gap: float = FALLBACK_UNSURE_GAP, temperature: float = 1.0
) -> Reading:
    """Run ``model`` on one digit, float32 (28, 28) in [0, 1] with ink = 1 (see lenet.preprocess);
    ``gap`` is the doubt threshold, ``temperature`` the calibration of the probabilities."""
    x = torch.from_numpy(np.ascontiguousarray(digit, dtype=np.float32))[None, None]  # (1, 1, 28, 28)
    acts = {k: v[0].numpy() for k, v in model.forward_intermediates(x).items()}
    acts["input"] = acts["input"][0]  # (S, S)
    scores = acts["scores"]
    best, second = np.argsort(-scores, kind="stable")[:2]
    return Reading(
        model=model.name,
        digit=int(best),
        runner_up=int(second),
        probabilities=probabilities(scores, temperature),
        scores=scores,
        output=acts["Output"],
        unsure=bool(scores[best] - scores[second] < gap),
        acts=acts,
    )


def top_confidences(reading: Reading, k: int = 3) -> dict[str, float]:
    """The ``k`` most likely digits as {"7": 0.98, …}, best first: what a gr.Label shows."""
    order = np.argsort(-reading.scores, kind="stable")[:k]  # scores, not probabilities: these can tie at 0
    return {str(int(i)): float(reading.probabilities[i]) for i in order}
