"""The "Class" tab: a class plays with LeNet-5 together, and the projector shows what it learned.

The teacher presses **Start a class** and gets a code of 4 letters (and a link, ``?class=CODE``);
students type the code, draw, pick the digit they meant and **send** their drawing to the class. The
board — the code, how many drawings, the class's confusion matrix (a cell clicked shows its
drawings), the drawings that fooled the network, the ones it was unsure about, the error per digit
and the ranking of the teacher's challenge — redraws within a second of a send, read by the network
chosen at the top of the page. The teacher hides a drawing (✕ on it), sets a challenge, exports the
board (CSV and PNG) and closes the class (its drawings are deleted; any class is deleted 24 hours
after it opened). ``?board=CODE`` opens a class's board (on the projector's computer, with
``&projector=1``).

Live: a ``gr.Timer`` ticks twice a second, **only while** the tab is open on a page that shows a
board; a tick asks the store for the class's version (one indexed SQLite read) and sends nothing
when it has not moved. The store and the logic are :mod:`explorer.classroom` (no Gradio); this
module lays out the tab and wires it. API: ``/class_open``, ``/class_send``, ``/class_board``.
Its style sheet is ``static/board.css``, its script ``static/board.js``.
"""

from __future__ import annotations

import html
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import gradio as gr
import numpy as np

from explorer import assets, canvas
from explorer.classroom import board as logic
from explorer.classroom import view
from explorer.classroom.classroom import Classroom, Refused
from explorer.classroom.store import ClassStore, SQLiteStore
from explorer.reading import Refused as Unreadable
from lenet import strokes as pen
from lenet.network import DEFAULT, Network
from lenet.preprocess import UnreadableImage, preprocess

TAB = "Class"
# s between a board's looks at the store: a send shows within TICK plus one redraw. A tick that finds
# nothing new costs the server 0.1 ms plus Gradio's handling of one event (bench/class_board.py).
TICK = 0.5
CONFIRM = 10.0  # s: "Close the class" deletes on a second press within this
KINDS = [("No challenge", ""), ("Fool it: draw a … it reads as …", "fool"),
         ("The strangest … it still reads", "strange")]  # fmt: skip
DIGITS = [(str(d), d) for d in range(10)]


def said(text: str, ok: bool = True) -> str:
    """A sentence for the student or the teacher, in a live region (screen readers announce it)."""
    cls = "cb-ok" if ok else "cb-refused"
    mark = "✓" if ok else "⚠"
    return f'<p class="{cls}" role="status" aria-live="polite">{mark} {html.escape(text)}</p>'


def sender(request: gr.Request | None) -> str:
    """Who sends, for the rate limit: the page's session (each browser tab, each API client, its own)."""
    return getattr(request, "session_hash", None) or "anonymous"


def join_link(request: gr.Request | None, code: str) -> str:
    """The link students open: the page's own address (as the browser sent it) with ``?class=CODE``."""
    headers = getattr(request, "headers", None) or {}
    page = (headers.get("referer") or "").split("?")[0].split("#")[0]
    return f"{page}?class={code}" if page.startswith(("http://", "https://")) else f"?class={code}"


