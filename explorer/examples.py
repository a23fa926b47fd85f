"""Write the app's one-click examples: MNIST test digits as small PNGs in ``examples/``.

    python -m explorer.examples [--data-dir data] [--out examples] [--per-digit 1]

The app never reads MNIST at run time; it ships these files. The choice is deterministic: for each
digit 0–9, the first ``--per-digit`` test images with that label (the test set is in a fixed order).
Each PNG is the 28×28 MNIST image as stored — white ink on black — which also shows that the
preprocessing does not care about polarity. The MNIST database is by Yann LeCun, Corinna Cortes
and Christopher J.C. Burges (CC BY-SA 3.0).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from lenet.data import DEFAULT_DATA_DIR, load_split

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"


def example_paths(directory: Path | str = EXAMPLES_DIR) -> list[Path]:
    """The shipped example files, sorted by digit then test-set index."""
    return sorted(Path(directory).glob("mnist-test-*.png"), key=lambda p: (p.stem.split("-")[3], p.stem))


def write_examples(data_dir: Path | str, out: Path | str, per_digit: int = 1) -> list[Path]:
    """Write ``per_digit`` test images of each digit to ``out``; returns the paths written."""
    images, labels = load_split("test", data_dir)
    images, labels = images[:, 0].numpy(), labels.numpy()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for digit in range(10):
        for index in np.flatnonzero(labels == digit)[:per_digit]:
            path = out / f"mnist-test-{index:04d}-{digit}.png"
            Image.fromarray((images[index] * 255.0 + 0.5).astype(np.uint8)).save(path, optimize=True)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), help="holds MNIST/raw (default: data/)")
    parser.add_argument(
        "--out", default=str(EXAMPLES_DIR), help="where to write the PNGs (default: examples/)"
    )
    parser.add_argument("--per-digit", type=int, default=1, help="test images per digit (default: 1)")
    args = parser.parse_args(argv)
    paths = write_examples(args.data_dir, args.out, args.per_digit)
    print(f"wrote {len(paths)} examples to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
