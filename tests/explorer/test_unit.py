"""Follow a unit: the network view's buttons over every map, and the panel's HTML — the receptive
field box, the maps read (C3: Table I lit, the others dimmed), the kernels and the arithmetic with the
model's own numbers; bad units and networks answered with the reason."""

from __future__ import annotations

import re

import gradio as gr
import numpy as np
import pytest

from explorer.bend import Bend
from explorer.network_view import network_html
from explorer.reading import PageReading
from explorer.unit import EMPTY, Follow, num, unit_html
from lenet.model import C3_TABLE
from lenet.transform import RANGES
from lenet.units import explain, model_value, parse
from tests.weights import untrained

DIGIT = np.zeros((28, 28), np.float32)
DIGIT[4:24, 13:16] = 1.0  # a 1
DIGIT[4:7, 8:16] = 1.0


@pytest.fixture(scope="module")
def lenet5():
    return untrained("lenet5")


@pytest.fixture(scope="module")
def lenet1():
    return untrained("lenet1")


def boxes(page: str) -> list[tuple[float, float, float, float]]:
    """(top, left, height, width) in % of every box drawn over a picture."""
    found = re.findall(r'class="box" style="top:([\d.]+)%;left:([\d.]+)%;height:([\d.]+)%;width:([\d.]+)%"', page)
    return [tuple(float(v) for v in b) for b in found]


@pytest.mark.parametrize("name", ["lenet5", "lenet1"])
def test_every_map_and_unit_of_the_view_is_a_button(name):
    network = untrained(name)
    page = network_html(network, network.read(DIGIT))
    for layer in network.layers:
        if layer.name in ("C1", "S2", "C3", "S4"):
            grid = re.search(rf'<div class="unit-grid" data-layer="{layer.name}" data-h="{layer.size[0]}" '
                             rf'data-w="{layer.size[1]}" style="[^"]*">(.*?)</div>', page)  # fmt: skip
            assert grid, layer.name
            assert re.findall(r'<button class="unit-hit" data-map="(\d+)"', grid[1]) == [
                str(m) for m in range(layer.maps)
            ]
    assert page.count('data-layer="Output"') == 10 and page.count('tabindex="0" role="button"') == 10
    assert page.count('data-block="1"') == (2 if name == "lenet5" else 0)  # C5 and F6
    assert page.count("<button") == page.count("aria-label=") - 10  # every button is named, and the outputs
    # the grid over C1 sits one grey pixel inside the picture, its gaps one pixel
    w = 1 + 4 * (24 + 1) if name == "lenet1" else 1 + 6 * (28 + 1)
    h = 24 + 2 if name == "lenet1" else 28 + 2
    assert f'style="inset:{100 / h:.3f}% {100 / w:.3f}%;gap:{100 / (h - 2):.3f}% {100 / (w - 2):.3f}%' in page


def test_c3_panel(lenet5):
    reading = lenet5.read(DIGIT)
    page = unit_html(lenet5, DIGIT, "C3:5:4:7")
    e = explain(lenet5.net, reading.acts, parse("C3:5:4:7", lenet5.net))
    assert "Following C3 map 5, unit (4, 7) of LeNet-5" in page
    # the receptive field: rows 8–21, columns 14–27 of 32, boxed on the input
    assert "14×14 of 32×32" in page and "rows 8–21, columns 14–27" in page
    assert boxes(page)[0] == pytest.approx((100 * 8 / 32, 100 * 14 / 32, 100 * 14 / 32, 100 * 14 / 32), abs=0.01)
    # all six S2 maps, Table I's column lit with the 5×5 window, the others dimmed
    assert page.count('class="unit-pic used"') == 3 and page.count('class="unit-pic unused"') == 3
    assert f"reads S2 maps {', '.join(map(str, C3_TABLE[5]))}: Table I, column 5" in page
    assert boxes(page)[1:4] == [pytest.approx((100 * 4 / 14, 100 * 7 / 14, 100 * 5 / 14, 100 * 5 / 14), abs=0.01)] * 3
    assert boxes(page)[4] == pytest.approx((40, 70, 10, 10), abs=0.01)  # the unit in its own 10×10 map
    assert page.count('alt="kernel') == 3 and "3 kernels 5×5" in page
    # the arithmetic, with the model's own value
    value = model_value(reading.acts, parse("C3:5:4:7", lenet5.net))
    assert f"<b>{num(value)}</b>: the value shown" in page
    assert f"Σ weights × inputs = {num(e.weighted_sum)} (75 products)" in page
    assert f"1.7159·tanh(2/3 · {num(e.pre)})" in page


