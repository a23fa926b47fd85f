"""A class drawing at once: 32 pages × 12 drawings each, the app next to the floor, in the same run.

    python -m bench.load [--users 32] [--each 12] [--rounds 3]

Each simulated page sends its next drawing as soon as the answer to the last is back (no pause:
harder than a class, where a stroke takes a second or two). For the app and the floor, in turn, for
``--rounds`` rounds, it prints the throughput (answers per second), the p50 and p95 of the round
trip, and the failures (any error, a refusal by a full queue, a lost answer); the figures kept are
the medians over the rounds. The floor is served twice: with Gradio's defaults (the target's
reference) and with the app's Gradio settings (so that the difference is the app's own work).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics

from bench.common import Server, drawings, machine, pct, run_users, weights_env

TARGET_THROUGHPUT = 0.8  # app / floor (issue 4)
TARGET_P95 = 1.3  # app / floor


def measure(users: int = 32, each: int = 12, rounds: int = 3, urls: dict[str, str] | None = None,
            warmup: int = 2) -> dict:  # fmt: skip
    """``urls``: the floor, the floor with the app's settings and the app, already served (by name:
    floor, floor_like_app, app); else each is served here."""
    env, note = weights_env()
    pngs = drawings(64)
    servers = {
        "floor": Server("bench.floor_app"),
        "floor_like_app": Server("bench.floor_app", ("--like-app",)),
        "app": Server("app.py", env=env),
    } if urls is None else {}  # fmt: skip
    runs: dict[str, list[dict]] = {name: [] for name in urls or servers}
    for server in servers.values():
        server.__enter__()
    try:
        urls = urls or {name: server.url for name, server in servers.items()}
        for url in urls.values():  # warm up: first requests import pandas, fill caches
            asyncio.run(run_users(url, users, warmup, pngs))
        for _ in range(rounds):
            for name, url in urls.items():  # each round: the pages open, draw once, then are timed
                runs[name].append(asyncio.run(run_users(url, users, each, pngs, warmup=1)))
    finally:
        for server in servers.values():
            server.__exit__(None, None, None)
    return {"runs": runs, "note": note, "users": users, "each": each, "rounds": rounds}


def report(result: dict) -> dict[str, float]:
    print(
        f"{result['users']} pages × {result['each']} drawings at once, median of {result['rounds']} rounds "
        f"({result['note']})"
    )
    print(f"  {machine()}")
    out = {}
    for key, runs in result["runs"].items():
        name = {"floor": "floor", "floor_like_app": "floor, app's settings", "app": "app"}[key]
        out[f"{key}_throughput"] = statistics.median(r["throughput"] for r in runs)
        out[f"{key}_p50_ms"] = statistics.median(1000 * pct(r["latencies"], 50) for r in runs)
        out[f"{key}_p95_ms"] = statistics.median(1000 * pct(r["latencies"], 95) for r in runs)
        out[f"{key}_failures"] = sum(len(r["failures"]) for r in runs)
        print(
            f"  {name:<24} {out[f'{key}_throughput']:6.1f} answers/s   p50 {out[f'{key}_p50_ms']:6.1f} ms   "
            f"p95 {out[f'{key}_p95_ms']:6.1f} ms   failures {out[f'{key}_failures']}"
        )
        for failure in sorted({f for r in runs for f in r["failures"]})[:3]:
            print(f"      {failure}")
    out["throughput_ratio"] = out["app_throughput"] / out["floor_throughput"]
    out["p95_ratio"] = out["app_p95_ms"] / out["floor_p95_ms"]
    out["throughput_ratio_like_app"] = out["app_throughput"] / out["floor_like_app_throughput"]
    out["p95_ratio_like_app"] = out["app_p95_ms"] / out["floor_like_app_p95_ms"]
    return out


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=32, help="pages drawing at once (default: 32)")
    parser.add_argument("--each", type=int, default=12, help="drawings per page (default: 12)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians are kept (default: 3)")
    args = parser.parse_args(argv)
    out = report(measure(args.users, args.each, args.rounds))
    ok = out["throughput_ratio"] >= TARGET_THROUGHPUT and out["p95_ratio"] <= TARGET_P95 and out["app_failures"] == 0
    print(
        f"  app/floor: throughput {out['throughput_ratio']:.2f}× (target ≥ {TARGET_THROUGHPUT}), "
        f"p95 {out['p95_ratio']:.2f}× (target ≤ {TARGET_P95}), failures {out['app_failures']} (target 0): "
        + ("meets the targets" if ok else "MISSES a target")
    )
    print(
        f"  app/floor with the app's settings: throughput {out['throughput_ratio_like_app']:.2f}×, "
        f"p95 {out['p95_ratio_like_app']:.2f}×"
    )
    return out


if __name__ == "__main__":
    main()
