"""The "Read a number" tab: a wide canvas for a row of 2–10 digits, read the paper's way
(:mod:`lenet.number`: cut too much, score every candidate piece in one batch, Viterbi), live while
the student writes.

What the page shows, all made here from the :class:`lenet.number.NumberReading`:

- the digits read, big, each in the colour of its piece;
- the ink with every candidate cut (dashed) and the cuts and pieces of the chosen path (solid,
  boxed, labelled), an SVG over a PNG of the ink (:func:`picture_svg`);
- the 1998 alternative to cutting (:func:`sdnn_html`): the same row read by the space displacement
  neural network (section VII, :func:`lenet.number.read_sdnn`, LeNet-5 replicated over the whole row
  as one convolution, ``lenet5-sdnn``), with its output map over the ink: the strip it read and, under
  it, one cell per output column (one every 4 px) in the colour of the digit that column reads, grey
  for "none of the above", and the digits the grammar decoded marked under their runs;
- for a teacher, the segmentation graph itself (:func:`graph_html`), as a table of its arcs: one
  cell per candidate piece — a run of 1 to MAX_SPAN (12) segments from one cut to another — in the row of the cut
  it starts at and the column of its number of segments, with what LeNet-5 saw (28×28), its best
  digit and the arc's cost; the cells of the cheapest path in colour, the cuts it passes marked.

The page's one network switch chooses the reader (:data:`READS_FOR`): its LeNet-5 reads numbers as
``lenet5-global`` (LeNet-5 trained through the whole graph, the paper's section VI) or, chosen on the
tab (:data:`LEARNED`), ``lenet5-pieces`` (fine-tuned on the segmenter's pieces, section V), each with
its own costs (``lenet.number.costs_for``); the others read as themselves, and the tab says which one
read. While the tab
is open it has the page's width: the single digit's canvas and answer are hidden (``static/number.css``).
``/read_number`` is the same for a picture sent over the API (as ``/predict`` takes it); its first
output is the digits read, as a string. The SDNN's reading is a further output of the canvas's event
(the page) and, over the API, its own endpoint ``/read_number_sdnn`` (the picture → the SDNN's digits,
then its view), so that ``/read_number`` keeps its four outputs.

The wide canvas is :func:`explorer.canvas.ink_canvas` at ``lenet.number.CANVAS``'s 4:1; its strokes are
rasterised :data:`RASTER` pixels across (``lenet.preprocess.MAX_SIDE``: the reader would shrink
anything wider, merging close strokes). Its style sheet is ``static/number.css``.
"""

from __future__ import annotations

import html
from pathlib import Path

import gradio as gr
import numpy as np

from explorer import canvas, pictures
from explorer.events import PRIVATE, READ
from lenet import strokes
from lenet.network import Network, load_network
from lenet.number import CANVAS, MAX_DIGITS, NumberReading, SdnnReading, costs_for, read_number, read_sdnn
from lenet.number.sdnn import FIELD, NONE, STEP
from lenet.preprocess import MAX_SIDE, UnreadableImage, ink_map, to_array

TAB = "Read a number"
GLOBAL = "lenet5-global"  # trained through the whole graph (section VI): reads numbers by default
GLOBAL_TITLE = "LeNet-5 · trained through the graph"
PIECES = "lenet5-pieces"  # the network trained on the graph's pieces (section V)
PIECES_TITLE = "LeNet-5 · trained on pieces"
# How the LeNet-5 that reads numbers learned: the tab's own choice, for the page's LeNet-5 (lenet5-global
# reads more validation numbers exactly: docs/RESULTS.md, "Training through the whole graph").
LEARNED = (("through the whole graph (1998, section VI)", GLOBAL), ("on cut pieces (section V)", PIECES))
SDNN = "lenet5-sdnn"  # LeNet-5 trained on windows of numbers: reads the row as an SDNN, whatever the switch
SDNN_TITLE = "LeNet-5 · SDNN"
READS_FOR = {"lenet5": GLOBAL}  # the page's network → the one that reads numbers for it (the others: themselves)
HEIGHT, WIDTH = CANVAS  # canvas pixels of the wide canvas: 280 × 1120, the numbers bench/read_number writes
RASTER = MAX_SIDE  # its strokes are drawn this many pixels across (512 × 128): read unshrunk
# The colours of the pieces on the path, in turn (Tableau 10, apart on a projector); the digits too. Its
# orange and teal darkened (#f28e2b, #76b7b2: 2.4 and 2.3:1 on white) so that every big digit has 3:1 (WCAG AA).
COLOURS = ("#4e79a7", "#e15759", "#59a14f", "#b07aa1", "#d0661a", "#4b9690", "#9c755f")
INVITATION = (
    '<p class="number-invite">✏️ <b>Write a number of 2 to 10 digits</b> in a row in the wide box: '
    "LeNet-5 reads it while you write, cutting the ink into candidate pieces and choosing the best path.</p>"
)
ASK_FOR = f"write a number of 2 to {MAX_DIGITS} digits in a row"  # what the canvas is for (refusals ask it)
ASK = f"Writing area: {ASK_FOR}"
ONE_DIGIT = (
    "This is one digit; the tab reads rows of 2 to 10 (the Draw tab shows one digit layer by layer). "
    "Write the next digit beside it."
)


