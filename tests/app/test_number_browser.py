"""The "Read a number" tab in headless Chromium: a number written with the mouse on the wide canvas
is read while it is written, its digits appear big with the cuts and the graph; Undo and Clear;
the canvas fits a phone. Skipped without Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import INVITED, draw, open_page
from tests.canvases import row
from tests.weights import require_trained

CANVAS = "#number-ink canvas"
# Where the canvas is before writing and at every touch and move of the pen (viewport pixels): a
# page scrolled to its end that got shorter when an answer came would move it under the pen.
TRACK = """() => { const c = document.querySelector('#number-ink canvas');
  const top = () => window.tops.push(Math.round(c.getBoundingClientRect().top));
  window.tops = []; top(); c.addEventListener('pointerdown', top); c.addEventListener('pointermove', top); }"""


def open_number(page) -> None:
    """Open the tab: from the tab bar, or from its "more tabs" menu where the bar is too narrow."""
    tab = page.locator("#views [role=tablist] button", has_text="Read a number")
    if not tab.first.is_visible():
        page.locator("#views button[aria-label='More tabs']").click()
        tab = page.locator("#views .overflow-dropdown button", has_text="Read a number")
    tab.first.click()
    page.wait_for_selector("#number-ink [data-ready]")
    page.locator(CANVAS).scroll_into_view_if_needed()


def write(page, digits: str) -> None:
    """Write ``digits`` across the wide canvas, 60% of its height, and wait for the answer to all of it."""
    box = page.locator(CANVAS).bounding_box()
    draw(page, row(digits, box["width"], 0.6 * box["height"]), steps=4, canvas=CANVAS)
    read_all(page)


def read_all(page) -> None:
    """Wait until the answer on screen is the one for every point on the wide canvas."""
    points = page.evaluate("document.querySelector('#number-ink [data-points]')?.dataset.points || 0")
    page.wait_for_selector(f'#number-said [data-points="{points}"]')


def shown(page) -> str:
    return page.locator("#number-said .number-digits").inner_text().strip()


def test_a_written_number_is_read_with_its_cuts_and_graph(page):
    open_number(page)
    assert "Write a number" in page.locator("#number-said").inner_text()
    write(page, "2741")
    assert shown(page)  # one character a piece, whatever the network makes of them
    assert page.locator("#number-picture svg.number-picture rect.piece").count() == len(shown(page))
    assert page.locator("#number-graph .arc.path").count() == len(shown(page))
    page.wait_for_function(INVITED)  # the digit canvas's answer is untouched: it reads one digit, not this
    require_trained("lenet5-pieces")
    assert shown(page) == "2741"


def test_undo_takes_back_a_digit_and_clear_invites_again(page):
    open_number(page)
    write(page, "704")
    page.locator("#number-ink [data-ink=undo]").click()  # the 4's upright stroke ...
    page.locator("#number-ink [data-ink=undo]").click()  # ... and its other stroke
    read_all(page)
    after_undo = shown(page)
    assert after_undo
    page.locator("#number-ink [data-ink=clear]").click()
    page.wait_for_selector('#number-said [data-points="0"]')
    assert "Write a number" in page.locator("#number-said").inner_text()
    require_trained("lenet5-pieces")
    assert after_undo == "70"


@pytest.mark.parametrize("viewport", [(1280, 720), (390, 844)], ids=["projector", "phone"])
def test_the_wide_canvas_fits_the_screen_four_times_as_wide_as_high(browser, server, viewport):
    page = open_page(browser, server, viewport)
    try:
        open_number(page)
        box = page.locator(CANVAS).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport[0]
        assert box["width"] / box["height"] == pytest.approx(4, rel=0.02)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]  # nothing scrolls sideways
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")  # the page at its end
        page.evaluate(TRACK)
        write(page, "1740")
        tops = page.evaluate("window.tops")
        assert len(tops) > 10 and len(set(tops)) == 1  # the answers below never moved the canvas under the pen
        read = shown(page)
        assert read
    finally:
        page.close()
    require_trained("lenet5-pieces")
    assert read == "1740"


@pytest.mark.parametrize("viewport", [(1280, 720), (390, 844)], ids=["projector", "phone"])
def test_the_wide_canvas_sends_its_strokes_in_its_own_pixels(browser, server, viewport):
    """An L drawn 100 screen px either side of the centre and 20 above and below it arrives in the
    canvas's 1120×280 pixels, whatever the canvas's size on screen."""
    page = open_page(browser, server, viewport)
    sent = []
    page.on("request", lambda r: sent.append(r.post_data_json) if "/queue/join" in r.url else None)
    try:
        open_number(page)
        box = page.locator(CANVAS).bounding_box()
        draw(page, [[(-100, -20), (100, -20), (100, 20)]], steps=4, canvas=CANVAS)
        read_all(page)
        value = [b["data"][0] for b in sent if b and b["data"] and isinstance(b["data"][0], dict)][-1]  # not a load
        assert (value["width"], value["height"], value["brush"]) == (1120, 280, 24)
        k = 1120 / box["width"]  # canvas pixels per screen pixel, the same across and down
        (x0, y0), (x1, y1) = value["strokes"][0][0], value["strokes"][0][-1]
        assert (x0, y0) == pytest.approx((560 - 100 * k, 140 - 20 * k), abs=1.5)
        assert (x1, y1) == pytest.approx((560 + 100 * k, 140 + 20 * k), abs=1.5)
    finally:
        page.close()


def test_the_page_s_network_switch_moves_the_tab_s_reader_and_rereads(page):
    open_number(page)
    write(page, "17")
    assert "trained through the graph" in page.locator("#number-said").inner_text()
    page.locator("#model label", has_text="LeNet-1").click()  # the page's switch, at the top
    page.wait_for_function("() => document.querySelector('#number-said').innerText.includes('LeNet-1:')")
    page.locator("#model label", has_text="LeNet-5").first.click()  # back: LeNet-5, as it learned on the tab
    page.wait_for_function("() => document.querySelector('#number-said').innerText.includes('through the graph')")
    assert page.locator("#number-network").is_hidden()  # the page has one network switch


def test_the_tab_chooses_how_lenet5_learned_to_read_numbers(page):
    """Issue 20: the LeNet-5 trained through the whole graph reads by default; the tab's own choice
    re-reads the same strokes with the one trained on cut pieces, and back."""
    open_number(page)
    write(page, "17")
    said = "() => document.querySelector('#number-said').innerText"
    assert "trained through the graph" in page.evaluate(said)
    page.locator("#number-learned label", has_text="on cut pieces").click()
    page.wait_for_function(f"() => ({said})().includes('trained on pieces')")
    page.locator("#number-learned label", has_text="through the whole graph").click()
    page.wait_for_function(f"() => ({said})().includes('trained through the graph')")


def test_the_number_tab_reads_the_wide_canvas_alone_and_gives_the_height_back(page):
    """Issue 16: while the tab is open, the single digit's canvas and answer are hidden (the wide canvas
    is read alone, at the page's width); once another tab is opened, they are back and the page is no
    taller than before the number was written."""
    before = page.evaluate("document.documentElement.scrollHeight")
    open_number(page)
    assert page.locator("#ink").is_hidden() and page.locator("#answer").is_hidden()
    write(page, "17")
    page.get_by_role("tab", name="Network").click()
    page.wait_for_timeout(300)
    assert page.locator("#ink").is_visible() and page.locator("#answer").is_visible()
    assert page.evaluate("document.documentElement.style.minHeight") == ""
    assert page.evaluate("document.documentElement.scrollHeight") <= before + 40


# The type sizes (px) of the SDNN's view that are on screen: the map's digits and the sentences.
SIZES = """[...document.querySelectorAll('#number-sdnn svg.sdnn-map text, #number-sdnn p')]
  .filter(e => e.checkVisibility()).map(e => parseFloat(getComputedStyle(e).fontSize))"""


@pytest.mark.parametrize("viewport", [(1280, 720), (390, 844)], ids=["projector", "phone"])
def test_the_sdnn_reads_the_row_too_and_shows_its_output_map(browser, server, viewport):
    """The SDNN's reading (section VII) under the cutting one: its digits, one cell per output column
    with type of 18 px at least, and in words for a screen reader; on a phone the map scrolls in its
    own box, not the page; axe-core finds no serious WCAG 2.1 AA violation with it on screen."""
    from tests.app.test_accessibility_browser import report, serious

    axe = pytest.importorskip("axe_playwright_python", reason="needs axe-playwright-python (requirements-dev.txt)")
    page = open_page(browser, server + ("?projector=1" if viewport[0] > 600 else ""), viewport)
    try:
        open_number(page)
        write(page, "2741")
        sdnn = page.locator("#number-sdnn svg.sdnn-map")
        sdnn.wait_for()
        label = sdnn.get_attribute("aria-label")
        assert label.startswith("SDNN read") and "columns, left to right" in label
        cells = sdnn.locator("g.cell")
        assert cells.count() >= 8
        sizes = page.evaluate(SIZES)
        assert min(sizes) >= (18 if viewport[0] > 600 else 15)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]  # the page does not scroll sideways
        found = serious(page, Path(axe.__file__).parent / "axe.min.js")
        assert not found, report({"the SDNN's reading": found})
        read = page.locator("#number-sdnn .number-digits").inner_text().strip()
    finally:
        page.close()
    require_trained("lenet5-sdnn")
    assert label.startswith(f"SDNN read {read};")
    assert read == "2741"
