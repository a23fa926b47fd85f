"""Odd and hostile input, through the app's real HTTP API: every case gets a clear answer, and the
server goes on reading the next real drawing.

Both endpoints hand the picture to ``lenet.preprocess`` undecoded (their events have
``preprocess=False``), the canvas (``/predict``) as the Sketchpad's value and the photo
(``/predict_image``) as a file record, so both are checked (preprocessing on its own:
``tests/lenet/test_preprocess_bad_input.py``). Malformed payloads are sent as raw HTTP (upload,
``queue/join``, then the event stream), the way the page itself talks to the server, since
gradio_client would tidy them up first.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from explorer import limits
from lenet.preprocess import NOISE
from tests.browser import ANSWERED, draw, open_page
from tests.canvases import huge_png, sketch, stroke_canvas

gradio_client = pytest.importorskip("gradio_client")


# --- pictures ------------------------------------------------------------------------------------


def rgba(grey: np.ndarray, alpha: np.ndarray | int = 255) -> np.ndarray:
    return np.dstack([grey, grey, grey, np.broadcast_to(np.asarray(alpha, np.uint8), grey.shape)])


def wide_canvas() -> np.ndarray:
    """4000×300, white, a vertical bar in the middle: a "1" on a very long strip."""
    grey = np.full((300, 4000), 255, np.uint8)
    grey[40:260, 1990:2015] = 0
    return rgba(grey)


PICTURES = {
    "blank": rgba(np.full((280, 280), 255, np.uint8)),
    "transparent": np.zeros((280, 280, 4), np.uint8),
    "all-ink": rgba(np.zeros((280, 280), np.uint8)),
    "1x1": rgba(np.zeros((1, 1), np.uint8)),
    "noise": np.random.default_rng(0).integers(0, 256, (280, 280, 4), dtype=np.uint8),
}
EMPTY = ("blank", "transparent", "all-ink", "1x1")


def save(image: np.ndarray, path: Path) -> str:
    Image.fromarray(image).save(path)
    return str(path)


def peak_rss_mb() -> float:
    """This process's peak resident size so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- the HTTP API --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seven(tmp_path_factory) -> str:
    return save(stroke_canvas(), tmp_path_factory.mktemp("seven") / "seven.png")


def still_serving(client, seven) -> None:
    """A real drawing right after: it is read (the label names a digit)."""
    label, message, view = client.predict(sketch(seven), api_name="/predict")
    assert label["label"] in [str(d) for d in range(10)], message
    assert "<b>C1</b>" in view


FILE = {"_type": "gradio.FileData"}  # how a file record announces itself


