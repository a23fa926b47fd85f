"""Why this answer: the occlusion maps of :mod:`lenet.occlusion` laid over the digit, as one HTML
fragment — the ink that speaks for the answer, for the second choice, and what tips the balance.

Red is ink that speaks for a class (rubbing it out lowers its score), blue ink that speaks against
it, on the page's diverging colour scale (:mod:`explorer.pictures`), one scale per picture.
"""

from __future__ import annotations

import numpy as np

from explorer.pictures import colorize, img, input_picture, upscale
from lenet.model import BACKGROUND, INK
from lenet.occlusion import contrast

INK_SHADE = 0.3  # how much the ink darkens the colour under it, so strokes with no effect stay visible


def overlay(saliency: np.ndarray, network_input: np.ndarray, limit: float, scale: int = 1) -> np.ndarray:
    """A saliency map laid over the digit: uint8 RGB (S·scale, S·scale, 3).

    ``saliency``: float (S, S); coloured on the app's diverging scale from −``limit`` (blue) through
    0 (white) to +``limit`` (red), so red = speaks for the class, blue = against. ``network_input``:
    float (S, S) in the paper's range [−0.1, 1.175] (``Reading.acts["input"]``); the ink shades the
    colours a little, so that strokes with no effect (white on the scale) still show, in grey.
    """
    limit = max(float(limit), 1e-12)
    rgb = colorize(saliency, -limit, limit).astype(np.float32)  # (S, S, 3)
    ink = np.clip((np.asarray(network_input, np.float32) - BACKGROUND) / (INK - BACKGROUND), 0.0, 1.0)
    shaded = rgb * (1.0 - INK_SHADE * ink[:, :, None])  # ink with no effect still shows, in grey
    return upscale((shaded + 0.5).astype(np.uint8), scale)


WHY_PX = 6  # CSS pixels per input pixel: four 32×32 pictures fit the view side by side


def _figure(rgb: np.ndarray, caption: str, alt: str) -> str:
    return f"<figure>{img(rgb, alt, WHY_PX)}<figcaption>{caption}</figcaption></figure>"


def why_html(title: str, digit: int, rival: int, network_input: np.ndarray, maps: np.ndarray) -> str:
    """The "why this answer" view as HTML: the input, the occlusion maps of the answer ``digit``
    and of the second choice ``rival`` over it, and their difference. ``network_input``: float
    (S, S) in the paper's range; ``maps``: float32 (10, S, S) from :func:`lenet.occlusion.occlusion`. Each map has
    its own colour scale (its largest |value|), so a weak map is not drawn blank."""
    why = contrast(maps, digit, rival)
    panels = [_figure(input_picture(network_input), f"<b>What {title} sees</b>", "network input")]
    for values, caption in (
        (maps[digit], f"<b>Ink that speaks for {digit}</b> (its answer)"),
        (maps[rival], f"<b>Ink that speaks for {rival}</b> (its second choice)"),
        (why, f"<b>Why {digit} and not {rival}</b>"),
    ):
        limit = float(np.abs(values).max())
        panels.append(_figure(overlay(values, network_input, limit), caption, caption))
    return (
        '<div class="lenet-why"><p>The network reads the digit again with a small square of ink rubbed out, '
        "once for every place on the ink, and watches its scores. "
        '<span class="red">Red</span>: rubbing out that ink lowers the score — it speaks for the digit. '
        '<span class="blue">Blue</span>: rubbing it out raises the score — it speaks against it. '
        "Ink that both digits share can speak for both; the last picture shows what tips the balance: "
        f"red ink makes it <b>{digit}</b> rather than <b>{rival}</b>, blue ink pulls it towards {rival}.</p>"
        f'<div class="pics">{"".join(panels)}</div>'
        '<p class="note">Occlusion (Zeiler and Fergus, 2014) with 5×5 squares; each picture has its own '
        "colour scale, white is no effect.</p></div>"
    )


WHY_EMPTY = (
    '<div class="lenet-why"><p class="note">Draw a digit (or choose one) and this view shows which parts '
    "of the ink made the network choose its answer.</p></div>"
)
