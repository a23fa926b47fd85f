"""LeNet-5 as LeCun, Bottou, Bengio and Haffner define it (Proc. IEEE 86(11), 1998), and LeNet-1.

Section II-B of the paper gives the architecture, appendix A the squashing function and the
initialisation, section II-C the loss. Each paper-specific piece is a small module below, next
to its formula. Layer names follow the paper (C1, S2, C3, S4, C5, F6); one forward pass returns
every layer's activations (:meth:`LeNet5.forward_intermediates`) so that nothing needs hooks.

Deliberate deviations from the paper, all outside the architecture:
- Inputs are MNIST's 28×28 field with ink = 1.0 and background = 0.0; the model pads it to
  32×32 and maps it to the paper's range (background −0.1, ink 1.175) itself.
- Training (``lenet/train/``) uses Adam, a one-cycle schedule and weight averaging by default;
  the paper's stochastic diagonal Levenberg–Marquardt is not the default recipe.
- The MAP constant j is not given in the paper; we use ``J_RUBBISH`` below.

LeNet-1 follows seed 004 (a 28×28 input, 4 maps 24×24, 2×2 average pooling, 12 maps 8×8, 2×2
average pooling, a fully connected layer to the 10 classes). It uses the same scaled tanh as
LeNet-5, so that every activation the app shows lives in the same range.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from lenet.prototypes import prototypes

# Appendix A: f(a) = A tanh(S a) with A = 1.7159 and S = 2/3, so that f(±1) = ±1.
TANH_A = 1.7159
TANH_S = 2.0 / 3.0

# Section II-A: background (white) is −0.1 and ink (black) is 1.175: mean ≈ 0, variance ≈ 1.
BACKGROUND, INK = -0.1, 1.175

# Section II-C: the constant j of the MAP criterion. The paper leaves its value open; a small j
# makes the loss close to pure regression onto the prototypes, a large one close to cross-entropy.
J_RUBBISH = 0.1

# Table I: the S2 maps (0–5) that each of the 16 C3 maps reads.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5), (0, 1, 2, 3, 4, 5),
)  # fmt: skip


def paper_init_(weight: torch.Tensor, bias: torch.Tensor | None, fan_in: int) -> None:
    """Appendix A: weights and biases uniform in (−2.4 / F, +2.4 / F), F the unit's fan-in."""
    bound = 2.4 / fan_in
    with torch.no_grad():
        weight.uniform_(-bound, bound)
        if bias is not None:
            bias.uniform_(-bound, bound)


class ScaledTanh(nn.Module):
    """The squashing function f(a) = 1.7159 · tanh(2/3 · a) (appendix A)."""

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled():
            return TANH_A * torch.tanh(TANH_S * a)
        y = a * TANH_S  # reading: the same operations in place, one buffer instead of three (a number's
        return y.tanh_().mul_(TANH_A)  # ~100 pieces in one batch: bit for bit the same, ~0.5 ms less)


class Conv(nn.Conv2d):
    """A full 5×5 convolution (C1, C5; LeNet-1's C1 and C3) with the paper's initialisation."""

    def __init__(self, in_maps: int, out_maps: int, kernel: int = 5):
        super().__init__(in_maps, out_maps, kernel)
        paper_init_(self.weight, self.bias, in_maps * kernel * kernel)

    def connections(self, out_hw: tuple[int, int]) -> int:
        """Each output unit is connected to its kernel's inputs and to its bias."""
        per_unit = self.in_channels * self.kernel_size[0] * self.kernel_size[1] + 1
        return self.out_channels * out_hw[0] * out_hw[1] * per_unit


