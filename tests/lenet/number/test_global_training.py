"""Training through the whole graph (lenet/number/global_training.py): the forward algorithm against
brute force over every path, the loss's sign and gradient on real segmentation graphs, and the
network it ships."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from lenet.checkpoint import NETWORKS, architecture, load_model, read_info, weights_path
from lenet.model import build_model
from lenet.number import build_graph, costs_for, read_number, write_number
from lenet.number.global_training import (
    NumberGraph,
    constrained_cost,
    free_cost,
    graph_losses,
    number_graph,
    parse_args,
    read_graphs,
    soft_min,
)
from tests.lenet.number.test_train_pieces import bar, ring
from tests.weights import WEIGHTS, require_trained


@pytest.fixture(scope="module")
def network():
    torch.manual_seed(0)
    return build_model("lenet5").eval()


def hand_made(spans, node, truth) -> NumberGraph:
    """A graph with the given arcs (start, end) over ``len(node)`` cuts, no inputs."""
    spans = np.array(spans)
    into = [(np.nonzero(spans[:, 1] == b)[0], spans[spans[:, 1] == b, 0]) for b in range(1, len(node))]
    return NumberGraph(np.array(truth), np.zeros((len(spans), 28, 28), np.uint8),
                       np.zeros((len(spans), 10), np.float32), np.array(node, np.float64), into)  # fmt: skip


def paths(spans, cuts):
    """Every path from cut 0 to the last, as lists of arc indices."""

    def walk(at):
        if at == cuts - 1:
            yield []
            return
        for k, (a, b) in enumerate(spans):
            if a == at:
                for rest in walk(b):
                    yield [k, *rest]

    return list(walk(0))


SPANS = [(0, 1), (1, 2), (2, 3), (0, 2), (1, 3), (0, 3), (2, 4), (3, 4)]
NODE = [0.5, 1.0, -2.0, 0.0, 0.3]


@pytest.mark.parametrize("t", [0.0, 0.7, 5.0])
def test_the_forward_algorithm_equals_brute_force_over_every_path(t):
    gen = torch.Generator().manual_seed(1)
    cost = torch.rand(len(SPANS), 10, generator=gen, dtype=torch.float64) * 20
    truth = [3, 7]
    g = hand_made(SPANS, NODE, truth)
    free, right = [], []
    for path in paths(SPANS, len(NODE)):
        nodes = NODE[0] + sum(NODE[SPANS[k][1]] for k in path)
        for digits in itertools.product(range(10), repeat=len(path)):
            c = nodes + sum(float(cost[k, d]) for k, d in zip(path, digits, strict=True))
            free.append(c)
            if list(digits) == truth:
                right.append(c)
    assert len(right) == 2  # the paths of two arcs, 0-2-4 and 0-3-4, each reading 3 then 7
    want_free = soft_min(torch.tensor(free, dtype=torch.float64), t)
    want_right = soft_min(torch.tensor(right, dtype=torch.float64), t)
    assert float(free_cost(cost, g, t)) == pytest.approx(float(want_free), rel=1e-9, abs=1e-9)
    assert float(constrained_cost(cost, g, t)) == pytest.approx(float(want_right), rel=1e-9, abs=1e-9)


def test_soft_min_goes_to_the_min_as_the_temperature_goes_to_zero():
    x = torch.tensor([3.0, 1.0, 2.0], dtype=torch.float64)
    assert float(soft_min(x, 0.0)) == 1.0
    assert float(soft_min(x, 1e-3)) == pytest.approx(1.0, abs=1e-6)
    assert float(soft_min(x, 1.0)) < 1.0  # the soft-min counts every path: below the best one


def real_graphs(network, count=3, seed=0):
    """Segmentation graphs of numbers written with ring- and bar-like digits (no download)."""
    rng = np.random.default_rng(seed)
    shapes, out = {0: ring(), 1: bar()}, []
    for _ in range(2 * count):  # (touching bars may leave no path of three pieces: skipped)
        truth = rng.integers(0, 2, size=3)
        canvas, _ = write_number(np.stack([shapes[int(d)] for d in truth]), rng)
        graph, _, _, _ = build_graph(network, canvas)
        g = number_graph(graph, truth, costs_for("lenet5-pieces"))
        if g is not None:
            assert len(g.inputs) > 3
            out.append(g)
    assert len(out) >= count
    return out[:count]


@pytest.mark.parametrize("criterion", ["forward", "viterbi"])
def test_the_right_paths_cost_at_least_the_whole_graphs_soft_min(network, criterion):
    graphs = real_graphs(network)
    with torch.no_grad():
        loss = graph_losses(network, graphs, 5.0, criterion)
    assert loss.shape == (3,) and torch.all(loss >= -1e-9)
    if criterion == "forward":
        assert torch.all(loss > 0)  # every wrong path takes a share: never exactly zero


def test_the_gradient_reaches_lenet5_and_one_step_lowers_the_loss(network):
    torch.manual_seed(0)
    model = build_model("lenet5")
    graphs = real_graphs(network, count=2, seed=1)
    loss = graph_losses(model, graphs, 5.0, "forward").mean()
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert sum(float(g.abs().sum()) for g in grads) > 0
    with torch.no_grad():
        for p in model.parameters():
            p -= 1e-4 * p.grad
        after = graph_losses(model, graphs, 5.0, "forward").mean()
    assert float(after) < float(loss.detach())


def test_a_graph_without_a_path_of_the_right_length_is_skipped(network):
    canvas, _ = write_number(np.stack([ring(), bar()]), np.random.default_rng(0))
    graph, _, _, _ = build_graph(network, canvas)
    assert number_graph(graph, [0, 1], costs_for("lenet5-pieces")) is not None
    assert number_graph(graph, [0] * 40, costs_for("lenet5-pieces")) is None  # no 40 pieces to read


def test_read_graphs_agrees_with_read_number():
    require_trained("lenet5-pieces")
    model = load_model("lenet5-pieces", WEIGHTS)
    costs = costs_for("lenet5-pieces")
    rng = np.random.default_rng(3)
    for truth in ([0, 1], [1, 0, 0], [1, 1, 0, 1]):
        canvas, _ = write_number(np.stack([ring() if d == 0 else bar() for d in truth]), rng)
        g = number_graph(build_graph(model, canvas)[0], truth, costs)
        read = read_number(model, canvas, costs).digits
        assert read_graphs(model, [g], costs) == float(read == "".join(map(str, truth)))
        wrong = NumberGraph(np.array([(d + 1) % 10 for d in truth]), g.inputs, g.fixed, g.node, g.into)
        assert read_graphs(model, [wrong], costs) == 0.0


def test_the_logged_command_leaves_out_where_files_go():
    argv = ["--lr", "3e-4", "--cache", "runs/c", "--out-dir", "runs/o", "--threads", "1"]
    assert parse_args(argv).argv == ["--lr", "3e-4", "--threads", "1"]


def test_the_globally_trained_network_is_offered_and_reads_numbers(mnist_test):
    assert "lenet5-global" in NETWORKS and architecture("lenet5-global") == "lenet5"
    require_trained("lenet5-global")
    model = load_model("lenet5-global", WEIGHTS)
    info = read_info(weights_path("lenet5-global", WEIGHTS))
    assert info["criterion"] in ("forward", "viterbi") and info["init"].endswith("lenet5-pieces.safetensors")
    costs = costs_for("lenet5-global")
    for seed in range(3):
        canvas, _ = write_number(np.stack([ring(), bar()]), np.random.default_rng(seed))
        assert read_number(model, canvas, costs).digits == "01", seed
    x, y = mnist_test
    rng = np.random.default_rng(0)
    right = 0
    for _ in range(10):  # 10 numbers of 3 MNIST test digits: the reader gets nearly all
        pick = rng.choice(len(y), size=3, replace=False)
        canvas, _ = write_number(x[pick, 0].numpy(), rng)
        right += read_number(model, canvas, costs).digits == "".join(str(int(d)) for d in y[pick])
    assert right >= 8
