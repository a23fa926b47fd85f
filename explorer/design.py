"""Design choices: why LeNet-5 was built this way, shown by undoing one of the paper's choices at a
time (issue 17).

Each variant (:data:`lenet.model.VARIANTS`) is LeNet-5 with one choice changed and nothing else —
softmax outputs instead of the RBF prototypes, a full C3 instead of Table I, ReLU instead of the
scaled tanh, max pooling instead of trainable subsampling, 6,000 training images instead of
50,000 — trained with the shipped LeNet-5's recipe (``python -m lenet.train --model NAME``). The
view shows, for the digit being read, each network's answer beside LeNet-5's, and a table of what
each one measured (test error, validation error, parameters, connections, training time, its
rejection curve) with the paper's reason for the choice (:data:`lenet.paper.DESIGN_REASONS`).

:func:`compare` and :func:`design_html` are numpy and strings; :class:`DesignChoices` lays out the
tab and wires ``/design_choices``. A variant whose weights are missing is shown as such (with the
command that trains it); the page keeps serving.

Like for like: the variants were trained on the first 50,000 training images and chosen on the
validation split, so the LeNet-5 they stand beside is its 50,000-image run (``weights/50k/lenet5``,
labelled "LeNet-5, the same 50,000 images"), not the page's LeNet-5, which is that run retrained on
all 60,000 (issue 17; :data:`lenet.checkpoint.ON_60000`) and has no validation error of its own.
``/design_choices`` keeps its keys: ``lenet5`` (that run) and every variant.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

import gradio as gr
import numpy as np

from explorer import canvas
from explorer.events import PRIVATE, READ
from explorer.reading import Reader, Refused
from lenet.checkpoint import WEIGHTS_DIR, WeightsError, chosen_run_dir
from lenet.design import paired
from lenet.model import VARIANTS
from lenet.network import Network, load_network
from lenet.paper import DESIGN_REASONS

TAB = "Design choices"
BASE = "lenet5"  # the paper's choices, all kept: its 50,000-image run (weights/50k/lenet5), like the variants
SHORT = {  # the column "network": what each one is, in a few words
    BASE: "LeNet-5, the same 50,000 images",
    "lenet5-softmax": "softmax outputs",
    "lenet5-fullc3": "full C3",
    "lenet5-relu": "ReLU",
    "lenet5-maxpool": "max pooling",
    "lenet5-6k": "6,000 images",
}
EMPTY = "Draw a digit (or pick one) to see how each network reads it."
# What a variant's figures do not show, said beside the paper's reason (docs/RESULTS.md, "Design choices").
CAVEATS = {
    "lenet5-relu": "Read its figures with care: the prototypes are ±1 bitmaps and a ReLU F6 cannot go below 0, "
    "so no F6 state can sit on a prototype. This measures ReLU in a network built around the scaled tanh, "
    "not ReLU in general.",
}


def load_variants(weights_dir: Path | str = WEIGHTS_DIR) -> dict[str, Network | None]:
    """LeNet-5's 50,000-image run (the one compared against, :func:`lenet.checkpoint.chosen_run_dir`)
    and every variant, by name; None where the weights are missing or unusable (the page still starts)."""
    out: dict[str, Network | None] = {}
    for name in (BASE, *VARIANTS):
        try:
            out[name] = load_network(name, chosen_run_dir(name, weights_dir), title=SHORT[name])
        except WeightsError:
            out[name] = None
    return out


def _rbf(network: Network) -> bool:
    return bool(getattr(network.net, "rbf", False))


def compare(networks: Mapping[str, Network | None], digit: np.ndarray) -> dict:
    """How each network reads the 28×28 ``digit``: ``/design_choices``'s JSON, keyed by network name.
    Each entry: ``answer``, ``runner_up``, ``unsure``, ``confidences`` (10, calibrated), and the
    ``distances`` to the prototypes (RBF outputs) or the ``scores`` (the softmax variant); a network
    without weights gets ``missing`` (what to run) instead."""
    out = {}
    for name, network in networks.items():
        if network is None:
            out[name] = {"title": SHORT.get(name, name), "missing": f"python -m lenet.train --model {name}"}
            continue
        r = network.read(digit)
        entry = {
            "title": SHORT.get(name, network.title),
            "changed": VARIANTS[name].instead if name in VARIANTS else None,
            "answer": r.digit, "runner_up": r.runner_up, "unsure": bool(r.unsure),
            "confidences": [round(float(p), 4) for p in r.probabilities],
        }  # fmt: skip
        key = "distances" if _rbf(network) else "scores"
        entry[key] = [round(float(v), 3) for v in r.output]
        out[name] = entry
    return out


def _pct(v) -> str:
    return "—" if v is None else f"{100 * v:.2f}%"


def _curve(rejection: list[dict] | None) -> str:
    """The error on the digits kept against the share rejected (thresholds set on validation), as a
    small SVG with the figures in its title and a text line for a screen reader."""
    if not rejection:
        return '<span class="dc-none">not measured</span>'
    pts = [(100 * r["rejected"], 100 * r["error"]) for r in rejection]
    top = max(e for _, e in pts) or 1.0
    right = max(x for x, _ in pts) or 1.0
    w, h = 120, 44
    xy = " ".join(f"{4 + (w - 8) * x / right:.1f},{h - 4 - (h - 8) * e / top:.1f}" for x, e in pts)
    said = "; ".join(f"{x:.1f}% rejected: {e:.2f}% wrong" for x, e in pts)
    return (f'<svg class="dc-curve" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
            f'aria-label="rejection curve: {html.escape(said)}"><title>{html.escape(said)}</title>'
            f'<line x1="4" y1="{h - 4}" x2="{w - 4}" y2="{h - 4}" class="axis"/>'
            f'<line x1="4" y1="4" x2="4" y2="{h - 4}" class="axis"/>'
            f'<polyline points="{xy}"/></svg>'
            f'<span class="dc-ends">{pts[0][1]:.2f}% → {pts[-1][1]:.2f}% at {pts[-1][0]:.1f}% rejected'
            '</span>')  # fmt: skip


def _now_row(name: str, entry: dict, base_answer: int | None) -> str:
    title = html.escape(entry["title"])
    if "missing" in entry:
        return (f'<tr><th scope="row">{title}</th><td colspan="4" class="dc-none">weights not trained: '
                f'<code>{html.escape(entry["missing"])}</code></td></tr>')  # fmt: skip
    p = entry["confidences"]
    a, b = entry["answer"], entry["runner_up"]
    differs = base_answer is not None and a != base_answer and name != BASE
    mark = ' class="dc-differs"' if differs else ""
    note = " — reads it otherwise" if differs else ""
    unsure = " (unsure)" if entry["unsure"] else ""
    bar = f'<span class="dc-bar" style="width:{round(100 * p[a])}%"></span>'
    return (f'<tr{mark}><th scope="row">{title}</th><td class="dc-digit">{a}</td>'
            f'<td>{100 * p[a]:.0f}%{unsure}{html.escape(note)}<span class="dc-track">{bar}</span></td>'
            f'<td>{b} ({100 * p[b]:.0f}%)</td></tr>')  # fmt: skip


def now_html(readings: dict | None) -> str:
    """For the digit being read: each network's answer, its confidence and its second choice."""
    if not readings:
        return f'<p class="dc-invite">{html.escape(EMPTY)}</p>'
    base = readings.get(BASE, {}).get("answer")
    rows = "".join(_now_row(n, e, base) for n, e in readings.items())
    title = "This digit, read by LeNet-5 and by each variant (the confidences are calibrated on the validation digits)"
    return _titled("dc-now", title, "this digit, read by each network",
                   '<thead><tr><th scope="col">network</th><th scope="col">reads</th><th scope="col">confidence</th>'
                   f'<th scope="col">second choice</th></tr></thead><tbody>{rows}</tbody>')  # fmt: skip


