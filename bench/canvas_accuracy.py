"""How well does the app read digits drawn at any size, place and pen width? A benchmark, not a test.

    python -m bench.canvas_accuracy [--n 1600] [--seed 0] [--model lenet5] [--url URL] [--plot docs/canvas-accuracy.png]
    python -m bench.canvas_accuracy --split validation --weights runs/cand/lenet5/lenet5.safetensors   # to choose

MNIST digits are drawn onto the app's 280 px canvas as a user might draw them: scaled so
the digit is 15–95 % of the canvas high, put anywhere it fits, and with a pen from 0.4× to 3×
MNIST's width (the enlarged digit is thinned or thickened). Each canvas goes through the app's
real HTTP API (``/predict``, with gradio_client; the app is served in-process unless ``--url``
names a running one), exactly as a drawing from the browser does. The script prints the accuracy
overall and in each size × pen-width cell, next to the network's accuracy on the same digits fed
directly as 28×28 images, and draws the grid as a figure for docs/RESULTS.md. With ``--weights`` the
drawings are read in-process (the app's ``lenet.preprocess`` and those weights): that is how
candidate weights are compared, on ``--split validation``, never on the test digits.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
CANVAS = 280
SIZE_BINS = [(0.15, 0.35), (0.35, 0.55), (0.55, 0.75), (0.75, 0.95)]  # digit height / canvas
PEN_BINS = [(0.4, 0.8), (0.8, 1.25), (1.25, 2.0), (2.0, 3.0)]  # pen width / MNIST's pen width
MNIST_PEN = 1.9 / 20  # MNIST's median pen width over its digits' 20 px box (lenet.preprocess)


def draw_on_canvas(digit: np.ndarray, height: float, pen: float, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit (28, 28) ink in [0, 1] → opaque white RGBA canvas (280, 280, 4) uint8 with
    black ink: the digit's 20 px box scaled to ``height`` × the canvas, its pen scaled by ``pen``,
    placed at random where it fits."""
    rows, cols = np.nonzero(digit > 0.05)
    crop = digit[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    s = height * CANVAS / max(crop.shape)
    size = (max(1, round(crop.shape[1] * s)), max(1, round(crop.shape[0] * s)))
    ink = Image.fromarray((crop * 255).astype(np.uint8)).resize(size, Image.Resampling.BICUBIC)
    change = round((pen - 1.0) * MNIST_PEN * max(size))  # pixels of pen width to add or remove
    if abs(change) >= 2:
        k = abs(change) // 2 * 2 + 1  # rank filters want odd sizes
        ink = ink.filter(ImageFilter.MaxFilter(k) if change > 0 else ImageFilter.MinFilter(min(k, 5)))
    a = np.asarray(ink)
    h, w = a.shape
    top, left = rng.integers(0, CANVAS - h + 1), rng.integers(0, CANVAS - w + 1)
    grey = np.full((CANVAS, CANVAS), 255, dtype=np.uint8)
    grey[top : top + h, left : left + w] = 255 - a
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1600, help="MNIST digits to draw (default: 1600, ~100 a cell)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the digits, sizes, places, pens")
    parser.add_argument("--model", default="lenet5", help="network to ask (a name the app offers)")
    parser.add_argument("--split", default="test", choices=["test", "validation"],
                        help="MNIST digits to draw: test for the reported figure, validation to choose")  # fmt: skip
    parser.add_argument("--weights", default=None,
                        help="read in-process with these weights (.safetensors), the app's preprocessing, no "
                        "HTTP: for comparing candidate weights on the validation split")  # fmt: skip
    parser.add_argument("--url", default=None, help="a running app (default: serve app.py in-process)")
    parser.add_argument("--data-dir", default=str(ROOT / "data"), help="holds MNIST/raw (default: data/)")
    parser.add_argument("--plot", default=None, help="write the figure here (e.g. docs/canvas-accuracy.png)")
    args = parser.parse_args(argv)

    import torch

    from lenet.data import load_split

    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    images, labels = load_split(args.split, args.data_dir)
    pick = rng.choice(len(labels), size=args.n, replace=False)
    digits, truth = images[pick, 0].numpy(), labels[pick].numpy()
    heights = rng.uniform(0.15, 0.95, args.n)
    pens = np.exp(rng.uniform(np.log(0.4), np.log(3.0), args.n))
    canvases = (draw_on_canvas(digits[i], heights[i], pens[i], rng) for i in range(args.n))

    start = time.perf_counter()
    if args.weights:
        read, direct = _read_in_process(args.model, args.weights, canvases, digits)
        how = "in-process (the app's preprocessing, no HTTP)"
    else:
        read, direct = _read_through_api(args, canvases, digits)
        how = "through the API"
    seconds = time.perf_counter() - start

    right = read == truth
    source = f"MNIST {args.split} digits"
    print(f"{args.model}: {right.mean():.2%} of {args.n} {source} drawn on the canvas read right, {how}")
    if direct is not None:
        print(f"          {(direct == truth).mean():.2%} of the same digits fed directly as 28×28 images")
    print(f"          {1000 * seconds / args.n:.0f} ms per drawing")
    grid = np.full((len(SIZE_BINS), len(PEN_BINS)), np.nan)
    counts = np.zeros_like(grid, dtype=int)
    print(
        "  digit height / canvas  ×  pen / MNIST's pen: " + "  ".join(f"{lo:g}–{hi:g}".rjust(13) for lo, hi in PEN_BINS)
    )
    for i, (hlo, hhi) in enumerate(SIZE_BINS):
        for j, (plo, phi) in enumerate(PEN_BINS):
            inside = (heights >= hlo) & (heights < hhi) & (pens >= plo) & (pens < phi)
            counts[i, j] = int(inside.sum())
            grid[i, j] = right[inside].mean() if inside.any() else np.nan
        cells = "  ".join(f"{grid[i, j]:6.1%} ({counts[i, j]:3d})" for j in range(len(PEN_BINS)))
        print(f"  height {hlo:.2f}–{hhi:.2f}{'':27}{cells}")
    worst = np.unravel_index(np.nanargmin(grid), grid.shape)
    print(f"  weakest cell: {grid[worst]:.1%} (height {SIZE_BINS[worst[0]]}, pen {PEN_BINS[worst[1]]})")
    if args.plot:
        _plot(grid, counts, right.mean(), None if direct is None else (direct == truth).mean(), args, how)
    return 0


