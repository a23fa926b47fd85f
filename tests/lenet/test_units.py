"""Following one unit: receptive fields against the layer arithmetic and against autograd (the input
pixels a unit's value actually depends on), the arithmetic against the model's own activations for
every layer of both networks, C3 reading Table I's maps only, and unit strings good and bad."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lenet.model import C3_TABLE, TANH_A, TANH_S, build_model
from lenet.network import load_network
from lenet.units import BadUnit, Field, Unit, explain, model_value, parse, receptive_field, shapes
from tests.lenet.test_paper_golden import table_one
from tests.weights import WEIGHTS

RF = {  # layer → side of its receptive field on the input, as section II-B's arithmetic gives it
    "lenet5": {"C1": 5, "S2": 6, "C3": 14, "S4": 16, "C5": 32, "F6": 32, "Output": 32},
    "lenet1": {"C1": 5, "S2": 6, "C3": 14, "S4": 16, "Output": 28},
}
# Where a unit at (y, x) starts on the input field: the product of the strides below it.
STRIDE = {"C1": 1, "S2": 2, "C3": 2, "S4": 4}


@pytest.fixture(scope="module", params=["lenet5", "lenet1"])
def net(request):
    torch.manual_seed(0)
    return build_model(request.param).eval()


@pytest.fixture(scope="module")
def digit() -> np.ndarray:
    """A random 28×28 field in [0, 1]: every pixel matters somewhere."""
    return np.random.default_rng(0).random((28, 28), dtype=np.float32)


def acts_of(net, digit) -> dict[str, np.ndarray]:
    with torch.no_grad():
        acts = {k: v[0].numpy() for k, v in net.forward_intermediates(torch.from_numpy(digit)[None, None]).items()}
    acts["input"] = acts["input"][0]
    return acts


def every_unit(net, rng, per_layer: int = 25) -> list[Unit]:
    """Every map (or up to ``per_layer`` units) of every layer, at random positions, and the corners."""
    units = []
    for layer, shape in shapes(net).items():
        if len(shape) == 3:
            maps, h, w = shape
            units += [Unit(layer, m, int(rng.integers(h)), int(rng.integers(w))) for m in range(maps)]
            units += [Unit(layer, 0, 0, 0), Unit(layer, maps - 1, h - 1, w - 1)]
        else:
            units += [Unit(layer, int(u)) for u in rng.choice(shape[0], min(per_layer, shape[0]), replace=False)]
    return units


def test_receptive_field_sizes(net):
    for layer, side in RF[net.name].items():
        shape = shapes(net)[layer]
        corner = Unit(layer, 0, *([shape[1] - 1, shape[2] - 1] if len(shape) == 3 else []))
        for unit in (Unit(layer, 0), corner):
            f = receptive_field(net, unit)
            assert (f.height, f.width) == (side, side), (net.name, unit)
            assert 0 <= f.top and f.top + f.height <= net.input_size and f.left + f.width <= net.input_size


@pytest.mark.parametrize("y, x", [(0, 0), (3, 1), (4, 7)])
def test_receptive_field_positions(net, y, x):
    """A unit at (y, x) starts at stride·(y, x): C3 at (y, x) covers input rows 2y … 2y + 13."""
    for layer, stride in STRIDE.items():
        side = RF[net.name][layer]
        assert receptive_field(net, Unit(layer, 0, y, x)) == Field(stride * y, stride * x, side, side)
    assert receptive_field(net, Unit("C3", 5, 4, 7)) == Field(8, 14, 14, 14)  # rows 8–21, columns 14–27


def test_receptive_field_is_what_the_unit_depends_on(net, digit):
    """The oracle: autograd's input pixels with a non-zero gradient are exactly the field (within the
    28×28 part of the input that is not padding)."""
    rng = np.random.default_rng(1)
    pad = (net.input_size - 28) // 2
    for unit in every_unit(net, rng, per_layer=3)[::3]:
        x = torch.from_numpy(digit)[None, None].clone().requires_grad_(True)
        a = net.forward_intermediates(x)[unit.layer][0]
        value = a[unit.map, unit.y, unit.x] if a.dim() == 3 else a[unit.map]
        (grad,) = torch.autograd.grad(value, x)
        depends = grad[0, 0].abs().numpy() > 0
        f = receptive_field(net, unit)
        box = np.zeros((net.input_size, net.input_size), dtype=bool)
        box[f.top : f.top + f.height, f.left : f.left + f.width] = True
        np.testing.assert_array_equal(depends, box[pad : pad + 28, pad : pad + 28], err_msg=str(unit))


def test_arithmetic_equals_the_model_for_every_layer(net, digit):
    acts = acts_of(net, digit)
    units = every_unit(net, np.random.default_rng(2))
    assert {u.layer for u in units} == set(net.layer_names)
    for unit in units:
        e = explain(net, acts, unit)
        assert e.value == pytest.approx(model_value(acts, unit), abs=2e-5), unit
        assert e.pre == pytest.approx(e.weighted_sum + e.bias, abs=1e-9)
        if e.squashed:
            assert e.value == pytest.approx(TANH_A * np.tanh(TANH_S * e.pre), abs=1e-9)


def test_subsampling_is_coefficient_times_block_sum_plus_bias(digit):
    torch.manual_seed(0)
    net = build_model("lenet5").eval()
    acts = acts_of(net, digit)
    e = explain(net, acts, Unit("S4", 3, 2, 1))
    block = acts["C3"][3, 4:6, 2:4]
    assert e.block_sum == pytest.approx(float(block.sum(dtype=np.float64)))
    assert e.coefficient == pytest.approx(float(net.s4.coefficient[3].detach()))
    assert e.pre == pytest.approx(e.coefficient * e.block_sum + float(net.s4.bias[3].detach()))
    assert e.window == (4, 2, 2, 2) and e.reads == (3,)


def test_c3_reads_exactly_table_one(digit):
    """Each C3 map reads its column of Table I as printed in the paper, with the model's own kernels;
    the dense kernel is zero on every other S2 map."""
    torch.manual_seed(0)
    net = build_model("lenet5").eval()
    acts = acts_of(net, digit)
    dense = net.c3.dense_weight().detach().numpy()
    for m, column in enumerate(table_one()):
        e = explain(net, acts, Unit("C3", m, 1, 2))
        assert e.reads == tuple(column) == C3_TABLE[m] and e.of == 6
        assert e.inputs.shape == e.weights.shape == (len(column), 5, 5)
        np.testing.assert_allclose(e.weights, dense[m, list(column)])
        others = [i for i in range(6) if i not in column]
        assert not dense[m, others].any()
        np.testing.assert_allclose(e.inputs, acts["S2"][list(column), 1:6, 2:7])


def test_output_units(net, digit):
    acts = acts_of(net, digit)
    e = explain(net, acts, Unit("Output", 4))
    if net.name == "lenet5":  # eq. 7: the squared distance from F6 to prototype 4
        assert e.kind == "rbf" and e.inputs.shape == (84,) and not e.squashed
        assert e.value == pytest.approx(float(((acts["F6"] - net.output.centres[4].numpy()) ** 2).sum()), rel=1e-5)
    else:  # LeNet-1: a score over its 192 S4 units
        assert e.kind == "score" and e.inputs.shape == (192,) and not e.squashed
    assert e.value == pytest.approx(float(acts["scores"][4]) * (-1 if net.name == "lenet5" else 1), rel=1e-5)


def test_lenet1_pooling_is_a_plain_average(digit):
    torch.manual_seed(0)
    net = build_model("lenet1").eval()
    acts = acts_of(net, digit)
    e = explain(net, acts, Unit("S2", 1, 5, 6))
    assert e.kind == "average" and not e.squashed and e.coefficient is None
    assert e.value == pytest.approx(float(acts["C1"][1, 10:12, 12:14].mean()), abs=1e-6)


@pytest.mark.parametrize("text", ["C3:5:4:7", "C1:0:27:27", "S2:5:13:0", "S4:15:4:4", "C5:119", "F6:83", "Output:9"])
def test_unit_strings_round_trip(text):
    torch.manual_seed(0)
    net = build_model("lenet5")
    assert str(parse(text, net)) == text
    assert parse(f" {text.lower()} ".replace(":", " : "), net) == parse(text, net)


def test_unit_string_with_zero_position_outside_the_maps():
    net = build_model("lenet5")
    assert parse("C5:17:0:0", net) == Unit("C5", 17)


@pytest.mark.parametrize(
    "text, arch, says",
    [
        ("X9:0", "lenet5", "no layer"),
        ("F6:3", "lenet1", "no layer"),
        ("C3:16:0:0", "lenet5", "16 maps"),
        ("C3:0:10:0", "lenet5", "10 rows"),
        ("C3:0:0:-1", "lenet5", "10 columns"),
        ("C3:a:b:c", "lenet5", "whole numbers"),
        ("C3:1", "lenet5", "C3:map:row:column"),
        ("C5:120", "lenet5", "120 units"),
        ("C5:1:2", "lenet5", "C5:unit"),
        ("C1:" + "9" * 60, "lenet5", "layer:map:row:column"),
        (None, "lenet5", "layer:map:row:column"),
        ({"layer": "C3"}, "lenet5", "layer:map:row:column"),
    ],
)
def test_bad_unit_strings_are_explained(text, arch, says):
    with pytest.raises(BadUnit, match=says):
        parse(text, build_model(arch))


@pytest.mark.usefixtures("trained")
@pytest.mark.parametrize("name", ["lenet5", "lenet5-paper", "lenet1"])
def test_shipped_networks(name):
    """The same equality on the shipped weights and a real digit read by the app's own path."""
    from explorer.examples import example_paths
    from lenet.preprocess import preprocess

    network = load_network(name, WEIGHTS)
    reading = network.read(preprocess(str(example_paths()[3])))
    for unit in every_unit(network.net, np.random.default_rng(3), per_layer=10):
        assert explain(network.net, reading.acts, unit).value == pytest.approx(
            model_value(reading.acts, unit), abs=2e-5
        )