def _titled(kind: str, title: str, region: str, table: str) -> str:
    """A table under its title, scrolled sideways on a phone: the title stays outside the scrolling box (as
    a caption it would be as wide as the table, cut off at the screen's edge) and names the table."""
    return (f'<p class="dc-caption" id="{kind}-title">{html.escape(title)}</p>'
            f'<div class="dc-scroll" tabindex="0" role="region" aria-label="{region}">'
            f'<table class="{kind}" aria-labelledby="{kind}-title">{table}</table></div>')  # fmt: skip


def _against(log: dict, base: dict) -> str:
    """The test digits only this network gets wrong and only LeNet-5 does, and whether that is beyond
    chance (McNemar's z, |z| ≥ 2: about the 5% level)."""
    if log.get("misclassified") is None or base.get("misclassified") is None:
        return "—"
    p = paired(base["misclassified"], log["misclassified"])
    verdict = "beyond chance" if abs(p["z"]) >= 2 else "within chance"
    return (f'{p["only_variant"]} wrong only here, {p["only_lenet5"]} only for LeNet-5<br>'
            f'<small>z = {p["z"]:+.1f}: {verdict}</small>')  # fmt: skip


def _record_row(name: str, network: Network | None, base: dict) -> str:
    title = html.escape(SHORT.get(name, name))
    if name in VARIANTS:
        v = VARIANTS[name]
        choice = f"<b>the paper:</b> {html.escape(v.choice)}<br><b>here:</b> {html.escape(v.instead)}"
    else:
        choice = (
            "all of the paper's choices, trained with the shipped recipe on the same 50,000 images as the "
            "variants (the page's LeNet-5 is this run retrained on all 60,000)"
        )
    if network is None:
        return (f'<tr><th scope="row">{title}</th><td class="dc-choice">{choice}</td><td colspan="7" '
                f'class="dc-none">weights not trained: <code>python -m lenet.train --model {html.escape(name)}</code>'
                '</td></tr>')  # fmt: skip
    log = network.log
    test = log.get("test_error")
    se = log.get("standard_error")
    test_s = "not yet measured" if test is None else f"{100 * test:.2f}% ± {100 * se:.2f}%"
    params = sum(layer.params for layer in network.layers)
    connections = sum(layer.connections for layer in network.layers)
    seconds = log.get("wall_seconds")
    images = log.get("train_images")
    time_s = "—" if seconds is None else f"{seconds / 60:.0f} min"
    return (f'<tr><th scope="row">{title}</th><td class="dc-choice">{choice}</td><td>{test_s}</td>'
            f'<td>{_pct(log.get("validation_error"))}</td>'
            f'<td>{"the reference" if name == BASE else _against(log, base)}</td>'
            f'<td>{params:,}</td><td>{connections:,}</td>'
            f'<td>{time_s}{"" if images is None else f"<br><small>{images:,} images</small>"}</td>'
            f'<td>{_curve(log.get("rejection"))}</td></tr>')  # fmt: skip


