"""The architecture view: its numbers are the model's own, they equal the paper's for LeNet-5, and a
deviation would show as ✗."""

from __future__ import annotations

import numpy as np
import torch

from explorer.architecture import Row, architecture_html, c1_kernels, compare, connection_table
from lenet.model import C3_TABLE, LayerInfo, build_model, count_parameters
from lenet.paper import LAYERS as PAPER_LAYERS
from lenet.paper import TOTAL as PAPER_TOTAL
from tests.weights import untrained


def test_lenet5_rows_are_the_models_and_match_the_paper():
    net = build_model("lenet5")
    rows = compare("lenet5", net.layers())
    assert [r.model for r in rows] == net.layers()
    assert [r.paper for r in rows] == [PAPER_LAYERS[r.model.name] for r in rows]
    assert all(r.shape_matches and r.params_match and r.connections_match for r in rows)
    assert sum(r.model.params for r in rows) == count_parameters(net) == PAPER_TOTAL[0]
    assert sum(r.model.connections for r in rows) == PAPER_TOTAL[1]


def test_a_deviation_is_marked():
    bad = Row(LayerInfo("C3", 16, (10, 10), "5×5", 2_416, 241_600), PAPER_LAYERS["C3"])  # a full C3
    assert bad.shape_matches and not bad.params_match and not bad.connections_match


def test_lenet1_has_no_paper_rows_but_its_own_counts():
    net = build_model("lenet1")
    rows = compare("lenet1", net.layers())
    assert all(r.paper is None and r.params_match is None for r in rows)
    assert sum(r.model.params for r in rows) == count_parameters(net) == 3_246


def test_connection_table_is_table_one():
    grid = connection_table(build_model("lenet5"))
    assert grid.shape == (6, 16) and grid.dtype == bool and grid.sum() == 60
    for c3_map, s2_maps in enumerate(C3_TABLE):
        assert np.flatnonzero(grid[:, c3_map]).tolist() == list(s2_maps)
    full = connection_table(build_model("lenet1"))
    assert full.shape == (4, 12) and full.all()


def test_c1_kernels_pictures():
    net = build_model("lenet5")
    pics, limit = c1_kernels(net)
    assert pics.shape == (6, 5, 5, 3) and pics.dtype == np.uint8
    assert limit == torch.max(net.c1.weight.abs()).item()


def test_html_lists_every_layer_with_its_marks():
    page5 = architecture_html(untrained("lenet5", {"test_error": 0.009}))
    assert page5.count('class="ok"') == 3 * 7 + 2 and 'class="bad"' not in page5
    for name in PAPER_LAYERS:
        assert f"<th>{name}</th>" in page5
    assert "60,000" in page5 and "340,908" in page5 and "0.90%" in page5 and "0.95%" in page5
    assert page5.count("✕") == 60 and "RBF prototypes" in page5
    page1 = architecture_html(untrained("lenet1"))
    assert 'class="ok"' not in page1 and "3,246" in page1 and "1.70%" in page1 and "no F6" in page1
    assert page1.count("✕") == 48
    assert "16×16" in page1 and "not of the same network" in page1 and "16×16" not in page5
    for page in (page5, page1):  # the paper's words, said plainly, under the table
        assert page.count('<details class="glossary">') == 1 and "<dt>subsampling</dt>" in page
