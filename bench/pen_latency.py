"""What a person feels: from lifting the pen to the answer on screen, in headless Chromium.

    python -m bench.pen_latency [--strokes 20] [--long 2.0] [--only sketchpad ink ink-read app]

Serves each bare app of bench/ink_app.py, and the app, in its own process and draws on it with the mouse through
Playwright (Debian's /usr/bin/chromium): strokes of ~15 pointer moves 16 ms apart (a 60 Hz pen),
then pen up. In the page, a capture listener notes when the pen is lifted and a MutationObserver on
the answer (#answer, a gr.Label: its top line) notes, in the next animation frame, when each new answer is
painted. Printed (not asserted), for each surface:

- pen-up → answer painted, p50 and p95 over ``--strokes`` strokes. For our canvas, the answer for
  the whole stroke: its Label says how many points the server read, and the figure is when the
  answer with the stroke's final count is painted (0 when it was already there at pen-up, since the
  answer follows the pen). For the Sketchpad, the first answer after pen-up.
- updates per second while drawing: answers painted during a ``--long`` second stroke.

``ink-read`` is our canvas with the server rasterising and reading every update with LeNet-5
(``ink-read-unpaced``: the same, mid-stroke readings sent at once when the last is answered);
``app`` is the whole page (its message says how many points it read), with every output.
Everything shares the machine's cores with the browser: check the load average printed with them.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import shutil
import time

from bench.common import Server, machine, pct, weights_env

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
MOVE_S = 0.016  # between pointer moves: a 60 Hz pen

# Set up in each page: when the pen was lifted, and every answer painted (text, time).
WATCH = """() => {
  window.__up = null; window.__down = null; window.__answers = [];
  addEventListener('pointerdown', () => { window.__down = performance.now(); }, true);
  addEventListener('pointerup', () => { window.__up = performance.now(); }, true);
  const answer = document.querySelector('#answer');
  const message = document.querySelector('#message');  // the app's: it says how many points it read
  const shown = () => answer.querySelector('[data-testid="label-output-value"]')?.innerText ?? '';
  const points = () => message?.querySelector('[data-points]')?.dataset.points ?? null;
  let last = '';
  const seen = () => {
    const text = shown(), n = points();
    if (text + '|' + n === last) return;
    last = text + '|' + n;
    requestAnimationFrame(() => window.__answers.push({t: performance.now(), text: text, points: n}));
  };
  seen();
  window.__answers = [];
  for (const target of [answer, message]) {
    const all = {subtree: true, childList: true, characterData: true, attributes: true};
    if (target) new MutationObserver(seen).observe(target, all);
  }
}"""

SURFACES = {
    # name: (the server's script and arguments, the canvas, what shows the page is ready to draw)
    "sketchpad": (("bench.ink_app", "--surface", "sketchpad"), "#sketchpad canvas",
                  '#sketchpad button[aria-label="Brush"].highlight'),
    "ink": (("bench.ink_app", "--surface", "ink"), "#ink canvas", "#ink [data-ready]"),
    "ink-read": (("bench.ink_app", "--surface", "ink", "--read"), "#ink canvas", "#ink [data-ready]"),
    "ink-read-unpaced": (("bench.ink_app", "--surface", "ink", "--read", "--pace", "0"), "#ink canvas",
                         "#ink [data-ready]"),
    "app": (("app.py",), "#ink canvas", "#ink [data-ready]"),
}  # fmt: skip


def stroke_path(k: int, moves: int) -> list[tuple[float, float]]:
    """Stroke ``k``: ``moves`` points, relative to the canvas centre, in canvas pixels; lines and
    arcs of a digit's size, different each time."""
    angle = k * 0.7
    if k % 2:
        return [(70 * math.cos(angle + 3 * t / moves), 70 * math.sin(angle + 3 * t / moves)) for t in range(moves)]
    dx, dy = math.cos(angle), math.sin(angle)
    return [(dx * (-90 + 180 * t / (moves - 1)), dy * (-90 + 180 * t / (moves - 1))) for t in range(moves)]


def draw(page, selector: str, points: list[tuple[float, float]]) -> None:
    box = page.locator(selector).first.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx + points[0][0], cy + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        time.sleep(MOVE_S)
        page.mouse.move(cx + x, cy + y)
    page.mouse.up()


def answers(page) -> list[dict]:
    return page.evaluate("window.__answers")