class Raw:
    """The browser's protocol, by hand: so that any payload at all can be sent."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.api = self.url + "/gradio_api"
        config = httpx.get(self.url + "/config").json()
        self.fn = {d["api_name"]: d["id"] for d in config["dependencies"] if d.get("api_name")}

    def upload(self, path: str | Path) -> dict:
        with open(path, "rb") as f:
            r = httpx.post(self.api + "/upload", files={"files": (Path(path).name, f)}, timeout=60)
        r.raise_for_status()
        return {"path": r.json()[0], "orig_name": Path(path).name, "meta": FILE}

    def call(self, api_name: str, data: list) -> tuple[int, dict]:
        """(HTTP status of the join, the final message: {"success", "output": {"data"|"error"}})."""
        session = uuid.uuid4().hex
        body = {"data": data, "fn_index": self.fn[api_name], "session_hash": session, "event_data": None}
        # json.dumps, not httpx's json=: it writes NaN and Infinity, as a hostile script could
        joined = httpx.post(self.api + "/queue/join", content=json.dumps(body), timeout=30,
                            headers={"content-type": "application/json"})  # fmt: skip
        if joined.status_code != 200:
            return joined.status_code, joined.json()
        with httpx.stream("GET", self.api + "/queue/data", params={"session_hash": session}, timeout=60) as r:
            for line in r.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return joined.status_code, message
        raise AssertionError("the event stream ended without a result")


@pytest.fixture(scope="module")
def raw(server):
    return Raw(server)


# --- the canvas: /predict ------------------------------------------------------------------------


@pytest.mark.parametrize("name", EMPTY)
def test_canvas_with_nothing_to_read_invites_to_draw(client, seven, tmp_path, name):
    label, message, view = client.predict(sketch(save(PICTURES[name], tmp_path / "x.png")), api_name="/predict")
    assert not label.get("label") and "Draw a digit" in message and "<b>C1</b>" in view
    still_serving(client, seven)


def test_canvas_of_noise_is_refused_with_the_reason(client, seven, tmp_path):
    label, message, _ = client.predict(sketch(save(PICTURES["noise"], tmp_path / "noise.png")), api_name="/predict")
    assert not label.get("label") and "noise" in message
    still_serving(client, seven)


def test_very_wide_canvas_is_read(client, tmp_path):
    label, _, _ = client.predict(sketch(save(wide_canvas(), tmp_path / "wide.png")), api_name="/predict")
    assert label["label"] in [str(d) for d in range(10)]


def test_big_canvas_is_read_in_a_thread(app_module, client, tmp_path, monkeypatch):
    """A canvas-sized drawing is read on the event loop; a bigger one (here 1,500², over
    IN_LOOP_PIXELS) in a worker thread, so that its decoding cannot stall the other pages."""
    threads = []
    predict = app_module.READER.predict
    monkeypatch.setattr(app_module.READER, "predict",
                        lambda *a: threads.append(threading.current_thread()) or predict(*a))  # fmt: skip
    big = np.asarray(Image.fromarray(stroke_canvas()).resize((1500, 1500)))
    for picture in (stroke_canvas(), big):
        label, _, _ = client.predict(sketch(save(picture, tmp_path / "x.png")), api_name="/predict")
        assert label["label"] in [str(d) for d in range(10)]
    loop_thread, worker = threads
    assert worker is not loop_thread and loop_thread.name != worker.name


def test_huge_canvas_is_refused_before_decoding(client, seven, tmp_path):
    path = huge_png(tmp_path / "huge.png")
    start, peak = time.perf_counter(), peak_rss_mb()
    label, message, _ = client.predict(sketch(path), api_name="/predict")
    assert not label.get("label") and "too big" in message and "100 megapixels" in message
    assert time.perf_counter() - start < 10
    assert peak_rss_mb() - peak < 60  # a 10,000² decode would take 100-400 MB
    still_serving(client, seven)


# --- a photo or scan: /predict_image -------------------------------------------------------------


@pytest.mark.parametrize("name", EMPTY)
def test_photo_with_nothing_in_it_says_so(client, tmp_path, name):
    label, message, _ = client.predict(
        gradio_client.handle_file(save(PICTURES[name], tmp_path / "x.png")), api_name="/predict_image"
    )
    assert not label.get("label") and "No digit in this picture" in message


def test_photo_of_noise_is_refused(client, tmp_path):
    path = save(PICTURES["noise"], tmp_path / "noise.png")
    label, message, _ = client.predict(gradio_client.handle_file(path), api_name="/predict_image")
    assert not label.get("label") and "noise" in message


def test_very_wide_photo_is_read(client, tmp_path):
    path = save(wide_canvas(), tmp_path / "wide.png")
    label, _, _ = client.predict(gradio_client.handle_file(path), api_name="/predict_image")
    assert label["label"] in [str(d) for d in range(10)]


@pytest.mark.parametrize(
    "content",
    [b"this is not an image\n" * 50, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, b""],
    ids=["text", "broken", "empty"],
)
def test_file_that_is_not_a_picture(client, seven, tmp_path, content):
    path = tmp_path / "digit.png"
    path.write_bytes(content)
    label, message, _ = client.predict(gradio_client.handle_file(str(path)), api_name="/predict_image")
    assert not label.get("label") and "not a picture" in message
    still_serving(client, seven)


def test_huge_photo_is_refused_fast_and_small(client, seven, tmp_path):
    path = huge_png(tmp_path / "huge.png")
    start, peak = time.perf_counter(), peak_rss_mb()
    label, message, _ = client.predict(gradio_client.handle_file(str(path)), api_name="/predict_image")
    assert not label.get("label") and "too big" in message and "100 megapixels" in message
    assert time.perf_counter() - start < 10
    assert peak_rss_mb() - peak < 60
    still_serving(client, seven)


def test_big_jpeg_photo_is_read_at_reduced_scale(client, tmp_path):
    """6000×4000 (24 MP, a phone photo): over MAX_PIXELS, but decoded at 1/8 scale it is small."""
    grey = Image.new("L", (6000, 4000), 255)
    grey.paste(0, (2900, 600, 3100, 3400))  # a "1"
    grey.save(tmp_path / "photo.jpg", quality=85)
    del grey
    label, _, _ = client.predict(gradio_client.handle_file(str(tmp_path / "photo.jpg")), api_name="/predict_image")
    assert label["label"] in [str(d) for d in range(10)]


# --- malformed payloads --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [{}, {"composite": None}, {"background": None, "layers": [], "composite": None, "id": None}, None],
    ids=["no-keys", "composite-only", "cleared", "null"],
)
def test_payload_without_a_picture_invites_to_draw(raw, value):
    status, message = raw.call("predict", [value, "lenet5"])
    assert status == 200 and message["success"], message
    assert "Draw a digit" in message["output"]["data"][1]


@pytest.mark.parametrize(
    "data, says",
    [
        ([{"composite": 123}, "lenet5"], "composite"),  # wrong type for the picture
        (["a string, not a drawing", "lenet5"], "EditorData"),
        ([{"composite": {"path": "/etc/hostname"}}, "lenet5"], "meta"),  # a bare path: not taken for a file
        ([{"composite": {"path": "/etc/hostname", "meta": FILE}}, "lenet5"], "not uploaded"),  # never uploaded
        ([], "enough input values"),
    ],
    ids=["composite-int", "string", "bare-path", "foreign-path", "no-data"],
)
def test_malformed_payload_gets_an_error_that_says_what_is_wrong(raw, client, seven, data, says):
    status, message = raw.call("predict", data)
    assert status == 200 and message["success"] is False
    assert says in (message["output"].get("error") or ""), message
    still_serving(client, seven)


@pytest.mark.parametrize("model", ["lenet7", 42, ["lenet5"], None])
@pytest.mark.parametrize("endpoint", ["predict", "predict_image"])
def test_unknown_network_is_named_in_the_answer(raw, endpoint, model):
    status, message = raw.call(endpoint, [None, model])
    assert status == 200 and message["success"], message
    label, said = message["output"]["data"][:2]
    assert not label.get("label") and "There is no network called" in said and "lenet1" in said


def test_malformed_upload_record(raw, client, seven, tmp_path):
    """/predict_image hands the file record to our code undecoded: a record without a file is read
    as nothing, one naming a file that was never uploaded is stopped by Gradio before our code."""
    for record in ({"path": None, "meta": FILE}, {"url": None, "meta": FILE}):
        status, message = raw.call("predict_image", [record, "lenet5"])
        text = message["output"]["data"][1] if message.get("success") else message["output"]["error"]
        assert status == 200 and ("No digit in this picture" in text or "path" in text), message
    status, message = raw.call("predict_image", [{"path": "/etc/hostname", "meta": FILE}, "lenet5"])
    assert message["success"] is False and "not uploaded" in message["output"]["error"]
    uploaded = raw.upload(save(PICTURES["noise"], tmp_path / "noise.png"))
    status, message = raw.call("predict_image", [uploaded, "lenet1"])
    assert message["success"] and NOISE[:20] in message["output"]["data"][1]
    still_serving(client, seven)


# --- a full queue --------------------------------------------------------------------------------


# --- the canvas: /strokes ------------------------------------------------------------------------

STROKE = [[140, 40], [140, 240]]


def strokes_value(strokes, brush=24, width=280, height=280) -> dict:
    return {"strokes": strokes, "brush": brush, "width": width, "height": height}


@pytest.mark.parametrize(
    "value, says",
    [
        (strokes_value([[[float("nan"), 40]]]), "finite"),
        (strokes_value([STROKE], brush=-24), "brush size must be above 0"),
        (strokes_value([STROKE], width=-280), "whole number of pixels"),
        (strokes_value([[[140, 140]] * 200_000]), "limit is 10,000"),  # 1.6 MB of JSON
        (strokes_value([[[140, 140]]] * 100_000), "strokes; the limit is"),
        (strokes_value("a stroke"), "list of strokes"),
        (strokes_value([["x", "y"]]), "not a pair"),
        ({"strokes": [STROKE]}, "lacks its brush"),
        ([1, 2, 3], "JSON object"),
        ("{not json", "not valid JSON"),
    ],
    ids=["nan", "negative-brush", "negative-width", "200k-points", "100k-strokes", "strokes-str", "point-strs",
         "no-brush", "list", "bad-json"],
)  # fmt: skip
def test_malformed_strokes_get_a_clear_message(raw, client, seven, value, says):
    states = [None, None, "", None, None, None]  # the states: why, design choices, unit, bend (app.py, following)
    status, message = raw.call("strokes", [value, "lenet5", *states])
    assert status == 200 and message["success"], message
    label, said = message["output"]["data"][:2]
    assert not label.get("label") and says in said, said
    still_serving(client, seven)


def test_strokes_from_a_script(client):
    """The canvas's endpoint with gradio_client: a "1", then nothing drawn."""
    label, message, view, *_ = client.predict(strokes_value([STROKE]), "lenet5", api_name="/strokes")  # then the tabs
    assert label["label"] in [str(d) for d in range(10)] and 'data-points="2"' in message and "<b>C1</b>" in view
    label, message, *_ = client.predict(strokes_value([]), api_name="/strokes")
    assert not label.get("label") and "Draw a digit" in message


