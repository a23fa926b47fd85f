"""The live reading in the browser: the page reads the drawing itself while the pen moves, and the
server's views (maps, Why, the unit, Bend) catch up when they come.

A class on one small server made every pen movement of every student a request (issue 18). Now the
page rasterises, preprocesses and runs the chosen network in plain JavaScript (``static/lenet.js``)
at every change of the drawing and shows the answer at once under the canvas (``static/live.js``),
marked ``data-source="browser"``; the strokes still go to the server, whose answer, marked
``data-source="server"``, replaces it when it covers the whole drawing. Until then the server's
views say they are behind ("maps updating…").

The weights are the loaded networks' own (:func:`payload`), read from the shipped files at start-up:
float32, lossless, in byte planes so that compression shrinks them. Gradio compresses only what it
serves under a file name ending .json, .js, … — not the page nor its config — so they are written
once to a .json file (:func:`weights_file`) that the page fetches from Gradio's static files (brotli
or gzip); the rest (shapes, constants, titles: ~2 kB) is a prop of one hidden component. Measured
and argued in ``docs/IN-THE-BROWSER.md``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import gradio as gr
import numpy as np

from explorer import assets, canvas
from lenet import model, preprocess
from lenet.network import Network

# What static/lenet.js needs beside the weights, from where the server keeps it: no second copy.
CONSTANTS = {
    "tanh_a": model.TANH_A, "tanh_s": model.TANH_S, "background": model.BACKGROUND, "ink": model.INK,
    "c3_table": [list(row) for row in model.C3_TABLE],
    "min_contrast": preprocess.MIN_CONTRAST, "noise_floor": preprocess.NOISE_FLOOR,
    "max_crossings": preprocess.MAX_CROSSINGS, "mnist_pen": preprocess.MNIST_PEN, "work": preprocess.WORK,
    "box": preprocess.BOX,
}  # fmt: skip


def planes(values: np.ndarray) -> str:
    """float32 values → base64 of their little-endian bytes in four planes (every value's first
    byte, then every second byte, …): lossless, and the exponents' bytes lie together, so that the
    page's compression takes ~35 % off where it took ~25 % off the plain bytes."""
    raw = np.ascontiguousarray(values, dtype="<f4").view(np.uint8).reshape(-1, 4)
    return base64.b64encode(raw.T.tobytes()).decode("ascii")


def packed(network: Network) -> dict:
    """One network as static/lenet.js unpacks it: its state (every parameter and the RBF prototypes,
    in the module's order, with their shapes), its doubt threshold and calibration."""
    state = {k: v.detach().cpu().numpy() for k, v in network.net.state_dict().items()}
    return {
        "name": network.name,
        "title": network.title,
        "arch": network.arch,
        "input_size": network.input_size,
        "unsure_gap": network.unsure_gap,
        "temperature": network.temperature,
        "tensors": [[k, list(v.shape)] for k, v in state.items()],
        "weights": planes(np.concatenate([v.ravel() for v in state.values()])),
        "constants": CONSTANTS,
    }


def payload(networks: Mapping[str, Network]) -> dict:
    """Every network the page offers, name → :func:`packed`."""
    return {name: packed(network) for name, network in networks.items()}


def weights_file(nets: Mapping[str, dict], folder: Path | None = None) -> Path:
    """The weights of ``nets`` (:func:`payload`), name → base64, written once to a .json file named
    by its content (a browser may cache it for good) in ``folder`` (a temporary one by default),
    which Gradio is told to serve as static files."""
    text = json.dumps({name: net["weights"] for name, net in nets.items()})
    folder = Path(folder or Path(tempfile.gettempdir()) / "lenet-live")
    path = folder / f"weights-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    try:
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            part = path.with_suffix(f".{os.getpid()}.part")
            part.write_text(text, encoding="ascii")
            part.replace(path)  # whole or absent, even with two servers starting at once
    except OSError:  # a shared temporary folder another user made: one of our own instead
        folder = Path(tempfile.mkdtemp(prefix="lenet-live-"))
        path = folder / path.name
        path.write_text(text, encoding="ascii")
    gr.set_static_paths([folder])
    return path


def live_reading(networks: Mapping[str, Network], choice: gr.Radio, *, ink: str = "ink", message: str = "message",
                 views: str = "views", answer: str = "answer") -> gr.HTML:  # fmt: skip
    """The hidden component that reads the canvas (element id ``ink``) in the browser and shows the
    answer in ``message``, marking ``views`` and ``answer`` (ids) as behind until the server answers;
    it follows the network chosen with ``choice``. Call inside the Blocks, after ``choice``."""
    nets = payload(networks)
    weights = f"gradio_api/file={weights_file(nets)}"  # relative to the page: right under a root path too
    nets = {name: {k: v for k, v in net.items() if k != "weights"} for name, net in nets.items()}
    live = gr.HTML(value=None, html_template='<div class="live-reader" hidden></div>', elem_id="live",
                   js_on_load=assets.js("lenet.js") + assets.js("live.js"), nets=nets, weights=weights,
                   network=choice.value, ids={"ink": ink, "message": message, "views": views, "answer": answer},
                   invitation=canvas.INVITATION, apply_default_css=False, container=False, padding=False)  # fmt: skip
    # the network chosen, told to the browser's reader (no request: a js-only event)
    choice.change(None, choice, None, js="(name) => { document.dispatchEvent(new CustomEvent('lenet-network', "
                  "{detail: name})); return name; }", queue=False, show_progress="hidden")  # fmt: skip
    return live
