"""A class drawing at once, with the traffic the canvas really sends: 32 pages, each drawing digits
stroke by stroke with a 60 Hz pen, the strokes sent while the pen moves with at most one reading in
flight per page, as explorer/static/canvas.js does in a browser: when an answer is back, the newest
strokes go at once if the pen is up, and, while it moves, after a pause as long as that round trip
when it took over 100 ms.

    python -m bench.ink_load [--users 32] [--digits 4] [--app]

Each page draws ``--digits`` digits of 3 strokes (30 points, 0.5 s each, 0.3 s between strokes),
then clears the canvas (one more reading: the empty drawing). Printed, not asserted: readings sent
and failed, answers per second, pen-up → answer for the whole stroke (p50, p95, at the client: no
browser painting), updates per second per page while its pen moves, and Gradio's queue length,
sampled every 0.25 s (max, and the mean over the first and the last third of the run: a queue that
grows shows as a rising mean). Served: the bare canvas app reading every update with LeNet-5
(bench/ink_app.py --read), or with ``--app`` the app's strokes endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import math
import statistics
import time

from bench.common import Api, Server, http_client, machine, pct, weights_env
from explorer.canvas import PACE

SIZE, BRUSH = 280, 24
HZ = 60
POINTS = 30  # per stroke: 0.5 s at 60 Hz
PAUSE_S = 0.3  # pen up between strokes


def digit_strokes(k: int) -> list[list[list[float]]]:
    """Three strokes of about a digit's size, different for each ``k``, in canvas pixels."""
    out = []
    for s in range(3):
        a = 0.9 * k + 2.1 * s
        if s == 1:
            out.append([[140 + 60 * math.cos(a + 3 * t / POINTS), 140 + 60 * math.sin(a + 3 * t / POINTS)]
                        for t in range(POINTS)])  # fmt: skip
        else:
            dx, dy = math.cos(a), math.sin(a)
            out.append([[140 + dx * (-80 + 160 * t / (POINTS - 1)), 140 + dy * (-80 + 160 * t / (POINTS - 1))]
                        for t in range(POINTS)])  # fmt: skip
    return [[[round(x, 1), round(y, 1)] for x, y in stroke] for stroke in out]


class Page(Api):
    """One page: a pen that adds points at 60 Hz, and a sender that keeps one reading in flight."""


