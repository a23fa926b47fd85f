"""The paper's optimiser (lenet/sdlm.py): hand-computed steps on tiny networks, oracle tests of
each layer's curvature rule, the schedule, and the `--recipe paper` option of lenet.train."""

import json
import math

import pytest
import torch
from torch.func import functional_call

from lenet.checkpoint import chosen_run_dir
from lenet.model import TANH_A, TANH_S, AveragePool, Conv, Full, build_model
from lenet.sdlm import (
    CHAINS,
    MU,
    PAPER_MU,
    SDLM,
    backprop_curvature,
    diagonal_hessian,
    layer_curvature,
    mu_at,
    paper_rate,
    parse_mu_schedule,
)
from lenet.train import main, network_name, parse_args


def f(a: float) -> float:  # the squashing function and its slope, written out (appendix A)
    return TANH_A * math.tanh(TANH_S * a)


def f_slope(a: float) -> float:
    return TANH_A * TANH_S * (1 - math.tanh(TANH_S * a) ** 2)


def test_the_schedule_is_the_papers():
    rates = [paper_rate(epoch) for epoch in range(1, 21)]
    assert rates == [0.0005] * 2 + [0.0002] * 3 + [0.0001] * 3 + [0.00005] * 4 + [0.00001] * 8
    assert PAPER_MU == 0.02


def test_one_sdlm_step_on_one_tanh_unit_by_hand():
    """2 inputs → 1 unit x = f(w·u + b) → E = (x − t)². By hand, with w = (0.5, −0.25), b = 0.1,
    u = (1, 2), t = 1: a = 0.1, f'(a)² · 2 = 2.5940, so h = (u1², u2², 1) · 2.5940 and
    ∂E/∂a = 2 (x − t) f'(a) = −2.01756; one step w ← w − ε g / (μ + h) with ε = 0.0005, μ = 0.02."""
    layer = Full(2, 1).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[0.5, -0.25]], dtype=torch.float64))
        layer.bias.copy_(torch.tensor([0.1], dtype=torch.float64))
    u = torch.tensor([[1.0, 2.0]], dtype=torch.float64)
    x = TANH_A * torch.tanh(TANH_S * layer(u))
    h = backprop_curvature([(layer, u, x.detach(), True)], torch.full_like(x, 2.0))  # ∂²E/∂x² = 2
    assert h[layer.weight][0].tolist() == pytest.approx([2.5940234, 10.3760935], rel=1e-7)
    assert h[layer.bias].tolist() == pytest.approx([2.5940234], rel=1e-7)

    opt = SDLM(layer.parameters(), lr=0.0005, mu=0.02)
    opt.set_curvature(h)
    opt.zero_grad()
    ((x - 1.0) ** 2).sum().backward()
    assert layer.bias.grad.item() == pytest.approx(-2.0175568, rel=1e-7)
    opt.step()
    assert layer.weight[0].tolist() == pytest.approx([0.50038591, -0.24980593], rel=1e-7)
    assert layer.bias.tolist() == pytest.approx([0.10038591], rel=1e-6)


def test_second_derivatives_cross_a_hidden_layer_by_hand():
    """u → 2 tanh units → 1 tanh unit → (y − t)²: ∂²E/∂a_out² = 2 f'(a_out)², each hidden unit
    gets ∂²E/∂a_i² = f'(a_i)² w_i² ∂²E/∂a_out², and its weight from u_j gets u_j² times that."""
    hidden, out = Full(2, 2).double(), Full(2, 1).double()
    w1, b1, w2, b2 = [[0.3, -0.6], [0.8, 0.2]], [0.05, -0.1], [0.7, -1.1], 0.2
    with torch.no_grad():
        hidden.weight.copy_(torch.tensor(w1, dtype=torch.float64))
        hidden.bias.copy_(torch.tensor(b1, dtype=torch.float64))
        out.weight.copy_(torch.tensor([w2], dtype=torch.float64))
        out.bias.fill_(b2)
    u = [0.9, -1.3]
    a1 = [w1[i][0] * u[0] + w1[i][1] * u[1] + b1[i] for i in range(2)]
    a2 = w2[0] * f(a1[0]) + w2[1] * f(a1[1]) + b2
    h_out = 2 * f_slope(a2) ** 2
    h_hidden = [f_slope(a1[i]) ** 2 * w2[i] ** 2 * h_out for i in range(2)]
    expected_w1 = [[u[j] ** 2 * h_hidden[i] for j in range(2)] for i in range(2)]
    expected_w2 = [[f(a1[i]) ** 2 * h_out for i in range(2)]]

    ut = torch.tensor([u], dtype=torch.float64)
    x1 = TANH_A * torch.tanh(TANH_S * hidden(ut))
    x2 = TANH_A * torch.tanh(TANH_S * out(x1))
    h = backprop_curvature([(out, x1, x2, True), (hidden, ut, x1, True)], torch.full_like(x2, 2.0))
    assert h[hidden.weight].tolist()[0] == pytest.approx(expected_w1[0], rel=1e-9)
    assert h[hidden.weight].tolist()[1] == pytest.approx(expected_w1[1], rel=1e-9)
    assert h[hidden.bias].tolist() == pytest.approx(h_hidden, rel=1e-9)
    assert h[out.weight].tolist()[0] == pytest.approx(expected_w2[0], rel=1e-9)


