"""How well does the app read digits drawn at any size, place and pen width? A benchmark, not a test.

    python -m bench.canvas_accuracy [--n 300] [--seed 0] [--model lenet5] [--url URL] [--plot docs/canvas-accuracy.png]

MNIST test digits are drawn onto the app's 280 px canvas as a user might draw them: scaled so
the digit is 15–95 % of the canvas high, put anywhere it fits, and with a pen from 0.4× to 3×
MNIST's width (the enlarged digit is thinned or thickened). Each canvas goes through the app's
real HTTP API (``/predict``, with gradio_client; the app is served in-process unless ``--url``
names a running one), exactly as a drawing from the browser does. The script prints the accuracy
overall, by size and by pen width, next to the network's accuracy on the same digits fed directly
as 28×28 images, and draws both as a figure for the README.
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
    parser.add_argument("--n", type=int, default=300, help="MNIST test digits to draw (default: 300)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the digits, sizes, places, pens")
    parser.add_argument("--model", default="lenet5", choices=["lenet5", "lenet1"], help="network to ask")
    parser.add_argument("--url", default=None, help="a running app (default: serve app.py in-process)")
    parser.add_argument("--data-dir", default=str(ROOT / "data"), help="holds MNIST/raw (default: data/)")
    parser.add_argument("--plot", default=None, help="write the figure here (e.g. docs/canvas-accuracy.png)")
    args = parser.parse_args(argv)

    import torch
    from gradio_client import Client, handle_file

    from lenet.data import load_split

    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    images, labels = load_split("test", args.data_dir)
    pick = rng.choice(len(labels), size=args.n, replace=False)
    digits, truth = images[pick, 0].numpy(), labels[pick].numpy()
    heights = rng.uniform(0.15, 0.95, args.n)
    pens = np.exp(rng.uniform(np.log(0.4), np.log(3.0), args.n))

    app = None
    url = args.url
    if url is None:
        import app

        _, url, _ = app.launch(
            server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True
        )
    try:
        direct = _direct_predictions(app, args.model, digits) if app else None
        client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
        read = np.empty(args.n, dtype=np.int64)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(args.n):
                path = Path(tmp) / f"{i}.png"
                Image.fromarray(draw_on_canvas(digits[i], heights[i], pens[i], rng)).save(path)
                value = {"background": None, "layers": [], "composite": handle_file(str(path)), "id": None}
                label, _, _ = client.predict(value, args.model, api_name="/predict")
                read[i] = int(label["label"]) if label.get("label") else -1
                print(f"\r{i + 1}/{args.n}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        seconds = time.perf_counter() - start
    finally:
        if app is not None:
            app.demo.close()

    right = read == truth
    print(f"{args.model}: {right.mean():.1%} of {args.n} MNIST test digits drawn on the canvas read right")
    if direct is not None:
        print(f"          {(direct == truth).mean():.1%} of the same digits fed directly as 28×28 images")
    print(f"          {1000 * seconds / args.n:.0f} ms per round trip through the API")
    rows = []
    for name, values, bins in (("height", heights, SIZE_BINS), ("pen", pens, PEN_BINS)):
        for lo, hi in bins:
            inside = (values >= lo) & (values < hi)
            acc = right[inside].mean() if inside.any() else float("nan")
            rows.append((name, lo, hi, int(inside.sum()), acc))
            print(f"  {name} {lo:.2f}–{hi:.2f}: {acc:.1%} of {int(inside.sum())}")
    if args.plot:
        _plot(rows, right.mean(), None if direct is None else (direct == truth).mean(), args)
    return 0


def _direct_predictions(app, model: str, digits: np.ndarray) -> np.ndarray:
    import torch

    with torch.no_grad():
        return app.NETWORKS[model].net(torch.from_numpy(digits)[:, None]).argmax(1).numpy()


def _plot(rows, overall: float, direct: float | None, args) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    for ax, name, title in (
        (axes[0], "height", "digit height / canvas"),
        (axes[1], "pen", "pen / MNIST's pen"),
    ):
        sel = [r for r in rows if r[0] == name]
        ax.bar(
            [f"{lo:g}–{hi:g}\n(n={n})" for _, lo, hi, n, _ in sel], [100 * r[4] for r in sel], color="#d97706"
        )
        ax.axhline(100 * overall, color="#374151", lw=1, ls="--", label=f"all drawn: {overall:.1%}")
        if direct is not None:
            ax.axhline(100 * direct, color="#2563eb", lw=1, ls=":", label=f"same digits, 28×28: {direct:.1%}")
        ax.set_xlabel(title)
        ax.set_ylim(80, 100.5)
    axes[0].set_ylabel("read right (%)")
    axes[1].legend(loc="lower right", fontsize=8)
    fig.suptitle(
        f"{args.model}: {args.n} MNIST test digits drawn on the canvas, through the API (seed {args.seed})"
    )
    fig.tight_layout()
    Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.plot, dpi=110)
    print(f"wrote {args.plot}")


if __name__ == "__main__":
    raise SystemExit(main())