async def draw_page(page: Page, k: int, digits: int, extra: tuple, out: dict, stop=None, delay: float = 0.0) -> None:
    """Page ``k`` draws ``digits`` digits, or, with ``stop`` (a function), digits until ``stop()``
    says so (asked between digits), after ``delay`` seconds."""
    strokes: list[list[list[float]]] = []
    version = 0  # bumped at each change of the drawing
    changed = asyncio.Event()
    lifted = asyncio.Event()  # the pen was lifted: a paced mid-stroke reading goes at once
    answered = {"count": 0, "at": {}}  # answers to this page; version → when its answer came back
    pen = {"down": False, "rest": 0.0}  # the pen; when the next mid-stroke reading may go

    async def sender(stop: asyncio.Event) -> None:
        sent = -1
        while not (stop.is_set() and sent == version):
            if sent == version:
                changed.clear()
                await asyncio.wait([asyncio.ensure_future(changed.wait()), asyncio.ensure_future(stop.wait())],
                                   return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
                continue
            if pen["down"] and time.perf_counter() < pen["rest"]:  # mid-stroke: pace, as the canvas does,
                lifted.clear()  # until the pause is over or the pen is lifted
                try:
                    await asyncio.wait_for(lifted.wait(), pen["rest"] - time.perf_counter())
                except TimeoutError:
                    pass
                continue
            sent, start = version, time.perf_counter()
            value = {"strokes": [list(s) for s in strokes], "brush": BRUSH, "width": SIZE, "height": SIZE}
            out["sent"] += 1
            try:
                await page.call(value, *extra)
                answered["count"] += 1
                out["answers"] += 1
            except Exception as exc:  # counted, not raised
                out["failures"].append(f"{type(exc).__name__}: {exc}"[:200])
            answered["at"][sent] = now = time.perf_counter()
            trip = now - start  # canvas.js: paced by PACE round trips (1 s at most each) once slower than SLOW
            pen["rest"] = now + PACE * min(trip, 1.0) if trip > 0.1 else 0.0

    def change() -> None:
        nonlocal version
        version += 1
        changed.set()

    await asyncio.sleep(delay)
    finished = asyncio.Event()
    task = asyncio.create_task(sender(finished))
    for d in itertools.count():
        if (d >= digits) if stop is None else stop():
            break
        for stroke in digit_strokes(k * max(digits, 1) + d):
            current: list[list[float]] = []
            strokes.append(current)
            start, before = time.perf_counter(), answered["count"]
            pen["down"] = True
            for point in stroke:
                current.append(point)
                change()
                await asyncio.sleep(1 / HZ)
            pen["down"] = False
            lifted.set()
            up, final = time.perf_counter(), version
            out["updates_per_s"].append((answered["count"] - before) / (up - start))
            while final not in answered["at"] and not any(v > final for v in answered["at"]):
                await asyncio.sleep(0.002)
            done = answered["at"].get(final) or min(t for v, t in answered["at"].items() if v > final)
            out["pen_up"].append(max(0.0, done - up))
            await asyncio.sleep(PAUSE_S)
        strokes.clear()
        change()  # Clear: the empty drawing is read too
        await asyncio.sleep(PAUSE_S)
    finished.set()
    changed.set()
    await task


async def crowd(url: str, users: int, digits: int, api_name: str, extra: tuple, stop=None, stagger: float = 0.0,
                on_start=None) -> dict:  # fmt: skip
    """``users`` pages drawing at once (see :func:`draw_page` for ``digits`` and ``stop``), page k
    starting ``k / users × stagger`` s after the first; ``on_start()`` is called once all are connected."""
    out = {"sent": 0, "answers": 0, "failures": [], "pen_up": [], "updates_per_s": [], "queue": []}
    async with http_client() as client:
        first = await Page.connect(client, url, api_name)  # the page's config, read once: every page its session
        pages = [first] + [Page(client, first.url, first.fn_index, first.inputs) for _ in range(users - 1)]
        done = asyncio.Event()

        async def watch_queue() -> None:
            while not done.is_set():
                try:
                    r = await client.get(url.rstrip("/") + "/gradio_api/queue/status")
                    out["queue"].append(r.json().get("queue_size", 0))
                except Exception:  # a sample lost is not a failure of the app
                    pass
                await asyncio.sleep(0.25)

        watcher = asyncio.create_task(watch_queue())
        start = time.perf_counter()
        if on_start:
            on_start()
        await asyncio.gather(*(draw_page(p, k, digits, extra, out, stop, stagger * k / users)
                               for k, p in enumerate(pages)))  # fmt: skip
        out["wall"] = time.perf_counter() - start
        done.set()
        await watcher
    return out


# What the page sends with its strokes (app.py: canvas.listen(ink, READER.read_strokes, ...)): the
# value, then the network, None for each state the server keeps (whether "Why" and "Design choices"
# are open), "" for the unit followed (none), and None for Bend's three states. Api.call checks the
# count against the app's /strokes, so a change to the page's inputs fails here rather than go unseen.
APP_EXTRA = ("lenet5", None, None, "", None, None, None)


def measure(users: int = 32, digits: int = 4, app: bool = False, url: str | None = None, warmup: bool = True) -> dict:
    """With ``url``, loads the app already served there (``app`` is then implied); ``warmup``: two
    pages draw a digit first, not counted."""
    env, note = weights_env()
    app = app or url is not None
    api_name, extra = ("strokes", APP_EXTRA) if app else ("strokes", ())
    if url is None:
        server = Server("app.py", env=env) if app else Server("bench.ink_app", ("--surface", "ink", "--read"), env=env)
    with server if url is None else contextlib.nullcontext() as served:
        url = served.url if url is None else url
        if warmup:
            asyncio.run(crowd(url, 2, 1, api_name, extra))
        result = asyncio.run(crowd(url, users, digits, api_name, extra))
    result.update(users=users, digits=digits, note=note, served="app.py" if app else "bench.ink_app --read")
    return result


def report(r: dict) -> dict:
    q = r["queue"] or [0]
    third = max(1, len(q) // 3)
    out = {
        "sent": r["sent"],
        "failures": len(r["failures"]),
        "answers_per_s": r["answers"] / r["wall"],
        "pen_up_p50_ms": 1000 * pct(r["pen_up"], 50),
        "pen_up_p95_ms": 1000 * pct(r["pen_up"], 95),
        "updates_per_s_p50": pct(r["updates_per_s"], 50),
        "queue_max": max(q),
        "queue_first_third": statistics.mean(q[:third]),
        "queue_last_third": statistics.mean(q[-third:]),
    }
    print(f"{r['users']} pages drawing {r['digits']} digits each with live ink, {r['served']} ({r['note']})")
    print(f"  {machine()}")
    print(f"  readings sent {out['sent']}, failed {out['failures']}, {out['answers_per_s']:.1f} answers/s "
          f"over {r['wall']:.1f} s")  # fmt: skip
    print(f"  pen-up → answer for the whole stroke: p50 {out['pen_up_p50_ms']:.0f} ms, "
          f"p95 {out['pen_up_p95_ms']:.0f} ms")  # fmt: skip
    print(f"  updates per page while its pen moves: {out['updates_per_s_p50']:.1f} /s (median over strokes)")
    print(f"  queue length: max {out['queue_max']}, mean first third {out['queue_first_third']:.1f}, "
          f"last third {out['queue_last_third']:.1f}")  # fmt: skip
    for failure in sorted(set(r["failures"]))[:3]:
        print(f"      {failure}")
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=32, help="pages drawing at once (default: 32)")
    parser.add_argument("--digits", type=int, default=4, help="digits drawn by each page (default: 4)")
    parser.add_argument("--app", action="store_true", help="load app.py's strokes endpoint, not the bare canvas app")
    args = parser.parse_args(argv)
    return report(measure(args.users, args.digits, args.app))


if __name__ == "__main__":
    main()
