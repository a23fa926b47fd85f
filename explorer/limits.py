"""How much one small server takes on: how many readings run at once, how many may wait, and how
big an upload may be. ``app.py`` applies these, ``bench/`` measures them, the tests check them.

Sized for a class of about 30 on a free Hugging Face Space (2 CPU cores). Plain constants: no torch
and no Gradio, so the benchmark's "floor" app can share the queue settings without loading either.
"""

from __future__ import annotations

from collections import OrderedDict

# Readings run at once (per event). One full update costs a few milliseconds of CPU, most of it
# in numpy, torch and zlib, which release the GIL; two at once keep both cores busy while the
# event loop (HTTP, JSON, SSE) takes its share. More only adds threads fighting over two cores.
CONCURRENCY = 2

# A drawing of at most this many pixels (the canvas has 78,400) is read on Gradio's event loop
# rather than in a worker thread (app.py, read_drawing): ~5 ms during which the server does nothing
# else, but no thread fights the event loop for the GIL. Measured with 32 pages drawing at once:
# 45 answers/s instead of 35.5 (same run). Bigger pictures (≤ 16 MP, ~100 ms to decode) go to a
# thread, so that one of them cannot stall every page.
IN_LOOP_PIXELS = 1_000_000

# Events allowed to wait. A tab holds at most one waiting reading (the events use
# trigger_mode="always_last") and one teaching-tab update. With 128, a lecture hall of 200 pages drawing
# at once (python -m bench.lecture_hall --users 200) had 6–9% of its readings refused with HTTP 503;
# 256 holds one reading for each of 200 pages and some teaching updates (≈ 6 s of work at the ~45
# answers/s of bench/load.py; the page's own answer does not wait for it: static/live.js). Past that,
# a newcomer is told at once that the app is busy, not kept waiting.
QUEUE_SIZE = 256

# demo.queue(**QUEUE). With status_update_rate="auto" (Gradio's default) every finished event sends
# every waiting page its new place in the queue: work per event that grows with the crowd. The page
# hides those places (show_progress="hidden"), so they are sent every 10 s instead.
QUEUE = {"max_size": QUEUE_SIZE, "status_update_rate": 10}

# The largest picture decoded at full size is lenet.preprocess.MAX_PIXELS, the decoder's own bound
# (16 MP); app.py sets Pillow's decompression-bomb limit to it.

# The largest file accepted by an upload (Gradio checks it in the browser and on the server).
MAX_UPLOAD = "20mb"

# Uploaded files and Sketchpad images cached by Gradio are deleted every hour once an hour old
# (Blocks(delete_cache=...)): a day of classes does not fill the disk.
DELETE_CACHE = (3600, 3600)

# Gradio recomputes a summary of its last 10,000 events with pandas after every event, for a
# monitoring page this app does not show (launch(run_history=False)): up to ~9 ms of CPU per event,
# GIL held, growing with the number of events served. Once per 1,000 events is plenty. Environment
# variables read when demo.queue() is called; app.py sets them unless already set.
GRADIO_ENV = {"GRADIO_ANALYTICS_CACHE_FREQUENCY": "1000"}

# Gradio 6.31's Sketchpad receives each stroke's pictures (background, layer, composite: ~10 KB) in a
# dict keyed by a random id, and frees an entry only when an event reads it. A stroke whose event is
# superseded (trigger_mode="always_last"), refused by a full queue, or never sent leaves its entry
# behind (in a browser, every stroke drawn while an answer was on its way did). app.py swaps that dict
# for a Recent of this size (≈5 MB): more than the strokes that can be waiting at once.
SKETCH_BLOBS = 4 * QUEUE_SIZE


class Recent(OrderedDict):
    """A dict that keeps only the ``size`` entries stored most recently (the oldest go first)."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
