"""Driving the page in headless Chromium, for the browser tests (through the fixtures in
``tests/conftest.py``) and for the screenshot scripts in ``docs/``.

Needs Debian's Chromium (``apt-get install chromium``) and the ``playwright`` Python package; never
``playwright install``, which would download another browser.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NEEDS_CHROMIUM = "needs Chromium (apt-get install chromium)"

READY = '#sketchpad button[aria-label="Brush"].highlight'  # the page selects the brush: drawing works at once
ANSWERED = "() => document.querySelector('#message .digit') !== null"
INVITED = "() => document.querySelector('#message').innerText.includes('Draw a digit')"


def have_chromium(path: str = CHROMIUM) -> bool:
    return Path(path).exists()


def launch(playwright, chromium: str = CHROMIUM):
    """Headless Chromium from a ``sync_playwright()`` context."""
    return playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"], headless=True)


def open_page(browser_or_context, url: str, viewport: tuple[int, int] = (1280, 720), timeout_ms: int = 30_000):
    """A new page at ``url``, waited for until the brush is selected. Each mouse move takes ~150 ms
    in headless Chromium: hence the generous default timeout."""
    if hasattr(browser_or_context, "new_context"):  # a browser: the page gets its own viewport
        page = browser_or_context.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    else:  # a context, whose viewport (and touch, phone) settings the page keeps
        page = browser_or_context.new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(url)
    page.wait_for_selector(READY)
    return page


def draw(page, strokes, steps: int = 3) -> None:
    """Draw ``strokes`` with the mouse: polylines in canvas pixels relative to the canvas centre
    (the editor centres its drawing area in its canvas; the canvas is 280 px)."""
    box = page.locator("#sketchpad canvas").first.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for stroke in strokes:
        page.mouse.move(cx + stroke[0][0], cy + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(cx + x, cy + y, steps=steps)
        page.mouse.up()
