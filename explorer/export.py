"""The offline kit (issue 18, item 4): a static page that draws and reads digits with no Python, for a
classroom without internet — opened from a USB stick (file://), served by any static server, or
published as a Hugging Face *static* Space.

    python -m explorer.export DIR                 # the shipped weights (weights/, or LENET_WEIGHTS_DIR)
    python -m explorer.export DIR --weights W     # the networks of another folder

DIR gets ``index.html``, ``style.css``, the scripts, ``weights.js`` and a ``README.md`` whose front
matter makes DIR a static Space (docs/OFFLINE.md). The page reuses the app's JavaScript as it is:
``static/lenet.js`` (strokes → 28×28 digit → LeNet-5 or LeNet-1: the app's live reading),
``static/canvas.js`` (the drawing surface: a ``gr.HTML`` js_on_load body, wrapped here in a function
the page calls) and ``static/a11y.js`` (the answer said once the pen lifts, the skip link);
``static/offline.js`` is the kit's own: the answer, the confidences and the network view from the
browser's forward pass. The weights are the loaded networks' own, packed by :func:`explorer.live.payload`
(nothing is kept twice); they travel in a script that sets a global, because Chromium refuses
``fetch()`` of a file from a file:// page but runs its ``<script src>``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
from collections.abc import Mapping
from pathlib import Path
from string import Template

from explorer import assets, canvas, live
from explorer import pictures as vz
from explorer.glossary import glossary_html
from explorer.layers import INPUT_PX, LAYERS
from explorer.network_view import COUNT, LEGEND, OUTPUT_TITLE, caption, prototype_imgs
from lenet.checkpoint import WEIGHTS_DIR, WeightsError
from lenet.network import DEFAULT, TITLES, Network, load_network
from lenet.preprocess import NOISE

# The kit's files: what is copied from static/ as it is, and the style sheets joined into style.css
# (the app's own for the canvas, the network view and the focus rings, then the kit's page).
COPIED = ("lenet.js", "offline.js")
STYLES = ("canvas.css", "network_view.css", "a11y.css", "offline.css")
WEIGHTS_NOTE = "The networks of LeNet-5 Explorer as explorer/live.py packs them (payload): float32 in byte planes."

SPACE_README = """---
title: LeNet-5 Explorer (offline)
emoji: ✍️
colorFrom: blue
colorTo: red
sdk: static
app_file: index.html
pinned: false
license: mit
short_description: Draw a digit and watch the 1998 LeNet-5 read it, in the browser
---

# LeNet-5 Explorer, the offline kit

Draw a digit and watch the LeNet-5 of LeCun, Bottou, Bengio and Haffner (1998) read it, layer by
layer: everything runs in the browser, from the weights in `weights.js` ($networks). No server, no
internet: open `index.html` from a disk, serve this folder with any static server
(`python -m http.server`), or publish it as a Hugging Face static Space (this README's front matter).

Written by `python -m explorer.export` of LeNet-5 Explorer (its docs/OFFLINE.md). MNIST, on which the
networks were trained: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, CC BY-SA 3.0.
"""


def _map(act: str, alt: str, maps: int, h: int, w: int, cols: int, unit_px: float) -> str:
    """A canvas that static/offline.js fills with ``maps`` maps of h × w units (``cols`` to a row, one
    grey pixel around each, as :func:`explorer.pictures.tile`), ``unit_px`` CSS pixels a unit."""
    rows = -(-maps // cols)
    width, height = 1 + cols * (w + 1), 1 + rows * (h + 1)
    return (
        f'<canvas data-act="{act}" data-maps="{maps}" data-h="{h}" data-w="{w}" data-cols="{cols}" '
        f'data-alt="{html.escape(alt)}" role="img" aria-label="{html.escape(alt)}" width="{width}" height="{height}" '
        f'style="width:calc({width * unit_px:.0f}px * var(--unit, 1));aspect-ratio:{width}/{height}"></canvas>'
    )  # fmt: skip


def _panel(picture: str, figcaption: str, cls: str = "") -> str:
    return f'<figure class="panel {cls}">{picture}{figcaption}</figure>'


def view_html(network: Network) -> str:
    """The network view of ``network`` without its pictures, as the app's (explorer/network_view.py,
    the same captions, classes and rows): C1 … F6 as canvases and the output row with its prototypes,
    which static/offline.js fills from the browser's forward pass."""
    arch, n = network.arch, network.input_size
    info = {layer.name: layer for layer in network.layers}
    sees = _panel(
        _map("input", f"What {network.title} sees: {n}×{n} pixels", 1, n, n, 1, INPUT_PX[arch]),
        f"<figcaption><b>What {network.title} sees</b> · {n}×{n}"
        '<span class="does">your drawing, centred and scaled as MNIST\'s digits are</span></figcaption>',
        "input",
    )
    rows: list[list[str]] = [[sees], [], []]
    for name in ("C1", "S2", "C3", "S4"):
        layer, (h, w) = info[name], info[name].size
        alt = f"{name}: {COUNT.get(layer.maps, layer.maps)} feature maps"
        picture = _map(name, alt, layer.maps, h, w, LAYERS[(arch, name)].cols, LAYERS[(arch, name)].unit_px)
        cls = "headline" if name in ("C1", "C3") else ""
        rows[0 if name in ("C1", "S2") else 1].append(_panel(picture, caption(layer, arch), cls))
    if arch == "lenet5":  # C5 as 10×12 units, F6 as the 7×12 picture the prototypes are drawn in
        rows[1].append(_panel(_map("C5", "C5: 120 units", 1, 10, 12, 1, LAYERS[(arch, "C5")].unit_px),
                              caption(info["C5"], arch), "units"))  # fmt: skip
        rows[2].append(_panel(_map("F6", "F6: 84 units as a 7×12 picture", 1, 12, 7, 1, LAYERS[(arch, "F6")].unit_px),
                              caption(info["F6"], arch), "units"))  # fmt: skip
    else:
        rows[2].append('<p class="note">LeNet-1 has no C5, F6 or prototypes: its 192 S4 units feed 10 output '
                       "units directly.</p>")  # fmt: skip
    protos = prototype_imgs() if arch == "lenet5" else ("",) * 10
    cols = "".join(
        f'<div class="col"><b>{d}</b>{protos[d]}<div class="bar"><i></i></div><small></small></div>' for d in range(10)
    )
    out = info.get("Output")
    rows[2].append(
        f'<figure class="panel output"><div class="cols" role="img">{cols}</div>'
        f"<figcaption><b>Output</b> {LAYERS[(arch, 'Output')].kind} · {OUTPUT_TITLE[arch]}"
        f'<span class="does">{LAYERS[(arch, "Output")].does}</span>'
        + (f"<span>{out.params:,} params · {out.connections:,} connections</span>" if out else "")
        + "</figcaption></figure>"
    )
    body = "".join(f'<div class="row">{"".join(row)}</div>' for row in rows)
    return f'<div class="lenet-net" data-network="{network.name}">{LEGEND}{body}{glossary_html()}</div>'