# --- phone photos --------------------------------------------------------------------------------


def test_8000x6000_phone_jpeg_is_read_not_refused(client, tmp_path):
    """48 MP: over twice Pillow's limit as the app sets it (so open() refuses it), but at 1/8
    scale it is 1000×750: read."""
    grey = Image.new("L", (8000, 6000), 255)
    grey.paste(0, (3850, 750, 4150, 5250))  # a "1"
    grey.save(tmp_path / "photo.jpg", quality=80)
    del grey
    photo = gradio_client.handle_file(str(tmp_path / "photo.jpg"))
    label, message, _ = client.predict(photo, api_name="/predict_image")
    assert label["label"] in [str(d) for d in range(10)], message


def test_photo_stored_sideways_is_read_upright(client, tmp_path):
    """A "7" saved turned 90° with EXIF orientation 6 (as a phone held upright stores it) reads as the
    same digit as the upright picture."""
    upright = Image.fromarray(stroke_canvas()[:, :, :3])
    upright.save(tmp_path / "upright.jpg", quality=90)
    exif = Image.Exif()
    exif[274] = 6  # turn clockwise to show
    upright.transpose(Image.Transpose.ROTATE_90).save(tmp_path / "sideways.jpg", quality=90, exif=exif)
    read = [client.predict(gradio_client.handle_file(str(tmp_path / n)), api_name="/predict_image")[0]["confidences"]
            for n in ("upright.jpg", "sideways.jpg")]  # fmt: skip
    assert [c["label"] for c in read[0]] == [c["label"] for c in read[1]]
    assert abs(read[0][0]["confidence"] - read[1][0]["confidence"]) < 0.05