@pytest.mark.parametrize(
    "text, says",
    [
        ("C1:2:3:4", ["5×5 of 32×32", "rows 3–7, columns 4–8", "1 kernel 5×5"]),
        ("S2:1:5:6", ["6×6 of 32×32", "a 2×2 block of C1 map 1", "× coefficient", "one trainable coefficient"]),
        ("S4:3:2:1", ["16×16 of 32×32", "rows 8–23, columns 4–19", "a 2×2 block of C3 map 3"]),
        ("C5:17", ["the whole input", "reads all 16 S4 maps", "16 kernels 5×5"]),
        ("F6:3", ["all 120 C5 units", "120, one per C5 unit"]),
        ("Output:4", ["Σ (F6 − prototype 4)² over the 84 units", "Prototype 4", "(F6 − prototype)²</b> per unit"]),
    ],
)
def test_every_layer_of_lenet5(lenet5, text, says):
    page = unit_html(lenet5, DIGIT, text)
    for s in says:
        assert s in page, s
    value = model_value(lenet5.read(DIGIT).acts, parse(text, lenet5.net))
    assert f"value <b>{num(value)}</b>" in page


@pytest.mark.parametrize(
    "text, says",
    [
        ("C3:5:4:7", ["reads all 4 S2 maps, a 5×5 window of each", "4 kernels 5×5"]),
        ("S2:1:5:6", ["the mean of the 2×2 block", "no weights and no squashing", "none: a plain average"]),
        ("Output:4", ["28×28 of 28×28", "all 192 S4 units (12 maps)", "one 4×4 block per S4 map", "not squashed"]),
    ],
)
def test_lenet1(lenet1, text, says):
    page = unit_html(lenet1, DIGIT, text)
    for s in says:
        assert s in page, s


def test_blank_paper_and_bad_units(lenet5, lenet1):
    assert "numbers for blank paper" in unit_html(lenet5, None, "C1:0:0:0")
    assert "has no layer &#x27;F6&#x27;" in unit_html(lenet1, DIGIT, "F6:2")
    refused = unit_html(lenet5, DIGIT, "C3:99:0:0")
    assert 'class="refused"' in refused and "16 maps" in refused
    assert "&lt;script&gt;" in unit_html(lenet5, DIGIT, "<script>:1")


def test_follow_only_works_while_a_unit_is_followed(lenet5):
    follow = Follow({"lenet5": lenet5})
    page = PageReading(lenet5, DIGIT)
    assert follow.html(page, "") == EMPTY and follow.html(page, None) == EMPTY
    assert "no network called" in follow.seen(DIGIT, "lenet9", "C1:0:0:0")
    assert "Following C1 map 0" in follow.follow(page, "C1:0:0:0")
    skipped = follow.follow(page, "")
    assert not isinstance(skipped, str)  # gr.skip(): the panel keeps what it shows


def test_the_panel_reads_the_bent_digit_while_the_network_view_shows_it(lenet5):
    """Issue 12: while "Bend the digit" bends the digit, the network view shows the bent one, and so does
    the panel (saying so); a bent digit of another drawing (a later one read) is ignored."""
    follow = Follow({"lenet5": lenet5})
    bend = Bend({"lenet5": lenet5})
    turned = [30.0 if n == "rotation" else r.neutral for n, r in RANGES.items()]
    view, shown, *_, seen = bend.follow(PageReading(lenet5, DIGIT), True, "rotation", turned)
    plain = follow.seen(DIGIT, "lenet5", "C1:0:10:10")
    bent = follow.seen(DIGIT, "lenet5", "C1:0:10:10", seen)
    assert bent == follow.follow(shown, "C1:0:10:10")  # the canvas's reading gives the panel the same
    assert "rotation +30°" in bent and "rotation +30°" not in plain
    value = re.search(r"value <b>([^<]+)</b>", bent).group(1)  # the value the bent digit's view shows
    want = lenet5.read(seen["digit"]).acts["C1"][0, 10, 10]
    assert value == num(float(want)) and value != re.search(r"value <b>([^<]+)</b>", plain).group(1)
    other = DIGIT.copy()
    other[0, 0] = 1.0
    assert "bent" not in follow.seen(other, "lenet5", "C1:0:10:10", seen)  # stale: the digit read is another
    assert not isinstance(follow.follow(gr.skip(), "C1:0:10:10"), str)  # the view left as it was
