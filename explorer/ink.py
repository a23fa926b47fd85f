"""The drawing surface: a canvas of our own, as a Gradio custom HTML component (no npm build).

Gradio's Sketchpad sends nothing until the pen is lifted, then exports its layers as PNGs and uploads
them: ~0.6 s before the server hears of a stroke. This canvas sends the strokes themselves, a few
kilobytes of JSON, while the pen moves (explorer/static/ink.js); the server rasterises them
(lenet/strokes.py) and reads the picture like any other.

    canvas = ink_canvas(elem_id="ink")
    canvas.change(read, [canvas, model], outputs, trigger_mode="always_last")

``trigger_mode="always_last"`` is what keeps one reading in flight per page: a change while one is
on its way is held, and the newest strokes are sent when it is answered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

STATIC = Path(__file__).parent / "static"
JS = (STATIC / "ink.js").read_text(encoding="utf-8")
CSS = (STATIC / "ink.css").read_text(encoding="utf-8")

SIZE = 280  # canvas pixels a side: the Sketchpad's canvas, so drawings look as they did
# The pen's diameter: 24 px, 1/8 of a digit drawn ~200 px tall, as MNIST's pen (1.9 px in its 20 px box)
# was about 1/10 of a digit; lenet.preprocess evens out the rest.
BRUSH = 24

# The markup. The style sheet rides in it (not in css_template) because Gradio re-evaluates a
# component's css_template on every change of its value, which would restyle the page ~60 times a
# second while drawing; the markup never mentions the value, so Gradio leaves it alone.
TEMPLATE = """<div class="ink" style="--ink-size: ${size}px"><style>@CSS@</style>
<canvas tabindex="0" role="img" aria-label="Drawing area: draw one digit with the mouse, a finger or a pen"></canvas>
<div class="ink-tools"><button type="button" data-ink="undo" title="Undo the last stroke (Ctrl+Z)">↶ Undo</button>
<button type="button" data-ink="clear" title="Clear the drawing (Esc)">Clear</button></div></div>"""


def ink_canvas(*, size: int = SIZE, brush: int = BRUSH, **kwargs: Any) -> gr.HTML:
    """A square canvas whose value is the strokes drawn on it (see lenet/strokes.py for the format),
    updated while the pen moves. ``size``: canvas pixels a side; ``brush``: the pen's diameter.

    A function, not a gr.HTML subclass: Gradio writes a .pyi stub next to the source of every
    component class it sees, and this one needs no new methods, only a description for the API page."""
    canvas = gr.HTML(
        value=None,
        html_template=TEMPLATE.replace("@CSS@", CSS),
        js_on_load=JS,
        size=size,
        brush=brush,
        apply_default_css=False,
        **kwargs,
    )
    canvas.api_info = lambda: API_INFO
    canvas.example_payload = canvas.example_value = lambda: EXAMPLE
    return canvas


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
EXAMPLE = {"strokes": [[[100, 60], [180, 60], [130, 220]]], "brush": BRUSH, "width": SIZE, "height": SIZE}
