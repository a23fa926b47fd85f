"""Phone photos: a picture stored sideways is read upright (EXIF orientation), and a large JPEG is
decoded at reduced scale instead of being refused, with Pillow's limit set as the app sets it."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image, ImageOps

from lenet.preprocess import MAX_PIXELS, ORIENTATION, UnreadableImage, orient, preprocess, to_array
from tests.canvases import SEVEN, huge_png, stroke_canvas


@pytest.fixture
def app_limits(monkeypatch):
    """Pillow's decompression-bomb limit as app.py sets it."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", MAX_PIXELS)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orient_matches_pillows_exif_transpose(orientation):
    """Oracle: orient() on the array equals Pillow's ImageOps.exif_transpose on the image."""
    rng = np.random.default_rng(orientation)
    a = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    im = Image.fromarray(a)
    exif = im.getexif()
    exif[ORIENTATION] = orientation
    buf = io.BytesIO()
    im.save(buf, "PNG", exif=exif)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(buf.getvalue()))))
    assert np.array_equal(orient(a, orientation), expected)


def sideways_photo(orientation: int, turn) -> bytes:
    """A 7 as a phone would store it: the pixels turned by ``turn`` (a Pillow transpose), and an
    EXIF tag saying how to turn them back."""
    upright = Image.fromarray(stroke_canvas(SEVEN)[:, :, :3])
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    buf = io.BytesIO()
    upright.transpose(turn).save(buf, "JPEG", quality=90, exif=exif)
    return buf.getvalue()


@pytest.mark.parametrize(
    "orientation, turn",
    [(6, Image.Transpose.ROTATE_90), (8, Image.Transpose.ROTATE_270), (3, Image.Transpose.ROTATE_180)],
    ids=["6-right", "8-left", "3-upside-down"],
)
def test_sideways_photo_is_read_upright(orientation, turn):
    upright = preprocess(stroke_canvas(SEVEN))
    read = preprocess(sideways_photo(orientation, turn))
    assert np.abs(read - upright).mean() < 0.03  # the same 7 (JPEG noise aside)
    unturned = np.asarray(Image.open(io.BytesIO(sideways_photo(orientation, turn))))
    assert np.abs(preprocess(unturned) - upright).mean() > 0.1  # the test would catch a photo read sideways


def big_jpeg(path, size=(8000, 6000)) -> None:
    grey = Image.new("L", size, 255)
    w, h = size
    grey.paste(0, (w // 2 - 150, h // 8, w // 2 + 150, 7 * h // 8))  # a "1"
    grey.save(path, quality=80)


def test_8000x6000_phone_jpeg_is_decoded_reduced(app_limits, tmp_path):
    """48 MP: over twice MAX_PIXELS, so Pillow's open() refuses it; at 1/8 scale it is 1000×750."""
    path = tmp_path / "photo.jpg"
    big_jpeg(path)
    with pytest.raises(Image.DecompressionBombError):
        Image.open(path)
    start = time.perf_counter()
    a = to_array(str(path))
    assert max(a.shape[:2]) <= 512
    digit = preprocess(str(path))
    assert digit is not None and digit.shape == (28, 28)
    assert time.perf_counter() - start < 5
    assert preprocess(path.read_bytes()) is not None  # the same from bytes


def test_huge_png_is_still_refused(app_limits, tmp_path):
    """No reduced decoding exists for a PNG: over the limit it is refused, from its header."""
    path = huge_png(tmp_path / "huge.png")
    with pytest.raises(UnreadableImage, match="too big"):
        preprocess(str(path))


def test_jpeg_too_big_even_reduced_is_refused(app_limits, tmp_path):
    """A JPEG whose 1/8-scale size is still over MAX_PIXELS is refused without decoding it: the
    header says 40000×40000 (5000×5000 = 25 MP at 1/8)."""
    buf = io.BytesIO()
    Image.new("L", (64, 64), 255).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (40000).to_bytes(2, "big") + (40000).to_bytes(2, "big")  # height, width
    path = tmp_path / "bomb.jpg"
    path.write_bytes(bytes(data))
    start = time.perf_counter()
    with pytest.raises(UnreadableImage, match="too big"):
        preprocess(str(path))
    assert time.perf_counter() - start < 1
