"""The page's pictures, in one place: the colour scale, tiles of feature maps, PNG encoding and the
one ``<img>`` builder (pure numpy, and zlib to encode PNG).

Every activation after the squashing function lies in [−1.7159, +1.7159] (appendix A), so all
feature maps share ONE diverging colour scale fixed to that range: blue is −1.7159, white is 0,
red is +1.7159. A map therefore looks the same for the same values whatever was drawn, and two
drawings (or two layers) can be compared by eye. The scale is never stretched to a map's own
minimum and maximum.

Pictures are built at their true resolution (one pixel per unit) with ``scale=1`` and the browser
enlarges them with ``image-rendering: pixelated``; a larger integer ``scale`` repeats pixels
(nearest neighbour) for places that cannot do that.
"""

from __future__ import annotations

import base64
import html
import struct
import zlib

import numpy as np

from lenet.model import BACKGROUND, INK, TANH_A
from lenet.prototypes import bitmaps

LO, HI = -TANH_A, TANH_A  # the fixed colour range of every activation picture

GAP = (150, 150, 150)  # the grey between and around maps: it frames maps whose units are all ≈ 0

# ColorBrewer RdBu (11 classes), reversed so that negative is blue and positive is red.
_ANCHORS = np.array(
    [
        (5, 48, 97), (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240),
        (247, 247, 247),
        (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43), (103, 0, 31),
    ],
    dtype=np.float64,
)  # fmt: skip

# A 256-entry lookup table: entry i is the colour of LO + (HI − LO) · i / 255.
LUT = np.stack(
    [np.interp(np.linspace(0, 1, 256), np.linspace(0, 1, len(_ANCHORS)), _ANCHORS[:, c]) for c in range(3)],
    axis=1,
).round().astype(np.uint8)  # fmt: skip


def colorize(values: np.ndarray, lo: float = LO, hi: float = HI) -> np.ndarray:
    """Any-shaped float array → uint8 RGB (..., 3) on the fixed diverging scale [lo, hi].

    Values outside [lo, hi] take the end colours; 0 is white when lo = −hi.
    """
    v = np.asarray(values, dtype=np.float32)
    idx = np.clip((v - lo) * (255.0 / (hi - lo)) + 0.5, 0, 255).astype(np.uint8)
    return LUT[idx]


