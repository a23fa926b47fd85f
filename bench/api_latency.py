"""Round trip through the real HTTP API, the app next to the floor, in the same run.

    python -m bench.api_latency [--n 300] [--block 25]

The servers run in their own processes (``python app.py``, ``python -m bench.floor_app`` with
Gradio's defaults and with ``--like-app``); one simulated page sends ``--n`` drawings to each, one
at a time, switching server every ``--block`` drawings so that all see the same machine. Each round
trip is what the page waits for after a stroke: upload the PNG, join the queue, receive the answer
on the event stream.
"""

from __future__ import annotations

import argparse
import asyncio

from bench.common import Api, Server, drawings, http_client, machine, pct, weights_env

TARGET_RATIO = 1.25  # app p50 / floor p50 (issue 4)


async def alternate(urls: dict[str, str], n: int, block: int, pngs: list[bytes], warmup: int = 20) -> dict:
    async with http_client() as client:
        apis = {name: await Api.connect(client, url) for name, url in urls.items()}
        for api in apis.values():
            for i in range(warmup):
                await api.predict(pngs[i % len(pngs)], "lenet5")
        times: dict[str, list[float]] = {name: [] for name in urls}
        loop = asyncio.get_running_loop()
        for start in range(0, n, block):
            for name, api in apis.items():
                for i in range(start, min(n, start + block)):
                    t = loop.time()
                    await api.predict(pngs[i % len(pngs)], "lenet5")
                    times[name].append(loop.time() - t)
    return times


def measure(n: int = 300, block: int = 25, urls: dict[str, str] | None = None, warmup: int = 20) -> dict:
    """``urls``: the floor, the floor with the app's settings and the app, already served (by name:
    floor, floor_like_app, app); else each is served here."""
    env, note = weights_env()
    pngs = drawings(64)
    if urls:
        return {"times": asyncio.run(alternate(urls, n, block, pngs, warmup)), "note": note, "n": n}
    with (
        Server("bench.floor_app") as floor,
        Server("bench.floor_app", ("--like-app",)) as like_app,
        Server("app.py", env=env) as app,
    ):
        urls = {"floor": floor.url, "floor_like_app": like_app.url, "app": app.url}
        times = asyncio.run(alternate(urls, n, block, pngs, warmup))
    return {"times": times, "note": note, "n": n}


def report(result: dict) -> dict[str, float]:
    times = result["times"]
    print(f"HTTP API round trip, one page, {result['n']} drawings each, app and floor alternating ({result['note']})")
    print(f"  {machine()}")
    out = {}
    labels = {"floor": "floor", "floor_like_app": "floor, app's settings", "app": "app"}
    for key, name in labels.items():
        out[f"{key}_p50_ms"] = 1000 * pct(times[key], 50)
        out[f"{key}_p95_ms"] = 1000 * pct(times[key], 95)
        print(f"  {name:<22} p50 {out[f'{key}_p50_ms']:6.1f} ms   p95 {out[f'{key}_p95_ms']:6.1f} ms")
    out["ratio_p50"] = out["app_p50_ms"] / out["floor_p50_ms"]
    out["ratio_p50_like_app"] = out["app_p50_ms"] / out["floor_like_app_p50_ms"]
    return out


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="drawings sent to each server (default: 300)")
    parser.add_argument("--block", type=int, default=25, help="drawings in a row before switching (default: 25)")
    args = parser.parse_args(argv)
    out = report(measure(args.n, args.block))
    verdict = "meets" if out["ratio_p50"] <= TARGET_RATIO else "MISSES"
    print(f"  app p50 = {out['ratio_p50']:.2f} × floor p50: {verdict} the target of {TARGET_RATIO}×")
    print(f"  app p50 = {out['ratio_p50_like_app']:.2f} × p50 of the floor with the app's settings")
    return out


if __name__ == "__main__":
    main()
