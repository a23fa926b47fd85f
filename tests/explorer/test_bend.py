"""Bend the digit's views without a server: what the canvas's reading brings while the tab is open
(Bend.follow), the network view of the bent digit, and the frames Play animates."""

from __future__ import annotations

import html
import json
import re
from base64 import b64decode
from io import BytesIO

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from explorer.bend import Bend, bent_view, frames_html
from explorer.reading import PageReading, fingerprint
from lenet.transform import RANGES, Settings, sweep
from lenet.transform import bend as bend_digit
from tests.weights import untrained

DIGIT = np.zeros((28, 28), np.float32)
DIGIT[4:24, 13:16] = 1.0  # a 1
NEUTRAL = [r.neutral for r in RANGES.values()]
TURNED = [30.0 if n == "rotation" else r.neutral for n, r in RANGES.items()]


@pytest.fixture(scope="module", params=["lenet5", "lenet1"])
def network(request):
    return untrained(request.param)


def test_follow_shows_the_digit_as_read_while_the_tab_is_closed(network):
    bend = Bend({network.name: network})
    page = PageReading(network, DIGIT)
    view, shown, *rest = bend.follow(page, False, "rotation", TURNED)
    assert shown is page and view.startswith('<div class="lenet-net"') and "bent" not in view.lower()
    assert rest == [*[gr.skip()] * 3, None]  # the tab left alone, nothing kept bent
    assert bend.follow(page, None)[2:] == (*[gr.skip()] * 3, None)  # the API's None


def test_follow_brings_the_bent_digit_while_the_tab_is_open(network):
    bend = Bend({network.name: network})
    page = PageReading(network, DIGIT)
    view, shown, label, now, swept, seen = bend.follow(page, True, "rotation", TURNED)
    assert "rotation +30°" in view and "lenet-net" in view  # the network view of the bent digit, saying so
    assert shown.how == "rotation +30°" and np.array_equal(shown.shown, bend_digit(DIGIT, Settings(rotation=30)))
    assert label and 'class="bend-now"' in now and 'data-which="rotation"' in swept
    assert seen["how"] == "rotation +30°" and seen["of"] == fingerprint(DIGIT)  # for the unit followed
    assert np.array_equal(seen["digit"], bend_digit(DIGIT, Settings(rotation=30)))
    straight = bend.follow(page, True, "rotation", NEUTRAL)
    assert straight[0].startswith('<div class="lenet-net"') and straight[-1] is None  # neutral: the plain view
    # nothing drawn: the empty views; a bad setting: the view of the digit as read, and the reason
    assert "Draw a digit" in bend.follow(PageReading(network, None), True, "rotation", TURNED)[3]
    view, shown, _, now, _, seen = bend.follow(page, True, "rotation", [float("nan")] * 7)
    assert "bent" not in view.lower() and shown is page and "refused" in now and seen is None


def test_bent_view_names_every_setting_moved_and_both_answers(network):
    page = PageReading(network, DIGIT)
    bent = page.bend(bend_digit(DIGIT, Settings(rotation=-45, scale=1.5)), "scale 1.5×, rotation −45°")
    note = bent_view(bent).split("</p>")[0]
    assert "scale 1.5×" in note and "rotation −45°" in note
    drawn, seen = page.reading.digit, bent.reading.digit  # what the views show, and the answer under the canvas
    assert (f"still reads {seen}" if seen == drawn else f"reads {seen}, not the {drawn}") in note
    assert "bent" not in bent_view(page).lower()


def test_play_frames_hold_every_setting_of_the_sweep(network):
    sw = sweep(network.net, DIGIT, "rotation")
    frames_div = frames_html(network, sw)
    frames = json.loads(html.unescape(re.search(r'data-frames="([^"]*)"', frames_div).group(1)))
    n = len(sw.values)
    assert len(frames["values"]) == len(frames["answers"]) == len(frames["bars"]) == n
    assert frames["answers"] == [int(a) for a in sw.answers] and frames["values"][sw.neutral] == "0°"
    bars = sw.outputs if network.arch == "lenet5" else sw.scores
    assert np.allclose(frames["bars"], bars, atol=0.051)
    # the strip: one 28×28 grey picture per setting, side by side
    src = re.search(r'data-sprite="data:image/png;base64,([^"]*)"', frames_div).group(1)
    strip = np.asarray(Image.open(BytesIO(b64decode(src))).convert("L"))
    assert strip.shape == (28, 28 * n)
    k = n - 1
    expected = (255 * (1 - np.clip(sw.digits[k], 0, 1)) + 0.5).astype(np.uint8)
    assert np.array_equal(strip[:, 28 * k : 28 * (k + 1)], expected)
