"""The class board without a server: the SQLite store (WAL, one writer, atomic writes, 24 h), the
checks on what a student sends, the rate limit, the teacher's controls and the board's logic
(confusion, fooled, unsure, challenges, CSV, the gallery PNG)."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading

import numpy as np
import pytest
from PIL import Image

from explorer.classroom import board, view
from explorer.classroom.board import Read, summarize
from explorer.classroom.classroom import MAX_STROKES_JSON, Classroom, RateLimit, Refused, clean_code, clean_meant
from explorer.classroom.store import ALPHABET, LIFETIME, ClassClosed, ClassFull, Drawing, SQLiteStore, key_hash
from tests.weights import untrained


def field(seed: int = 0) -> np.ndarray:
    d = np.zeros((28, 28), np.float32)
    d[4:24, 10:18] = np.random.default_rng(seed).random((20, 8), dtype=np.float32)
    return d


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "classes.db")
    yield s
    s.close_store()


@pytest.fixture(scope="module")
def networks():
    return {"lenet5": untrained("lenet5"), "lenet1": untrained("lenet1")}


# --- the store ------------------------------------------------------------------------------------


def test_codes_are_four_unambiguous_letters(store):
    codes = {store.open_class("t") for _ in range(30)}
    assert len(codes) == 30
    assert all(len(c) == 4 and set(c) <= set(ALPHABET) for c in codes)
    assert not set(ALPHABET) & set("IL0OQSUV1BCDGPTZ")


def test_the_store_is_sqlite_in_wal_mode_and_keeps_the_field_exactly(store, tmp_path):
    code = store.open_class(key_hash("k"))
    f = field(3)
    i = store.add_drawing(code, 7, f, '{"strokes": []}', "Ann", limit=10)
    (got,) = store.drawings(code)
    assert got.id == i and got.meant == 7 and got.nickname == "Ann" and got.strokes == '{"strokes": []}'
    assert got.field.dtype == np.float32 and np.array_equal(got.field, f)
    assert sqlite3.connect(tmp_path / "classes.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_new_store_on_the_same_file_sees_the_same_class(store, tmp_path):
    code = store.open_class("t")
    for k in range(5):
        store.add_drawing(code, k, field(k), None, "", limit=10)
    again = SQLiteStore(tmp_path / "classes.db")
    try:
        assert [(d.id, d.meant) for d in again.drawings(code)] == [(d.id, d.meant) for d in store.drawings(code)]
        assert again.get_class(code).version == store.get_class(code).version == 5
    finally:
        again.close_store()


def test_forty_threads_writing_at_once_lose_nothing(store):
    code = store.open_class("t")
    barrier = threading.Barrier(40)
    errors = []

    def student(k: int) -> None:
        barrier.wait()
        try:
            for j in range(5):
                store.add_drawing(code, (k + j) % 10, field(k), None, f"s{k}", limit=1000)
        except Exception as exc:  # noqa: BLE001 (collected and reported below)
            errors.append(exc)

    threads = [threading.Thread(target=student, args=(k,)) for k in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    drawings = store.drawings(code)
    assert len(drawings) == 200 and store.get_class(code).version == 200
    assert np.bincount([d.meant for d in drawings], minlength=10).tolist() == [20] * 10


def test_a_failed_write_stores_nothing(store):
    code = store.open_class("t")
    with pytest.raises(sqlite3.IntegrityError):
        store.add_drawing(code, 12, field(), None, "", limit=10)  # the table's CHECK refuses it
    with pytest.raises(ClassClosed):
        store.add_drawing("NOPE", 1, field(), None, "", limit=10)
    store.add_drawing(code, 1, field(), None, "", limit=1)
    with pytest.raises(ClassFull):
        store.add_drawing(code, 1, field(), None, "", limit=1)
    assert len(store.drawings(code)) == 1 and store.get_class(code).version == 1


def test_classes_expire_after_24_hours_and_close_deletes(store):
    old = store.open_class("t", now=1000.0)
    store.add_drawing(old, 3, field(), None, "", limit=10, now=1001.0)
    assert store.get_class(old, now=1000.0 + LIFETIME - 1) is not None
    assert store.get_class(old, now=1000.0 + LIFETIME + 1) is None  # closed the moment it expires
    with pytest.raises(ClassClosed):
        store.add_drawing(old, 3, field(), None, "", limit=10, now=1000.0 + LIFETIME + 1)
    young = store.open_class("t")
    store.add_drawing(young, 4, field(), None, "", limit=10)
    assert store.purge() == 1  # the old one, with its drawing
    assert store.stats() == {"classes": 1, "drawings": 1}
    assert store.close(young) and store.stats() == {"classes": 0, "drawings": 0}


# --- what a student sends ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["kmrw", " K-M R W ", "KMRW"])
def test_codes_as_typed(typed):
    assert clean_code(typed) == "KMRW"


@pytest.mark.parametrize("bad", ["", "KMR", "KMRWX", "KM1W", "KMOW", None, 1234])
def test_not_a_code(bad):
    with pytest.raises(Refused, match="code"):
        clean_code(bad)


@pytest.mark.parametrize("value, digit", [(7, 7), (7.0, 7), ("7", 7), (0, 0)])
def test_meant(value, digit):
    assert clean_meant(value) == digit


@pytest.mark.parametrize("bad", [10, -1, 7.5, "seven", None, True, float("nan")])
def test_meant_not_a_digit(bad):
    with pytest.raises(Refused, match="0 to 9"):
        clean_meant(bad)


def test_every_bad_send_is_refused_with_a_reason_and_stores_nothing(store, networks):
    room = Classroom(store, networks)
    code, key = room.open()
    cases = [
        (("ZZZZ", field(), None, 3), "not a class code"),
        (("KMRW" if code != "KMRW" else "KMRX", field(), None, 3), "no open class"),
        ((code, field(), None, 11), "0 to 9"),
        ((code, None, None, 3), "Draw a digit first"),
        ((code, np.zeros((28, 28)), None, 3), "Draw a digit first"),
        ((code, np.ones((5, 5)), None, 3), "cannot be sent"),
        ((code, field(), "x" * (MAX_STROKES_JSON + 1), 3), "too big"),
    ]
    for args, reason in cases:
        with pytest.raises(Refused, match=reason):
            room.send(*args, sender="one page")
    assert store.drawings(code) == []
    assert "Sent to class" in room.send(code, field(), None, 3, sender="one page")  # refusals cost no send


def test_a_flood_from_one_page_is_slowed_down_and_others_are_not(store, networks):
    limit = RateLimit(burst=5, every=2.0)
    room = Classroom(store, networks, limit)
    code, _ = room.open()
    for _ in range(5):
        room.send(code, field(), None, 1, sender="flood")
    with pytest.raises(Refused, match="Slow down"):
        room.send(code, field(), None, 1, sender="flood")
    room.send(code, field(), None, 1, sender="another page")
    assert len(store.drawings(code)) == 6
    assert limit.take("later", now=0.0) == 0 and all(limit.take("later", now=0.0) == 0 for _ in range(4))
    assert limit.take("later", now=0.0) == pytest.approx(2.0)
    assert limit.take("later", now=2.0) == 0  # one more every 2 s


def test_only_the_teacher_hides_sets_challenges_and_closes(store, networks):
    room = Classroom(store, networks)
    code, key = room.open()
    for k in range(3):
        room.send(code, field(k), None, k, sender=str(k))
    first = store.drawings(code)[0].id
    for act in (lambda k: room.hide(code, k, first), lambda k: room.close(code, k),
                lambda k: room.challenge(code, k, {"kind": "strange", "meant": 4})):  # fmt: skip
        with pytest.raises(Refused, match="Only the teacher"):
            act("not the key")
        with pytest.raises(Refused, match="Only the teacher"):
            act(None)
    before = room.summary(code, "lenet5")[1].count
    room.hide(code, key, first)
    assert before == 3 and room.summary(code, "lenet5")[1].count == 2  # the version moved: the board redraws
    with pytest.raises(Refused, match="no drawing"):
        room.hide(code, key, 10_000)
    with pytest.raises(Refused, match="another digit"):
        room.challenge(code, key, {"kind": "fool", "meant": 7, "read": 7})
    assert "Draw a 7 that LeNet-5 reads as a 1" in room.challenge(code, key, {"kind": "fool", "meant": 7, "read": 1})
    room.close(code, key)
    with pytest.raises(Refused, match="no open class"):
        room.send(code, field(), None, 1, sender="late")
    assert store.stats()["drawings"] == 0


def test_the_board_is_read_by_the_network_asked_for(store, networks):
    room = Classroom(store, networks)
    code, _ = room.open()
    for k in range(10):
        room.send(code, field(k), None, k, sender=str(k))
    for name, network in networks.items():
        _, s = room.summary(code, name)
        expected = [r.digit for r in board.read_fields(network, np.stack([d.field for d in store.drawings(code)]))]
        assert [e.read.digit for e in s.entries] == expected
        assert s.as_json(code)["network"] == name and s.confusion.sum() == 10
        assert s.confusion.sum(axis=1).tolist() == [1] * 10
    with pytest.raises(Refused, match="no network"):
        room.summary(code, "resnet")


# --- the board's logic, with readings chosen -------------------------------------------------------


def drawing(i: int, meant: int) -> Drawing:
    return Drawing(i, meant, field(i), None, f"n{i}", 1_700_000_000.0 + i, False)


def test_confusion_fooled_unsure_and_challenges(networks):
    drawings = [drawing(i, m) for i, m in enumerate([7, 7, 7, 4, 4, 4, 1])]
    reads = [Read(1, 0.90, False, 5.0), Read(1, 0.99, False, 4.0), Read(7, 0.6, True, 30.0),
             Read(4, 0.97, False, 10.0), Read(4, 0.80, False, 70.0), Read(9, 0.55, True, 20.0),
             Read(1, 0.99, False, 1.0)]  # fmt: skip
    s = summarize(networks["lenet5"], drawings, reads, {"kind": "fool", "meant": 7, "read": 1})
    assert s.count == 7 and s.confusion[7, 1] == 2 and s.confusion[7, 7] == 1 and s.confusion[4, 9] == 1
    assert [e.drawing.id for e in s.fooled] == [1, 0, 5]  # the surest mistakes first
    assert [e.drawing.id for e in s.unsure] == [5, 2]  # the least sure first
    assert [e.drawing.id for e in s.ranked] == [1, 0]
    assert s.errors()[7] == (2, 3) and s.errors()[4] == (1, 3) and s.errors()[0] == (0, 0)
    assert [e.drawing.id for e in s.cell(7, 1)] == [1, 0]
    strange = summarize(networks["lenet5"], drawings, reads, {"kind": "strange", "meant": 4})
    assert [e.drawing.id for e in strange.ranked] == [4, 3]  # the farthest from its prototype first
    j = s.as_json("KMRW")
    assert j["drawings"] == 7 and np.array(j["confusion"]).shape == (10, 10) and j["ranking"][0]["id"] == 1

    rows = list(csv.DictReader(io.StringIO(board.csv_text(s))))
    assert len(rows) == 7 and rows[0]["meant"] == "7" and rows[0]["read"] == "1" and rows[0]["confidence"] == "0.9000"

    page = view.board_html("KMRW", s, cell=(7, 1), teacher=True, link="http://x/?class=KMRW")
    assert 'data-count="7"' in page and 'data-cell="7,1"' in page and 'data-hide="1"' in page
    assert "Draw a 7 that LeNet-5 reads as a 1" in page and "The 7s LeNet-5 read as 1" in page
    assert 'data-hide' not in view.board_html("KMRW", s, teacher=False)
    named = Drawing(9, 3, field(), None, "<b>x</b>", 0.0, False)  # a nickname is text, never markup
    page = view.board_html("KMRW", summarize(networks["lenet5"], [named], [Read(5, 0.9, True, 1.0)], None))
    assert "&lt;b&gt;x" in page and "<b>x</b>" not in page

    png = Image.open(io.BytesIO(view.png_of(view.gallery_png("KMRW", s))))
    assert png.format == "PNG" and png.width > 500 and png.height > 200
