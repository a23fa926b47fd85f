"""LeNet-5 Explorer: draw a digit and watch the 1998 LeNet-5 read it, layer by layer.

    python app.py        # serves on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (Gradio's defaults)

This file only wires: the networks are loaded once at import (``lenet``), each event calls one
function (preprocess → read → draw, with ``explorer``), and the page layout follows. The weights
come from ``weights/`` (or the folder named by LENET_WEIGHTS_DIR); nothing is downloaded.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import gradio as gr
import torch
from PIL import Image

from explorer import assets, bend, canvas, lesson, limits, live, number
from explorer.board import ClassBoard
from explorer.classroom.store import StoreUnavailable
from explorer.design import DesignChoices, load_variants
from explorer.events import FOLLOW, PRIVATE, READ
from explorer.examples import example_paths
from explorer.network_view import network_html
from explorer.reading import Reader
from explorer.tabs import Teaching
from explorer.unit import Follow
from lenet.checkpoint import WEIGHTS_DIR, WeightsError
from lenet.network import DEFAULT, TITLES, load_network
from lenet.preprocess import MAX_PIXELS

# One intra-op thread: a forward pass takes ~1 ms; a class's requests are best served one per core.
torch.set_num_threads(1)
# Pillow refuses from its header a picture of over twice this: bounds Gradio's own decoding of a Sketchpad.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

WEIGHTS = Path(os.environ.get("LENET_WEIGHTS_DIR", WEIGHTS_DIR))
try:
    NETWORKS = {name: load_network(name, WEIGHTS) for name in TITLES}  # name → lenet.network.Network
    NUMBER = number.Number(NETWORKS, WEIGHTS)  # "Read a number", with lenet5-pieces loaded too
    CLASS = ClassBoard(NETWORKS)  # the class board, its store on CLASS_DB (explorer/classroom/store.py)
except (WeightsError, StoreUnavailable) as exc:
    raise SystemExit(f"LeNet-5 Explorer cannot start: {exc}") from None
TEACHING, BEND, UNIT = Teaching(NETWORKS, WEIGHTS), bend.Bend(NETWORKS), Follow(NETWORKS)  # views, built once
LESSON = lesson.Lesson(NETWORKS)  # lesson links and projector mode
READER = Reader(NETWORKS, TEACHING, BEND, UNIT)  # one reading per update, handed to every view
READER.design = DESIGN = DesignChoices(NETWORKS, load_variants(WEIGHTS))  # LeNet-5 with one choice undone
show, predict = READER.show, READER.predict  # the page's reading of a digit, and of a picture


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
        with gr.Column(scale=0, min_width=canvas.CANVAS + 64, elem_id="input-side"):
            with gr.Tabs(elem_id="inputs") as inputs:
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
            DESIGN.tab()  # "Design choices": LeNet-5 beside variants that each undo one of the paper's choices
            NUMBER.tab()  # "Read a number": a wide canvas, the cuts, the graph; wide, so with the views
            CLASS.tab()  # "Class": send the drawing to the class; the board for the projector
    live.live_reading(NETWORKS, choice)  # the answer read in the browser while the pen moves, before the server's
    sketchpad = canvas.api_sketchpad()  # /predict's input, as when the page drew on a Sketchpad: unseen
    READER.blobs, picked = sketchpad.blob_storage, gr.State(None)  # the mistake picked last, for its tab
    outputs = [label, message, view, digit_state]  # what every reading updates (the options: explorer/events.py)
    following = [why_open, DESIGN.open, UNIT.unit, *BEND.inputs]  # what the views that follow the digit need
    every_view = [*outputs, why_view, DESIGN.view, UNIT.view, *BEND.outputs]  # all a reading updates, in one request
    canvas.listen(ink, READER.read_strokes, [ink, choice, *following], every_view, api_name="strokes", **READ)
    inputs.select(READER.reread, [ink, upload, picked, choice, *following], every_view, **{**READ, **PRIVATE})
    sketchpad.change(READER.read_drawing, [sketchpad, choice], outputs, api_name="predict", **READ)
    uploaded = upload.change(partial(predict, empty=canvas.NO_DIGIT), [upload, choice], outputs,
                             api_name="predict_image", **READ)  # fmt: skip
    uploaded.then(lambda d, name, is_open: TEACHING.follow(TEACHING.page(d, name), is_open),
                  [digit_state, choice, why_open], why_view, **PRIVATE)  # fmt: skip
    choice.change(show, [digit_state, choice], [label, message, view], **FOLLOW)
    TEACHING.wire(choice=choice, digit=digit_state, views=views, show=READER.shown, outputs=[*outputs, why_view])
    TEACHING.picked_event.then(lambda d: d, digit_state, picked, **PRIVATE)  # kept for the Mistakes tab
    BEND.wire(digit=digit_state, choice=choice, views=views, sketchpad=sketchpad, view=view, uploaded=uploaded,
              unit=UNIT)  # fmt: skip
    DESIGN.wire(digit=digit_state, views=views, sketchpad=sketchpad, reader=READER,
                after=[uploaded, TEACHING.picked_event])  # and /design_choices
    UNIT.wire(digit=digit_state, choice=choice, after=[uploaded, TEACHING.picked_event], shown=BEND.shown)  # and /unit
    NUMBER.wire(choice=choice, sketchpad=sketchpad)  # and /read_number
    CLASS.wire(demo, ink=ink, digit=digit_state, choice=choice, views=views, sketchpad=sketchpad)  # and /class_*
    LESSON.wire(demo, ink=ink, choice=choice, message=message, views=views, why_open=why_open, bend=BEND,
                number=NUMBER, design_open=DESIGN.open)

# A bounded queue: past QUEUE_SIZE waiting events Gradio answers at once (HTTP 503), and the page
# shows "This application is currently busy. Please try again." instead of a long wait.
for key, value in limits.GRADIO_ENV.items():  # read by demo.queue(): see explorer/limits.py
    os.environ.setdefault(key, value)
demo.queue(**limits.QUEUE)


def launch(**kwargs):
    """Serve the page; keyword arguments go to ``Blocks.launch`` (tests pass host, port, ...)."""
    kwargs = {"show_error": True, "max_file_size": limits.MAX_UPLOAD, **kwargs}  # API callers see what is wrong
    # css, theme, and js: a11y.js (the answer said to a screen reader, the skip links, the examples' names)
    return demo.launch(**assets.look(), run_history=False, **kwargs)


if __name__ == "__main__":
    launch()