# --- what the page shows -------------------------------------------------------------------------


def digits_html(reading: NumberReading, title: str) -> str:
    """The number read in big type, each digit in its piece's colour, and the reader's sentence."""
    if not reading.pieces:
        return canvas.refused_html(reading.message) if reading.message else INVITATION
    big = "".join(
        f'<span style="color:{COLOURS[i % len(COLOURS)]}">{html.escape(d)}</span>' for i, d in enumerate(reading.digits)
    )
    said = html.escape(reading.message)
    if len(reading.digits) == 1:
        said += " " + html.escape(ONE_DIGIT)
    return (
        f'<div class="number-said"><div class="number-digits" aria-label="{html.escape(reading.digits)}">{big}</div>'
        f"<p>Read by {html.escape(title)}: {said}</p></div>"
    )


def view_box(reading: NumberReading, shape: tuple[int, int]) -> tuple[float, float, float, float]:
    """(x, y, width, height) of the picture to show: the pieces' boxes with a margin of a third of
    the digit height (in the input's pixels), within the ``shape`` (H, W) of the picture."""
    boxes = np.array([p.box for p in reading.graph] or [(0, 0, shape[1], shape[0])], dtype=np.float64)
    m = max(4.0, reading.digit_height / 3)
    x0, y0 = max(0.0, boxes[:, 0].min() - m), max(0.0, boxes[:, 1].min() - m)
    x1, y1 = min(float(shape[1]), boxes[:, 2].max() + m), min(float(shape[0]), boxes[:, 3].max() + m)
    return x0, y0, max(1.0, x1 - x0), max(1.0, y1 - y0)


def ink_picture(array: np.ndarray) -> np.ndarray | None:
    """The ink of the picture read, as the reader saw it (``lenet.preprocess.ink_map``: shrunk to
    at most MAX_SIDE), grey on white: uint8 (h, w), or None without ink."""
    ink = ink_map(array)
    if ink is None:
        return None
    return (255.0 - 190.0 * ink + 0.5).astype(np.uint8)  # grey rather than black: the cuts show on it


