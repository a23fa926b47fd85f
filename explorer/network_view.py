"""The network view: every layer's activations as one HTML fragment (its CSS:
``static/network_view.css``).

One fragment instead of a dozen image components keeps each update cheap (one output; tiny PNGs
inlined as data URIs, no files written or fetched) and lets the captions follow the chosen network
without extra outputs. The pictures are sent at one pixel per unit and enlarged by the browser
(``image-rendering: pixelated``). Pure Python and numpy: no Gradio import. What depends on the
architecture (unit sizes, captions, grid columns) is keyed by ``network.arch``.

Every map, the C5 and F6 blocks and each output unit carry a focusable button laid over the
picture (``data-map``, on a grid carrying ``data-layer`` and the map's size): clicking one, or Tab
then Enter, Space or the arrow keys, selects a unit to follow (``static/unit.js`` and
``explorer/unit.py``). The buttons depend only on the layout: built once per network and layer.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from explorer import pictures as vz
from explorer.glossary import glossary_html
from explorer.layers import INPUT_PX, LAYERS
from explorer.pictures import img
from lenet.model import BACKGROUND, LayerInfo
from lenet.network import Network
from lenet.reading import Reading

PROTO_PX = 5.0

COUNT = {4: "four", 6: "six", 12: "twelve", 16: "sixteen"}  # the maps of a layer, in words for the alt text

# What the output row's bars show, by architecture (the offline kit's view says the same: explorer/export.py).
OUTPUT_TITLE = {
    "lenet5": "distance from F6 to each prototype: shorter = closer, the answer has the shortest bar",
    "lenet1": "how likely each digit is: taller = more likely, the answer has the tallest bar",
}
LEGEND = (
    '<div class="legend"><span>−1.72</span><i></i><span>+1.72</span>'
    "<small>one colour scale for every map: the squashing function's range</small></div>"
)


def _of(reading: Reading | None) -> str:
    """Whose maps a picture shows, for its alt text."""
    return "of the empty canvas" if reading is None else f"of your digit, read as {reading.digit}"


def blank_acts(layers: list[LayerInfo], input_size: int) -> dict[str, np.ndarray]:
    """Activations of nothing: an empty input and zero everywhere (white on the colour scale),
    so an empty canvas shows the same layout as a drawing."""
    acts = {"input": np.full((input_size, input_size), BACKGROUND, dtype=np.float32)}
    for layer in layers:
        h, w = layer.size
        acts[layer.name] = np.zeros((layer.maps,) if (h, w) == (1, 1) else (layer.maps, h, w), dtype=np.float32)
    return acts


def caption(info: LayerInfo, arch: str) -> str:
    """The caption under a layer's panel: its name and kind, its size, what it does, its counts."""
    h, w = info.size
    shape = f"{info.maps} units" if (h, w) == (1, 1) else f"{info.maps} maps {h}×{w}"
    if arch == "lenet5" and info.name == "F6":
        shape += " as 7×12"  # drawn like the prototypes beside it
    return (
        f"<figcaption><b>{info.name}</b> {LAYERS[(arch, info.name)].kind} · {shape}"
        f'<span class="does">{LAYERS[(arch, info.name)].does}</span>'
        f"<span>{info.params:,} params · {info.connections:,} connections</span></figcaption>"
    )


def _panel(picture: str, caption: str, cls: str = "") -> str:
    return f'<figure class="panel {cls}">{picture}{caption}</figure>'


