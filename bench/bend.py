"""Server cost of "Bend the digit": one slider move, and one sweep of 41 settings.

    python -m bench.bend [--moves 200] [--network lenet5] [--seed 0]

In-process, one thread (as app.py sets): a slider move is ``explorer.bend.Bend.views`` — the bent
digit read once, the moved slider's sweep read as one batch, the three HTML views built (the bent
digit and its bars; the sweep with Play's 41 frames; the network view of the bent digit) — on the
ten shipped MNIST examples with random settings; a sweep is ``lenet.transform.sweep`` alone, per
slider. A pen update with the tab open costs the canvas's reading plus ``Bend.follow`` (the same
views for the slider last moved), in the same request. Goals (issue 11): a move ≤ 15 ms p50, a sweep
(≥ 41 settings) ≤ 40 ms. Printed, not asserted; the load average is printed with them (the machine
may be shared).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from bench.common import machine, pct
from explorer.bend import Bend
from explorer.examples import example_paths
from explorer.reading import PageReading
from lenet.network import TITLES, load_network
from lenet.preprocess import preprocess
from lenet.transform import NAMES, RANGES, sweep


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=200, help="slider moves timed (default 200)")
    parser.add_argument("--network", default="lenet5", choices=list(TITLES), help="the network (default lenet5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random settings")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    network = load_network(args.network)
    bend = Bend({args.network: network})
    digits = [preprocess(str(p)) for p in example_paths()]
    for _ in range(5):  # warm-up
        bend.views(digits[0], args.network, "rotation", 0, 0, 1, 0, 0, 0, 0)

    moves = []
    for k in range(args.moves):
        which = NAMES[k % len(NAMES)]
        values = [float(rng.uniform(r.lo, r.hi)) if n == which else r.neutral for n, r in RANGES.items()]
        t = time.perf_counter()
        bend.views(digits[k % len(digits)], args.network, which, *values)
        moves.append(1000 * (time.perf_counter() - t))
    print(machine())
    print(f"{network.title}: one slider move (bend + read + 41-setting sweep + views), {args.moves} moves: "
          f"p50 {pct(moves, 50):.1f} ms, p95 {pct(moves, 95):.1f} ms  (goal ≤ 15 ms p50)")  # fmt: skip
    follows, sizes = [], []
    for k in range(args.moves // 2):
        values = [30.0 if n == "rotation" else r.neutral for n, r in RANGES.items()]
        t = time.perf_counter()
        out = bend.follow(PageReading(network, digits[k % len(digits)]), True, "rotation", values)
        follows.append(1000 * (time.perf_counter() - t))
        sizes.append(sum(len(v) for v in out if isinstance(v, str)))
    print(f"  a pen update with the tab open: + {pct(follows, 50):.1f} ms p50 (p95 {pct(follows, 95):.1f}) over the "
          f"reading, in the same request; its views {np.median(sizes) / 1000:.0f} kB")  # fmt: skip
    for which in NAMES:
        times = []
        for d in digits * 3:
            t = time.perf_counter()
            sw = sweep(network.net, d, which)
            times.append(1000 * (time.perf_counter() - t))
        print(f"  sweep of {which:9s} ({len(sw.values)} settings, one batch): p50 {pct(times, 50):.1f} ms, "
              f"p95 {pct(times, 95):.1f} ms  (goal ≤ 40 ms)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
