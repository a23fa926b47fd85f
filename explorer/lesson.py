"""Lesson links and projector mode (issue 11, part 3): a **Share** button that gives a link which
reopens the page as it is — the drawing, the network, the view tab, the "Bend the digit" sliders and
the slider whose sweep is shown, and the unit followed in the network view where the page has one
(an element ``#unit``) and the number written on the "Read a number" tab's wide canvas — and a
**Projector** switch for bigger type and panels at the back of a
classroom (also ``?projector=1`` in the address).

A link holds everything in its query, so it needs no account and nothing stored on the server: ::

    ?ink=AZgCmAIY…&net=lenet1&tab=bend&bend=0,0,1,30,0,0,0&sweep=rotation&unit=C3:5:4:7&projector=1
    ?num=AeAImAIY…&tab=number

``ink`` is the drawing in :mod:`explorer.link`'s format, ``num`` the wide canvas's strokes in the same
format (its own 1120×280 canvas pixels). The page writes the link in the browser
(``static/share.js``, with its twin of :func:`explorer.link.encode`); opening it, :meth:`Lesson.restore`
reads the query on the server (Gradio's ``demo.load`` with the request) and sets the network, the
tab, the sliders and the canvases' strokes at once — each canvas draws them and the app reads them as
any drawing. A damaged drawing is answered in the message under the canvas, with the reason; the
rest of a link that cannot be used (an unknown network or tab, a setting that is not a number) falls
back to the page's defaults. ``unit`` and ``projector`` are applied in the browser (share.js).
Its style sheet is ``static/lesson.css``.
"""

from __future__ import annotations

from collections.abc import Mapping

import gradio as gr

from explorer import assets, canvas, link
from explorer.events import PRIVATE
from lenet.network import DEFAULT
from lenet.transform import NAMES, RANGES, BadSettings, settings

# the view tabs' ids, as the links name them (static/share.js has the same list)
TABS = ("network", "why", "architecture", "learning", "bend", "design", "number")

# The panel: two buttons and the box that shows the link. The markup never mentions the value.
TEMPLATE = """<div class="lesson">
<button type="button" data-lesson="share" title="A link that reopens this page as it is now">Share link</button>
<button type="button" data-lesson="projector" aria-pressed="false"
 title="Bigger type and panels, for a projector at the back of a classroom">Projector</button>
<div class="lesson-box" hidden role="dialog" aria-label="The lesson link">
<div class="lesson-row"><input type="text" readonly aria-label="The lesson link" spellcheck="false">
<button type="button" data-lesson="copy">Copy</button><button type="button" data-lesson="close"
 aria-label="Close" title="Close (Esc)">✕</button></div><p class="lesson-said"></p></div></div>"""


# Run in the browser once the page's address has been read on load: <html data-restored>.
RESTORED = "() => { document.documentElement.dataset.restored = 'true'; }"


def query(params: Mapping[str, str]) -> dict:
    """A link's query → what the page is set to: ``drawing`` (a strokes value or None), ``problem``
    (why the drawing was refused, or None), ``number`` and ``number_problem`` (the same for the
    number's wide canvas), ``network``, ``tab``, ``values`` (the seven settings) and ``which`` (the
    slider whose sweep is shown). What cannot be used falls back to the defaults."""
    drawing, problem = _drawing(params.get("ink", ""))
    number, number_problem = _drawing(params.get("num", ""))
    neutral = [r.neutral for r in RANGES.values()]
    try:
        given = [float(v) for v in params.get("bend", "").split(",")] if params.get("bend") else neutral
        values = list(settings(*given)[0].values())
    except (ValueError, BadSettings):
        values = neutral
    which = params.get("sweep", "rotation")
    tab = params.get("tab", "network")
    return {"drawing": drawing, "problem": problem, "number": number, "number_problem": number_problem,
            "network": params.get("net", DEFAULT), "values": values, "which": which if which in NAMES else "rotation",
            "tab": tab if tab in TABS else "network"}  # fmt: skip


def _drawing(text: str) -> tuple[dict | None, str | None]:
    """A link's drawing (:func:`explorer.link.decode`) and, where it cannot be read, why not."""
    try:
        return link.decode(text), None
    except link.BadLink as exc:
        return None, str(exc)


class Lesson:
    """The Share and Projector panel and the restoring of a link. ``networks``: the names offered."""

    def __init__(self, networks: Mapping):
        self.networks = networks

    def panel(self) -> gr.HTML:
        """The panel (call where it should appear: the page's top row)."""
        self.html = gr.HTML(html_template=TEMPLATE, js_on_load=assets.js("share.js"), limit=link.MAX_CHARS,
                            apply_default_css=False, elem_id="lesson")  # fmt: skip
        return self.html

    def wire(self, demo: gr.Blocks, *, ink: gr.HTML, choice: gr.Radio, message: gr.HTML, views: gr.Tabs,
             why_open: gr.State, bend, number, design_open: gr.State) -> None:  # fmt: skip
        """Open the page as a link says: on load, set the network, the tab (and whether "Why" or
        "Bend" is open, which the reading takes), the sliders and the slider last moved; then, once
        the events these set off (another network's views) have gone, the canvases' strokes, whose
        change reads each drawing with all of them. ``bend``: the :class:`explorer.bend.Bend` of the
        page; ``number``: its :class:`explorer.number.Number` (the wide canvas ``ink``, the sentence
        ``said``, where a damaged ``num=`` is explained); ``design_open``: whether "Design choices" is open."""
        settings_ = [choice, views, why_open, design_open, bend.open, bend.last, bend.values, *bend.sliders, message,
                     number.said]  # fmt: skip

        def restore(request: gr.Request):
            q = self.asked(request)
            if q is None:
                return [gr.skip()] * len(settings_)  # a plain visit: the page as it is built
            network = q["network"] if q["network"] in self.networks else DEFAULT
            said = canvas.refused_html(q["problem"]) if q["problem"] else gr.skip()
            number_said = canvas.refused_html(q["number_problem"]) if q["number_problem"] else gr.skip()
            return [network if network != DEFAULT else gr.skip(), gr.Tabs(selected=q["tab"]), q["tab"] == "why",
                    q["tab"] == "design", q["tab"] == "bend", q["which"], q["values"], *q["values"], said,
                    number_said]  # fmt: skip

        def draw(request: gr.Request):
            q = self.asked(request)
            return q["drawing"] if q is not None and q["drawing"] else gr.skip()

        def has_number(request: gr.Request) -> None:
            q = self.asked(request)
            if q is None or not q["number"]:  # stop the chain: even a gr.skip() sent to the wide canvas before
                # its tab is first shown leaves its template without its props (Gradio 6.31), and it never draws
                raise gr.Error("no number in the link", visible=False, print_exception=False)

        def draw_number(request: gr.Request):
            return self.asked(request)["number"]

        drawn = demo.load(restore, None, settings_, **PRIVATE).then(draw, None, ink, **PRIVATE)
        numbered = drawn.then(has_number, None, None, **PRIVATE)
        numbered.success(draw_number, None, number.ink, **PRIVATE).then(None, js=RESTORED)
        numbered.failure(None, js=RESTORED)  # the page says when its link has been read (the tests wait for it)

    @staticmethod
    def asked(request: gr.Request | None) -> dict | None:
        """What the page's address asks for (:func:`query`), or None for a plain visit."""
        params = dict(request.query_params) if request is not None else {}
        return query(params) if params.keys() & {"ink", "num", "net", "tab", "bend", "sweep"} else None
