"""Which weights the tests use: the shipped ones in weights/ (or LENET_WEIGHTS_DIR, as app.py does).
Where they do not exist yet, the tests that need a trained network check TRAINED and skip."""

from __future__ import annotations

import os

from lenet.checkpoint import WEIGHTS_DIR, weights_path

WEIGHTS = os.environ.get("LENET_WEIGHTS_DIR", str(WEIGHTS_DIR))
TRAINED = all(weights_path(name, WEIGHTS).is_file() for name in ("lenet5", "lenet1"))
NEEDS_TRAINED = "needs the shipped weights weights/lenet5.safetensors and weights/lenet1.safetensors"


def untrained(name: str, log: dict | None = None, seed: int = 0):
    """A :class:`lenet.network.Network` with freshly initialised weights (seeded) and the given
    training log, for the views' tests: no weights file needed."""
    import torch

    from lenet.model import build_model
    from lenet.network import TITLES, Network

    torch.manual_seed(seed)
    net = build_model(name).eval()
    return Network(name, TITLES[name], net, net.layers(), temperature=1.0, unsure_gap=1.0, log=log or {})
