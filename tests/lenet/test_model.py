"""The architecture against the paper's numbers, and oracle tests of each custom layer."""

import math

import pytest
import torch
import torch.nn.functional as F

from lenet.model import (
    C3_TABLE,
    J_RUBBISH,
    LeNet1,
    LeNet5,
    PartialConv,
    RBFOutput,
    ScaledTanh,
    Subsampling,
    build_model,
    count_parameters,
    sqrt_fan_in_,
)
from lenet.paper import LAYERS

PAPER_LAYERS = {name: (row.params, row.connections) for name, row in LAYERS.items()}  # section II-B


def test_lenet5_layers_match_the_paper():
    rows = {r.name: r for r in LeNet5().layers()}
    assert {n: (r.params, r.connections) for n, r in rows.items()} == PAPER_LAYERS
    assert (rows["C1"].maps, rows["C1"].size) == (6, (28, 28))
    assert (rows["C3"].maps, rows["C3"].size) == (16, (10, 10))
    assert (rows["S4"].maps, rows["S4"].size) == (16, (5, 5))


def test_lenet5_totals():
    model = LeNet5()
    assert count_parameters(model) == 60_000
    assert sum(p.numel() for p in model.parameters()) == 60_000  # nothing frozen hides in there
    assert sum(r.connections for r in model.layers()) == 340_908


def test_lenet1_is_seed_004():
    rows = {r.name: r for r in LeNet1().layers()}
    assert [(r.maps, r.size) for r in rows.values()] == [
        (4, (24, 24)),
        (4, (12, 12)),
        (12, (8, 8)),
        (12, (4, 4)),
        (10, (1, 1)),
    ]
    assert count_parameters(LeNet1()) == 4 * 26 + 12 * (4 * 25 + 1) + 10 * (12 * 16 + 1)


def test_scaled_tanh_constants():
    f = ScaledTanh()
    assert f(torch.tensor(1.0)).item() == pytest.approx(1.0, abs=1e-4)
    assert f(torch.tensor(-1.0)).item() == pytest.approx(-1.0, abs=1e-4)
    assert f(torch.tensor(100.0)).item() == pytest.approx(1.7159)


def test_subsampling_equals_block_sum_arithmetic():
    torch.manual_seed(0)
    s = Subsampling(3)
    x = torch.randn(2, 3, 6, 6)
    expected = torch.empty(2, 3, 3, 3)
    for i in range(3):
        for j in range(3):
            block = x[:, :, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2].sum(dim=(2, 3))
            expected[:, :, i, j] = block * s.coefficient + s.bias
    torch.testing.assert_close(s(x), expected)


def test_c3_equals_dense_convolution_with_absent_connections_zeroed():
    torch.manual_seed(0)
    c3 = PartialConv(C3_TABLE, 6)
    assert c3.weight.shape == (60, 5, 5)  # one kernel per Table I connection, no masked extras
    dense = torch.zeros(16, 6, 5, 5)
    k = 0
    for out_map, inputs in enumerate(C3_TABLE):
        for in_map in inputs:
            dense[out_map, in_map] = c3.weight[k].detach()
            k += 1
    x = torch.randn(2, 6, 14, 14)
    torch.testing.assert_close(c3(x), F.conv2d(x, dense, c3.bias.detach()))
    # An S2 map that a C3 map does not read cannot change it.
    x2 = x.clone()
    x2[:, 5] += 10.0  # map 5 feeds C3 maps 3, 4, 5, 8, 9, 10, 11, 13, 14, 15 only
    changed = (c3(x2) - c3(x)).abs().amax(dim=(0, 2, 3)) > 1e-5
    assert [m for m in range(16) if changed[m]] == [m for m, ins in enumerate(C3_TABLE) if 5 in ins]


def test_c3_table_is_table_one():
    assert sum(len(ins) for ins in C3_TABLE) == 60
    assert [len(ins) for ins in C3_TABLE] == [3] * 6 + [4] * 9 + [6]


def test_rbf_output_is_squared_euclidean_distance_to_fixed_prototypes():
    rbf = RBFOutput()
    assert list(rbf.parameters()) == []
    x = torch.randn(3, 84)
    expected = torch.stack([((x - rbf.centres[i]) ** 2).sum(1) for i in range(10)], dim=1)
    torch.testing.assert_close(rbf(x), expected)


def test_map_loss_matches_its_formula():
    torch.manual_seed(0)
    model = LeNet5()
    y_dist = torch.rand(4, 10) * 30  # squared distances
    target = torch.tensor([0, 3, 7, 9])
    expected = torch.stack([
        y_dist[p, target[p]] + torch.log(math.exp(-J_RUBBISH) + torch.exp(-y_dist[p]).sum()) for p in range(4)
    ]).mean()  # fmt: skip
    torch.testing.assert_close(model.loss(-y_dist, target), expected)


