"""The "Bend the digit" tab: sliders for the paper's six invariances (:mod:`lenet.transform`) on
the digit the student drew, the answer and the distance to every prototype following each move,
and beside them the sweep of the slider last moved — the answer across its whole range, one line
per prototype, and the band where the answer stays what it is at the slider's neutral value
("LeNet-5 reads your 4 from −35° to +40°").

One move is one request: the bent digit read once, the sweep read as one batch of 41 settings, and
three HTML views (a 28×28 PNG and ten bars, an SVG of ten polylines, the network view of the bent
digit). While the tab is open, a stroke on the canvas brings the same views in the canvas's own
reading (:meth:`Bend.follow`): one request per pen update. The sweep carries its 41 bent digits as
one PNG strip and their readings, so that **Play** (``static/bend.js``) animates the slider's whole
range in the browser, with no request per frame. ``/transform`` is the same thing for a picture sent
over the API. Its style sheet is ``static/bend.css``.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from dataclasses import replace

import gradio as gr
import numpy as np

from explorer import assets, canvas, pictures
from explorer.events import FOLLOW, READ
from explorer.network_view import network_html
from explorer.reading import NoSuchNetwork, PageReading, kept, network_named
from lenet.network import DEFAULT, Network
from lenet.preprocess import UnreadableImage, preprocess
from lenet.reading import Reading, top_confidences
from lenet.transform import NAMES, RANGES, BadSettings, Settings, Sweep, bend, settings, sweep

TAB = "Bend the digit"
EMPTY_NOW = '<p class="bend-empty">Draw a digit (or pick an MNIST digit): then bend it with the sliders.</p>'
EMPTY_SWEEP = '<p class="bend-empty">The sweep of the slider you move appears here.</p>'
# Ten colours that stay apart on a projector, each dark enough for the digit written in it at a line's
# end (≥ 4.5:1 on white, WCAG AA; Tableau 10's yellow, pink, grey, orange and teal were under 3:1); the
# answer's line is drawn thick.
COLOURS = ("#1f5f99", "#b35900", "#c0392b", "#1b7f79", "#2e7d32", "#8a6d00", "#7b3f8c", "#c2185b", "#6d4c41", "#5f6368")
UNITS = {"shift_x": " px", "shift_y": " px", "scale": "×", "rotation": "°", "squeeze": "", "thickness": "", "noise": ""}


def fmt(which: str, value: float) -> str:
    """A slider's value as the page writes it: "+40°", "1.25×", "−3 px", "0.12"."""
    if which == "noise":
        return f"{value:.0%}"
    text = f"{value:+.3g}" if RANGES[which].neutral == 0 and value != 0 else f"{value:.3g}"
    return text.replace("-", "−") + UNITS[which]


# --- the bent digit now -------------------------------------------------------------------------


def now_html(network: Network, reading: Reading, bent: np.ndarray, notes: list[str]) -> str:
    """The bent digit (28×28, ink = 1) as the network receives it, its answer (``reading``), and one
    bar per prototype: LeNet-5's squared RBF distance (shorter = closer), LeNet-1's score."""
    picture = pictures.img(pictures.paper(bent), "the bent digit", unit_px=4)
    rbf = network.arch == "lenet5"
    values = reading.output if rbf else reading.scores
    top = float(np.max(np.abs(values))) or 1.0
    rows = []
    for d in range(10):
        width = 100 * abs(float(values[d])) / top
        mark = " answer" if d == reading.digit else ""
        rows.append(
            f'<div class="bar{mark}"><span class="d">{d}</span><span class="track"><span class="fill" '
            f'style="width:{width:.1f}%;background:{COLOURS[d]}"></span></span>'
            f'<span class="v">{values[d]:.1f}</span></div>'
        )  # fmt: skip
    what = "score per digit (longer = more likely)"
    if rbf:  # the answer is the emptiest bar here, the fullest everywhere else: said where it is drawn
        what = "squared distance to each prototype: shorter = closer, the answer has the shortest bar"
    said = canvas.answer_html(reading, network.title)
    note = "".join(f'<p class="refused">⚠️ {html.escape(n)}</p>' for n in notes)
    return (
        f'<div class="bend-now"><div class="bend-picture">{picture}{said}</div>'
        f'<div class="bend-bars"><p class="what">{what}</p>{"".join(rows)}</div></div>{note}'
    )


