"""What the benchmarks share: the weights to serve, servers in their own processes, drawings as the
browser sends them, a lean HTTP client that speaks Gradio's protocol, and percentiles.

The client does what the page does for each drawing — upload the PNG (``/gradio_api/upload``), join
the queue (``/gradio_api/queue/join``), read the event stream (``/gradio_api/queue/data``) until
the result — with one asyncio loop and a few kilobytes per request, so that 32 simulated pupils do
not cost the 2-core machine more than the server under test. (gradio_client does the same with a
thread per request.)
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent

CANVAS = 280


# --- weights -------------------------------------------------------------------------------------


def weights_env() -> tuple[dict[str, str], str]:
    """Environment for serving the app, and a note on the weights: the shipped ones where both files
    exist (or LENET_WEIGHTS_DIR), else untrained stand-ins in a temporary folder — every figure here
    is a cost, and a forward pass costs the same whatever the weights hold."""
    from lenet.checkpoint import WEIGHTS_DIR, weights_path

    folder = Path(os.environ.get("LENET_WEIGHTS_DIR", WEIGHTS_DIR))
    if all(weights_path(n, folder).is_file() for n in ("lenet5", "lenet1")):
        return {"LENET_WEIGHTS_DIR": str(folder)}, f"weights: {folder}"
    import torch

    from lenet.checkpoint import save_model
    from lenet.model import build_model

    stand_in = Path(tempfile.mkdtemp(prefix="lenet-bench-weights-"))
    torch.manual_seed(0)
    for name in ("lenet5", "lenet1"):
        source = weights_path(name, folder)
        if source.is_file():
            (stand_in / source.name).write_bytes(source.read_bytes())
        else:
            save_model(build_model(name), weights_path(name, stand_in), {"note": "untrained stand-in for bench/"})
    return {"LENET_WEIGHTS_DIR": str(stand_in)}, f"weights: untrained stand-ins where {folder} lacks them"


# --- drawings ------------------------------------------------------------------------------------


def drawings(n: int = 64, seed: int = 0) -> list[bytes]:
    """``n`` different PNGs as the Sketchpad exports them: 280×280 opaque white RGBA, black ink —
    the shipped MNIST examples enlarged to 40–90 % of the canvas and placed at random."""
    from explorer.examples import example_paths

    rng = np.random.default_rng(seed)
    digits = [np.asarray(Image.open(p).convert("L")) for p in example_paths()]
    out = []
    for i in range(n):
        digit = Image.fromarray(digits[i % len(digits)])
        side = int(rng.uniform(0.4, 0.9) * CANVAS)
        ink = np.asarray(digit.resize((side, side), Image.Resampling.BILINEAR))
        top, left = rng.integers(0, CANVAS - side + 1, size=2)
        grey = np.full((CANVAS, CANVAS), 255, np.uint8)
        grey[top : top + side, left : left + side] = 255 - ink
        rgba = np.dstack([grey, grey, grey, np.full_like(grey, 255)])
        buffer = io.BytesIO()
        Image.fromarray(rgba).save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


# --- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    """Resident size of a process (or its peak, with ``field_name="VmHWM"``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """``python app.py`` (or a module, ``python -m bench.floor_app``) in its own process on a free
    port, from the repository root; ``with`` waits for its first page and stops it at the end.
    ``started_in`` is the cold start, in seconds."""

    def __init__(self, script: str = "app.py", args: tuple[str, ...] = (), env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        run = [script] if script.endswith(".py") else ["-m", script]  # a file, or a module
        self.command = [sys.executable, *run, *args]
        self.env = {
            **os.environ,
            **(env or {}),
            "GRADIO_SERVER_NAME": "127.0.0.1",
            "GRADIO_SERVER_PORT": str(self.port),
        }
        self.env.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        self.process: subprocess.Popen | None = None
        self.started_in = float("nan")

    def __enter__(self) -> Server:
        return self.start().ready()

    def start(self) -> Server:
        """Start the process and return at once (:meth:`ready` waits for its first page): several
        servers can start together (``python -m bench --quick`` starts its servers so)."""
        self.log = tempfile.TemporaryFile("w+")  # not a pipe: a chatty server must never block on it
        self._started = time.perf_counter()
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def ready(self) -> Server:
        """Wait until the server answers its first page; ``started_in`` is then the time since :meth:`start`."""
        import httpx

        if self.started_in == self.started_in:  # not NaN: already waited for
            return self
        while True:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"{' '.join(self.command)} exited: {self.log.read()[-2000:]}")
            try:
                if httpx.get(self.url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - self._started > 180:
                self.__exit__()
                raise RuntimeError(f"{' '.join(self.command)} served nothing in 180 s")
            time.sleep(0.02)
        self.started_in = time.perf_counter() - self._started
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    @property
    def pid(self) -> int:
        return self.process.pid


# --- the client ----------------------------------------------------------------------------------


class Refused(Exception):
    """The server answered the join with an error status (503: the queue is full)."""


@dataclass
class Api:
    """One simulated page (one session) talking to a Gradio server over HTTP."""

    client: object  # httpx.AsyncClient
    url: str
    fn_index: int
    inputs: int = -1  # how many inputs the event takes (-1: not checked)
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    served: float = float("nan")  # seconds from the server's "process_starts" to its result, last call

    @classmethod
    async def connect(cls, client, url: str, api_name: str = "predict") -> Api:
        config = (await client.get(url.rstrip("/") + "/config")).json()
        found = {d.get("api_name"): d for d in config["dependencies"]}[api_name]
        return cls(client, url.rstrip("/") + "/gradio_api", found["id"], len(found["inputs"]))

    async def predict(self, png: bytes, *extra) -> list:
        """Upload a drawing, run /predict on it, return the outputs; raises on any failure."""
        return await self.call(await self.sketch(png), *extra)

    async def sketch(self, png: bytes) -> dict:
        """Upload a drawing: the Sketchpad value that names it, as /predict and /read_number take it."""
        r = await self.client.post(self.url + "/upload", files={"files": ("composite.png", png, "image/png")})
        r.raise_for_status()
        composite = {"path": r.json()[0], "orig_name": "composite.png", "meta": {"_type": "gradio.FileData"}}
        return {"background": None, "layers": [], "composite": composite, "id": None}

    async def call(self, *data) -> list:
        """Queue one event with ``data`` as its inputs and wait for its outputs, as the browser does;
        raises :class:`Refused` when the queue turns it away, RuntimeError when it fails, and
        TypeError when ``data`` is not one value per input of the event (the page has changed: a
        benchmark that sends what the page no longer sends measures nothing)."""
        if self.inputs >= 0 and len(data) != self.inputs:
            raise TypeError(f"the event takes {self.inputs} inputs, the benchmark sends {len(data)}: update it")
        body = {"data": list(data), "fn_index": self.fn_index, "session_hash": self.session, "event_data": None}
        r = await self.client.post(self.url + "/queue/join", json=body)
        if r.status_code != 200:
            raise Refused(f"{r.status_code}: {r.text[:200]}")
        started = float("nan")
        async with self.client.stream("GET", self.url + "/queue/data", params={"session_hash": self.session}) as s:
            async for line in s.aiter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_starts":
                        started = time.perf_counter()
                    if message.get("msg") == "process_completed":
                        self.served = time.perf_counter() - started
                        if not message.get("success"):
                            raise RuntimeError(f"failed: {message.get('output')}")
                        return message["output"]["data"]
        raise RuntimeError("the event stream closed without a result")


def http_client():
    import httpx

    return httpx.AsyncClient(timeout=httpx.Timeout(60.0), limits=httpx.Limits(max_connections=None))


async def run_users(
    url: str, users: int, each: int, pngs: list[bytes], extra=("lenet5",), warmup: int = 0, on_warm=None
) -> dict:
    """``users`` pages at once, each sending ``each`` drawings one after another (the next as soon
    as the answer to the last is back). With ``warmup``, every page first sends that many drawings,
    not counted, and ``on_warm()`` is called once they are all answered. Returns the latencies (s),
    failures, wall time, throughput (answers/s) and what ``on_warm`` returned."""
    async with http_client() as client:
        apis = [await Api.connect(client, url) for _ in range(users)]
        latencies: list[float] = []
        failures: list[str] = []

        async def user(k: int, api: Api, n: int, record: bool) -> None:
            for i in range(n):
                start = time.perf_counter()
                try:
                    await api.predict(pngs[(k * n + i) % len(pngs)], *extra)
                    if record:
                        latencies.append(time.perf_counter() - start)
                except Exception as exc:  # counted, not raised: failures are a figure
                    if record:
                        failures.append(f"{type(exc).__name__}: {exc}"[:200])

        warm = None
        if warmup:
            await asyncio.gather(*(user(k, api, warmup, False) for k, api in enumerate(apis)))
            warm = on_warm() if on_warm else None
        start = time.perf_counter()
        await asyncio.gather(*(user(k, api, each, True) for k, api in enumerate(apis)))
        wall = time.perf_counter() - start
    return {
        "latencies": latencies,
        "failures": failures,
        "wall": wall,
        "throughput": len(latencies) / wall,
        "after_warmup": warm,
    }


# --- figures -------------------------------------------------------------------------------------


def pct(values, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if len(values) else float("nan")


def machine() -> str:
    """CPU model, cores and load, for the record."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return f"{model}, {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
