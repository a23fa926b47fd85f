"""Take the README's screenshots from the real app in headless Chromium.

    python -m docs.screenshots [--out docs] [--chromium /usr/bin/chromium]

Serves app.py in-process (with the weights in weights/, or LENET_WEIGHTS_DIR), draws a digit with
the mouse, and saves a desktop view (1280×720, a projector) and a phone view (390×844, the whole
page). Needs Debian's Chromium and the ``playwright`` package (the browser helpers are
``tests/browser.py``, shared with the browser tests); look at the pictures before
committing them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A "4" drawn in two strokes, in canvas pixels relative to the canvas centre (the canvas is 280 px).
FOUR = [[(-20, -95), (-62, 25), (62, 25)], [(28, -60), (28, 98)]]




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNGs (default: docs/)")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium executable")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    import app
    from tests.browser import ANSWERED, draw, launch, open_page

    _, url, _ = app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    out = Path(args.out)
    try:
        with sync_playwright() as p:
            browser = launch(p, args.chromium)
            for name, viewport, full in (("desktop", (1280, 720), False), ("phone", (390, 844), True)):
                page = open_page(browser, url, viewport, timeout_ms=60_000)
                draw(page, FOUR, steps=4)
                page.wait_for_function(ANSWERED)
                page.wait_for_timeout(500)
                page.screenshot(path=str(out / f"screenshot-{name}.png"), full_page=full)
                page.close()
            browser.close()
    finally:
        app.demo.close()
    print(f"wrote {out / 'screenshot-desktop.png'} and {out / 'screenshot-phone.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
