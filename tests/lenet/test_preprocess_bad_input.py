"""Odd and hostile input to preprocessing on its own: what is not a picture is refused with a reason,
sizes are read from the header, and odd pixel formats and values are read like ordinary ones.
The same inputs through the app's HTTP API: ``tests/app/test_bad_input.py``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lenet.preprocess import MAX_PIXELS, NOT_A_PICTURE, UnreadableImage, pixels, preprocess
from tests.canvases import huge_png, stroke_canvas

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", [42, "no/such/file.png", object(), np.array(["a", "b"]), np.zeros((0, 0))])
def test_preprocess_refuses_what_is_not_an_image(value):
    with pytest.raises(UnreadableImage):
        preprocess(value)


def test_pixels_are_read_from_the_header(tmp_path):
    path = huge_png(tmp_path / "huge.png", side=3000)
    assert pixels(str(path)) == pixels(path) == pixels(path.read_bytes()) == 9_000_000
    assert pixels(np.zeros((28, 28))) == 784 and pixels(None) == 0 and pixels(b"not a picture") == 0


def test_preprocess_of_a_non_picture_file(tmp_path):
    (tmp_path / "x.png").write_text("hello")
    with pytest.raises(UnreadableImage, match=NOT_A_PICTURE[:20]):
        preprocess(tmp_path / "x.png")


def test_sixteen_bit_scan_is_read_like_eight_bit():
    ink = stroke_canvas()[:, :, 0]
    eight = preprocess(ink)
    sixteen = preprocess(Image.fromarray(ink.astype(np.uint16) * 257))
    np.testing.assert_allclose(sixteen, eight, atol=0.02)


def test_nan_and_inf_do_not_break_the_reading():
    ink = 1.0 - stroke_canvas()[:, :, 0].astype(np.float32) / 255.0
    ink[0, :4] = [np.nan, np.inf, -np.inf, np.nan]
    assert preprocess(ink).shape == (28, 28)


def test_picture_just_under_the_limit_is_decoded_in_bounded_memory(tmp_path):
    """A 16 MP RGBA PNG (the most decoded at full size) costs about its own size, not a float copy."""
    side = int(MAX_PIXELS**0.5) - 1
    script = f"""
import numpy as np
from PIL import Image
from lenet.preprocess import preprocess
def peak():
    return int([l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]) / 1024
Image.new("RGBA", ({side}, {side}), (255, 255, 255, 255)).save("{tmp_path}/big.png", compress_level=1)
import gc; gc.collect()
base = peak()
x = preprocess("{tmp_path}/big.png")
print(peak() - base)
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.split()[-1]) < 4 * side * side / 2**20 + 40  # ≈ the RGBA picture itself
