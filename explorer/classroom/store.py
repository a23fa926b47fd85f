"""Where a class's drawings are kept: a small interface (:class:`ClassStore`) and its SQLite
implementation (:class:`SQLiteStore`). No Gradio, no network: plain data in, plain data out.

A drawing is kept as the student's pen made it and as LeNet-5 received it — the strokes (the
canvas's JSON, :mod:`lenet.strokes`; None for a picture sent over the API) and the 28×28 field
(float32, ink = 1, exactly what the network read) — never as a screenshot. What a network reads in
it is not stored: the board re-reads the fields with whichever network the page has chosen.

SQLite runs in WAL mode (readers never wait for the writer) and every write goes through **one
writer thread** holding the only writing connection: 40 students sending at the same moment queue
their inserts there, one short transaction each, instead of fighting over the database lock. A
write either commits whole or raises; nothing is stored half-way. Readers use one connection per
thread. Classes and their drawings are deleted 24 hours after the class opened (:data:`LIFETIME`),
by :meth:`SQLiteStore.purge`, which the writer runs at start and every :data:`PURGE_EVERY` seconds;
an expired class is treated as closed from the moment it expires, purged or not.

Another database (a school's PostgreSQL behind several replicas) is a class with the same methods:
see ``docs/CLASS.md``.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

LIFETIME = 24 * 3600.0  # s: a class and its drawings are deleted this long after it opened
PURGE_EVERY = 600.0  # s: how often the writer deletes expired classes
# Letters for a class code: said aloud and typed by a class of 12-year-olds. Out: the letters that
# look like digits or each other (I L O Q S U V) and those that rhyme when said (B C D G P T V Z);
# E stays, the only "ee" left. 12 letters, 4 of them: 20,736 codes, ample for one day's classes.
ALPHABET = "AEFHJKMNRWXY"
CODE_LENGTH = 4
FIELD_SHAPE = (28, 28)
STOP = object()  # tells the writer thread to finish


class ClassClosed(LookupError):
    """No open class has this code (never opened, closed by its teacher, or expired)."""


@dataclass(frozen=True)
class ClassInfo:
    code: str
    opened: float  # time.time() when it opened
    teacher: str  # the teacher's key's hash (:func:`key_hash`); the key itself is never stored
    challenge: dict | None  # the challenge the teacher picked (explorer.classroom.board), or None
    version: int  # grows with every change to the class: a board redraws only when it moves


@dataclass(frozen=True)
class Drawing:
    id: int
    meant: int  # the digit the student meant, 0-9
    field: np.ndarray  # float32 (28, 28) in [0, 1], ink = 1: what the network read
    strokes: str | None  # the canvas's strokes as JSON text (lenet.strokes format), None for a picture
    nickname: str  # "" when none was given
    sent: float  # time.time()
    hidden: bool  # hidden by the teacher: off the board, still in the class until it closes


class ClassStore(Protocol):
    """What the class board needs from a database. Codes are upper-case; every method is safe to call
    from many threads at once. Writes are atomic: they happen whole or raise."""

    def open_class(self, teacher: str, now: float | None = None) -> str:
        """A new class with a fresh code; ``teacher`` is the teacher's key's hash. Returns the code."""
        ...

    def get_class(self, code: str, now: float | None = None) -> ClassInfo | None:
        """The class, or None when no open class has this code (closed or expired)."""
        ...

    def add_drawing(self, code: str, meant: int, field: np.ndarray, strokes: str | None, nickname: str,
                    limit: int, now: float | None = None) -> int:  # fmt: skip
        """Store one drawing in an open class and return its id; raises :class:`ClassClosed`, or
        :class:`ClassFull` when the class holds ``limit`` drawings already."""
        ...

    def drawings(self, code: str, hidden: bool = False) -> list[Drawing]:
        """The class's drawings in the order sent (the hidden ones too when ``hidden``)."""
        ...

    def hide(self, code: str, drawing: int) -> bool:
        """Hide a drawing of the class; False when it has no such drawing."""
        ...

    def set_challenge(self, code: str, challenge: dict | None) -> None:
        """Set (or clear, None) the class's challenge."""
        ...

    def close(self, code: str) -> bool:
        """Delete the class and all its drawings; False when there was none."""
        ...

    def purge(self, now: float | None = None) -> int:
        """Delete every class older than :data:`LIFETIME`, with its drawings; returns how many."""
        ...


