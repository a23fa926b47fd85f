"""The "Bend the digit" tab in headless Chromium: a drawn digit appears there, bent by a slider,
with the answer, the distances and the sweep of the slider moved. Skipped without Chromium."""

from __future__ import annotations

from tests.app.test_browser import SEVEN, answer
from tests.browser import answered_all, draw

NOW = "#bend-now .bend-now img"


def open_bend(page):
    page.get_by_role("tab", name="Bend the digit").click()


def test_the_drawn_digit_is_bent_and_the_sweep_follows_the_slider(page):
    draw(page, SEVEN)
    answered_all(page)
    read = answer(page)
    open_bend(page)
    page.wait_for_selector(NOW)
    page.wait_for_selector("#bend-sweep svg.bend-sweep")
    assert page.locator("#bend-now .digit").inner_text().strip()[0] == read  # neutral: as on the Draw side
    headline = page.locator("#bend-sweep .headline").inner_text()
    assert "(rotation)" in headline or "whole rotation" in headline
    before = page.locator(NOW).get_attribute("src")
    page.locator("#bend-shift_x input[type=range]").fill("6")
    page.wait_for_function(f"() => document.querySelector('{NOW}').src !== {before!r}")
    page.wait_for_function("() => document.querySelector('#bend-sweep').innerText.includes('(shift →)')")
    assert page.locator("#bend-sweep svg polyline").count() == 10
    page.get_by_role("button", name="Straighten").click()
    page.wait_for_function(f"() => document.querySelector('{NOW}').src === {before!r}")
    assert page.locator("#bend-shift_x input[type=number]").input_value() == "0"


def test_a_drawing_reaches_the_tab_when_it_is_opened(page):
    open_bend(page)
    assert "Draw a digit" in page.locator("#bend-now").inner_text()
    page.get_by_role("tab", name="Network").click()
    draw(page, SEVEN)
    answered_all(page)
    read = answer(page)
    open_bend(page)
    page.wait_for_selector(NOW)
    assert page.locator("#bend-now .digit").inner_text().strip()[0] == read
