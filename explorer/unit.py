"""Follow a unit: click any map or unit in the network view (or Tab to it and press Enter, Space or
an arrow key) and the panel under the view shows that one unit — its receptive field as a box on
the input, the maps it reads (C3: only its column of Table I, the others dimmed), its kernels as
small heat-maps, and the arithmetic of its value in words and numbers, from :mod:`lenet.units`.

The unit followed lives in one small component, ``#unit`` (a ``gr.HTML`` whose value is the unit's
string, ``"C3:5:4:7"`` or ``"C5:17"``; ``""`` when none): ``static/unit.js`` sets it from a click, a
key or the field where the unit can be typed, and marks it in the network view. Setting it from
Python (a share link restoring a unit) does the same: its change event draws the panel. The panel
follows the digit while a unit is selected: the reading events ask :meth:`Follow.follow` in the
same request, which costs nothing when no unit is followed. Its style sheet is ``static/unit.css``.
"""

from __future__ import annotations

import html

import gradio as gr
import numpy as np

from explorer import assets, canvas
from explorer import pictures as vz
from explorer.events import FOLLOW, READ
from explorer.reading import NoSuchNetwork, PageReading, network_named, restored
from lenet.model import TANH_A
from lenet.network import Network
from lenet.reading import Reading
from lenet.units import BadUnit, Explanation, Unit, explain, parse

EMPTY = (
    '<p class="unit-empty">🔎 <b>Follow a unit</b>: click any map in the network view above (or press Tab to '
    "reach one and Enter, or the arrow keys) to see what that unit looks at on the input, the maps it reads, "
    "its kernels and the arithmetic of its value.</p>"
)
BLANK = np.zeros((28, 28), dtype=np.float32)  # blank paper: what is read before anything is drawn

# The picker: a field to type a unit in and a button to stop following. The markup never mentions
# the value, so Gradio leaves it alone when the value changes (static/unit.js fills the field).
TEMPLATE = """<div class="unit-pick"><label>Follow a unit <input type="text" placeholder="e.g. C3:5:4:7"
spellcheck="false" autocomplete="off" aria-label="The unit followed, written layer:map:row:column, e.g. C3:5:4:7">
</label><button type="button" data-unit="stop" title="Stop following the unit">Stop</button></div>"""

MAP_PX = {"input": 4.5, "C1": 2.4, "S2": 4.4, "C3": 5.6, "S4": 9.0, "C5": 5.0, "F6": 6.0}  # CSS px per unit
KERNEL_PX = 9.0
OWN_PX = 9.0  # a 10-unit map (C3) drawn 90 px wide; larger maps the same width


def num(v: float, digits: int = 2) -> str:
    """A number as the page writes it, with a true minus sign: −0.12."""
    return f"{v:.{digits}f}".replace("-", "−")


def signed(v: float, digits: int = 2) -> str:
    """A term added in a sum: "+ 0.12" or "− 0.12"."""
    return f"{'−' if v < 0 else '+'} {abs(v):.{digits}f}"


def _terms(values: np.ndarray) -> str:
    """A sum written out: "1.15 − 0.66 + 0.86"."""
    first, *rest = (float(v) for v in np.asarray(values).reshape(-1))
    return " ".join([num(first), *(signed(v) for v in rest)])


def _boxed(picture: np.ndarray, alt: str, unit_px: float, boxes: list[tuple[int, int, int, int]], cls: str = "") -> str:
    """A picture (H, W, 3) with boxes (top, left, height, width, in its pixels) drawn over it."""
    h, w = picture.shape[:2]
    marks = "".join(
        f'<i class="box" style="top:{100 * t / h:.2f}%;left:{100 * x / w:.2f}%;'
        f'height:{100 * bh / h:.2f}%;width:{100 * bw / w:.2f}%"></i>'
        for t, x, bh, bw in boxes
    )  # fmt: skip
    return f'<span class="unit-pic {cls}">{vz.img(picture, alt, unit_px)}{marks}</span>'


def name_of(unit: Unit) -> str:
    """The unit in words: "C3 map 5, unit (4, 7)", "C5 unit 17", "output unit 4"."""
    if unit.layer == "Output":
        return f"output unit {unit.map}"
    if unit.layer in ("C5", "F6"):
        return f"{unit.layer} unit {unit.map}"
    return f"{unit.layer} map {unit.map}, unit ({unit.y}, {unit.x})"


