"""Turn a drawing, a photo or a scan into a digit the way MNIST was made.

MNIST's recipe (LeCun et al. 1998, section III-A): "The original black and white (bilevel) images
were size normalized to fit in a 20×20 pixel box while preserving their aspect ratio. The resulting
images contain grey levels as a result of the anti-aliasing technique used by the normalization
algorithm. The images were centered in a 28×28 image by computing the center of mass of the
pixels, and translating the image so as to position this point at the center of the 28×28 field."

The steps below follow it: find the ink whatever the background (:func:`ink_map`), crop to the ink,
fit a 20×20 box keeping the aspect ratio with an anti-aliasing filter, and place the centre of mass
at (14, 14) — the mean centre of mass of the MNIST test digits, in pixel-index coordinates. The
model then pads the 28×28 field to 32×32 and applies the paper's normalisation itself
(:meth:`lenet.model._LeNet.prepare`).

Pure numpy and Pillow, no Gradio: the app, the tests and the benchmarks call the same functions.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image, JpegImagePlugin, UnidentifiedImageError

FIELD = 28  # MNIST's field
BOX = 20  # MNIST's size-normalisation box
CENTRE = 14.0  # where MNIST's centres of mass lie (mean over the test set: 13.99, 14.01)
MNIST_PEN = 1.9  # median pen width of the MNIST test digits, by stroke_width(), in pixels
WORK = 80  # side of the working copy in which the pen width is adjusted (4 × BOX)

# The largest picture decoded at full size, in pixels (16 MP ≈ 64 MB as RGBA). JPEGs are decoded
# at 1/2, 1/4 or 1/8 scale first (Pillow's draft mode), so a bigger photo still goes through when its
# reduced size fits. The page (explorer/limits.py) sets Pillow's own decompression-bomb limit to this,
# so Gradio's decoding of a Sketchpad value refuses pictures over twice this before allocating anything.
MAX_PIXELS = 16_000_000

# Bigger inputs are shrunk (box filter) before anything else, so a 10,000×10,000 photo costs about
# what a 512×512 one does. 512 keeps a 2-pixel pen line of a 4,000-pixel scan visible.
MAX_SIDE = 512

# Ink contrast (0–1) below which the picture counts as empty: a blank canvas, an even photo.
MIN_CONTRAST = 0.15

# Pixels whose ink is below this fraction of the strongest ink are background: this removes
# paper texture and JPEG noise before the crop, while anti-aliased stroke edges survive.
NOISE_FLOOR = 0.25

# A row or column through a digit crosses at most three strokes (the median over 4,000 MNIST test
# digits, at 28 px and drawn 280 px big, never exceeds 3); through noise, a texture or squared paper
# it crosses dozens. Pictures whose median crossing count exceeds this are refused as noise.
MAX_CROSSINGS = 4


class UnreadableImage(ValueError):
    """The input is not a picture of a digit that can be read; the message says why, for the user."""


def _too_big(size: str) -> UnreadableImage:
    return UnreadableImage(
        f"This picture is too big to read here ({size}); the limit is {MAX_PIXELS / 1e6:.0f} megapixels. "
        "Crop it to the digit or send a smaller copy."
    )


NOT_A_PICTURE = "This file is not a picture that can be read. Send a PNG, JPEG, GIF, BMP or WebP image."
NOISE = (
    "This looks like noise or a pattern, not one digit: there is ink all over it. "
    "Draw or photograph a single digit on plain paper."
)


def to_array(image: Any) -> np.ndarray | None:
    """A picture → a numpy image, or None when there is none.

    Accepts a PIL image, a numpy array, a file path, or an image file's bytes (a page's component
    values are unwrapped to one of these on the page's side: ``explorer.canvas.stroke``). Returns an
    array of shape (H, W), (H, W, 3) or (H, W, 4), dtype as given (uint8 0–255 or float 0–1), no side over MAX_SIDE for
    files and PIL images, or None for a missing or cleared image. Raises :class:`UnreadableImage`
    for a file that is not a picture or is over MAX_PIXELS, and for anything else that is not an image.
    """
    if image is None:
        return None
    if isinstance(image, (str, Path)):
        image = _open(image)
    elif isinstance(image, (bytes, bytearray)):
        image = _open(io.BytesIO(image))
    if isinstance(image, Image.Image):
        image = _pil_to_array(image)
    if not isinstance(image, np.ndarray) or image.dtype.kind not in "biuf":
        raise UnreadableImage(f"Expected a picture, got {type(image).__name__}.")
    return image


def pixels(image: Any) -> int:
    """How many pixels ``image`` holds (what to_array accepts), read from a file's header only;
    0 for nothing, or for a file that is not a picture (it will be refused at once)."""
    if isinstance(image, (bytes, bytearray)):
        image = io.BytesIO(image)
    if isinstance(image, (str, Path, io.BytesIO)):
        try:
            with Image.open(image) as im:
                return im.size[0] * im.size[1]
        except Exception:  # not a picture, too big for Pillow, missing: to_array explains
            return 0
    if isinstance(image, Image.Image):
        return image.size[0] * image.size[1]
    if isinstance(image, np.ndarray) and image.ndim >= 2:
        return image.shape[0] * image.shape[1]
    return 0


def _open(path: str | Path | io.BytesIO) -> np.ndarray:
    """Decode an image file, shrunk to MAX_SIDE and turned upright, with bounded memory: JPEGs are
    decoded at reduced scale, and nothing over MAX_PIXELS (after that reduction) is decoded at all.

    A phone stores a photo taken sideways as the sensor saw it, with an EXIF tag saying how to turn
    it; the picture is turned as the tag says, as a photo viewer would show it."""
    try:
        with _open_image(path) as im:
            im.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at 1/2, 1/4 or 1/8 scale, cheaply
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise _too_big(f"{w}×{h} pixels")
            return orient(_pil_to_array(im), im.getexif().get(ORIENTATION, 1))
    except UnreadableImage:
        raise
    except Image.DecompressionBombError as exc:  # Pillow refused it at open(), from its header alone
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_big(f"{int(pixels[1]) / 1e6:.0f} megapixels" if pixels else "too many pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise UnreadableImage(NOT_A_PICTURE) from None


def _open_image(path: str | Path | io.BytesIO) -> Image.Image:
    """``Image.open``, except for a JPEG over Pillow's decompression-bomb limit: that one is opened
    without the check (opening reads the header only), because draft mode decodes it at up to 1/8
    scale and _open checks the reduced size against MAX_PIXELS before anything is decoded. So an
    8000×6000 phone photo (48 MP) is decoded as 1000×750 instead of being refused."""
    try:
        return Image.open(path)
    except Image.DecompressionBombError:
        if not _is_jpeg(path):  # no reduced decoding to fall back on
            raise
        if isinstance(path, io.BytesIO):
            path.seek(0)
        return JpegImagePlugin.JpegImageFile(path)


def _is_jpeg(path: str | Path | io.BytesIO) -> bool:
    if isinstance(path, io.BytesIO):
        path.seek(0)
        return path.read(3) == JPEG_MAGIC
    with open(path, "rb") as f:
        return f.read(3) == JPEG_MAGIC


JPEG_MAGIC = b"\xff\xd8\xff"


# EXIF orientation (tag 274): how to turn the stored pixels to show the picture upright.
ORIENTATION = 274


def orient(a: np.ndarray, orientation: int) -> np.ndarray:
    """``a`` (H, W[, C]) as EXIF ``orientation`` (1–8) says to show it; other values leave it as is.
    The same as Pillow's ``ImageOps.exif_transpose``, on the array already shrunk (cheaper)."""
    turn = {
        2: lambda a: a[:, ::-1],  # mirrored left-right
        3: lambda a: a[::-1, ::-1],  # upside down
        4: lambda a: a[::-1],  # mirrored top-bottom
        5: lambda a: a.swapaxes(0, 1),  # mirrored along the main diagonal
        6: lambda a: np.rot90(a, -1),  # stored turned 90° anticlockwise: turn clockwise
        7: lambda a: np.rot90(a, 2).swapaxes(0, 1),  # mirrored along the other diagonal
        8: lambda a: np.rot90(a, 1),  # stored turned 90° clockwise: turn anticlockwise
    }.get(orientation)
    return np.ascontiguousarray(turn(a)) if turn else a


