"""Memory: the app's resident size before and after 5,000 predictions.

    python -m bench.memory [--n 5000] [--users 32]

Serves ``python app.py`` in its own process and reads its resident size (VmRSS in /proc) once
started; has the same ``--users`` pages (one session each, as a class) send 10 drawings each to warm
it up (the first requests import pandas, start Gradio's worker threads, give each its malloc arena
and create the pages' sessions), reads it again ("before"), has them send ``--n`` more, and reads
it a last time ("after"), with the peak (VmHWM). Growth after the warm-up would be a leak.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bench.common import Server, drawings, machine, rss_mb, run_users, weights_env

TARGET_MB = 50.0  # growth over 5,000 predictions (issue 4)


def measure(n: int = 5000, users: int = 32, server: Server | None = None, warmup: int = 10) -> dict:
    """``server``: the app already served (a bench.common.Server), else it is served here."""
    env, note = weights_env()
    pngs = drawings(256)
    with contextlib.nullcontext(server) if server else Server("app.py", env=env) as app:
        started = rss_mb(app.pid)
        run = asyncio.run(run_users(app.url, users, -(-n // users), pngs, warmup=warmup,
                                    on_warm=lambda: rss_mb(app.pid)))  # fmt: skip
        before, after, peak = run["after_warmup"], rss_mb(app.pid), rss_mb(app.pid, "VmHWM")
    return {
        "started": started,
        "before": before,
        "after": after,
        "peak": peak,
        "served": len(run["latencies"]),
        "failures": len(run["failures"]),
        "note": note,
        "users": users,
    }


def report(result: dict) -> dict[str, float]:
    print(f"Memory over {result['served']} predictions from {result['users']} pages ({result['note']})")
    print(f"  {machine()}")
    growth = result["after"] - result["before"]
    print(
        f"  resident once started {result['started']:.0f} MB; after the warm-up {result['before']:.0f} MB, "
        f"after {result['served']} more {result['after']:.0f} MB (growth {growth:+.1f} MB); "
        f"peak {result['peak']:.0f} MB; failures {result['failures']}"
    )
    return {"before_mb": result["before"], "after_mb": result["after"], "growth_mb": growth, "peak_mb": result["peak"],
            "failures": result["failures"]}  # fmt: skip


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="predictions after the warm-up (default: 5000)")
    parser.add_argument("--users", type=int, default=32, help="pages sending them at once (default: 32)")
    args = parser.parse_args(argv)
    out = report(measure(args.n, args.users))
    verdict = "meets" if out["growth_mb"] <= TARGET_MB else "MISSES"
    print(f"  growth {out['growth_mb']:.1f} MB: {verdict} the target of ≤ {TARGET_MB:.0f} MB")
    return out


if __name__ == "__main__":
    main()
