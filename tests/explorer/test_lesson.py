"""A lesson link's query (explorer.lesson.query): what the page is set to, and the defaults for
what cannot be used. The round trip in a browser: tests/app/test_lesson_browser.py."""

from __future__ import annotations

from explorer.lesson import TABS, query
from lenet.network import DEFAULT
from tests.lenet.test_link import EXAMPLE, EXAMPLE_LINK


def test_a_whole_link_is_read():
    q = query({"ink": EXAMPLE_LINK, "net": "lenet1", "tab": "bend", "bend": "1,0,1.5,30,0,0,0.1", "sweep": "scale"})
    assert q == {"drawing": EXAMPLE, "problem": None, "network": "lenet1", "values": [1, 0, 1.5, 30, 0, 0, 0.1],
                 "which": "scale", "tab": "bend"}  # fmt: skip


def test_what_cannot_be_used_falls_back_to_the_defaults():
    q = query({"bend": "1,2,x", "sweep": "colour", "tab": "settings"})
    assert q["values"] == [0, 0, 1, 0, 0, 0, 0] and q["which"] == "rotation" and q["tab"] == "network"
    assert q["drawing"] is None and q["problem"] is None and q["network"] == DEFAULT
    assert query({"bend": "0,0,1,400,0,0,0"})["values"][3] == 180  # out of range: clamped, as the slider would
    assert query({"bend": "nan,0,1,0,0,0,0"})["values"] == [0, 0, 1, 0, 0, 0, 0]
    assert set(TABS) == {"network", "why", "architecture", "learning", "bend"}


def test_a_damaged_drawing_is_refused_with_the_reason_and_the_rest_still_read():
    q = query({"ink": EXAMPLE_LINK[:-4], "tab": "why"})
    assert q["drawing"] is None and "cut short" in q["problem"] and q["tab"] == "why"