# --- the sweep ------------------------------------------------------------------------------------

W, H, LEFT, RIGHT, TOP, BOTTOM = 640, 300, 52, 28, 34, 58  # the SVG's size and margins, px


def sweep_svg(network: Network, sw: Sweep, current: float) -> str:
    """The sweep as an SVG: per prototype its distance (LeNet-5) or score (LeNet-1) across the
    slider's range, the answer per setting in a strip underneath, the band where it stays as at
    the neutral value shaded, and the slider's current value as a dashed line."""
    rbf = network.arch == "lenet5"
    ys = sw.outputs if rbf else sw.scores
    log = sw.which == "scale"
    xv = np.log(sw.values) if log else sw.values
    x0, x1 = float(xv[0]), float(xv[-1])
    y_lo, y_hi = (0.0, float(ys.max())) if rbf else (float(ys.min()), float(ys.max()))
    y_hi = y_hi if y_hi > y_lo else y_lo + 1

    def px(v: float) -> float:
        v = math.log(v) if log else v
        return LEFT + (W - LEFT - RIGHT) * (v - x0) / (x1 - x0)

    def py(v: float) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - (v - y_lo) / (y_hi - y_lo))

    lo, hi = sw.band
    answer = sw.answer
    left, width = px(lo) - 3, px(hi) - px(lo) + 6  # a little wider than the band: one setting shows
    parts = [f'<rect class="band" x="{left:.1f}" y="{TOP}" width="{width:.1f}" height="{H - TOP - BOTTOM}"/>']
    for d in sorted(range(10), key=lambda d: d == answer):  # the answer's line on top
        points = " ".join(f"{px(v):.1f},{py(y):.1f}" for v, y in zip(sw.values, ys[:, d], strict=True))
        cls = "line answer" if d == answer else "line"
        parts.append(f'<polyline class="{cls}" points="{points}" stroke="{COLOURS[d]}"/>')
        y_end = py(ys[-1, d]) + 4
        parts.append(f'<text class="end" x="{W - RIGHT + 4}" y="{y_end:.1f}" fill="{COLOURS[d]}">{d}</text>')
    strip = H - BOTTOM + 8
    for v, a in zip(sw.values, sw.answers, strict=True):
        cls = "cell" if a == answer else "cell off"
        parts.append(f'<text class="{cls}" x="{px(v):.1f}" y="{strip + 12}">{a}</text>')
    parts.append(f'<line class="now" x1="{px(current):.1f}" x2="{px(current):.1f}" y1="{TOP - 6}" y2="{strip + 16}"/>')
    r = RANGES[sw.which]
    for v in {r.lo, r.neutral, r.hi}:
        parts.append(f'<text class="tick" x="{px(v):.1f}" y="{H - 12}">{fmt(sw.which, v)}</text>')
    axis = "distance² (lower = closer)" if rbf else "score (higher = more likely)"
    parts.append(f'<text class="axis" x="6" y="{TOP - 12}">{axis}</text>')
    label = f"{network.title} answers {answer} from {fmt(sw.which, lo)} to {fmt(sw.which, hi)}"
    return (
        f'<svg class="bend-sweep" viewBox="0 0 {W} {H}" role="img" aria-label="{html.escape(label)}">'
        + "".join(parts)
        + "</svg>"
    )