@pytest.mark.parametrize("name", ["lenet5", "lenet1"])
def test_every_parameter_gets_a_finite_gradient(name):
    torch.manual_seed(0)
    model = build_model(name)
    x = torch.rand(8, 1, 28, 28)
    model.loss(model(x), torch.arange(8)).backward()
    for pname, p in model.named_parameters():
        assert p.grad is not None, pname
        assert torch.isfinite(p.grad).all(), pname
        assert p.grad.abs().sum() > 0, pname


def uniform_within(t: torch.Tensor, bound: float, what: str) -> None:
    """``t`` looks drawn from U(−bound, bound): inside the bound, reaching near both ends, centred,
    with the uniform's spread bound/√3 (an all-zero or constant initialisation fails here)."""
    t, n = t.detach(), t.numel()
    reach = bound * max(0.5, 1 - 20 / n)  # the largest of n draws falls short of this with chance e^-10
    assert t.abs().max() <= bound, what
    assert t.max() > reach and t.min() < -reach, what  # both ends reached
    assert abs(float(t.mean())) < 4 * bound / math.sqrt(3 * n), what  # centred: within 4 standard errors
    assert float(t.std()) == pytest.approx(bound / math.sqrt(3), rel=max(0.1, 5 / math.sqrt(n))), what


def test_paper_initialisation_bounds():
    """Appendix A: uniform in ±2.4/F, F the unit's fan-in; checked from both sides."""
    torch.manual_seed(0)
    model = LeNet5()
    uniform_within(model.c1.weight, 2.4 / 25, "C1")
    uniform_within(model.c5.weight, 2.4 / 400, "C5")
    uniform_within(model.f6.weight, 2.4 / 120, "F6")
    uniform_within(torch.cat([model.s2.coefficient, model.s4.coefficient]), 2.4 / 4, "S2/S4 coefficients")
    for out_map, ins in enumerate(C3_TABLE):
        w = model.c3.weight[model.c3.out_idx == out_map]
        uniform_within(w, 2.4 / (25 * len(ins)), f"C3 map {out_map}")
    for name, p in model.named_parameters():  # nothing starts at zero or all alike
        assert p.std() > 0 and (p != 0).all(), name


def test_sqrt_fan_in_widens_every_bound_to_2_4_over_root_f_and_keeps_the_draws():
    """Issue 17's curvature scale: the same draws, each bound 2.4/√F instead of 2.4/F."""
    torch.manual_seed(0)
    written = LeNet5()
    torch.manual_seed(0)
    model = sqrt_fan_in_(LeNet5())
    uniform_within(model.c1.weight, 2.4 / 5, "C1")
    uniform_within(model.c5.weight, 2.4 / 20, "C5")
    uniform_within(model.f6.weight, 2.4 / math.sqrt(120), "F6")
    uniform_within(torch.cat([model.s2.coefficient, model.s4.coefficient]), 2.4 / 2, "S2/S4 coefficients")
    for out_map, ins in enumerate(C3_TABLE):
        w = model.c3.weight[model.c3.out_idx == out_map]
        uniform_within(w, 2.4 / math.sqrt(25 * len(ins)), f"C3 map {out_map}")
    for (name, p), q in zip(model.named_parameters(), written.parameters(), strict=True):
        assert torch.equal(p.sign(), q.sign()), name  # each weight is its written draw, scaled
    torch.manual_seed(1)
    lenet1 = LeNet1()
    torch.manual_seed(1)
    wide = sqrt_fan_in_(LeNet1())
    for (name, p), q in zip(wide.named_parameters(), lenet1.parameters(), strict=True):
        fan_in = q[0].numel() if q.dim() > 1 else None
        if fan_in:
            torch.testing.assert_close(p, q * math.sqrt(fan_in), msg=name)


def test_the_written_initialisation_shrinks_the_states_and_sqrt_fan_in_keeps_them_near_unit_scale():
    """Why the paper's curvature scale is not reached at ±2.4/F (appendix A wants the weighted sums in
    the sigmoid's operating region): C5's mean square state is ~10⁻³ there, near 1 with √F."""
    x = torch.randn(64, 1, 28, 28).clamp(-0.1, 1.175)
    with torch.no_grad():
        torch.manual_seed(0)
        written = LeNet5().eval().forward_intermediates(x)
        torch.manual_seed(0)
        wide = sqrt_fan_in_(LeNet5()).eval().forward_intermediates(x)
    assert float(written["C5"].square().mean()) < 0.01
    assert 0.2 < float(wide["C5"].square().mean()) < 2.9  # f saturates at 1.7159² ≈ 2.94


