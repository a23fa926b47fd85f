"""The offline kit (explorer/export.py) in headless Chromium, with no Python behind it: exported to a
temporary folder, then served by ``python -m http.server`` and opened as a file (file://, a USB stick
in a classroom). A drawn 7 is read, the answer said once the pen lifts, the network switched, Clear
invites again, the keyboard draws; on a projector the canvas, the answer and the output row are on one
screen in type of 18 px at least, a phone does not scroll sideways, and axe-core finds no serious
violation. MNIST validation digits put straight into the page read as Python's ``lenet`` reads them,
maps and all.

Print the figures (load time, pen-up → answer) with ``pytest tests/app/test_offline_browser.py -s``.
Skipped without Chromium, as every browser test (tests/conftest.py)."""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer import export
from explorer import pictures as vz
from lenet.checkpoint import architecture, save_model, weights_path
from lenet.data import DEFAULT_DATA_DIR, have_mnist
from lenet.model import build_model
from lenet.network import TITLES, load_network
from tests.app.test_browser import SEVEN, answer
from tests.app.test_layout_browser import SMALL_TEXT
from tests.browser import INVITED, draw, touch_draw
from tests.weights import TRAINED, WEIGHTS, require_trained

pytestmark = pytest.mark.browser

READY = "#ink [data-ready]"
PROJECTOR, PHONE = (1280, 720), (390, 844)
MNIST_DIGITS = 40  # validation digits put into the page, per network


@pytest.fixture(scope="module")
def weights(tmp_path_factory) -> Path:
    """The shipped weights, or untrained networks saved to a temporary folder where there are none."""
    if TRAINED:
        return Path(WEIGHTS)
    folder = tmp_path_factory.mktemp("untrained-weights")
    torch.manual_seed(0)
    for name in TITLES:
        save_model(build_model(architecture(name)), weights_path(name, folder), {"note": "untrained, for tests"})
    return folder


@pytest.fixture(scope="module")
def networks(weights):
    return {name: load_network(name, weights) for name in TITLES}