def test_a_shared_weight_sums_its_connections_by_hand():
    """A 2×2 convolution on a 3×3 image: each of the 4 weights is shared by the 4 output
    positions, so h_pq = Σ_ij u[i+p, j+q]² · 2 f'(a_ij)² (squared error on every output)."""
    conv = Conv(1, 1, kernel=2).double()
    u = torch.tensor([[[[0.2, -1.0, 0.5], [1.1, 0.0, -0.3], [0.4, 0.9, -0.7]]]], dtype=torch.float64)
    a = conv(u).detach()
    x = TANH_A * torch.tanh(TANH_S * a)
    h = backprop_curvature([(conv, u, x, True)], torch.full_like(x, 2.0))
    for p in range(2):
        for q in range(2):
            expected = sum(
                u[0, 0, i + p, j + q].item() ** 2 * 2 * f_slope(a[0, 0, i, j].item()) ** 2
                for i in range(2)
                for j in range(2)
            )
            assert h[conv.weight][0, 0, p, q].item() == pytest.approx(expected, rel=1e-9)
    assert h[conv.bias].item() == pytest.approx(sum(2 * f_slope(v) ** 2 for v in a.flatten().tolist()), rel=1e-9)


@pytest.mark.parametrize("name", ["lenet5", "lenet1"])
def test_each_layer_rule_matches_autograd_on_squares(name):
    """Oracle: every layer's weighted sum is linear in its inputs and in its weights, so
    Σ_connections x_j² h_a_i is the gradient of Σ h_a · layer(x²) with respect to the weights,
    and Σ_i w_ij² h_a_i the gradient of Σ h_a · layer(z; w²) with respect to z (biases kept)."""
    torch.manual_seed(0)
    model = build_model(name).double()
    acts = model.forward_intermediates(torch.rand(3, 1, 28, 28, dtype=torch.float64))
    for layer_name, src, _ in CHAINS[name]:
        layer, x = getattr(model, layer_name.lower()), acts[src]
        if isinstance(layer, Full):  # LeNet-1's output reads S4 flattened
            x = x.flatten(1)
        out_shape = acts[layer_name].shape
        h_a = torch.rand(out_shape, dtype=torch.float64)
        h_params, h_x = layer_curvature(layer, x, h_a)
        if isinstance(layer, AveragePool):  # fixed weights ¼: h_x = h_a / 16 on each input of the block
            torch.testing.assert_close(h_x, h_a.repeat_interleave(2, 2).repeat_interleave(2, 3) / 16)
            continue
        params = {k: v.detach().clone().requires_grad_() for k, v in layer.named_parameters()}
        y = functional_call(layer, params, (x.square(),)).reshape(out_shape)
        grads = torch.autograd.grad((h_a * y).sum(), list(params.values()))
        assert set(h_params) == set(params)
        for k, g in zip(params, grads, strict=True):
            torch.testing.assert_close(h_params[k], g, msg=f"{name} {layer_name}.{k}")
        squared = {k: v.detach() if k == "bias" else v.detach().square() for k, v in layer.named_parameters()}
        z = x.detach().clone().requires_grad_()
        y = functional_call(layer, squared, (z,)).reshape(out_shape)
        (g_z,) = torch.autograd.grad((h_a * y).sum(), z)
        torch.testing.assert_close(h_x.reshape(x.shape), g_z, msg=f"{name} {layer_name} input")


@pytest.mark.parametrize("name", ["lenet5", "lenet1"])
def test_the_estimate_is_positive_and_covers_every_parameter(name):
    torch.manual_seed(0)
    model = build_model(name)
    x = torch.rand(16, 1, 28, 28)
    h = diagonal_hessian(model, x)
    assert list(h) == list(model.parameters())
    for p, v in h.items():
        assert v.shape == p.shape and torch.isfinite(v).all() and (v >= 0).all() and (v > 0).any()
    if name == "lenet5":  # F6's bias: mean over the batch of 2 f'(a)², with f' from the F6 states
        s = model.forward_intermediates(x)["F6"] / TANH_A
        torch.testing.assert_close(h[model.f6.bias], (2 * (TANH_A * TANH_S * (1 - s**2)) ** 2).mean(0))