class ClassBoard:
    """The tab, its events and the API. ``networks``: name → :class:`Network`; ``store``: where classes
    are kept (:class:`SQLiteStore` on ``CLASS_DB`` when None)."""

    def __init__(self, networks: Mapping[str, Network], store: ClassStore | None = None):
        self.classroom = Classroom(store if store is not None else SQLiteStore(), networks)

    # --- per request --------------------------------------------------------------------------------

    def render(self, code, name, cell=None, key=None, link: str = "") -> tuple[dict, str]:
        """The board of class ``code`` as network ``name`` reads it: the JSON of ``/class_board`` and
        the HTML (with Hide buttons when ``key`` is the teacher's)."""
        try:
            code, summary = self.classroom.summary(code, name)
        except Refused as exc:
            return {"error": str(exc), "drawings": 0, "confusion": [[0] * 10 for _ in range(10)]}, view.closed_html(
                str(exc)
            )
        try:
            teacher = bool(key) and self.classroom.teacher(code, key) == code
        except Refused:
            teacher = False
        cell = tuple(cell) if isinstance(cell, (list, tuple)) and len(cell) == 2 else None
        return summary.as_json(code), view.board_html(code, summary, cell, teacher, link or f"?class={code}")

    def picture_digit(self, drawing) -> np.ndarray:
        """``/class_send``'s picture (as ``/predict`` takes it) → the 28×28 digit, or Refused with why."""
        try:
            digit = preprocess(canvas.stroke(drawing, self.blobs))
        except UnreadableImage as exc:
            raise Refused(str(exc)) from None
        if digit is None:
            raise Refused("Draw a digit first: there is nothing to send yet.")
        return digit

    @staticmethod
    def strokes_of(value, digit: np.ndarray) -> str | dict | None:
        """The canvas's strokes, when they are what was read (``digit``); None when the digit read came
        from elsewhere (a photo, a mistake picked) or the strokes cannot be read."""
        try:
            drawing = pen.parse(value)
            if drawing is None:
                return None
            drawn = preprocess(pen.rasterise(drawing))
        except UnreadableImage:
            return None
        return value if drawn is not None and np.allclose(drawn, digit, atol=1e-5) else None

    # --- layout --------------------------------------------------------------------------------------

    def tab(self) -> None:
        """The tab (call inside the view ``gr.Tabs``)."""
        with gr.Tab(TAB, elem_id="class-tab", id="class"):
            with gr.Row(elem_id="class-student", equal_height=False):
                with gr.Column(min_width=260, scale=2):
                    self.code = gr.Textbox(label="Class code", placeholder="4 letters, e.g. KMRW", max_length=12,
                                           elem_id="class-code")  # fmt: skip
                    self.nickname = gr.Textbox(label="Your first name or nickname (optional)", max_length=20,
                                               elem_id="class-nickname")  # fmt: skip
                with gr.Column(min_width=260, scale=3):
                    self.meant = gr.Radio(DIGITS, label="The digit you meant", elem_id="class-meant")
                    self.send = gr.Button("Send my drawing to the class", variant="primary", elem_id="class-send")
                    self.said = gr.HTML("", elem_id="class-said")
            with gr.Row(elem_id="class-teacher-row", equal_height=True):
                self.start = gr.Button("Start a class", elem_id="class-start", scale=0, min_width=150)
                self.watch = gr.Textbox(label="Show the board of class", placeholder="code", max_length=12,
                                        elem_id="class-watch", scale=0, min_width=180)  # fmt: skip
                self.show = gr.Button("Show board", elem_id="class-show", scale=0, min_width=120)
            self.board = gr.HTML(view.EMPTY, elem_id="class-board", js_on_load=assets.js("board.js"))
            with gr.Row(elem_id="class-controls", visible=False) as self.controls:
                self.kind = gr.Dropdown(KINDS, value="", label="Challenge", elem_id="class-kind", min_width=220)
                self.c_meant = gr.Dropdown(DIGITS, value=7, label="Draw a", elem_id="class-c-meant", min_width=90)
                self.c_read = gr.Dropdown(DIGITS, value=1, label="read as", elem_id="class-c-read", min_width=90)
                self.set = gr.Button("Set the challenge", elem_id="class-set", min_width=150)
                self.export = gr.Button("Export CSV + PNG", elem_id="class-export", min_width=150)
                self.close = gr.Button("Close the class (deletes its drawings)", variant="stop", size="sm",
                                       elem_id="class-close", scale=0, min_width=200)  # fmt: skip
            self.files = gr.File(label="The board, exported", file_count="multiple", visible=False,
                                 elem_id="class-files")  # fmt: skip
            self.teacher_said = gr.HTML("", elem_id="class-teacher-said")
            self.key = gr.State(None)  # the teacher's key, on the page that started the class only
            self.shown_code = gr.State("")  # the class whose board this page shows
            self.cell = gr.State(None)  # the matrix cell whose drawings are shown: [meant, read]
            self.seen = gr.State(None)  # what the board shows now: (code, version, network, cell, key)
            self.link = gr.State("")
            self.armed = gr.State(None)  # when "Close the class" was pressed once (time.time())
            self.timer = gr.Timer(TICK, active=False)
            # the API's own triggers and outputs, never shown
            self.api_send, self.api_board = gr.Button(visible=False), gr.Button(visible=False)
            self.api_meant = gr.Number(visible=False, precision=0)
            self.json = gr.JSON(visible=False)

    # --- events --------------------------------------------------------------------------------------

    def wire(self, demo: gr.Blocks, *, ink: gr.HTML, digit: gr.State, choice: gr.Radio, views: gr.Tabs,
             sketchpad: gr.Sketchpad) -> None:  # fmt: skip
        """Events and API. ``ink``: the canvas (its strokes are stored with the drawing); ``digit``: the
        page's digit read now (what is sent); ``choice``: the network switch (the board's reader);
        ``views``: the tabs this one sits in (the timer runs only while it is open);
        ``sketchpad``: ``/predict``'s input, which ``/class_send`` takes too."""
        self.blobs = sketchpad.blob_storage
        room = self.classroom
        # The teacher's class and key in that browser's storage too, so that a reload gives the controls
        # back. Made here, outside the tabs: a tab's components exist in the browser once it is first opened.
        self.kept = gr.BrowserState(None, storage_key="lenet5-explorer-class")
        quiet = {"api_visibility": "private", "show_progress": "hidden"}
        # Boards and sends queue apart: a burst of 200 sends must not hold back the boards that show them.
        fast = {**quiet, "concurrency_id": "class_board", "concurrency_limit": 2}
        sending = {"concurrency_id": "class_send", "concurrency_limit": 2}
        board_out = [self.board, self.seen]

        def draw(code, name, cell, key, link, seen=None):
            """The board's HTML and what it shows; gr.skip() when nothing moved since ``seen``."""
            now = (code, room.version(code), name, tuple(cell) if cell else None, key)
            if seen is not None and tuple(seen) == now:
                return gr.skip(), gr.skip()
            return self.render(code, name, cell, key, link)[1], list(now)

        def start(request: gr.Request):  # rendered for LeNet-5; the next tick redraws for the page's network
            name = DEFAULT
            code, key = room.open()
            link = join_link(request, code)
            html_, seen = draw(code, name, None, key, link)
            note = said(f"Class {code} is open. Students: open the Class tab, type {code}, draw, and send.")
            return (code, key, code, None, link, html_, seen, gr.Row(visible=True), gr.Timer(active=True), note,
                    gr.File(visible=False), {"code": code, "key": key})  # fmt: skip

        started = [self.watch, self.key, self.shown_code, self.cell, self.link, *board_out, self.controls,
                   self.timer, self.teacher_said, self.files, self.kept]  # fmt: skip
        self.start.click(start, None, started, api_name="class_open", show_progress="hidden")

        def show(code, name, key, request: gr.Request):
            try:
                code, _ = room.get(code)
            except Refused as exc:
                return "", None, "", view.closed_html(str(exc)), None, gr.Row(visible=False), gr.Timer(active=False)
            teacher = key if key and _is_teacher(code, key) else None
            link = join_link(request, code)
            html_, seen = draw(code, name, None, teacher, link)
            return (code, None, link, html_, seen, gr.Row(visible=teacher is not None), gr.Timer(active=True))

        shown = [self.shown_code, self.cell, self.link, *board_out, self.controls, self.timer]
        self.show.click(show, [self.watch, choice, self.key], shown, **quiet)
        self.watch.submit(show, [self.watch, choice, self.key], shown, **quiet)

        def _is_teacher(code, key) -> bool:
            try:
                return room.teacher(code, key) == code
            except Refused:
                return False

        def tick(code, name, cell, key, link, seen):
            if not code:
                return gr.skip(), gr.skip()
            return draw(code, name, cell, key, link, seen)

        board_in = [self.shown_code, choice, self.cell, self.key, self.link]
        self.timer.tick(tick, [*board_in, self.seen], board_out, **fast)
        choice.change(tick, [*board_in, self.seen], board_out, **fast)  # the network switch re-reads the class

        def opened(event: gr.SelectData, code):  # the timer runs only while the tab is open and shows a board
            return gr.Timer(active=event.value == TAB and bool(code))

        views.select(opened, [self.shown_code], self.timer, **quiet)

        def clicked(code, name, cell, key, link, event: gr.EventData):
            data = getattr(event, "_data", None) or {}
            note = gr.skip()
            if "cell" in data:
                try:
                    m, r = (int(v) for v in str(data["cell"]).split(","))
                    if not (0 <= m <= 9 and 0 <= r <= 9):
                        raise ValueError(data["cell"])
                    cell = None if cell and list(cell) == [m, r] else [m, r]  # a second click closes it
                except ValueError:
                    return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            elif "hide" in data:
                try:
                    note = said(room.hide(code, key, data["hide"]))
                except Refused as exc:
                    note = said(str(exc), ok=False)
            html_, seen = draw(code, name, cell, key, link)
            return cell, html_, seen, note

        self.board.click(clicked, board_in, [self.cell, *board_out, self.teacher_said], **fast)

        def challenge(code, key, kind, meant, read):
            try:
                text = room.challenge(code, key, {"kind": kind, "meant": meant, "read": read} if kind else None)
            except Refused as exc:
                return said(str(exc), ok=False)
            return said(text)

        self.set.click(challenge, [self.shown_code, self.key, self.kind, self.c_meant, self.c_read],
                       self.teacher_said, **quiet)  # fmt: skip

        def close(code, key, armed):  # two presses within CONFIRM seconds: the first only says what will go
            keep = gr.skip(), gr.skip(), gr.skip()
            try:
                if not isinstance(armed, (int, float)) or not 0 <= time.time() - armed <= CONFIRM:
                    code = room.teacher(code, key)
                    n = len(room.store.drawings(code, hidden=True))
                    warn = said(f"Press “Close the class” again within {CONFIRM:.0f} s to delete class {code} and its "
                                f"{n} drawings for good.", ok=False)  # fmt: skip
                    return *keep, warn, gr.skip(), time.time()
                text = room.close(code, key)
            except Refused as exc:
                return *keep, said(str(exc), ok=False), gr.skip(), None
            return "", None, gr.Row(visible=False), said(text), view.EMPTY, None

        self.close.click(close, [self.shown_code, self.key, self.armed],
                         [self.shown_code, self.key, self.controls, self.teacher_said, self.board, self.armed],
                         **quiet)  # fmt: skip

        def export(code, key, name):
            try:
                code = room.teacher(code, key)
                _, summary = room.summary(code, name)
            except Refused as exc:
                return gr.File(visible=False), said(str(exc), ok=False)
            folder = Path(tempfile.mkdtemp(prefix=f"class-{code}-"))
            csv_path, png_path = folder / f"class-{code}-{name}.csv", folder / f"class-{code}-{name}-gallery.png"
            csv_path.write_text(logic.csv_text(summary), encoding="utf-8")
            png_path.write_bytes(view.png_of(view.gallery_png(code, summary)))
            return gr.File([str(csv_path), str(png_path)], visible=True), said(f"Class {code} exported.")

        self.export.click(export, [self.shown_code, self.key, choice], [self.files, self.teacher_said], **quiet)

        # --- students ---------------------------------------------------------------------------------

        def check(code, name):  # a code typed: is there such a class, and what is its challenge?
            if not (code or "").strip():
                return ""
            try:
                code, info = room.get(code)
            except Refused as exc:
                return said(str(exc), ok=False)
            title = room.networks[name].title if name in room.networks else "LeNet-5"
            challenge = logic.challenge_text(info.challenge, title)
            todo = f"Challenge: {challenge}." if challenge else "Draw a digit, choose what you meant, and send it."
            return said(f"You are in class {code}. {todo}")

        self.code.submit(check, [self.code, choice], self.said, **quiet)
        self.code.blur(check, [self.code, choice], self.said, **quiet)

        def send(code, value, d, meant, nickname, request: gr.Request):
            try:
                if d is None:
                    raise Refused("Draw a digit first: there is nothing to send yet.")
                text = room.send(code, d, self.strokes_of(value, d), meant, nickname, sender(request))
            except Refused as exc:
                return said(str(exc), ok=False)
            return said(text)

        self.send.click(send, [self.code, ink, digit, self.meant, self.nickname], self.said, **quiet, **sending)

        def api_send(code, drawing, meant, request: gr.Request):
            """``/class_send``: a picture as ``/predict`` takes it, sent to class ``code`` as the digit ``meant``."""
            try:
                d = self.picture_digit(drawing)
                return said(room.send(code, d, None, meant, "", sender(request)))
            except (Refused, Unreadable) as exc:
                return said(str(exc), ok=False)

        self.api_send.click(api_send, [self.code, sketchpad, self.api_meant], self.said, api_name="class_send",
                            preprocess=False, **sending)  # fmt: skip

        def api_board(code, name=DEFAULT):
            """``/class_board``: the board of class ``code`` as the network ``name`` reads it (JSON first)."""
            data, html_ = self.render(code, name)
            return data, html_

        self.api_board.click(api_board, [self.watch, choice], [self.json, self.board], api_name="class_board",
                             concurrency_id="class_board", concurrency_limit=2)  # fmt: skip

        def arrived(name, kept, request: gr.Request):
            """?class=CODE: the student's link; ?board=CODE: the projector's; a plain visit of the browser
            that started a class still open: its board, with the teacher's controls back (after a reload)."""
            q = dict(getattr(request, "query_params", None) or {})
            if "class" in q:
                return (q["class"][:12], gr.Tabs(selected="class"), check(q["class"], name), *[gr.skip()] * 9)
            if "board" in q:
                code, cell, link, html_, seen, _, timer = show(q["board"], name, None, request)
                return (gr.skip(), gr.Tabs(selected="class"), gr.skip(), q["board"][:12], code, cell, link, html_,
                        seen, timer, gr.skip(), gr.skip())  # fmt: skip
            code, key = (kept.get("code"), kept.get("key")) if isinstance(kept, dict) else (None, None)
            if isinstance(code, str) and _is_teacher(code, key):
                link = join_link(request, code)
                html_, seen = draw(code, name, None, key, link)
                return (gr.skip(), gr.skip(), gr.skip(), code, code, None, link, html_, seen, gr.skip(), key,
                        gr.Row(visible=True))  # fmt: skip
            return (gr.skip(),) * 12

        demo.load(arrived, [choice, self.kept], [self.code, views, self.said, self.watch, *shown[:5], self.timer,
                                                 self.key, self.controls], **quiet)  # fmt: skip