@lru_cache(maxsize=32)
def _map_buttons(layer: str, maps: int, h: int, w: int, cols: int) -> str:
    """Transparent buttons over each map of a ``feature_grid`` (1 grey pixel around every map): a CSS
    grid inset by that pixel, its gaps one pixel, in percentages of the picture so that it follows
    the picture at any size. The layer and the map's size are written once, on the grid."""
    rows = -(-maps // cols)
    width, height = 1 + cols * (w + 1), 1 + rows * (h + 1)
    inset = f"{100 / height:.3f}% {100 / width:.3f}%"
    gaps = f"{100 / (height - 2):.3f}% {100 / (width - 2):.3f}%"
    buttons = "".join(
        f'<button class="unit-hit" data-map="{m}" aria-label="{layer} map {m}"></button>' for m in range(maps)
    )
    return (
        f'<div class="unit-grid" data-layer="{layer}" data-h="{h}" data-w="{w}" '
        f'style="inset:{inset};gap:{gaps};grid-template-columns:repeat({cols},1fr)">{buttons}</div>'
    )


@lru_cache(maxsize=8)
def _block_button(layer: str, rows: int, cols: int) -> str:
    """One button over a block of units drawn ``rows`` × ``cols`` (C5 as 10×12, F6 as 12×7): unit k
    sits at row k // cols, column k % cols."""
    width, height = cols + 2, rows + 2
    return (
        f'<div class="unit-grid" data-layer="{layer}" data-h="{rows}" data-w="{cols}" data-block="1" '
        f'style="inset:{100 / height:.3f}% {100 / width:.3f}%"><button class="unit-hit" data-map="0" '
        f'aria-label="{layer}: one of its {rows * cols} units"></button></div>'
    )  # fmt: skip


def _hits(picture: str, buttons: str) -> str:
    """A picture with its buttons laid over it."""
    return f'<div class="unit-maps">{picture}{buttons}</div>'


@lru_cache(maxsize=1)
def prototype_imgs() -> tuple[str, ...]:
    """The ten figure-3 bitmaps as <img> tags (they never change: encoded once)."""
    from lenet.prototypes import bitmaps

    pics = vz.colorize(bitmaps())  # (10, 12, 7, 3)
    return tuple(img(vz.tile(p[None], 1), f"prototype {d}", PROTO_PX) for d, p in enumerate(pics))


def _bars(arch: str, reading: Reading | None, info: LayerInfo | None) -> str:
    """LeNet-5: the ten prototypes with the squared distance of F6 to each (shortest wins).
    LeNet-1: the ten output scores as probabilities (tallest wins)."""
    if arch == "lenet5":
        values = reading.output if reading is not None else None
        heights = values / max(float(values.max()), 1e-9) if values is not None else np.zeros(10)
        texts = [f"{v:.0f}" for v in values] if values is not None else [""] * 10
    else:
        values = reading.probabilities if reading is not None else None
        heights = values if values is not None else np.zeros(10)
        texts = [f"{100 * v:.0f}%" for v in values] if values is not None else [""] * 10
    title = OUTPUT_TITLE[arch]
    measure = "distance " if arch == "lenet5" else ""
    said = [f": {measure}{t}" if t else "" for t in texts]  # what a screen reader hears of each bar
    cols = []
    for d in range(10):
        cls = ""
        if reading is not None and d == reading.digit:
            cls = "answer"
        elif reading is not None and reading.unsure and d == reading.runner_up:
            cls = "rival"
        proto = prototype_imgs()[d] if arch == "lenet5" else ""
        cols.append(
            f'<div class="col {cls}" data-layer="Output" data-map="{d}" tabindex="0" role="button" '
            f'aria-label="output unit {d}{said[d]}"><b>{d}</b>{proto}'
            f'<div class="bar"><i style="height:{100 * float(heights[d]):.0f}%"></i></div>'
            f"<small>{texts[d]}</small></div>"
        )
    caption = (
        f"<figcaption><b>Output</b> {LAYERS[(arch, 'Output')].kind} · {title}"
        + f'<span class="does">{LAYERS[(arch, "Output")].does}</span>'
        + (f"<span>{info.params:,} params · {info.connections:,} connections</span>" if info else "")
        + "</figcaption>"
    )
    return f'<figure class="panel output"><div class="cols">{"".join(cols)}</div>{caption}</figure>'


def network_html(network: Network, reading: Reading | None) -> str:
    """The whole network view for ``reading`` (or the empty layout when it is None), as HTML."""
    arch = network.arch
    acts = reading.acts if reading is not None else blank_acts(network.layers, network.input_size)
    info = {layer.name: layer for layer in network.layers}
    n = network.input_size
    sees = _panel(
        img(
            vz.tile(vz.input_picture(acts["input"])[None], 1),
            f"What {network.title} sees: {n}×{n} pixels " + _of(reading),
            INPUT_PX[arch],
        ),
        f"<figcaption><b>What {network.title} sees</b> · {n}×{n}"
        '<span class="does">your drawing, centred and scaled as MNIST\'s digits are</span>'
        f"<span>background −0.1, ink +1.175</span></figcaption>",
        "input",
    )
    row1 = [sees]
    row2 = []
    for name in ("C1", "S2", "C3", "S4"):
        maps, layer = acts[name], LAYERS[(arch, name)]
        alt = f"{name}: {COUNT.get(len(maps), len(maps))} feature maps {_of(reading)}"
        pic = img(vz.feature_grid(maps, cols=layer.cols), alt, layer.unit_px)
        pic = _hits(pic, _map_buttons(name, *maps.shape, layer.cols))
        cls = "headline" if name in ("C1", "C3") else ""
        (row1 if name in ("C1", "S2") else row2).append(_panel(pic, caption(info[name], arch), cls))
    row3 = []
    if arch == "lenet5":
        row2.append(
            _panel(
                _hits(
                    img(vz.units_picture(acts["C5"], 10, 12), f"C5: 120 units {_of(reading)}",
                        LAYERS[(arch, "C5")].unit_px),
                    _block_button("C5", 10, 12),
                ),
                caption(info["C5"], arch),
                "units",
            )
        )
        row3.append(
            _panel(
                _hits(
                    img(
                        vz.units_picture(acts["F6"], 12, 7),
                        f"F6: 84 units as a 7×12 picture {_of(reading)}",
                        LAYERS[(arch, "F6")].unit_px,
                    ),
                    _block_button("F6", 12, 7),
                ),
                caption(info["F6"], arch),
                "units",
            )
        )
    else:
        row3.append(
            '<p class="note">LeNet-1 has no C5, F6 or prototypes: its 192 S4 units feed 10 output units directly.</p>'
        )
    row3.append(_bars(arch, reading, info.get("Output")))
    ids = ("", "", ' id="net-output"')  # the output row: projector mode keeps it on screen (static/lesson.css)
    rows = "".join(f'<div class="row"{i}>{"".join(r)}</div>' for r, i in zip((row1, row2, row3), ids, strict=True))
    # a keyboard's way past the ~70 map buttons (static/a11y.js moves the focus to .maps-end)
    skip = '<a class="skip-maps" href="#">Skip the maps</a>'
    end = f'<div class="maps-end" tabindex="-1">{glossary_html()}</div>'
    return f'<div class="lenet-net">{skip}{LEGEND}{rows}{end}</div>'
