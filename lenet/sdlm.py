"""Stochastic diagonal Levenberg–Marquardt: the optimiser the paper trains LeNet-5 with.

LeCun, Bottou, Bengio and Haffner (1998), appendix C; LeCun, Bottou, Orr and Müller,
"Efficient BackProp" (1998), the section on the stochastic diagonal Levenberg–Marquardt method.

Every parameter w_k gets its own step size, set by the curvature of the loss along w_k:

    w_k ← w_k − η_k ∂E^p/∂w_k,        η_k = ε / (μ + h_kk)

- E^p is the loss of one training sample p (the paper updates after every sample);
- h_kk is an estimate of the average second derivative ∂²E^p/∂w_k², re-estimated on 500
  training samples before each pass (appendix C) — we take their plain mean, which is LeCun's
  running average h ← (1 − γ) h + γ ∂²E^p/∂w_k² with γ = 1/p over those samples;
- μ keeps the step finite where the curvature is tiny: the paper uses 0.02, we 0.5 (below);
- ε is the global rate of the paper's schedule (:func:`paper_rate`).

The second derivatives are back-propagated like the gradient, one layer at a time. Write
a_i = Σ_j w_ij x_j for a unit's weighted sum (bias = a weight from a constant input 1) and
x_i = f(a_i) for its state. With the Gauss–Newton approximation (drop the f'' terms, which
keeps every estimate ≥ 0) and ignoring the off-diagonal terms of the Hessian:

    ∂²E/∂a_i²  = f'(a_i)² ∂²E/∂x_i²
    ∂²E/∂x_j²  = Σ_i w_ij² ∂²E/∂a_i²
    ∂²E/∂w_k²  = Σ_{(i,j) ∈ V_k} x_j² ∂²E/∂a_i²        V_k: every connection that shares w_k

so a layer's curvature is its gradient computation with squared weights, squared inputs and
squared slopes: for a convolution, ``conv_transpose2d`` with the squared kernel and
``conv2d_weight`` on the squared inputs.

At the top. LeNet-5: the RBF unit of the correct class, y_D = Σ_j (x_j − w_Dj)², has
∂²y_D/∂x_j² = 2 for every F6 state x_j, whatever the class; we start from that. It is the
curvature of the maximum-likelihood term alone: the MAP criterion's second term (the log of
the sum over the classes and the rubbish class) is left out, which keeps h_kk positive and
independent of the label; it depends on the softmax over all ten distances instead.
LeNet-1 (a linear output with cross-entropy over logits z): the diagonal of the Gauss–Newton
matrix diag(p) − p pᵀ of softmax cross-entropy, ∂²E/∂z_i² = p_i (1 − p_i).

Two deviations, both measured (LeNet-5, seed 0, the first 6,000 training images; error on
1,000 other training images):
- Mini-batches. The paper steps after every sample: 1.2 million steps for 20 passes, about
  6 min a pass in PyTorch on one CPU core. We step after 8 samples on the *sum* of their
  gradients (``SDLM`` below), which is, to first order, 8 of the paper's steps.
- μ = 0.5 instead of 0.02. With the paper's μ and ε the network blows up within the first few
  samples, even with true per-sample steps (B = 1): the loss goes from 84 to about 240 and
  stays there (89% error), and it does so again when started from a half-trained network. Where
  h_kk ≪ μ (at the paper's small initial weights, every layer below F6) the step is capped at
  ε/μ = 0.025 per sample, while plain per-sample SGD on this loss already diverges at a rate of
  0.01 (it trains at 0.003). The diagonal estimate is low precisely there: it leaves out the
  cross terms between the hundreds of connections that share each convolution weight. Raising
  μ lowers only that cap; parameters whose h_kk ≫ μ (F6, the subsampling coefficients) keep
  the paper's rate ε/h_kk. Raising μ by a factor c is the same as scaling the loss by 1/c with
  the paper's μ. With 8-sample batches μ = 0.2 still diverged, μ = 0.5 trained (4.8% error after
  3 passes over the 6,000 images, 5.8% with μ = 1); batches of 16 need μ = 1 (ε·B/μ ≤ 0.008).
  At a ±2.4/√F initialisation (``lenet.model.sqrt_fan_in_``) μ = 0.02 trains the first pass
  (2.74% validation error) and diverges in the second: that pass saturates C5 (the mean square
  of its states reaches 2.8 of the ceiling A² = 2.94), so the re-estimate gives most of C5's
  weights h < μ and the cap ε/μ = 0.025 a sample again (issue 17; weights/candidates/ISSUE17.md).

The curvature's scale against the paper's (``python -m bench.curvature``; issue 17). The paper
says its first-pass rates ε/(μ + h) ran from about 7 × 10⁻⁵ to 0.016 (``PAPER_FIRST_PASS_RATES``),
so its h ran from about 0.011 to 7.1. Ours, at the paper's initialisation on 500 training images:
1.9 × 10⁻⁴ to 0.025 with μ = 0.02 (h from 4 × 10⁻⁹, C1, to 2.62 = 2 f'(0)², F6's biases; 98.6% of
the parameters have h < μ). The estimate is not mis-normalised: it is a per-sample mean, and on
C5 and F6 (unshared weights) it equals the exact Gauss–Newton diagonal from autograd Jacobians;
on the shared layers the exact diagonal (cross terms between a weight's connections kept) is
only 2.5–10× larger (C1 7×, S2 5×, C3 3×, S4 ~1–3×). No single factor on h gives the paper's
range: its smallest rate needs ×2.7, its largest ×3 × 10⁶. The F6 weights alone rule out the
paper's largest rate here: their h is 2 f'² E[x²] over C5's states, and at the paper's
initialisation E[x_C5²] is 1.5 × 10⁻⁶ to 0.01 (median 4.5 × 10⁻⁴), so h < 0.011 for most of
them whatever the lower layers do. At trained weights (the shipped ``lenet5-paper``) only 37%
of the parameters have h < 0.02. ``SDLM.rates`` gives the range; ``lenet.train`` logs it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.grad import conv2d_weight

from lenet.model import TANH_A, TANH_S, AveragePool, Conv, Full, PartialConv, Subsampling

PAPER_MU = 0.02  # appendix C; diverges here (module docstring)
MU = 0.5  # ours, for 8-sample batches: a cap ε·B/μ of 0.008 trained, 0.016 and 0.02 diverged
HESSIAN_SAMPLES = 500  # appendix C: "re-estimated on 500 samples before each pass"
# Section III / appendix C: the global rate ε per pass — (last pass, ε); 0.00001 after pass 12.
PAPER_SCHEDULE = ((2, 0.0005), (5, 0.0002), (8, 0.0001), (12, 0.00005))
FINAL_RATE = 0.00001
PAPER_EPOCHS = 20
# Section III: "the effective learning rates ... during the first pass varied between approximately
# 7 × 10⁻⁵ and 0.016 over the set of parameters" (ε = 0.0005, μ = 0.02): every h_kk ≥ about 0.011.
PAPER_FIRST_PASS_RATES = (7e-5, 0.016)


def paper_rate(epoch: int) -> float:
    """The global rate ε of pass ``epoch`` (1-based): 0.0005 for passes 1–2, 0.0002 for 3–5,
    0.0001 for 6–8, 0.00005 for 9–12, 0.00001 after."""
    for last, rate in PAPER_SCHEDULE:
        if epoch <= last:
            return rate
    return FINAL_RATE


def mu_at(schedule: list[tuple[int, float]], epoch: int) -> float:
    """μ of pass ``epoch`` from ``[(first pass, μ), ...]`` (sorted by pass, the first from pass 1)."""
    mu = schedule[0][1]
    for first, value in schedule:
        if epoch >= first:
            mu = value
    return mu


def parse_mu_schedule(text: str) -> list[tuple[int, float]]:
    """``"1:0.5,3:0.05"`` → ``[(1, 0.5), (3, 0.05)]``: μ = 0.5 from pass 1, 0.05 from pass 3."""
    out = []
    for part in text.split(","):
        first, _, mu = part.partition(":")
        out.append((int(first), float(mu)))
    if not out or out[0][0] != 1 or [f for f, _ in out] != sorted({f for f, _ in out}) or min(m for _, m in out) <= 0:
        raise ValueError(f"a μ schedule is PASS:MU,... from pass 1 on, passes increasing, μ > 0; got {text!r}")
    return out


def squash_slope(x: torch.Tensor) -> torch.Tensor:
    """f'(a) from the state x = f(a), f(a) = A tanh(S a): f'(a) = A S (1 − tanh²(S a)) = S (A − x²/A)."""
    return TANH_S * (TANH_A - x * x / TANH_A)


# Each function below takes a layer, its input states x (B, ...) and ∂²E/∂a² of its weighted
# sums h_a, and returns ({parameter name: ∂²E/∂w² summed over the batch}, ∂²E/∂x² of its input).


def full_curvature(layer: nn.Linear, x: torch.Tensor, h_a: torch.Tensor):
    """a_i = Σ_j w_ij x_j + b_i (F6; LeNet-1's output): one connection per weight."""
    x = x.flatten(1)  # (B, in)
    h_w = h_a.T @ x.square()  # (out, in): Σ_p x_j² h_a_i
    h_x = h_a @ layer.weight.square()  # (B, in): Σ_i w_ij² h_a_i
    return {"weight": h_w, "bias": h_a.sum(0)}, h_x


def _conv(x: torch.Tensor, h_a: torch.Tensor, kernel: torch.Tensor):
    """A stride-1 convolution with kernel (out, in, k, k): every weight is shared by all the
    output positions, so its curvature sums x_j² h_a_i over them (and over the batch)."""
    b, _, hgt, wid = x.shape
    k = kernel.shape[-1]
    h_a = h_a.reshape(b, kernel.shape[0], hgt - k + 1, wid - k + 1)  # C5's states come flattened
    h_w = conv2d_weight(x.square(), kernel.shape, h_a)  # (out, in, k, k)
    h_x = F.conv_transpose2d(h_a, kernel.square())  # (B, in, H, W)
    return h_w, h_a.sum((0, 2, 3)), h_x


def conv_curvature(layer: Conv, x: torch.Tensor, h_a: torch.Tensor):
    """C1, C5 (LeNet-1's C1, C3): a full 5×5 convolution."""
    h_w, h_b, h_x = _conv(x, h_a, layer.weight)
    return {"weight": h_w, "bias": h_b}, h_x


def partial_conv_curvature(layer: PartialConv, x: torch.Tensor, h_a: torch.Tensor):
    """C3 (Table I): the dense kernel is zero where there is no connection, so those entries
    pass nothing back; the 60 connected kernels are read out of the dense result."""
    h_dense, h_b, h_x = _conv(x, h_a, layer.dense_weight())
    return {"weight": h_dense[layer.out_idx, layer.in_idx], "bias": h_b}, h_x


def subsampling_curvature(layer: Subsampling, x: torch.Tensor, h_a: torch.Tensor):
    """S2, S4: a = c · (sum of a 2×2 block) + b. The four inputs of every block are connections
    that share c, and each input feeds exactly one output, through c."""
    block_sq = 4.0 * F.avg_pool2d(x.square(), 2)  # (B, maps, H/2, W/2): Σ_block x_j²
    h_c = (h_a * block_sq).sum((0, 2, 3))
    h_x = layer.coefficient.square()[:, None, None] * _expand(h_a)
    return {"coefficient": h_c, "bias": h_a.sum((0, 2, 3))}, h_x


def average_pool_curvature(layer: AveragePool, x: torch.Tensor, h_a: torch.Tensor):
    """LeNet-1's pooling: a = ¼ (sum of a 2×2 block), fixed weights ¼, nothing trainable."""
    return {}, _expand(h_a) / 16.0


def _expand(h: torch.Tensor) -> torch.Tensor:
    """Each output of a 2×2 block back onto its four inputs: (B, C, H, W) → (B, C, 2H, 2W)."""
    return h.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)