def test_intermediates_shapes_and_input_scaling():
    model = LeNet5().eval()
    x = torch.zeros(2, 1, 28, 28)
    x[:, :, 10:18, 12:16] = 1.0
    acts = model.forward_intermediates(x)
    shapes = {k: tuple(v.shape) for k, v in acts.items()}
    assert shapes == {
        "input": (2, 1, 32, 32), "C1": (2, 6, 28, 28), "S2": (2, 6, 14, 14), "C3": (2, 16, 10, 10),
        "S4": (2, 16, 5, 5), "C5": (2, 120), "F6": (2, 84), "Output": (2, 10), "scores": (2, 10),
    }  # fmt: skip
    assert acts["input"].min().item() == pytest.approx(-0.1)  # background, the 2-pixel border included
    assert acts["input"].max().item() == pytest.approx(1.175)  # ink
    for k in ("C1", "S2", "C3", "S4", "C5", "F6"):
        assert acts[k].abs().max() <= 1.7159 + 1e-6
    torch.testing.assert_close(acts["scores"], -acts["Output"])


def test_build_model_rejects_unknown_names():
    with pytest.raises(ValueError, match="lenet5"):
        build_model("alexnet")


def test_reading_without_gradients_is_bit_for_bit_the_training_arithmetic():
    # Under no_grad the squashing works in place and S2/S4 add their four inputs directly: the same
    # numbers as TANH_A · tanh(TANH_S · a) and 4 × avg_pool2d, to the last bit (not merely close).
    torch.manual_seed(0)
    a = 3 * torch.randn(7, 6, 28, 28)
    s = Subsampling(6)
    with torch.no_grad():
        assert torch.equal(ScaledTanh()(a), 1.7159 * torch.tanh((2.0 / 3.0) * a))
        expected = 4.0 * F.avg_pool2d(a, 2) * s.coefficient[:, None, None] + s.bias[:, None, None]
        assert torch.equal(s(a), expected)
    assert ScaledTanh()(a.requires_grad_()).requires_grad  # training still gets the autograd graph


def _rows(model) -> dict:
    return {r.name: (r.maps, r.size, r.kernel, r.params, r.connections) for r in model.layers()}


@pytest.mark.parametrize(
    "name, changed",
    [("lenet5-softmax", {"Output"}), ("lenet5-fullc3", {"C3"}), ("lenet5-relu", set()),
     ("lenet5-maxpool", {"S2", "S4"}), ("lenet5-6k", set())],
)  # fmt: skip
def test_each_design_variant_changes_one_choice_and_nothing_else(name, changed):
    variant, paper = build_model(name), LeNet5()
    assert variant.name == name  # what its weights file records
    rows, expected = _rows(variant), _rows(paper)
    assert {n for n in rows if rows[n] != expected[n]} == changed
    x = torch.rand(3, 1, 28, 28)
    acts = variant.forward_intermediates(x)
    assert {k: v.shape for k, v in acts.items()} == {k: v.shape for k, v in paper.forward_intermediates(x).items()}
    is_relu = name == "lenet5-relu"
    assert (acts["C1"].min() >= 0) == is_relu  # ReLU: nothing below 0; the scaled tanh goes both ways
    assert isinstance(variant.act, ScaledTanh) != is_relu


def test_variant_layers_have_their_own_counts():
    assert _rows(build_model("lenet5-fullc3"))["C3"][3:] == (16 * (6 * 25 + 1), 16 * (6 * 25 + 1) * 100)
    assert _rows(build_model("lenet5-softmax"))["Output"][3:] == (84 * 10 + 10, 850)
    maxpool = build_model("lenet5-maxpool")
    assert _rows(maxpool)["S2"][3] == 0 and count_parameters(maxpool) == 60_000 - 12 - 32
    x = torch.rand(2, 1, 28, 28)
    acts = maxpool.forward_intermediates(x)
    assert torch.equal(acts["S2"], F.max_pool2d(acts["C1"], 2))  # the largest of each block, unsquashed


def test_softmax_variant_scores_are_logits_and_its_loss_is_cross_entropy():
    model = build_model("lenet5-softmax")
    x, y = torch.rand(4, 1, 28, 28), torch.tensor([0, 3, 5, 9])
    scores = model(x)
    assert torch.equal(scores, model.forward_intermediates(x)["Output"])
    assert torch.allclose(model.loss(scores, y), F.cross_entropy(scores, y))
    assert model.output.weight.requires_grad  # trained, unlike the fixed prototypes
