"""The "Bend the digit" tab in headless Chromium: a drawn digit appears there, bent by a slider,
with the answer, the distances and the sweep of the slider moved. Skipped without Chromium."""

from __future__ import annotations

import json

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
    # The tab catches up when opened (its select event), so what it showed before may still be there for a
    # moment: a reading of the stroke half drawn, made while the server still took the tab for open (the
    # click on "Network" and the first pen update race). Wait for the answer, as a person would see it.
    shown = "() => document.querySelector('#bend-now .digit')?.innerText.trim()[0]"
    try:
        page.wait_for_function(f"() => ({shown})() === {read!r}", timeout=10_000)
    except Exception:  # noqa: BLE001 (Playwright's TimeoutError): say what the tab shows instead
        raise AssertionError(f"Bend shows {page.evaluate(shown)!r}, the page's answer is {read!r}") from None


def test_drawing_with_the_tab_open_updates_it_in_the_one_reading_request(page):
    """Issue 11, part 1's leftover: the tab follows the pen, in the canvas's own request."""
    joins = []
    page.on("request", lambda r: joins.append(r.post_data_json) if "/queue/join" in r.url else None)
    open_bend(page)
    page.locator("#bend-rotation input[type=range]").fill("30")  # the sweep of rotation, at +30°
    page.wait_for_timeout(500)  # its request answered (no digit yet: nothing to show)
    joins.clear()
    draw(page, SEVEN)
    answered_all(page)
    page.wait_for_selector(NOW)  # the tab shows the new drawing, bent
    page.wait_for_timeout(300)  # nothing else follows
    strokes = page.evaluate("window.gradio_config.dependencies.find(d => d.api_name === 'strokes').id")
    assert joins and all(j["fn_index"] == strokes for j in joins), [j["fn_index"] for j in joins]
    assert "(rotation)" in page.locator("#bend-sweep .headline").inner_text() or "rotation range" in (
        page.locator("#bend-sweep .headline").inner_text()
    )
    # the network view shows the bent digit, and says so; also after a switch of network
    page.get_by_label("LeNet-1", exact=True).check()
    page.wait_for_function("() => document.querySelector('#bend-now').innerText.includes('LeNet-1')")
    page.get_by_role("tab", name="Network").click()
    assert "rotation +30°" in page.locator(".bent-note").inner_text()
    assert "What LeNet-1 sees" in page.locator(".lenet-net").inner_text()


def test_play_animates_the_sweep_in_the_browser_and_stop_puts_it_back(page):
    draw(page, SEVEN)
    answered_all(page)
    open_bend(page)
    page.wait_for_selector("#bend-sweep .bend-frames", state="attached")
    before = page.locator(NOW).get_attribute("src")
    joins = []

    def joined(request) -> None:  # a request to the server, but not the tab's own select events, whose
        if "/queue/join" not in request.url:  # several handlers may still be sending as Play is pressed
            return
        sent = json.loads(request.post_data or "{}")
        if (sent.get("event_data") or {}).get("value") != "Bend the digit":
            joins.append(sent.get("fn_index"))

    page.on("request", joined)
    page.get_by_role("button", name="▶ Play").click()
    page.wait_for_function("() => Number(document.querySelector('#bend-sweep [data-frame]')?.dataset.frame) >= 5")
    assert page.locator(NOW).get_attribute("src") != before  # another setting's digit is shown
    assert " at " in page.locator("#bend-now .said p").inner_text()  # "LeNet-5 reads 7 at −135°."
    page.get_by_role("button", name="■ Stop").click()
    assert page.locator(NOW).get_attribute("src") == before  # the server's view, as it was
    assert page.get_by_role("button", name="▶ Play").is_visible()
    assert joins == []  # no request per frame