CURVATURE = (  # most specific first: Conv is an nn.Conv2d, Full an nn.Linear
    (PartialConv, partial_conv_curvature),
    (Subsampling, subsampling_curvature),
    (AveragePool, average_pool_curvature),
    (Conv, conv_curvature),
    (Full, full_curvature),
)

# From the top down: (layer, the activation it reads, whether f squashes its output); the keys
# are those of ``forward_intermediates`` in lenet/model.py.
CHAINS = {
    "lenet5": (
        ("F6", "C5", True),
        ("C5", "S4", True),
        ("S4", "C3", True),
        ("C3", "S2", True),
        ("S2", "C1", True),
        ("C1", "input", True),
    ),
    "lenet1": (
        ("Output", "S4", False),
        ("S4", "C3", False),
        ("C3", "S2", True),
        ("S2", "C1", False),
        ("C1", "input", True),
    ),
}


def layer_curvature(layer: nn.Module, x: torch.Tensor, h_a: torch.Tensor):
    for kind, fn in CURVATURE:
        if isinstance(layer, kind):
            return fn(layer, x, h_a)
    raise TypeError(f"no curvature rule for {type(layer).__name__}")


def backprop_curvature(
    stages: list[tuple[nn.Module, torch.Tensor, torch.Tensor, bool]], h_top: torch.Tensor
) -> dict[nn.Parameter, torch.Tensor]:
    """Back-propagate ∂²E/∂x² through ``stages`` = [(layer, its input, its output state,
    squashed?), ...] from the top down, starting from ``h_top`` = ∂²E/∂x² of the top stage's
    output. Returns ∂²E/∂w² per parameter, summed over the batch."""
    h, out = h_top, {}
    for layer, x_in, x_out, squashed in stages:
        h_a = squash_slope(x_out).square() * h if squashed else h
        h_params, h = layer_curvature(layer, x_in, h_a)
        h = h.reshape(x_in.shape)
        for name, value in h_params.items():
            out[getattr(layer, name)] = value
    return out


