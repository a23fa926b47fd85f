"""The teaching tabs of the page — mistakes, why this answer, the architecture, how it learned — in
Gradio, so that ``app.py`` stays a short list of wiring.

Everything they show is made by the pure modules beside this one (:mod:`explorer.mistakes`,
:mod:`explorer.why`, :mod:`explorer.architecture`, :mod:`explorer.how_it_learned`). What is per
network (the mistakes, the matrix, the plots, the layer table) is built once, when :class:`Teaching`
is created at start-up, and only looked up per request. The only per-request work is the occlusion
map, and it runs only while "Why this answer" is open: the app's reading events ask for it
(:meth:`Teaching.follow`) in the same request as the answer, so a stroke costs one request, not two.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gradio as gr
import numpy as np

from explorer import architecture, assets, how_it_learned, mistakes, why
from explorer.events import PRIVATE
from explorer.reading import PageReading
from lenet.network import Network
from lenet.occlusion import occlusion

WHY_TAB = "Why this answer"


class Teaching:
    """The teaching views of every network, built once. ``networks``: name → :class:`Network`."""

    def __init__(self, networks: dict[str, Network], weights_dir: Path | str):
        self.networks = networks
        self.testsets = {name: mistakes.load_testset(name, weights_dir) for name in networks}
        self.explorer = {
            name: mistakes.explorer_html(self.testsets[name], n.title, n.unsure_gap) for name, n in networks.items()
        }
        self.architecture = {name: architecture.architecture_html(n) for name, n in networks.items()}
        self.learning = {name: how_it_learned.learning_html(n) for name, n in networks.items()}

    # --- per request ------------------------------------------------------------------------

    def page(self, digit: np.ndarray | None, name: str) -> PageReading | None:
        network = self.networks.get(name) if isinstance(name, str) else None
        return None if network is None else PageReading(network, digit)

    def why(self, page: PageReading | None) -> str:
        """The "why this answer" HTML for the digit read (never the bent one: the answer under the canvas)."""
        if page is None or page.digit is None:
            return why.WHY_EMPTY
        reading = page.plain
        maps = occlusion(page.network.net, page.digit)
        return why.why_html(page.network.title, reading.digit, reading.runner_up, reading.acts["input"], maps)

    def follow(self, page: PageReading | None, is_open: bool):
        """The "why this answer" HTML for ``page`` while its tab is open, else gr.skip() (the tab
        keeps what it shows, and is brought up to date when opened)."""
        return self.why(page) if is_open is True else gr.skip()

    def picked(self, name: str, data: dict) -> np.ndarray | None:
        """The digit the page sent back from the explorer (``{"pick": k, "model": name}``), or None
        when it is stale (another network was chosen meanwhile) or out of range."""
        ts = self.testsets.get(name)
        k = data.get("pick")
        if ts is None or data.get("model") != name or not isinstance(k, int) or not 0 <= k < len(ts.images):
            return None
        return ts.digit(k)

    # --- layout -----------------------------------------------------------------------------

    def mistakes_tab(self, name: str) -> None:
        """The explorer, as one more tab of the input side (call inside a ``gr.Tabs``)."""
        with gr.Tab("Mistakes", elem_id="mistakes-tab"):
            self.explorer_view = gr.HTML(self.explorer[name], js_on_load=assets.js("mistakes.js"), elem_id="mistakes")

    def view_tabs(self, name: str) -> tuple[gr.State, gr.HTML]:
        """Why this answer, the architecture and how it learned, as tabs beside the network view.
        Returns whether "Why this answer" is open (a gr.State) and its view, for the reading events."""
        with gr.Tab(WHY_TAB, elem_id="why-tab", id="why") as self.why_tab:
            self.why_view = gr.HTML(why.WHY_EMPTY, elem_id="why")
            self.why_open = gr.State(False)  # the reading events take it, and update why_view only if open
        with gr.Tab("Architecture", elem_id="architecture-tab", id="architecture"):
            self.architecture_view = gr.HTML(self.architecture[name], elem_id="architecture")
        with gr.Tab("How it learned", elem_id="learning-tab", id="learning"):
            self.learning_view = gr.HTML(self.learning[name], elem_id="learning")
        return self.why_open, self.why_view

    def wire(self, *, choice: gr.Radio, digit: gr.State, views: gr.Tabs,
             show: Callable[[PageReading], tuple], outputs: list) -> None:  # fmt: skip
        """Events: choosing a mistake reads it through the page's own ``show`` (a :class:`PageReading` → the
        answer, message and network view: shown exactly as a drawing is) into ``outputs`` = the outputs of
        ``show``, the digit state and the why view;
        switching network swaps the prebuilt views; opening "Why this answer" draws it for the digit.
        Keeping the why view up to date as the digit changes is the reading events' part (follow)."""

        def pick(name: str, is_open: bool, event: gr.EventData):
            chosen = self.picked(name, getattr(event, "_data", None) or {})
            if chosen is None:
                return gr.skip()
            page = self.page(chosen, name)  # one reading for the answer, the network view and "why"
            return *show(page), chosen, self.follow(page, is_open)

        def opened(event: gr.SelectData, digit_now, name):
            is_why = event.value == WHY_TAB
            return is_why, (self.why(self.page(digit_now, name)) if is_why else gr.skip())

        def switched(name, digit_now, is_open):
            views = self.explorer[name], self.architecture[name], self.learning[name]
            return *views, self.follow(self.page(digit_now, name), is_open)

        self.picked_event = self.explorer_view.click(pick, [choice, self.why_open], outputs, **PRIVATE)  # for .then
        views.select(opened, [digit, choice], [self.why_open, self.why_view], **PRIVATE)
        choice.change(
            switched, [choice, digit, self.why_open],
            [self.explorer_view, self.architecture_view, self.learning_view, self.why_view], **PRIVATE,
        )  # fmt: skip
