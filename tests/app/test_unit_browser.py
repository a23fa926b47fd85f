"""Follow a unit in headless Chromium: a click on a C3 map shows that unit in the panel, the keyboard
reaches the maps and moves the unit, a typed unit is followed, and the panel follows the pen in the
canvas's one request. Skipped without Chromium."""

from __future__ import annotations

from tests.app.test_browser import ONE, SEVEN
from tests.browser import answered_all, draw

PANEL = "#unit-panel"


def hit(page, layer: str, m: int):
    return page.locator(f'.lenet-net .unit-grid[data-layer="{layer}"] .unit-hit[data-map="{m}"]')


def heading(page) -> str:
    return page.locator(f"{PANEL} h4").inner_text()


def wait_heading(page, text: str) -> None:
    page.wait_for_function(
        f"() => (document.querySelector('{PANEL} h4')?.innerText || '').includes({text!r})", timeout=15_000
    )


def follow(page, unit: str) -> None:
    page.locator("#unit input").fill(unit)
    page.locator("#unit input").press("Enter")


def test_clicking_a_c3_map_follows_the_unit_under_the_pointer(page):
    draw(page, SEVEN)
    answered_all(page)
    assert "Follow a unit" in page.locator(PANEL).inner_text()
    box = hit(page, "C3", 5).bounding_box()  # 10×10 units: aim at the middle of unit (2, 7)
    page.mouse.click(box["x"] + 7.5 * box["width"] / 10, box["y"] + 2.5 * box["height"] / 10)
    wait_heading(page, "Following C3 map 5, unit (2, 7)")
    assert page.locator("#unit input").input_value() == "C3:5:2:7"
    panel = page.locator(PANEL).inner_text()
    assert "14×14 of 32×32" in panel and "rows 4–17, columns 14–27" in panel
    assert "reads S2 maps 0, 1, 5: Table I, column 5" in panel
    assert (
        page.locator(f"{PANEL} .unit-pic.used").count() == 3 and page.locator(f"{PANEL} .unit-pic.unused").count() == 3
    )
    assert page.locator(f"{PANEL} img[alt^=kernel]").count() == 3
    assert "1.7159·tanh(2/3 · " in panel and "the value shown" in panel
    assert "on" in hit(page, "C3", 5).get_attribute("class")  # marked in the view, with the unit inside
    assert hit(page, "C3", 5).locator(".unit-mark").count() == 1


def test_the_keyboard_reaches_the_maps_and_moves_the_unit(page):
    draw(page, ONE)
    answered_all(page)
    hit(page, "C3", 1).focus()
    page.keyboard.press("Tab")  # the next map in the tab order
    focused = "document.activeElement.closest('[data-layer]').dataset.layer + ':' + document.activeElement.dataset.map"
    assert page.evaluate(focused) == "C3:2"
    page.keyboard.press("Enter")  # a map reached by the keyboard: its centre unit
    wait_heading(page, "Following C3 map 2, unit (5, 5)")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    wait_heading(page, "Following C3 map 2, unit (4, 6)")
    page.locator('.lenet-net .col[data-layer="Output"][data-map="4"]').focus()
    page.keyboard.press("Space")
    wait_heading(page, "Following output unit 4")
    assert "Σ (F6 − prototype 4)²" in page.locator(PANEL).inner_text()


def test_a_typed_unit_is_followed_and_a_bad_one_explained(page):
    page.locator("#unit input").fill("S4:3:2:1")
    page.locator("#unit input").press("Enter")
    wait_heading(page, "Following S4 map 3, unit (2, 1)")
    assert "blank paper" in page.locator(PANEL).inner_text()
    page.locator("#unit input").fill("C3:16:0:0")
    page.locator("#unit input").press("Enter")
    page.wait_for_function(f"() => document.querySelector('{PANEL}').innerText.includes('16 maps')")
    page.get_by_role("button", name="Stop").click()
    page.wait_for_function(f"() => document.querySelector('{PANEL}').innerText.includes('click any map')")


def test_the_panel_follows_the_pen_in_the_canvas_request(page):
    """With a unit followed, each reading brings the panel along: no request of its own."""
    joins = []
    page.on("request", lambda r: joins.append(r.post_data_json) if "/queue/join" in r.url else None)
    hit(page, "C1", 0).focus()
    page.keyboard.press("Enter")
    wait_heading(page, "Following C1 map 0, unit (14, 14)")
    assert "blank paper" in page.locator(PANEL).inner_text()
    joins.clear()
    draw(page, ONE)
    answered_all(page)
    page.wait_for_function(f"() => !document.querySelector('{PANEL}').innerText.includes('blank paper')")
    assert "Following C1 map 0, unit (14, 14)" in heading(page)
    assert "on" in hit(page, "C1", 0).get_attribute("class")  # marked again in the redrawn view
    strokes = page.evaluate("window.gradio_config.dependencies.find(d => d.api_name === 'strokes').id")
    assert joins and all(j["fn_index"] == strokes for j in joins), [j["fn_index"] for j in joins]


def test_the_panel_follows_the_bent_digit_as_the_network_view_does(page):
    """Issue 12: while "Bend the digit" bends the digit, the network view shows the bent one, and the
    panel follows the same digit (saying so): after a slider move, a new drawing, a new unit; and the
    digit as drawn again once the tab is straightened."""
    draw(page, SEVEN)
    answered_all(page)
    follow(page, "C1:0:10:10")
    wait_heading(page, "Following C1 map 0, unit (10, 10)")
    plain = page.locator(f"{PANEL} h4").inner_text()
    page.get_by_role("tab", name="Bend the digit").click()
    page.wait_for_selector("#bend-now .bend-now img")
    page.locator("#bend-rotation input[type=range]").fill("90")  # the slider's move: view and panel, one request
    page.wait_for_function(f"() => document.querySelector('{PANEL}').innerText.includes('rotation +90°')")
    bent = page.locator(f"{PANEL} h4").inner_text()
    assert bent != plain  # another value: the bent digit's (a 7 turned a quarter)
    draw(page, ONE)  # the pen, with the tab open: the panel in the canvas's reading, bent
    answered_all(page)
    page.wait_for_function(f"() => document.querySelector('{PANEL} h4').innerText !== {bent!r}")  # ONE's value
    assert "rotation +90°" in page.locator(PANEL).inner_text()
    page.get_by_role("tab", name="Network").click()  # the view still shows the bent digit, and says so
    assert "rotation +90°" in page.locator(".bent-note").inner_text()
    follow(page, "C1:0:12:12")  # a unit picked now: of the digit the view shows
    wait_heading(page, "unit (12, 12)")
    assert "rotation +90°" in page.locator(PANEL).inner_text()
    page.get_by_role("tab", name="Bend the digit").click()
    page.get_by_role("button", name="Straighten").click()
    page.wait_for_function(f"() => !document.querySelector('{PANEL}').innerText.includes('rotation')")
    page.get_by_role("tab", name="Network").click()
    assert page.locator(".bent-note").count() == 0
