"""How fast does a drawing sent to a class reach its board? A benchmark, not a test.

    python -m bench.class_board            # 40 students × 5 drawings at once, 3 rounds
    python -m bench.class_board --quick    # 8 × 2, one round: checks that it runs

Serves ``app.py`` in its own process (a class store in a temporary ``CLASS_DB``), opens a class
with ``/class_open``, then 40 pages (each its own session) send 5 drawings each at the same moment
through ``/class_send`` (the upload, the queue, the event stream, as a page or a script does) while
two boards watch through ``/class_board``: one every ``explorer.board.TICK`` (0.5 s), as the page's
board timer looks (its tick costs one SQLite read when nothing moved, and redraws only after a
change), and one every 0.1 s (the server's own share). For each drawing: send → board, from the
moment its send starts to the end of the first board answer that began after the send was acknowledged (the drawing is
committed before the acknowledgement, so that answer counts it); and "sent → board", the same from
the acknowledgement (what a student who sees "Sent" waits for the board). It prints p50, p95 and max per
watcher, the sends' own round trip, and the in-process costs of a board: reading the class's
drawings again with LeNet-5 (cold, after a restart), redrawing it warm, and the timer's check when
nothing changed. Printed, never asserted: the machine may be shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from bench.common import Api, Server, drawings, http_client, machine, pct, weights_env
from explorer.board import TICK


async def watch(api: Api, code: str, every: float, stop: asyncio.Event, seen: list) -> None:
    """Ask for the board every ``every`` s until ``stop``; record (began, ended, drawings counted)."""
    while not stop.is_set():
        began = time.perf_counter()
        board = (await api.call(code, "lenet5"))[0]
        seen.append((began, time.perf_counter(), board["drawings"]))
        await asyncio.sleep(max(0.0, every - (time.perf_counter() - began)))


def delays(sends: list[tuple[float, float]], seen: list[tuple[float, float, int]], since: int = 0) -> list[float]:
    """Per send (started, acknowledged): the end of the first board answer begun after the
    acknowledgement, minus the start (``since`` = 0) or minus the acknowledgement (1)."""
    out = []
    for sent in sends:
        later = [ended for began, ended, _ in seen if began >= sent[1]]
        if later:
            out.append(min(later) - sent[since])
    return out


async def one_round(url: str, students: int, each: int, pngs: list[bytes]) -> dict:
    async with http_client() as client:
        opener = await Api.connect(client, url, "class_open")
        code = (await opener.call())[0]
        senders = [await Api.connect(client, url, "class_send") for _ in range(students)]
        boards = [await Api.connect(client, url, "class_board") for _ in range(2)]
        stop, seen_1s, seen_fast = asyncio.Event(), [], []
        watchers = [asyncio.create_task(watch(boards[0], code, TICK, stop, seen_1s)),
                    asyncio.create_task(watch(boards[1], code, 0.1, stop, seen_fast))]  # fmt: skip
        await asyncio.sleep(1.5)
        sends: list[tuple[float, float]] = []
        failures: list[str] = []

        async def student(k: int, api: Api) -> None:
            for i in range(each):
                png = pngs[(k * each + i) % len(pngs)]
                start = time.perf_counter()
                said = (await api.call(code, await api.sketch(png), (k + i) % 10))[0]
                if "Sent to class" in said:
                    sends.append((start, time.perf_counter()))
                else:
                    failures.append(said[-120:])

        began = time.perf_counter()
        try:
            await asyncio.gather(*(student(k, api) for k, api in enumerate(senders)))
        finally:
            wall = time.perf_counter() - began
            await asyncio.sleep(2.5)  # both boards catch up
            stop.set()
            await asyncio.gather(*watchers)
        final = (await boards[1].call(code, "lenet5"))[0]
    return {"code": code, "sends": sends, "failures": failures, "wall": wall, "counted": final["drawings"],
            "rows": [sum(r) for r in final["confusion"]], "board_1s": delays(sends, seen_1s),
            "board_fast": delays(sends, seen_fast), "acked_1s": delays(sends, seen_1s, 1),
            "acked_fast": delays(sends, seen_fast, 1)}  # fmt: skip


async def tick_cost(url: str, calls: int = 100) -> dict:
    """What one tick of the page's board timer costs when nothing moved: the round trip, and the
    server's time from "process_starts" to the result, over ``calls`` ticks of one page."""
    async with http_client() as client:
        config = (await client.get(url.rstrip("/") + "/config")).json()
        timers = {c["id"] for c in config["components"] if c["type"] == "timer"}
        index = next(d["id"] for d in config["dependencies"] if any(t[0] in timers for t in d["targets"]))
        page = Api(client, url.rstrip("/") + "/gradio_api", index)
        opener = await Api.connect(client, url, "class_open")
        code = (await opener.call())[0]
        # the tick's inputs: the class shown, the network, the cell, the key, the link, and what it shows now
        seen = [code, None, "lenet5", None, None]
        first = await page.call(code, "lenet5", None, None, "", None)  # draws once, says what it shows
        seen = first[1]
        trips, served = [], []
        for _ in range(calls):
            start = time.perf_counter()
            out = await page.call(code, "lenet5", None, None, "", seen)
            trips.append(time.perf_counter() - start)
            served.append(page.served)
        return {"trip": trips, "served": served, "skipped": out}


