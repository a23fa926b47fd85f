"""The "Read a number" tab's pictures (explorer/number.py): the cuts drawn where the reading puts
them, the pieces of the path boxed in their colours, the graph's cells under the segments they
cover, the digits read; from readings typed by hand and from a real one."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from explorer.number import (
    CELL,
    COLOURS,
    DIGIT_COLOURS,
    INVITATION,
    NONE_FILL,
    digits_html,
    graph_html,
    output_map_svg,
    picture_svg,
    sdnn_alt,
    sdnn_html,
    sprite,
    view_box,
    winners,
)
from lenet import number
from lenet.model import build_model
from lenet.number import Cut, NumberReading, Piece, SdnnReading
from tests.canvases import ONE, SEVEN, ZERO


def piece(start, end, box, digit, on_path, cost=-20.0):
    return Piece(start=start, end=end, box=box, digit=digit, runner_up=(digit + 1) % 10, energy=5.0, cost=cost,
                 on_path=on_path)  # fmt: skip


def cut(index, kind, line, cost, on_path):
    return Cut(index=index, kind=kind, line=line, cost=cost, on_path=on_path)


def reading() -> NumberReading:
    """Three segments on a 300×100 picture, read "17": segments 0 and 1+2 on the path."""
    cuts = [
        cut(0, "start", [(10.0, 0.0), (10.0, 100.0)], 0.0, True),
        cut(1, "gap", [(95.0, 15.0), (95.0, 85.0)], -10.0, True),
        cut(2, "ink", [(180.0, 10.0), (185.0, 50.0), (190.0, 90.0)], 4.0, False),
        cut(3, "end", [(280.0, 0.0), (280.0, 100.0)], 0.0, True),
    ]
    graph = [
        piece(0, 1, (10, 15, 80, 85), 1, True),
        piece(0, 2, (10, 10, 185, 90), 4, False, cost=50.0),
        piece(1, 2, (100, 10, 185, 90), 7, False),
        piece(1, 3, (100, 10, 280, 90), 7, True),
        piece(2, 3, (185, 20, 280, 90), 1, False),
    ]
    inputs = np.zeros((len(graph), 28, 28), np.float32)
    for k in range(len(graph)):
        inputs[k, 4:24, 10 + k] = 1.0  # a stroke in a different column for each piece
    path = [g for g in graph if g.on_path]
    return NumberReading(digits="17", message="Read 2 digits: 17.", pieces=path, cuts=cuts, graph=graph, inputs=inputs,
                         path_cost=-30.0, digit_height=70.0)  # fmt: skip


def ink() -> np.ndarray:
    picture = np.full((100, 300), 255, np.uint8)
    picture[15:85, 40:50] = 0
    picture[10:90, 120:270] = 0
    return picture


def test_the_inner_cuts_are_drawn_along_their_lines_solid_on_the_path_dashed_off_it():
    svg = picture_svg(reading(), ink())
    lines = re.findall(r'<polyline class="cut (\w+) (\w+)" points="([^"]+)"[^>]*stroke-dasharray="([^"]+)"', svg)
    assert lines == [
        ("on", "gap", "95.0,15.0 95.0,85.0", "none"),
        ("off", "ink", "180.0,10.0 185.0,50.0 190.0,90.0", lines[1][3]),
    ]  # the first and last cuts (the ends of the ink) are not drawn
    assert lines[1][3] != "none"


def test_the_pieces_of_the_path_are_boxed_in_their_colours_and_labelled_with_their_digit():
    svg = picture_svg(reading(), ink())
    rects = re.findall(r'<rect class="piece" x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" stroke="([^"]+)"', svg)
    assert rects == [("10", "15", "70", "70", COLOURS[0]), ("100", "10", "180", "80", COLOURS[1])]
    labels = re.findall(r'<text x="([\d.]+)"[^>]*fill="([^"]+)">(\d)</text>', svg)
    assert [(float(x), c, d) for x, c, d in labels] == [(45.0, COLOURS[0], "1"), (190.0, COLOURS[1], "7")]
    assert svg.count('<image href="data:image/png;base64,') == 1  # the ink under them, once
    assert 'width="300" height="100"' in svg  # in the picture's own pixels, as the reading's coordinates


def test_the_view_is_the_pieces_with_a_margin_within_the_picture():
    margin = 70.0 / 3  # a third of the digit height
    x, y, w, h = view_box(reading(), (100, 400))
    assert (x, y) == (0.0, 0.0)  # the margin is clipped at the left and the top
    assert (x + w, y + h) == pytest.approx((280 + margin, 100.0))  # ... not at the right; at the bottom


def test_nothing_cut_draws_nothing_and_blank_invites():
    empty = NumberReading("", number.BLANK)
    assert picture_svg(empty, ink()) == "" and graph_html(empty) == ""
    assert number.BLANK in digits_html(empty, "LeNet-5")
    assert digits_html(NumberReading("", ""), "LeNet-5") == INVITATION


def test_the_graph_has_one_cell_per_piece_in_the_row_of_its_first_cut():
    html = graph_html(reading())
    cells = re.findall(r'<div class="arc( path)?" style="grid-area:(\d+)/(\d+)', html)
    # rows: the header, then cuts 0, 1, 2; columns: the cut's label, then 1, 2 segments
    assert [(bool(p), int(r), int(c)) for p, r, c in cells] == [
        (True, 2, 2),  # cut 0 → 1: on the path
        (False, 2, 3),  # cut 0 → 2
        (False, 3, 2),  # cut 1 → 2
        (True, 3, 3),  # cut 1 → 3: on the path
        (False, 4, 2),  # cut 2 → 3
    ]
    assert "repeat(2," in html  # the longest piece covers two segments: two columns
    assert re.findall(r'<div class="cut( on)?" style="grid-area:(\d)/1">(\d)</div>', html) == [
        (" on", "2", "0"),
        (" on", "3", "1"),
        ("", "4", "2"),  # cut 2 is not on the path
    ]
    assert re.findall(r"<b>(\d)</b><small>([+-]\d+)</small>", html)[:2] == [("1", "-20"), ("4", "+50")]
    assert re.findall(r"--piece:(#\w+)", html) == [COLOURS[0], COLOURS[1]]


def test_the_sprite_holds_each_piece_s_field_where_its_cell_looks():
    r = reading()
    uri = sprite(r.inputs)
    import base64
    import io

    from PIL import Image

    tiles = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))
    html = graph_html(r)
    offsets = [(-int(x), -int(y)) for x, y in re.findall(r"background-position:(-?\d+)px (-?\d+)px", html)]
    for k, (x, y) in enumerate(offsets):
        tile = tiles[y : y + 28, x : x + 28]
        assert np.array_equal(np.flatnonzero(tile.min(axis=0) < 128), [10 + k])  # its own stroke, black


def test_the_digits_are_big_and_coloured_as_their_pieces():
    html = digits_html(reading(), "LeNet-5")
    assert re.findall(r'<span style="color:([^"]+)">(\d)</span>', html) == [(COLOURS[0], "1"), (COLOURS[1], "7")]
    one = NumberReading(digits="7", message="Read 1 digit: 7.", pieces=[piece(0, 1, (0, 0, 5, 5), 7, True)])
    assert "one digit" in digits_html(one, "LeNet-5")


@pytest.fixture(scope="module")
def real():
    """A real reading (an untrained LeNet-5: only the geometry is checked) of 1, 7, 0 drawn apart."""
    picture = np.full((120, 420), 255, np.uint8)
    from PIL import Image, ImageDraw

    im = Image.fromarray(picture)
    draw = ImageDraw.Draw(im)
    for i, shape in enumerate((ONE, SEVEN, ZERO)):
        draw.line([(40 + 130 * i + 60 * x, 15 + 90 * y) for x, y in shape], fill=0, width=8)
    torch.manual_seed(0)
    array = np.asarray(im)
    return number.read_number(build_model("lenet5").eval(), array), array


def test_a_real_reading_has_its_path_s_cuts_drawn_solid(real):
    r, array = real
    svg = picture_svg(r, array)
    solid = re.findall(r'<polyline class="cut on \w+" points="([^"]+)"', svg)
    expected = [" ".join(f"{x:.1f},{y:.1f}" for x, y in c.line) for c in r.cuts[1:-1] if c.on_path]
    assert solid == expected and len(solid) == len(r.pieces) - 1
    assert svg.count('<rect class="piece"') == len(r.pieces) == len(r.digits)
    assert len(re.findall(r'class="arc[ "]', graph_html(r))) == len(r.graph)


# --- the SDNN's reading: the output map over the ink ------------------------------------------------


def sdnn_reading() -> SdnnReading:
    """An output map typed by hand: 11 columns, 7 at columns 3–4, 1 at column 8, "none" elsewhere."""
    energies = np.full((11, 10), 60.0, np.float32)
    energies[3:5, 7] = 3.0
    energies[8, 1] = 4.0
    strip = np.zeros((32, 32 + 4 * 10), np.float32)
    strip[6:26, 26:30] = 1.0
    labels = np.array([-1, -1, -1, 7, 7, -1, -1, -1, 1, -1, -1])
    return SdnnReading(digits="71", message="The SDNN read 2 digits: 71.", energies=energies,
                       none_cost=np.full(11, 20.0, np.float32), centres=np.arange(11) * 8.0 + 30, labels=labels,
                       starts=[3, 8], strip=strip)  # fmt: skip


def test_the_output_map_has_one_cell_per_column_under_its_window_coloured_by_its_digit():
    r = sdnn_reading()
    svg = output_map_svg(r)
    cells = re.findall(r'<g class="cell">.*?<rect x="([\d.]+)" y="[\d.]+" width="(\d+)"[^>]*fill="([^"]+)"/>'
                       r'<text x="([\d.]+)"[^>]*>([^<]+)</text></g>', svg)  # fmt: skip
    assert len(cells) == 11
    k = CELL / 4
    for t, (_, width, fill, cx, text) in enumerate(cells):
        assert abs(float(cx) - (4 * t + 16) * k) <= 1  # under the centre of the column's 32 px window
        assert int(width) == CELL - 2
        want = {3: "7", 4: "7", 8: "1"}.get(t, "·")
        assert text == want
        assert fill == (NONE_FILL if want == "·" else DIGIT_COLOURS[int(want)])
    assert f'width="{32 + 40 * 1:.0f}"' not in svg  # drawn at CELL px per column, not at strip size
    assert re.search(r'<svg class="sdnn-map" width="(\d+)"', svg).group(1) == f"{72 * k:.0f}"
    read = re.findall(r'<g class="read">.*?<text[^>]*>(\d)</text></g>', svg)
    assert read == ["7", "1"]


def test_the_output_map_says_in_words_what_it_shows():
    r = sdnn_reading()
    assert sdnn_alt(r) == "SDNN read 71; its 11 columns, left to right: none ×3, 7 ×2, none ×3, 1, none ×2."
    assert f'aria-label="{sdnn_alt(r)}"' in output_map_svg(r)
    page = sdnn_html(r)
    assert "SDNN" in page and "none of the above" in page and 'class="sdnn-scroll"' in page
    assert sdnn_html(None) == "" and sdnn_html(SdnnReading("", number.BLANK)) == ""


def test_a_column_whose_best_digit_costs_more_than_none_is_grey():
    r = sdnn_reading()
    r.energies[0, 2] = 25.0  # best 2, but "none" costs 20
    r.energies[1, 2] = 15.0  # best 2 and below "none"
    assert winners(r).tolist()[:2] == [-1, 2]


def test_a_real_sdnn_reading_draws_every_column(real):
    _, array = real
    torch.manual_seed(0)
    r = number.read_sdnn(build_model("lenet5").eval(), array)
    assert len(r.energies) > 0 and output_map_svg(r).count('<g class="cell">') == len(r.energies)
