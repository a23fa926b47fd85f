"""Bending a digit: the six invariances the paper shows LeNet-5 keeping, applied on purpose.

Section III-C and the animations of LeNet-5 the authors published show the network still reading
a digit that is shifted, scaled, rotated, squeezed, drawn with a thinner or thicker pen, or
sprinkled with noise. Here each of them is one number (a :class:`Settings`), applied to a 28×28
digit (float32 in [0, 1], ink = 1) in this order:

1. the pen: ``thickness`` τ through :func:`lenet.distort.change_pen` (−1 a 3×3 erosion, +1 a 3×3
   dilation, +2 a 5×5 dilation, blends in between);
2. one affine map about the centre of the field (``grid_sample``, bilinear): scale s, squeeze q
   (the width times 1 − q, the height as it is), rotation θ (degrees, counter-clockwise as seen),
   then the shift (x right, y down, in pixels of the 28×28 field). A point p of the digit goes to
   ``c + R(θ)·diag(s(1 − q), s)·(p − c) + (shift_x, shift_y)``;
3. salt-and-pepper noise: a share ``noise`` of the pixels, set to ink or to paper. The pixels and
   their colour come from one fixed seed, and the share only decides how many of them flip, so the
   same settings give the same picture and more noise only adds to the noise already there.

Neutral settings (0, 0, 1, 0, 0, 0, 0) leave the digit exactly as it is (each step is skipped
where it would do nothing). :func:`sweep` moves one of the numbers across its range and reads
every setting in one batched forward pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np
import torch
import torch.nn.functional as F

from lenet.distort import change_pen

SIDE = 28  # the field the digits live in (lenet.preprocess)
NOISE_SEED = 1998  # the salt-and-pepper pixels: the same for every request and every process


@dataclass(frozen=True)
class Range:
    """One slider: its bounds, its neutral value, a step for the page and its meaning in words."""

    lo: float
    hi: float
    neutral: float
    step: float
    label: str


# The order of the API's inputs: shift_x, shift_y, scale, rotation, squeeze, thickness, noise.
RANGES = {
    "shift_x": Range(-10.0, 10.0, 0.0, 0.5, "Shift → (px)"),  # ±10 of 28 px keeps some ink in view
    "shift_y": Range(-10.0, 10.0, 0.0, 0.5, "Shift ↓ (px)"),
    "scale": Range(0.5, 2.0, 1.0, 0.05, "Scale (×)"),  # MNIST's 20-px box at 10 px … 40 px (cropped)
    "rotation": Range(-180.0, 180.0, 0.0, 5.0, "Rotation (°, ⟲)"),
    "squeeze": Range(-0.5, 0.5, 0.0, 0.05, "Squeeze (+ narrower)"),  # width × 0.5 … × 1.5
    "thickness": Range(-1.0, 2.0, 0.0, 0.1, "Pen (+ thicker)"),  # lenet.distort.change_pen's τ
    "noise": Range(0.0, 0.5, 0.0, 0.01, "Noise (share)"),  # half the pixels flipped is noise only
}
NAMES = tuple(RANGES)


class BadSettings(ValueError):
    """A setting that is not a number, or the name of a slider that does not exist; the message
    says what is wrong in words a student can act on."""


@dataclass(frozen=True)
class Settings:
    """One bending of a digit; the defaults are the neutral settings (the digit as it is)."""

    shift_x: float = 0.0  # pixels of the 28×28 field, + to the right
    shift_y: float = 0.0  # pixels, + down
    scale: float = 1.0  # factor, both axes
    rotation: float = 0.0  # degrees, + counter-clockwise as seen on the screen
    squeeze: float = 0.0  # the width times 1 − squeeze: + narrower, − wider
    thickness: float = 0.0  # pen τ: −1 thinner … +2 thicker (lenet.distort.change_pen)
    noise: float = 0.0  # share of pixels set at random to ink or paper

    def values(self) -> tuple[float, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))

    @property
    def neutral(self) -> bool:
        return self == Settings()


def settings(*values, **named) -> tuple[Settings, list[str]]:
    """Checked settings from numbers in the order of ``NAMES`` and/or by name. Missing ones are
    neutral; a value out of its range is clamped to it, and the returned notes say so ("rotation =
    400 is out of range (-180 … 180); 180 was used."). Raises
    :class:`BadSettings` for something that is not a finite number or an unknown name."""
    if len(values) > len(NAMES):
        raise BadSettings(f"At most {len(NAMES)} settings ({', '.join(NAMES)}); got {len(values)}.")
    given = dict(zip(NAMES, values, strict=False))
    for key, value in named.items():
        if key not in RANGES:
            raise BadSettings(f"There is no setting called {repr(key)[:40]}: the settings are {', '.join(NAMES)}.")
        given[key] = value
    checked, notes = {}, []
    for key, value in given.items():
        r = RANGES[key]
        if value is None:
            value = r.neutral
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise BadSettings(f"{key} must be a number; got {repr(value)[:40]}.")
        value = float(value)
        if not math.isfinite(value):
            raise BadSettings(f"{key} must be a finite number; got {value}.")
        clamped = min(max(value, r.lo), r.hi)
        if clamped != value:
            notes.append(f"{key} = {value:g} is out of range ({r.lo:g} … {r.hi:g}); {clamped:g} was used.")
        checked[key] = clamped
    return Settings(**checked), notes


def _noise_field() -> tuple[torch.Tensor, torch.Tensor]:
    """Per pixel: the share of noise from which it flips (uniform [0, 1)), and the colour it flips to."""
    g = torch.Generator().manual_seed(NOISE_SEED)
    return torch.rand(SIDE, SIDE, generator=g), (torch.rand(SIDE, SIDE, generator=g) < 0.5).float()


_FLIP_AT, _FLIP_TO = _noise_field()


def _theta(batch: list[Settings]) -> torch.Tensor:
    """(B, 2, 3): for ``affine_grid``, output coordinates → input coordinates, both normalised to
    [−1, 1] (so a pixel is 2 / 28 wide). The inverse of the forward map in the module docstring."""
    rows = []
    for s in batch:
        a = math.radians(s.rotation)
        # Screen y points down, so a counter-clockwise turn as seen is R(−θ) in (x, y_down) terms.
        cos, sin = math.cos(a), math.sin(a)
        rot = np.array([[cos, sin], [-sin, cos]])  # forward rotation
        forward = rot @ np.diag([s.scale * (1 - s.squeeze), s.scale])
        inverse = np.linalg.inv(forward)
        shift = np.array([s.shift_x, s.shift_y]) * 2 / SIDE
        rows.append(np.concatenate([inverse, (-inverse @ shift)[:, None]], axis=1))
    return torch.tensor(np.stack(rows), dtype=torch.float32)


def bend_batch(digits: torch.Tensor, batch: list[Settings]) -> torch.Tensor:
    """(B, 1, 28, 28) digits, ink = 1, and one :class:`Settings` each → the bent digits, same shape,
    float32 in [0, 1]. Rows whose step would do nothing keep their pixels exactly."""
    x = digits.float()
    b = x.shape[0]
    if len(batch) != b:
        raise ValueError(f"{b} digits but {len(batch)} settings")
    tau = torch.tensor([s.thickness for s in batch], dtype=torch.float32)
    if bool((tau != 0).any()):
        x = change_pen(x, tau).clamp(0, 1)
    moved = torch.tensor([(s.shift_x, s.shift_y, s.scale, s.rotation, s.squeeze) != (0, 0, 1, 0, 0) for s in batch])
    if bool(moved.any()):
        grid = F.affine_grid(_theta(batch), (b, 1, SIDE, SIDE), align_corners=False)
        sampled = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        x = torch.where(moved.view(b, 1, 1, 1), sampled.clamp(0, 1), x)
    share = torch.tensor([s.noise for s in batch], dtype=torch.float32).view(b, 1, 1, 1)
    if bool((share > 0).any()):
        x = torch.where(_FLIP_AT < share, _FLIP_TO.expand_as(x), x)
    return x


def bend(digit: np.ndarray, s: Settings = Settings()) -> np.ndarray:
    """One 28×28 digit (float32 in [0, 1], ink = 1) bent by ``s``: float32 (28, 28) in [0, 1]."""
    digit = np.asarray(digit, dtype=np.float32)
    if digit.shape != (SIDE, SIDE):
        raise ValueError(f"a digit is {SIDE}×{SIDE}; got {digit.shape}")
    if s.neutral:
        return digit.copy()
    return bend_batch(torch.from_numpy(digit)[None, None], [s])[0, 0].numpy()


@dataclass(frozen=True)
class Sweep:
    """One slider moved across its range, the others held, every setting read in one batch."""

    which: str  # the slider's name (a key of RANGES)
    values: np.ndarray  # float64 (n,), increasing; includes the slider's neutral value
    digits: np.ndarray  # float32 (n, 28, 28): the bent digits
    answers: np.ndarray  # int64 (n,): the network's answer per setting
    scores: np.ndarray  # float32 (n, 10): larger = more likely (LeNet-5: minus the RBF distances)
    outputs: np.ndarray  # float32 (n, 10): LeNet-5 the squared RBF distances, LeNet-1 its logits
    neutral: int  # index of the neutral value in ``values``
    band: tuple[float, float]  # the values around neutral between which the answer stays answers[neutral]

    @property
    def answer(self) -> int:
        """The answer at the slider's neutral value (the other sliders as they are)."""
        return int(self.answers[self.neutral])


def sweep_values(which: str, n: int = 41) -> np.ndarray:
    """``n`` settings across the slider's range, evenly spaced (scale: evenly in log scale) and
    always including its neutral value."""
    r = RANGES[which]
    if which == "scale":
        values = np.geomspace(r.lo, r.hi, n)
    else:
        values = np.linspace(r.lo, r.hi, n)
    return np.unique(np.append(values.round(9), r.neutral))


@torch.no_grad()
def sweep(net: torch.nn.Module, digit: np.ndarray, which: str, values=None, base: Settings = Settings()) -> Sweep:
    """Read ``digit`` bent by ``base`` with slider ``which`` set to each of ``values`` (default:
    :func:`sweep_values`; the neutral value is added when missing), all in ONE forward pass of
    ``net`` (a LeNet module, e.g. ``Network.net``)."""
    if which not in RANGES:
        raise BadSettings(f"There is no setting called {repr(which)[:40]}: the settings are {', '.join(NAMES)}.")
    r = RANGES[which]
    values = sweep_values(which) if values is None else np.asarray(values, dtype=np.float64)
    values = np.unique(np.append(np.clip(values, r.lo, r.hi), r.neutral))
    batch = [replace(base, **{which: float(v)}) for v in values]
    x = torch.from_numpy(np.ascontiguousarray(digit, dtype=np.float32))[None, None].expand(len(batch), 1, SIDE, SIDE)
    bent = bend_batch(x, batch)
    acts = net.forward_intermediates(bent)
    scores, outputs = acts["scores"].numpy(), acts["Output"].numpy()
    answers = np.argmax(scores, axis=1)  # ties: the lower digit, as lenet.reading's stable sort
    mid = int(np.searchsorted(values, r.neutral))
    lo = hi = mid
    while lo > 0 and answers[lo - 1] == answers[mid]:
        lo -= 1
    while hi < len(values) - 1 and answers[hi + 1] == answers[mid]:
        hi += 1
    band = (float(values[lo]), float(values[hi]))
    return Sweep(which, values, bent[:, 0].numpy(), answers, scores, outputs, mid, band)
