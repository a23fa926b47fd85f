"""Occlusion maps: which ink made the network choose its digit, as arrays.

Occlusion sensitivity (Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks",
2014) asks the network itself instead of reading its gradients: rub out a small square of the
drawing, read the digit again, and see how much each class score falls. A square whose erasure
lowers the score of "4" holds ink that speaks for 4; one whose erasure raises it holds ink that
speaks against 4. One square is centred on every pixel of the 28×28 field.

Erasing means setting to background (0, blank paper), so only ink can matter: a square with no ink
changes nothing and is skipped (only the squares that touch the ink are run, in one batch of a few
hundred 28×28 images: some tens of milliseconds for LeNet-5 on one CPU thread). Each square's fall
is shared among the ink it erased, in proportion to each pixel's ink; a pixel's value is the sum of
its shares. The map therefore lies on the strokes only (blank paper is exactly 0), and its total is
the total fall over all squares. LeNet-5 pads the field to 32×32 with blank paper, so its map over
the 32×32 input is the 28×28 map with a border of zeros.

Pure numpy and torch: the pictures of these maps are drawn by ``explorer/why.py``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

PATCH = 5  # px of the 28×28 field: about two pen widths (MNIST's pen is ~2 px), a fifth of a digit
INK_MIN = 0.05  # ink (0–1) below which a pixel counts as blank paper


@torch.no_grad()
def occlusion(model: torch.nn.Module, digit: np.ndarray, patch: int = PATCH) -> np.ndarray:
    """Occlusion map of every class score for one digit.

    ``digit``: float32 (28, 28) in [0, 1], ink = 1 (as :func:`lenet.preprocess.preprocess` gives).
    Returns float32 (10, S, S), S = ``model.input_size`` (32 for LeNet-5, 28 for LeNet-1): for class
    c and pixel p, p's share of the falls of score c (score units: minus the squared RBF distance
    for LeNet-5, a logit for LeNet-1) when each ``patch``-wide square covering p is erased.
    Positive: the ink there speaks for c; negative: against c; exactly 0 where there is no ink.
    """
    x = torch.from_numpy(np.ascontiguousarray(digit, dtype=np.float32))  # (28, 28)
    n, r = x.shape[-1], patch // 2
    ink = x.clamp(min=0.0)
    ink_in_square = F.avg_pool2d(ink[None, None], patch, stride=1, padding=r, count_include_pad=True)[0, 0]
    centres = (ink_in_square > 0).nonzero()  # (K, 2): the squares that erase some ink
    base = model(x[None, None])[0]  # (10,)
    per_ink = torch.zeros(10, n, n)  # each square's fall divided by the ink it erased
    if len(centres):
        rows = torch.arange(n)
        near_y = (rows[None, :] - centres[:, :1]).abs() <= r  # (K, 28): rows inside each square
        near_x = (rows[None, :] - centres[:, 1:]).abs() <= r  # (K, 28): columns inside each square
        covered = near_y[:, :, None] & near_x[:, None, :]  # (K, 28, 28)
        batch = x.expand(len(centres), n, n).masked_fill(covered, 0.0)  # each copy with one square erased
        fall = base[None] - model(batch[:, None])  # (K, 10)
        erased = ink_in_square[centres[:, 0], centres[:, 1]] * patch * patch  # (K,) ink in each square
        per_ink[:, centres[:, 0], centres[:, 1]] = (fall / erased[:, None]).T
    # Pixel p's share: its ink times the sum of per_ink over the squares covering it (a box sum).
    box = torch.ones(10, 1, patch, patch)
    maps = ink * F.conv2d(per_ink[None], box, padding=r, groups=10)[0]  # (10, 28, 28)
    pad = (model.input_size - n) // 2
    return F.pad(maps, (pad, pad, pad, pad)).numpy()


def contrast(maps: np.ndarray, answer: int, rival: int) -> np.ndarray:
    """Why ``answer`` rather than ``rival``: float32 (S, S), positive where erasing the ink would
    narrow the lead of ``answer`` over ``rival`` (maps from :func:`occlusion`)."""
    return (maps[answer] - maps[rival]).astype(np.float32)


def ink_share(saliency: np.ndarray, ink: np.ndarray) -> float:
    """The fraction (0–1) of the total |saliency| that lies on ink pixels (``ink`` > INK_MIN), for
    two same-shaped arrays; 0 when the map is empty."""
    mass = np.abs(saliency)
    total = float(mass.sum())
    return float(mass[np.asarray(ink) > INK_MIN].sum()) / total if total > 0 else 0.0
