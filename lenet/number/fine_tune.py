"""What ``lenet5-pieces`` (train_pieces.py) and ``lenet5-sdnn`` (train_sdnn.py) share: LeNet-5
fine-tuned on MNIST's fit digits mixed with samples cut from written numbers (pieces of the
segmentation graph, or windows), where target 10 (``RUBBISH``) means "none of the digits"; and the
figures that say how the network tells the digits' samples from the others."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

import torch

from lenet.distort import Distortion, scaled
from lenet.train import Ours, Progress, Samples, passes

RUBBISH = 10  # the target that means "not one digit" (LeNet5.loss)


@torch.no_grad()
def energy_figures(model, x: torch.Tensor, t: torch.Tensor, one: str, other: str, unit: str,
                   below: float, below_name: str) -> dict:  # fmt: skip
    """On labelled samples (target ``RUBBISH``: not one digit): how many of each kind, how often a
    digit's sample is read right, the median of each kind's smallest energy, and the share of the
    others whose smallest energy is below ``below`` (what keeps them apart: Viterbi's or the decoder's
    constant). Keys: ``{one}_{unit}s``, ``{other}_{unit}s``, ``{one}_{unit}_error``,
    ``{one}_median_energy``, ``{other}_median_energy``, ``{other}_below_{below_name}``."""
    energy = torch.cat([model.forward_intermediates(x[i : i + 2000])["Output"] for i in range(0, len(x), 2000)])
    low, best = energy.min(dim=1)
    digit, rest = t < RUBBISH, t == RUBBISH
    return {
        f"{one}_{unit}s": int(digit.sum()),
        f"{other}_{unit}s": int(rest.sum()),
        f"{one}_{unit}_error": float((best[digit] != t[digit]).float().mean()),
        f"{one}_median_energy": float(low[digit].median()),
        f"{other}_median_energy": float(low[rest].median()),
        f"{other}_below_{below_name}": float((low[rest] < below).float().mean()),
    }


def fine_tune(base, digits: torch.Tensor, labels: torch.Tensor, cut: torch.Tensor, targets: torch.Tensor,
              args: argparse.Namespace, gen: torch.Generator, progress: Progress,
              figures: Callable[[torch.nn.Module], dict], log: Callable[..., None],
              desc: str) -> torch.nn.Module:  # fmt: skip
    """Train ``base`` (its MAP constant set to ``args.j``) on the fit ``digits``, distorted as in
    lenet5's recipe (strength ``args.distortion``), mixed with the ``cut`` samples as they were cut:
    ``args.epochs`` passes of Adam and a one-cycle schedule (a tenth of warm-up), an average of the
    weights kept. After each pass, ``figures`` of the kept network (on validation) go into
    ``progress.history`` and the log. Returns the kept network."""
    model = base.train()
    model.j = args.j
    is_digit = torch.cat([torch.ones(len(digits), dtype=torch.bool), torch.zeros(len(cut), dtype=torch.bool)])
    samples = Samples(torch.cat([digits, cut]), torch.cat([labels, targets]), scaled(Distortion(), args.distortion),
                      is_digit)  # fmt: skip
    steps = (len(samples) + args.batch_size - 1) // args.batch_size
    recipe = Ours(model, args.lr, args.ema, total_steps=args.epochs * steps, pct_start=0.1, first_step=0)
    for epoch, train_loss in passes(recipe, samples, args.epochs, args.batch_size, gen, progress, desc=desc,
                                    quiet=args.quiet):  # fmt: skip
        kept = recipe.kept.eval()
        kept.j = args.j
        row = {"epoch": epoch, "train_loss": train_loss, **figures(kept), "seconds": round(progress.seconds, 1)}
        progress.history.append(row)
        log(json.dumps(row))
    return recipe.kept.eval()