def upscale(rgb: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour enlargement of an (H, W, 3) picture by an integer factor."""
    if scale == 1:
        return rgb
    return np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)


def tile(pictures: np.ndarray, cols: int, gap: int = 1, scale: int = 1) -> np.ndarray:
    """Lay (N, h, w, 3) uint8 pictures in a grid of ``cols`` columns, ``gap`` grey pixels
    between and around them (counted before ``scale``). Returns uint8 (H, W, 3)."""
    n, h, w, _ = pictures.shape
    rows = -(-n // cols)
    out = np.empty((gap + rows * (h + gap), gap + cols * (w + gap), 3), dtype=np.uint8)
    out[:] = GAP
    for i in range(n):
        r, c = divmod(i, cols)
        y, x = gap + r * (h + gap), gap + c * (w + gap)
        out[y : y + h, x : x + w] = pictures[i]
    return upscale(out, scale)


def feature_grid(maps: np.ndarray, cols: int | None = None, gap: int = 1, scale: int = 1) -> np.ndarray:
    """Feature maps (N, H, W), float on the squashing range → uint8 RGB grid (one row by default)."""
    maps = np.asarray(maps, dtype=np.float32)
    return tile(colorize(maps), cols or len(maps), gap, scale)


def units_picture(units: np.ndarray, rows: int, cols: int, gap: int = 1, scale: int = 1) -> np.ndarray:
    """A vector of units (rows·cols,) drawn as a rows × cols block, one coloured pixel per unit,
    framed by ``gap`` grey pixels: C5's 120 units, or F6's 84 units as the 7×12 picture that the
    prototypes are drawn in (unit k at row k // 7, column k % 7). uint8 (H, W, 3)."""
    block = np.asarray(units, dtype=np.float32).reshape(rows, cols)
    return tile(colorize(block)[None], 1, gap, scale)


def prototypes_grid(gap: int = 1, scale: int = 1) -> np.ndarray:
    """The ten RBF prototype bitmaps of figure 3 (each 7 wide × 12 high, values ±1), 0 to 9 in a
    row, on the same colour scale as F6 so the two can be compared. uint8 (H, W, 3)."""
    return tile(colorize(bitmaps()), 10, gap, scale)


def input_picture(x: np.ndarray, scale: int = 1) -> np.ndarray:
    """What the network receives, (S, S) in the paper's range [−0.1, 1.175] → grey uint8 (S, S, 3),
    drawn like the paper's figures: background white, ink black."""
    v = (np.asarray(x, dtype=np.float32) - BACKGROUND) / (INK - BACKGROUND)
    grey = (255.0 * (1.0 - np.clip(v, 0.0, 1.0)) + 0.5).astype(np.uint8)
    return upscale(np.repeat(grey[:, :, None], 3, axis=2), scale)


def paper(ink: np.ndarray) -> np.ndarray:
    """Ink in [0, 1] (1 = ink; more or less is clipped), any shape → grey uint8 of the same shape,
    drawn like paper: black ink on white."""
    return (255.0 * (1.0 - np.clip(ink, 0.0, 1.0)) + 0.5).astype(np.uint8)


def png_bytes(picture: np.ndarray) -> bytes:
    """Encode an (H, W, 3) uint8 picture (or a grey (H, W) one) as PNG: 8-bit RGB (grey), no
    filter, zlib level 1.

    Written out by hand because these pictures are tiny: Pillow's per-image overhead (~0.7 ms)
    would dominate an update that draws seven of them; this takes a few tens of microseconds.
    """
    h, w = picture.shape[:2]
    channels = 1 if picture.ndim == 2 else 3
    rows = np.zeros((h, 1 + channels * w), dtype=np.uint8)  # each scanline starts with filter type 0
    rows[:, 1:] = np.ascontiguousarray(picture, dtype=np.uint8).reshape(h, channels * w)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    colour = 0 if channels == 1 else 2  # greyscale or truecolour
    header = struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0)  # 8 bits, deflate, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
        + chunk(b"IEND", b"")
    )


def png_data_uri(picture: np.ndarray) -> str:
    """An (H, W, 3) or grey (H, W) uint8 picture as a ``data:image/png;base64,...`` URI for an <img> tag."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(picture)).decode("ascii")


def img(picture: np.ndarray | bytes, alt: str, unit_px: float | None = None) -> str:
    """An ``<img>`` tag with the picture inlined as a data URI: an (H, W, 3) or (H, W) uint8 array (encoded
    here) or PNG bytes. With ``unit_px``, the array is shown ``unit_px`` CSS pixels per pixel (the
    browser enlarges it, ``image-rendering: pixelated`` in the CSS); without, at its own size."""
    if isinstance(picture, bytes):
        src = "data:image/png;base64," + base64.b64encode(picture).decode("ascii")
    else:
        src = png_data_uri(picture)
    style = ""
    if unit_px is not None:
        h, w = picture.shape[:2]
        style = f' style="width:{w * unit_px:.0f}px;aspect-ratio:{w}/{h}"'
    return f'<img src="{src}" alt="{html.escape(alt)}"{style}>'


def thumbnail(image: np.ndarray) -> np.ndarray:
    """A shipped MNIST digit, uint8 (28, 28) ink = 255, drawn like paper: uint8 RGB (28, 28, 3),
    black ink on white."""
    grey = 255 - np.asarray(image, dtype=np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


def css_gradient(stops: int = 6) -> str:
    """The colour scale as the stops of a CSS ``linear-gradient`` (the legend of the network view;
    ``explorer/static/network_view.css`` holds this string, and a test checks that it still does)."""
    step = 255 // (stops - 1)
    return ", ".join(f"rgb{tuple(int(c) for c in LUT[i])}" for i in range(0, 256, step))
