"""The drawing surface (explorer/canvas.py, explorer/static/canvas.js) in a real browser, on a bare page:
drawing with the mouse and a finger, Undo, Clear, the value it sends, and at most one reading in
flight while the pen moves, with the newest strokes sent when the answer is back.

Needs Debian's Chromium at /usr/bin/chromium and the ``playwright`` package; skipped without them.
"""

from __future__ import annotations

import threading
import time

import gradio as gr
import pytest

from explorer import assets
from explorer.canvas import BRUSH, CANVAS, ink_canvas, listen
from lenet.strokes import BadStrokes, parse, picture

SLOW_S = 0.25  # each reading takes this long, so that strokes arrive while one is in flight


class Recorder:
    """The server side of the bare page: every value received, and how many readings overlapped."""

    def __init__(self):
        self.values: list = []
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def read(self, value):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.values.append(value)
        try:
            time.sleep(SLOW_S)
            try:
                drawing = parse(value)
            except BadStrokes as exc:
                return {f"bad: {exc}": 1.0}
            ink = 0 if drawing is None else int((picture(value) < 128).sum())
            return {f"{0 if drawing is None else drawing.points} points, {ink} ink": 1.0}
        finally:
            with self.lock:
                self.running -= 1


@pytest.fixture(scope="module")
def bare():
    recorder = Recorder()
    with gr.Blocks() as demo:
        canvas = ink_canvas(elem_id="ink")
        label = gr.Label(elem_id="answer")
        listen(canvas, recorder.read, [canvas], [label], api_name="read", trigger_mode="always_last",
               show_progress="hidden", concurrency_limit=4)  # fmt: skip
    _, url, _ = demo.queue().launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True,
                                    css=assets.read("canvas.css"))  # fmt: skip
    yield url, recorder
    demo.close()


@pytest.fixture
def page(browser, bare):
    url, recorder = bare
    page = browser.new_page(viewport={"width": 900, "height": 700})
    page.set_default_timeout(20_000)
    page.goto(url)
    page.wait_for_selector("#ink [data-ready]")  # the brush is ready: nothing to pick first
    recorder.values.clear()
    recorder.most = 0
    yield page
    page.close()


def shown(page) -> str:
    return page.locator('#answer [data-testid="label-output-value"]').inner_text()


def wait_shown(page, text: str) -> None:
    page.wait_for_function(
        "t => (document.querySelector('#answer [data-testid=\"label-output-value\"]')?.innerText || '').startsWith(t)",
        arg=text,
    )


def points(page) -> int:
    return int(page.evaluate("document.querySelector('#ink [data-points]')?.dataset.points || 0"))


def mouse_stroke(page, path, pause: float = 0.0) -> None:
    box = page.locator("#ink canvas").bounding_box()
    page.mouse.move(box["x"] + path[0][0], box["y"] + path[0][1])
    page.mouse.down()
    for x, y in path[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y)
        if pause:
            time.sleep(pause)
    page.mouse.up()


VERTICAL = [(140, 40 + 10 * i) for i in range(21)]  # a "1", top to bottom


def test_mouse_stroke_sends_its_points_and_the_answer_follows(page, bare):
    mouse_stroke(page, VERTICAL)
    n = points(page)
    assert 15 <= n <= 21  # a point per move, at least a pixel apart
    wait_shown(page, f"{n} points")
    value = bare[1].values[-1]
    assert value["brush"] == BRUSH and value["width"] == value["height"] == CANVAS
    xs = [x for x, _ in value["strokes"][0]]
    ys = [y for _, y in value["strokes"][0]]
    assert max(abs(x - 140) for x in xs) < 1.5 and abs(ys[0] - 40) < 1.5 and abs(ys[-1] - 240) < 1.5
    ink = int(shown(page).split(", ")[1].split()[0])
    assert 0.8 * 24 * 200 < ink < 1.3 * 24 * 224  # a 24 px round pen over 200 px


def test_undo_and_clear(page):
    mouse_stroke(page, VERTICAL)
    mouse_stroke(page, [(80, 60), (200, 60)])
    n2 = points(page)
    wait_shown(page, f"{n2} points")
    page.get_by_role("button", name="Undo").click()
    n1 = points(page)
    assert 0 < n1 < n2
    wait_shown(page, f"{n1} points")
    page.keyboard.press("Control+z")  # nothing focused on the canvas: Undo only from the canvas
    page.locator("#ink canvas").focus()
    page.keyboard.press("Control+z")
    wait_shown(page, "0 points")
    mouse_stroke(page, VERTICAL)
    wait_shown(page, f"{points(page)} points")
    page.get_by_role("button", name="Clear").click()
    wait_shown(page, "0 points")
    assert page.evaluate(  # the canvas is white again
        "(() => { const c = document.querySelector('#ink canvas');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " for (let i = 0; i < d.length; i += 4) if (d[i] < 250) return false; return true; })()"
    )


