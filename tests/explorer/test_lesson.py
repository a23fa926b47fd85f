"""A lesson link's query (explorer.lesson.query): what the page is set to, and the defaults for
what cannot be used. The round trip in a browser: tests/app/test_lesson_browser.py."""

from __future__ import annotations

from explorer import link
from explorer.lesson import TABS, query
from lenet.network import DEFAULT
from tests.explorer.test_link import EXAMPLE, EXAMPLE_LINK


def test_a_whole_link_is_read():
    q = query({"ink": EXAMPLE_LINK, "net": "lenet1", "tab": "bend", "bend": "1,0,1.5,30,0,0,0.1", "sweep": "scale"})
    assert q == {"drawing": EXAMPLE, "problem": None, "number": None, "number_problem": None, "network": "lenet1",
                 "values": [1, 0, 1.5, 30, 0, 0, 0.1], "which": "scale", "tab": "bend"}  # fmt: skip


def test_the_number_s_wide_canvas_comes_in_num_and_its_tab_is_named():
    """Issue 12: the "Read a number" tab's strokes travel as num= (explorer.link's format, 1120×280)."""
    wide = {"strokes": [[[100, 60], [180, 60], [130, 220]], [[600, 60], [600, 220]]], "brush": 24, "width": 1120,
            "height": 280}  # fmt: skip
    q = query({"num": link.encode(wide), "tab": "number"})
    assert q["number"] == wide and q["number_problem"] is None and q["drawing"] is None and q["tab"] == "number"
    q = query({"num": EXAMPLE_LINK[:-4], "ink": EXAMPLE_LINK, "tab": "number"})
    assert q["number"] is None and "cut short" in q["number_problem"] and q["drawing"] == EXAMPLE


def test_what_cannot_be_used_falls_back_to_the_defaults():
    q = query({"bend": "1,2,x", "sweep": "colour", "tab": "settings"})
    assert q["values"] == [0, 0, 1, 0, 0, 0, 0] and q["which"] == "rotation" and q["tab"] == "network"
    assert q["drawing"] is None and q["problem"] is None and q["network"] == DEFAULT
    assert query({"bend": "0,0,1,400,0,0,0"})["values"][3] == 180  # out of range: clamped, as the slider would
    assert query({"bend": "nan,0,1,0,0,0,0"})["values"] == [0, 0, 1, 0, 0, 0, 0]
    assert set(TABS) == {"network", "why", "architecture", "learning", "bend", "design", "number"}


def test_a_damaged_drawing_is_refused_with_the_reason_and_the_rest_still_read():
    q = query({"ink": EXAMPLE_LINK[:-4], "tab": "why"})
    assert q["drawing"] is None and "cut short" in q["problem"] and q["tab"] == "why"
