"""Why this answer: the occlusion maps drawn over the digit, and the view naming the answer and the
second choice."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from explorer.why import overlay, why_html
from lenet.model import BACKGROUND, INK, build_model
from lenet.occlusion import occlusion
from lenet.preprocess import preprocess
from tests.canvases import stroke_canvas


@pytest.fixture(scope="module")
def digit() -> np.ndarray:
    """A synthetic "7" on the 28×28 field, float32 in [0, 1], ink = 1."""
    return preprocess(stroke_canvas())


def test_overlay_colours_and_ink():
    s = np.zeros((32, 32), np.float32)
    s[0, 0], s[0, 1] = 1.0, -1.0
    x = np.full((32, 32), BACKGROUND, np.float32)
    x[5, 5] = INK
    rgb = overlay(s, x, limit=1.0, scale=2)
    assert rgb.shape == (64, 64, 3) and rgb.dtype == np.uint8
    assert rgb[0, 0, 0] > rgb[0, 0, 2]  # +limit: red
    assert rgb[0, 2, 2] > rgb[0, 2, 0]  # −limit: blue
    assert abs(int(rgb[20, 20, 0]) - int(rgb[20, 20, 2])) < 3  # 0: a neutral white
    assert rgb[10, 10].astype(int).sum() < 0.8 * rgb[20, 20].astype(int).sum()  # ink shows, in grey


def test_why_html_names_the_answer_and_the_rival(digit):
    torch.manual_seed(0)
    net = build_model("lenet5").eval()
    maps = occlusion(net, digit)
    x = net.prepare(torch.from_numpy(digit)[None, None])[0, 0].numpy()
    page = why_html("LeNet-5", 7, 1, x, maps)
    assert page.count("<img") == 4
    assert "speaks for 7" in page and "speaks for 1" in page and "Why 7 and not 1" in page
