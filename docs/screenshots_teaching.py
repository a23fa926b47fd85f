"""Take the screenshots of the teaching views from the real app in headless Chromium.

    python -m docs.screenshots_teaching [--out docs] [--chromium /usr/bin/chromium] [--projector]

Serves app.py in-process (with the weights in weights/, or LENET_WEIGHTS_DIR), then at 1280×720:
picks the commonest mistake of LeNet-5 in the test-set explorer (view-explorer.png), opens "Why
this answer" for it (view-why.png), the architecture (view-architecture.png) and the training
curves (view-learning.png), and "Bend the digit" with that digit turned by 30° (view-bend.png);
then a drawn 4 with one C3 unit followed, at 1280×720 (view-unit.png), the same 4 turned by 30° in
"Bend the digit" with the panel following the bent digit (view-unit-bent.png), and 390 px wide
(view-unit-phone.png);
then the Share box for that state (view-share.png) and "Bend the digit" at a phone's 390 px
(view-bend-phone.png, the tab only).
With ``--projector``, only projector mode at 1280×720: a drawn 4 on each view tab
(projector-<tab>.png, the tabs named as lesson links name them; a number written on "Read a number").
With ``--design``, only "Design choices" for a drawn 4, at 1280 px and 390 px wide.
Needs Debian's Chromium and the ``playwright`` package (the browser
helpers are ``tests/browser.py``, shared with the browser tests); look at the pictures before
committing them. ``python -m docs.screenshots`` takes the drawing views.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.browser import ANSWERED, answered_all, draw, launch, open_page

ROOT = Path(__file__).resolve().parent.parent


def commonest_mistake(page) -> None:
    """Filter the explorer to its largest off-diagonal cell, then choose the first digit there."""
    page.get_by_role("tab", name="Mistakes").click()
    cells = page.locator("#mistakes td.miss")
    if cells.count():
        counts = [int(t) for t in cells.all_inner_texts()]
        cells.nth(counts.index(max(counts))).click()
    page.locator("#mistakes .thumb:not([hidden])").first.click()
    page.wait_for_function(ANSWERED)
    page.wait_for_timeout(500)


FOUR = [[(-30, -90), (-60, 20), (50, 20)], [(25, -60), (25, 95)]]  # a 4, in canvas pixels from its centre


def follow_unit(page) -> None:
    """Draw a 4, click unit (4, 5) of C3's map 5 in the network view: the panel scrolls into view."""
    draw(page, FOUR)
    answered_all(page)
    c3 = page.locator('.lenet-net .unit-grid[data-layer="C3"] .unit-hit[data-map="5"]')
    c3.scroll_into_view_if_needed()
    box = c3.bounding_box()
    c3.click(position={"x": 5.5 * box["width"] / 10, "y": 4.5 * box["height"] / 10})
    page.wait_for_selector("#unit-panel .lenet-unit .sum")
    page.wait_for_timeout(800)  # the smooth scroll


def bent_unit(page) -> None:
    """The unit followed, with the 4 turned by 30° in "Bend the digit": back on the network view, the
    view and the panel both show the bent digit, and say so."""
    page.get_by_role("tab", name="Bend the digit").click()
    page.wait_for_selector("#bend-now .bend-now img")
    page.locator("#bend-rotation input[type=range]").fill("30")
    page.wait_for_function("() => document.querySelector('#unit-panel').innerText.includes('rotation +30°')")
    page.get_by_role("tab", name="Network").click()
    page.locator("#unit-panel .lenet-unit").scroll_into_view_if_needed()
    page.wait_for_timeout(800)


def lesson_views(browser, url: str, shot, written: list, out: Path) -> None:
    """A "4" drawn and turned by 30° in "Bend the digit": the Share box, and the tab at 390 px opened from
    the lesson link."""
    from docs.screenshots import FOUR
    from tests.browser import answered_all, draw

    page = open_page(browser, url, timeout_ms=60_000)
    draw(page, FOUR, steps=4)
    answered_all(page)
    page.get_by_role("tab", name="Bend the digit").click()
    page.wait_for_selector("#bend-now .bend-now img")
    page.locator("#bend-rotation input[type=range]").fill("30")
    page.wait_for_function("() => document.querySelector('#bend-sweep line.now')?.getAttribute('x1') > 340")  # +30°
    page.get_by_role("button", name="Share link").click()
    page.wait_for_function("() => document.querySelector('#lesson input').value.startsWith('http')")
    page.wait_for_timeout(300)
    shot(page, "share")
    link = page.locator("#lesson input").input_value()
    page.close()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    small = open_page(phone, link, timeout_ms=60_000)  # the same state, through its lesson link
    small.wait_for_selector("#bend-now .bend-now img")
    small.wait_for_timeout(500)
    path = out / "view-bend-phone.png"
    small.locator("#bend-tab").screenshot(path=str(path))
    written.append(path)
    phone.close()


