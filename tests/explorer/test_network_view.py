"""The network view: labelled from the model's own counts, the same layout empty or full."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.network_view import blank_acts, network_html
from tests.weights import untrained

DIGIT = np.zeros((28, 28), np.float32)
DIGIT[4:24, 13:16] = 1.0  # a 1


@pytest.fixture(scope="module", params=["lenet5", "lenet1"])
def network(request):
    return untrained(request.param)


def test_network_view_is_labelled_from_the_models_own_counts(network):
    layers = network.layers
    page = network_html(network, network.read(DIGIT))
    for layer in layers:
        assert f"<b>{layer.name}</b>" in page
        assert f"{layer.params:,} params · {layer.connections:,} connections" in page
    assert page.count("<img") >= (7 + 10 if network.arch == "lenet5" else 5)
    assert 'class="col answer"' in page
    assert ("<b>F6</b>" in page) == (network.arch == "lenet5")
    if network.arch == "lenet1":
        assert "has no C5, F6 or prototypes" in page


def test_empty_view_has_the_same_layout(network):
    layers = network.layers
    empty = network_html(network, None)
    full = network_html(network, network.read(DIGIT))
    assert empty.count("<img") == full.count("<img") and 'class="col answer"' not in empty
    acts = blank_acts(layers, network.input_size)
    assert acts["input"].shape == (network.input_size,) * 2 and not acts["C1"].any()