def in_process(n: int) -> dict:
    """A board's costs on this machine: re-reading ``n`` drawings (cold), redrawing, the timer's check."""
    from explorer.classroom import view
    from explorer.classroom.classroom import Classroom
    from explorer.classroom.store import SQLiteStore
    from lenet.data import load_split
    from lenet.network import TITLES, load_network

    networks = {name: load_network(name) for name in TITLES}
    images, labels = load_split("test")
    folder = Path(tempfile.mkdtemp())
    store = SQLiteStore(folder / "classes.db")
    room = Classroom(store, networks)
    code, _ = room.open()
    for i in range(n):
        room.send(code, images[i, 0].numpy(), None, int(labels[i]), sender=str(i))
    store.close_store()
    store = SQLiteStore(folder / "classes.db")  # as after a restart: nothing read yet
    room = Classroom(store, networks)
    t = time.perf_counter()
    _, s = room.summary(code, "lenet5")
    cold = time.perf_counter() - t
    t = time.perf_counter()
    page = view.board_html(code, s, None, False, "")
    render = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(200):
        room.version(code)
    check = (time.perf_counter() - t) / 200
    store.close_store()
    return {"cold": cold, "render": render, "check": check, "bytes": len(page)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40, help="pages sending at once (default 40)")
    parser.add_argument("--each", type=int, default=5, help="drawings per page (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each a new class (default 3)")
    parser.add_argument("--quick", action="store_true", help="8 pages × 2 drawings, one round: checks that it runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.students, args.each, args.rounds = 8, 2, 1
    env, note = weights_env()
    env["CLASS_DB"] = str(Path(tempfile.mkdtemp(prefix="class-bench-")) / "classes.db")
    pngs = drawings(64)
    print(f"{machine()}; {note}")
    with Server("app.py", env=env) as server:
        print(f"served {server.url} (pid {server.pid}), started in {server.started_in:.1f} s")
        for r in range(args.rounds):
            out = asyncio.run(one_round(server.url, args.students, args.each, pngs))
            sent = [b - a for a, b in out["sends"]]
            print(f"round {r + 1}: class {out['code']}, {args.students} pages × {args.each} drawings at once: "
                  f"{len(out['sends'])} sent in {out['wall']:.1f} s, {len(out['failures'])} refused, board counts "
                  f"{out['counted']} (rows {out['rows']})")  # fmt: skip
            trip = f"p50 {pct(sent, 50) * 1000:6.0f} ms  p95 {pct(sent, 95) * 1000:6.0f} ms"
            print(f"  send round trip                        {trip}")
            for name, key in (("send → board every 0.5 s (as the page)", "board_1s"),
                              ("send → board every 0.1 s              ", "board_fast"),
                              ("sent → board every 0.5 s (as the page)", "acked_1s"),
                              ("sent → board every 0.1 s              ", "acked_fast")):  # fmt: skip
                d = out[key]
                print(f"  {name} p50 {pct(d, 50) * 1000:6.0f} ms  p95 {pct(d, 95) * 1000:6.0f} ms  "
                      f"max {max(d, default=float('nan')) * 1000:6.0f} ms  ({len(d)} drawings)")  # fmt: skip
            if out["failures"]:
                print("  refused:", out["failures"][:3])
        tick = asyncio.run(tick_cost(server.url))
        print(f"a board timer's tick when nothing moved: round trip p50 {pct(tick['trip'], 50) * 1000:.1f} ms, "
              f"server p50 {pct(tick['served'], 50) * 1000:.1f} ms (p95 {pct(tick['served'], 95) * 1000:.1f}); "
              f"answer {str(tick['skipped'])[:60]}")  # fmt: skip
    n = args.students * args.each
    cost = in_process(n)
    print(f"in-process, {n} drawings: board read cold (after a restart) {cost['cold'] * 1000:.0f} ms, "
          f"HTML {cost['render'] * 1000:.1f} ms ({cost['bytes'] / 1024:.0f} KiB), "
          f"the timer's check when nothing moved {cost['check'] * 1e6:.0f} µs")  # fmt: skip
    print(f"load average now: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
