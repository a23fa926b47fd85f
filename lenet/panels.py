"""The network view: every layer's activations as one HTML fragment, with its own CSS.

One fragment instead of a dozen image components keeps each update cheap (one output; tiny PNGs
inlined as data URIs, no files written or fetched) and lets the captions follow the chosen network
without extra outputs. The pictures are sent at one pixel per unit and enlarged by the browser
(``image-rendering: pixelated``). Pure Python and numpy: no Gradio import.
"""

from __future__ import annotations

import html
from functools import lru_cache

import numpy as np

from lenet import visualize as vz
from lenet.model import BACKGROUND, LayerInfo
from lenet.reading import Reading

# Display size of one unit, in CSS pixels, per network and layer (a map of LeNet-5's C1 is
# 28 × 2.6 ≈ 73 px wide); LeNet-1 has fewer, smaller maps, drawn larger.
UNIT_PX = {
    "lenet5": {"input": 3.5, "C1": 2.6, "S2": 3.6, "C3": 4.0, "S4": 4.6, "C5": 7.0, "F6": 7.0},
    "lenet1": {"input": 4.0, "C1": 3.4, "S2": 5.0, "C3": 6.0, "S4": 8.0},
}
PROTO_PX = 5.0

# What each kind of layer does, in the paper's words (section II-B), per network.
KIND = {
    ("lenet5", "C1"): "convolution 5×5",
    ("lenet5", "S2"): "subsampling 2×2",
    ("lenet5", "C3"): "convolution 5×5, Table I",
    ("lenet5", "S4"): "subsampling 2×2",
    ("lenet5", "C5"): "convolution 5×5",
    ("lenet5", "F6"): "full",
    ("lenet5", "Output"): "Euclidean RBF, fixed prototypes",
    ("lenet1", "C1"): "convolution 5×5",
    ("lenet1", "S2"): "average 2×2",
    ("lenet1", "C3"): "convolution 5×5",
    ("lenet1", "S4"): "average 2×2",
    ("lenet1", "Output"): "full",
}
TITLE = {"lenet5": "LeNet-5", "lenet1": "LeNet-1"}


def blank_acts(layers: list[LayerInfo], input_size: int) -> dict[str, np.ndarray]:
    """Activations of nothing: an empty input and zero everywhere (white on the colour scale),
    so an empty canvas shows the same layout as a drawing."""
    acts = {"input": np.full((input_size, input_size), BACKGROUND, dtype=np.float32)}
    for layer in layers:
        h, w = layer.size
        acts[layer.name] = np.zeros(
            (layer.maps,) if (h, w) == (1, 1) else (layer.maps, h, w), dtype=np.float32
        )
    return acts


def _img(rgb: np.ndarray, unit_px: float, alt: str) -> str:
    h, w = rgb.shape[:2]
    return (
        f'<img src="{vz.png_data_uri(rgb)}" alt="{html.escape(alt)}" '
        f'style="width:{w * unit_px:.0f}px;aspect-ratio:{w}/{h}">'
    )


def _caption(info: LayerInfo, model: str) -> str:
    h, w = info.size
    shape = f"{info.maps} units" if (h, w) == (1, 1) else f"{info.maps} maps {h}×{w}"
    if model == "lenet5" and info.name == "F6":
        shape += " as 7×12"  # drawn like the prototypes beside it
    return (
        f"<figcaption><b>{info.name}</b> {KIND.get((model, info.name), '')} · {shape}"
        f"<br><span>{info.params:,} params · {info.connections:,} connections</span></figcaption>"
    )


def _panel(picture: str, caption: str, cls: str = "") -> str:
    return f'<figure class="panel {cls}">{picture}{caption}</figure>'


# Columns of each feature-map grid: C1 in one row (the headline), the rest in two rows.
MAP_COLS = {("lenet5", "C1"): 6, ("lenet5", "S2"): 3, ("lenet5", "C3"): 8, ("lenet5", "S4"): 8,
            ("lenet1", "C1"): 4, ("lenet1", "S2"): 2, ("lenet1", "C3"): 6, ("lenet1", "S4"): 6}  # fmt: skip


@lru_cache(maxsize=1)
def _prototype_imgs() -> tuple[str, ...]:
    """The ten figure-3 bitmaps as <img> tags (they never change: encoded once)."""
    from lenet.prototypes import bitmaps

    pics = vz.colorize(bitmaps())  # (10, 12, 7, 3)
    return tuple(_img(vz.tile(p[None], 1), PROTO_PX, f"prototype {d}") for d, p in enumerate(pics))


def _bars(model: str, reading: Reading | None, info: LayerInfo | None) -> str:
    """LeNet-5: the ten prototypes with the squared distance of F6 to each (shortest wins).
    LeNet-1: the ten output scores as probabilities (tallest wins)."""
    if model == "lenet5":
        values = reading.output if reading is not None else None
        heights = values / max(float(values.max()), 1e-9) if values is not None else np.zeros(10)
        texts = [f"{v:.0f}" for v in values] if values is not None else [""] * 10
        title = "distance from F6 to each prototype: the shortest is the answer"
    else:
        values = reading.probabilities if reading is not None else None
        heights = values if values is not None else np.zeros(10)
        texts = [f"{100 * v:.0f}%" for v in values] if values is not None else [""] * 10
        title = "how likely each digit is: the tallest is the answer"
    cols = []
    for d in range(10):
        cls = ""
        if reading is not None and d == reading.digit:
            cls = "answer"
        elif reading is not None and reading.unsure and d == reading.runner_up:
            cls = "rival"
        proto = _prototype_imgs()[d] if model == "lenet5" else ""
        cols.append(
            f'<div class="col {cls}"><b>{d}</b>{proto}'
            f'<div class="bar"><i style="height:{100 * float(heights[d]):.0f}%"></i></div>'
            f"<small>{texts[d]}</small></div>"
        )
    caption = (
        f"<figcaption><b>Output</b> {KIND[(model, 'Output')]} · {title}"
        + (f"<br><span>{info.params:,} params · {info.connections:,} connections</span>" if info else "")
        + "</figcaption>"
    )
    return f'<figure class="panel output"><div class="cols">{"".join(cols)}</div>{caption}</figure>'