def record_html(networks: Mapping[str, Network | None]) -> str:
    """What each network measured, then the paper's reason for each choice a variant undoes."""
    base = networks[BASE].log if networks.get(BASE) is not None else {}
    rows = "".join(_record_row(n, net, base) for n, net in networks.items())
    reasons = "".join(f"<dt>{html.escape(SHORT.get(n, n))}: {html.escape(VARIANTS[n].choice)}</dt>"
                      f"<dd>{html.escape(DESIGN_REASONS[n])}"
                      + (f'<br><i>{html.escape(CAVEATS[n])}</i>' if n in CAVEATS else "") + "</dd>"
                      for n in networks if n in DESIGN_REASONS)  # fmt: skip
    title = (
        "What each one measured: the 10,000 MNIST test digits (read after training) and the 10,000 validation digits"
    )
    head = (
        '<thead><tr><th scope="col">network</th><th scope="col">the choice</th><th scope="col">test error</th>'
        '<th scope="col">validation error</th><th scope="col">against LeNet-5, the same test digits</th>'
        '<th scope="col">parameters</th><th scope="col">connections</th>'
        '<th scope="col">training time</th><th scope="col">error as unsure digits are rejected</th></tr></thead>'
    )
    return (_titled("dc-record", title, "what each network measured", f"{head}<tbody>{rows}</tbody>")
            + f'<h4>Why the paper chose each</h4><dl class="dc-why">{reasons}</dl>')  # fmt: skip


