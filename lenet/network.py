"""One network as the page and the tools use it: the module with its shipped weights and everything
that travels with them — its name, its title, its layer table, its calibration, its "unsure" gap
and the figures recorded when it was trained and evaluated.

    from lenet.network import load_network
    lenet5 = load_network("lenet5")
    reading = lenet5.read(digit)  # digit: float32 (28, 28) in [0, 1], ink = 1 (lenet.preprocess)

A string is a ``name`` ("lenet5": the weights file ``weights/<name>.safetensors``, the page's
choice); a module is a ``net``. Offering another network on the page is one line of ``TITLES``
and its weights file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lenet.checkpoint import WEIGHTS_DIR, load_model
from lenet.model import LayerInfo, _LeNet
from lenet.reading import Reading, read_digit, temperature, unsure_gap

# The networks the page offers, in the order of its switch: name → title.
TITLES = {"lenet5": "LeNet-5", "lenet1": "LeNet-1", "lenet5-paper": "LeNet-5 · trained as in 1998"}
DEFAULT = "lenet5"


def log_path(name: str, weights_dir: Path | str = WEIGHTS_DIR) -> Path:
    """The training log beside the weights (written by ``python -m lenet.train``)."""
    return Path(weights_dir) / f"{name}.json"


def read_log(name: str, weights_dir: Path | str = WEIGHTS_DIR) -> dict:
    """The training log of ``name``, or {} when it is missing or unreadable: an unreadable log costs
    the teaching views their numbers, not the app."""
    path = log_path(name, weights_dir)
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except (OSError, ValueError):
        return {}


def frozen_from_log(log: dict) -> dict:
    """The training log of the 50,000-image run that an ``--all-60000`` retrain's ``log`` was frozen
    from (its ``reference``: the run's weights, a path in the repository), or {} for any other log."""
    reference = log.get("reference")
    if not reference:
        return {}
    path = Path(reference) if Path(reference).is_absolute() else WEIGHTS_DIR.parent / reference
    try:
        return json.loads(path.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return {}


@dataclass(frozen=True, eq=False)
class Network:
    """A loaded network and what belongs to it."""

    name: str  # "lenet5": its weights file and the page's choice
    title: str  # "LeNet-5", as the page writes it
    net: _LeNet  # the module with its weights, in eval mode, on the CPU
    layers: list[LayerInfo]  # net.layers(): maps, size, kernel, parameters, connections per layer
    temperature: float  # calibrates the confidences (lenet.reading)
    unsure_gap: float  # "unsure" below this lead of the answer over the second choice (lenet.reading)
    log: dict = field(default_factory=dict)  # recorded figures: weights/<name>.json, {} when not shipped

    @property
    def arch(self) -> str:
        """The architecture, "lenet5" or "lenet1": what the paper's figures and the captions follow."""
        return self.net.name

    @property
    def input_size(self) -> int:
        """Side of the field the network sees: 32 for LeNet-5, 28 for LeNet-1."""
        return self.net.input_size

    @property
    def test_error(self) -> float | None:
        """MNIST test error (a fraction) as recorded with the weights, None when not recorded."""
        error = self.log.get("test_error")
        return float(error) if error is not None else None

    def read(self, digit: np.ndarray) -> Reading:
        """One reading of a 28×28 digit (float32 in [0, 1], ink = 1), calibrated and with doubt."""
        return read_digit(self.net, digit, self.unsure_gap, self.temperature)


def load_network(name: str, weights_dir: Path | str = WEIGHTS_DIR, title: str | None = None) -> Network:
    """The network ``name`` with its shipped weights and metadata from ``weights_dir``. Raises
    :class:`lenet.checkpoint.WeightsError` (its message names the fix) when the weights are unusable."""
    net = load_model(name, weights_dir)
    return Network(
        name=name,
        title=title or TITLES.get(name, name),
        net=net,
        layers=net.layers(),
        temperature=temperature(name, weights_dir),
        unsure_gap=unsure_gap(name, weights_dir),
        log=read_log(name, weights_dir),
    )
