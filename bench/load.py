"""A class drawing at once: 32 pages × 12 drawings each, the app next to the floor, in the same run.

    python bench/load.py [--users 32] [--each 12] [--rounds 3] [--gradio-defaults-floor]

Each simulated page sends its next drawing as soon as the answer to the last is back (no pause:
harder than a class, where a stroke takes a second or two). For the app and the floor, in turn, for
``--rounds`` rounds, it prints the throughput (answers per second), the p50 and p95 of the round
trip, and the failures (any error, a refusal by a full queue, a lost answer); the figures kept are
the medians over the rounds. ``--gradio-defaults-floor`` adds the floor served with Gradio's default
settings, to show what the app's queue settings change.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from pathlib import Path

if __package__ in (None, ""):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Server, drawings, machine, pct, run_users, weights_env

TARGET_THROUGHPUT = 0.8  # app / floor (issue 4)
TARGET_P95 = 1.3  # app / floor


def measure(users: int = 32, each: int = 12, rounds: int = 3, gradio_defaults_floor: bool = False) -> dict:
    env, note = weights_env()
    pngs = drawings(64)
    servers = {"floor": Server("bench/floor_app.py"), "app": Server("app.py", env=env)}
    if gradio_defaults_floor:
        servers["floor, Gradio defaults"] = Server("bench/floor_app.py", ("--gradio-defaults",))
    runs: dict[str, list[dict]] = {name: [] for name in servers}
    for server in servers.values():
        server.__enter__()
    try:
        for server in servers.values():  # warm up: first requests import pandas, fill caches
            asyncio.run(run_users(server.url, 4, 10, pngs))
        for _ in range(rounds):
            for name, server in servers.items():
                runs[name].append(asyncio.run(run_users(server.url, users, each, pngs)))
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
    for name, runs in result["runs"].items():
        key = name.split(",")[0] if name in ("floor", "app") else "floor_defaults"
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
    return out


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=32, help="pages drawing at once (default: 32)")
    parser.add_argument("--each", type=int, default=12, help="drawings per page (default: 12)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians are kept (default: 3)")
    parser.add_argument("--gradio-defaults-floor", action="store_true", help="also the floor with Gradio's defaults")
    args = parser.parse_args(argv)
    out = report(measure(args.users, args.each, args.rounds, args.gradio_defaults_floor))
    ok = out["throughput_ratio"] >= TARGET_THROUGHPUT and out["p95_ratio"] <= TARGET_P95 and out["app_failures"] == 0
    print(
        f"  app/floor: throughput {out['throughput_ratio']:.2f}× (target ≥ {TARGET_THROUGHPUT}), "
        f"p95 {out['p95_ratio']:.2f}× (target ≤ {TARGET_P95}), failures {out['app_failures']} (target 0): "
        + ("meets the targets" if ok else "MISSES a target")
    )
    return out


if __name__ == "__main__":
    main()
