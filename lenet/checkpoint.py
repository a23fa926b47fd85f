"""Shipped weights: safetensors files in ``weights/`` that carry their own metadata.

A checkpoint holds the model's state dict (nothing is unpickled when it is read) and, in the
safetensors header, the model name, the training recipe and the measured metrics as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from lenet.model import VARIANTS, build_model

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
# The networks that can ship, by name; a name's first part is its architecture (lenet.model.MODELS).
# "-paper": trained with the paper's recipe (SDLM, lenet/sdlm.py); "-distort": with its distortions.
# "-pieces": LeNet-5 fine-tuned on the pieces of the segmentation graph (lenet/number/train_pieces.py).
# "-sdnn": LeNet-5 fine-tuned on windows of written numbers, read as an SDNN (lenet/number/train_sdnn.py).
# "-global": lenet5-pieces trained through the whole graph (section VI, lenet/number/global_training.py).
NETWORKS = ("lenet5", "lenet1", "lenet5-paper", "lenet5-paper-distort", "lenet1-paper", "lenet5-pieces", "lenet5-sdnn",
            "lenet5-global")  # fmt: skip

# Issue 17: choose on the validation split, then retrain on all 60,000 training images with every
# setting frozen (epochs included) and ship that. The one place that says which networks ship such a
# retrain (``python -m lenet.train --all-60000 --calibration-from weights/50k/NAME.safetensors``):
# weights/NAME.* is the 60,000-image network, weights/50k/NAME.* the 50,000-image run it was frozen
# from, chosen and calibrated on validation (its validation and test figures). A network not listed
# ships its 50,000-image run in weights/ and has no weights/50k/ files. Adding one: its 50,000-image
# files into weights/50k/, the retrain into weights/, its name here (README, "The weights on all 60,000").
ON_60000 = ("lenet5", "lenet1", "lenet5-paper", "lenet1-paper", "lenet5-paper-distort")
RUNS_50000 = "50k"  # the folder under weights/ of the 50,000-image runs that a 60,000-image retrain replaced


def chosen_run_dir(name: str, weights_dir: Path | str = WEIGHTS_DIR) -> Path:
    """Where the 50,000-image run of ``name`` that was chosen on validation lies: weights/50k/ for a
    network shipped as its all-60,000 retrain (:data:`ON_60000`), else ``weights_dir`` itself."""
    return Path(weights_dir) / RUNS_50000 if name in ON_60000 else Path(weights_dir)


def architecture(name: str) -> str:
    """``"lenet5-paper"`` → ``"lenet5"``: the network a weights file of that name fits (a design-choice
    variant, ``"lenet5-relu"``, is its own)."""
    return name if name in VARIANTS else name.split("-")[0]


class WeightsError(RuntimeError):
    """The weights file is missing or unusable; the message names the fix."""


def weights_path(name: str, weights_dir: Path | str = WEIGHTS_DIR) -> Path:
    return Path(weights_dir) / f"{name}.safetensors"


def save_model(model: torch.nn.Module, path: Path | str, info: dict | None = None) -> None:
    """Write the trainable state (and buffers) plus ``info`` (JSON-able) as metadata."""
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path), metadata={"model": model.name, "info": json.dumps(info or {})})


def read_info(path: Path | str) -> dict:
    """The metadata stored beside the weights: ``{"model": ..., **info}``."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata() or {}
    return {"model": meta.get("model"), **json.loads(meta.get("info", "{}"))}


def update_info(path: Path | str, updates: dict) -> None:
    """Merge ``updates`` into the metadata of an existing weights file; the tensors are unchanged. A file
    whose metadata would not change is not written (its bytes stay as git has them: safetensors does not
    keep the header's order from one write to the next)."""
    path = Path(path)
    info = read_info(path)
    model = info.pop("model")
    merged = {**info, **updates}
    if json.loads(json.dumps(merged)) == info:
        return
    meta = {"model": model, "info": json.dumps(merged)}
    save_file(load_file(str(path)), str(path), metadata=meta)


def load_model(name: str, weights_dir: Path | str = WEIGHTS_DIR, path: Path | str | None = None) -> torch.nn.Module:
    """The network ``name`` (one of NETWORKS) with its shipped weights, in eval mode, on the CPU.

    Raises :class:`WeightsError` with a message naming the fix when the file is missing,
    corrupt, for another model, or holds non-finite numbers.
    """
    if name not in NETWORKS and name not in VARIANTS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join([*NETWORKS, *VARIANTS])}")
    arch = architecture(name)
    path = Path(path) if path else weights_path(name, weights_dir)
    recipe = " --recipe paper" + (" --distort" if name.endswith("-distort") else "") if "-paper" in name else ""
    retrain = f"python -m lenet.train --model {arch}{recipe}"
    fix = f"restore it with `git checkout -- {path.name}` in weights/, or retrain: {retrain}"
    if not path.is_file():
        raise WeightsError(f"weights file {path} is missing; {fix}")
    try:
        state = load_file(str(path), device="cpu")
        stored = read_info(path).get("model")
    except (SafetensorError, OSError, ValueError) as exc:
        raise WeightsError(f"weights file {path} is corrupt ({exc}); {fix}") from None
    if stored != arch:
        raise WeightsError(f"weights file {path} holds {stored!r}, not {arch!r}; {fix}")
    model = build_model(arch)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise WeightsError(f"weights file {path} does not fit {name}: {exc}; {fix}") from None
    if not all(torch.isfinite(t).all() for t in state.values()):
        raise WeightsError(f"weights file {path} holds NaN or infinite values; {fix}")
    return model.eval()
