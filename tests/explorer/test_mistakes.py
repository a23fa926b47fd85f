"""The test-set explorer: it lists exactly the digits the network gets wrong, read from the shipped
files — checked against an independent run of the network on the shipped images (and on MNIST
itself where it is fetched), and on a synthetic shipment whose answers are known."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from explorer.mistakes import explorer_html, load_testset
from explorer.pictures import thumbnail
from lenet.checkpoint import load_model
from lenet.evaluate import calibrate, errors_path, summarize, write_misclassified
from lenet.network import read_log
from tests.weights import WEIGHTS


@pytest.fixture
def shipped(tmp_path):
    """A synthetic shipment: 50 "test digits" with known scores, written by the real writers."""
    g = torch.Generator().manual_seed(0)
    x = torch.rand(50, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (50,), generator=g)
    s = torch.randn(50, 10, generator=g)
    s[:35, :] -= 10 * torch.nn.functional.one_hot(y[:35], 10).neg()  # the first 35 are read right
    r = summarize(s, y, calibrate(s, y))
    (tmp_path / "lenet5.json").write_text(json.dumps({"model": "lenet5", **r}))
    write_misclassified(errors_path("lenet5", tmp_path), x, y, s)
    return tmp_path, x, y, s


def test_lists_exactly_the_mistakes_in_order(shipped):
    folder, x, y, s = shipped
    ts = load_testset("lenet5", folder)
    wrong = torch.nonzero(s.argmax(1) != y).flatten().numpy()
    assert sorted(ts.indices.tolist()) == wrong.tolist()
    assert len(ts.images) == ts.confusion.sum() - np.trace(ts.confusion)
    for k, i in enumerate(ts.indices):
        assert ts.labels[k] == y[i] and ts.predictions[k] == s[i].argmax() != y[i]
        assert ts.runner_up[k] == s[i].topk(2).indices[1]
        np.testing.assert_array_equal(ts.images[k], (x[i, 0] * 255).round().to(torch.uint8).numpy())
        np.testing.assert_allclose(ts.digit(k), ts.images[k] / 255.0)
        assert ts.digit(k).dtype == np.float32
    keys = list(zip(ts.labels.tolist(), ts.predictions.tolist(), ts.indices.tolist(), strict=True))
    assert keys == sorted(keys)  # by true digit, then the digit read, then test index


def test_explorer_html_has_one_thumbnail_per_mistake_and_a_clickable_cell_per_kind(shipped):
    folder, *_ = shipped
    ts = load_testset("lenet5", folder)
    page = explorer_html(ts, "LeNet-5", 1.0)
    picks = [int(k) for k in re.findall(r'data-pick="(\d+)"', page)]
    assert picks == list(range(len(ts.images)))
    cells = set(re.findall(r'<td class="miss" data-cell="(\d,\d)"', page))
    assert cells == {f"{t},{p}" for t, p in zip(ts.labels, ts.predictions, strict=True)}
    assert f"{len(ts.images)} of the 50" in page
    # each such cell is a button to a keyboard and a screen reader: focusable, named, not yet pressed
    named = re.findall(r'data-cell="(\d),(\d)"[^>]*tabindex="0" role="button" aria-pressed="false" '
                       r'aria-label="(\d) read as (\d): (\d+) digits?"', page)  # fmt: skip
    assert {f"{t},{p}" for t, p, *_ in named} == cells
    for t, p, t2, p2, n in named:
        assert (t, p) == (t2, p2) and int(n) == ts.confusion[int(t), int(p)]


def test_missing_files_give_an_empty_explorer_with_a_note(tmp_path):
    ts = load_testset("lenet1", tmp_path)
    assert ts.images.shape == (0, 28, 28) and ts.confusion is None and read_log("lenet1", tmp_path) == {}
    page = explorer_html(ts, "LeNet-1", 1.0)
    assert "No misread test digits" in page and "data-pick" not in page


def test_thumbnail_is_black_ink_on_white():
    img = np.zeros((28, 28), np.uint8)
    img[10, 10] = 255
    rgb = thumbnail(img)
    assert rgb.shape == (28, 28, 3) and rgb.dtype == np.uint8
    assert (rgb[10, 10] == 0).all() and (rgb[0, 0] == 255).all()


@pytest.mark.usefixtures("trained")
@pytest.mark.parametrize("name", ["lenet5", "lenet1"])
def test_shipped_mistakes_are_the_networks_own(name):
    """The network itself, run on the shipped images, gets every one of them wrong, as stated; the
    list agrees with the training log; the app's reading shows each exactly as shipped."""
    from lenet.reading import read_digit

    ts = load_testset(name, WEIGHTS)
    net = load_model(name, WEIGHTS)
    with torch.no_grad():
        scores = net(torch.from_numpy(ts.images).float()[:, None] / 255.0)
    pred = scores.argmax(1).numpy()
    assert (pred != ts.labels).all()
    np.testing.assert_array_equal(pred, ts.predictions)
    log = read_log(name, WEIGHTS)
    assert sorted(ts.indices.tolist()) == sorted(log["misclassified"])
    assert len(ts.images) == log["errors"] == ts.confusion.sum() - np.trace(ts.confusion)
    assert ts.confusion.sum() == ts.n == 10_000
    counts = np.zeros((10, 10), np.int64)
    np.add.at(counts, (ts.labels, ts.predictions), 1)
    off = ts.confusion.copy()
    np.fill_diagonal(off, 0)
    np.testing.assert_array_equal(counts, off)
    np.testing.assert_allclose(ts.per_class_error, off.sum(1) / ts.confusion.sum(1))
    for k in range(0, len(ts.images), max(1, len(ts.images) // 20)):
        assert read_digit(net, ts.digit(k)).digit == ts.predictions[k]


@pytest.mark.usefixtures("trained")
@pytest.mark.parametrize("name", ["lenet5", "lenet1"])
def test_shipped_mistakes_are_all_of_mnists(name, mnist_test):
    """On the real MNIST test set (where fetched), the network's mistakes are the shipped ones."""
    x, y = mnist_test
    net = load_model(name, WEIGHTS)
    with torch.no_grad():
        wrong = torch.cat([net(x[i : i + 1000]).argmax(1) != y[i : i + 1000] for i in range(0, len(x), 1000)])
    ts = load_testset(name, WEIGHTS)
    assert sorted(ts.indices.tolist()) == torch.nonzero(wrong).flatten().tolist()
    np.testing.assert_array_equal(ts.images, (x[ts.indices, 0] * 255).round().to(torch.uint8).numpy())