def test_answers_follow_the_pen_with_one_reading_in_flight(page, bare):
    """A slow stroke (~1.5 s) against a reading that takes 0.25 s: several answers arrive while the
    pen moves, the server never runs two at once for the page, it receives far fewer values than
    the pen made moves (no backlog), and the last one it receives is the whole stroke."""
    recorder = bare[1]
    page.evaluate(
        "window.__seen = []; new MutationObserver(() => window.__seen.push(performance.now()))"
        ".observe(document.querySelector('#answer'), {subtree: true, childList: true, characterData: true})"
    )
    down = page.evaluate("performance.now()")
    mouse_stroke(page, [(40 + 2 * i, 140 + (i % 20)) for i in range(100)], pause=0.015)
    up = page.evaluate("performance.now()")
    n = points(page)
    wait_shown(page, f"{n} points")
    seen = page.evaluate("window.__seen")
    assert recorder.most == 1
    assert 3 <= len(recorder.values) < 40
    assert len(parse(recorder.values[-1]).strokes[0]) == n
    assert sum(down < t < up for t in seen) >= 2  # answers painted while drawing


def test_finger_draws_without_scrolling_the_page(browser, bare):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(bare[0])
    page.wait_for_selector("#ink [data-ready]")
    assert page.evaluate("getComputedStyle(document.querySelector('#ink canvas')).touchAction") == "none"
    box = page.locator("#ink canvas").bounding_box()
    assert box["width"] <= 390 and page.evaluate("document.documentElement.scrollWidth") <= 390
    cdp = context.new_cdp_session(page)
    x = box["x"] + box["width"] / 2
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": box["y"] + 30}]})
    for i in range(1, 21):
        y = box["y"] + 30 + i * (box["height"] - 60) / 20
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    n = points(page)
    assert n >= 15
    wait_shown(page, f"{n} points")
    assert page.evaluate("window.scrollY") == 0
    context.close()


def test_malformed_value_from_the_api_gets_a_message(bare):
    """What the browser never sends but a script could: refused with the reason, and the page's
    function keeps serving."""
    from gradio_client import Client

    client = Client(bare[0], verbose=False)
    said = client.predict({"strokes": [[[140, 1]]], "brush": -24, "width": 280, "height": 280}, api_name="/read")
    assert "brush size must be above 0" in said["label"]
    said = client.predict('{"strokes": [[[NaN, 1]]], "brush": 24, "width": 280, "height": 280}', api_name="/read")
    assert "finite" in said["label"]  # JSON text is accepted too, and NaN in it refused
    said = client.predict({"strokes": [[[140, 40], [140, 240]]], "brush": 24, "width": 280, "height": 280},
                          api_name="/read")  # fmt: skip
    assert said["label"].startswith("2 points")


def test_component_values_are_unwrapped_on_the_page_s_side(tmp_path):
    """Issue 16: Gradio's formats stay in explorer/: a Sketchpad value (its composite, as an array or
    as a file record), an upload's file record and the editor's posted blobs all reach lenet.preprocess
    as a plain picture; lenet refuses a component value it is handed directly."""
    import numpy as np

    from explorer.canvas import stroke
    from lenet.preprocess import UnreadableImage, preprocess

    art = np.zeros((28, 28), np.uint8)
    assert stroke({"background": None, "layers": [], "composite": art}, {}) is art
    assert stroke({"background": None, "layers": [], "composite": None}, {}) is None  # "Clear canvas"
    assert stroke({"composite": {"path": "/x.png", "url": None}}, {}) == "/x.png"
    assert stroke({"path": "/y.png", "meta": {"_type": "gradio.FileData"}}, {}) == "/y.png"
    posted = type("Posted", (), {"composite": b"png"})()
    blobs = {"k": posted}
    assert stroke({"id": "k"}, blobs) == b"png" and not blobs  # taken once
    assert stroke("/z.png", {}) == "/z.png" and stroke(None, {}) is None
    with pytest.raises(UnreadableImage):
        preprocess({"composite": art})
