"""Follow one unit: where it looks on the input, what it reads, its weights, and the arithmetic of
its value — for any unit of LeNet-5 (C1 … F6 and the ten RBF outputs) and of LeNet-1.

A unit is addressed by a string, ``"C3:5:4:7"`` (layer : map : row : column) for a unit of a
feature map, ``"C5:17"`` (layer : unit) for C5, F6 and the output; :func:`parse` reads it.

The receptive field is computed from the layer arithmetic alone (section II-B): a k×k convolution
of stride 1 widens a span [a, b] of its output to [a, b + k − 1] of its input, a 2×2 subsampling of
stride 2 to [2a, 2b + 1]. Chained down to the input field this gives 5×5 for C1, 6×6 for S2, 14×14
for C3 (a unit at (y, x) covers rows 2y … 2y + 13), 16×16 for S4 and the whole 32×32 field for C5
and everything above it.

The arithmetic is recomputed in float64 from the model's own weights and the activations of one
reading (:class:`lenet.reading.Reading`), the way the paper writes it:
- a convolution unit (C1, C3, C5): a = Σ w·x over its kernels + b, then f(a) = 1.7159 tanh(2/3 · a)
  (appendix A); C3 reads only the S2 maps of Table I;
- a subsampling unit (S2, S4): a = coefficient · (sum of its 2×2 block) + b, then f(a);
- F6: a = Σ w·x over the 120 C5 units + b, then f(a);
- an output unit of LeNet-5: y = Σ (f6_j − w_j)², the squared distance to its fixed prototype (eq. 7);
- LeNet-1: its pooling is the plain average of the 2×2 block (no weights, no squashing), its output
  unit Σ w·x + b over the 192 S4 units, a score with no squashing.
The value found equals the model's own activation (``tests/lenet/test_units.py`` checks it for every
layer). Pure numpy: nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lenet.model import TANH_A, TANH_S, AveragePool, Conv, LeNet5, PartialConv, Subsampling, _LeNet


class BadUnit(ValueError):
    """A unit string that names no unit of this network; the message says what would."""


@dataclass(frozen=True)
class Unit:
    """The address of one unit: its layer ("C3"), its map (or unit) index, and for a feature map
    its row and column in that map."""

    layer: str
    map: int
    y: int = 0
    x: int = 0

    def __str__(self) -> str:
        """The string :func:`parse` reads back: "C3:5:4:7", or "C5:17" outside the maps."""
        return f"{self.layer}:{self.map}:{self.y}:{self.x}" if self.layer in MAP_LAYERS else f"{self.layer}:{self.map}"


MAP_LAYERS = ("C1", "S2", "C3", "S4")  # the layers whose units sit in 2-D maps (both networks)


@lru_cache(maxsize=16)
def shapes(net: _LeNet) -> dict[str, tuple[int, ...]]:
    """Per layer, the shape of one sample's activations: (maps, H, W) or (units,). Cached per
    network: it runs one forward pass."""
    return {info.name: (info.maps, *info.size) if info.name in MAP_LAYERS else (info.maps,) for info in net.layers()}


def parse(text: str, net: _LeNet) -> Unit:
    """``"C3:5:4:7"`` or ``"C5:17"`` (spaces and case forgiven) → a :class:`Unit` of ``net``.
    Raises :class:`BadUnit` with a message that says what a unit of this network looks like."""
    if not isinstance(text, str) or len(text) > 40:
        raise BadUnit(
            "A unit is written layer:map:row:column, like C3:5:4:7 (or C5:17 for a unit of C5, F6 or the output)."
        )
    parts = [p.strip() for p in text.strip().split(":")]
    layers = shapes(net)
    name = next((n for n in layers if n.lower() == parts[0].lower()), None)
    if name is None:
        raise BadUnit(f"{net_title(net)} has no layer {parts[0][:12]!r}: choose one of {', '.join(layers)}.")
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError:
        raise BadUnit(f"{text[:40]!r}: the map, row and column are whole numbers, like C3:5:4:7.") from None
    shape = layers[name]
    if name in MAP_LAYERS:
        if len(numbers) != 3:
            raise BadUnit(f"A unit of {name} is written {name}:map:row:column, like {name}:0:2:3.")
        for value, size, what in zip(numbers, shape, ("map", "row", "column"), strict=True):
            if not 0 <= value < size:
                raise BadUnit(f"{name} has {size} {what}s (0 to {size - 1}); {value} is not one of them.")
        return Unit(name, *numbers)
    if len(numbers) == 3 and numbers[1:] == [0, 0]:  # "C5:17:0:0": a 1×1 map
        numbers = numbers[:1]
    if len(numbers) != 1:
        raise BadUnit(f"A unit of {name} is written {name}:unit, like {name}:3.")
    if not 0 <= numbers[0] < shape[0]:
        raise BadUnit(f"{name} has {shape[0]} units (0 to {shape[0] - 1}); {numbers[0]} is not one of them.")
    return Unit(name, numbers[0])


def net_title(net: _LeNet) -> str:
    return "LeNet-5" if isinstance(net, LeNet5) else "LeNet-1"


# --- the receptive field -------------------------------------------------------------------------


def geometry(net: _LeNet) -> list[tuple[str, int, int]]:
    """(layer, kernel, stride) of every layer that keeps a 2-D layout, from the input up, read off
    the modules themselves: a convolution is k×k of stride 1, a subsampling 2×2 of stride 2. LeNet-5's
    C5 is a 5×5 convolution whose output is 1×1; layers above it are fully connected."""
    steps = []
    for name in net.layer_names:
        module = getattr(net, name.lower())
        if isinstance(module, Conv):
            steps.append((name, module.kernel_size[0], module.stride[0]))
        elif isinstance(module, PartialConv):
            steps.append((name, module.kernel, 1))
        elif isinstance(module, (Subsampling, AveragePool)):
            steps.append((name, 2, 2))
        else:
            break
    return steps


@dataclass(frozen=True)
class Field:
    """A box on the input field: rows top … top + height − 1, columns left … left + width − 1."""

    top: int
    left: int
    height: int
    width: int


def receptive_field(net: _LeNet, unit: Unit) -> Field:
    """The part of the input field (``net.input_size`` square) that ``unit`` depends on."""
    steps = geometry(net)
    names = [s[0] for s in steps]
    if unit.layer not in names:  # fully connected (F6, the outputs): everything below, the whole field
        return Field(0, 0, net.input_size, net.input_size)
    y0, y1, x0, x1 = unit.y, unit.y, unit.x, unit.x
    for _, k, s in reversed(steps[: names.index(unit.layer) + 1]):
        y0, y1, x0, x1 = y0 * s, y1 * s + k - 1, x0 * s, x1 * s + k - 1
    return Field(y0, x0, y1 - y0 + 1, x1 - x0 + 1)


# --- the arithmetic ------------------------------------------------------------------------------


def squash(a: float) -> float:
    """f(a) = 1.7159 · tanh(2/3 · a), appendix A."""
    return TANH_A * float(np.tanh(TANH_S * a))


@dataclass(frozen=True)
class Explanation:
    """One unit of one reading, with everything needed to say how its value came about."""

    unit: Unit
    kind: str  # "convolution", "subsampling", "average", "full", "rbf" or "score"
    field: Field  # its receptive field on the input
    below: str  # the layer it reads: "input", "C1", …, "F6"
    reads: tuple[int, ...]  # the maps (or units) of ``below`` it reads; C3: its column of Table I
    of: int  # how many maps (or units) ``below`` has
    inputs: np.ndarray  # float64, what it reads: (len(reads), k, k) windows, or (n,) units
    weighted_sum: float  # Σ w·x; subsampling: coefficient × block sum; average: the mean; rbf: Σ(x − w)²
    pre: float  # the value before squashing: weighted_sum + bias
    value: float  # after squashing where the layer squashes, else pre: what the network view shows
    squashed: bool = True  # whether f was applied
    weights: np.ndarray | None = None  # float64, same shape as inputs (kernels, a weight row, a prototype)
    bias: float = 0.0  # 0 where the unit has none (average, rbf)
    block_sum: float | None = None  # subsampling and average: the sum of the 2×2 block
    coefficient: float | None = None  # subsampling: its map's trainable coefficient
    window: tuple[int, int, int, int] | None = None  # (top, left, height, width) it reads in each map of ``below``


def _np(t) -> np.ndarray:
    return t.detach().cpu().numpy().astype(np.float64)


def _f(t) -> float:
    return float(t.detach())


def explain(net: _LeNet, acts: dict[str, np.ndarray], unit: Unit) -> Explanation:
    """The arithmetic of ``unit`` for one reading's activations ``acts`` (``Reading.acts``: one
    sample, "input" (S, S), "C1" (maps, H, W), …)."""
    order = ["input", *net.layer_names]
    below = order[order.index(unit.layer) - 1]
    x = np.asarray(acts[below], dtype=np.float64)
    if below == "input":
        x = x[None]  # (1, S, S): one map
    module = getattr(net, unit.layer.lower())
    m, y, xx = unit.map, unit.y, unit.x
    base = {"unit": unit, "field": receptive_field(net, unit), "below": below, "of": x.shape[0]}

    if isinstance(module, (Conv, PartialConv)):
        if isinstance(module, PartialConv):  # C3: only its column of Table I
            reads, k = tuple(module.table[m]), module.kernel
            w = _np(module.weight[module.out_idx == m])  # (len(reads), k, k), in Table I's order
        else:
            reads, k = tuple(range(x.shape[0])), module.kernel_size[0]
            w = _np(module.weight[m])  # (in, k, k)
        inputs = x[list(reads), y : y + k, xx : xx + k]
        total, b = float((w * inputs).sum()), _f(module.bias[m])
        return Explanation(**base, kind="convolution", reads=reads, inputs=inputs, weights=w, weighted_sum=total,
                           bias=b, pre=total + b, value=squash(total + b), window=(y, xx, k, k))  # fmt: skip
    if isinstance(module, (Subsampling, AveragePool)):
        inputs = x[[m], 2 * y : 2 * y + 2, 2 * xx : 2 * xx + 2]
        block, window = float(inputs.sum()), (2 * y, 2 * xx, 2, 2)
        if isinstance(module, AveragePool):  # LeNet-1: the plain mean, no weights, no squashing
            mean = block / 4
            return Explanation(**base, kind="average", reads=(m,), inputs=inputs, weighted_sum=mean, pre=mean,
                               value=mean, squashed=False, block_sum=block, window=window)  # fmt: skip
        c, b = _f(module.coefficient[m]), _f(module.bias[m])
        return Explanation(**base, kind="subsampling", reads=(m,), inputs=inputs, weighted_sum=c * block,
                           pre=c * block + b, value=squash(c * block + b), bias=b, block_sum=block, coefficient=c,
                           window=window)  # fmt: skip
    flat = x.reshape(-1)
    base.update(reads=tuple(range(flat.size)), of=flat.size, inputs=flat)
    if unit.layer == "Output" and isinstance(net, LeNet5):  # eq. 7: the squared distance to a fixed prototype
        centre = _np(module.centres[m])
        d = float(((flat - centre) ** 2).sum())
        return Explanation(**base, kind="rbf", weights=centre, weighted_sum=d, pre=d, value=d, squashed=False)
    w, b = _np(module.weight[m]), _f(module.bias[m])
    total = float((w * flat).sum())
    if unit.layer == "Output":  # LeNet-1: a score, no squashing
        return Explanation(**base, kind="score", weights=w, weighted_sum=total, bias=b, pre=total + b,
                           value=total + b, squashed=False)  # fmt: skip
    return Explanation(**base, kind="full", weights=w, weighted_sum=total, bias=b, pre=total + b,
                       value=squash(total + b))  # fmt: skip


def model_value(acts: dict[str, np.ndarray], unit: Unit) -> float:
    """The unit's activation as the model itself computed it (what the network view draws)."""
    a = acts[unit.layer]
    return float(a[unit.map, unit.y, unit.x] if a.ndim == 3 else a[unit.map])