class StoreUnavailable(RuntimeError):
    """The store cannot be opened (a folder that cannot be written, a file that is not a database)."""


class ClassFull(RuntimeError):
    """The class holds as many drawings as it may."""


def key_hash(key: str) -> str:
    """What the store keeps of a teacher's key (a hex SHA-256)."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def default_path() -> Path:
    """``CLASS_DB`` if set; else ``/data/classes.db`` where ``/data`` exists (a Hugging Face Space's
    persistent volume, which survives restarts); else ``data/classes.db`` beside the app."""
    if os.environ.get("CLASS_DB"):
        return Path(os.environ["CLASS_DB"])
    if Path("/data").is_dir() and os.access("/data", os.W_OK):
        return Path("/data/classes.db")
    return Path(__file__).resolve().parents[2] / "data" / "classes.db"


SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY, opened REAL NOT NULL, teacher TEXT NOT NULL,
    challenge TEXT, version INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS drawings (
    id INTEGER PRIMARY KEY, code TEXT NOT NULL REFERENCES classes(code) ON DELETE CASCADE,
    meant INTEGER NOT NULL CHECK (meant BETWEEN 0 AND 9), field BLOB NOT NULL CHECK (length(field) = 3136),
    strokes TEXT, nickname TEXT NOT NULL DEFAULT '', sent REAL NOT NULL, hidden INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS drawings_code ON drawings(code, id);
"""