def test_full_queue_answers_at_once_with_busy(app_module, raw, client, seven):
    """Past QUEUE_SIZE waiting events Gradio refuses at once (HTTP 503), and the page shows
    "This application is currently busy. Please try again."; here the queue is made full by hand."""
    queue = app_module.demo._queue
    assert queue.max_size == limits.QUEUE_SIZE
    queue.max_size = 0
    try:
        start = time.perf_counter()
        status, body = raw.call("predict", [None, "lenet5"])
        assert status == 503 and "Queue is full" in body["detail"]
        with pytest.raises(gradio_client.utils.QueueError, match="Queue is full"):
            client.predict(sketch(seven), api_name="/predict")
        assert time.perf_counter() - start < 5
    finally:
        queue.max_size = limits.QUEUE_SIZE
    still_serving(client, seven)


def test_sketchpad_strokes_are_kept_in_bounded_memory(app_module):
    """Gradio keeps each stroke's pictures until an event reads them; the app bounds that store."""
    store = app_module.sketchpad.blob_storage
    assert isinstance(store, limits.Recent) and store.size == limits.SKETCH_BLOBS
    recent = limits.Recent(3)
    for k in range(10):
        recent[k] = k
    recent[7] = "again"  # storing again makes an entry recent
    assert list(recent) == [8, 9, 7] and recent.pop(9) == 9 and 8 in recent


def test_full_queue_in_the_browser_says_busy_then_recovers(app_module, browser, server):
    """What a pupil sees when the queue is full: Gradio's own message at once, then answers again."""
    queue = app_module.demo._queue
    page = open_page(browser, server, viewport=(1280, 800))
    queue.max_size = 0
    try:
        draw(page, [[(0, -90), (0, 90)]])
        page.get_by_text("This application is currently busy. Please try again.").first.wait_for(timeout=10_000)
    finally:
        queue.max_size = limits.QUEUE_SIZE
    draw(page, [[(20, -90), (20, 90)]])  # the next stroke is read
    page.wait_for_function(ANSWERED)
    page.close()