def network_html(model: str, layers: list[LayerInfo], input_size: int, reading: Reading | None) -> str:
    """The whole network view for ``reading`` (or the empty layout when it is None), as HTML."""
    acts = reading.acts if reading is not None else blank_acts(layers, input_size)
    info = {layer.name: layer for layer in layers}
    n = input_size
    sees = _panel(
        _img(vz.tile(vz.input_picture(acts["input"])[None], 1), UNIT_PX[model]["input"], "network input"),
        f"<figcaption><b>What {TITLE[model]} sees</b> · {n}×{n}<br>"
        f"<span>background −0.1, ink +1.175</span></figcaption>",
        "input",
    )
    row1 = [sees]
    row2 = []
    for name in ("C1", "S2", "C3", "S4"):
        maps = acts[name]
        pic = _img(
            vz.feature_grid(maps, cols=MAP_COLS[(model, name)]), UNIT_PX[model][name], f"{name} feature maps"
        )
        cls = "headline" if name in ("C1", "C3") else ""
        (row1 if name in ("C1", "S2") else row2).append(_panel(pic, _caption(info[name], model), cls))
    row3 = []
    if model == "lenet5":
        row2.append(
            _panel(
                _img(vz.units_picture(acts["C5"], 10, 12), UNIT_PX[model]["C5"], "C5 units"),
                _caption(info["C5"], model),
                "units",
            )
        )
        row3.append(
            _panel(
                _img(vz.units_picture(acts["F6"], 12, 7), UNIT_PX[model]["F6"], "F6 as a 7×12 picture"),
                _caption(info["F6"], model),
                "units",
            )
        )
    else:
        row3.append(
            '<p class="note">LeNet-1 has no C5, F6 or prototypes: its 192 S4 units feed '
            "10 output units directly.</p>"
        )
    row3.append(_bars(model, reading, info.get("Output")))
    legend = (
        '<div class="legend"><span>−1.72</span><i></i><span>+1.72</span>'
        "<small>one colour scale for every map: the squashing function's range</small></div>"
    )
    rows = "".join(f'<div class="row">{"".join(r)}</div>' for r in (row1, row2, row3))
    return f'<div class="lenet-net">{legend}{rows}</div>'


_GRADIENT = ", ".join(f"rgb{tuple(int(c) for c in vz.LUT[i])}" for i in range(0, 256, 51))

CSS = f"""
.lenet-net {{ font-size: 12px; line-height: 1.25; }}
.lenet-net .row {{ display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: flex-end; margin-bottom: 6px; }}
.lenet-net .panel {{ margin: 0; display: flex; flex-direction: column; align-items: flex-start;
  width: min-content; min-width: 150px; }}
.lenet-net img {{ image-rendering: pixelated; height: auto; display: block; max-width: none !important; margin: 0; }}
.lenet-net .panel.units {{ min-width: 180px; }}
.lenet-net figcaption {{ margin-top: 2px; color: var(--body-text-color); }}
.lenet-net figcaption span {{ color: var(--body-text-color-subdued); }}
.lenet-net .headline figcaption b {{ font-size: 14px; }}
.lenet-net .legend {{ display: flex; align-items: center; gap: 6px; margin-bottom: 4px; }}
.lenet-net .legend i {{ width: 120px; height: 10px; background: linear-gradient(to right, {_GRADIENT}); }}
.lenet-net .legend small {{ color: var(--body-text-color-subdued); }}
.lenet-net .cols {{ display: flex; gap: 3px; }}
.lenet-net .col {{ display: flex; flex-direction: column; align-items: center; padding: 2px 3px;
  border-radius: 4px; border: 2px solid transparent; min-width: 22px; }}
.lenet-net .col.answer {{ border-color: #d97706; background: rgba(217, 119, 6, 0.12); }}
.lenet-net .col.rival {{ border-color: #9ca3af; border-style: dashed; }}
.lenet-net .bar {{ width: 14px; height: 48px; display: flex; align-items: flex-end;
  background: rgba(127, 127, 127, 0.12); margin-top: 3px; }}
.lenet-net .bar i {{ width: 100%; background: #6b7280; }}
.lenet-net .col.answer .bar i {{ background: #d97706; }}
@media (max-width: 600px) {{
  .lenet-net .panel {{ width: auto; max-width: 100%; }}
  .lenet-net img {{ max-width: 100% !important; }}
  .lenet-net .cols {{ gap: 1px; }}
  .lenet-net .col {{ padding: 1px; min-width: 0; }}
  .lenet-net .col img {{ width: 22px !important; }}
}}
.lenet-net .note {{ max-width: 180px; margin: 0; color: var(--body-text-color-subdued); }}
"""
