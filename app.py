"""LeNet-5 Explorer: draw a digit and watch the 1998 LeNet-5 read it, layer by layer.

    python app.py        # serves on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (Gradio's defaults)

This file only wires: the networks are loaded once at import (``lenet``), each event calls one
function (preprocess → read → draw, with ``explorer``), and the page layout follows. The weights
come from ``weights/`` (or the folder named by LENET_WEIGHTS_DIR); nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import os
from functools import partial
from pathlib import Path

import gradio as gr
import numpy as np
import torch
from PIL import Image

from explorer import assets, bend, canvas, lesson, number
from explorer.examples import example_paths
from explorer.network_view import network_html
from explorer.tabs import Teaching
from explorer.unit import Follow
from lenet import limits, strokes
from lenet.checkpoint import WEIGHTS_DIR, WeightsError
from lenet.network import DEFAULT, TITLES, load_network
from lenet.preprocess import UnreadableImage, pixels, preprocess
from lenet.reading import top_confidences

# One intra-op thread: a forward pass takes ~1 ms; a class's requests are best served one per core.
torch.set_num_threads(1)
# Pillow refuses from its header a picture of over twice this: bounds Gradio's own decoding of a Sketchpad.
Image.MAX_IMAGE_PIXELS = limits.MAX_PIXELS

WEIGHTS = Path(os.environ.get("LENET_WEIGHTS_DIR", WEIGHTS_DIR))
try:
    NETWORKS = {name: load_network(name, WEIGHTS) for name in TITLES}  # name → lenet.network.Network
    NUMBER = number.Number(NETWORKS, WEIGHTS)  # "Read a number", with lenet5-pieces loaded too
except WeightsError as exc:
    raise SystemExit(f"LeNet-5 Explorer cannot start: {exc}") from None
TEACHING, BEND, UNIT = Teaching(NETWORKS, WEIGHTS), bend.Bend(NETWORKS), Follow(NETWORKS)  # views, built once
LESSON = lesson.Lesson(NETWORKS)  # lesson links and projector mode


def show(digit: np.ndarray | None, name: str = DEFAULT) -> tuple[dict, str, str]:
    """The answer (for gr.Label), the message and the network view for a 28×28 digit (or None)."""
    network = NETWORKS.get(name, NETWORKS[DEFAULT])
    if digit is None:
        return {}, canvas.INVITATION, network_html(network, None)
    reading = network.read(digit)
    return top_confidences(reading), canvas.answer_html(reading, network.title), network_html(network, reading)


def refuse(problem: str, name: str) -> tuple[dict, str, str, None]:
    """No answer, the reason in the message, and the empty network view."""
    return {}, canvas.refused_html(problem), network_html(NETWORKS.get(name, NETWORKS[DEFAULT]), None), None


def predict(drawing: dict | None, name: str = DEFAULT, empty: str = "") -> tuple[dict, str, str, np.ndarray | None]:
    """Sketchpad value, uploaded image or rasterised strokes → answer, message, network view, and the
    digit kept for a later switch of network. What cannot be read is answered with the reason;
    ``empty`` is the message for a picture with nothing in it (by default, the invitation to draw)."""
    if not (isinstance(name, str) and name in NETWORKS):  # unchecked by Gradio: preprocess=False
        return refuse(f"There is no network called {repr(name)[:40]}: choose one of {', '.join(NETWORKS)}.", DEFAULT)
    try:
        digit = preprocess(canvas.stroke(drawing, sketchpad.blob_storage))
    except UnreadableImage as exc:
        return refuse(str(exc), name)
    if digit is None and drawing is not None and empty:
        return refuse(empty, name)
    return (*show(digit, name), digit)


async def read_drawing(drawing: dict | None, name: str = DEFAULT) -> tuple[dict, str, str, np.ndarray | None]:
    """:func:`predict` on Gradio's event loop for a canvas-sized picture (limits.IN_LOOP_PIXELS), else in a thread."""
    picture = canvas.stroke(drawing, sketchpad.blob_storage)
    if pixels(picture) <= limits.IN_LOOP_PIXELS:
        return predict(picture, name)
    return await asyncio.to_thread(predict, picture, name)


async def read_strokes(value: dict | str | None, name: str = DEFAULT, why_open: bool = False, unit: str = "",
                       *bending) -> tuple:  # fmt: skip
    """The canvas's strokes, rasterised by lenet.strokes (~1 ms, on Gradio's event loop) → predict's outputs,
    the message marked with the points read, the "why" and "bend" views if open, the unit followed: one request."""
    try:
        drawing = strokes.parse(value)
    except strokes.BadStrokes as exc:
        return (*refuse(str(exc), name), *[gr.skip()] * 6)
    label, message, view, digit = predict(None if drawing is None else strokes.rasterise(drawing), name)
    why = await asyncio.to_thread(TEACHING.follow, digit, name, True) if why_open is True else gr.skip()
    view, *bent = BEND.follow(view, digit, name, *bending)  # ..., and the bent digit if the view shows it
    points, followed = drawing.points if drawing else 0, UNIT.follow(digit, name, unit, bent[-1])  # if one is
    return label, canvas.counted(message, points), view, digit, why, followed, *bent


