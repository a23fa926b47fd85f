"""End to end in a real browser: headless Chromium, driven by Playwright, draws digits with the
mouse on the app served in-process and checks the answer that appears.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``) and the ``playwright``
Python package (no ``playwright install``: it would download another browser). Skipped without them.
"""

from __future__ import annotations

import re

import pytest

from explorer.examples import example_paths
from tests.browser import ANSWERED, INVITED, READY, draw, open_page
from tests.weights import TRAINED

# Strokes as polylines in canvas pixels relative to the canvas centre (the canvas is 280 px).
ONE = [[(5, -95), (0, 95)]]
SEVEN = [[(-65, -85), (65, -85), (15, 0), (-15, 95)]]
ZERO = [[(0, -95), (50, -70), (65, 0), (50, 70), (0, 95), (-50, 70), (-65, 0), (-50, -70), (0, -95)]]


def answer(page) -> str:
    """The digit that the page shows: the top row of the gr.Label, checked against the message."""
    page.wait_for_function(ANSWERED)
    page.wait_for_function(
        "() => { const t = document.querySelector('#answer dt');"
        " const m = document.querySelector('#message .digit');"
        " return t && m && m.innerText.trim().startsWith(t.innerText.trim()); }"
    )
    top = page.locator("#answer dt").first.inner_text().strip()
    assert re.fullmatch(r"\d", top)
    return top


def clear(page) -> None:
    page.get_by_role("button", name="Clear canvas").click()
    page.wait_for_function(INVITED)


def test_page_opens_ready_to_draw_with_an_invitation(page):
    assert "Draw a digit" in page.locator("#message").inner_text()


@pytest.mark.parametrize("strokes, digit", [(ONE, "1"), (SEVEN, "7"), (ZERO, "0")], ids=["1", "7", "0"])
def test_drawn_digit_is_read(page, strokes, digit):
    draw(page, strokes)
    read = answer(page)
    assert read in "0123456789"
    if TRAINED:
        assert read == digit


def test_clear_invites_again_and_the_brush_stays_ready(page):
    draw(page, ONE)
    answer(page)
    clear(page)
    page.wait_for_selector(READY)
    draw(page, SEVEN)
    answer(page)


def test_switching_network_rereads_the_drawing(page):
    draw(page, ONE)
    answer(page)
    page.get_by_label("LeNet-1").check()
    page.wait_for_function("() => document.querySelector('#message').innerText.includes('LeNet-1')")
    assert "What LeNet-1 sees" in page.locator(".lenet-net").inner_text()
    answer(page)


def test_clicking_an_mnist_example_reads_it(page):
    page.get_by_role("tab", name="Photo or MNIST digit").click()
    page.locator("#examples .gallery-item").first.click()
    read = answer(page)
    if TRAINED:
        assert read == example_paths()[0].stem.split("-")[-1]


def touch_draw(context, page, stroke) -> None:
    """One stroke with a finger (Chrome DevTools touch events), canvas-centre coordinates."""
    box = page.locator("#sketchpad canvas").first.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = context.new_cdp_session(page)
    points = [{"x": cx + x, "y": cy + y} for x, y in stroke]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [points[0]]})
    for a, b in zip(points, points[1:], strict=False):
        for t in (0.25, 0.5, 0.75, 1.0):
            point = {"x": a["x"] + t * (b["x"] - a["x"]), "y": a["y"] + t * (b["y"] - a["y"])}
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_phone_width_touch_drawing_and_no_sideways_scrolling(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = open_page(context, server)
    touch_draw(context, page, ONE[0])
    read = answer(page)
    if TRAINED:
        assert read == "1"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#clear").click()  # the big Clear button under the answer
    page.wait_for_function(INVITED)
    context.close()