def test_sdlm_refuses_to_step_without_curvature():
    layer = Full(2, 1)
    opt = SDLM(layer.parameters())
    layer(torch.ones(1, 2)).sum().backward()
    with pytest.raises(RuntimeError, match="set_curvature"):
        opt.step()


def test_recipe_flags_and_defaults():
    """A plain ``python -m lenet.train --model NAME`` is the command of the shipped weights."""
    ours = parse_args([])
    assert (ours.recipe, ours.epochs, ours.batch_size, ours.lr, ours.ema, ours.distort) == (
        "ours", 60, 128, 3e-3, 0.999, True
    )  # fmt: skip
    assert (ours.distortion, ours.j, ours.out_dir) == (0.5, 5.0, chosen_run_dir("lenet5"))  # weights/50k/ (ON_60000)
    one = parse_args(["--model", "lenet1"])
    assert (one.epochs, one.distortion) == (50, 0.35)
    paper = parse_args(["--recipe", "paper"])
    assert (paper.epochs, paper.batch_size, paper.mu, paper.distort, paper.j) == (20, 8, MU, False, 0.1)
    assert paper.out_dir == chosen_run_dir("lenet5-paper")
    assert network_name("lenet5", "paper", False) == "lenet5-paper"
    assert network_name("lenet5", "paper", True) == "lenet5-paper-distort"
    assert network_name("lenet1", "ours", True) == "lenet1"
    assert parse_args(["--no-distort"]).distort is False
    for bad in (["--recipe", "paper", "--lr", "1e-3"], ["--mu", "0.1"]):
        with pytest.raises(SystemExit):
            parse_args(bad)


@pytest.mark.slow  # a short training run: ~13 s
def test_paper_recipe_smoke_lowers_the_loss(mnist_test, tmp_path):
    args = ["--recipe", "paper", "--smoke", "--epochs", "3", "--quiet", "--threads", "1", "--out-dir", str(tmp_path)]
    assert main(args) == 0
    log = json.loads((tmp_path / "lenet5-paper.json").read_text())
    losses = [r["train_loss"] for r in log["history"]]
    assert losses[-1] < 0.5 * losses[0]
    assert log["history"][-1]["validation_error"] < 0.2  # 11.0% here (seed 0, one thread); chance is 90%
    assert [r["lr"] for r in log["history"]] == [0.0005, 0.0005, 0.0002]
    assert log["recipe"].startswith("the paper's") and log["mu"] == MU and log["ema"] == "none"
    first = log["first_pass_rates"]  # the range the paper reports for its first pass, ours beside it
    assert first["max"] == pytest.approx(0.0005 / MU) and first["min"] < first["max"]
    assert set(first["layers"]) == {"c1", "s2", "c3", "s4", "c5", "f6"}
    assert log["paper_first_pass_rates"] == [7e-5, 0.016]
    assert [r["mu"] for r in log["history"]] == [MU] * 3 and log["history"][0]["rates"]["min"] == first["min"]


