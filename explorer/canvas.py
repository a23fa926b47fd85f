"""The canvas: what a user draws on, and the answer beside it — the invitation, the digit read (or
"unsure between 4 and 9"), and the reason when a picture cannot be read.

The drawing surface is a canvas of our own in a Gradio custom HTML component (``gr.HTML`` with
``js_on_load``: no npm build), :func:`ink_canvas`. Gradio's Sketchpad sent nothing until the pen was
lifted, then exported its layers as PNGs and uploaded them: ~0.6 s before the server heard of a
stroke. This canvas sends the strokes themselves, a few kilobytes of JSON, while the pen moves
(``static/canvas.js``); the server checks and rasterises them (:mod:`lenet.strokes`) and reads the
picture like any other. Wire it with :func:`listen`: one reading at most is in flight per page, and
the newest strokes go when it is answered (mid-stroke and with a slow server, after a pause as long
as the round trip).
Its style sheet is ``static/canvas.css``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import gradio as gr

from explorer import assets, limits
from lenet.reading import Reading

CANVAS = 280  # px: the drawing keeps these pixels; MNIST fits a digit into 20 of 28
# The pen's diameter: 1/8 of a digit drawn ~200 px tall, about MNIST's pen (1.9 px in its 20 px box);
# lenet.preprocess evens out the rest.
BRUSH = 24

INVITATION = (
    '<p class="invite">✏️ <b>Draw a digit (0–9)</b> in the box, any size, anywhere: '
    "the network reads it after every stroke.</p>"
)
NO_DIGIT = "No digit in this picture: it is blank or all one shade. Try one dark digit on light paper."


def answer_html(reading: Reading, title: str) -> str:
    """The message under the canvas: the digit in large type, and what ``title`` ("LeNet-5") says."""
    d, r = reading.digit, reading.runner_up
    if reading.unsure:
        said = f"{title} is <b>unsure between {d} and {r}</b>; it leans to {d}."
        big = f"{d}<small>or {r}?</small>"
    else:
        said, big = f"{title} reads <b>{d}</b>.", f"{d}"
    return f'<div class="said"><div class="digit">{big}</div><p>{said}</p></div>'


def refused_html(problem: str) -> str:
    """The message when a picture cannot be read: the reason, escaped."""
    return f'<p class="refused">⚠️ {html.escape(problem)}</p>'


def counted(message: str, points: int) -> str:
    """``message`` marked with how many points of the drawing it answers: the page's tests and
    benchmarks tell from it whether the answer on screen is the one for the whole drawing; and as the
    server's (the browser's own reading, static/live.js, is marked data-source="browser")."""
    return f'<div data-points="{points}" data-source="server">{message}</div>'


# --- the drawing surface -------------------------------------------------------------------------

# The markup. It never mentions the value, so Gradio leaves it alone when the value changes.
TEMPLATE = """<div class="ink" style="--ink-size: ${size}px; --ink-ratio: ${ratio}">
<canvas tabindex="0" role="img" aria-label="${aria}"></canvas>
<div class="ink-tools"><button type="button" data-ink="undo" title="Undo the last stroke (Ctrl+Z)">↶ Undo</button>
<button type="button" id="${clear_id}" data-ink="clear" title="Clear the drawing (Esc)">Clear</button></div></div>"""


ASK = "Drawing area: draw one digit with the mouse, a finger or a pen"


# The pause before a mid-stroke reading when the server is slow (> 100 ms a round trip), in round trips
# of the last one: the page reads the drawing itself while the pen moves (static/live.js), so under a
# class's load the server's mid-stroke readings only refresh the maps, and fewer of them let the pen-up
# reading through sooner (bench.lecture_hall; docs/PERFORMANCE.md). A quick server is not paced at all.
PACE = 5.0


def ink_canvas(*, size: int = CANVAS, brush: float = BRUSH, clear_id: str = "clear", pace: float = PACE,
               ratio: float = 1.0, aria: str = ASK, hold: bool = False, **kwargs: Any) -> gr.HTML:  # fmt: skip
    """A canvas whose value is the strokes drawn on it (the format: :mod:`lenet.strokes`),
    updated while the pen moves, with Undo and Clear (element id ``clear_id``) under it. ``size``:
    canvas pixels across (and at most its CSS width); ``ratio``: width / height (1: square; the
    number canvas is wider); ``aria``: what a screen reader says it is for; ``hold``: keep the
    page from getting shorter while something is drawn (answers below the canvas that change
    height would otherwise pull a page scrolled to its end under the pen); ``brush``: the pen's
    diameter; ``pace``: the pause before a mid-stroke
    reading, in round trips of the last one (0: at once; see :func:`listen`). Its CSS, ``static/canvas.css``, is part of
    :func:`explorer.assets.css` (a component's own ``css_template`` would be re-evaluated, and the
    page restyled, at every change of its value: ~60 times a second while drawing).

    A function, not a gr.HTML subclass: Gradio writes a .pyi stub next to the source of every
    component class it meets, and this one needs no new methods, only a description for the API."""
    ink = gr.HTML(value=None, html_template=TEMPLATE, js_on_load=assets.js("canvas.js"), size=size, brush=brush,
                  clear_id=clear_id, pace=pace, ratio=ratio, aria=html.escape(aria), hold=hold, apply_default_css=False,
                  **kwargs)  # fmt: skip
    ink.api_info = lambda: API_INFO
    ink.example_payload = ink.example_value = lambda: EXAMPLE
    return ink


# Run in the browser when a reading of the canvas is answered or fails (no request): the canvas
# then sends the strokes drawn meanwhile (static/canvas.js, answered). ``{where}``: which canvases —
# the one listened to (its elem_id), so that two canvases on a page keep one reading each in flight.
ANSWERED = (
    "() => document.querySelectorAll('{where}.ink')"
    ".forEach((e) => e.dispatchEvent(new Event('ink-answered', {{bubbles: true}})))"
)


def listen(ink: gr.HTML, fn: Callable, inputs: list, outputs: list, **kwargs: Any) -> None:
    """Read the canvas ``ink`` with ``fn`` whenever its strokes change (``ink.change``, with
    ``kwargs``), and tell it in the browser when each reading is answered, so that it keeps one in
    flight and paces the next. The canvas works without this (Gradio's always_last holds back what
    it sends meanwhile), but waits up to 5 s for each answer."""
    reading = ink.change(fn, inputs, outputs, **kwargs)
    answered = ANSWERED.format(where=f"#{ink.elem_id} " if ink.elem_id else "")
    reading.then(None, js=answered)
    reading.failure(None, js=answered)


_POINT = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
API_INFO = {
    "type": "object",
    "description": "strokes drawn on a width × height canvas, in its pixels; brush = the pen's diameter",
    "properties": {
        "strokes": {"type": "array", "items": {"type": "array", "items": _POINT}},
        "brush": {"type": "number"},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
    },
}
EXAMPLE = {"strokes": [[[100, 60], [180, 60], [130, 220]]], "brush": BRUSH, "width": CANVAS, "height": CANVAS}


def api_sketchpad() -> gr.Sketchpad:
    """The input of the app's ``/predict``, a Sketchpad that is never shown: the page draws on
    :func:`ink_canvas`, and scripts written when it drew on a Sketchpad send its value. Its strokes'
    pictures, posted by the editor when one is used, are kept in bounded memory (see limits)."""
    sketchpad = gr.Sketchpad(type="numpy", visible=False, elem_id="sketchpad")
    sketchpad.blob_storage = limits.Recent(limits.SKETCH_BLOBS)  # Gradio leaks strokes: see limits
    return sketchpad


def stroke(value, blobs: dict):
    """What a Sketchpad or an upload hands over undecoded (the events have preprocess=False) → the one
    picture to read, for :func:`lenet.preprocess.preprocess`: from a browser's Sketchpad, only an id under
    which the editor posted this stroke's pictures (in ``blobs``, the Sketchpad's ``blob_storage``): the
    composite's PNG bytes; from the API, a Sketchpad value whose composite is a file record, or an
    upload's file record: the file's path; anything else (a path, an array, None) as it is. Only the
    composite is ever read, so Gradio's decoding of the background and the layers is skipped, and
    Gradio's formats stay here, on the page's side: ``lenet/`` reads pictures, not component values."""
    if isinstance(value, dict) and value.get("id"):
        found = blobs.pop(value["id"], None)
        if found is not None:
            return found.composite
    if isinstance(value, dict):
        value = value.get("composite", value.get("path"))
        if isinstance(value, dict):  # a file record inside the Sketchpad value
            value = value.get("path")
    return value
