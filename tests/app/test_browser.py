"""End to end in a real browser: headless Chromium, driven by Playwright, draws digits with the
mouse and a finger on the app's canvas, served in-process, and checks the answer that appears:
while the pen moves, and for the whole drawing once it is lifted.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``) and the ``playwright``
Python package (no ``playwright install``: it would download another browser). Skipped without them.
"""

from __future__ import annotations

import re

import pytest

from explorer.examples import example_paths
from tests.browser import ANSWERED, INVITED, READY, answered_all, draw, open_page, server_read_by, touch_draw
from tests.weights import require_trained

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
    page.locator("#clear").click()  # the canvas's Clear button: no server round trip to clear it
    page.wait_for_function(INVITED)


def test_page_opens_ready_to_draw_with_an_invitation(page):
    assert "Draw a digit" in page.locator("#message").inner_text()


@pytest.mark.parametrize("strokes, digit", [(ONE, "1"), (SEVEN, "7"), (ZERO, "0")], ids=["1", "7", "0"])
def test_drawn_digit_is_read(page, strokes, digit):
    draw(page, strokes)
    answered_all(page)
    read = answer(page)
    assert len(read) == 1 and read in "0123456789"
    require_trained()
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
    page.get_by_label("LeNet-1", exact=True).check()
    server_read_by(page, "LeNet-1")  # the browser's own reading by LeNet-1 shows first (live.js)
    assert "What LeNet-1 sees" in page.locator(".lenet-net").inner_text()
    answer(page)


def test_clicking_an_mnist_example_reads_it(page):
    page.get_by_role("tab", name="Photo or MNIST digit").click()
    page.locator("#examples .gallery-item").first.click()
    read = answer(page)
    assert len(read) == 1 and read in "0123456789"
    require_trained()
    assert read == example_paths()[0].stem.split("-")[-1]


def test_phone_width_touch_drawing_and_no_sideways_scrolling(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = open_page(context, server)
    assert page.evaluate("getComputedStyle(document.querySelector('#ink canvas')).touchAction") == "none"
    touch_draw(context, page, ONE)
    answered_all(page)
    read = answer(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("window.scrollX") == 0
    clear(page)
    context.close()
    assert len(read) == 1 and read in "0123456789"
    require_trained()
    assert read == "1"


@pytest.mark.parametrize("viewport", [(390, 844), (1280, 720)], ids=["phone", "projector"])
def test_every_tab_is_in_sight_on_a_phone_and_a_projector(browser, server, viewport):
    """Issue 12: no tab hides in Gradio's "⋯" menu: at 390 px the views' tab bar wraps onto more lines,
    every tab on screen within the page's width, and each one opens."""
    page = open_page(browser, server, viewport=viewport)
    try:
        bar = "#views [role=tablist]"
        tabs = ("Network", "Why this answer", "Architecture", "How it learned", "Bend the digit", "Design choices",
                "Read a number", "Class")  # fmt: skip
        page.wait_for_function(f"() => document.querySelectorAll('{bar} button[role=tab]').length === {len(tabs)}")
        assert not page.locator("#views button[aria-label='More tabs']").is_visible()
        for tab in tabs:
            button = page.locator(f"{bar} button[role=tab]", has_text=tab)
            assert button.is_visible(), tab
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport[0], (tab, box)
        tops = {round(page.locator(f"{bar} button[role=tab]").nth(i).bounding_box()["y"]) for i in range(len(tabs))}
        assert (len(tops) > 1) == (viewport[0] < 600), tops  # more lines on a phone, one on a projector
        page.locator(f"{bar} button[role=tab]", has_text="Read a number").click()
        page.wait_for_selector("#number-ink [data-ready]")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
    finally:
        page.close()


def test_the_answer_follows_the_pen_and_undo_takes_a_stroke_back(page):
    """A slow "7": answers appear while the pen moves, and the last one is for the whole drawing;
    Undo takes the second stroke back, and the answer follows."""
    page.evaluate(
        "window.__seen = []; new MutationObserver(() => window.__seen.push(performance.now()))"
        ".observe(document.querySelector('#message'), {subtree: true, childList: true, characterData: true})"
    )
    start = page.evaluate("performance.now()")
    draw(page, [SEVEN[0][:2]], steps=40, pause_ms=20)  # the bar of the 7, in 40 moves, at a person's pace
    end = page.evaluate("performance.now()")
    assert sum(start < t < end for t in page.evaluate("window.__seen")) >= 2  # read while drawing
    draw(page, [SEVEN[0][1:]], steps=10)
    answered_all(page)
    page.get_by_role("button", name="Undo").click()
    answered_all(page)
    assert page.evaluate("document.querySelector('#ink [data-points]').dataset.points") != "0"


def test_one_request_per_update_while_the_why_tab_is_open(page):
    """With "Why this answer" open, every request while drawing is the canvas's reading, which brings
    the answer and the occlusion maps together: the teaching tabs send no event of their own."""
    joins = []
    page.on("request", lambda r: joins.append(r.post_data_json) if "/queue/join" in r.url else None)
    page.get_by_role("tab", name="Why this answer").click()
    page.wait_for_timeout(300)
    joins.clear()
    draw(page, ONE, steps=3)
    answered_all(page)
    page.wait_for_selector("#why img")
    page.wait_for_timeout(300)  # nothing else follows
    strokes = page.evaluate("window.gradio_config.dependencies.find(d => d.api_name === 'strokes').id")
    assert joins and all(j["fn_index"] == strokes for j in joins), [j["fn_index"] for j in joins]