def field_html(e: Explanation, acts: dict[str, np.ndarray]) -> str:
    """The input the network sees with the unit's receptive field boxed."""
    f, n = e.field, acts["input"].shape[0]
    pic = _boxed(vz.input_picture(acts["input"]), "the input with the receptive field", MAP_PX["input"],
                 [(f.top, f.left, f.height, f.width)])  # fmt: skip
    where = (
        "the whole input"
        if (f.height, f.width) == (n, n)
        else f"rows {f.top}–{f.top + f.height - 1}, columns {f.left}–{f.left + f.width - 1}"
    )
    return (
        f"<figure>{pic}<figcaption><b>Receptive field</b> {f.height}×{f.width} of {n}×{n}<br>"
        f"<span>{where}</span></figcaption></figure>"
    )


def reads_html(e: Explanation, acts: dict[str, np.ndarray], arch: str) -> str:
    """The maps (or units) of the layer below that the unit reads, the used ones highlighted with
    the window it reads in each; C3 shows all six S2 maps, its Table I column lit."""
    below = e.below
    if below == "input":
        return ""  # C1 reads the input: the receptive field above is exactly its window
    x = acts[below]
    if x.ndim == 3:  # maps
        every = e.inputs.ndim == 1  # LeNet-1's output reads every S4 unit
        shown = range(x.shape[0]) if every or e.unit.layer in ("C3", "C5") else e.reads
        win = e.window if e.window and e.window[2:] != x.shape[1:] else None  # no box over a whole map
        px = MAP_PX.get(below, 5.0) * (2 if len(shown) == 1 else 1)
        items = []
        for i in shown:
            used = every or i in e.reads
            pic = _boxed(vz.colorize(x[i]), f"{below} map {i}", px, [win] if used and win else [],
                         "used" if used else "unused")  # fmt: skip
            items.append(f'<span class="rmap">{pic}<small>{i}</small></span>')
        if e.unit.layer == "C3" and arch == "lenet5":
            what = f"reads S2 maps {', '.join(map(str, e.reads))}: Table I, column {e.unit.map} (the others dimmed)"
        elif every:
            what = f"reads all {x.size} {below} units ({x.shape[0]} maps)"
        elif len(e.reads) == 1:
            what = f"reads a 2×2 block of {below} map {e.reads[0]}"
        else:
            what = f"reads all {len(e.reads)} {below} maps" + (f", a {win[2]}×{win[3]} window of each" if win else "")
        return (
            f'<figure><div class="rmaps">{"".join(items)}</div>'
            f"<figcaption><b>Input maps</b> · {what}</figcaption></figure>"
        )
    if below == "C5":
        pic = vz.units_picture(x, 10, 12)
    else:  # F6 as its 7×12 picture
        pic = vz.units_picture(x, 12, 7)
    return (
        f'<figure><span class="unit-pic used">{vz.img(pic, f"{below} units", MAP_PX[below])}</span>'
        f"<figcaption><b>Input units</b> · all {x.size} {below} units</figcaption></figure>"
    )


def weights_html(e: Explanation, arch: str) -> str:
    """Its kernels (or weight row, or prototype) as heat-maps on their own symmetric scale."""
    if e.weights is None:
        if e.kind == "subsampling":
            return (
                f'<figure class="coef"><b>{num(e.coefficient)}</b><figcaption><b>Weights</b> · one trainable '
                f"coefficient and one bias for the whole map</figcaption></figure>"
            )
        return '<figure class="coef"><b>—</b><figcaption><b>Weights</b> · none: a plain average</figcaption></figure>'
    if e.kind == "rbf":  # the fixed prototype, on the activations' scale like F6 beside it
        pic = vz.img(vz.units_picture(e.weights, 12, 7), f"prototype {e.unit.map}", MAP_PX["F6"])
        gaps = (e.inputs - e.weights) ** 2  # what each F6 unit adds to the distance
        top = float(gaps.max()) or 1.0
        where = vz.img(vz.tile(vz.colorize(gaps.reshape(12, 7), -top, top)[None], 1), "squared gaps", MAP_PX["F6"])
        return (
            f"<figure>{pic}<figcaption><b>Prototype {e.unit.map}</b> · fixed (figure 3)</figcaption></figure>"
            f"<figure>{where}<figcaption><b>(F6 − prototype)²</b> per unit<br><span>red: where they differ, "
            f"up to {num(top)}</span></figcaption></figure>"
        )
    w = e.weights
    top = float(np.abs(w).max()) or 1.0
    if w.ndim == 3:
        kernels = w
    elif e.kind == "score":  # LeNet-1's output: one 4×4 kernel per S4 map
        kernels = w.reshape(12, 4, 4)
    else:  # F6: one weight per C5 unit, drawn as C5 is
        pic = vz.img(vz.tile(vz.colorize(w.reshape(10, 12), -top, top)[None], 1), "weights", MAP_PX["C5"])
        return (
            f"<figure>{pic}<figcaption><b>Weights</b> · 120, one per C5 unit<br>"
            f"<span>colour ±{num(top)}</span></figcaption></figure>"
        )
    k = kernels.shape[-1]
    pics = "".join(
        f'<span class="rmap">{vz.img(vz.colorize(kern, -top, top), f"kernel {i}", KERNEL_PX * 5 / k)}'
        f"<small>{i}</small></span>"
        for i, kern in zip(e.reads if len(e.reads) == len(kernels) else range(len(kernels)), kernels, strict=True)
    )  # fmt: skip
    if e.kind == "score":
        what = f"<b>Weights</b> · one {k}×{k} block per S4 map"
    else:
        what = f"<b>Kernels</b> · {len(kernels)} kernel{'s' if len(kernels) > 1 else ''} {k}×{k}, one per map read"
    return (
        f'<figure><div class="rmaps">{pics}</div><figcaption>{what}<br>'
        f"<span>colour ±{num(top)} (red adds, blue takes away)</span></figcaption></figure>"
    )


