"""The command line of ``python -m lenet.train``: its flags, what a flag left out means per recipe
and network, and ``--all-60000``'s frozen settings (the package's docstring tells the protocol)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lenet.checkpoint import WEIGHTS_DIR, chosen_run_dir, read_info
from lenet.data import DEFAULT_DATA_DIR
from lenet.model import SQRT_FAN_IN_INIT, VARIANTS
from lenet.sdlm import MU, PAPER_EPOCHS, parse_mu_schedule
from lenet.train.recipes import RECIPES

DEFAULTS = {  # what a flag left out means, per recipe and network: the shipped weights' settings
    ("ours", "lenet5"): {"epochs": 60, "batch_size": 128, "lr": 3e-3, "ema": 0.999, "distort": True,
                         "distortion": 0.5, "j": 5.0},
    ("ours", "lenet1"): {"epochs": 50, "batch_size": 128, "lr": 3e-3, "ema": 0.999, "distort": True,
                         "distortion": 0.35, "j": 0.1},
    ("paper", "lenet5"): {"epochs": PAPER_EPOCHS, "batch_size": 8, "mu": MU, "distort": False, "distortion": 1.0,
                          "j": 0.1},
    ("paper", "lenet1"): {"epochs": PAPER_EPOCHS, "batch_size": 8, "mu": MU, "distort": False, "distortion": 1.0,
                          "j": 0.1},
}  # fmt: skip

PAPER_INIT = "the paper's (appendix A)"
# --all-60000: the settings read from the chosen run's metadata — (its key, our argument, our flags)
FROZEN = (
    ("seed", "seed", ("--seed",)), ("epochs", "epochs", ("--epochs",)), ("batch_size", "batch_size", ("--batch-size",)),
    ("j", "j", ("--j",)), ("distortions", "distort", ("--distort", "--no-distort")),
    ("distortion_strength", "distortion", ("--distortion",)), ("pen", "pen", ("--pen",)),
    ("lr", "lr", ("--lr",)), ("ema", "ema", ("--ema",)), ("mu", "mu", ("--mu",)),
    ("mu_schedule", "mu_schedule", ("--mu-schedule",)), ("copies_per_image", "copies", ("--copies",)),
)  # fmt: skip
# Where each default was chosen, per setting: lenet.provenance.ORIGINS (every run records it as settings_chosen).


def network_name(model: str, recipe: str, distort: bool) -> str:
    """The name the weights ship under: ``lenet5``, or ``lenet5-paper`` / ``lenet5-paper-distort``
    for the paper's recipe."""
    return model if recipe == "ours" else f"{model}-paper" + ("-distort" if distort else "")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m lenet.train", description="Train LeNet-5 / LeNet-1 on MNIST (the shipped recipe by default)."
    )
    p.add_argument("--model", choices=["lenet5", "lenet1", *VARIANTS], default="lenet5",
                   help="which network (lenet5-softmax ... lenet5-6k: LeNet-5 with one of the paper's choices "
                   "changed, lenet.model.VARIANTS; trained with the lenet5 recipe)")  # fmt: skip
    p.add_argument("--recipe", choices=list(RECIPES), default="ours", help="ours, or the paper's (lenet/sdlm.py)")
    p.add_argument("--epochs", type=int,
                   help="passes over the training images (ours: 60 LeNet-5, 50 LeNet-1; paper: 20)")  # fmt: skip
    p.add_argument("--batch-size", type=int, help="images per step (ours: 128; paper: 8, summed gradients)")
    p.add_argument("--lr", type=float, help="ours: peak learning rate of the one-cycle schedule (3e-3)")
    p.add_argument("--ema", type=float, help="ours: decay of the exponential moving average of weights (0.999)")
    p.add_argument("--mu", type=float, help=f"paper: SDLM's damping μ ({MU}; the paper's 0.02 diverges, lenet/sdlm.py)")
    p.add_argument("--mu-schedule", type=parse_mu_schedule,
                   help="paper: μ per pass instead of one --mu, PASS:MU,... (e.g. 1:0.5,3:0.05: 0.5 for "
                   "passes 1-2, then 0.05)")  # fmt: skip
    p.add_argument("--distort", dest="distort", action="store_true", default=None,
                   help="distort the training images on every pass (ours: on, paper: off)")  # fmt: skip
    p.add_argument("--no-distort", dest="distort", action="store_false",
                   help="train on the plain images (the default of the paper's recipe)")  # fmt: skip
    p.add_argument("--distortion", type=float, help="strength of the affine and elastic distortions "
                   "(× the default ranges; ours: 0.5 for LeNet-5, 0.35 for LeNet-1)")  # fmt: skip
    p.add_argument("--pen", type=float, default=1.0,
                   help="ours: range of the random pen thinning/thickening (× the default; 0 = as drawn)")  # fmt: skip
    p.add_argument("--j", type=float, help="LeNet-5: the MAP loss's constant j (section II-C; ours: 5, paper: 0.1)")
    p.add_argument("--teacher", type=Path, help="distil from this trained LeNet-5 (.safetensors); see --distill")
    p.add_argument("--distill", type=float, default=0.5, help="weight of the distillation term with --teacher")
    p.add_argument(
        "--init", type=Path, help="start from these weights (a .safetensors file) instead of the paper's init"
    )
    p.add_argument("--sqrt-fan-in", action="store_true",
                   help="initialise uniform in ±2.4/√F instead of the paper's written ±2.4/F (F the fan-in): the "
                   "curvature scale at which the paper's μ = 0.02 trains (lenet.model.sqrt_fan_in_)")  # fmt: skip
    p.add_argument("--train-images", type=int, help="train on the first N training images only (timing runs)")
    p.add_argument("--copies", type=int,
                   help="paper, with --distort: N distorted copies of every training image, made once and read "
                   "beside the originals on every pass (the paper: 9, 540,000 for 60,000 images) instead of "
                   "distorting every image afresh each pass")  # fmt: skip
    p.add_argument("--resume", action="store_true",
                   help="keep each pass's end in OUT_DIR/<network>.resume.pt and go on from it when run again "
                   "(long runs across sessions)")  # fmt: skip
    p.add_argument("--all-60000", action="store_true",
                   help="train on all 60,000 training images (fit + validation), every setting frozen from "
                   "--calibration-from and its calibration carried; no validation error can be measured")  # fmt: skip
    p.add_argument("--calibration-from", type=Path,
                   help="with --all-60000: the chosen run's weights (its settings, calibration)")  # fmt: skip
    p.add_argument("--seed", type=int, default=0, help="random seed (weights, order, distortions)")
    p.add_argument("--threads", type=int, default=2, help="CPU threads for torch")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="holds MNIST/raw (python -m lenet.data)")
    p.add_argument("--out-dir", type=Path,
                   help="where the weights and the log go: weights/, or weights/50k/ for a 50,000-image run of a "
                   "network shipped as its --all-60000 retrain (lenet.checkpoint.ON_60000)")  # fmt: skip
    p.add_argument("--smoke", action="store_true", help="1 epoch on 2,000 images, into a scratch folder: a quick check")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    args = p.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.reference = None  # --all-60000: the recipe and every setting come from the chosen run
    if args.all_60000:
        freeze_settings(p, args)
    elif args.calibration_from is not None:
        p.error("--calibration-from belongs to --all-60000")
    if args.recipe == "paper" and (args.lr is not None or args.ema is not None):
        p.error("--lr and --ema belong to --recipe ours; the paper's recipe follows its own schedule")
    if args.recipe == "ours" and (args.mu is not None or args.mu_schedule is not None):
        p.error("--mu and --mu-schedule belong to --recipe paper")
    if args.mu is not None and args.mu_schedule is not None:
        p.error("--mu or --mu-schedule, not both")
    if args.copies is not None and (args.recipe != "paper" or not args.distort or args.copies < 1):
        p.error("--copies N (N ≥ 1) belongs to --recipe paper --distort")
    if args.sqrt_fan_in and args.init is not None:
        p.error("--sqrt-fan-in widens the paper's initialisation; --init starts from other weights: one or the other")
    if args.model in VARIANTS:  # one choice changed, nothing else: LeNet-5's recipe and settings
        if args.recipe != "ours":
            p.error(f"{args.model} is trained with the shipped LeNet-5's recipe (--recipe ours)")
        if args.train_images is None:
            args.train_images = VARIANTS[args.model].train_images
    for name, value in DEFAULTS[args.recipe, family(args.model)].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    network = network_name(args.model, args.recipe, args.distort)
    if args.out_dir is None:  # the shipped layout (lenet.checkpoint.ON_60000): a retrain on all 60,000 in weights/,
        args.out_dir = WEIGHTS_DIR if args.all_60000 else chosen_run_dir(network)  # the run it froze in weights/50k/
    if args.smoke:
        args.epochs = min(args.epochs, 1) if "--epochs" not in args.argv else args.epochs
        if "--out-dir" not in args.argv:
            args.out_dir = Path("runs/smoke")
    if args.all_60000 and (Path(args.out_dir) / f"{network}.safetensors").resolve() == args.calibration_from.resolve():
        p.error(f"--all-60000 would overwrite {args.calibration_from}, the run it is frozen from: move that run "
                "into weights/50k/ first (lenet.checkpoint.ON_60000) or give --out-dir")  # fmt: skip
    return args


