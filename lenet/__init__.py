"""The 1998 system, usable without a browser: LeNet-5 and LeNet-1, MNIST, distortions, both training
recipes, evaluation, checkpoints, reading one digit and occlusion maps; ``lenet.number`` reads whole
numbers (sections IV–V). It never imports gradio and never writes HTML (the page is ``explorer/``;
CI's ruff check enforces the first rule).

    from lenet import load_model
    net = load_model("lenet5")  # the shipped network, in eval mode: net(x) → class scores (B, 10)

Names are imported on first use, so that ``lenet.paper`` cost no torch import.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_model", "load_network"]


def __getattr__(name: str) -> Any:
    if name == "load_model":
        from lenet.checkpoint import load_model

        return load_model
    if name == "load_network":
        from lenet.network import load_network

        return load_network
    raise AttributeError(f"module 'lenet' has no attribute {name!r}")
