"""Take the README's screenshots from the real app in headless Chromium.

    python -m docs.screenshots [--out docs] [--chromium /usr/bin/chromium]

Serves app.py in-process (with the weights in weights/, or LENET_WEIGHTS_DIR), draws a digit with
the mouse, and saves a desktop view (1280×720, a projector) and a phone view (390×844, the whole
page). Needs Debian's Chromium and the ``playwright`` package; look at the pictures before
committing them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A "4" drawn in two strokes, in canvas pixels relative to the canvas centre (the canvas is 280 px).
FOUR = [[(-20, -95), (-62, 25), (62, 25)], [(28, -60), (28, 98)]]


def draw(page, strokes) -> None:
    box = page.locator("#sketchpad canvas").first.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for stroke in strokes:
        page.mouse.move(cx + stroke[0][0], cy + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(cx + x, cy + y, steps=4)
        page.mouse.up()
    page.wait_for_function("() => document.querySelector('#message .digit') !== null")
    page.wait_for_timeout(500)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNGs (default: docs/)")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium executable")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    import app

    _, url, _ = app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    out = Path(args.out)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"], headless=True)
            for name, viewport, full in (("desktop", (1280, 720), False), ("phone", (390, 844), True)):
                page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
                page.set_default_timeout(60_000)
                page.goto(url)
                page.wait_for_selector('#sketchpad button[aria-label="Brush"].highlight')
                draw(page, FOUR)
                page.screenshot(path=str(out / f"screenshot-{name}.png"), full_page=full)
                page.close()
            browser.close()
    finally:
        app.demo.close()
    print(f"wrote {out / 'screenshot-desktop.png'} and {out / 'screenshot-phone.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