def _pil_to_array(im: Image.Image) -> np.ndarray:
    """A PIL image of any mode → uint8 L, RGB or RGBA, or float 0–1 for 16/32-bit images (whose
    range Pillow would clip to 8 bits), no larger than MAX_SIDE on its longer side."""
    if im.mode in ("I", "F") or im.mode.startswith("I;"):
        a = _shrink_array(np.asarray(im.convert("F") if im.mode != "F" else im, dtype=np.float32))
        lo, hi = float(np.nanmin(a, initial=0.0)), float(np.nanmax(a, initial=0.0))
        return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    if im.mode not in ("L", "RGB", "RGBA"):
        im = im.convert("RGBA" if "A" in im.getbands() or "transparency" in im.info else "RGB")
    factor = -(-max(im.size) // MAX_SIDE)  # ceil
    if factor > 1:
        im = im.reduce(factor)  # a box filter, in C, without a full-size float copy
    return np.asarray(im)


def _shrink_array(a: np.ndarray) -> np.ndarray:
    """``a`` with its longer side at most MAX_SIDE: a box filter, in Pillow for uint8 (no float
    copy of a huge array is ever made), else a mean over factor×factor blocks."""
    factor = -(-max(a.shape[:2]) // MAX_SIDE)
    if factor <= 1:
        return a
    if a.dtype == np.uint8:
        return np.asarray(Image.fromarray(a).reduce(factor))
    h, w = (a.shape[0] // factor) * factor, (a.shape[1] // factor) * factor
    return a[:h, :w].reshape(h // factor, factor, w // factor, factor, *a.shape[2:]).mean(axis=(1, 3))


def ink_map(image: np.ndarray) -> np.ndarray | None:
    """Ink of any image: float32 (H, W) in [0, 1], 1 = full ink; None when there is no ink.

    ``image``: (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA; uint8 in 0–255, or float in 0–1.
    Polarity does not matter: the background is the median grey level of the picture's border
    (:func:`border`), and ink is whatever differs from it (black on white, white on black, a dark
    photo with chalk). The border, not the whole picture, because a big digit drawn with a thick
    pen can cover more than half of the canvas; its border is still mostly paper. With
    transparency, the colour is laid on whichever of white or black contrasts with the opaque
    pixels, so ink that lives only in the alpha channel is found too.
    """
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)) or a.size == 0:
        raise ValueError(f"expected an (H, W), (H, W, 3) or (H, W, 4) image, got shape {a.shape}")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        a = np.nan_to_num(a, nan=0.0, posinf=1.0, neginf=0.0)
    scale = 255.0 if a.dtype == np.uint8 or a.max(initial=0) > 1.0 else 1.0
    a = _shrink_array(a).astype(np.float32) / np.float32(scale)
    if a.ndim == 2:
        grey = a
    else:
        grey = a[:, :, :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601 luma
        if a.shape[2] == 4:
            alpha = a[:, :, 3]
            if alpha.min() < 0.5:  # real transparency: lay the colour on a contrasting ground
                weight = alpha.sum()
                opaque_grey = (grey * alpha).sum() / weight if weight > 0 else 0.0
                ground = 1.0 if opaque_grey < 0.5 else 0.0
                grey = grey * alpha + ground * (1.0 - alpha)
    background = float(np.median(border(grey)))
    ink = np.abs(grey - background)
    peak = float(ink.max())
    if peak < MIN_CONTRAST:
        return None
    ink = np.clip((ink - NOISE_FLOOR * peak) / ((1.0 - NOISE_FLOOR) * peak), 0.0, 1.0)
    return ink.astype(np.float32)


def border(a: np.ndarray) -> np.ndarray:
    """The pixels of the outer frame of ``a`` (H, W), 1/32 of the shorter side wide (at least 1)."""
    k = max(1, min(a.shape) // 32)
    return np.concatenate([a[:k].ravel(), a[-k:].ravel(), a[k:-k, :k].ravel(), a[k:-k, -k:].ravel()])


def crossings(ink: np.ndarray) -> float:
    """How many strokes a line through the ink crosses: the median number of runs of ink (> 0.5)
    over the rows that hold ink, or over the columns, whichever is larger. 1–3 for a digit."""
    b = ink > 0.5
    medians = []
    for runs in (
        (b[:, 1:] & ~b[:, :-1]).sum(axis=1) + b[:, 0],  # runs starting in each row
        (b[1:, :] & ~b[:-1, :]).sum(axis=0) + b[0, :],  # ... and in each column
    ):
        runs = runs[runs > 0]
        medians.append(float(np.median(runs)) if runs.size else 0.0)
    return max(medians)


def stroke_width(ink: np.ndarray) -> float:
    """Mean pen width of an ink map, in pixels: 2·area / perimeter of the ink above 0.5
    (a stroke of length L and width w has area L·w and perimeter ≈ 2L). 0 when there is no ink."""
    b = np.pad(ink > 0.5, 1)
    perimeter = np.count_nonzero(b[1:] != b[:-1]) + np.count_nonzero(b[:, 1:] != b[:, :-1])
    return 2.0 * np.count_nonzero(b) / perimeter if perimeter else 0.0


def _rank_filter(a: np.ndarray, size: int, op) -> np.ndarray:
    """Square ``size``×``size`` max (dilation) or min (erosion) filter, separable, zero outside."""
    before, after = size // 2, size - 1 - size // 2
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (before, after)
        a = op(sliding_window_view(np.pad(a, pad), size, axis=axis), axis=-1)
    return a


def _fit(ink: np.ndarray, side: int) -> np.ndarray:
    """Crop ``ink`` to its ink and resize it (Lanczos, aspect kept) so its longer side is ``side``."""
    mask = ink > 0
    rows, cols = mask.any(axis=1), mask.any(axis=0)
    top, bottom = int(rows.argmax()), len(rows) - int(rows[::-1].argmax())
    left, right = int(cols.argmax()), len(cols) - int(cols[::-1].argmax())
    return fit_cropped(ink[top:bottom, left:right], side)


def fit_cropped(crop: np.ndarray, side: int) -> np.ndarray:
    """:func:`_fit` for ink already cropped to its ink (``lenet.number.recognition`` knows each candidate
    piece's ink box): resized (Lanczos, aspect kept) so that its longer side is ``side``, float32
    clipped to [0, 1]. Called for every candidate piece of a number, so kept lean: Pillow's float
    image made straight from the buffer, the clip done in place."""
    crop = np.ascontiguousarray(crop, dtype=np.float32)
    h, w = crop.shape
    s = side / max(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))  # PIL wants (width, height)
    fitted = Image.frombuffer("F", (w, h), crop, "raw", "F", 0, 1).resize(size, Image.Resampling.LANCZOS)
    out = np.frombuffer(fitted.tobytes(), dtype=np.float32).reshape(size[1], size[0]).copy()
    np.maximum(out, 0.0, out=out)
    return np.minimum(out, 1.0, out=out)


def normalize(ink: np.ndarray) -> np.ndarray | None:
    """MNIST's size normalisation and centring of an ink map, with the pen width made MNIST's.

    ``ink``: float (H, W) in [0, 1]. Returns float32 (28, 28) in [0, 1], ink = 1, the ink fitted
    into a 20×20 box (aspect ratio kept, Lanczos anti-aliasing) and its centre of mass at (14, 14)
    to the nearest pixel; None when there is no ink.

    MNIST's writers held pens in proportion to their digits; a canvas has one brush for any size
    of digit, so a digit drawn tiny comes out as a blob and one drawn huge (or a scan with a fine
    pen) as a hairline. So, in a working copy 80 px high, a pen much thinner or much thicker than
    MNIST's (median 1.9 px in the 20 px box) is widened or narrowed to MNIST's width first.
    """
    if not np.any(ink > 0):
        return None
    work = _fit(ink, WORK)
    work /= max(float(work.max()), 1e-6)  # a hairline shrunk to 80 px keeps its full contrast
    target = MNIST_PEN * WORK / BOX
    pen = stroke_width(work)
    if 0 < pen < 0.6 * target:
        size = round(target - pen) + 1
        work = _rank_filter(np.pad(work, size), size, np.max)
        work = np.clip(work / np.median(work[work > 0.1]), 0.0, 1.0)  # a faint hairline → solid ink
    elif pen > 1.6 * target:
        thinner = _rank_filter(work, round(pen - target) + 1, np.min)
        if thinner.max() > 0.5:  # never erase a digit
            work = thinner
    return place(work)


def place(ink: np.ndarray) -> np.ndarray | None:
    """MNIST's last two steps: ``ink`` (float (H, W), ink > 0 somewhere) cropped, fitted into the
    20×20 box (aspect kept, Lanczos) and placed in the 28×28 field with its centre of mass at
    (14, 14) to the nearest pixel. float32 (28, 28) in [0, 1]; None when nothing is left."""
    return centre(_fit(ink, BOX))


def centre(box: np.ndarray) -> np.ndarray | None:
    """The ink fitted into the 20×20 box (float32) placed in the 28×28 field with its centre of
    mass at (14, 14) to the nearest pixel; None when it holds no ink."""
    mass = box.sum()
    if mass <= 0:
        return None
    bh, bw = box.shape
    cy = (box.sum(axis=1) * np.arange(bh)).sum() / mass
    cx = (box.sum(axis=0) * np.arange(bw)).sum() / mass
    top = min(max(round(CENTRE - cy), 0), FIELD - bh)
    left = min(max(round(CENTRE - cx), 0), FIELD - bw)
    out = np.zeros((FIELD, FIELD), dtype=np.float32)
    out[top : top + bh, left : left + bw] = box
    return out


def preprocess(image: Any) -> np.ndarray | None:
    """A picture (a PIL image, an array, a path or a file's bytes: see to_array) → the MNIST-style digit.

    Returns float32 (28, 28) in [0, 1] with ink = 1, or None for an empty or cleared canvas, or
    a picture all of one shade (the caller invites to draw, it is not an error). Raises
    :class:`UnreadableImage`, whose message is meant for the user, for a file that is not a picture,
    one too big to decode, anything else that is not an image, and noise or patterns.
    """
    array = to_array(image)
    if array is None:
        return None
    try:
        ink = ink_map(array)
    except ValueError:
        raise UnreadableImage(f"Expected a grey, RGB or RGBA picture, got an array of shape {array.shape}.") from None
    if ink is None:
        return None
    if crossings(ink) > MAX_CROSSINGS:
        raise UnreadableImage(NOISE)
    return normalize(ink)
