"""What the page reads now: **one** reading per update, made once and handed to every view.

Exactly one thing is read at a time — the drawing, a photo, an MNIST example, a mistake picked, or
the digit as bent in "Bend the digit" — and everything on screen shows and says that one. A
:class:`PageReading` holds it: the network, the digit read, the bent digit while the views show it
bent (and how it is bent), and the forward pass of what is shown, run once, however many views ask
(the answer, the network view, "Why this answer", the unit followed).

:class:`Reader` makes them from what the page sends — the canvas's strokes, a picture (an upload, an
MNIST example, ``/predict``'s Sketchpad value), a mistake picked — and gives every view its part in the
same request. The input side's tabs each show what they read: opening one reads what it shows
(:meth:`Reader.reread`), so the answer is never that of a digit the page no longer shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property

import gradio as gr
import numpy as np

from explorer import canvas, limits
from explorer.network_view import network_html
from lenet import strokes
from lenet.network import DEFAULT, Network
from lenet.preprocess import UnreadableImage, pixels, preprocess
from lenet.reading import Reading, top_confidences

# The input side's tabs, as their labels read (app.py lays them out under these names).
DRAW, PHOTO, MISTAKES = "Draw", "Photo or MNIST digit", "Mistakes"
NO_PHOTO = "📷 <b>Upload a photo of one digit</b>, paste one, or click an MNIST test digit below."
NO_MISTAKE = "🔍 <b>Click a mistake</b> in the grid to see how the network read it."


class Refused(ValueError):
    """What the page sent cannot be read; the message says why, in the user's words."""


class NoSuchNetwork(ValueError):
    """A network name the page does not offer (an API call's, a damaged link's); the message says so."""


def network_named(networks: Mapping[str, Network], name) -> Network:
    """The network called ``name``, or :class:`NoSuchNetwork` with the one message every view gives."""
    network = networks.get(name) if isinstance(name, str) else None
    if network is None:
        raise NoSuchNetwork(f"There is no network called {repr(name)[:40]}: choose one of {', '.join(networks)}.")
    return network


@dataclass(frozen=True, eq=False)
class PageReading:
    """What the page reads now. ``digit``: float32 (28, 28) in [0, 1], ink = 1, or None (nothing yet)."""

    network: Network
    digit: np.ndarray | None
    bent: np.ndarray | None = None  # the digit as bent in "Bend the digit", while the views show it bent
    how: str = ""  # how it is bent ("rotation +30°"); "" when the views show the digit as read

    @property
    def shown(self) -> np.ndarray | None:
        """The digit the views show: the bent one while there is one, else the digit read."""
        return self.bent if self.bent is not None else self.digit

    @cached_property
    def reading(self) -> Reading | None:
        """The forward pass of the digit shown, run once for every view that asks."""
        return None if self.shown is None else self.network.read(self.shown)

    @cached_property
    def plain(self) -> Reading | None:
        """The forward pass of the digit as read (not bent): the answer under the canvas."""
        if self.bent is None:
            return self.reading
        return None if self.digit is None else self.network.read(self.digit)

    def bend(self, bent: np.ndarray | None, how: str) -> PageReading:
        """The same reading with the views showing ``bent`` (how: "rotation +30°"); itself, unbent, for
        how = "" (every setting neutral: the bent digit is the digit), so its forward pass is not run again."""
        if bent is None or not how:
            return self.unbent()
        page = replace(self, bent=bent, how=how)
        if self.bent is None and "reading" in self.__dict__:  # the digit as read was read already: once is enough
            page.__dict__["plain"] = self.reading
        return page

    def unbent(self) -> PageReading:
        return self if self.bent is None else replace(self, bent=None, how="")


def fingerprint(digit: np.ndarray) -> int:
    """A digit's identity, cheaply (28×28 float32: 3 kB hashed)."""
    return hash(np.ascontiguousarray(digit).tobytes())


def kept(page: PageReading) -> dict | None:
    """What the page keeps between requests (a gr.State) while the views show the digit bent: the bent
    digit, how it is bent, and the fingerprint of the digit it was bent from; None when unbent."""
    if page.digit is None or page.bent is None:
        return None
    return {"digit": page.bent, "how": page.how, "of": fingerprint(page.digit)}


def restored(network: Network, digit: np.ndarray | None, state) -> PageReading:
    """The reading of ``digit``, bent as ``state`` (:func:`kept`) says while it is of this same digit;
    a bent digit of an earlier drawing is ignored."""
    page = PageReading(network, digit)
    if isinstance(state, dict) and digit is not None and state.get("of") == fingerprint(digit):
        return page.bend(state["digit"], state["how"])
    return page


def answer(page: PageReading) -> tuple[dict, str]:
    """The answer (for gr.Label) and the message under the canvas: the digit as read, never the bent one."""
    if page.plain is None:
        return {}, canvas.INVITATION
    return top_confidences(page.plain), canvas.answer_html(page.plain, page.network.title)