PROJECTOR_TABS = {  # the view tabs, as lesson links name them (explorer/lesson.py), and their names on the page
    "network": "Network", "why": "Why this answer", "architecture": "Architecture", "learning": "How it learned",
    "bend": "Bend the digit", "design": "Design choices", "number": "Read a number",
}  # fmt: skip


def projector_views(browser, url: str, written: list, out: Path) -> None:
    """Projector mode at 1280×720 with a drawn 4: each view tab as the back of the room sees it."""
    from docs.screenshots import FOUR, number_tab

    page = open_page(browser, url + "?projector=1", timeout_ms=60_000)
    draw(page, FOUR, steps=4)
    answered_all(page)
    for tab, name in PROJECTOR_TABS.items():
        if tab == "number":
            number_tab(page, (1280, 720))
        else:
            page.get_by_role("tab", name=name, exact=True).click()
            page.wait_for_timeout(1000)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        path = out / f"projector-{tab}.png"
        page.screenshot(path=str(path))
        written.append(path)
    page.close()


def design_views(browser, url: str, written: list, out: Path) -> None:
    """"Design choices" for a drawn 4: the tab at 1280 px wide (view-design.png) and on a 390 px phone
    (view-design-phone.png)."""
    from docs.screenshots import FOUR

    for (width, height), name in (((1280, 900), "view-design.png"), ((390, 844), "view-design-phone.png")):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = open_page(context, url, timeout_ms=60_000)
        draw(page, FOUR, steps=4)
        answered_all(page)
        page.get_by_role("tab", name="Design choices", exact=True).click()
        page.wait_for_selector("#design table.dc-now")
        page.wait_for_timeout(300)
        path = out / name
        page.locator("#design-tab").screenshot(path=str(path))
        written.append(path)
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNGs (default: docs/)")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium executable")
    parser.add_argument("--projector", action="store_true", help="take only projector-<tab>.png, each view tab")
    parser.add_argument("--design", action="store_true", help="take only view-design.png and view-design-phone.png")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    import app

    _, url, _ = app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    out = Path(args.out)
    written = []

    def shot(page, name: str) -> None:
        path = out / f"view-{name}.png"
        page.screenshot(path=str(path))
        written.append(path)

    try:
        with sync_playwright() as p:
            browser = launch(p, args.chromium)
            if args.projector or args.design:
                (projector_views if args.projector else design_views)(browser, url, written, out)
                browser.close()
                print("wrote " + ", ".join(str(p) for p in written))
                return 0
            page = open_page(browser, url, timeout_ms=60_000)
            commonest_mistake(page)
            shot(page, "explorer")
            page.get_by_role("tab", name="Why this answer").click()
            page.wait_for_selector("#why .pics img")
            page.wait_for_timeout(300)
            shot(page, "why")
            page.get_by_role("tab", name="Architecture").click()
            page.wait_for_selector("#architecture table.arch")
            shot(page, "architecture")
            page.get_by_role("tab", name="How it learned").click()
            page.wait_for_selector("#learning .lenet-learning")
            page.wait_for_timeout(300)
            shot(page, "learning")
            page.get_by_role("tab", name="Bend the digit").click()
            page.wait_for_selector("#bend-now .bend-now img")
            straight = page.locator("#bend-now .bend-now img").get_attribute("src")
            page.locator("#bend-rotation input[type=range]").fill("30")
            page.wait_for_function(f"() => document.querySelector('#bend-now .bend-now img').src !== {straight!r}")
            page.evaluate("window.scrollTo(0, 0)")
            page.wait_for_timeout(500)
            shot(page, "bend")
            for name, viewport in (("unit", (1280, 720)), ("unit-phone", (390, 844))):
                page = open_page(browser, url, viewport=viewport, timeout_ms=60_000)
                follow_unit(page)
                shot(page, name)
                if name == "unit":
                    bent_unit(page)
                    shot(page, "unit-bent")
            lesson_views(browser, url, shot, written, out)
            browser.close()
    finally:
        app.demo.close()
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
