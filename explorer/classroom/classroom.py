"""A class, as the page and the API use it: open one, send a drawing to it, see its board, and the
teacher's controls — set a challenge, hide a drawing, close the class, export the board. Plain
Python over a :class:`~explorer.classroom.store.ClassStore`; no Gradio (``explorer/board.py`` is
the tab). Everything a person can get wrong is answered by :class:`Refused` with a sentence for
them, checked before anything is written, so nothing is stored half-way.

The teacher is whoever opened the class: :meth:`Classroom.open` gives a secret key that the
teacher's page keeps (the store keeps only its hash); hiding, closing, challenges and exports ask
for it. Students need only the code.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from explorer.classroom import board
from explorer.classroom.store import ALPHABET, CODE_LENGTH, ClassClosed, ClassFull, ClassInfo, ClassStore, key_hash
from explorer.limits import Recent
from lenet.network import Network

MAX_DRAWINGS = 2000  # per class: a class of 40 sending 50 each; past this the teacher starts another
MAX_STROKES_JSON = 64_000  # characters of strokes kept per drawing: a digit drawn slowly is ~5,000
MAX_NICKNAME = 20  # characters
# A page may send SEND_BURST drawings at once, then one every SEND_EVERY seconds: a student who
# draws and sends as fast as they can is never stopped; a script (or a held key) is, after 5.
SEND_BURST, SEND_EVERY = 5, 2.0
SENDERS_KEPT = 10_000  # pages whose sending rate is remembered (the oldest are forgotten first)


class Refused(ValueError):
    """What was asked cannot be done; the message says why, for the person who asked."""


@dataclass
class Bucket:
    tokens: float
    at: float


class RateLimit:
    """A token bucket per sender (a page's session): ``burst`` at once, then one per ``every`` seconds."""

    def __init__(self, burst: int = SEND_BURST, every: float = SEND_EVERY, kept: int = SENDERS_KEPT):
        self.burst, self.every = burst, every
        self.buckets: Recent = Recent(kept)
        self.lock = threading.Lock()

    def take(self, sender: str, now: float | None = None) -> float:
        """0 when ``sender`` may send now (a token is taken), else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self.lock:
            b = self.buckets.get(sender) or Bucket(float(self.burst), now)
            b.tokens = min(float(self.burst), b.tokens + (now - b.at) / self.every)
            b.at = now
            self.buckets[sender] = b
            if b.tokens >= 1:
                b.tokens -= 1
                return 0.0
            return (1 - b.tokens) * self.every

    def give_back(self, sender: str) -> None:
        """A send that was refused for another reason does not count."""
        with self.lock:
            b = self.buckets.get(sender)
            if b is not None:
                b.tokens = min(float(self.burst), b.tokens + 1)


def clean_code(text) -> str:
    """A code as typed ("kmrw", " K-M R W ") → "KMRW"; :class:`Refused` when it cannot be one."""
    code = re.sub(r"[\s\-_.]", "", text).upper() if isinstance(text, str) else ""
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        shown = (text if isinstance(text, str) else "")[:12]
        if not shown.strip():
            raise Refused("Type your class's code first: 4 letters, from your teacher's screen.")
        raise Refused(f"“{shown}” is not a class code: a code is {CODE_LENGTH} letters, like KMRW.")
    return code


def clean_meant(value) -> int:
    """The digit meant (7, 7.0, "7") → 7; :class:`Refused` when it is not one digit 0-9."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 9:
        raise Refused("Choose the digit you meant, 0 to 9, before sending.")
    return value


def clean_nickname(text) -> str:
    """A nickname as given → at most MAX_NICKNAME printable characters ("" for none)."""
    if not isinstance(text, str):
        return ""
    kept = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return " ".join(kept.split())[:MAX_NICKNAME]


def clean_field(field) -> np.ndarray:
    """The 28×28 digit read (float ink in [0, 1]) → float32 (28, 28); :class:`Refused` otherwise."""
    if field is None:
        raise Refused("Draw a digit first: there is nothing to send yet.")
    a = np.asarray(field, dtype=np.float32)
    if a.shape != (28, 28) or not np.isfinite(a).all():
        raise Refused("This drawing cannot be sent: draw it again.")
    if not a.any():
        raise Refused("Draw a digit first: there is nothing to send yet.")
    return np.clip(a, 0.0, 1.0)


def clean_strokes(strokes) -> str | None:
    """The canvas's strokes (a mapping or JSON text) → compact JSON text, or None for none."""
    if strokes is None or strokes == "":
        return None
    text = strokes if isinstance(strokes, str) else json.dumps(strokes, separators=(",", ":"))
    if len(text) > MAX_STROKES_JSON:
        raise Refused(f"This drawing is too big to send ({len(text):,} characters of strokes, at most "
                      f"{MAX_STROKES_JSON:,}): clear the canvas and draw the digit again.")  # fmt: skip
    return text


class Classroom:
    """Classes in ``store``, read by ``networks`` (name → :class:`Network`)."""

    def __init__(self, store: ClassStore, networks: Mapping[str, Network], limit: RateLimit | None = None):
        self.store, self.networks = store, networks
        self.limit = limit or RateLimit()
        self.readings = board.Readings()
        self._summaries: Recent = Recent(64)  # (code, network) → (version, Summary)

    # --- a class -----------------------------------------------------------------------------------

    def open(self) -> tuple[str, str]:
        """A new class: its code, and the teacher's key (to keep secret, on the teacher's page)."""
        key = secrets.token_urlsafe(24)
        return self.store.open_class(key_hash(key)), key

    def get(self, code) -> tuple[str, ClassInfo]:
        code = clean_code(code)
        info = self.store.get_class(code)
        if info is None:
            raise Refused(f"There is no open class {code}: check the code with your teacher. "
                          "A class ends when the teacher closes it, and after 24 hours.")  # fmt: skip
        return code, info

    def send(self, code, field, strokes, meant, nickname: str = "", sender: str = "") -> str:
        """Store one drawing in the class (everything checked first); returns what to tell the student.
        ``sender``: who sends (the page's session), for the rate limit."""
        code, _ = self.get(code)
        meant = clean_meant(meant)
        field = clean_field(field)
        strokes = clean_strokes(strokes)
        nickname = clean_nickname(nickname)
        wait = self.limit.take(sender or "anonymous")
        if wait:
            raise Refused(f"Slow down: you can send again in {math.ceil(wait)} s.")
        try:
            self.store.add_drawing(code, meant, field, strokes, nickname, MAX_DRAWINGS)
        except ClassClosed:
            self.limit.give_back(sender or "anonymous")
            raise Refused(f"Class {code} has just closed: your drawing was not sent.") from None
        except ClassFull:
            self.limit.give_back(sender or "anonymous")
            raise Refused(f"Class {code} has {MAX_DRAWINGS:,} drawings already: ask your teacher to start "
                          "a new class.") from None  # fmt: skip
        return f"Sent to class {code}: your {meant}. Look at the board!"

    # --- the board ------------------------------------------------------------------------------------

    def network(self, name) -> Network:
        network = self.networks.get(name) if isinstance(name, str) else None
        if network is None:
            raise Refused(f"There is no network called {repr(name)[:40]}: choose one of {', '.join(self.networks)}.")
        return network

    def version(self, code) -> int | None:
        """The class's version (grows with every change), or None when it is not open: cheap, for polling."""
        try:
            code = clean_code(code)
        except Refused:
            return None
        info = self.store.get_class(code)
        return None if info is None else info.version

    def summary(self, code, name) -> tuple[str, board.Summary]:
        """The board of class ``code`` as network ``name`` reads it (made again only after a change)."""
        code, info = self.get(code)
        network = self.network(name)
        known = self._summaries.get((code, network.name))
        if known is not None and known[0] == info.version:
            return code, known[1]
        drawings = self.store.drawings(code)
        s = board.summarize(network, drawings, self.readings.of(network, drawings), info.challenge)
        self._summaries[(code, network.name)] = (info.version, s)
        return code, s

    # --- the teacher's controls ------------------------------------------------------------------------

    def teacher(self, code, key) -> str:
        """The class's code if ``key`` is its teacher's; :class:`Refused` otherwise."""
        code, info = self.get(code)
        if not isinstance(key, str) or not secrets.compare_digest(key_hash(key), info.teacher):
            raise Refused("Only the teacher who started this class can do that, from the page where they started it.")
        return code

    def hide(self, code, key, drawing) -> str:
        code = self.teacher(code, key)
        if isinstance(drawing, bool) or not isinstance(drawing, (int, float)) or not float(drawing).is_integer():
            raise Refused("Which drawing? Give its number, as the board shows it (#12).")
        if not self.store.hide(code, int(drawing)):
            raise Refused(f"Class {code} has no drawing #{int(drawing)}.")
        return f"Drawing #{int(drawing)} is hidden from the board."

    def challenge(self, code, key, challenge) -> str:
        code = self.teacher(code, key)
        try:
            checked = board.check_challenge(challenge)
        except ValueError as exc:
            raise Refused(str(exc)) from None
        self.store.set_challenge(code, checked)
        return f"Challenge: {board.challenge_text(checked, 'LeNet-5')}." if checked else "No challenge now."

    def close(self, code, key) -> str:
        code = self.teacher(code, key)
        self.store.close(code)
        for k in [k for k in self._summaries if k[0] == code]:
            self._summaries.pop(k, None)
        return f"Class {code} is closed and its drawings are deleted."