@pytest.fixture(scope="module")
def kit(networks, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kit")
    export.export(folder, networks)
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(kit):
    """The kit served by ``python -m http.server`` in a process of its own: any static server."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(kit)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def open_kit(browser, url: str, viewport=PROJECTOR, **context):
    """A page of the kit in a context of its own, ready to draw; its requests and errors recorded
    (page.requests, page.errors)."""
    ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, **context)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    page.requests, page.errors = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_selector(READY, state="attached")
    return page


def check_seven(page) -> str:
    draw(page, SEVEN)
    read = answer(page)  # #answer's top <dt> and #message's digit, as in the app
    assert read in "0123456789"
    require_trained()  # without the shipped weights, the rest of the test is skipped (failed under CI=true)
    assert read == "7"
    return read


def test_served_by_a_static_server_it_reads_a_drawn_seven_and_says_it(browser, served):
    page = open_kit(browser, served)
    try:
        read = check_seven(page)
        # said once the pen is up (static/a11y.js, ~600 ms after the answer settles)
        page.wait_for_function("() => document.querySelector('#reading-said').textContent.includes('reads')")
        assert f"reads {read}" in page.locator("#reading-said").inner_text()
        assert page.locator("#reading-said").get_attribute("aria-live") == "polite"
        # the network view is this reading's: its maps drawn, the answer's column marked
        assert page.locator(".lenet-net .panel.output .col.answer b").inner_text() == read
        label = page.locator('canvas[data-act="C1"]').get_attribute("aria-label")
        assert label == f"C1: six feature maps of your digit, read as {read}"
        assert all(url.startswith(served) for url in page.requests), page.requests  # nothing from elsewhere
        assert not page.errors, page.errors
    finally:
        page.context.close()


def test_opened_from_a_disk_it_reads_a_digit(browser, kit):
    page = open_kit(browser, (kit / "index.html").as_uri())
    try:
        check_seven(page)
        assert all(url.startswith("file://") for url in page.requests), page.requests
        assert not page.errors, page.errors
    finally:
        page.context.close()


def test_the_switch_rereads_with_each_network_and_clear_invites_again(browser, served, networks):
    page = open_kit(browser, served)
    try:
        assert "Draw a digit" in page.locator("#message").inner_text()
        check_seven(page)
        for name, network in networks.items():
            page.get_by_label(network.title, exact=True).check()
            page.wait_for_function("(t) => document.querySelector('#message').innerText.includes(t)", arg=network.title)
            assert f"What {network.title} sees" in page.locator("#network-view").inner_text()
            assert answer(page) == "7", name
        page.locator("#clear").click()
        page.wait_for_function(INVITED)
        assert page.locator("#answer dt").count() == 0
        assert page.locator('canvas[data-act="C1"]').get_attribute("aria-label").endswith("of the empty canvas")
    finally:
        page.context.close()


def test_the_keyboard_draws_a_digit(browser, served):
    page = open_kit(browser, served)
    try:
        page.locator("#ink canvas").focus()
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowUp")
        page.keyboard.press("Space")  # the pen down
        for _ in range(12):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")  # ... and up
        assert answer(page) in "0123456789"
        page.keyboard.press("Escape")  # clears
        page.wait_for_function(INVITED)
    finally:
        page.context.close()


def test_on_a_projector_everything_is_on_one_screen_in_large_type(browser, served):
    page = open_kit(browser, served, PROJECTOR)
    try:
        check_seven(page)
        page.wait_for_timeout(100)
        assert page.evaluate("window.scrollY") == 0
        for element in ("#ink canvas", "#message .digit", "#answer", ".lenet-net .panel.output .cols"):
            box = page.locator(element).bounding_box()
            inside = box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= PROJECTOR[0]
            assert inside and box["y"] + box["height"] <= PROJECTOR[1], f"{element} is not all on screen: {box}"
        assert not page.evaluate(SMALL_TEXT, 18), page.evaluate(SMALL_TEXT, 18)
    finally:
        page.context.close()


def test_a_phone_draws_with_a_finger_and_never_scrolls_sideways(browser, served):
    page = open_kit(browser, served, PHONE, has_touch=True, is_mobile=True)
    try:
        assert page.evaluate("getComputedStyle(document.querySelector('#ink canvas')).touchAction") == "none"
        touch_draw(page.context, page, SEVEN)
        read = answer(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
        require_trained()
        assert read == "7"
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def axe_script() -> Path:
    axe = pytest.importorskip("axe_playwright_python", reason="needs axe-playwright-python (requirements-dev.txt)")
    return Path(axe.__file__).parent / "axe.min.js"


def test_no_serious_accessibility_violation(browser, served, axe_script):
    from tests.app.test_accessibility_browser import judge, serious

    found = {}
    page = open_kit(browser, served)
    try:
        found["empty"] = serious(page, axe_script)
        check_seven(page)
        found["drawn"] = serious(page, axe_script)
    finally:
        page.context.close()
    page = open_kit(browser, served, PHONE, has_touch=True, is_mobile=True)
    try:
        touch_draw(page.context, page, SEVEN)
        answer(page)
        found["phone"] = serious(page, axe_script)
    finally:
        page.context.close()
    judge(found)


# In the page: each digit (base64 float32, 784 values) read by the kit as a drawing's reading; what
# it shows: the top <dt> and its confidence, and the C1 picture's pixels for the first digit.
READ_ALL = """([digits]) => {
  const bytes = Uint8Array.from(atob(digits), (c) => c.charCodeAt(0));
  const all = new Float32Array(bytes.buffer);
  const shown = [];
  let c1 = null;
  for (let i = 0; i < all.length / 784; i++) {
    LeNetKit.readDigit(all.subarray(i * 784, (i + 1) * 784));
    const top = document.querySelector('#answer .row');
    shown.push([top.querySelector('dt').textContent, top.querySelector('dd').textContent]);
    if (!c1) {
      const canvas = document.querySelector('canvas[data-act="C1"]');
      c1 = Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data);
    }
  }
  return {shown, c1};
}"""


def test_mnist_digits_read_in_the_page_as_python_reads_them(browser, kit, networks):
    """The kit's whole chain after the 28×28 field (forward pass, answer, confidences, C1's picture)
    against Python's ``Network.read`` and :mod:`explorer.pictures`: the same digit and confidence on
    every validation digit, and C1's colours within one step of the colour scale."""
    if not have_mnist(DEFAULT_DATA_DIR):
        pytest.skip("MNIST not fetched: run `python -m lenet.data`")
    from lenet.data import load_split

    x, _ = load_split("validation")
    digits = x[:MNIST_DIGITS, 0].numpy().astype(np.float32)
    b64 = base64.b64encode(np.ascontiguousarray(digits, dtype="<f4").tobytes()).decode()
    page = open_kit(browser, (kit / "index.html").as_uri())
    try:
        for name, network in networks.items():
            page.get_by_label(network.title, exact=True).check()
            got = page.evaluate(READ_ALL, [b64])
            readings = [network.read(d) for d in digits]
            want = [[str(r.digit), f"{round(100 * r.probabilities[r.digit])}%"] for r in readings]
            assert got["shown"] == want, name
            grid = vz.feature_grid(readings[0].acts["C1"], cols=export.LAYERS[(network.arch, "C1")].cols)
            c1 = np.array(got["c1"], dtype=int).reshape(*grid.shape[:2], 4)[..., :3]
            steps = np.abs(c1 - grid.astype(int)).max()
            assert steps <= 8, (name, steps)  # neighbouring entries of the 256-colour scale differ by ≤ 8
    finally:
        page.context.close()


# In the page, before drawing: window.timing resolves, once the pen is up and the answer covers the
# whole drawing, to when the page was ready and how long after the pen lifted the answer last changed
# (0: it was on screen before the pen lifted, read at the last pen move).
TIMING = """() => { window.timing = new Promise((done) => {
  const nav = performance.getEntriesByType('navigation')[0];
  const message = document.querySelector('#message');
  let changed = 0;
  new MutationObserver(() => { changed = performance.now(); }).observe(message, {childList: true, subtree: true});
  document.addEventListener('pointerup', () => {
    const up = performance.now();
    const check = () => (message.dataset.points === document.querySelector('#ink [data-points]').dataset.points
      ? done({ready: nav.domContentLoadedEventEnd, answer: Math.max(0, changed - up)}) : requestAnimationFrame(check));
    requestAnimationFrame(check);
  }, {capture: true, once: true});
}); }"""


def test_figures_time_to_read_and_page_weight(browser, served, kit):
    """Prints what docs/OFFLINE.md reports: the page ready (its scripts run, the weights parsed) after
    navigation, and the pen lifted → the answer on screen; the kit's size."""
    times = []
    for _ in range(3):
        page = open_kit(browser, served)
        try:
            page.evaluate(TIMING)
            draw(page, SEVEN)
            times.append(page.evaluate("() => window.timing"))
        finally:
            page.context.close()
    size = sum(p.stat().st_size for p in kit.iterdir())
    print(f"\nready after {[round(t['ready']) for t in times]} ms; pen up → answer "
          f"{[round(t['answer'], 1) for t in times]} ms; the kit {size / 1000:.0f} kB")  # fmt: skip
    assert all(t["answer"] < 500 for t in times), times
