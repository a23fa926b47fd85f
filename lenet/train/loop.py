"""The one training loop: passes over the samples in batches, for every recipe and network.

Each pass draws a fresh order of the samples from the run's own generator, lets the recipe prepare
(the paper's: its rate and curvature), and steps on every batch; it then hands the pass back to the
caller, which measures the kept network and appends the pass's row to the history. With ``keep``
(``--resume``) each pass's end is written there, and a run started again goes on from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch
from tqdm import tqdm

from lenet.train.samples import Samples


def seeded(seed: int, threads: int) -> torch.Generator:
    """Seed torch (the initial weights), set its threads, and return the run's own generator
    (the order of the samples and the distortions)."""
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    return torch.Generator().manual_seed(seed)


@torch.no_grad()
def error_rate(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    """Fraction of ``x`` whose highest score is not the label."""
    model.eval()
    wrong = sum((model(x[i : i + batch]).argmax(1) != y[i : i + batch]).sum().item() for i in range(0, len(x), batch))
    return wrong / len(x)


@dataclass
class Progress:
    """Where a run stands: its history (a row per pass) and its wall-clock time, the passes of an
    earlier process included (``--resume``)."""

    start: float = field(default_factory=time.time)
    history: list[dict] = field(default_factory=list)
    before: float = 0.0  # seconds spent by the processes before this one

    @property
    def seconds(self) -> float:
        return self.before + time.time() - self.start


def passes(recipe, samples: Samples, epochs: int, batch_size: int, gen: torch.Generator, progress: Progress,
           loss: Callable | None = None, keep: Path | None = None, desc: str = "", quiet: bool = False,
           ) -> Iterator[tuple[int, float]]:  # fmt: skip
    """Train ``recipe.model`` (``lenet/train/recipes.py``) on ``samples`` for passes 1 to ``epochs``,
    ``batch_size`` samples a step; yield each pass's number and mean training loss. The caller
    measures ``recipe.kept`` and appends the pass's row to ``progress.history`` before the next.

    ``loss(out, xb, yb)``: the loss of a batch (default: the network's own, ``model.loss``).
    ``keep``: a file that holds each pass's end (everything the next pass needs, in case this
    process stops); when it exists at the start, the run goes on from it."""
    model = recipe.model
    loss = loss or (lambda out, xb, yb: model.loss(out, yb))
    first = 1
    if keep is not None and keep.is_file():
        kept = torch.load(keep, weights_only=False)
        model.load_state_dict(kept["model"])
        recipe.load_state_dict(kept)
        gen.set_state(kept["gen"])
        torch.set_rng_state(kept["rng"])
        progress.history[:], progress.before = kept["history"], kept["seconds"]
        first = kept["epoch"] + 1
        print(f"resumed from {keep} after pass {kept['epoch']}", flush=True)
    steps = (len(samples) + batch_size - 1) // batch_size
    for epoch in range(first, epochs + 1):
        model.train()
        order = torch.randperm(len(samples), generator=gen)
        recipe.begin_pass(epoch, lambda n, order=order: samples.batch(order[:n], gen)[0])  # its first n samples
        total, seen = 0.0, 0
        bar = tqdm(range(steps), desc=f"{desc} epoch {epoch}/{epochs}", leave=False, disable=quiet)
        for step in bar:
            idx = order[step * batch_size : (step + 1) * batch_size]
            xb, yb = samples.batch(idx, gen)
            batch_loss = loss(model(xb), xb, yb)
            recipe.opt.zero_grad(set_to_none=True)
            recipe.step(batch_loss, len(idx))
            total += batch_loss.item() * len(idx)
            seen += len(idx)
            if step % 50 == 0:
                bar.set_postfix(loss=f"{total / seen:.4f}")
        yield epoch, total / seen
        if keep is not None:  # everything the next pass needs, should this process stop
            keep.parent.mkdir(parents=True, exist_ok=True)
            torch.save({"epoch": epoch, "model": model.state_dict(), **recipe.state_dict(), "gen": gen.get_state(),
                        "rng": torch.get_rng_state(), "history": progress.history, "seconds": progress.seconds},
                       keep.with_suffix(".tmp"))  # fmt: skip
            keep.with_suffix(".tmp").replace(keep)
