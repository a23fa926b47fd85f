"""LeNet-5 Explorer: draw a digit and watch the 1998 LeNet-5 read it, layer by layer.

    python app.py        # serves on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (Gradio's defaults)

This file only wires: the networks are loaded once at import, each event calls one function of
the ``lenet`` package (preprocess → read → draw), and the page layout follows. The weights come
from ``weights/`` (or the folder named by LENET_WEIGHTS_DIR); nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import html
import os
from pathlib import Path

import gradio as gr
import numpy as np
import torch
from PIL import Image

from lenet import limits
from lenet.checkpoint import WEIGHTS_DIR, WeightsError, load_model
from lenet.examples import example_paths
from lenet.panels import CSS as PANELS_CSS
from lenet.panels import network_html
from lenet.preprocess import UnreadableImage, pixels, preprocess
from lenet.reading import read_digit, temperature, top_confidences, unsure_gap
from lenet.teach_ui import CSS as TEACH_CSS
from lenet.teach_ui import Teaching

# One intra-op thread: a forward pass takes about a millisecond, and parallel requests from a
# class are better served one per core than by threads fighting over two cores.
torch.set_num_threads(1)
# Pillow refuses, from the header alone, a picture of over twice this many pixels: this bounds what
# Gradio's own decoding of a Sketchpad value may allocate (our decoding has its own check).
Image.MAX_IMAGE_PIXELS = limits.MAX_PIXELS

NAMES = {"lenet5": "LeNet-5", "lenet1": "LeNet-1"}
CANVAS = 280  # px: the drawing keeps these pixels; MNIST fits a digit into 20 of 28
BRUSH = 12  # Gradio's brush radius: a stroke ≈ 24 px, 1/8 of a digit drawn ~200 px tall, as in MNIST

WEIGHTS = Path(os.environ.get("LENET_WEIGHTS_DIR", WEIGHTS_DIR))
try:
    NETWORKS = {name: load_model(name, WEIGHTS) for name in NAMES}
except WeightsError as exc:
    raise SystemExit(f"LeNet-5 Explorer cannot start: {exc}") from None
LAYERS = {name: net.layers() for name, net in NETWORKS.items()}
GAPS = {name: unsure_gap(name, WEIGHTS) for name in NAMES}
TEMPERATURES = {name: temperature(name, WEIGHTS) for name in NAMES}  # calibrates the confidences
TEACHING = Teaching(NETWORKS, NAMES, WEIGHTS, GAPS)  # the teaching tabs' views, built once

INVITATION = (
    '<p class="invite">✏️ <b>Draw a digit (0–9)</b> in the box, any size, anywhere: '
    "the network reads it after every stroke.</p>"
)


def show(digit: np.ndarray | None, model: str = "lenet5") -> tuple[dict, str, str]:
    """The answer (for gr.Label), the message and the network view for a 28×28 digit (or None)."""
    model = model if model in NETWORKS else "lenet5"
    net = NETWORKS[model]
    if digit is None:
        return {}, INVITATION, network_html(model, LAYERS[model], net.input_size, None)
    reading = read_digit(net, digit, GAPS[model], TEMPERATURES[model])
    d, r = reading.digit, reading.runner_up
    if reading.unsure:
        said = f"{NAMES[model]} is <b>unsure between {d} and {r}</b>; it leans to {d}."
        big = f"{d}<small>or {r}?</small>"
    else:
        said, big = f"{NAMES[model]} reads <b>{d}</b>.", f"{d}"
    message = f'<div class="said"><div class="digit">{big}</div><p>{said}</p></div>'
    return top_confidences(reading), message, network_html(model, LAYERS[model], net.input_size, reading)


NO_DIGIT = "No digit in this picture: it is blank or all one shade. Try one dark digit on light paper."


def refuse(problem: str, model: str) -> tuple[dict, str, str, None]:
    """No answer, the reason in the message, and the empty network view."""
    model = model if model in NETWORKS else "lenet5"
    view = network_html(model, LAYERS[model], NETWORKS[model].input_size, None)
    return {}, f'<p class="refused">⚠️ {html.escape(problem)}</p>', view, None


def stroke(value: dict | None) -> dict | bytes | None:
    """The Sketchpad value as Gradio hands it over undecoded (the event has preprocess=False): from a
    browser, only an id under which the editor posted this stroke's pictures; from the API, file
    records. Returns the composite's PNG bytes in the first case, the value itself otherwise. Only the
    composite is ever read, so Gradio's decoding of the background and the layer is skipped."""
    if isinstance(value, dict) and value.get("id"):
        blobs = sketchpad.blob_storage.pop(value["id"], None)
        if blobs is not None:
            return blobs.composite
    return value


