"""A lesson link's drawing (explorer.link): round trips, the length of a typical digit, and refusals of
damaged, oversized and out-of-bounds strings. The page's twin (explorer/static/share.js) is held
to the same strings in tests/app/test_lesson_browser.py."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from explorer import link
from lenet import strokes
from tests.canvases import row

# The canvas's example value and its string, typed once: share.js must write the same
# (tests/app/test_lesson_browser.py), so a link made by the page decodes here.
EXAMPLE = {"strokes": [[[100, 60], [180, 60], [130, 220]]], "brush": 24, "width": 280, "height": 280}
EXAMPLE_LINK = "AZgCmAIYAQPIAXigAQBjwAI"


def seven(points_per_stroke: int = 150) -> dict:
    """A "7" drawn slowly, as the canvas sends it: points a tenth of a pixel apart at most."""
    t = np.linspace(0, 1, points_per_stroke)
    bar = [[round(75 + 130 * a, 1), round(55 + 2 * np.sin(9 * a), 1)] for a in t]
    leg = [[round(205 - 60 * a, 1), round(55 + 180 * a, 1)] for a in t]
    return {"strokes": [bar, leg], "brush": 24, "width": 280, "height": 280}


def test_the_example_encodes_to_the_string_typed_here():
    assert link.encode(EXAMPLE) == EXAMPLE_LINK
    assert link.decode(EXAMPLE_LINK) == EXAMPLE


def test_a_drawing_round_trips_to_the_same_picture():
    value = seven()
    back = link.decode(link.encode(value))
    assert back["brush"] == 24 and (back["width"], back["height"]) == (280, 280)
    assert len(back["strokes"]) == 2
    assert back["strokes"][0][0] == [75, 55] and back["strokes"][1][-1] == [145, 235]  # the ends are kept
    before = strokes.picture(value).astype(int)
    after = strokes.picture(back).astype(int)
    assert np.mean(np.abs(before - after) > 128) < 0.01  # under 1% of the pixels change colour
    assert link.encode(back) == link.encode(value)  # a decoded link encodes to itself


def test_a_typical_digit_is_well_under_two_thousand_characters():
    text = link.encode(seven(150))  # 300 points
    assert len(text) < 400, len(text)
    scribble = {"strokes": [[[float(x), float(y)] for x in range(10, 270, 3)] for y in range(10, 270, 26)],
                "brush": 24, "width": 280, "height": 280}  # fmt: skip
    assert len(link.encode(scribble)) < link.MAX_CHARS  # ten strokes across the whole canvas still fit


def written(digits: str, wobble: float = 1.5) -> dict:
    """A row of digits on the "Read a number" canvas (1120×280) as it sends them: points a pixel apart
    along each stroke, wobbling as a hand does, the digits 60% of the canvas high."""
    rng = np.random.default_rng(0)
    lines = []
    for stroke in row(digits, 1120, 0.6 * 280):
        line = []
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
            n = max(1, int(np.hypot(x1 - x0, y1 - y0)))
            line += [[round(560 + x0 + (x1 - x0) * t / n + rng.normal(0, wobble), 1),
                      round(140 + y0 + (y1 - y0) * t / n + rng.normal(0, wobble), 1)] for t in range(n)]  # fmt: skip
        lines.append([*line, [round(560 + stroke[-1][0], 1), round(140 + stroke[-1][1], 1)]])
    return {"strokes": lines, "brush": 24, "width": 1120, "height": 280}


@pytest.mark.parametrize("digits", ["27410", "00000", "2741024710"])
def test_a_written_number_fits_a_link(digits):
    """The wide canvas's strokes (a lesson link's num=) take the same format in its own pixels: five
    digits written slowly (1,500-2,000 points) take 650-900 characters, ten fit too (MAX_CHARS stays)."""
    value = written(digits)
    text = link.encode(value)
    assert len(text) < (1000 if len(digits) == 5 else link.MAX_CHARS), len(text)
    back = link.decode(text)
    assert (back["width"], back["height"]) == (1120, 280)
    before, after = (strokes.rasterise(strokes.parse(v, 512), 512).astype(int) for v in (value, back))  # as read
    assert np.sum(np.abs(before - after) > 128) < 0.1 * np.sum(before < 128)  # edges only: <10% of the ink's pixels


def test_points_off_the_canvas_and_dots_survive():
    value = {"strokes": [[[-20.4, 300.6], [-30, 310]], [[140, 140]]], "brush": 24, "width": 280, "height": 280}
    assert link.decode(link.encode(value))["strokes"] == [[[-20, 301], [-30, 310]], [[140, 140]]]


def test_empty_drawings_make_an_empty_string():
    assert link.encode(None) == link.encode({"strokes": [], "brush": 24, "width": 280, "height": 280}) == ""
    assert link.decode("") is None


def raw(*numbers: int) -> str:
    """Bytes as a link string, for damaged ones."""
    return base64.urlsafe_b64encode(bytes(numbers)).decode().rstrip("=")


@pytest.mark.parametrize(
    "text, says",
    [
        ("A" * (link.MAX_CHARS + 1), "too long"),
        (EXAMPLE_LINK + "!", "characters other than"),
        ("A" * 5, "wrong place"),  # 5 base64 characters cannot be whole bytes
        (EXAMPLE_LINK[:-4], "cut short"),
        (raw(2, 24, 24, 24, 0), "another version"),
        (raw(*base64.urlsafe_b64decode(EXAMPLE_LINK + "="), 0), "after its last stroke"),
        (raw(1, 0x98, 0x02, 0x98, 0x02, 0x18, 0xC8, 0x01), "strokes; the limit is"),  # 200 strokes
        (raw(1, 0x98, 0x02, 0x98, 0x02, 0x18, 0x01, 0x01, 0xD0, 0x0F, 0x00), "far outside"),  # x = 1000
        (raw(1, 0x98, 0x02, 0x98, 0x02, 0x00, 0x01, 0x01, 0x02, 0x02), "brush size"),  # a pen of 0 px
        (raw(1, 0x98, 0x02, 0x98, 0x02, 0x18, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), "cut short"),
    ],
    ids=[
        "oversize",
        "not-base64url",
        "not-whole-bytes",
        "truncated",
        "version",
        "trailing",
        "too-many-strokes",
        "off-canvas",
        "no-pen",
        "endless-varint",
    ],  # fmt: skip
)
def test_damaged_or_oversized_links_are_refused_with_the_reason(text, says):
    with pytest.raises(link.BadLink, match=says):
        link.decode(text)


def test_a_link_error_is_an_unreadable_drawing():
    assert issubclass(link.BadLink, strokes.BadStrokes)  # the app answers it as any unreadable picture
