"""Server-side cost of one full update, in-process: what one drawing costs the server's CPU.

    python -m bench.server_cost [--n 500] [--model lenet5]

For ``--n`` different drawings (PNG, as the canvas exports them) it times, one drawing at a time:
the app's steps on their own (MNIST-style preprocessing, the forward pass with every layer's
activations, the network view with its seven PNG pictures) and the whole update through Gradio's
own ``process_api`` — the uploaded PNG decoded by the Sketchpad, ``predict``, every output
postprocessed, the message serialised to JSON — which is everything the server does for a drawing
except HTTP and queueing (see bench/api_latency.py for those). Prints p50 and p95.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import drawings, machine, pct

TARGET_MS = 15.0  # full update, p50, 2-core machine (issue 4)


def timed(fn, inputs, repeat: int = 1) -> list[float]:
    out = []
    for x in inputs:
        for _ in range(repeat):
            start = time.perf_counter()
            fn(x)
            out.append(time.perf_counter() - start)
    return out


def measure(n: int = 500, model: str = "lenet5", warmup: int = 20) -> dict:
    from bench.common import weights_env

    env, note = weights_env()
    os.environ.update(env)
    import orjson
    from gradio.state_holder import SessionState
    from PIL import Image

    import app
    from explorer.network_view import network_html
    from lenet.preprocess import preprocess

    pngs = drawings(min(n, 200))
    arrays = [np.asarray(Image.open(io.BytesIO(p))) for p in pngs]
    values = [{"background": None, "layers": [], "composite": a} for a in arrays]
    cases = [values[i % len(values)] for i in range(n)]
    network = app.NETWORKS[model]

    for v in cases[:warmup]:
        app.predict(v, model)
    pictures = [v["composite"] for v in cases]  # what the page hands lenet.preprocess (explorer.canvas.stroke)
    digits = [preprocess(a) for a in pictures]
    readings = [network.read(d) for d in digits]
    figures = {
        "preprocess": timed(preprocess, pictures),
        "forward (every layer)": timed(network.read, digits),
        "network view (7 PNGs)": timed(lambda r: network_html(network, r), readings),
        "predict() in all": timed(lambda v: app.predict(v, model), cases),
    }

    # The same through Gradio: the PNG file as uploaded, decoded by the Sketchpad, outputs postprocessed.
    fn = next(f for f in app.demo.fns.values() if f.api_name == "predict")
    folder = Path(tempfile.mkdtemp(prefix="lenet-bench-"))
    files = []
    for i, png in enumerate(pngs):
        (folder / f"{i}.png").write_bytes(png)
        files.append(str(folder / f"{i}.png"))
    payloads = [
        {
            "background": None,
            "layers": [],
            "composite": {
                "path": files[i % len(files)],
                "orig_name": "composite.png",
                "meta": {"_type": "gradio.FileData"},
            },
            "id": None,
        }
        for i in range(n)
    ]
    state = SessionState(app.demo)

    async def through_gradio(count: int) -> list[float]:
        # One long-lived task, as in the server: Gradio's worker threads are reused between calls
        # (anyio stops them when the task that started them ends; a new thread costs ~20 ms).
        out = []
        for payload in payloads[:count]:
            start = time.perf_counter()
            result = await app.demo.process_api(block_fn=fn, inputs=[payload, model], state=state)
            orjson.dumps(result, option=orjson.OPT_SERIALIZE_NUMPY)
            out.append(time.perf_counter() - start)
        return out[warmup:]

    payloads = payloads[:warmup] + payloads  # the first ones warm up, and are not counted
    figures["full update through Gradio"] = asyncio.run(through_gradio(len(payloads)))
    size = len(orjson.dumps(app.predict(cases[0], model)[:3]))
    return {"figures": figures, "note": note, "bytes": size, "n": n, "model": model}


def report(result: dict) -> dict[str, float]:
    print(f"Server-side cost of one update, {result['n']} drawings, {result['model']} ({result['note']})")
    print(f"  {machine()}")
    for name, seconds in result["figures"].items():
        print(f"  {name:<28} p50 {1000 * pct(seconds, 50):6.2f} ms   p95 {1000 * pct(seconds, 95):6.2f} ms")
    print(f"  outputs sent per update: {result['bytes'] / 1024:.1f} KiB of JSON")
    full = result["figures"]["full update through Gradio"]
    return {"p50_ms": 1000 * pct(full, 50), "p95_ms": 1000 * pct(full, 95)}


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500, help="drawings to time (default: 500)")
    parser.add_argument("--model", default="lenet5", choices=["lenet5", "lenet1"], help="network (default: lenet5)")
    args = parser.parse_args(argv)
    figures = report(measure(args.n, args.model))
    verdict = "meets" if figures["p50_ms"] <= TARGET_MS else "MISSES"
    print(f"  full update p50 {figures['p50_ms']:.1f} ms {verdict} the target of {TARGET_MS:.0f} ms")
    return figures


if __name__ == "__main__":
    main()