def wait_for(page, predicate, timeout: float = 20.0):
    """The first painted answer for which ``predicate(answer)`` holds, waiting up to ``timeout`` s."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        for a in answers(page):
            if predicate(a):
                return a
        time.sleep(0.01)
    raise TimeoutError(f"no answer among {answers(page)}")


def points_drawn(page) -> int:
    return int(page.evaluate("document.querySelector('#ink [data-points]')?.dataset.points || 0"))


def ink_final(page):
    """The painted answer for the whole drawing: the app's message, or the bare app's Label, shows
    the count of points read, and it is the count drawn."""
    n = points_drawn(page)
    return wait_for(page, lambda a: a["points"] == str(n) or a["text"].startswith(f"{n} points"))


def cleared(answer: dict) -> bool:
    return answer["points"] == "0" or answer["text"].startswith("0 points")


def measure_surface(browser, name: str, strokes: int, long_s: float, url: str | None = None, warmup: int = 2,
                    moves: int = 15) -> dict:  # fmt: skip
    """``long_s`` 0: no long stroke (updates per second not measured); ``warmup``: strokes not timed;
    ``moves``: pointer moves per stroke."""
    command, canvas, ready = SURFACES[name]
    env, _ = weights_env()
    with contextlib.nullcontext() if url else Server(command[0], command[1:], env=env) as server:
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        page.set_default_timeout(30_000)
        page.goto(url or server.url)
        page.wait_for_selector(ready)
        page.evaluate(WATCH)
        pen_up, already = [], 0
        for k in range(strokes + warmup):  # the first ones warm up
            if name != "sketchpad" and k % 3 == 0 and points_drawn(page):  # a new digit every 3 strokes
                page.locator("#ink [data-ink=clear]").click()
                wait_for(page, cleared)
            page.evaluate("window.__answers = []")
            draw(page, canvas, stroke_path(k, moves))
            up = page.evaluate("window.__up")
            final = ink_final(page) if name != "sketchpad" else wait_for(page, lambda a, up=up: a["t"] > up)
            if k >= warmup:
                pen_up.append(max(0.0, final["t"] - up))
                already += final["t"] <= up
            time.sleep(0.3)
        # One long stroke: how often the answer changes while the pen moves.
        if not long_s:
            page.close()
            return {"surface": name, "p50_ms": pct(pen_up, 50), "p95_ms": pct(pen_up, 95), "n": len(pen_up),
                    "already": already, "updates_per_s": float("nan"), "long_s": 0.0}  # fmt: skip
        if name != "sketchpad":
            page.locator("#ink [data-ink=clear]").click()
            wait_for(page, cleared)
        page.evaluate("window.__answers = []")
        moves = int(long_s / MOVE_S)
        spiral = [(r * math.cos(t), r * math.sin(t)) for i in range(moves) for r, t in [(20 + 70 * i / moves, i / 8)]]
        draw(page, canvas, spiral)
        down, up = page.evaluate("window.__down"), page.evaluate("window.__up")
        during = [a for a in answers(page) if down < a["t"] <= up]
        page.close()
    return {
        "surface": name,
        "p50_ms": pct(pen_up, 50),
        "p95_ms": pct(pen_up, 95),
        "n": len(pen_up),
        "already": already,
        "updates_per_s": len(during) / ((up - down) / 1000),
        "long_s": (up - down) / 1000,
    }


def measure(names: list[str], strokes: int | dict = 20, long_s: float | dict = 2.0, urls: dict[str, str] | None = None,
            browser=None, warmup: int | dict = 2, moves: int | dict = 15) -> list[dict]:  # fmt: skip
    """``urls``: surfaces already served (name → URL); the others are served here, one at a time.
    ``strokes``, ``long_s``, ``warmup`` and ``moves`` may be given per surface (a dict); ``browser``: a Chromium
    already launched."""
    from playwright.sync_api import sync_playwright

    urls = urls or {}

    def run(browser) -> list[dict]:
        def each(value, name):
            return value[name] if isinstance(value, dict) else value

        return [measure_surface(browser, name, each(strokes, name), each(long_s, name), urls.get(name),
                                each(warmup, name), each(moves, name)) for name in names]  # fmt: skip

    if browser is not None:
        return run(browser)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        try:
            return run(browser)
        finally:
            browser.close()


def report(results: list[dict]) -> list[dict]:
    print(f"pen-up → answer painted, headless Chromium ({machine()})")
    print(f"{'surface':<11} {'p50 ms':>8} {'p95 ms':>8} {'strokes':>8} {'at pen-up':>10} {'updates/s drawing':>18}")
    for r in results:
        print(f"{r['surface']:<11} {r['p50_ms']:8.0f} {r['p95_ms']:8.0f} {r['n']:8d} {r['already']:10d} "
              f"{r['updates_per_s']:12.1f} in {r['long_s']:.1f} s")  # fmt: skip
    print("'at pen-up': strokes whose whole answer was already painted when the pen was lifted (counted as 0 ms)")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strokes", type=int, default=20, help="strokes timed per surface")
    parser.add_argument("--long", type=float, default=2.0, help="seconds of the long stroke (updates per second)")
    parser.add_argument("--only", nargs="+", choices=list(SURFACES), default=list(SURFACES), help="surfaces to time")
    args = parser.parse_args(argv)
    report(measure(args.only, args.strokes, args.long))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