def _read_through_api(args, canvases, digits: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Each canvas as the browser sends it, to ``/predict``; -1 where the app gives no digit."""
    from gradio_client import Client, handle_file

    app = None
    url = args.url
    if url is None:
        import app

        _, url, _ = app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    try:
        direct = _direct_predictions(app.NETWORKS[args.model].net, digits) if app else None
        client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
        read = np.empty(len(digits), dtype=np.int64)
        with tempfile.TemporaryDirectory() as tmp:
            for i, canvas in enumerate(canvases):
                path = Path(tmp) / f"{i}.png"
                Image.fromarray(canvas).save(path)
                value = {"background": None, "layers": [], "composite": handle_file(str(path)), "id": None}
                label = client.predict(value, args.model, api_name="/predict")[0]
                read[i] = int(label["label"]) if label.get("label") else -1
                print(f"\r{i + 1}/{len(digits)}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    finally:
        if app is not None:
            app.demo.close()
    return read, direct


def _read_in_process(name: str, weights: str, canvases, digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The app's preprocessing and the network from ``weights``, without a server; -1 where the
    preprocessing refuses the drawing (as the app would)."""
    import torch

    from lenet.checkpoint import load_model
    from lenet.preprocess import UnreadableImage, preprocess

    net = load_model(name, path=weights)
    inputs, readable = [], []
    for canvas in canvases:
        try:
            digit = preprocess(canvas)
        except UnreadableImage:
            digit = None
        readable.append(digit is not None)
        inputs.append(digit if digit is not None else np.zeros((28, 28), np.float32))
    with torch.no_grad():
        read = net(torch.from_numpy(np.stack(inputs))[:, None].float()).argmax(1).numpy()
    return np.where(readable, read, -1), _direct_predictions(net, digits)


def _direct_predictions(net, digits: np.ndarray) -> np.ndarray:
    import torch

    with torch.no_grad():
        return net(torch.from_numpy(digits)[:, None]).argmax(1).numpy()


def _plot(grid, counts, overall: float, direct: float | None, args, how: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    im = ax.imshow(100 * grid, cmap="RdYlGn", vmin=90, vmax=100, origin="lower")
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            ax.text(j, i, f"{100 * grid[i, j]:.1f}%\n(n={counts[i, j]})", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(PEN_BINS)), [f"{lo:g}–{hi:g}×" for lo, hi in PEN_BINS])
    ax.set_yticks(range(len(SIZE_BINS)), [f"{lo:.0%}–{hi:.0%}" for lo, hi in SIZE_BINS])
    ax.set_xlabel("pen width / MNIST's pen width")
    ax.set_ylabel("digit height / canvas height")
    fig.colorbar(im, ax=ax, label="read right (%)")
    line = f"all drawn: {overall:.1%}" + (f"; the same digits fed as 28×28: {direct:.1%}" if direct is not None else "")
    ax.set_title(f"{args.model}: {args.n} MNIST {args.split} digits drawn on the canvas, {how}\n{line}", fontsize=9)
    fig.tight_layout()
    Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.plot, dpi=110)
    print(f"wrote {args.plot}")


if __name__ == "__main__":
    raise SystemExit(main())
