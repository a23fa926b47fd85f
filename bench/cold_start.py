"""Cold start: from ``python app.py`` to the first page served.

    python -m bench.cold_start [--runs 3]

Starts the app ``--runs`` times in a fresh process and times it until ``GET /`` answers 200 (the
imports, loading both networks, building the teaching views and the page, starting the server).
The floor app is timed the same way, for what Gradio alone costs. Files are in the OS cache after
the first run, as on a server that restarts; the median is kept.
"""

from __future__ import annotations

import argparse
import statistics

from bench.common import Server, machine, weights_env

TARGET_S = 10.0  # issue 4


def measure(runs: int = 3, servers: dict | None = None) -> dict:
    """``servers``: the floor and the app (bench.common.Server, by name), already started: their one
    start each is what is timed (``python -m bench --quick``, where they start together)."""
    env, note = weights_env()
    if servers:
        return {"times": {name: [servers[name].ready().started_in] for name in ("floor", "app")}, "note": note}
    times: dict[str, list[float]] = {"floor": [], "app": []}
    for _ in range(runs):
        for name, script, extra in (("floor", "bench.floor_app", {}), ("app", "app.py", env)):
            with Server(script, env=extra) as server:
                times[name].append(server.started_in)
    return {"times": times, "note": note}


def report(result: dict) -> dict[str, float]:
    print(f"Cold start, `python app.py` until the first page is served ({result['note']})")
    print(f"  {machine()}")
    out = {}
    for name, times in result["times"].items():
        out[f"{name}_s"] = statistics.median(times)
        print(f"  {name:<6} median {out[f'{name}_s']:5.2f} s   runs: " + ", ".join(f"{t:.2f}" for t in times))
    return out


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="starts of each app (default: 3)")
    args = parser.parse_args(argv)
    out = report(measure(args.runs))
    print(
        f"  app {out['app_s']:.1f} s: "
        + ("meets" if out["app_s"] <= TARGET_S else "MISSES")
        + f" the target of {TARGET_S:.0f} s"
    )
    return out


if __name__ == "__main__":
    main()