def intro(networks: Mapping[str, Network | None]) -> str:
    """What the variants share with the LeNet-5 beside them: its passes and training images as its log
    records them (the recipe's epochs changed once already)."""
    log = networks[BASE].log if networks.get(BASE) is not None else {}
    passes = f"{log['epochs']} passes" if "epochs" in log else "passes"
    images = f"{log['train_images']:,} training images" if "train_images" in log else "training images"
    return ("<p>Each variant is LeNet-5 with <b>one</b> of the paper's choices undone and nothing else changed, "
            f"trained exactly as the LeNet-5 beside it (the same recipe, seed, {passes} and {images}; "
            "<code>python -m lenet.train --model NAME</code>). Where a variant reads this digit otherwise, its row "
            "is marked. The training times were measured on the project's 2-core machine with other work "
            "running: compare them roughly.</p>")  # fmt: skip


def design_html(networks: Mapping[str, Network | None], readings: dict | None, record: str | None = None) -> str:
    """The whole view: the intro, this digit read by each network, and the table of measurements
    (``record``: :func:`record_html` of ``networks``, when already made)."""
    record = record_html(networks) if record is None else record
    head = f"<h3>Why LeNet-5 was built this way</h3>{intro(networks)}"
    return f'<div class="lenet-design">{head}{now_html(readings)}{record}</div>'


class DesignChoices:
    """The "Design choices" tab and ``/design_choices``. ``variants``: :func:`load_variants`, LeNet-5's
    50,000-image run among them (the one compared against); ``networks``: the page's networks, whose
    LeNet-5 stands in only where ``variants`` has no ``lenet5`` entry at all (a test's networks)."""

    def __init__(self, networks: Mapping[str, Network], variants: Mapping[str, Network | None]):
        base = variants[BASE] if BASE in variants else networks[BASE]
        self.networks = {BASE: base, **{n: v for n, v in variants.items() if n != BASE}}
        self.record = record_html(self.networks)  # what each measured: the same for every digit, made once

    def readings(self, digit: np.ndarray | None) -> dict | None:
        return None if digit is None else compare(self.networks, digit)

    def html(self, digit: np.ndarray | None) -> str:
        return design_html(self.networks, self.readings(digit), self.record)

    def follow(self, digit: np.ndarray | None, is_open: bool):
        """The view for a reading of ``digit``: drawn only while the tab is open."""
        return self.html(digit) if is_open is True else gr.skip()

    def tab(self) -> None:
        """The tab (call inside the view ``gr.Tabs``)."""
        with gr.Tab(TAB, elem_id="design-tab", id="design"):
            self.view = gr.HTML(self.html(None), elem_id="design")
            self.open = gr.State(False)  # the reading events take it, and update the view only if open
            self.json = gr.JSON(visible=False)  # /design_choices's first output
            self.api_button = gr.Button(visible=False)  # /design_choices's trigger: API only

    def wire(self, *, digit: gr.State, views: gr.Tabs, sketchpad: gr.Sketchpad, reader: Reader, after: list) -> None:
        """Opening the tab draws it for the digit read; the reading events that change the digit
        update it while open (``after``: events whose ``.then`` follows, the canvas's own reading
        passes :meth:`follow` through :class:`explorer.reading.Reader`); ``/design_choices`` takes
        the picture as ``/predict`` does."""

        def opened(event: gr.SelectData, d):
            is_open = event.value == TAB
            return is_open, (self.html(d) if is_open else gr.skip())

        views.select(opened, digit, [self.open, self.view], **PRIVATE)
        for event in after:
            event.then(self.follow, [digit, self.open], self.view, **PRIVATE)

        def api(drawing):
            """``/design_choices``: a picture as ``/predict`` takes it → how LeNet-5 and each variant read it."""
            try:
                d = reader.digit(canvas.stroke(drawing, reader.blobs), BASE, canvas.NO_DIGIT)
            except Refused as exc:
                return {"error": str(exc)}, self.html(None)
            return self.readings(d), self.html(d)

        self.api_button.click(api, sketchpad, [self.json, self.view], api_name="design_choices",
                              **{**READ, "api_visibility": "public"})  # fmt: skip
