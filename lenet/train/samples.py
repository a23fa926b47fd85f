"""What a run trains on and is measured on: the split, and the samples of one pass.

The protocol (``lenet/data.py``): the weights are trained on the first 50,000 training images (the
fit split) and measured after each pass on the last 10,000 (the validation split); ``--all-60000``
trains on both and has nothing left to measure on. Training never reads the test set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from lenet.data import load_split
from lenet.distort import Distortion, distort

SMOKE = (2000, 1000)  # --smoke: the first 2,000 fit and 1,000 validation images


def split(data_dir: Path | str, all_60000: bool = False, smoke: bool = False, train_images: int | None = None):
    """``(x_train, y_train, x_val, y_val)``: the fit and validation splits, or (``all_60000``) all
    60,000 training images and ``None, None``; ``smoke`` keeps the first ``SMOKE`` of each and
    ``train_images`` the first N training images."""
    if all_60000:  # fit + validation: nothing left to measure or choose on
        x_train, y_train = load_split("train", data_dir)
        x_val = y_val = None
    else:
        x_train, y_train = load_split("fit", data_dir)
        x_val, y_val = load_split("validation", data_dir)
    if smoke:
        x_train, y_train = x_train[: SMOKE[0]], y_train[: SMOKE[0]]
        if x_val is not None:
            x_val, y_val = x_val[: SMOKE[1]], y_val[: SMOKE[1]]
    if train_images:
        x_train, y_train = x_train[:train_images], y_train[:train_images]
    return x_train, y_train, x_val, y_val


def distorted_copies(x: torch.Tensor, y: torch.Tensor, d: Distortion, copies: int, seed: int):
    """``copies`` distorted copies of every image of ``x`` (uint8, ink 255), made once, the same for
    the same seed (their own generator: a resumed run makes them again, identically); and their labels."""
    gen = torch.Generator().manual_seed(seed + 1)
    made = [(distort(x[i : i + 10_000], d, gen) * 255).round().clamp(0, 255).to(torch.uint8)
            for _ in range(copies) for i in range(0, len(x), 10_000)]  # fmt: skip
    return torch.cat(made), y.repeat(copies)


@dataclass
class Samples:
    """The samples one pass reads, in a fresh random order each pass: the images ``x`` (float,
    (N, 1, 28, 28)) with their targets ``y``, then any distorted copies made once (``copies``:
    uint8 images and their targets, the paper's protocol). ``distortion``: applied afresh to every
    batch, to the samples where ``distorted`` (bool, (N,)) is true, or to all when it is None."""

    x: torch.Tensor
    y: torch.Tensor
    distortion: Distortion | None = None
    distorted: torch.Tensor | None = None
    copies: tuple[torch.Tensor, torch.Tensor] | None = None

    def __len__(self) -> int:
        return len(self.x) + (0 if self.copies is None else len(self.copies[0]))

    def images(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The samples ``idx`` as they are: originals below len(x), copies above."""
        if self.copies is None:
            return self.x[idx], self.y[idx]
        x_copies, y_copies = self.copies
        n = len(self.x)
        own = idx < n
        xb = torch.empty(len(idx), *self.x.shape[1:])
        xb[own] = self.x[idx[own]]
        xb[~own] = x_copies[idx[~own] - n].float() / 255
        yb = torch.where(own, self.y[idx.clamp(max=n - 1)], y_copies[(idx - n).clamp(min=0)])
        return xb, yb

    def batch(self, idx: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """The samples ``idx`` as the network is trained on them: distorted where they should be."""
        xb, yb = self.images(idx)
        if self.distortion is None:
            return xb, yb
        if self.distorted is None:
            return distort(xb, self.distortion, gen), yb
        db = self.distorted[idx]
        if db.any():  # e.g. MNIST digits distorted, the segmenter's pieces as it cut them (lenet.train_pieces)
            xb[db] = distort(xb[db], self.distortion, gen)
        return xb, yb
