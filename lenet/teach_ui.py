"""The teaching tabs of the page — test-set mistakes, why this answer, the architecture, how it
learned — built here so that ``app.py`` stays a short list of wiring.

This is the one module of ``lenet`` that imports Gradio; everything it shows is made by the pure
modules beside it (:mod:`lenet.testset`, :mod:`lenet.explain`, :mod:`lenet.architecture`,
:mod:`lenet.learning`). What is per network (the mistakes, the matrix, the plots, the layer table)
is built once, when :class:`Teaching` is created at start-up, and only looked up per request. The
only per-request work is the occlusion map, and it runs only while "Why this answer" is open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gradio as gr
import numpy as np
import torch

from lenet import architecture, explain, learning, testset
from lenet.reading import read_digit

WHY_TAB = "Why this answer"
CSS = testset.CSS + explain.CSS + architecture.CSS + learning.CSS


class Teaching:
    """The teaching views of every network, built once. ``networks``: name → loaded model;
    ``titles``: name → "LeNet-5"; ``gaps``: name → the "unsure" threshold (lenet.reading)."""

    def __init__(self, networks: dict[str, torch.nn.Module], titles: dict[str, str], weights_dir: Path | str,
                 gaps: dict[str, float]):  # fmt: skip
        self.networks, self.titles, self.gaps = networks, titles, gaps
        self.testsets = {m: testset.load_testset(m, weights_dir) for m in networks}
        self.explorer = {m: testset.explorer_html(ts, titles[m], gaps[m]) for m, ts in self.testsets.items()}
        self.architecture = {
            m: architecture.architecture_html(m, titles[m], net, self.testsets[m].test_error)
            for m, net in networks.items()
        }
        self.learning = {m: learning.learning_html(self.testsets[m].log, titles[m], m) for m in networks}

    # --- per request ------------------------------------------------------------------------

    def why(self, digit: np.ndarray | None, model: str) -> str:
        """The "why this answer" HTML for a 28×28 digit (float32 in [0, 1], ink = 1) or None."""
        if digit is None or model not in self.networks:
            return explain.WHY_EMPTY
        net = self.networks[model]
        reading = read_digit(net, digit, self.gaps[model])
        maps = explain.occlusion(net, digit)
        return explain.why_html(self.titles[model], reading.digit, reading.runner_up, reading.acts["input"], maps)

    def picked(self, model: str, data: dict) -> np.ndarray | None:
        """The digit the page sent back from the explorer (``{"pick": k, "model": m}``), or None when
        it is stale (another network was chosen meanwhile) or out of range."""
        ts = self.testsets.get(model)
        k = data.get("pick")
        if ts is None or data.get("model") != model or not isinstance(k, int) or not 0 <= k < len(ts.images):
            return None
        return ts.digit(k)

    # --- layout -----------------------------------------------------------------------------

    def mistakes_tab(self, model: str = "lenet5") -> None:
        """The explorer, as one more tab of the input side (call inside a ``gr.Tabs``)."""
        with gr.Tab("Mistakes", elem_id="mistakes-tab"):
            self.explorer_view = gr.HTML(self.explorer[model], js_on_load=testset.JS, elem_id="mistakes")

    def view_tabs(self, model: str = "lenet5") -> None:
        """Why this answer, the architecture and how it learned, as tabs beside the network view."""
        with gr.Tab(WHY_TAB, elem_id="why-tab") as self.why_tab:
            self.why_view = gr.HTML(explain.WHY_EMPTY, elem_id="why")
        with gr.Tab("Architecture", elem_id="architecture-tab"):
            self.architecture_view = gr.HTML(self.architecture[model], elem_id="architecture")
        with gr.Tab("How it learned", elem_id="learning-tab"):
            self.learning_view = gr.HTML(self.learning[model], elem_id="learning")

    def wire(self, *, model: gr.Radio, digit: gr.State, views: gr.Tabs,
             show: Callable[[np.ndarray | None, str], tuple], outputs: list) -> None:  # fmt: skip
        """Events: choosing a mistake reads it through the app's own ``show`` (so it is shown exactly
        as a drawing is) into ``outputs`` = the outputs of ``show`` plus the digit state; switching
        network swaps the prebuilt views; the occlusion map follows the digit while its tab is open."""
        why_open = gr.State(False)

        def pick(name: str, event: gr.EventData):
            chosen = self.picked(name, getattr(event, "_data", None) or {})
            return gr.skip() if chosen is None else (*show(chosen, name), chosen)

        def opened(event: gr.SelectData, digit_now, name):
            is_why = event.value == WHY_TAB
            return is_why, (self.why(digit_now, name) if is_why else gr.skip())

        def follow(digit_now, name, is_open):
            return self.why(digit_now, name) if is_open else gr.skip()

        def switched(name, digit_now, is_open):
            return self.explorer[name], self.architecture[name], self.learning[name], follow(digit_now, name, is_open)

        quiet = {"api_visibility": "private", "show_progress": "hidden"}
        self.explorer_view.click(pick, [model], outputs, **quiet)
        views.select(opened, [digit, model], [why_open, self.why_view], **quiet)
        digit.change(follow, [digit, model, why_open], self.why_view, trigger_mode="always_last", **quiet)
        model.change(
            switched, [model, digit, why_open],
            [self.explorer_view, self.architecture_view, self.learning_view, self.why_view], **quiet,
        )  # fmt: skip
