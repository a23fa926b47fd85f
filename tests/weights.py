"""Which weights the tests use: the shipped ones in weights/ (or LENET_WEIGHTS_DIR, as app.py does).
Where they do not exist, a check that needs a trained network calls :func:`require_trained` (or
the ``trained`` fixture): the rest of the test is skipped — after every check that holds without
weights has run — except under CI=true, where the weights are shipped and their absence fails."""

from __future__ import annotations

import os

import pytest

from lenet.checkpoint import WEIGHTS_DIR, architecture, weights_path
from lenet.network import TITLES

WEIGHTS = os.environ.get("LENET_WEIGHTS_DIR", str(WEIGHTS_DIR))
SERVED = (*TITLES, "lenet5-global", "lenet5-pieces", "lenet5-sdnn")  # the page's networks, and the number tab's three
TRAINED = all(weights_path(name, WEIGHTS).is_file() for name in SERVED)
NEEDS_TRAINED = "needs the shipped weights of every network the page offers: " + ", ".join(
    f"weights/{name}.safetensors" for name in SERVED
)


def require_trained(*names: str) -> None:
    """Go on only with the shipped weights of ``names`` (default: every network the page offers):
    without them skip the rest of the test, or fail it under CI=true (tests/conftest.py does the
    same for MNIST and Chromium)."""
    missing = [name for name in names or SERVED if not weights_path(name, WEIGHTS).is_file()]
    if not missing:
        return
    need = "needs the shipped weights " + ", ".join(f"weights/{name}.safetensors" for name in missing)
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the rest of this test {need}")
    pytest.skip(need)


def untrained(name: str, log: dict | None = None, seed: int = 0):
    """A :class:`lenet.network.Network` with freshly initialised weights (seeded) and the given
    training log, for the views' tests: no weights file needed."""
    import torch

    from lenet.model import build_model
    from lenet.network import Network

    torch.manual_seed(seed)
    net = build_model(architecture(name)).eval()
    return Network(name, TITLES[name], net, net.layers(), temperature=1.0, unsure_gap=1.0, log=log or {})