class SQLiteStore:
    """:class:`ClassStore` in one SQLite file (``path``; :func:`default_path` when None), WAL mode,
    one writer thread. ``close_store()`` stops the writer; the file stays."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self._local = threading.local()
        self._jobs: queue.Queue = queue.Queue()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            writer = self._connect()
            writer.execute("PRAGMA journal_mode=WAL")
            writer.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(f"the class store {self.path} cannot be opened ({exc}); set CLASS_DB to a "
                                   "file in a folder this app may write") from None  # fmt: skip
        self._writer = threading.Thread(target=self._write_loop, args=(writer,), name="class-store-writer", daemon=True)
        self._writer.start()
        self.purge()

    # --- connections and the writer -------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
        db.execute("PRAGMA busy_timeout=30000")
        return db

    def _reader(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _write_loop(self, db: sqlite3.Connection) -> None:
        last_purge = time.time()
        while True:
            try:
                job = self._jobs.get(timeout=PURGE_EVERY)
            except queue.Empty:
                job = None
            if job is STOP:
                break
            if time.time() - last_purge >= PURGE_EVERY:  # expired classes go, now and then
                last_purge = time.time()
                self._run(db, lambda c: self._purge(c, time.time()), Future())
            if job is not None:
                self._run(db, *job)
        db.close()

    @staticmethod
    def _run(db: sqlite3.Connection, fn: Callable, future: Future) -> None:
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = fn(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            future.set_result(result)
        except BaseException as exc:  # handed to the caller; the writer goes on
            future.set_exception(exc)

    def _write(self, fn: Callable[[sqlite3.Connection], object]):
        """Run ``fn(connection)`` in one transaction on the writer thread; its result or its exception."""
        if not self._writer.is_alive():
            raise RuntimeError("the class store is closed")
        future: Future = Future()
        self._jobs.put((fn, future))
        return future.result(timeout=60)

    def close_store(self) -> None:
        """Stop the writer (after the writes already queued) and close this thread's reader."""
        self._jobs.put(STOP)
        self._writer.join(timeout=10)
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # --- the interface -----------------------------------------------------------------------------

    def open_class(self, teacher: str, now: float | None = None) -> str:
        now = time.time() if now is None else now

        def insert(db: sqlite3.Connection) -> str:
            for _ in range(200):
                code = new_code()
                row = db.execute("SELECT opened FROM classes WHERE code = ?", (code,)).fetchone()
                if row is None:
                    db.execute("INSERT INTO classes(code, opened, teacher) VALUES (?, ?, ?)", (code, now, teacher))
                    return code
                if row[0] < now - LIFETIME:  # an expired class not yet purged: its code is free again
                    db.execute("DELETE FROM classes WHERE code = ?", (code,))
                    db.execute("INSERT INTO classes(code, opened, teacher) VALUES (?, ?, ?)", (code, now, teacher))
                    return code
            raise RuntimeError("no free class code: too many classes open today")

        return self._write(insert)

    def get_class(self, code: str, now: float | None = None) -> ClassInfo | None:
        now = time.time() if now is None else now
        row = self._reader().execute(
            "SELECT code, opened, teacher, challenge, version FROM classes WHERE code = ? AND opened >= ?",
            (code, now - LIFETIME),
        ).fetchone()
        if row is None:
            return None
        return ClassInfo(row[0], row[1], row[2], json.loads(row[3]) if row[3] else None, row[4])

    def add_drawing(self, code: str, meant: int, field: np.ndarray, strokes: str | None, nickname: str,
                    limit: int, now: float | None = None) -> int:  # fmt: skip
        now = time.time() if now is None else now
        blob = np.ascontiguousarray(field, dtype="<f4").reshape(FIELD_SHAPE).tobytes()

        def insert(db: sqlite3.Connection) -> int:
            row = db.execute("SELECT opened FROM classes WHERE code = ?", (code,)).fetchone()
            if row is None or row[0] < now - LIFETIME:
                raise ClassClosed(code)
            (count,) = db.execute("SELECT count(*) FROM drawings WHERE code = ?", (code,)).fetchone()
            if count >= limit:
                raise ClassFull(code)
            cursor = db.execute(
                "INSERT INTO drawings(code, meant, field, strokes, nickname, sent) VALUES (?, ?, ?, ?, ?, ?)",
                (code, int(meant), blob, strokes, nickname, now),
            )
            db.execute("UPDATE classes SET version = version + 1 WHERE code = ?", (code,))
            return int(cursor.lastrowid)

        return self._write(insert)

    def drawings(self, code: str, hidden: bool = False) -> list[Drawing]:
        rows = self._reader().execute(
            "SELECT id, meant, field, strokes, nickname, sent, hidden FROM drawings WHERE code = ?"
            + ("" if hidden else " AND hidden = 0") + " ORDER BY id",
            (code,),
        ).fetchall()
        return [
            Drawing(i, m, np.frombuffer(f, dtype="<f4").reshape(FIELD_SHAPE).astype(np.float32), s, n, t, bool(h))
            for i, m, f, s, n, t, h in rows
        ]

    def hide(self, code: str, drawing: int) -> bool:
        def update(db: sqlite3.Connection) -> bool:
            n = db.execute("UPDATE drawings SET hidden = 1 WHERE code = ? AND id = ?", (code, int(drawing))).rowcount
            db.execute("UPDATE classes SET version = version + 1 WHERE code = ?", (code,))
            return n == 1

        return self._write(update)

    def set_challenge(self, code: str, challenge: dict | None) -> None:
        text = json.dumps(challenge) if challenge else None
        self._write(lambda db: db.execute(
            "UPDATE classes SET challenge = ?, version = version + 1 WHERE code = ?", (text, code)))  # fmt: skip

    def close(self, code: str) -> bool:
        def delete(db: sqlite3.Connection) -> bool:
            db.execute("DELETE FROM drawings WHERE code = ?", (code,))
            return db.execute("DELETE FROM classes WHERE code = ?", (code,)).rowcount == 1

        return self._write(delete)

    def purge(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return self._write(lambda db: self._purge(db, now))

    @staticmethod
    def _purge(db: sqlite3.Connection, now: float) -> int:
        old = [c for (c,) in db.execute("SELECT code FROM classes WHERE opened < ?", (now - LIFETIME,))]
        for code in old:
            db.execute("DELETE FROM drawings WHERE code = ?", (code,))
            db.execute("DELETE FROM classes WHERE code = ?", (code,))
        return len(old)

    def stats(self) -> dict:
        """How many classes and drawings the file holds (for tests and the docs)."""
        db = self._reader()
        return {"classes": db.execute("SELECT count(*) FROM classes").fetchone()[0],
                "drawings": db.execute("SELECT count(*) FROM drawings").fetchone()[0]}  # fmt: skip
