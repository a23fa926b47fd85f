"""How a network is trained, step by step: ours (Adam, one-cycle, EMA) and the paper's (SDLM).

A recipe owns the network's optimiser and what goes with it; the loop (``lenet/train/loop.py``)
asks it for four things: what to do before a pass (:meth:`begin_pass`), how to step on a batch's
mean loss (:meth:`step`), what a pass's row of the log ends with (:meth:`logged`), and its state
for ``--resume`` (:meth:`state_dict`, in the keys the resume files have always had). ``kept`` is
the network that is evaluated and shipped: the weight average for ours, the trained weights for
the paper's.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch
import torch.nn.functional as F

from lenet.model import SQRT_FAN_IN_INIT
from lenet.sdlm import HESSIAN_SAMPLES, SDLM, diagonal_hessian, mu_at, paper_rate

RECIPES = {
    "ours": "ours: Adam + one-cycle, affine + elastic distortions, EMA of weights",
    "paper": "the paper's: stochastic diagonal Levenberg-Marquardt (appendix C), curvature on 500 samples before "
    "each pass, the paper's 20-pass rate schedule, no weight averaging",
}


def recipe_words(info: dict) -> str:
    """The ``recipe`` a run's log records: :data:`RECIPES`' line, with the settings that depart
    from the paper as this run had them (the paper's recipe: steps, μ, initialisation; ours: a
    widened initialisation)."""
    if "mu" not in info and "mu_schedule" not in info:
        wide = info.get("init") == SQRT_FAN_IN_INIT
        return RECIPES["ours"] + ("; initial weights in ±2.4/√F (the paper: ±2.4/F)" if wide else "")
    batch = info["batch_size"]
    steps = "per-sample steps" if batch == 1 else f"summed {batch}-sample batches"
    schedule = info.get("mu_schedule")
    mu = f"mu {info['mu']}" if not schedule else "mu " + ", ".join(f"{m} from pass {p}" for p, m in schedule)
    init = "initial weights in ±2.4/√F" if info.get("init") == SQRT_FAN_IN_INIT else "initial weights in ±2.4/F"
    return f"{RECIPES['paper']}; {steps}, {mu}, {init} (the paper: per sample, mu 0.02, ±2.4/F)"


@torch.no_grad()
def update_average(average: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """Exponential moving average of the weights; the decay warms up so early steps count."""
    for a, p in zip(average.parameters(), model.parameters(), strict=True):
        a.lerp_(p, 1.0 - decay)


class Ours:
    """Adam with a one-cycle learning rate (``pct_start`` of the steps rising), and an exponential
    moving average of the weights (decay ``ema``, warmed up as min(ema, (1 + n) / (10 + n)) at
    step n), which is what is kept.

    ``first_step``: the n of the first step in that warm-up: 1 for ``lenet.train``, 0 for
    ``lenet.train_pieces``, each as its shipped weights were trained (so they stay reproducible)."""

    def __init__(self, model: torch.nn.Module, lr: float, ema: float, total_steps: int, pct_start: float,
                 first_step: int = 1) -> None:  # fmt: skip
        self.model, self.decay, self.first_step = model, ema, first_step
        self.kept = copy.deepcopy(model)
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.sched = torch.optim.lr_scheduler.OneCycleLR(
            self.opt, max_lr=lr, total_steps=total_steps, pct_start=pct_start
        )

    def begin_pass(self, epoch: int, probe: Callable[[int], torch.Tensor]) -> None:
        pass

    def step(self, loss: torch.Tensor, size: int) -> None:
        loss.backward()
        self.opt.step()
        self.sched.step()
        n = self.first_step + self.sched.last_epoch - 1  # the scheduler has counted this step
        update_average(self.kept, self.model, min(self.decay, (1 + n) / (10 + n)))

    def logged(self) -> dict:
        return {}

    def state_dict(self) -> dict:
        return {"opt": self.opt.state_dict(), "sched": self.sched.state_dict(), "ema": self.kept.state_dict(),
                "first_rates": None}  # fmt: skip

    def load_state_dict(self, state: dict) -> None:
        self.opt.load_state_dict(state["opt"])
        self.sched.load_state_dict(state["sched"])
        self.kept.load_state_dict(state["ema"])


class Paper:
    """Stochastic diagonal Levenberg–Marquardt (appendix C, ``lenet/sdlm.py``): before each pass the
    paper's global rate and the curvature on ``HESSIAN_SAMPLES`` samples; μ per pass from
    ``mu_schedule`` or ``mu`` throughout. No weight averaging: the trained weights are kept."""

    def __init__(self, model: torch.nn.Module, mu: float, mu_schedule: list | None = None) -> None:
        self.model = self.kept = model
        self.mu, self.mu_schedule = mu, mu_schedule
        self.opt = SDLM(model.parameters(), lr=paper_rate(1), mu=mu)
        self.names = {p: n for n, p in model.named_parameters()}
        self.rates, self.first_rates = None, None

    def begin_pass(self, epoch: int, probe: Callable[[int], torch.Tensor]) -> None:
        """The pass's global rate, and the curvature re-estimated on the first samples of its order."""
        self.opt.param_groups[0]["lr"] = paper_rate(epoch)
        self.opt.set_curvature(diagonal_hessian(self.model, probe(HESSIAN_SAMPLES)))
        self.opt.param_groups[0]["mu"] = mu_at(self.mu_schedule, epoch) if self.mu_schedule else self.mu
        self.rates = self.opt.rates(self.names if epoch == 1 else None)  # the paper reports its first pass's range
        if epoch == 1:
            self.first_rates = self.rates

    def step(self, loss: torch.Tensor, size: int) -> None:
        """SDLM's rates are per sample: step on the sum of the batch's ``size`` per-sample gradients."""
        (loss * size).backward()
        self.opt.step()

    def logged(self) -> dict:
        return {"mu": self.rates["mu"], "rates": {k: v for k, v in self.rates.items() if k != "layers"}}

    def state_dict(self) -> dict:
        return {"opt": self.opt.state_dict(), "sched": None, "ema": None, "first_rates": self.first_rates}

    def load_state_dict(self, state: dict) -> None:
        self.opt.load_state_dict(state["opt"])
        self.first_rates = state["first_rates"]


KD_TEMPERATURE = 2.0  # softens both distributions further than calibration (Hinton et al. 2015)


def distillation_loss(student: torch.Tensor, teacher: torch.Tensor, teacher_t: float) -> torch.Tensor:
    """KL divergence from the teacher's softened class probabilities to the student's.

    The teacher is LeNet-5, whose scores are minus squared distances: they are first divided by
    its calibration temperature (``lenet.evaluate.fit_temperature``) so that they are on the scale
    of log-probabilities, then both are softened by ``KD_TEMPERATURE``; the T² factor keeps the
    gradient's size independent of T."""
    t = KD_TEMPERATURE
    soft = torch.softmax(teacher / (teacher_t * t), dim=1)
    return F.kl_div(torch.log_softmax(student / t, dim=1), soft, reduction="batchmean") * t * t