def sweep_html(network: Network, sw: Sweep, current: float) -> str:
    """The sweep's headline ("LeNet-5 reads your 4 from −35° to +40°") over its plot."""
    lo, hi = sw.band
    r = RANGES[sw.which]
    name = r.label.split(" (")[0].lower()
    if (lo, hi) == (r.lo, r.hi):
        said = f"{network.title} reads your <b>{sw.answer}</b> across the whole {name} range."
    elif lo == hi:
        said = f"{network.title} reads your <b>{sw.answer}</b> only at <b>{fmt(sw.which, lo)}</b> ({name})."
    else:
        said = (
            f"{network.title} reads your <b>{sw.answer}</b> from <b>{fmt(sw.which, lo)}</b> "
            f"to <b>{fmt(sw.which, hi)}</b> ({name})."
        )
    play = '<button type="button" class="bend-play" data-bend="play" title="The whole range, animated">▶ Play</button>'
    return (
        f'<div class="bend-sweep-view" data-which="{sw.which}"><div class="top">'
        f'<p class="headline">{said}</p>{play}</div>{sweep_svg(network, sw, current)}{frames_html(network, sw)}</div>'
    )


def frames_html(network: Network, sw: Sweep) -> str:
    """What Play needs to animate the sweep without a request per frame: its bent digits as one
    grey PNG strip (28 px high, 28 px per setting), and per setting the value as the page writes
    it, the answer and the ten bars' values, as data attributes of an empty element."""
    n = len(sw.values)
    grey = pictures.paper(sw.digits)  # (n, 28, 28)
    strip = grey.transpose(1, 0, 2).reshape(grey.shape[1], n * grey.shape[2])
    bars = sw.outputs if network.arch == "lenet5" else sw.scores
    frames = {
        "values": [fmt(sw.which, float(v)) for v in sw.values],
        "answers": [int(a) for a in sw.answers],
        "bars": np.round(bars.astype(np.float64), 1).tolist(),
        "title": network.title,
    }
    src = pictures.png_data_uri(strip)
    return f'<div class="bend-frames" hidden data-sprite="{src}" data-frames="{html.escape(json.dumps(frames))}"></div>'


# --- the tab in Gradio ---------------------------------------------------------------------------


def how_bent(s: Settings) -> str:
    """The settings moved from neutral, as the page says them ("rotation +30°, noise 12%"); "" for none."""
    return ", ".join(f"{RANGES[n].label.split(' (')[0].lower()} {fmt(n, v)}"
                     for n, v in zip(NAMES, s.values(), strict=True) if v != RANGES[n].neutral)  # fmt: skip


def bent_view(page: PageReading) -> str:
    """The network view of the digit shown: when it is bent, under a line that says so, how, and what
    the network reads there beside the answer under the canvas (the digit as drawn), so that the two
    answers on screen never pass for one."""
    if page.bent is None or page.reading is None:
        return network_html(page.network, page.reading)
    bent, drawn = page.reading.digit, page.plain.digit
    same = f"it still reads {bent}" if bent == drawn else f"it reads {bent}, not the {drawn} it reads as drawn"
    note = (f'<p class="bent-note">↻ <b>Bent</b> in “{TAB}” ({html.escape(page.how)}): {page.network.title} sees '
            f"the digit as bent here, and {same}. Straighten there to see it as drawn.</p>")  # fmt: skip
    return note + network_html(page.network, page.reading)


