"""The canvas: what a user draws on, and the answer beside it — the invitation, the digit read (or
"unsure between 4 and 9"), and the reason when a picture cannot be read. Pure strings: the
Sketchpad itself is declared in ``app.py``, its CSS is ``static/page.css``.
"""

from __future__ import annotations

import html

from lenet.reading import Reading

CANVAS = 280  # px: the drawing keeps these pixels; MNIST fits a digit into 20 of 28
BRUSH = 12  # Gradio's brush radius: a stroke ≈ 24 px, 1/8 of a digit drawn ~200 px tall, as in MNIST

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


def stroke(value: dict | None, blobs: dict) -> dict | bytes | None:
    """The Sketchpad value as Gradio hands it over undecoded (the event has preprocess=False): from a
    browser, only an id under which the editor posted this stroke's pictures (in ``blobs``, the
    Sketchpad's ``blob_storage``); from the API, file records. Returns the composite's PNG bytes in
    the first case, the value itself otherwise. Only the composite is ever read, so Gradio's decoding
    of the background and the layer is skipped."""
    if isinstance(value, dict) and value.get("id"):
        found = blobs.pop(value["id"], None)
        if found is not None:
            return found.composite
    return value