def sdlm_pass(mu: float, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """One pass of the paper's first-pass SDLM (ε = 0.0005, curvature on the first 200 images, steps
    on the summed gradients of 8) over ``x`` from LeNet-5 at the paper's initialisation (seed 0):
    the MAP loss on ``x`` before and after."""
    torch.manual_seed(0)
    model = build_model("lenet5")
    with torch.no_grad():
        before = float(model.loss(model(x), y))
    opt = SDLM(model.parameters(), lr=paper_rate(1), mu=mu)
    opt.set_curvature(diagonal_hessian(model, x[:200]))
    for i in range(0, len(x), 8):
        loss = model.loss(model(x[i : i + 8]), y[i : i + 8])
        opt.zero_grad()
        (loss * len(x[i : i + 8])).backward()
        opt.step()
    with torch.no_grad():
        return before, float(model.loss(model(x), y))


def test_the_papers_mu_blows_up_here_and_ours_trains(mnist_test):
    """lenet/sdlm.py's measured deviation, pinned: on 400 training images, one pass with the paper's
    μ = 0.02 nearly triples the loss (84 → ~245: the blow-up), with our μ = 0.5 it falls (84 → ~59)."""
    from lenet.data import load_split

    x, y = load_split("fit")
    x, y = x[:400], y[:400]
    start, paper = sdlm_pass(PAPER_MU, x, y)
    _, ours = sdlm_pass(MU, x, y)
    assert 80 < start < 90  # the paper's initialisation: every distance about the same
    assert paper > 2.5 * start, f"μ = {PAPER_MU} no longer diverges: {start:.1f} → {paper:.1f}"
    assert ours < 0.8 * start, f"μ = {MU} no longer trains: {start:.1f} → {ours:.1f}"


def test_the_rates_sdlm_reports_are_the_ones_it_steps_with():
    """ε / (μ + h) per parameter, by hand: h = 0.01 and 1.5 on the weights, 0.5 on the bias."""
    layer = Full(2, 1)
    opt = SDLM(layer.parameters(), lr=0.001, mu=0.02)
    opt.set_curvature({layer.weight: torch.tensor([[0.01, 1.5]]), layer.bias: torch.tensor([0.5])})
    r = opt.rates({layer.weight: "f6.weight", layer.bias: "f6.bias"})
    assert r["min"] == pytest.approx(0.001 / 1.52) and r["max"] == pytest.approx(0.001 / 0.03)
    assert r["share_h_below_mu"] == pytest.approx(1 / 3) and r["cap"] == pytest.approx(0.05)
    assert r["layers"]["f6"]["max"] == r["max"]
    before = layer.weight.detach().clone()
    layer.weight.grad, layer.bias.grad = torch.ones(1, 2), torch.zeros(1)
    opt.step()
    torch.testing.assert_close(before - layer.weight.detach(), torch.tensor([[r["max"], r["min"]]]))


def test_a_mu_schedule_by_pass():
    schedule = parse_mu_schedule("1:0.5,3:0.05")
    assert schedule == [(1, 0.5), (3, 0.05)]
    assert [mu_at(schedule, e) for e in (1, 2, 3, 20)] == [0.5, 0.5, 0.05, 0.05]
    for bad in ("2:0.5", "1:0.5,1:0.1", "1:0.5,4:0.1,3:0.2", "1:0"):
        with pytest.raises(ValueError):
            parse_mu_schedule(bad)
    assert parse_args(["--recipe", "paper", "--mu-schedule", "1:0.5,3:0.05"]).mu_schedule == schedule
    for bad in (["--mu-schedule", "1:0.5"], ["--recipe", "paper", "--mu", "0.5", "--mu-schedule", "1:0.5"]):
        with pytest.raises(SystemExit):
            parse_args(bad)


def test_the_estimate_is_the_exact_gauss_newton_diagonal_where_no_weight_is_shared():
    """C5 and F6: each weight is one connection, so the back-propagated rule equals the diagonal of
    the Gauss–Newton matrix from autograd Jacobians (bench/curvature.py), image by image."""
    from bench.curvature import exact_gauss_newton

    torch.manual_seed(0)
    model = build_model("lenet5")
    for p in model.parameters():  # trained-sized weights, so that every layer's states are far from 0
        p.data.mul_(20)
    x = torch.rand(3, 1, 28, 28)
    exact = exact_gauss_newton(model, x)
    rule = diagonal_hessian(model, x)
    for name in ("f6.weight", "f6.bias", "c5.weight", "c5.bias"):
        torch.testing.assert_close(rule[model.get_parameter(name)], exact[name], rtol=1e-4, atol=1e-9)
    assert not torch.allclose(rule[model.c1.weight], exact["c1.weight"], rtol=0.1)  # shared: cross terms


def test_the_sqrt_fan_in_initialisation_puts_the_first_pass_rates_in_the_papers_range(mnist_test):
    """Issue 17's finding, measured as ``python -m bench.curvature`` prints it: at appendix A's written
    ±2.4/F most first-pass rates sit at the cap ε/μ, outside the paper's 7×10⁻⁵ .. 0.016; at ±2.4/√F
    nearly all lie inside it. (``mnist_test`` only makes MNIST required; the measure reads 500
    training images.)"""
    from bench.curvature import measure
    from lenet.data import DEFAULT_DATA_DIR

    written = measure(None, DEFAULT_DATA_DIR, mu=0.02, exact=0)["rates"]
    wide = measure(None, DEFAULT_DATA_DIR, mu=0.02, exact=0, sqrt_fan_in=True)["rates"]
    assert written["share_in_paper_range"] < 0.5 and written["share_h_below_mu"] > 0.9
    assert wide["share_in_paper_range"] > 0.95 and wide["share_h_below_mu"] < 0.05
    assert 7e-5 <= wide["percentiles_1_50_99"][0] and wide["percentiles_1_50_99"][2] <= 0.016
