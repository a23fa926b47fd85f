"""Keyboard and screen reader in headless Chromium (issue 16, item 5; static/a11y.js and a11y.css): the
answer said once per settled reading in a live region of ours, a digit given with the keyboard alone
(the named MNIST examples), skip links, focus rings, the confusion matrix's cells and the Share
pop-up's Escape. Skipped without Chromium."""

from __future__ import annotations

from tests.app.test_browser import SEVEN, answer
from tests.browser import INVITED, answered_all, draw, points
from tests.weights import require_trained

LIVE = "#reading-said"
SAID = "() => document.querySelector('#reading-said').textContent"
SENTENCE = "() => document.querySelector('#message .said p').textContent.replace(/\\s+/g, ' ').trim()"


def count_changes(page) -> None:
    """Count the live region's changes from now on, with their text, in window.__said."""
    page.evaluate(
        "window.__said = []; new MutationObserver(() => window.__said.push(document.querySelector('#reading-said')"
        ".textContent)).observe(document.querySelector('#reading-said'),"
        " {subtree: true, childList: true, characterData: true})"
    )


def tab_to(page, test: str, most: int = 60) -> None:
    """Press Tab until ``test`` (a JS expression on ``e``, the focused element) holds."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!({test}); }})()"):
            return
    raise AssertionError(f"no Tab stop where {test}")


def test_the_live_region_says_the_answer_once_the_reading_settles(page):
    live = page.locator(LIVE)
    assert live.get_attribute("aria-live") == "polite" and live.count() == 1
    count_changes(page)
    # a slow 7: ~60 pen moves at a person's pace, a reading after most of them
    draw(page, SEVEN, steps=20, pause_ms=20)
    during = page.evaluate("window.__said.length")
    answered_all(page)
    page.wait_for_function(f"() => ({SAID})() !== '' && ({SAID})() === ({SENTENCE})()", timeout=5000)
    said = page.evaluate(SAID)
    assert said.startswith("LeNet-5 ") and answer(page) in said
    changes = page.evaluate("window.__said")
    assert during == 0 and 1 <= len(changes) <= 2, changes  # not once per reading: once, when settled
    page.wait_for_timeout(1000)
    assert page.evaluate("window.__said.length") == len(changes)  # and then quiet


def test_a_digit_given_with_the_keyboard_alone_is_read_and_said(page):
    """No pointer: Tab to the "Photo or MNIST digit" tab, Enter; Tab to an example, which has a name; Enter."""
    tab_to(page, "e.getAttribute('role') === 'tab' && e.innerText.includes('MNIST digit')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#examples button.gallery-item[aria-label]")
    names = page.eval_on_selector_all(
        "#examples button.gallery-item", "bs => bs.map(b => b.getAttribute('aria-label'))"
    )
    assert len(names) == 10 and all(n and n.startswith("MNIST test digit ") for n in names), names
    assert sorted(n.split()[3] for n in names) == list("0123456789")
    tab_to(page, "e.matches('#examples button.gallery-item')")
    name = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")
    read = answer(page)
    page.wait_for_function(f"() => ({SAID})() === ({SENTENCE})()", timeout=5000)
    assert read in page.evaluate(SAID) and name == "MNIST test digit 0 (test image 3)"


def test_a_digit_drawn_with_the_keyboard_is_read_and_said(page):
    """The canvas's keyboard pen: Tab to the canvas, Space puts the pen down, the arrows draw, Space lifts it."""
    tab_to(page, "e.matches('#ink canvas')")
    assert "arrow keys move the pen" in page.locator("#ink canvas").get_attribute("aria-label")
    page.keyboard.press("ArrowUp")
    for _ in range(5):
        page.keyboard.press("ArrowUp")  # up to the top of the 1, pen up: nothing drawn
    assert points(page) == 0
    page.keyboard.press("Space")
    for _ in range(12):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert points(page) == 13 and page.evaluate("window.scrollY") == 0  # the arrows drew, and scrolled nothing
    answered_all(page)
    read = answer(page)
    page.wait_for_function(f"() => ({SAID})() === ({SENTENCE})()", timeout=5000)
    assert len(read) == 1 and read in page.evaluate(SAID)
    page.keyboard.press("Escape")  # clears, as with a mouse's drawing
    page.wait_for_function(INVITED)
    require_trained()
    assert read == "1"


def test_skip_links_move_the_focus_past_what_a_keyboard_need_not_cross(page):
    page.keyboard.press("Tab")  # the page's first Tab stop
    link = page.locator("a.skip-link")
    assert (
        page.evaluate("document.activeElement.className") == "skip-link" and link.inner_text() == "Skip to the answer"
    )
    assert link.bounding_box()["width"] > 50  # seen while focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "message"
    # the network view: its first stop skips the ~70 map and output buttons, to the glossary after them
    tab_to(page, "e.matches('.lenet-net a.skip-maps')")
    assert page.locator(".lenet-net a.skip-maps").bounding_box()["width"] > 50
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('maps-end')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"  # the glossary opens with Enter
    page.keyboard.press("Enter")
    assert page.locator(".lenet-net details.glossary").get_attribute("open") is not None


def test_every_control_shows_a_strong_focus_ring(page):
    ring = "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
    width = ring + " return parseFloat(s.outlineWidth) * (s.outlineStyle !== 'none'); })()"
    label = "parseFloat(getComputedStyle(document.activeElement.closest('label')).outlineWidth)"
    tab_to(page, "e.matches('#model input')")
    assert page.evaluate(label) >= 3  # the network switch: the ring is round the label a student sees
    for stop in ("e.matches('[data-lesson=share]')", "e.getAttribute('role') === 'tab'", "e.matches('#clear')",
                 "e.matches('#network-tab-button')", "e.matches('.lenet-net .unit-hit')",
                 "e.matches('.lenet-net .col[data-layer]')"):  # fmt: skip
        tab_to(page, stop)
        assert page.evaluate(width) >= 3, stop


def test_the_confusion_matrix_works_from_the_keyboard(page):
    page.get_by_role("tab", name="Mistakes").click()
    cells = page.locator("#mistakes td[data-cell]")
    if not cells.count():
        return  # no confusion matrix shipped with these weights: nothing to reach
    cell = cells.first
    t, p = cell.get_attribute("data-cell").split(",")
    assert cell.get_attribute("aria-label").startswith(f"{t} read as {p}: ")
    cell.focus()
    page.keyboard.press("Enter")
    assert cell.get_attribute("aria-pressed") == "true"
    shown = page.eval_on_selector_all("#mistakes .thumb:not([hidden])", "ts => ts.map(t => t.dataset.cell)")
    assert shown and set(shown) == {f"{t},{p}"}
    page.keyboard.press("Space")
    assert cell.get_attribute("aria-pressed") == "false"
    assert page.locator("#mistakes .thumb[hidden]").count() == 0


def test_escape_closes_the_share_pop_up(page):
    share = page.get_by_role("button", name="Share link")
    share.click()
    box = page.locator("#lesson .lesson-box")
    page.wait_for_function("() => !document.querySelector('#lesson .lesson-box').hidden")
    page.keyboard.press("Escape")
    assert box.is_hidden()
    assert page.evaluate("document.activeElement.dataset.lesson") == "share"