def recorded_defaults(recipe: str, model: str) -> dict:
    """What a run of ``recipe`` records for each setting left to its default (the keys of its log)."""
    d = {"seed": 0, "pen": 1.0, **DEFAULTS[recipe, family(model)]}
    d["distortions"], d["distortion_strength"] = d.pop("distort"), d.pop("distortion")
    if recipe == "paper":
        d["copies_per_image"] = 9  # the paper's 540,000 distorted copies of 60,000 images (--copies)
    return d


def family(model: str) -> str:
    """``"lenet5-relu"`` → ``"lenet5"``: whose recipe and settings a network is trained with."""
    return "lenet5" if model in VARIANTS else model


def given(argv: list[str], flags: tuple[str, ...]) -> bool:
    return any(a == f or a.startswith(f + "=") for a in argv for f in flags)


def freeze_settings(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``--all-60000``: take every setting from the validation-chosen run ``--calibration-from``
    (epochs included); a flag that contradicts it is an error, since nothing may be re-chosen
    once the validation images are trained on."""
    if args.calibration_from is None:
        p.error("--all-60000 needs --calibration-from: the weights of the run chosen on the validation split")
    for flag in ("--train-images", "--init", "--teacher"):
        if given(args.argv, (flag,)):
            p.error(f"{flag} cannot be used with --all-60000 (the run must be the chosen run, on all 60,000)")
    try:
        ref = read_info(args.calibration_from)
    except Exception as exc:  # noqa: BLE001 — a missing or unreadable file: say which
        p.error(f"--calibration-from {args.calibration_from}: {exc}")
    missing = [k for k in ("temperature", "unsure_gap", "rejection_thresholds", "validation_error") if k not in ref]
    if missing or ref.get("calibrated_on") != "validation":
        p.error(f"{args.calibration_from} carries no calibration on the validation split ({', '.join(missing)})")
    if (ref.get("train_images"), ref.get("validation_images")) != (50_000, 10_000):
        p.error(f"{args.calibration_from} was not trained on the 50,000 images and chosen on the 10,000 validation "
                f"images ({ref.get('train_images')}, {ref.get('validation_images')})")  # fmt: skip
    if ref.get("init", PAPER_INIT) not in (PAPER_INIT, SQRT_FAN_IN_INIT) or ref.get("teacher", "none") != "none":
        p.error(f"{args.calibration_from} started from other weights or a teacher: not supported by --all-60000")
    if given(args.argv, ("--sqrt-fan-in",)) and ref.get("init") != SQRT_FAN_IN_INIT:
        p.error(f"--sqrt-fan-in contradicts {args.calibration_from} (init: {ref.get('init', PAPER_INIT)}); "
                "--all-60000 freezes it")  # fmt: skip
    args.sqrt_fan_in = ref.get("init") == SQRT_FAN_IN_INIT
    recipe = "paper" if "mu" in ref else "ours"
    for flag, want, have in (("--recipe", recipe, args.recipe), ("--model", ref["model"], args.model)):
        if given(args.argv, (flag,)) and want != have:
            p.error(f"{flag} {have} contradicts {args.calibration_from} ({want}); --all-60000 freezes it")
    args.recipe, args.model = recipe, ref["model"]
    for key, name, flags in FROZEN:
        if key not in ref or ref[key] in ("none", None) or (key == "lr" and recipe == "paper"):
            if given(args.argv, flags):  # the chosen run did without it (e.g. one μ, no schedule)
                p.error(f"{flags[0]} is not a setting of the chosen run {args.calibration_from}; --all-60000 "
                        "freezes every setting")  # fmt: skip
            continue
        if key == "pen" and not ref.get("distortions"):
            continue
        if given(args.argv, flags) and json.loads(json.dumps(getattr(args, name))) != ref[key]:
            p.error(f"{flags[0]} {getattr(args, name)} contradicts {args.calibration_from} ({key} = {ref[key]}): "
                    "--all-60000 freezes every setting")  # fmt: skip
        setattr(args, name, ref[key])
    args.reference = ref
