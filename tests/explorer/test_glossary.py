"""The page's words in plain words (issue 16, item 6): the glossary a keyboard opens, the recipe's
jargon explained where it is used, and every panel of the network view saying what its layer does."""

from __future__ import annotations

import re

import numpy as np
import pytest

from explorer.architecture import architecture_html
from explorer.glossary import TERMS, glossary_html, recipe_terms
from explorer.how_it_learned import learning_html
from explorer.layers import LAYERS
from explorer.network_view import network_html
from tests.explorer.test_how_it_learned import LOG
from tests.weights import untrained

DIGIT = np.zeros((28, 28), np.float32)
DIGIT[4:24, 13:16] = 1.0  # a 1


def test_the_glossary_holds_the_papers_words_in_a_details_a_keyboard_opens():
    page = glossary_html()
    assert page.startswith('<details class="glossary"><summary>') and page.endswith("</dl></details>")
    for term in ("convolution", "subsampling", "feature map", "RBF", "prototype", "F6"):
        assert f"<dt>{term}</dt>" in page and TERMS[term] in page.replace("&#x27;", "'")
    assert page.count("<dt>") == page.count("<dd>") == len(TERMS)


def test_the_recipe_words_used_are_the_ones_explained():
    shipped = "ours: Adam + one-cycle, affine + elastic distortions, EMA of weights"
    assert set(recipe_terms(shipped)) == {"Adam", "one-cycle", "EMA", "distortions"}
    paper = "the paper's: stochastic diagonal Levenberg-Marquardt (appendix C), summed 8-sample batches and mu 0.5"
    assert set(recipe_terms(paper)) == {"Levenberg-Marquardt", "batches", "mu"}  # not "mu" in "summed"
    assert set(recipe_terms("digits distorted as in lenet5's recipe")) == {"distortions"}
    assert set(recipe_terms("plain SGD")) == set()
    page = learning_html(untrained("lenet5", log={**LOG, "recipe": shipped}))
    assert "What the recipe&#x27;s words mean" in page and "<dt>EMA</dt>" in page and "running average" in page
    assert "<details" not in learning_html(untrained("lenet5", log=LOG))  # "ours": no jargon, nothing to explain


@pytest.mark.parametrize("arch", ["lenet5", "lenet1"])
def test_every_panel_says_what_its_layer_does_and_whose_maps_its_pictures_show(arch):
    network = untrained(arch)
    full, empty = network_html(network, network.read(DIGIT)), network_html(network, None)
    digit = network.read(DIGIT).digit
    for layer in [*network.layers]:
        words = LAYERS[(arch, layer.name)].does
        assert f'<span class="does">{words}</span>' in full.replace("&#x27;", "'"), layer.name
    for name in ("C1", "S2", "C3", "S4"):
        maps = next(layer.maps for layer in network.layers if layer.name == name)
        words = {4: "four", 6: "six", 12: "twelve", 16: "sixteen"}[maps]
        assert f'alt="{name}: {words} feature maps of your digit, read as {digit}"' in full
        assert f'alt="{name}: ' in empty and "of the empty canvas" in empty
    assert f'alt="What {network.title} sees: ' in full
    assert '<details class="glossary">' in full  # the words, under the maps
    table = architecture_html(network).replace("&#x27;", "'")
    for layer in network.layers:  # and the same words beside the paper's in the architecture table
        assert f'<span class="does">{LAYERS[(arch, layer.name)].does}</span></td>' in table, layer.name


def test_the_output_row_says_which_bar_is_the_answer_and_names_each_bar():
    five, one = untrained("lenet5"), untrained("lenet1")
    assert "the answer has the shortest bar" in network_html(five, None)
    assert "the answer has the tallest bar" in network_html(one, None)
    read = five.read(DIGIT)
    assert f'aria-label="output unit 3: distance {read.output[3]:.0f}"' in network_html(five, read)
    assert 'aria-label="output unit 3"' in network_html(five, None)
    assert re.search(r'aria-label="output unit 3: \d+%"', network_html(one, one.read(DIGIT)))


def test_a_skip_link_leads_past_the_maps_to_their_end():
    page = network_html(untrained("lenet5"), None)
    skip, first_map, end = page.index('class="skip-maps"'), page.index('class="unit-hit"'), page.index("maps-end")
    assert skip < first_map and end > page.rindex('data-layer="Output"')
