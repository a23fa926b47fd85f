"""Server cost of "Follow a unit": one unit clicked, per layer, in-process and through the API.

    python -m bench.unit [--clicks 100] [--api 60] [--network lenet5] [--seed 0]

In-process, one thread (as app.py sets): a click is ``explorer.unit.Follow.html`` — the digit read
once, the unit's arithmetic (``lenet.units``), and the panel's HTML with its small pictures — for
random units of each layer on the ten shipped MNIST examples. Through the API: ``python app.py`` in
its own process, one session that has read a digit (``/predict``), then ``/unit`` for random units
of each layer, round trip as a page sees it; beside it the same call with no unit (the panel's
invitation, a constant: what Gradio's queue costs by itself). Goal (issue 11): a click ≤ 15 ms p50
server cost. Printed, not asserted; the load average is printed with them (the machine may be shared).
"""

from __future__ import annotations

import argparse
import asyncio
import time

import numpy as np
import torch

from bench.common import Api, Server, drawings, http_client, machine, pct, weights_env
from explorer.examples import example_paths
from explorer.unit import Follow
from lenet.network import TITLES, load_network
from lenet.preprocess import preprocess
from lenet.units import shapes

GOAL_MS = 15.0


def random_units(net, layer: str, n: int, rng: np.random.Generator) -> list[str]:
    """``n`` random unit strings of ``layer``: "C3:5:4:7" or "F6:3"."""
    shape = shapes(net)[layer]
    if len(shape) == 3:
        return [f"{layer}:{rng.integers(shape[0])}:{rng.integers(shape[1])}:{rng.integers(shape[2])}" for _ in range(n)]
    return [f"{layer}:{rng.integers(shape[0])}" for _ in range(n)]


def in_process(name: str, clicks: int, seed: int = 0) -> dict[str, list[float]]:
    """Per layer, the milliseconds of ``clicks`` unit clicks served in-process."""
    torch.set_num_threads(1)
    rng = np.random.default_rng(seed)
    network = load_network(name)
    follow = Follow({name: network})
    digits = [preprocess(str(p)) for p in example_paths()]
    for _ in range(5):  # warm-up
        follow.seen(digits[0], name, "C3:0:0:0", skip=False)
    times = {}
    for layer in network.net.layer_names:
        times[layer] = []
        for k, text in enumerate(random_units(network.net, layer, clicks, rng)):
            t = time.perf_counter()
            follow.seen(digits[k % len(digits)], name, text, skip=False)
            times[layer].append(1000 * (time.perf_counter() - t))
    return times


async def _through_api(url: str, name: str, units: dict[str, list[str]], png: bytes) -> dict[str, list[float]]:
    async with http_client() as client:
        reader = await Api.connect(client, url, "predict")
        await reader.predict(png, name)  # the session now holds a digit, as a page that has drawn
        unit = await Api.connect(client, url, "unit")
        unit.session = reader.session
        for _ in range(10):  # warm-up
            await unit.call("C3:0:0:0", name, None, None)  # the unit, the network, and the states: digit, bent
        times = {}
        loop = asyncio.get_running_loop()
        for layer, texts in {"no unit (floor)": [""] * len(next(iter(units.values()))), **units}.items():
            times[layer] = []
            for text in texts:
                t = loop.time()
                out = await unit.call(text, name, None, None)
                times[layer].append(1000 * (loop.time() - t))
                assert text == "" or "Following" in out[0] and "blank paper" not in out[0], out[0][:200]
    return times


def through_api(name: str, calls: int, seed: int = 0, url: str | None = None) -> dict[str, list[float]]:
    """Per layer, the milliseconds of ``calls`` round trips of ``/unit`` to ``python app.py`` (served
    here, or already at ``url``)."""
    rng = np.random.default_rng(seed)
    net = load_network(name).net
    units = {layer: random_units(net, layer, calls, rng) for layer in net.layer_names}
    if url:
        return asyncio.run(_through_api(url, name, units, drawings(1)[0]))
    env, _ = weights_env()
    with Server("app.py", env=env) as app:
        return asyncio.run(_through_api(app.url, name, units, drawings(1)[0]))


def measure(name: str = "lenet5", clicks: int = 100, calls: int = 60, seed: int = 0, url: str | None = None,
            ready=None) -> dict:  # fmt: skip
    """``url``: the app already served (``ready()``, if given, is called first: it waits for it)."""
    times = in_process(name, clicks, seed)
    if ready:
        url = ready()
    return {"name": name, "in_process": times, "api": through_api(name, calls, seed, url) if calls else {}}


def report(result: dict) -> dict[str, float]:
    title = TITLES.get(result["name"], result["name"])
    print(f"{title}: one unit clicked (read + arithmetic + panel HTML), server cost in-process, one thread")
    print(f"  {machine()}")
    worst = 0.0
    for layer, times in result["in_process"].items():
        p50 = pct(times, 50)
        worst = max(worst, p50)
        print(f"  {layer:7s} p50 {p50:5.1f} ms, p95 {pct(times, 95):5.1f} ms  ({len(times)} clicks)")
    print(f"  goal: ≤ {GOAL_MS:.0f} ms p50 per click; the slowest layer's p50: {worst:.1f} ms")
    out = {"worst_p50_ms": worst}
    if result["api"]:
        print(f"{title}: /unit through the HTTP API (python app.py, one session), round trip")
        for layer, times in result["api"].items():
            print(f"  {layer:16s} p50 {pct(times, 50):5.1f} ms, p95 {pct(times, 95):5.1f} ms  ({len(times)} calls)")
        out["api_worst_p50_ms"] = max(pct(t, 50) for k, t in result["api"].items() if k != "no unit (floor)")
        out["api_floor_p50_ms"] = pct(result["api"]["no unit (floor)"], 50)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=100, help="in-process clicks per layer (default 100)")
    parser.add_argument("--api", type=int, default=60, help="/unit calls per layer through HTTP; 0 skips (default 60)")
    parser.add_argument("--network", default="lenet5", choices=list(TITLES), help="the network (default lenet5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random units")
    args = parser.parse_args(argv)
    report(measure(args.network, args.clicks, args.api, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