with gr.Blocks(title="LeNet-5 Explorer", analytics_enabled=False, delete_cache=limits.DELETE_CACHE) as demo:
    # analytics off: no calls home; Gradio's cached uploads are deleted when an hour old
    digit_state = gr.State(None)
    with gr.Row(equal_height=True, elem_id="top"):
        gr.Markdown("# LeNet-5 Explorer\nDraw a digit and watch the 1998 network of LeCun, Bottou, Bengio and "
                    "Haffner read it, layer by layer.", elem_id="title", min_width=300)  # fmt: skip
        with gr.Column(scale=0, min_width=470):  # the networks on one line, Share and Projector under them
            choice = gr.Radio([(n.title, name) for name, n in NETWORKS.items()], value=DEFAULT, show_label=False,
                              container=False, elem_id="model")  # fmt: skip
            LESSON.panel()  # Share (a lesson link) and Projector
    with gr.Row(equal_height=False):
        with gr.Column(scale=0, min_width=canvas.CANVAS + 64):
            with gr.Tabs():
                with gr.Tab("Draw"):
                    ink = canvas.ink_canvas(elem_id="ink", clear_id="clear")
                with gr.Tab("Photo or MNIST digit"):
                    upload = gr.Image(type="filepath", sources=["upload", "clipboard"],
                                      label="A photo or scan of one digit", height=200, elem_id="upload")  # fmt: skip
                    gr.Examples([[str(p)] for p in example_paths()], inputs=[upload], examples_per_page=10,
                                label="MNIST test digits: click one", elem_id="examples")  # fmt: skip
                TEACHING.mistakes_tab(DEFAULT)
            with gr.Row(equal_height=False):
                message = gr.HTML(canvas.INVITATION, elem_id="message", min_width=120)
                label = gr.Label(num_top_classes=3, label="Confidence", show_heading=False, elem_id="answer")
        with gr.Column(scale=1), gr.Tabs(elem_id="views", overflow_behavior="wrap") as views:  # phone: rows, no ⋯
            with gr.Tab("Network", elem_id="network-tab", id="network"):
                view = gr.HTML(network_html(NETWORKS[DEFAULT], None))
                UNIT.panel()  # "Follow a unit": a map clicked in the view, the unit's field, kernels and sum
            why_open, why_view = TEACHING.view_tabs(DEFAULT)  # "why this answer" follows the digit while open
            BEND.tab()  # "Bend the digit": sliders on the digit read, and the sweep of the slider moved
            NUMBER.tab()  # "Read a number": a wide canvas, the cuts, the graph; wide, so with the views
    sketchpad = canvas.api_sketchpad()  # /predict's input, as when the page drew on a Sketchpad: unseen
    outputs, quiet = [label, message, view, digit_state], {"api_visibility": "private", "show_progress": "hidden"}
    # preprocess=False: lenet.preprocess decodes pictures (a Sketchpad's composite alone), bounds and
    # explains a huge or broken upload. Every reading shares one concurrency limit.
    read = {"trigger_mode": "always_last", "show_progress": "hidden", "preprocess": False,
            "concurrency_limit": limits.CONCURRENCY, "concurrency_id": "read"}  # fmt: skip
    canvas.listen(ink, read_strokes, [ink, choice, why_open, UNIT.unit, *BEND.inputs],
                  [*outputs, why_view, UNIT.view, *BEND.outputs],
                  api_name="strokes", **read)  # fmt: skip
    sketchpad.change(read_drawing, [sketchpad, choice], outputs, api_name="predict", **read)
    uploaded = upload.change(partial(predict, empty=canvas.NO_DIGIT), [upload, choice], outputs,
                             api_name="predict_image", **read)  # fmt: skip
    uploaded.then(TEACHING.follow, [digit_state, choice, why_open], why_view, **quiet)
    choice.change(show, [digit_state, choice], [label, message, view], **quiet)
    TEACHING.wire(choice=choice, digit=digit_state, views=views, show=show, outputs=[*outputs, why_view])
    BEND.wire(digit=digit_state, choice=choice, views=views, sketchpad=sketchpad, view=view, uploaded=uploaded,
              unit=UNIT)  # fmt: skip
    UNIT.wire(digit=digit_state, choice=choice, after=[uploaded, TEACHING.picked_event], shown=BEND.shown)  # and /unit
    NUMBER.wire(choice=choice, sketchpad=sketchpad)  # and /read_number
    LESSON.wire(demo, ink=ink, choice=choice, message=message, views=views, why_open=why_open, bend=BEND, number=NUMBER)

# A bounded queue: past QUEUE_SIZE waiting events Gradio answers at once (HTTP 503), and the page
# shows "This application is currently busy. Please try again." instead of a long wait.
for key, value in limits.GRADIO_ENV.items():  # read by demo.queue(): see lenet/limits.py
    os.environ.setdefault(key, value)
demo.queue(**limits.QUEUE)


def launch(**kwargs):
    """Serve the page; keyword arguments go to ``Blocks.launch`` (tests pass host, port, ...)."""
    kwargs = {"show_error": True, "max_file_size": limits.MAX_UPLOAD, **kwargs}  # API callers see what is wrong
    return demo.launch(**assets.look(), run_history=False, **kwargs)  # css, theme and js


if __name__ == "__main__":
    launch()