class Subsampling(nn.Module):
    """S2 and S4: the four inputs of each 2×2 block are added, multiplied by a trainable
    coefficient, and a trainable bias is added — one coefficient and one bias per map
    (section II-B). The squashing function follows, outside this module."""

    def __init__(self, maps: int):
        super().__init__()
        self.coefficient = nn.Parameter(torch.empty(maps))
        self.bias = nn.Parameter(torch.empty(maps))
        paper_init_(self.coefficient, self.bias, fan_in=4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (B, maps, H/2, W/2): the four added in the order avg_pool2d adds them (the same sums,
        # bit for bit, as 4 × avg_pool2d), a quarter of its time on a CPU.
        block_sum = x[..., 0::2, 0::2] + x[..., 0::2, 1::2] + x[..., 1::2, 0::2] + x[..., 1::2, 1::2]
        return block_sum * self.coefficient[:, None, None] + self.bias[:, None, None]

    def connections(self, out_hw: tuple[int, int]) -> int:
        return self.coefficient.numel() * out_hw[0] * out_hw[1] * (4 + 1)


class PartialConv(nn.Module):
    """C3: a 5×5 convolution in which output map i reads only the input maps ``table[i]``
    (Table I). Only the 60 connected 5×5 kernels exist as parameters: an absent connection has
    no weight at all, so nothing that can never learn is counted as trainable."""

    def __init__(self, table: tuple[tuple[int, ...], ...], in_maps: int, kernel: int = 5):
        super().__init__()
        self.table, self.in_maps, self.kernel = table, in_maps, kernel
        out_idx = [o for o, ins in enumerate(table) for _ in ins]
        in_idx = [i for ins in table for i in ins]
        self.register_buffer("out_idx", torch.tensor(out_idx), persistent=False)
        self.register_buffer("in_idx", torch.tensor(in_idx), persistent=False)
        self.weight = nn.Parameter(torch.empty(len(in_idx), kernel, kernel))  # one per connection
        self.bias = nn.Parameter(torch.empty(len(table)))
        with torch.no_grad():  # each map's fan-in depends on how many S2 maps it reads
            for o, ins in enumerate(table):
                bound = 2.4 / (len(ins) * kernel * kernel)
                self.weight[self.out_idx == o] = torch.empty(len(ins), kernel, kernel).uniform_(-bound, bound)
                self.bias[o] = torch.empty(()).uniform_(-bound, bound)

    def dense_weight(self) -> torch.Tensor:
        """The equivalent full kernel (out, in, k, k), zero where Table I has no connection."""
        dense = self.weight.new_zeros(len(self.table), self.in_maps, self.kernel, self.kernel)
        return dense.index_put((self.out_idx, self.in_idx), self.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.dense_weight(), self.bias)

    def connections(self, out_hw: tuple[int, int]) -> int:
        return out_hw[0] * out_hw[1] * (self.weight.numel() + self.bias.numel())


class AveragePool(nn.Module):
    """LeNet-1's 2×2 average pooling: no trainable parameters and no squashing."""

    def __init__(self, maps: int):
        super().__init__()
        self.maps = maps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.avg_pool2d(x, 2)

    def connections(self, out_hw: tuple[int, int]) -> int:
        return self.maps * out_hw[0] * out_hw[1] * 4


class MaxPool(AveragePool):
    """The ``lenet5-maxpool`` variant's S2 and S4: the largest of each 2×2 block, no parameters and no
    squashing (the paper's subsampling layers average, scale, shift and squash, section II-B)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.max_pool2d(x, 2)


class Full(nn.Linear):
    """A fully connected layer (F6; LeNet-1's output) with the paper's initialisation."""

    def __init__(self, inputs: int, outputs: int):
        super().__init__(inputs, outputs)
        paper_init_(self.weight, self.bias, inputs)

    def connections(self, out_hw: tuple[int, int] = (1, 1)) -> int:
        return self.weight.numel() + self.bias.numel()


SQRT_FAN_IN_INIT = "uniform in (−2.4 / √F, +2.4 / √F), F the unit's fan-in (issue 17's curvature scale)"


def sqrt_fan_in_(model: nn.Module) -> nn.Module:
    """Widen a freshly built network's initialisation from ±2.4 / F to ±2.4 / √F, in place.

    Appendix A divides by the fan-in "so that the initial standard deviation of the weighted sums
    ... fall[s] within the normal operating region of the sigmoid"; with 2.4 / F those sums shrink
    layer by layer (E[x²] of the C5 states ~10⁻³), and SDLM's curvature estimates come out 3–4
    orders of magnitude below the paper's, so its μ = 0.02 diverges. With 2.4 / √F the states stay
    near unit scale and the estimates near the paper's (``python -m bench.curvature --sqrt-fan-in``).
    Each weight drawn in ±2.4 / F is multiplied by √F: the same draws, so a seed gives the same signs."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, Conv | Full):
                fan_in = m.weight[0].numel()
                m.weight.mul_(fan_in**0.5)
                m.bias.mul_(fan_in**0.5)
            elif isinstance(m, Subsampling):
                m.coefficient.mul_(2.0)  # fan-in 4
                m.bias.mul_(2.0)
            elif isinstance(m, PartialConv):
                for o, ins in enumerate(m.table):
                    widen = (len(ins) * m.kernel * m.kernel) ** 0.5
                    m.weight[m.out_idx == o] *= widen
                    m.bias[o] *= widen
    return model


class RBFOutput(nn.Module):
    """The output layer: y_i = Σ_j (x_j − w_ij)², one Euclidean RBF unit per class (eq. 7).
    The centres w_i are the fixed figure-3 bitmaps (a buffer, not a parameter)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("centres", torch.from_numpy(prototypes()))  # (10, 84)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x[:, None, :] - self.centres[None]).pow(2).sum(-1)  # (B, 10)

    def connections(self, out_hw: tuple[int, int] = (1, 1)) -> int:
        return self.centres.numel()


@dataclass(frozen=True)
class LayerInfo:
    """One row of the architecture table, computed from the model itself."""

    name: str
    maps: int
    size: tuple[int, int]
    kernel: str
    params: int
    connections: int


class _LeNet(nn.Module):
    """What both networks share: input preparation, the layer table and the prediction."""

    name = ""
    input_size = 28
    layer_names: tuple[str, ...] = ()

    def prepare(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 28, 28) ink in [0, 1] → (B, 1, S, S) in [−0.1, 1.175], S = ``input_size``."""
        pad = (self.input_size - x.shape[-1]) // 2
        if pad:
            x = F.pad(x, (pad, pad, pad, pad))
        return BACKGROUND + (INK - BACKGROUND) * x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores (B, 10): larger is more likely (for LeNet-5, minus the RBF distances)."""
        return self.forward_intermediates(x)["scores"]

    def forward_intermediates(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    @torch.no_grad()
    def layers(self) -> list[LayerInfo]:
        """Maps, size, kernel, trainable parameters and connections of every layer."""
        acts = self.forward_intermediates(torch.zeros(1, 1, 28, 28, device=self._device()))
        rows = []
        for name in self.layer_names:
            module = getattr(self, name.lower())
            a = acts[name][0]
            maps, size = (a.shape[0], tuple(a.shape[1:])) if a.dim() == 3 else (a.shape[0], (1, 1))
            if isinstance(module, (Conv, PartialConv)):
                kernel = "5×5"
            elif isinstance(module, (Subsampling, AveragePool)):
                kernel = "2×2"
            else:
                kernel = "—"
            params = sum(p.numel() for p in module.parameters() if p.requires_grad)
            rows.append(LayerInfo(name, maps, size, kernel, params, module.connections(size)))
        return rows

    def _device(self) -> torch.device:
        return next(self.parameters()).device


class LeNet5(_LeNet):
    """LeNet-5 (section II-B): 60,000 trainable parameters, 340,908 connections."""

    name = "lenet5"
    input_size = 32
    layer_names = ("C1", "S2", "C3", "S4", "C5", "F6", "Output")

    def __init__(self, *, output: str = "rbf", c3: str = "table", squash: str = "tanh", pooling: str = "trainable"):
        """The paper's network; the keywords change one of its choices each (the design-choice
        variants, :data:`VARIANTS`): ``output="softmax"`` (a trained 84→10 layer and cross-entropy
        instead of the fixed RBF prototypes and the MAP loss), ``c3="full"`` (every C3 map reads all
        six S2 maps, no Table I), ``squash="relu"`` (max(0, a) instead of the scaled tanh) and
        ``pooling="max"`` (2×2 max pooling instead of the trainable subsampling)."""
        super().__init__()
        self.act = ScaledTanh() if squash == "tanh" else nn.ReLU()
        pool = Subsampling if pooling == "trainable" else MaxPool
        self.c1 = Conv(1, 6)  # 6 maps 28×28, 5×5: 156 params, 122,304 connections
        self.s2 = pool(6)  # 6 maps 14×14, 2×2: 12 params, 5,880 connections
        # 16 maps 10×10, 5×5 on the S2 maps of Table I: 1,516 params, 151,600 connections
        self.c3 = PartialConv(C3_TABLE, 6) if c3 == "table" else Conv(6, 16)
        self.s4 = pool(16)  # 16 maps 5×5, 2×2: 32 params, 2,000 connections
        self.c5 = Conv(16, 120)  # 120 maps 1×1, 5×5 on all 16 maps: 48,120 / 48,120
        self.f6 = Full(120, 84)  # 84 units: 10,164 params and connections
        self.rbf = output == "rbf"
        self.output = RBFOutput() if self.rbf else Full(84, 10)  # 10 RBF units: 0 params (fixed), 840 connections
        self.j = J_RUBBISH  # the MAP constant: a training choice (``--j``), not a weight

    def pooled(self, pool: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """S2 and S4: the paper's subsampling is squashed; max pooling (a variant) is not."""
        return self.act(pool(x)) if isinstance(pool, Subsampling) else pool(x)

    def forward_intermediates(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every stage for a batch of 28×28 images (B, 1, 28, 28), ink in [0, 1]."""
        acts = {"input": self.prepare(x)}  # (B, 1, 32, 32)
        acts["C1"] = self.act(self.c1(acts["input"]))  # (B, 6, 28, 28)
        acts["S2"] = self.pooled(self.s2, acts["C1"])  # (B, 6, 14, 14)
        acts["C3"] = self.act(self.c3(acts["S2"]))  # (B, 16, 10, 10)
        acts["S4"] = self.pooled(self.s4, acts["C3"])  # (B, 16, 5, 5)
        acts["C5"] = self.act(self.c5(acts["S4"])).flatten(1)  # (B, 120)
        acts["F6"] = self.act(self.f6(acts["C5"]))  # (B, 84)
        acts["Output"] = self.output(acts["F6"])  # (B, 10) squared distances to the prototypes (softmax: logits)
        acts["scores"] = -acts["Output"] if self.rbf else acts["Output"]
        return acts

    def loss(self, scores: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The MAP criterion of section II-C, eq. 9, averaged over the batch:
        E = y_D + log(e^{−j} + Σ_i e^{−y_i}), i.e. cross-entropy over the logits −y_i with one
        extra "rubbish" logit −j. (The softmax variant: plain cross-entropy over its scores.)"""
        if not self.rbf:
            return F.cross_entropy(scores, target)
        rubbish = scores.new_full((scores.shape[0], 1), -self.j)
        return F.cross_entropy(torch.cat([scores, rubbish], dim=1), target)


class LeNet1(_LeNet):
    """LeNet-1 as seed 004 gives it: 3,246 trainable parameters."""

    name = "lenet1"
    input_size = 28
    layer_names = ("C1", "S2", "C3", "S4", "Output")

    def __init__(self):
        super().__init__()
        self.act = ScaledTanh()
        self.c1 = Conv(1, 4)  # 4 maps 24×24, 5×5
        self.c3 = Conv(4, 12)  # 12 maps 8×8, 5×5 on all 4 maps
        self.s2 = AveragePool(4)  # 4 maps 12×12, 2×2 average, no parameters
        self.s4 = AveragePool(12)  # 12 maps 4×4
        self.output = Full(12 * 4 * 4, 10)  # 10 class scores

    def forward_intermediates(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        acts = {"input": self.prepare(x)}  # (B, 1, 28, 28)
        acts["C1"] = self.act(self.c1(acts["input"]))  # (B, 4, 24, 24)
        acts["S2"] = self.s2(acts["C1"])  # (B, 4, 12, 12)
        acts["C3"] = self.act(self.c3(acts["S2"]))  # (B, 12, 8, 8)
        acts["S4"] = self.s4(acts["C3"])  # (B, 12, 4, 4)
        acts["Output"] = self.output(acts["S4"].flatten(1))  # (B, 10) logits
        acts["scores"] = acts["Output"]
        return acts

    def loss(self, scores: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Cross-entropy over the ten class scores."""
        return F.cross_entropy(scores, target)


@dataclass(frozen=True)
class Variant:
    """LeNet-5 with one of the paper's choices changed and nothing else (the "Design choices" view):
    ``changes`` are :class:`LeNet5`'s keywords; ``train_images`` limits the training set instead."""

    choice: str  # the paper's choice it undoes, in a few words
    instead: str  # what the variant does instead
    changes: dict = field(default_factory=dict)
    train_images: int | None = None


VARIANTS: dict[str, Variant] = {
    "lenet5-softmax": Variant("RBF output units on fixed prototypes, the MAP loss",
                              "a trained 84→10 layer, softmax and cross-entropy", {"output": "softmax"}),
    "lenet5-fullc3": Variant("C3 reads the S2 maps of Table I only", "every C3 map reads all six S2 maps",
                             {"c3": "full"}),
    "lenet5-relu": Variant("the scaled tanh 1.7159·tanh(2a/3)", "ReLU, max(0, a)", {"squash": "relu"}),
    "lenet5-maxpool": Variant("trainable subsampling (average × coefficient + bias, squashed)",
                              "2×2 max pooling, nothing trained", {"pooling": "max"}),
    "lenet5-6k": Variant("all the training images", "the first 6,000 of them", train_images=6000),
}  # fmt: skip

MODELS: dict[str, type[_LeNet]] = {"lenet5": LeNet5, "lenet1": LeNet1}


def build_model(name: str) -> _LeNet:
    """A freshly initialised network by name: ``"lenet5"``, ``"lenet1"`` or a variant of LeNet-5
    (:data:`VARIANTS`, named after it)."""
    if name in VARIANTS:
        model = LeNet5(**VARIANTS[name].changes)
        model.name = name  # what its weights file records and is checked against
        return model
    try:
        return MODELS[name]()
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join([*MODELS, *VARIANTS])}") from None


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
