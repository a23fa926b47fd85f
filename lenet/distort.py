"""Random distortions of training digits, batched on the tensor (no per-image Python loop).

Section III-C of the paper: "random planar affine transformations (translation, scaling,
squeezing, shearing)". We add smooth elastic distortions in the spirit of Simard, Steinkraus and
Platt (ICDAR 2003), which measurably help convolutional networks on MNIST. Both are one ``grid_sample``.

Two deviations from the paper's list, both for the app's sake: small rotations (the paper's
affine list has none; a rotation is two shears and a squeeze, so they add little that is new), and
the pen: people draw with any pen on any size of digit, from a hairline to a blob, while MNIST's
writers held pens in proportion to their digits. So the stroke is thinned or thickened at random
(a grey-level erosion or dilation, blended by a random amount) before the affine transformation.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Distortion:
    """Ranges of the random transformation (uniform draws, in pixels of the 28×28 field)."""

    shift: float = 2.0  # translation, pixels, each axis
    scale: float = 0.12  # overall scaling, ± fraction
    squeeze: float = 0.12  # x against y scaling, ± fraction
    shear: float = 0.25  # ± shear factor
    rotate: float = 10.0  # ± degrees (a rotation is two shears and a squeeze)
    elastic: float = 3.0  # amplitude of the smooth displacement field, pixels (std ≈ 0.47 × this)
    elastic_grid: int = 4  # control points per side; 4 on 28×28 ≈ the smoothness of Simard's σ = 4
    elastic_p: float = 0.5  # fraction of the images that also get the elastic field
    # Pen width: a draw τ in (−thin, +thick); τ < 0 blends the image towards its 3×3 erosion (a
    # pen up to ~2 px thinner), 0 < τ ≤ 1 towards its 3×3 dilation (~2 px thicker), 1 < τ ≤ 2 on to
    # its 5×5 dilation (~4 px thicker: twice to three times MNIST's median pen of 1.9 px).
    thin: float = 0.6
    thick: float = 1.6
    pen_p: float = 0.5  # fraction of the images whose pen is changed


# The paper's list (section III-C): translation, scaling, squeezing, shearing; no rotation,
# no elastic field, the pen as it is.
PAPER_DISTORTION = Distortion(rotate=0.0, elastic=0.0, thin=0.0, thick=0.0)


def scaled(d: Distortion, strength: float) -> Distortion:
    """The same distortion with the affine and elastic ranges multiplied by ``strength`` (0 = none
    of them); the pen's range stays as it is."""
    return Distortion(
        shift=d.shift * strength, scale=d.scale * strength, squeeze=d.squeeze * strength, shear=d.shear * strength,
        rotate=d.rotate * strength, elastic=d.elastic * strength, elastic_grid=d.elastic_grid, elastic_p=d.elastic_p,
        thin=d.thin, thick=d.thick, pen_p=d.pen_p,
    )  # fmt: skip


def _dilate(x: torch.Tensor) -> torch.Tensor:
    return F.max_pool2d(x, 3, stride=1, padding=1)


def _erode(x: torch.Tensor) -> torch.Tensor:
    return -F.max_pool2d(-x, 3, stride=1, padding=1)


def change_pen(x: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
    """Thin (τ < 0) or thicken (τ > 0) the strokes of a batch (B, 1, H, W), ink = 1, by a blend
    between grey-level morphology steps: τ = −1 is the 3×3 erosion, 1 the 3×3 dilation, 2 the
    5×5 dilation (two 3×3 steps); τ = 0 leaves the image as it is. ``tau``: (B,)."""
    tau = tau.view(-1, 1, 1, 1).to(x.dtype)
    once = _dilate(x)
    twice = _dilate(once)
    thinner = x + (-tau).clamp(0, 1) * (_erode(x) - x)
    thicker = x + tau.clamp(0, 1) * (once - x) + (tau - 1).clamp(0, 1) * (twice - once)
    return torch.where(tau < 0, thinner, thicker)


def distort(x: torch.Tensor, d: Distortion, generator: torch.Generator | None = None) -> torch.Tensor:
    """Distort a batch (B, 1, H, W) of images with ink = 1, background = 0; same shape out."""
    b, _, h, w = x.shape
    dev = x.device

    def u(n: int = b) -> torch.Tensor:  # uniform in (−1, 1)
        return torch.rand(n, generator=generator, device=dev) * 2 - 1

    if d.pen_p > 0 and (d.thin > 0 or d.thick > 0):
        r = torch.rand(b, generator=generator, device=dev)
        tau = -d.thin + (d.thin + d.thick) * r
        on = torch.rand(b, generator=generator, device=dev) < d.pen_p
        x = change_pen(x, torch.where(on, tau, torch.zeros_like(tau)))

    s = 1 + d.scale * u()
    q = 1 + d.squeeze * u()
    sx, sy = s * q, s / q
    sh = d.shear * u()
    a = torch.deg2rad(d.rotate * u())
    cos, sin = torch.cos(a), torch.sin(a)
    # theta maps output coordinates to input coordinates (normalised to [−1, 1]).
    theta = torch.zeros(b, 2, 3, device=dev)
    theta[:, 0, 0] = cos / sx
    theta[:, 0, 1] = (-sin + sh) / sx
    theta[:, 1, 0] = sin / sy
    theta[:, 1, 1] = cos / sy
    theta[:, 0, 2] = d.shift * u() * 2 / w
    theta[:, 1, 2] = d.shift * u() * 2 / h
    grid = F.affine_grid(theta, (b, 1, h, w), align_corners=False)  # (B, H, W, 2)

    if d.elastic > 0 and d.elastic_p > 0:
        # Simard et al. smooth a per-pixel random field with a Gaussian (σ = 4, α = 34 gives a
        # displacement of std ≈ 1.4 px); random displacements at a coarse grid of control points,
        # interpolated bicubically, give the same smoothness and size at a fraction of the cost.
        n = d.elastic_grid
        coarse = torch.rand(b, 2, n, n, generator=generator, device=dev) * 2 - 1
        field = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=True)
        on = (torch.rand(b, generator=generator, device=dev) < d.elastic_p).float().view(b, 1, 1, 1)
        scale = torch.tensor([2 / w, 2 / h], device=dev).view(1, 2, 1, 1)
        grid = grid + (field * d.elastic * scale * on).permute(0, 2, 3, 1)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