def predict(drawing: dict | None, model: str = "lenet5", empty: str = "") -> tuple[dict, str, str, np.ndarray | None]:
    """Sketchpad value (or an uploaded image) → answer, message, network view, and the digit kept
    for a later switch of network. What cannot be read is answered with the reason; ``empty`` is the
    message for a picture with nothing in it (by default, the invitation to draw)."""
    if not (isinstance(model, str) and model in NETWORKS):  # unchecked by Gradio: preprocess=False
        return refuse(f"There is no network called {repr(model)[:40]}: choose one of {', '.join(NETWORKS)}.", "lenet5")
    try:
        digit = preprocess(stroke(drawing))
    except UnreadableImage as exc:
        return refuse(str(exc), model)
    if digit is None and drawing is not None and empty:
        return refuse(empty, model)
    return (*show(digit, model), digit)


async def read_drawing(drawing: dict | None, model: str = "lenet5") -> tuple[dict, str, str, np.ndarray | None]:
    """:func:`predict` for the canvas, run on Gradio's event loop when the drawing is canvas-sized
    (no worker thread to fight the loop for the GIL: see limits.IN_LOOP_PIXELS), else in a thread."""
    picture = stroke(drawing)
    if pixels(picture) <= limits.IN_LOOP_PIXELS:
        return predict(picture, model)
    return await asyncio.to_thread(predict, picture, model)


def predict_upload(upload: dict | None, model: str = "lenet5") -> tuple[dict, str, str, np.ndarray | None]:
    """An uploaded photo or scan, as Gradio's file record: Gradio does not decode it (the event has
    preprocess=False), so a huge or broken file reaches lenet.preprocess, which bounds and explains."""
    return predict(upload, model, empty=NO_DIGIT)


# Gradio's editor opens with no tool selected, and "Clear canvas" deselects it again; a classroom
# should be able to draw at once. Whenever no tool is selected, select the brush.
SELECT_BRUSH = """
() => {
  const pick = () => {
    const pad = document.querySelector('#sketchpad');
    const brush = pad && pad.querySelector('button[aria-label="Brush"]');
    if (brush && !pad.querySelector('button.highlight')) brush.click();
    return Boolean(brush);
  };
  const retry = (n) => { if (!pick() && n > 0) setTimeout(() => retry(n - 1), 100); };
  retry(100);
  document.addEventListener('click', () => setTimeout(() => retry(10), 150), true);
}
"""

CSS = (
    PANELS_CSS
    + TEACH_CSS
    + """
.gradio-container { max-width: 1280px !important; padding-top: 4px !important; }
#title h1 { font-size: 22px; margin: 0 0 2px 0; }
#title p { margin: 0; color: var(--body-text-color-subdued); }
#top { align-items: center; }
@media (max-width: 640px) { #top { flex-direction: column; align-items: stretch; } }
#message .said { font-size: 14px; }
#message .digit { font-size: 56px; font-weight: 700; line-height: 1.05; }
#message .digit small { font-size: 16px; font-weight: 400; margin-left: 4px; color: var(--body-text-color-subdued); }
#message p { margin: 0; }
#sketchpad button[aria-label="Color"], #sketchpad button[aria-label="Brush Size"] { display: none; }
#examples .gallery { gap: 4px; }
#examples .gallery-item .container { width: 50px !important; height: 50px !important; }
#examples .gallery-item img { image-rendering: pixelated; }
"""
)

