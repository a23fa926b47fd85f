"""Reading a row of digits (lenet/segment.py): over-segmentation, the batched scoring, Viterbi,
and the answers to bad input. Hand-made canvases; the shipped weights where a test needs a
trained network (skipped where they do not exist)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from lenet import segment
from lenet.checkpoint import load_model, weights_path
from lenet.model import build_model

TRAINED = weights_path("lenet5").is_file()


@pytest.fixture(scope="module")
def lenet5():
    if TRAINED:
        return load_model("lenet5")
    torch.manual_seed(0)
    return build_model("lenet5").eval()


def canvas(width: int = 560, height: int = 280) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    im = Image.new("L", (width, height), 255)
    return im, ImageDraw.Draw(im)


def zero(draw: ImageDraw.ImageDraw, left: int, top: int = 60, w: int = 90, h: int = 150, pen: int = 14) -> None:
    draw.ellipse((left, top, left + w, top + h), outline=0, width=pen)


def one(draw: ImageDraw.ImageDraw, x: int, top: int = 60, h: int = 150, pen: int = 14) -> None:
    draw.line((x, top, x, top + h), fill=0, width=pen)


def test_components_match_a_flood_fill():
    rng = np.random.default_rng(0)
    for _ in range(20):
        mask = rng.random((23, 31)) < 0.45
        labels, n = segment.components(mask)
        # Oracle: a plain 8-connected flood fill.
        seen = np.zeros(mask.shape, dtype=int)
        count = 0
        for y, x in zip(*np.nonzero(mask), strict=True):
            if seen[y, x]:
                continue
            count += 1
            stack = [(y, x)]
            seen[y, x] = count
            while stack:
                cy, cx = stack.pop()
                for dy in (-1, 0, 1):
                    for dx in (-1, 0, 1):
                        ny, nx = cy + dy, cx + dx
                        if 0 <= ny < 23 and 0 <= nx < 31 and mask[ny, nx] and not seen[ny, nx]:
                            seen[ny, nx] = count
                            stack.append((ny, nx))
        assert n == count
        assert ((labels > 0) == mask).all()
        # Same partition: each flood-fill component is exactly one label.
        for k in range(1, count + 1):
            assert len(np.unique(labels[seen == k])) == 1


def test_viterbi_picks_the_cheapest_path_of_a_hand_built_graph():
    # Cuts 0..3. Arcs: 0→1 (2), 1→3 (2), 0→2 (1), 2→3 (1.5), 0→3 (10), 1→2 (0.1).
    arcs = {(0, 1): 2.0, (1, 3): 2.0, (0, 2): 1.0, (2, 3): 1.5, (0, 3): 10.0, (1, 2): 0.1}
    cost, path = segment.viterbi(4, arcs, np.zeros(4))
    assert path == [0, 2, 3] and cost == pytest.approx(2.5)
    # Passing through cut 2 now costs 5: 0→1→3 (4) wins over 0→2→3 (7.5) and 0→1→2→3 (8.6).
    cost, path = segment.viterbi(4, arcs, np.array([0.0, 0.0, 5.0, 0.0]))
    assert path == [0, 1, 3] and cost == pytest.approx(4.0)
    # Brute force over every path agrees.
    best = min(
        (sum(arcs[(a, b)] for a, b in zip(p[:-1], p[1:], strict=True)) + (5.0 if 2 in p else 0.0), p)
        for p in ([0, 3], [0, 1, 3], [0, 2, 3], [0, 1, 2, 3])
    )
    assert cost == pytest.approx(best[0]) and path == best[1]
    assert segment.viterbi(3, {(0, 1): 1.0}, np.zeros(3)) == (float("inf"), [])


def test_touching_digits_get_a_cut_at_the_valley_of_the_profile():
    im, d = canvas()
    zero(d, 100)
    zero(d, 220)
    d.line((180, 135, 230, 135), fill=0, width=10)  # a ligature joins them: one piece of ink
    work, status, scale, origin = segment._working_ink(np.asarray(im))
    mask = work > segment.INK_LEVEL
    assert segment.components(mask)[1] == 1
    height = segment._estimate_height(mask)
    seg = segment.oversegment(work, height)
    junction = (205 - origin[0]) / scale  # the middle of the ligature, in working pixels
    ink_cuts = [np.mean([x for x, _ in seg.cut_lines[i]]) for i, k in enumerate(seg.cut_kinds) if k == "ink"]
    assert ink_cuts, "no cut through the touching ink"
    assert min(abs(x - junction) for x in ink_cuts) < 0.1 * height


def test_two_separate_digits_are_two_pieces(lenet5):
    im, d = canvas()
    one(d, 160)
    zero(d, 300)
    reading = segment.read_number(lenet5, np.asarray(im))
    assert len(reading.pieces) == 2
    assert [c.kind for c in reading.cuts if c.on_path] == ["start", "gap", "end"]
    assert reading.pieces[0].box[2] < 220 < 290 < reading.pieces[1].box[0]  # boxes in input pixels
    if TRAINED:
        assert reading.digits == "10"
        assert reading.message == "Read 2 digits: 10."


@pytest.mark.parametrize("second", [180, 186])  # the loops overlap by 10 px, or just touch
def test_touching_digits_are_read_as_two(lenet5, second):
    im, d = canvas()
    zero(d, 100)
    zero(d, second)
    reading = segment.read_number(lenet5, np.asarray(im))
    if TRAINED:
        assert reading.digits == "00"
        assert [c.kind for c in reading.cuts if c.on_path] == ["start", "ink", "end"]


def test_a_thin_one_is_a_digit(lenet5):
    im, d = canvas()
    one(d, 120)
    zero(d, 160)
    zero(d, 260)
    reading = segment.read_number(lenet5, np.asarray(im))
    if TRAINED:
        assert reading.digits == "100"


def test_batched_scoring_equals_scoring_each_piece_alone(lenet5):
    im, d = canvas()
    one(d, 120)
    zero(d, 160)
    zero(d, 260)
    reading = segment.read_number(lenet5, np.asarray(im))
    assert len(reading.graph) == len(reading.inputs) == len(reading.energies) > 3
    alone = np.concatenate([segment.energies(lenet5, x[None]) for x in reading.inputs])
    np.testing.assert_allclose(reading.energies, alone, rtol=1e-4, atol=1e-3)
    # The graph's arcs carry the best digit of those energies.
    for piece, e in zip(reading.graph, reading.energies, strict=True):
        assert piece.energy == pytest.approx(float(e[piece.digit]))
        assert piece.start < piece.end
    # The chosen pieces are a path from the first cut to the last.
    ends = [(p.start, p.end) for p in reading.pieces]
    assert ends[0][0] == 0 and ends[-1][1] == len(reading.cuts) - 1
    assert all(a[1] == b[0] for a, b in zip(ends[:-1], ends[1:], strict=True))


@pytest.mark.parametrize("image", [None, np.full((280, 560), 255, np.uint8), np.zeros((280, 560, 4), np.uint8)])
def test_blank_input_gets_a_clear_message(lenet5, image):
    reading = segment.read_number(lenet5, image)
    assert reading.digits == "" and reading.message == segment.BLANK
    assert reading.pieces == [] and reading.graph == []


def test_a_single_digit(lenet5):
    im, d = canvas()
    zero(d, 230)
    reading = segment.read_number(lenet5, np.asarray(im))
    assert len(reading.pieces) == 1
    if TRAINED:
        assert reading.digits == "0" and reading.message == "Read 1 digit: 0."


def test_forty_digits_are_refused_quickly(lenet5):
    im, d = canvas(2000, 100)
    for k in range(40):
        d.ellipse((20 + 48 * k, 20, 20 + 48 * k + 30, 80), outline=0, width=5)
    reading = segment.read_number(lenet5, np.asarray(im))
    assert reading.digits == "" and reading.message == segment.TOO_LONG


def test_a_scribble_across_everything_is_not_a_number(lenet5):
    im, d = canvas(1120, 280)
    for k in range(5):
        zero(d, 100 + 160 * k)
    xs = np.linspace(60, 1060, 60)
    d.line([(x, 40 if i % 2 else 240) for i, x in enumerate(xs)], fill=0, width=12)
    reading = segment.read_number(lenet5, np.asarray(im))
    assert reading.digits == "" and reading.message == segment.NOISE


def test_not_a_picture_raises_the_usual_error(lenet5):
    from lenet.preprocess import UnreadableImage

    with pytest.raises(UnreadableImage):
        segment.read_number(lenet5, b"not an image")


def test_naive_components_reading(lenet5):
    im, d = canvas()
    one(d, 160)
    zero(d, 300)
    assert len(segment.read_components(lenet5, np.asarray(im))) == 2
    assert segment.read_components(lenet5, None) == ""