def kit_data(networks: Mapping[str, Network], default: str = DEFAULT) -> dict:
    """What weights.js hands the page: the networks as :func:`explorer.live.payload` packs them for the
    app's live reading (weights, shapes, constants, calibration), and the page's few settings."""
    return {
        "nets": live.payload(networks),
        "page": {
            "default": default if default in networks else next(iter(networks)),
            "canvas": canvas.CANVAS, "brush": canvas.BRUSH,
            "lut": vz.LUT.tolist(), "gap": list(vz.GAP), "lo": vz.LO, "hi": vz.HI,
            "invitation": canvas.INVITATION, "noise": canvas.refused_html(NOISE),
        },
    }  # fmt: skip


def _switch(networks: Mapping[str, Network], default: str) -> str:
    return "".join(
        f'<label><input type="radio" name="network" value="{name}"{" checked" if name == default else ""}> '
        f"{html.escape(network.title)}</label>"
        for name, network in networks.items()
    )


def _canvas() -> str:
    """The app's canvas markup (explorer/canvas.py, TEMPLATE: Gradio fills its ${names}, here Python)."""
    markup = Template(canvas.TEMPLATE).substitute(size=canvas.CANVAS, ratio=1, aria=html.escape(canvas.ASK),
                                                  clear_id="clear")  # fmt: skip
    return f'<div class="ink-root">{markup}</div>'


def index_html(networks: Mapping[str, Network], default: str) -> str:
    """The page: static/offline.html with the switch, the canvas, the invitation and each network's view."""
    views = "\n".join(f'<template id="view-{name}">{view_html(n)}</template>' for name, n in networks.items())
    return Template(assets.read("offline.html")).substitute(
        switch=_switch(networks, default), canvas=_canvas(), invitation=canvas.INVITATION, views=views,
        networks=_titles(networks),
    )  # fmt: skip


def _titles(networks: Mapping[str, Network]) -> str:
    return ", ".join(n.title for n in networks.values())


def export(folder: Path | str, networks: Mapping[str, Network], default: str = DEFAULT) -> list[Path]:
    """Write the kit for ``networks`` into ``folder`` (made if missing; the kit's files replaced, any
    other file left alone). Returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = kit_data(networks, default)
    default = data["page"]["default"]
    files = {
        "index.html": index_html(networks, default),
        "style.css": "\n".join(assets.read(name) for name in STYLES),
        "weights.js": f"// {WEIGHTS_NOTE}\nglobalThis.LENET_KIT = {json.dumps(data, separators=(',', ':'))};\n",
        # a gr.HTML js_on_load body in the app: here a function the page calls with its element
        "canvas.js": f"function inkCanvas(element, props, watch) {{\n{assets.js('canvas.js')}}}\n",
        "a11y.js": f"({assets.js('a11y.js').strip()})();\n",  # Blocks.launch(js=...) runs it once in the app
        **{name: assets.read(name) for name in COPIED},
        "README.md": Template(SPACE_README).substitute(networks=_titles(networks)),
    }
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to write the kit (made if missing)")
    parser.add_argument(
        "--weights",
        type=Path,
        default=Path(os.environ.get("LENET_WEIGHTS_DIR", WEIGHTS_DIR)),
        help="the networks' .safetensors files (default: weights/, or LENET_WEIGHTS_DIR)",
    )
    args = parser.parse_args(argv)
    try:
        networks = {name: load_network(name, args.weights) for name in TITLES}
    except WeightsError as exc:
        raise SystemExit(f"Cannot write the kit: {exc}") from None
    written = export(args.folder, networks)
    size = sum(p.stat().st_size for p in written)
    print(f"{len(written)} files, {size / 1000:.0f} kB, in {args.folder}: open {args.folder / 'index.html'}")


if __name__ == "__main__":
    main()
