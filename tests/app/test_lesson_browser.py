"""Lesson links and projector mode in headless Chromium (explorer/lesson.py, static/share.js): a
link made by Share reopens the same state in a fresh page — drawing, answer, network, tab, sliders —
and decodes in Python; a damaged or oversized link is refused with the reason. Skipped without Chromium."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from explorer import link
from tests.app.test_browser import SEVEN, answer
from tests.app.test_number_browser import open_number, read_all, shown, write
from tests.browser import answered_all, draw, open_page, server_read_by
from tests.explorer.test_link import EXAMPLE, EXAMPLE_LINK


def share(page) -> str:
    page.get_by_role("button", name="Share link").click()
    page.wait_for_function("() => document.querySelector('#lesson .lesson-box input').value.startsWith('http')")
    return page.locator("#lesson .lesson-box input").input_value()


def state(page) -> dict:
    """What a lesson link must bring back, as the page shows it."""
    return {
        "answer": answer(page),
        "network": page.locator("#model input:checked").get_attribute("value"),
        "tab": page.locator("#views [role=tab][aria-selected=true]").get_attribute("data-tab-id"),
        "sliders": [page.locator(f"#bend-{n} input[type=number]").input_value() for n in ("shift_x", "rotation")],
        "bent": page.locator("#bend-now .digit").inner_text().strip(),
        "sweep": page.locator("#bend-sweep .bend-sweep-view").get_attribute("data-which"),
    }


def test_a_lesson_link_reopens_the_same_drawing_network_tab_and_sliders(page, browser):
    draw(page, SEVEN)
    answered_all(page)
    page.get_by_label("LeNet-1", exact=True).check()
    server_read_by(page, "LeNet-1")
    page.get_by_role("tab", name="Bend the digit").click()
    page.wait_for_selector("#bend-now .bend-now img")
    page.locator("#bend-rotation input[type=range]").fill("30")
    page.locator("#bend-shift_x input[type=range]").fill("3")
    page.wait_for_function("() => document.querySelector('#bend-sweep .bend-sweep-view')?.dataset.which === 'shift_x'")
    before = state(page)
    url = share(page)
    assert len(url) < 2000
    query = parse_qs(urlsplit(url).query)
    assert query["net"] == ["lenet1"] and query["tab"] == ["bend"] and query["sweep"] == ["shift_x"]
    # the page's string is explorer.link's: it decodes in Python, and Python writes the same for the canvas's strokes
    held = page.evaluate("document.querySelector('#ink canvas').inkValue()")
    assert link.decode(query["ink"][0]) is not None
    assert query["ink"][0] == link.encode(held)

    fresh = browser.new_page(viewport={"width": 1280, "height": 720})
    joins = []
    fresh.on("request", lambda r: joins.append(r.post_data_json) if "/queue/join" in r.url else None)
    fresh.set_default_timeout(30_000)
    fresh.goto(url)
    try:
        fresh.wait_for_function("() => document.querySelector('#message [data-points]')?.dataset.points > 0")
        fresh.wait_for_selector("#bend-sweep .bend-sweep-view[data-which=shift_x]")
        fresh.wait_for_function("() => document.querySelector('#bend-now .digit')")
        after = state(fresh)
        assert after == before
        assert fresh.evaluate("document.querySelector('#ink canvas').inkValue().strokes.length") == 1  # drawn
        strokes = fresh.evaluate("window.gradio_config.dependencies.find(d => d.api_name === 'strokes').id")
        assert [j["fn_index"] for j in joins].count(strokes) == 1  # the drawing is read once
    finally:
        fresh.close()


def test_the_page_writes_the_same_string_as_python(page):
    assert page.evaluate(f"window.lenetLesson.encode({json.dumps(EXAMPLE)})") == EXAMPLE_LINK
    assert page.evaluate("window.lenetLesson.encode({strokes: [], brush: 24, width: 280, height: 280})") == ""


def test_a_damaged_or_oversized_link_is_refused_and_the_page_still_works(browser, server):
    for ink, says in ((EXAMPLE_LINK[:-4], "cut short"), ("A" * (link.MAX_CHARS + 1), "too long")):
        page = open_page(browser, f"{server}?ink={ink}&tab=why")
        try:
            page.wait_for_function(f"() => document.querySelector('#message').innerText.includes({says!r})")
            assert "lesson link" in page.locator("#message").inner_text()
            assert page.locator("#views [role=tab][aria-selected=true]").get_attribute("data-tab-id") == "why"
            draw(page, SEVEN)  # and the page reads a drawing as ever
            answered_all(page)
            answer(page)
        finally:
            page.close()


def test_a_damaged_number_in_a_link_is_refused_on_its_tab(browser, server):
    page = open_page(browser, f"{server}?num={EXAMPLE_LINK[:-4]}&tab=number")
    try:
        page.wait_for_function("() => document.querySelector('#number-said')?.innerText.includes('cut short')")
        assert page.locator("#views [role=tab][aria-selected=true]").get_attribute("data-tab-id") == "number"
        assert page.evaluate("document.querySelector('#number-ink canvas').inkValue().strokes.length") == 0
        write(page, "27")  # and the tab reads a number as ever
        assert len(shown(page)) == 2
    finally:
        page.close()


def test_projector_mode_from_the_address_and_the_switch(browser, server):
    page = open_page(browser, f"{server}?projector=1")
    try:
        page.wait_for_function("() => document.documentElement.classList.contains('projector')")
        big = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#views [role=tab]')).fontSize)")
        switch = page.get_by_role("button", name="Projector")
        assert switch.get_attribute("aria-pressed") == "true"
        assert "projector=1" in share(page)
        switch.click()
        assert not page.evaluate("document.documentElement.classList.contains('projector')")
        small = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#views [role=tab]')).fontSize)")
        assert big > small
    finally:
        page.close()


def test_the_unit_followed_goes_into_the_link_and_comes_back(page, browser):
    """ "Follow a unit" keeps the unit in #unit: a link made while one is followed reopens its panel."""
    assert "unit=" not in share(page)
    draw(page, SEVEN)
    answered_all(page)
    field = page.locator("#unit input")
    field.fill("C3:5:4:7")
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('#unit-panel').innerText.includes('Following C3 map 5')")
    url = share(page)
    assert "unit=C3%3A5%3A4%3A7" in url or "unit=C3:5:4:7" in url
    fresh = open_page(browser, url)
    try:
        fresh.wait_for_function("() => document.querySelector('#message [data-points]')?.dataset.points > 0")
        fresh.wait_for_function(
            "() => document.querySelector('#unit-panel').innerText.includes('Following C3 map 5, unit (4, 7)')"
        )
        assert fresh.locator("#unit input").input_value() == "C3:5:4:7"
        assert "blank paper" not in fresh.locator("#unit-panel").inner_text()  # the drawing's unit, not paper's
        assert answer(fresh) == answer(page)
    finally:
        fresh.close()