@torch.no_grad()
def diagonal_hessian(model: nn.Module, x: torch.Tensor) -> dict[nn.Parameter, torch.Tensor]:
    """h_kk for every parameter of a LeNet: the Gauss–Newton ∂²E^p/∂w_k², averaged over the
    images ``x`` (B, 1, 28, 28), keyed by the parameter itself (``h[model.c1.weight]``)."""
    acts = model.forward_intermediates(x)
    stages = [(getattr(model, name.lower()), acts[src], acts[name], sq) for name, src, sq in CHAINS[model.name]]
    if model.name == "lenet5":
        h_top = torch.full_like(acts["F6"], 2.0)  # ∂²y_D/∂x_j² of the correct class's RBF unit
    else:
        p = acts["Output"].softmax(1)
        h_top = p * (1 - p)  # diagonal Gauss–Newton of softmax cross-entropy over the logits
    summed = backprop_curvature(stages, h_top)
    return {p: summed[p] / len(x) for p in model.parameters()}


class SDLM(torch.optim.Optimizer):
    """w_k ← w_k − ε / (μ + h_kk) · g_k, g_k the gradient that ``backward()`` left in ``.grad``.

    ``lr`` is the global rate ε. Give it h_kk with :meth:`set_curvature` before the first step
    and before each pass (``opt.set_curvature(diagonal_hessian(model, x))``). The rates are per
    sample: for a mini-batch, back-propagate the *sum* of the per-sample losses, so that one
    step is, to first order, that many per-sample steps.
    """

    def __init__(self, params, lr: float = paper_rate(1), mu: float = PAPER_MU):
        super().__init__(params, {"lr": lr, "mu": mu})

    def set_curvature(self, h: dict[nn.Parameter, torch.Tensor]) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["h"] = h[p].detach().clone()

    @torch.no_grad()
    def rates(self, names: dict[nn.Parameter, str] | None = None) -> dict:
        """The per-parameter rates ε / (μ + h_kk) the next steps take: their ``min`` and ``max``, the
        ``cap`` ε / μ, and ``share_h_below_mu``, the share of parameters where h_kk < μ (their rate
        is within a factor 2 of the cap: μ, not the curvature, sets their step). The paper's first
        pass: 7 × 10⁻⁵ to 0.016 (``PAPER_FIRST_PASS_RATES``). With ``names`` ({parameter:
        "c1.weight", ...}) also per layer (the part of the name before the dot)."""
        group = self.param_groups[0]
        lr, mu = group["lr"], group["mu"]
        h = {p: self.state[p]["h"].flatten() for g in self.param_groups for p in g["params"]}

        def summary(hs: list[torch.Tensor]) -> dict:
            hh = torch.cat(hs)
            rate = lr / (mu + hh)
            return {"min": float(rate.min()), "max": float(rate.max()),
                    "share_h_below_mu": float((hh < mu).float().mean())}  # fmt: skip

        out = {**summary(list(h.values())), "cap": lr / mu, "lr": lr, "mu": mu}
        if names is not None:
            layers: dict[str, list[torch.Tensor]] = {}
            for p, v in h.items():
                layers.setdefault(names[p].split(".")[0], []).append(v)
            out["layers"] = {layer: summary(vs) for layer, vs in layers.items()}
        return out

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if "h" not in self.state[p]:
                    raise RuntimeError("SDLM needs set_curvature() before its first step")
                p.addcdiv_(p.grad, group["mu"] + self.state[p]["h"], value=-group["lr"])
