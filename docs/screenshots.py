"""Take the screenshots of README.md and docs/VIEWS.md from the real app in headless Chromium.

    python -m docs.screenshots [--out docs] [--chromium /usr/bin/chromium] [--only drawing|number|sdnn]

Serves app.py in-process (with the weights in weights/, or LENET_WEIGHTS_DIR), draws a digit with
the mouse, and saves a desktop view (1280×720, a projector) and a phone view (390×844, the whole
page); then writes a number on the "Read a number" tab's wide canvas, two of its digits touching,
and saves the tab at 1280×720 (view-number.png, and view-number-graph.png scrolled to the reading and
the graph) and on the phone (view-number-phone.png, the tab); and the SDNN's reading of that number
with its output map (view-number-sdnn.png at 1280×720, view-number-sdnn-projector.png in projector
mode, view-number-sdnn-phone.png on the phone).
Needs Debian's Chromium and the ``playwright`` package (the browser helpers are
``tests/browser.py``, shared with the browser tests); look at the pictures before committing them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A "4" drawn in two strokes, in canvas pixels relative to the canvas centre (the canvas is 280 px).
FOUR = [[(-20, -95), (-62, 25), (62, 25)], [(28, -60), (28, 98)]]
NUMBER = "20741"  # written on the wide canvas (tests/canvases.py, row), the 7 running into the 4


def number_tab(page, viewport: tuple[int, int]) -> None:
    """Open "Read a number", write NUMBER across its canvas and wait for the reading of all of it."""
    from tests.app.test_number_browser import CANVAS, open_number, read_all
    from tests.browser import draw
    from tests.canvases import row

    open_number(page)
    box = page.locator(CANVAS).bounding_box()
    strokes = row(NUMBER, box["width"], 0.62 * box["height"], gap=[0.3, 0.3, -0.08, 0.3])
    draw(page, strokes, steps=4, canvas=CANVAS)
    read_all(page)
    page.wait_for_timeout(500)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNGs (default: docs/)")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium executable")
    parser.add_argument("--only", choices=["drawing", "number", "sdnn"], help="take only these pictures (default: all)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    import app
    from tests.browser import ANSWERED, draw, launch, open_page

    _, url, _ = app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    out = Path(args.out)
    written = []
    try:
        with sync_playwright() as p:
            browser = launch(p, args.chromium)
            for name, viewport, full in (("desktop", (1280, 720), False), ("phone", (390, 844), True)):
                if args.only in ("number", "sdnn"):
                    break
                page = open_page(browser, url, viewport, timeout_ms=60_000)
                draw(page, FOUR, steps=4)
                page.wait_for_function(ANSWERED)
                page.wait_for_timeout(500)
                page.screenshot(path=str(out / f"screenshot-{name}.png"), full_page=full)
                written.append(out / f"screenshot-{name}.png")
                page.close()
            for name, viewport in (("view-number", (1280, 720)), ("view-number-phone", (390, 844))):
                if args.only in ("drawing", "sdnn"):
                    break
                page = open_page(browser, url, viewport, timeout_ms=60_000)
                number_tab(page, viewport)
                path = out / f"{name}.png"
                if viewport[0] < 600:  # the phone: the view tabs, all of the tab
                    box = page.locator("#views").bounding_box()
                    top = box["y"] + page.evaluate("window.scrollY")
                    clip = {"x": 0, "y": top, "width": viewport[0], "height": box["height"]}
                    page.screenshot(path=str(path), full_page=True, clip=clip)
                else:  # the projector: the screen, the tab's canvas at its top; then the graph
                    page.evaluate("document.querySelector('#views').scrollIntoView()")
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(path))
                    page.evaluate("document.querySelector('#number-top').scrollIntoView()")
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(out / "view-number-graph.png"))
                    written.append(out / "view-number-graph.png")
                written.append(path)
                page.close()
            for name, viewport, query in (("view-number-sdnn", (1280, 720), ""),
                                          ("view-number-sdnn-projector", (1280, 720), "?projector=1"),
                                          ("view-number-sdnn-phone", (390, 844), "")):  # fmt: skip
                if args.only in ("drawing", "number"):
                    break
                page = open_page(browser, url + query, viewport, timeout_ms=60_000)
                number_tab(page, viewport)
                page.evaluate("document.querySelector('#number-sdnn').scrollIntoView()")
                page.wait_for_timeout(300)
                path = out / f"{name}.png"
                page.screenshot(path=str(path))
                written.append(path)
                page.close()
            browser.close()
    finally:
        app.demo.close()
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