def test_a_number_written_goes_into_the_link_and_is_read_again(page, browser):
    """Issue 12: the "Read a number" tab's wide canvas travels as num= (its own 1120×280 pixels): the link
    reopens that tab with the number written, read again to the same digits."""
    open_number(page)
    write(page, "27410")
    digits = shown(page)
    url = share(page)
    query = parse_qs(urlsplit(url).query)
    assert query["tab"] == ["number"] and "ink" not in query  # nothing on the digit canvas
    held = page.evaluate("document.querySelector('#number-ink canvas').inkValue()")
    assert (held["width"], held["height"]) == (1120, 280)
    assert query["num"][0] == link.encode(held)  # share.js's twin, on the wide canvas too
    assert len(url) < 2000, len(url)
    fresh = open_page(browser, url)
    try:
        fresh.wait_for_function("() => document.querySelector('#number-said [data-points]')?.dataset.points > 0")
        assert fresh.locator("#views [role=tab][aria-selected=true]").get_attribute("data-tab-id") == "number"
        assert fresh.evaluate("document.querySelector('#number-ink canvas').inkValue().strokes.length") == len(
            held["strokes"]
        )
        read_all(fresh)
        assert shown(fresh) == digits
        assert fresh.locator("#number-picture svg.number-picture rect.piece").count() == len(digits)
    finally:
        fresh.close()
