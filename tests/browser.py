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

READY = "#ink [data-ready]"  # the canvas is set up: drawing works at once, no tool to pick
ANSWERED = "() => document.querySelector('#message .digit') !== null"
INVITED = "() => document.querySelector('#message').innerText.includes('Draw a digit')"
VIEW_TABS = {  # each view tab beside the canvas, by its name on the page, and what shows its content is there
    "Network": ".lenet-net .panel.output",
    "Why this answer": "#why .pics img",
    "Architecture": "#architecture table.arch",
    "How it learned": "#learning .lenet-learning",
    "Bend the digit": "#bend-now .bend-now img",
    "Design choices": "#design table.dc-now",
    "Read a number": "#number-ink [data-ready]",
}


def have_chromium(path: str = CHROMIUM) -> bool:
    return Path(path).exists()


def launch(playwright, chromium: str = CHROMIUM):
    """Headless Chromium from a ``sync_playwright()`` context."""
    return playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"], headless=True)


def open_page(browser_or_context, url: str, viewport: tuple[int, int] = (1280, 720), timeout_ms: int = 30_000):
    """A new page at ``url``, waited for until the canvas is ready to draw on."""
    if hasattr(browser_or_context, "new_context"):  # a browser: the page gets its own viewport
        page = browser_or_context.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    else:  # a context, whose viewport (and touch, phone) settings the page keeps
        page = browser_or_context.new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(url)
    page.wait_for_selector(READY, state="attached")  # set up (hidden while the number tab is open)
    page.wait_for_selector("html[data-restored]", state="attached")  # its load events done: a test counting
    return page  # the requests of a drawing counts no late one of the page's load


def centre(page, canvas: str = "#ink canvas") -> tuple[float, float]:
    box = page.locator(canvas).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def draw(page, strokes, steps: int = 3, pause_ms: float = 0, canvas: str = "#ink canvas") -> None:
    """Draw ``strokes`` with the mouse: polylines in canvas pixels relative to the canvas centre
    (the canvas is 280 px), each segment in ``steps`` pointer moves, ``pause_ms`` apart (0: as fast
    as the browser takes them; a person's pen moves ~20 ms apart). ``canvas``: which one (a CSS
    selector; the number tab's is ``#number-ink canvas``, in the page's pixels)."""
    cx, cy = centre(page, canvas)
    for stroke in strokes:
        page.mouse.move(cx + stroke[0][0], cy + stroke[0][1])
        page.mouse.down()
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
            if not pause_ms:
                page.mouse.move(cx + x1, cy + y1, steps=steps)
                continue
            for t in range(1, steps + 1):
                page.mouse.move(cx + x0 + t / steps * (x1 - x0), cy + y0 + t / steps * (y1 - y0))
                page.wait_for_timeout(pause_ms)
        page.mouse.up()


def touch_draw(context, page, strokes, steps: int = 4) -> None:
    """Draw ``strokes`` with a finger (Chrome DevTools touch events), as :func:`draw` does with the
    mouse; ``context`` must have been made with ``has_touch=True``."""
    cx, cy = centre(page)
    cdp = context.new_cdp_session(page)
    for stroke in strokes:
        points = [{"x": cx + x, "y": cy + y} for x, y in stroke]
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [points[0]]})
        for a, b in zip(points, points[1:], strict=False):
            for t in range(1, steps + 1):
                point = {"x": a["x"] + t / steps * (b["x"] - a["x"]), "y": a["y"] + t / steps * (b["y"] - a["y"])}
                cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def points(page) -> int:
    """How many points the canvas holds (what it sent last)."""
    return int(page.evaluate("document.querySelector('#ink [data-points]')?.dataset.points || 0"))


def answered_all(page) -> None:
    """Wait until the answer on screen is the one for everything drawn: the message says how many
    points it read (explorer/canvas.py, counted), and it is the number drawn."""
    page.wait_for_selector(f'#message [data-points="{points(page)}"]')


def server_read_by(page, network: str) -> None:
    """Wait until the server's reading by ``network`` is on screen: its part of #message (not the
    part the browser writes at once, explorer/static/live.js) and the network view both name it."""
    page.wait_for_function(
        "(name) => { const m = document.querySelector('#message');"
        " const server = [...m.children].filter((c) => !c.classList.contains('live-part'));"
        " const view = document.querySelector('.lenet-net');"
        " return server.some((c) => c.innerText.includes(name)) && view"
        " && view.innerText.includes(`What ${name} sees`); }",
        arg=network,
    )
