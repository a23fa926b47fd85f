"""The class board through the app's real HTTP API, served in-process: 40 students, each with their
own gradio_client, send 5 drawings each at the same moment; the board counts all 200, its confusion
rows are what was sent per digit and its cells what the network reads in those pictures; a new store
on the same CLASS_DB file, and the app restarted in its own process, show the same board; bad input
is answered and the app keeps serving."""

from __future__ import annotations

import html
import re
import threading
import time

import numpy as np
import pytest
from PIL import Image

from bench.common import Server
from explorer.classroom.classroom import SEND_BURST, SEND_EVERY, Classroom
from explorer.classroom.store import SQLiteStore, default_path
from lenet.data import have_mnist, load_split
from lenet.preprocess import preprocess
from tests.canvases import mnist_canvas, sketch

gradio_client = pytest.importorskip("gradio_client")
STUDENTS, EACH = 40, 5


def test_class_api_names(client):
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert api["/class_open"]["parameters"] == []
    assert api["/class_open"]["returns"][0]["component"] == "Textbox"  # the code first
    assert [p["parameter_name"] for p in api["/class_send"]["parameters"]] == ["code", "drawing", "meant"]
    assert api["/class_send"]["parameters"][1]["component"] in ("Sketchpad", "Imageeditor")  # as /predict takes it
    assert api["/class_send"]["returns"][0]["component"] == "Html"
    assert api["/class_board"]["returns"][0]["component"] == "Json"


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    """200 MNIST test digits as canvases a student might send (PNG files), with their labels."""
    if not have_mnist("data"):
        pytest.skip("needs MNIST in data/ (python -m lenet.data)")
    images, labels = load_split("test", "data")
    folder = tmp_path_factory.mktemp("class-pictures")
    out = []
    for i in range(STUDENTS * EACH):
        path = folder / f"{i}.png"
        Image.fromarray(mnist_canvas(images[i, 0].numpy())).save(path)
        out.append((str(path), int(labels[i])))
    return out


def test_forty_students_send_at_once_and_the_board_counts_them_all(server, client, app_module, pictures):
    code = client.predict(api_name="/class_open")[0]
    students = [gradio_client.Client(server, verbose=False, download_files=False, analytics_enabled=False)
                for _ in range(STUDENTS)]  # fmt: skip
    barrier, answers, errors = threading.Barrier(STUDENTS), [None] * STUDENTS, []

    def student(k: int) -> None:
        try:
            barrier.wait(timeout=120)
            mine = pictures[k * EACH : (k + 1) * EACH]
            answers[k] = [students[k].predict(code, sketch(p), meant, api_name="/class_send") for p, meant in mine]
        except Exception as exc:  # noqa: BLE001 (reported below with the student's number)
            errors.append((k, repr(exc)))

    threads = [threading.Thread(target=student, args=(k,)) for k in range(STUDENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert errors == []
    sent = [a for said in answers for a in said]
    refused = [a for a in sent if "Sent to class" not in a]
    assert len(sent) == STUDENTS * EACH and refused == []

    board = client.predict(code, "lenet5", api_name="/class_board")[0]
    assert board["drawings"] == STUDENTS * EACH
    confusion = np.array(board["confusion"])
    meant = np.bincount([m for _, m in pictures], minlength=10)
    assert confusion.shape == (10, 10) and confusion.sum(axis=1).tolist() == meant.tolist()
    # and each cell is what LeNet-5 reads in those very pictures, read one at a time as /predict reads them
    network = app_module.NETWORKS["lenet5"]
    expected = np.zeros((10, 10), int)
    for path, m in pictures:
        expected[m, network.read(preprocess(path)).digit] += 1
    assert confusion.tolist() == expected.tolist()

    # the store read again from its file, by a new store object (as after a restart of the app): the same board
    fresh = SQLiteStore(default_path())
    kept = app_module.CLASS.classroom
    try:
        app_module.CLASS.classroom = Classroom(fresh, app_module.NETWORKS)
        for name in app_module.NETWORKS:
            again = client.predict(code, name, api_name="/class_board")[0]
            _, before = kept.summary(code, name)
            assert again == before.as_json(code), name
    finally:
        app_module.CLASS.classroom = kept
        fresh.close_store()

    # and a real restart: `python app.py` in its own process on the same CLASS_DB shows the same board
    with Server("app.py", env={"CLASS_DB": str(default_path())}) as restarted:
        other = gradio_client.Client(restarted.url, verbose=False, download_files=False, analytics_enabled=False)
        for name in ("lenet5", "lenet1"):
            assert other.predict(code, name, api_name="/class_board")[0] == kept.summary(code, name)[1].as_json(code)


def test_bad_input_is_answered_and_nothing_is_stored(server, client, tmp_path, pictures):
    code = client.predict(api_name="/class_open")[0]
    path, meant = pictures[0]
    huge = tmp_path / "huge.png"
    Image.new("RGB", (5000, 4000), "white").save(huge)  # 20 MP: over the decoder's 16 MP
    blank = tmp_path / "blank.png"
    Image.new("RGB", (280, 280), "white").save(blank)
    other = "KMRW" if code != "KMRW" else "KMRX"
    for args, reason in [
        (("", sketch(path), meant), "Type your class's code"),
        (("HELLO", sketch(path), meant), "not a class code"),
        ((other, sketch(path), meant), "no open class"),
        ((code, sketch(path), 12), "0 to 9"),
        ((code, sketch(path), None), "0 to 9"),
        ((code, sketch(str(blank)), 3), "Draw a digit first"),
        ((code, sketch(str(huge)), 3), "too big|too large|pixels"),
    ]:
        said = client.predict(*args, api_name="/class_send")
        assert "cb-refused" in said, (args[0], args[2], said)
        assert re.search(reason, html.unescape(said)), (reason, said)
    assert client.predict(code, api_name="/class_board")[0]["drawings"] == 0

    began = time.monotonic()  # a flood from one page: 5 at once, then one per SEND_EVERY seconds
    jobs = [client.submit(code, sketch(path), meant, api_name="/class_send") for _ in range(10)]  # all at once
    flood = [job.result(timeout=120) for job in jobs]
    allowed = SEND_BURST + int((time.monotonic() - began) / SEND_EVERY)
    sent = sum("Sent to class" in s for s in flood)
    assert SEND_BURST <= sent <= allowed and sum("Slow down" in s for s in flood) == 10 - sent
    assert sent < 10, f"10 sends from one page in {time.monotonic() - began:.1f} s, none slowed down"
    assert client.predict(code, api_name="/class_board")[0]["drawings"] == sent  # and the app still serves
    gone = client.predict("QQQQ", api_name="/class_board")[0]
    assert gone["drawings"] == 0 and "not a class code" in gone["error"]
