"""Legible from the back row and on a phone, in headless Chromium (issue 16). Projector mode on a
1280×720 projector (``static/lesson.css``): after drawing, the canvas, the answer and the network
view's output row are on one screen without scrolling, and no text of any tab is under 18 px. A
390×844 phone: no tab is wider than the screen, the Architecture table scrolls in a box of its own,
and the views get the screen's width but 8 px each side. Skipped without Chromium."""

from __future__ import annotations

from docs.screenshots import FOUR
from tests.browser import VIEW_TABS, answered_all, draw, open_page, touch_draw

PROJECTOR, PHONE = (1280, 720), (390, 844)

# Every text on screen set in less than ``least`` CSS pixels (its font size times any CSS zoom), as
# "size element: text"; text that is hidden, screen-reader only or in Gradio's footer does not count.
SMALL_TEXT = """(least) => {
  const small = new Set();
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    const el = node.parentElement, text = node.textContent.trim();
    if (!text || !el || el.closest('.sr-only, script, style, footer')) continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || box.right <= 0) continue; // unseen: a live region, a skip link
    const px = parseFloat(getComputedStyle(el).fontSize) * (el.currentCSSZoom || 1);
    const what = `${el.tagName.toLowerCase()}.${el.className}: ${text.slice(0, 30)}`;
    if (px < least - 0.01) small.add(`${px.toFixed(1)}px ${what}`);
  }
  return [...small];
}"""


def test_canvas_answer_and_output_row_on_one_screen(browser, server):
    page = open_page(browser, server + "?projector=1", viewport=PROJECTOR)
    try:
        page.wait_for_selector('[data-lesson="projector"][aria-pressed="true"]')
        draw(page, FOUR, steps=4)
        answered_all(page)
        page.wait_for_selector("#net-output .col.answer")
        assert page.evaluate("window.scrollY") == 0
        for element in ("#ink canvas", "#answer", "#net-output"):
            box = page.locator(element).bounding_box()
            assert box is not None, element
            inside = box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= PROJECTOR[0]
            assert inside and box["y"] + box["height"] <= PROJECTOR[1], f"{element} is not all on screen: {box}"
    finally:
        page.close()


def test_no_text_under_18_px_on_any_tab(browser, server):
    page = open_page(browser, server, viewport=PROJECTOR)
    try:
        draw(page, FOUR, steps=4)
        answered_all(page)
        assert page.evaluate(SMALL_TEXT, 18), "the desktop page has captions under 18 px: the check sees them"
        page.get_by_role("button", name="Projector").click()
        page.wait_for_function("() => document.documentElement.classList.contains('projector')")
        small = {}
        for name, ready in VIEW_TABS.items():
            page.get_by_role("tab", name=name, exact=True).click()
            page.wait_for_selector(ready)
            page.wait_for_timeout(300)
            small[name] = page.evaluate(SMALL_TEXT, 18)
        assert not any(small.values()), "text under 18 px in projector mode:\n" + "\n".join(
            f"[{tab}] {text}" for tab, texts in small.items() for text in texts
        )
    finally:
        page.close()


def test_a_phone_cuts_nothing_off(browser, server):
    context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, has_touch=True, is_mobile=True)
    try:
        page = open_page(context, server)
        touch_draw(context, page, FOUR)
        answered_all(page)
        views = page.locator("#views").bounding_box()
        assert views["x"] >= 0 and views["width"] >= PHONE[0] - 2 * 8, views  # Gradio's margins were 32 px
        wide = {}
        for name, ready in VIEW_TABS.items():
            page.get_by_role("tab", name=name, exact=True).click()
            page.wait_for_selector(ready)
            wide[name] = page.evaluate("document.documentElement.scrollWidth")
        assert all(w <= PHONE[0] for w in wide.values()), f"wider than the phone: {wide}"
        page.get_by_role("tab", name="Architecture", exact=True).click()
        box = page.locator("#architecture .arch-scroll")
        sizes = box.evaluate("e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect().right]")
        assert sizes[0] > sizes[1] and sizes[2] <= PHONE[0], f"the table scrolls in its box: {sizes}"
    finally:
        context.close()
