"""The rubbish pieces that lenet/number/train_pieces.py trains on, and the piece network it ships.

Numbers are written with a few hand-picked MNIST-like digits drawn here (no data download): the
labelling must call a piece a digit only when it is that one digit, and rubbish when it holds two
digits or a fragment of one."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lenet.checkpoint import NETWORKS, architecture, load_model, read_info, weights_path
from lenet.model import build_model
from lenet.number import build_graph, costs_for, read_number, write_number
from lenet.number.train_pieces import RUBBISH, good_path, label_pieces, owner_map, piece_figures, piece_shares
from tests.weights import WEIGHTS, require_trained


def ring(size: int = 28) -> np.ndarray:
    """A 0-like ellipse, ink in [0, 1], in a 28×28 field."""
    y, x = np.mgrid[:size, :size]
    r = np.hypot((x - 14) / 6.0, (y - 14) / 9.0)
    return np.clip(1.6 - 6 * np.abs(r - 1), 0, 1).astype(np.float32)


def bar(size: int = 28) -> np.ndarray:
    """A 1-like vertical stroke."""
    a = np.zeros((size, size), np.float32)
    a[4:24, 13:16] = 1.0
    return a


@pytest.fixture(scope="module")
def network():
    torch.manual_seed(0)
    return build_model("lenet5").eval()


def labelled(network, digits, labels, seed):
    canvas, touching, layers = write_number(np.stack(digits), np.random.default_rng(seed), layers=True)
    graph, _, scale, origin = build_graph(network, canvas)
    return graph, label_pieces(graph, layers, np.array(labels), scale, origin), touching


def test_layers_do_not_change_the_canvas():
    digits = np.stack([ring(), bar(), ring()])
    a, ta = write_number(digits, np.random.default_rng(3))
    b, tb, layers = write_number(digits, np.random.default_rng(3), layers=True)
    assert (a == b).all() and ta == tb
    assert layers.shape == (3, *a.shape[:2])
    ink = 1 - a[..., 0] / 255.0
    assert np.abs(layers.max(axis=0) - ink).max() < 1 / 255 + 1e-6


def test_pieces_that_are_not_one_digit_are_rubbish(network):
    seen_rubbish = seen_digit = 0
    for seed in range(6):
        graph, targets, _ = labelled(network, [ring(), bar(), ring(), ring()], [0, 1, 0, 0], seed)
        for t in targets:
            if t == RUBBISH:
                seen_rubbish += 1
            elif t >= 0:
                seen_digit += 1
                # A digit piece is never a run that holds two separate pieces of ink that are two digits.
                assert t in (0, 1)
        # The whole row (four digits) is never one digit.
        whole = [k for k, span in enumerate(graph.spans) if span == (0, len(graph.seg.boxes))]
        assert all(targets[k] in (RUBBISH, -1) for k in whole)
    assert seen_rubbish > 0 and seen_digit > 0


def test_separate_digits_are_their_own_labels(network):
    for seed in range(10):
        graph, targets, touching = labelled(network, [ring(), bar()], [0, 1], seed)
        if touching[0]:
            continue
        gaps = [i for i, kind in enumerate(graph.seg.cut_kinds) if kind == "gap"]
        assert gaps, "two digits apart: a gap between them"
        cut = gaps[0]
        index = {span: k for k, span in enumerate(graph.spans)}
        assert targets[index[(0, cut)]] == 0 and targets[index[(cut, len(graph.seg.boxes))]] == 1
        assert targets[index[(0, len(graph.seg.boxes))]] == RUBBISH  # both digits: rubbish
        return
    pytest.fail("no untouching pair in 10 seeds")


def test_good_path_is_the_right_segmentation_and_nothing_else(network):
    """The ceiling of bench/read_number.py --ceiling: a path of one-digit pieces, each digit once, in order."""
    for seed in range(3):
        canvas, _, layers = write_number(
            np.stack([ring(), bar(), ring()]), np.random.default_rng(seed), 0.0, layers=True
        )
        graph, _, scale, origin = build_graph(network, canvas)
        shares = piece_shares(graph, layers, scale, origin)
        # The owner map (what the bench keeps per number) gives the same shares as the layers.
        for a, b in zip(shares, piece_shares(graph, owner_map(layers), scale, origin), strict=True):
            np.testing.assert_array_equal(a, b)
        main, purity, coverage = shares
        assert good_path(graph, main, purity, coverage, 3)  # three digits apart: cut at the gaps
        assert not good_path(graph, main, purity, coverage, 4)  # no fourth digit to read
        assert not good_path(graph, main, purity, coverage * 0.7, 3)  # pieces holding 70% of a digit: none
        assert not good_path(graph, np.where(main >= 0, 2 - main, -1), purity, coverage, 3)  # right to left


def test_piece_figures(network):
    x = torch.rand(6, 1, 28, 28)
    t = torch.tensor([0, 1, 2, RUBBISH, RUBBISH, RUBBISH])
    f = piece_figures(network, x, t)
    assert f["good_pieces"] == 3 and f["rubbish_pieces"] == 3
    assert 0 <= f["good_piece_error"] <= 1


def test_the_piece_network_is_offered_loads_and_reads_a_ring_and_a_bar():
    assert "lenet5-pieces" in NETWORKS and architecture("lenet5-pieces") == "lenet5"
    require_trained("lenet5-pieces")
    model = load_model("lenet5-pieces", WEIGHTS)
    assert model.name == "lenet5" and read_info(weights_path("lenet5-pieces", WEIGHTS))["j"] == 20.0
    for seed in range(3):  # written three ways: the 0-like ring and the 1-like bar, read as "01"
        canvas, _ = write_number(np.stack([ring(), bar()]), np.random.default_rng(seed))
        reading = read_number(model, canvas, costs_for("lenet5-pieces"))
        assert reading.digits == "01" and len(reading.pieces) == 2, (seed, reading.message)


def test_the_logged_command_leaves_out_where_files_go():
    from lenet.number.train_pieces import parse_args

    argv = ["--j", "20", "--cache", "runs/c", "--out-dir", "runs/o", "--threads", "1", "--cache=x"]
    assert parse_args(argv).argv == ["--j", "20", "--threads", "1"]