def own_html(e: Explanation, acts: dict[str, np.ndarray]) -> str:
    """The unit in its own map (or block), boxed: where the value lands in the network view."""
    u, a = e.unit, acts[e.unit.layer]
    if a.ndim == 3:
        pic, box, where = vz.colorize(a[u.map]), (u.y, u.x, 1, 1), f"{u.layer} map {u.map}, row {u.y}, column {u.x}"
    elif u.layer in ("C5", "F6"):
        rows, cols = (10, 12) if u.layer == "C5" else (12, 7)
        pic = vz.colorize(a.reshape(rows, cols))
        box, where = (u.map // cols, u.map % cols, 1, 1), f"{u.layer} unit {u.map} of {a.size}"
    else:
        return ""  # an output unit: its bar in the view
    px = OWN_PX * 10 / max(pic.shape[:2])
    return (
        f"<figure>{_boxed(pic, f'{u.layer} with the unit followed', px, [box], 'own')}"
        f"<figcaption><b>The unit</b> · {where}</figcaption></figure>"
    )


def arithmetic_html(e: Explanation, title: str) -> str:
    """The value in plain words with its numbers, the way the network computes it."""
    squash = f"squashed: {TANH_A}·tanh(2/3 · {num(e.pre)}) = <b>{num(e.value)}</b>"
    shown = "the value shown in the network view."
    if e.kind == "convolution":
        n = e.inputs.size
        said = (f"Σ weights × inputs = {num(e.weighted_sum)} ({n} products), {signed(e.bias)} (bias) = "
                f"{num(e.pre)}; {squash}: {shown}")  # fmt: skip
    elif e.kind == "full":
        said = (f"Σ weights × the {e.inputs.size} C5 units = {num(e.weighted_sum)}, {signed(e.bias)} (bias) = "
                f"{num(e.pre)}; {squash}: {shown}")  # fmt: skip
    elif e.kind == "subsampling":
        four = _terms(e.inputs)
        said = (f"sum of the 2×2 block = {four} = {num(e.block_sum)}; × coefficient {num(e.coefficient)} = "
                f"{num(e.weighted_sum)}, {signed(e.bias)} (bias) = {num(e.pre)}; {squash}: {shown}")  # fmt: skip
    elif e.kind == "average":
        four = _terms(e.inputs)
        said = (f"the mean of the 2×2 block = ({four}) / 4 = <b>{num(e.value)}</b>: LeNet-1's pooling has no "
                f"weights and no squashing; {shown}")  # fmt: skip
    elif e.kind == "rbf":
        said = (f"Σ (F6 − prototype {e.unit.map})² over the 84 units = <b>{num(e.value)}</b>: the squared "
                f"distance to the prototype of {e.unit.map}, the number under its bar. The shortest of the ten is "
                "the answer.")  # fmt: skip
    else:  # LeNet-1's output score
        said = (f"Σ weights × the {e.inputs.size} S4 units = {num(e.weighted_sum)}, {signed(e.bias)} (bias) = "
                f"<b>{num(e.value)}</b>: {title}'s score for {e.unit.map}, not squashed. The highest is the "
                "answer.")  # fmt: skip
    return f'<p class="sum">{said}</p>'


def unit_html(network: Network, digit: np.ndarray | None, text: str, bent: str = "",
              reading: Reading | None = None) -> str:  # fmt: skip
    """The panel for the unit ``text`` ("C3:5:4:7") of ``network`` reading ``digit`` (or blank
    paper when None). A unit this network does not have is answered with the reason. ``bent``: how
    ``digit`` is bent in "Bend the digit" ("rotation +30°"), said in the panel; "" for the digit read.
    ``reading``: the forward pass of ``digit`` when the page has it already (it is then not run again)."""
    try:
        unit = parse(text, network.net)
    except BadUnit as exc:
        return canvas.refused_html(str(exc))
    if reading is None or digit is None:  # the page's reading of this digit, when it has one
        reading = network.read(BLANK if digit is None else digit)
    e = explain(network.net, reading.acts, unit)
    note = "" if digit is not None else '<p class="note">No digit yet: these are the numbers for blank paper.</p>'
    said = ""  # under the heading: which digit the panel reads, when it is not the one drawn
    if bent and digit is not None:
        said = (f'<p class="unit-bent">↻ For the digit as bent in “Bend the digit” ({html.escape(bent)}), '
                "as the network view shows it.</p>")  # fmt: skip
    return (
        f'<div class="lenet-unit" data-unit="{html.escape(str(unit))}"><h4>Following {name_of(unit)} '
        f"of {network.title} · value <b>{num(e.value)}</b></h4>{said}"
        f'<div class="parts">{field_html(e, reading.acts)}{reads_html(e, reading.acts, network.arch)}'
        f"{weights_html(e, network.arch)}{own_html(e, reading.acts)}</div>"
        f"{arithmetic_html(e, network.title)}{note}</div>"
    )


# --- in Gradio -------------------------------------------------------------------------------------


class Follow:
    """The panel, the unit followed, and their events. ``networks``: name → :class:`Network`."""

    def __init__(self, networks: dict[str, Network]):
        self.networks = networks

    def html(self, page: PageReading, text: str | None) -> str:
        """The panel for the unit ``text`` of the digit the network view shows (``page``: bent or not);
        the invitation when no unit is followed; the reason when the unit does not exist."""
        if text is None or isinstance(text, str) and not text.strip():
            return EMPTY
        return unit_html(page.network, page.shown, text, page.how, page.reading)

    def follow(self, page: PageReading, text: str | None):
        """The panel while a unit is followed, else gr.skip(): a reading costs nothing more when
        no unit is selected (nor when ``page`` is gr.skip(): the network view was left as it was)."""
        if not (isinstance(text, str) and text.strip()) or not isinstance(page, PageReading):
            return gr.skip()
        return self.html(page, text)

    def seen(self, digit: np.ndarray | None, name: str, text: str | None, state=None, skip: bool = True):
        """The panel for a unit event: the digit ``digit`` read by network ``name``, bent as the Bend
        tab's ``state`` says (:func:`explorer.reading.kept`) while it is of this digit. ``skip``: gr.skip()
        when no unit is followed (otherwise the invitation); the reason for a network that does not exist."""
        try:
            network = network_named(self.networks, name)
        except NoSuchNetwork as exc:
            return canvas.refused_html(str(exc))
        page = restored(network, digit, state)
        return self.follow(page, text) if skip else self.html(page, text)

    def panel(self) -> None:
        """The picker and the panel (call under the network view)."""
        self.unit = gr.HTML(value="", html_template=TEMPLATE, js_on_load=assets.js("unit.js"),
                            apply_default_css=False, elem_id="unit", container=False)  # fmt: skip
        self.view = gr.HTML(EMPTY, elem_id="unit-panel")

    def wire(self, *, digit: gr.State, choice: gr.Radio, after: list, shown: gr.State) -> None:
        """Events: a unit chosen (clicked, typed, or set from Python) → the panel, also as ``/unit``
        (the unit string and the network; the digit is the session's); another network, and each
        event of ``after`` that sets ``digit`` (an upload, a mistake picked) → the panel for the same
        unit. A drawing reaches the panel inside the canvas's reading (follow): no request of its own.
        ``shown``: the state of what the network view shows when it is the bent digit ("Bend the
        digit"): the panel is then that digit's."""
        self.unit.change(lambda unit, name, d, s: self.seen(d, name, unit, s, skip=False),
                         [self.unit, choice, digit, shown],
                         self.view, api_name="unit", **READ)  # fmt: skip
        inputs = [digit, choice, self.unit, shown]
        choice.change(self.seen, inputs, self.view, **FOLLOW)
        for event in after:
            event.then(self.seen, inputs, self.view, **FOLLOW)