class Reader:
    """Reads what the page sends into one :class:`PageReading` and gives each view its part.
    ``networks``: name → :class:`Network`; ``teaching``, ``bend``, ``unit``, ``design``: the views that
    follow the digit (:class:`explorer.tabs.Teaching`, :class:`explorer.bend.Bend`, :class:`explorer.unit.Follow`,
    :class:`explorer.design.DesignChoices`, set once it exists).
    ``blobs``: the pictures that ``/predict``'s Sketchpad editor posts (set once it exists)."""

    def __init__(self, networks: Mapping[str, Network], teaching, bend, unit):
        self.networks, self.teaching, self.bend, self.unit = networks, teaching, bend, unit
        self.design = None
        self.blobs: dict = {}

    def page(self, digit: np.ndarray | None, name: str = DEFAULT) -> PageReading:
        """The reading of ``digit`` by network ``name`` (which must exist)."""
        return PageReading(self.networks[name], digit)

    def show(self, digit: np.ndarray | None, name: str = DEFAULT) -> tuple[dict, str, str]:
        """The answer (for gr.Label), the message and the network view for a 28×28 digit (or None)."""
        return self.shown(self.page(digit, name if name in self.networks else DEFAULT))

    @staticmethod
    def shown(page: PageReading) -> tuple[dict, str, str]:
        """The answer (for gr.Label), the message and the network view of ``page`` (unbent)."""
        return (*answer(page), network_html(page.network, page.plain))

    def refuse(self, problem: str, name: str = DEFAULT) -> tuple[dict, str, str, None]:
        """No answer, the reason in the message, the empty network view, and no digit."""
        network = self.networks.get(name) if isinstance(name, str) else None
        return {}, canvas.refused_html(problem), network_html(network or self.networks[DEFAULT], None), None

    def digit(self, drawing, name: str = DEFAULT, empty: str = "") -> np.ndarray | None:
        """A Sketchpad value, an uploaded image or rasterised strokes → the 28×28 digit, or None for
        nothing drawn. Raises :class:`Refused` with the reason when it cannot be read: a network that
        does not exist (Gradio does not check: preprocess=False), a picture that is not one, and, when
        ``empty`` is given, a picture with nothing in it (``empty`` is then the reason)."""
        try:
            network_named(self.networks, name)
            digit = preprocess(canvas.stroke(drawing, self.blobs))
        except (NoSuchNetwork, UnreadableImage) as exc:
            raise Refused(str(exc)) from None
        if digit is None and drawing is not None and empty:
            raise Refused(empty)
        return digit

    def predict(self, drawing, name: str = DEFAULT, empty: str = "") -> tuple[dict, str, str, np.ndarray | None]:
        """:meth:`digit` → answer, message, network view and the digit (kept for a later switch of
        network); what cannot be read is answered with the reason."""
        try:
            digit = self.digit(drawing, name, empty)
        except Refused as exc:
            return self.refuse(str(exc), name)
        return (*self.show(digit, name), digit)

    async def read_drawing(self, drawing, name: str = DEFAULT) -> tuple[dict, str, str, np.ndarray | None]:
        """``/predict``: :meth:`predict` on Gradio's event loop for a canvas-sized picture
        (limits.IN_LOOP_PIXELS), else in a thread."""
        picture = canvas.stroke(drawing, self.blobs)
        if pixels(picture) <= limits.IN_LOOP_PIXELS:
            return self.predict(picture, name)
        return await asyncio.to_thread(self.predict, picture, name)

    async def views(self, page: PageReading, why_open: bool, design_open: bool, unit: str, *bending,
                    points: int | None = None, message: str | None = None) -> tuple:  # fmt: skip
        """Every view of one reading, in one request: the answer, the message (``message`` instead, or
        marked with the ``points`` it read), the network view (of the bent digit while "Bend the digit"
        is open), the digit, "Why this answer" and "Design choices" if open, the unit followed if any,
        and Bend's views."""
        label, said = answer(page)
        said = message if message is not None else said if points is None else canvas.counted(said, points)
        why = await asyncio.to_thread(self.teaching.follow, page, True) if why_open is True else gr.skip()
        design = self.design.follow(page.digit, design_open) if self.design is not None else gr.skip()
        view, shown, *bent = self.bend.follow(page, *bending)  # the view: bent while the tab is open
        followed = self.unit.follow(shown, unit)  # the unit's panel reads what the view shows
        return label, said, view, page.digit, why, design, followed, *bent

    async def read_strokes(self, value, name: str = DEFAULT, why_open: bool = False, design_open: bool = False,
                           unit: str = "", *bending) -> tuple:  # fmt: skip
        """``/strokes``: the canvas's strokes, rasterised by lenet.strokes (~1 ms, on Gradio's event loop)
        → :meth:`views`, the message marked with the number of points read (one request per update)."""
        try:
            drawing = strokes.parse(value)
            digit = self.digit(None if drawing is None else strokes.rasterise(drawing), name)
        except (Refused, strokes.BadStrokes) as exc:
            return (*self.refuse(str(exc), name), *[gr.skip()] * 7)
        points = drawing.points if drawing else 0
        return await self.views(self.page(digit, name), why_open, design_open, unit, *bending, points=points)

    async def reread(self, event: gr.SelectData, value, upload, picked, name: str, why_open: bool,
                     design_open: bool, unit: str, *bending) -> tuple:  # fmt: skip
        """An input tab opened: read what it shows — the drawing, the photo or MNIST digit uploaded, the
        mistake picked — so that the answer and the views are never those of a digit no longer on screen."""
        if event.value == DRAW:
            return await self.read_strokes(value, name, why_open, design_open, unit, *bending)
        if event.value == PHOTO and upload is not None:
            try:
                digit = self.digit(upload, name, canvas.NO_DIGIT)
            except Refused as exc:
                return *self.refuse(str(exc), name), *[gr.skip()] * 7
            return await self.views(self.page(digit, name), why_open, design_open, unit, *bending)
        if event.value == MISTAKES and picked is not None:
            return await self.views(self.page(picked, name), why_open, design_open, unit, *bending)
        if event.value in (PHOTO, MISTAKES):  # nothing there yet: nothing read, and what to do
            invite = f'<p class="invite">{NO_PHOTO if event.value == PHOTO else NO_MISTAKE}</p>'
            return await self.views(self.page(None, name), why_open, design_open, unit, *bending, message=invite)
        return tuple(gr.skip() for _ in range(11))