def picture_svg(reading: NumberReading, array: np.ndarray) -> str:
    """The ink (``array``: the picture read, in the coordinates of ``reading``), every candidate cut
    dashed, and the path's cuts solid with its pieces boxed in their colours and labelled with the
    digit read. An ``<svg>``; "" when nothing was cut."""
    if not reading.cuts:
        return ""
    h, w = array.shape[:2]
    x, y, vw, vh = view_box(reading, (h, w))
    stroke = max(1.0, reading.digit_height / 40)
    size = max(8.0, reading.digit_height / 3.5)
    ink = ink_picture(array)
    parts = [
        f'<svg class="number-picture" viewBox="{x:.1f} {y - size * 1.3:.1f} {vw:.1f} {vh + size * 1.3:.1f}" '
        f'role="img" aria-label="The ink with the candidate cuts and the pieces read">'
    ]
    if ink is not None:
        uri = pictures.png_data_uri(ink)
        parts.append(f'<image href="{uri}" x="0" y="0" width="{w}" height="{h}" preserveAspectRatio="none"/>')
    for cut in reading.cuts[1:-1]:
        points = " ".join(f"{px:.1f},{py:.1f}" for px, py in cut.line)
        kind, width = ("on", 2 * stroke) if cut.on_path else ("off", stroke)
        dashes = "none" if cut.on_path else f"{3 * stroke:.1f} {2 * stroke:.1f}"
        where = "through ink" if cut.kind == "ink" else "a gap"
        parts.append(
            f'<polyline class="cut {kind} {cut.kind}" points="{points}" stroke-width="{width:.2f}" '
            f'stroke-dasharray="{dashes}"><title>cut {cut.index} ({where}): costs {cut.cost:+.1f}</title></polyline>'
        )
    for i, (piece, d) in enumerate(zip(reading.pieces, reading.digits, strict=False)):
        colour = COLOURS[i % len(COLOURS)]
        x0, y0, x1, y1 = piece.box
        parts.append(
            f'<rect class="piece" x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" stroke="{colour}" '
            f'stroke-width="{stroke * 1.5:.2f}"><title>read {d}: energy {piece.energy:.1f}, cost {piece.cost:+.1f}'
            f"</title></rect>"
            f'<text x="{(x0 + x1) / 2:.1f}" y="{y0 - size * 0.25:.1f}" font-size="{size:.1f}" fill="{colour}">'
            f"{html.escape(d)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


SPRITE_COLS = 16  # the 28×28 fields of the graph's pieces, tiled this many to a row in one PNG


def sprite(inputs: np.ndarray) -> str:
    """The fields LeNet-5 read, float (B, 28, 28) in [0, 1] (ink 1), tiled SPRITE_COLS to a row as
    one grey PNG, black on white: a data URI. One picture for the whole graph, sent once, which
    each cell shows a 28×28 window of (CSS background-position)."""
    b = len(inputs)
    rows_ = -(-b // SPRITE_COLS)
    tiles = np.zeros((rows_ * SPRITE_COLS, 28, 28), np.float32)
    tiles[:b] = inputs
    grid = tiles.reshape(rows_, SPRITE_COLS, 28, 28).transpose(0, 2, 1, 3).reshape(rows_ * 28, SPRITE_COLS * 28)
    return pictures.png_data_uri(pictures.paper(grid))


def graph_html(reading: NumberReading) -> str:
    """The segmentation graph for a teacher, as a table of its arcs: one row per cut a piece can
    start at, one column per number of segments it covers (1 to MAX_SPAN), and in each cell the 28×28 field
    LeNet-5 read, its best digit and the arc's cost; the path's cells in colour, and the cuts it
    passes marked. The path reads down the table: a piece from cut a to cut b, then one from b."""
    if not reading.graph:
        return ""
    cuts = len(reading.cuts)
    span = max(p.end - p.start for p in reading.graph)
    order = {(p.start, p.end): i for i, p in enumerate(reading.pieces)}
    fields = reading.inputs is not None and len(reading.inputs) == len(reading.graph)
    cells = ['<div class="head" style="grid-area:1/1">from cut</div>']
    cells += [f'<div class="head" style="grid-area:1/{k + 1}">{k} seg.</div>' for k in range(1, span + 1)]
    starts = sorted({p.start for p in reading.graph})
    row = {a: i + 2 for i, a in enumerate(starts)}
    for a in starts:
        on = a < cuts and reading.cuts[a].on_path
        cells.append(f'<div class="cut{" on" if on else ""}" style="grid-area:{row[a]}/1">{a}</div>')
    for k, piece in enumerate(reading.graph):
        style = f"grid-area:{row[piece.start]}/{piece.end - piece.start + 1}"
        on = order.get((piece.start, piece.end))
        if on is not None:
            style += f";--piece:{COLOURS[on % len(COLOURS)]}"
        tip = (
            f"cut {piece.start} → cut {piece.end}: reads {piece.digit} (runner-up {piece.runner_up}), "
            f"energy {piece.energy:.1f}, arc cost {piece.cost:+.1f}"
        )
        y, x = divmod(k, SPRITE_COLS)
        field = f'<i style="background-position:{-28 * x}px {-28 * y}px"></i>' if fields else ""
        cells.append(
            f'<div class="arc{" path" if on is not None else ""}" style="{style}" title="{html.escape(tip)}">'
            f"{field}<span><b>{piece.digit}</b><small>{piece.cost:+.0f}</small></span></div>"
        )
    grid = f"grid-template-columns:auto repeat({span},minmax(48px,1fr))"
    if fields:
        grid += f";--sprite:url({sprite(reading.inputs)})"
    return (
        '<details class="number-graph" open><summary>The segmentation graph: every candidate piece, '
        f"what LeNet-5 reads in it and what it costs ({len(reading.graph)} pieces between {cuts} cuts)"
        "</summary>"
        f'<div class="arcs" tabindex="0" style="{grid}">{"".join(cells)}</div>'
        '<p class="note">Each cell is a piece: the segments from its row\'s cut onwards, read as one digit. '
        "Its cost is LeNet-5's energy for its best digit plus the shape penalties and the reward per digit. "
        "In colour, the cheapest path from the first cut to the last (Viterbi), cuts through ink included: "
        f"total {reading.path_cost:+.1f}. Point at a cell for its energy and runner-up.</p></details>"
    )


# --- the SDNN: the 1998 alternative to cutting ---------------------------------------------------

# One colour per digit for the output map's cells (white text on each has ≥ 4.5:1); "none" is grey.
DIGIT_COLOURS = ("#1f5f99", "#b8322a", "#2e7d32", "#7b4fa0", "#a34f00", "#00695c", "#6d4c41", "#ad1457",
                 "#5f6a00", "#3949ab")  # fmt: skip
NONE_FILL = "#e4e4e4"
CELL = 26  # screen px per output column (4 strip px): its digit 20 px bold, readable at the back
ROWS = (4, 28)  # the strip's rows shown: the ink lies in MNIST's 20 px box, rows 6–26


def winners(reading: SdnnReading) -> np.ndarray:
    """int (T,): per output column the digit with the lowest energy, or NONE where even that costs
    more than "none of the above"."""
    if not len(reading.energies):
        return np.zeros(0, np.int64)
    best = reading.energies.argmin(axis=1)
    low = reading.energies.min(axis=1)
    return np.where(low < reading.none_cost, best, NONE)


def sdnn_alt(reading: SdnnReading) -> str:
    """What a screen reader reads for the output map: the digits, then the columns run by run."""
    if not len(reading.energies):
        return reading.message
    parts, cols = [], winners(reading).tolist()
    t = 0
    while t < len(cols):
        end = t
        while end < len(cols) and cols[end] == cols[t]:
            end += 1
        name = "none" if cols[t] == NONE else str(cols[t])
        parts.append(name if end - t == 1 else f"{name} ×{end - t}")
        t = end
    said = f"SDNN read {reading.digits}" if reading.digits else "SDNN read no digits"
    return f"{said}; its {len(cols)} columns, left to right: {', '.join(parts)}."


def output_map_svg(reading: SdnnReading) -> str:
    """The SDNN's output map over the ink, one ``<svg>`` drawn at CELL px per column: the strip it read
    (rows ROWS), under it one cell per output column centred under its 32 px window's centre, coloured
    by the column's winning digit (grey: none), and under the cells the digits decoded (the path's
    runs, bracketed, in their digits' colours). "" without a strip."""
    if reading.strip is None:
        return ""
    k = CELL / STEP  # screen px per strip px
    top, bottom = ROWS
    w = reading.strip.shape[1] * k
    ink_h = (bottom - top) * k
    cells_y, cells_h = ink_h + 6, 34
    path_y = cells_y + cells_h + 4
    height = path_y + 44
    ink = pictures.paper(reading.strip[top:bottom])
    parts = [
        f'<svg class="sdnn-map" width="{w:.0f}" height="{height:.0f}" viewBox="0 0 {w:.0f} {height:.0f}" '
        f'role="img" aria-label="{html.escape(sdnn_alt(reading))}">',
        f'<image href="{pictures.png_data_uri(ink)}" x="0" y="0" width="{w:.0f}" height="{ink_h:.0f}" '
        'preserveAspectRatio="none" style="image-rendering:pixelated"/>',
    ]
    for t, d in enumerate(winners(reading).tolist()):
        x = (STEP * t + FIELD / 2 - STEP / 2) * k
        cx = x + CELL / 2
        parts.append(f'<line class="tick" x1="{cx:.0f}" y1="{ink_h:.0f}" x2="{cx:.0f}" y2="{cells_y:.0f}"/>')
        e = reading.energies[t]
        tip = f"column {t + 1}: " + (
            f"reads {d} (energy {e[d]:.1f}, none costs {reading.none_cost[t]:.1f})"
            if d != NONE
            else f"none of the above (best {int(e.argmin())} at {e.min():.1f} ≥ {reading.none_cost[t]:.1f})"
        )
        fill, text, colour = (NONE_FILL, "·", "#444") if d == NONE else (DIGIT_COLOURS[d], str(d), "#fff")
        parts.append(
            f'<g class="cell"><title>{html.escape(tip)}</title>'
            f'<rect x="{x + 1:.0f}" y="{cells_y:.0f}" width="{CELL - 2}" height="{cells_h}" rx="3" fill="{fill}"/>'
            f'<text x="{cx:.0f}" y="{cells_y + 25:.0f}" fill="{colour}">{text}</text></g>'
        )
    starts = list(reading.starts) + [len(reading.labels)]
    for i, d in enumerate(reading.digits):
        a = starts[i]
        b = a
        while b < starts[i + 1] and reading.labels[b] != NONE:
            b += 1
        x0 = (STEP * a + FIELD / 2 - STEP / 2) * k + 2
        x1 = (STEP * max(b, a + 1) + FIELD / 2 - STEP / 2) * k - 2
        colour = DIGIT_COLOURS[int(d)]
        parts.append(
            f'<g class="read"><path d="M{x0:.0f},{path_y:.0f} v6 H{x1:.0f} v-6" stroke="{colour}"/>'
            f'<text x="{(x0 + x1) / 2:.0f}" y="{path_y + 36:.0f}" fill="{colour}">{html.escape(d)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def sdnn_html(reading: SdnnReading | None) -> str:
    """The SDNN's reading for the page: a heading, the digits it read (or why none), the output map in
    a box that scrolls sideways where the screen is narrower, and a line saying what it shows."""
    if reading is None or reading.strip is None:
        return ""
    digits = "".join(f'<span style="color:{DIGIT_COLOURS[int(d)]}">{d}</span>' for d in reading.digits)
    said = html.escape(reading.message)
    return (
        '<section class="sdnn" aria-label="The 1998 alternative to cutting: the SDNN">'
        "<h3>The 1998 alternative to cutting: no cuts at all (SDNN, section VII)</h3>"
        f'<div class="sdnn-said"><div class="number-digits" aria-hidden="true">{digits or "–"}</div>'
        f"<p>{said} Nothing is cut: one LeNet-5 slides along the row as a single convolution and answers "
        "every 4 pixels (the cells under the ink), a digit or “none of the above” (grey); a small grammar then "
        "reads each run of one digit as one digit (the brackets).</p></div>"
        f'<div class="sdnn-scroll" tabindex="0">{output_map_svg(reading)}</div>'
        '<p class="sdnn-hint" aria-hidden="true">Swipe the map sideways for the rest of the row.</p>'
        "</section>"
    )


def reader_for(page: str, learned: str) -> str:
    """The network that reads numbers: for the page's LeNet-5, the one that learned as the tab says
    (``learned``, one of :data:`LEARNED`), else the page's network itself."""
    if page in READS_FOR:
        return learned if learned in {name for _, name in LEARNED} else READS_FOR[page]
    return page


# --- the tab in Gradio ---------------------------------------------------------------------------


class Number:
    """The tab, its per-request functions and its events. ``networks``: the page's networks, name →
    :class:`Network`; the network trained on pieces is loaded here from ``weights``."""

    def __init__(self, networks: dict[str, Network], weights: Path | str):
        self.networks = {
            GLOBAL: load_network(GLOBAL, weights, GLOBAL_TITLE),
            PIECES: load_network(PIECES, weights, PIECES_TITLE),
            **networks,
        }
        self.sdnn = load_network(SDNN, weights, SDNN_TITLE)
        self.blobs: dict = {}

    def read(
        self, image, name: str = GLOBAL, points: int | None = None, sdnn: bool = True
    ) -> tuple[str, str, str, str, str]:
        """A picture (anything ``lenet.preprocess.to_array`` takes) read by the network ``name`` →
        the digits read ("" when none), the big digits with the sentence, the picture of the cuts,
        the graph, and the SDNN's reading of the same picture (:func:`sdnn_html`; "" with ``sdnn``
        False, as for ``/read_number``). What cannot be read is answered with the reason."""
        network = self.networks.get(name) if isinstance(name, str) else None
        if network is None:
            problem = f"There is no network called {repr(name)[:40]}: choose one of {', '.join(self.networks)}."
            return "", canvas.refused_html(problem), "", "", ""
        try:
            array = to_array(image)
            reading = read_number(network.net, array, costs_for(network.name))
            sdnn = read_sdnn(self.sdnn.net, array) if sdnn and reading.cuts else None
        except UnreadableImage as exc:
            return "", canvas.refused_html(str(exc)), "", "", ""
        said = digits_html(reading, network.title)
        if points is not None:
            said = canvas.counted(said, points)
        return reading.digits, said, picture_svg(reading, array), graph_html(reading), sdnn_html(sdnn)

    def read_strokes(self, value, name: str = GLOBAL) -> tuple[str, str, str, str, str]:
        """The wide canvas's strokes, rasterised RASTER pixels across → :meth:`read`'s outputs."""
        try:
            drawing = strokes.parse(value, RASTER, ASK_FOR)
        except strokes.BadStrokes as exc:
            return "", canvas.refused_html(str(exc)), "", "", ""
        if drawing is None:
            return "", canvas.counted(INVITATION, 0), "", "", ""
        return self.read(strokes.rasterise(drawing), name, drawing.points)

    def read_number(self, drawing, name: str = GLOBAL) -> tuple[str, str, str, str]:
        """``/read_number``: a picture as ``/predict`` takes it (a Sketchpad value; a file or photo
        goes in as its composite) and a network (default lenet5-global) → the digits read as a
        string, then the page's three views."""
        return self.read(canvas.stroke(drawing, self.blobs), name, sdnn=False)[:4]

    def read_number_sdnn(self, drawing) -> tuple[str, str]:
        """``/read_number_sdnn``: a picture as ``/read_number`` takes it → the digits the SDNN
        (``lenet5-sdnn``) read, as a string ("" when none), then its view (:func:`sdnn_html`), or the
        reason it read nothing."""
        try:
            reading = read_sdnn(self.sdnn.net, to_array(canvas.stroke(drawing, self.blobs)))
        except UnreadableImage as exc:
            return "", canvas.refused_html(str(exc))
        if reading.strip is None:
            return "", canvas.refused_html(reading.message)
        return reading.digits, sdnn_html(reading)

    def tab(self) -> None:
        """The tab (call inside the view ``gr.Tabs``)."""
        choices = [(n.title, name) for name, n in self.networks.items()]
        with gr.Tab(TAB, elem_id="number-tab", id="number"):
            # pace 1: no reading of a number in the browser, so its mid-stroke readings are the server's
            self.ink = canvas.ink_canvas(size=WIDTH, ratio=WIDTH / HEIGHT, elem_id="number-ink",
                                         clear_id="number-clear", aria=ASK, hold=True, pace=1.0)  # fmt: skip
            with gr.Row(equal_height=False, elem_id="number-top"):
                self.said = gr.HTML(canvas.counted(INVITATION, 0), elem_id="number-said", min_width=240, scale=1)
                self.picture = gr.HTML("", elem_id="number-picture", min_width=300, scale=2)
            # How the page's LeNet-5 learned to read numbers: the tab's own choice (wire: with the page's switch)
            self.learned = gr.Radio(list(LEARNED), value=GLOBAL, label="LeNet-5 learned to read numbers",
                                    elem_id="number-learned")  # fmt: skip
            # /read_number's network input, moved by the page's switch and the choice above (wire)
            self.network = gr.Radio(choices, value=GLOBAL, label="Read with", elem_id="number-network", visible=False)
            self.digits = gr.Textbox(visible=False, elem_id="number-digits")  # /read_number's first output
            self.sdnn_view = gr.HTML("", elem_id="number-sdnn")  # the SDNN's reading: the 1998 alternative
            self.sdnn_digits = gr.Textbox(visible=False, elem_id="number-sdnn-digits")  # /read_number_sdnn's first
            self.graph = gr.HTML("", elem_id="number-graph")
            self.api_button = gr.Button(visible=False)  # /read_number's trigger: API only
            self.sdnn_button = gr.Button(visible=False)  # /read_number_sdnn's trigger: API only

    def wire(self, *, choice: gr.Radio, sketchpad: gr.Sketchpad) -> None:
        """Events: the canvas's strokes → a reading (one in flight, as the digit canvas); another
        network in the tab → the same strokes read again; the page's network switch moves the
        tab's choice; and ``/read_number`` on ``sketchpad``, the API's picture input."""
        outputs = [self.digits, self.said, self.picture, self.graph, self.sdnn_view]
        canvas.listen(self.ink, self.read_strokes, [self.ink, self.network], outputs, api_name="number_strokes",
                      **READ, api_visibility="private")  # fmt: skip
        self.network.change(self.read_strokes, [self.ink, self.network], outputs, **READ, api_visibility="private")
        choice.change(reader_for, [choice, self.learned], self.network, **PRIVATE)
        self.learned.change(reader_for, [choice, self.learned], self.network, **PRIVATE)
        self.blobs = sketchpad.blob_storage  # the pictures the Sketchpad's editor posts, as for /predict
        self.api_button.click(self.read_number, [sketchpad, self.network], outputs[:4], api_name="read_number", **READ)
        self.sdnn_button.click(self.read_number_sdnn, [sketchpad], [self.sdnn_digits, self.sdnn_view],
                               api_name="read_number_sdnn", **READ)  # fmt: skip