with gr.Blocks(
    title="LeNet-5 Explorer", analytics_enabled=False, delete_cache=limits.DELETE_CACHE
) as demo:  # no calls home; Gradio's cached uploads deleted when an hour old
    digit_state = gr.State(None)
    with gr.Row(equal_height=True, elem_id="top"):
        gr.Markdown(
            "# LeNet-5 Explorer\nDraw a digit and watch the 1998 network of LeCun, Bottou, Bengio and Haffner "
            "read it, layer by layer.",
            elem_id="title",
            min_width=300,
        )
        model = gr.Radio(
            [(title, name) for name, title in NAMES.items()],
            value="lenet5",
            show_label=False,
            container=False,
            scale=0,
            min_width=220,
            elem_id="model",
        )
    with gr.Row(equal_height=False):
        with gr.Column(scale=0, min_width=CANVAS + 64):
            with gr.Tabs():
                with gr.Tab("Draw"):
                    sketchpad = gr.Sketchpad(
                        canvas_size=(CANVAS, CANVAS),
                        fixed_canvas=True,
                        brush=gr.Brush(default_size=BRUSH, colors=["#000000"], color_mode="fixed"),
                        layers=False,
                        transforms=(),
                        type="numpy",
                        show_label=False,
                        elem_id="sketchpad",
                    )
                    sketchpad.blob_storage = limits.Recent(limits.SKETCH_BLOBS)  # Gradio leaks strokes: see limits
                with gr.Tab("Photo or MNIST digit"):
                    upload = gr.Image(
                        type="filepath",
                        sources=["upload", "clipboard"],
                        label="A photo or scan of one digit",
                        height=200,
                        elem_id="upload",
                    )
                    gr.Examples(
                        [[str(p)] for p in example_paths()],
                        inputs=[upload],
                        label="MNIST test digits: click one",
                        examples_per_page=10,
                        elem_id="examples",
                    )
                TEACHING.mistakes_tab()
            with gr.Row(equal_height=False):
                with gr.Column(min_width=120):
                    message = gr.HTML(INVITATION, elem_id="message")
                    clear = gr.Button("Clear", size="sm", variant="secondary", elem_id="clear")
                label = gr.Label(num_top_classes=3, label="Confidence", show_heading=False, elem_id="answer")
        with gr.Column(scale=1), gr.Tabs(elem_id="views") as views:
            with gr.Tab("Network", elem_id="network-tab"):
                view = gr.HTML(network_html("lenet5", LAYERS["lenet5"], NETWORKS["lenet5"].input_size, None))
            TEACHING.view_tabs()

    outputs = [label, message, view, digit_state]
    sketchpad.change(
        read_drawing,
        [sketchpad, model],
        outputs,
        api_name="predict",
        trigger_mode="always_last",
        show_progress="hidden",
        preprocess=False,  # lenet.preprocess decodes the composite alone: see stroke()
        concurrency_limit=limits.CONCURRENCY,
        concurrency_id="read",  # drawings and uploads share the limit
    )
    upload.change(
        predict_upload,
        [upload, model],
        outputs,
        api_name="predict_image",
        trigger_mode="always_last",
        show_progress="hidden",
        preprocess=False,
        concurrency_limit=limits.CONCURRENCY,
        concurrency_id="read",
    )
    model.change(
        show, [digit_state, model], [label, message, view], api_visibility="private", show_progress="hidden"
    )
    # The editor's own "Clear canvas" (in its toolbar) in a bigger button: no server round trip.
    clear.click(
        None, js="() => document.querySelector('#sketchpad button[aria-label=\"Clear canvas\"]').click()"
    )
    TEACHING.wire(model=model, digit=digit_state, views=views, show=show, outputs=outputs)
    demo.load(None, js=SELECT_BRUSH)

# A bounded queue: past QUEUE_SIZE waiting events Gradio answers at once (HTTP 503), and the page
# shows "This application is currently busy. Please try again." instead of a long wait.
for key, value in limits.GRADIO_ENV.items():  # read by demo.queue(): see lenet/limits.py
    os.environ.setdefault(key, value)
demo.queue(**limits.QUEUE)


def launch(**kwargs):
    """Serve the page; keyword arguments go to ``Blocks.launch`` (tests pass host, port, ...)."""
    kwargs = {"show_error": True, "max_file_size": limits.MAX_UPLOAD, **kwargs}  # API callers see what is wrong
    return demo.launch(css=CSS, run_history=False, **kwargs)


if __name__ == "__main__":
    launch()
