"""What a run leaves: the weights with their metadata, the log with its history, and (for a
candidate) its training curve.

The metadata and the log hold the same record: the settings, the data, the calibration on the
validation split (``lenet.evaluate.calibrate``), and where each setting was chosen
(``settings_chosen``, ``lenet/provenance.py``) with the command that retrains it (``reproduce``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
from pathlib import Path

import torch

from lenet.checkpoint import WEIGHTS_DIR, save_model
from lenet.data import DEFAULT_DATA_DIR
from lenet.provenance import reproduce, selected_on, settings_chosen, with_threads


def command(tool: str, argv: list[str], threads: int) -> str:
    """The command that ran, as a log records it (``python -m lenet.train ...``, its threads included)."""
    return with_threads(f"python -m {tool} " + " ".join(shlex.quote(a) for a in argv), threads)


def without_options(argv: list[str], *names: str) -> list[str]:
    """The command line minus the options ``names`` (each as ``--name value`` or ``--name=value``)."""
    out, skip = [], False
    for a in argv:
        if skip or any(a.startswith(f"{name}=") for name in names):
            skip = False
            continue
        if a in names:
            skip = True
            continue
        out.append(a)
    return out


def add_run_options(p: argparse.ArgumentParser, cache: str | None = None) -> None:
    """The options every number training shares (lenet/number/): --seed, --threads, --data-dir,
    --out-dir, --quiet, and --cache (with its ``cache`` help) where the training keeps one."""
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--out-dir", type=Path, default=WEIGHTS_DIR)
    if cache is not None:
        p.add_argument("--cache", type=Path, default=None, help=cache)
    p.add_argument("--quiet", action="store_true")


def parse_run(p: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """``argv`` (default: the command line) parsed by ``p``; ``args.argv`` is what the log records,
    without --out-dir and --cache (neither where the files go nor a cache changes the result)."""
    argv = sys.argv[1:] if argv is None else argv
    args = p.parse_args(argv)
    args.argv = without_options(argv, "--out-dir", "--cache")
    return args


def without_out_dir(argv: list[str]) -> list[str]:
    """The command line minus ``--out-dir``: where files go does not change what is trained."""
    return without_options(argv, "--out-dir")


def in_repository(path: Path | str) -> str:
    """``path`` relative to the repository when it lies in it (as a log records ``init``), else as given."""
    path, root = Path(path).resolve(), WEIGHTS_DIR.resolve().parent
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, torch {torch.__version__}, {platform.python_version()}"


def write_run(final: torch.nn.Module, name: str, info: dict, history: list[dict], out_dir: Path,
              defaults: dict, family: str, reference: str | None = None, curve: bool = False) -> dict:  # fmt: skip
    """Add the provenance to ``info`` (``defaults``: what each setting left out means, for the
    network ``family``; ``reference``: the run an ``--all-60000`` run was frozen from) and write
    OUT_DIR/<name>.safetensors (``info`` as metadata), <name>.json (``info`` and the ``history``)
    and, with ``curve``, <name>_curve.png. Returns ``info`` with its history."""
    chosen = settings_chosen(info, defaults, family, reference)
    info.update(settings_chosen=chosen, selected_on=selected_on(chosen), reproduce=reproduce(info))
    save_model(final, out_dir / f"{name}.safetensors", info)
    info["history"] = history
    (out_dir / f"{name}.json").write_text(json.dumps({"model": name, **info}, indent=1) + "\n")
    if curve:
        write_curve({"model": name, **info}, out_dir / f"{name}_curve.png")
    return info


def write_curve(log: dict, path: Path) -> None:
    """The training curves (``lenet.curves``); epochs without a validation error (``--all-60000``)
    are drawn as gaps."""
    from lenet.card import plot_curve

    plot_curve(log, path)