class Bend:
    """The tab, its per-request functions and its events. ``networks``: name → :class:`Network`."""

    def __init__(self, networks: dict[str, Network]):
        self.networks = networks

    def views(self, digit: np.ndarray | None, name: str, which: str, *values) -> tuple[dict, str, str, str]:
        """The answer (for gr.Label), the bent digit's view, the sweep of slider ``which`` and the
        network view of the bent digit, for a 28×28 digit (or None) and the seven slider values in
        the order of ``lenet.transform.NAMES``. What cannot be shown leaves the network view as it is."""
        try:
            page = PageReading(network_named(self.networks, name), digit)
        except NoSuchNetwork as exc:
            return {}, canvas.refused_html(str(exc)), EMPTY_SWEEP, gr.skip()
        return self.seen(page, which, *values)[:4]

    def seen(self, page: PageReading, which: str, *values) -> tuple:
        """:meth:`views` for ``page``, then what the page keeps of the bent digit
        (:func:`explorer.reading.kept`) and the bent page itself (for the unit followed)."""
        network, digit = page.network, page.digit
        try:
            s, notes = settings(*values)
        except BadSettings as exc:
            return {}, canvas.refused_html(str(exc)), EMPTY_SWEEP, gr.skip(), gr.skip(), gr.skip()
        if digit is None:
            return {}, EMPTY_NOW, EMPTY_SWEEP, network_html(network, None), None, page
        which = which if which in RANGES else "rotation"
        bent_digit = bend(digit, s)
        bent = page.bend(bent_digit, how_bent(s))  # the views show it bent; as read when every setting is neutral
        sw = sweep(network.net, digit, which, base=replace(s, **{which: RANGES[which].neutral}))
        reading = bent.reading  # of the bent digit; of the page's own digit, read once, when nothing is bent
        swept = sweep_html(network, sw, getattr(s, which))
        view = bent_view(bent)
        return top_confidences(reading), now_html(network, reading, bent_digit, notes), swept, view, kept(bent), bent

    def follow(self, page: PageReading, is_open: bool = False, which: str = "rotation",
               values: list | None = None) -> tuple:  # fmt: skip
        """For the canvas's reading (explorer.reading.Reader.views): the network view and the page
        it shows, then the tab's three views and what the page keeps of the bent digit. While the tab is
        open (``is_open``), the bent digit's, as a slider move gives them (``values``: the seven
        settings, as the sliders last sent them); otherwise the digit as read, and the tab left alone
        (it catches up when opened)."""
        if is_open is not True:
            return network_html(page.network, page.reading), page, gr.skip(), gr.skip(), gr.skip(), None
        label, now, swept, view, state, bent = self.seen(page, which, *(values or ()))
        if not isinstance(view, str):  # gr.skip(): settings that cannot be used; the view as read
            return network_html(page.network, page.reading), page, label, now, swept, None
        return view, bent, label, now, swept, state

    def transform(self, drawing, name: str = DEFAULT, shift_x: float = 0.0, shift_y: float = 0.0,
                  scale: float = 1.0, rotation: float = 0.0, squeeze: float = 0.0, thickness: float = 0.0,
                  noise: float = 0.0) -> tuple[dict, str, str]:  # fmt: skip
        """``/transform``: a picture as ``/predict`` takes it (a Sketchpad value or a file), a
        network and the seven settings → the answer for the bent digit, its view and the rotation
        sweep. Neutral settings read exactly as ``/predict`` does."""
        try:
            digit = preprocess(canvas.stroke(drawing, self.blobs))
        except UnreadableImage as exc:
            return {}, canvas.refused_html(str(exc)), EMPTY_SWEEP
        return self.views(digit, name, "rotation", shift_x, shift_y, scale, rotation, squeeze, thickness, noise)[:3]

    def tab(self) -> None:
        """The tab (call inside the view ``gr.Tabs``). Its sliders sit in a grid of four columns
        under the two views, so that a 1280×720 projector shows them all with the sweep."""
        with gr.Tab(TAB, elem_id="bend-tab", id="bend"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=2, min_width=300):
                    # /transform's first output; the page shows the answer in the view beside the bars
                    self.label = gr.Label(num_top_classes=3, visible=False, elem_id="bend-answer")
                    self.now = gr.HTML(EMPTY_NOW, elem_id="bend-now")
                with gr.Column(scale=3, min_width=320):
                    self.sweep = gr.HTML(EMPTY_SWEEP, elem_id="bend-sweep", js_on_load=assets.js("bend.js"))
            with gr.Row(elem_id="bend-sliders"):
                self.sliders = [
                    gr.Slider(r.lo, r.hi, value=r.neutral, step=r.step, label=r.label, elem_id=f"bend-{n}",
                              min_width=150)
                    for n, r in RANGES.items()
                ]  # fmt: skip
                self.reset = gr.Button("Straighten", elem_id="bend-reset", min_width=120, scale=0)
            self.last = gr.State("rotation")  # the slider last moved: its sweep is shown
            self.open = gr.State(False)  # whether the tab is open: the canvas's reading then brings its views
            self.values = gr.State([r.neutral for r in RANGES.values()])  # the sliders' values, for the reading
            self.shown = gr.State(None)  # the bent digit while the network view shows it (shown()), for the unit
            self.api_button = gr.Button(visible=False)  # /transform's trigger: API only
        # For the canvas's reading (app.py): what follow() takes after the view, digit and network, and gives
        # (states, not the sliders: /strokes keeps its two API parameters)
        self.inputs, self.outputs = [self.open, self.last, self.values], [self.label, self.now, self.sweep, self.shown]

    def wire(self, *, digit: gr.State, choice: gr.Radio, views: gr.Tabs, sketchpad: gr.Sketchpad,
             view: gr.HTML, uploaded, unit) -> None:  # fmt: skip
        """Events: a slider moved → that slider's sweep, the bent digit and the network ``view`` of
        it; another network, "Straighten" or opening the tab → the same for the slider last moved;
        a picture ``uploaded`` (the upload's event) → the same, if the tab is open; and
        ``/transform``. A drawing reaches the tab through the canvas's own reading (:meth:`follow`):
        a ``digit.change`` listener would cost every stroke a second request. ``unit``: the page's
        :class:`explorer.unit.Follow`, whose panel each of these events redraws, in the same request,
        for the digit the network view then shows (bent or not)."""
        outputs = [self.label, self.now, self.sweep, view, self.shown, unit.view]

        def seen(d, name: str, text, which: str, *values) -> tuple:  # the views, and the unit's panel for them
            label, now, swept, shown, state, bent = self.seen(PageReading(self.networks[name], d), which, *values)
            return label, now, swept, shown, state, unit.follow(bent, text)

        def moved(which: str) -> Callable:
            return lambda d, name, text, *values: (which, list(values), *seen(d, name, text, which, *values))

        for n, slider in zip(NAMES, self.sliders, strict=True):
            slider.input(moved(n), [digit, choice, unit.unit, *self.sliders], [self.last, self.values, *outputs],
                         trigger_mode="always_last", **FOLLOW)  # fmt: skip
        inputs = [digit, choice, unit.unit, self.last, *self.sliders]  # seen()'s arguments

        def switched(is_open: bool, *args):  # another network: the network view too, bent, if the tab is open
            result = seen(*args)  # (the app's own reading, ~3 ms, is answered first)
            if is_open is True:
                return result
            return (*result[:3], gr.skip(), None, gr.skip())  # the view shows the digit read

        choice.change(switched, [self.open, *inputs], outputs, **FOLLOW)

        def opened(event: gr.SelectData, *args):
            is_open = event.value == TAB
            return (is_open, *seen(*args)) if is_open else (False, *[gr.skip()] * len(outputs))

        views.select(opened, inputs, [self.open, *outputs], **FOLLOW)

        def after_upload(d, name: str, is_open: bool, which: str, values) -> tuple:  # the bent upload, if open
            if is_open is not True:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip(), None
            shown, _, *rest = self.follow(PageReading(self.networks[name], d), is_open, which, values)
            return shown, *rest

        uploaded.then(after_upload, [digit, choice, *self.inputs], [view, *self.outputs], **FOLLOW)
        neutral = [r.neutral for r in RANGES.values()]
        self.reset.click(lambda d, name, text, which: (*neutral, neutral, *seen(d, name, text, which, *neutral)),
                         [digit, choice, unit.unit, self.last], [*self.sliders, self.values, *outputs],
                         **FOLLOW)  # fmt: skip
        self.blobs = sketchpad.blob_storage  # the pictures the Sketchpad's editor posts, as for /predict
        self.api_button.click(self.transform, [sketchpad, choice, *self.sliders],
                              outputs[:3], api_name="transform", **READ)  # fmt: skip
