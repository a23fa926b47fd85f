"""Train LeNet-5 or LeNet-1 on MNIST and write the shipped weights, their log and the model card.

    python -m lenet.train --model lenet5                            # our recipe: weights/lenet5.safetensors
    python -m lenet.train --model lenet5 --smoke                    # a quick check on a small subset (CI)
    python -m lenet.train --model lenet5 --recipe paper             # the paper's: weights/lenet5-paper.safetensors
    python -m lenet.train --model lenet5 --recipe paper --distort   # ... with distortions: lenet5-paper-distort
    python -m lenet.evaluate --model lenet5 --record                # then the test figures
    python -m lenet.train --model lenet5 --all-60000 --calibration-from weights/lenet5.safetensors \
        --out-dir weights/candidates/lenet5-all60k                  # the same run on all 60,000 (below)

The protocol (``lenet/data.py``): the weights are trained on the first 50,000 training images;
the last 10,000 (the validation split) give the error after each pass, which is what runs are
compared and chosen on, and the calibration (temperature, "unsure" gap, rejection thresholds)
stored with the weights. Training never reads the test set: ``python -m lenet.evaluate --record``
does, after the run is chosen. Every run records where each of its settings was chosen
(``settings_chosen``, ``lenet/provenance.py``), its thread count and the command that retrains
it (``reproduce``: statistically, not bit for bit).

``--all-60000`` retrains a run that was chosen on the validation split on all 60,000 training
images (the fit and validation splits together). Nothing is chosen in that run: every setting
(epochs included) is read from the chosen run's weights file (``--calibration-from``), a flag
that contradicts it is an error, and its calibration (temperature, "unsure" gap, rejection
thresholds, fitted on the validation split by the 50,000-image run) is carried over unchanged.
The validation error of such a network is not measurable — it trained on those images — and
its log says so (``validation_error`` null); the test set is still read only at the end, by
``python -m lenet.evaluate``.

Our recipe keeps the paper's architecture, loss and initialisation, and changes how it is
trained: Adam with a one-cycle learning-rate schedule, the paper's affine distortions plus
elastic distortions on every pass (instead of a fixed set of 540,000 distorted copies), and an
exponential moving average of the weights, which is what is evaluated and shipped.

The paper's recipe (appendix C, ``lenet/sdlm.py``): 20 passes of stochastic diagonal
Levenberg–Marquardt, the curvature re-estimated on 500 samples before each pass, the paper's
global-rate schedule, no weight averaging, no distortions unless ``--distort``. It deviates
from the paper in two ways, both measured in ``lenet/sdlm.py``: the paper steps after every
sample, we step after a small mini-batch (``--batch-size``, default 8) on the sum of its
per-sample gradients, so that each step is, to first order, that many of the paper's steps
(60,000 per-sample steps a pass are too slow in PyTorch on a CPU); and μ is 0.5, not the
paper's 0.02, with which the network blows up in the first pass (``--mu 0.02`` shows it).
``--distort`` distorts every pass afresh (our distortions) rather than adding the paper's
fixed 540,000 distorted copies. ``--mu-schedule 1:0.5,3:0.05`` sets μ per pass (0.5 for passes
1–2, then 0.05): on 50,000 images it ended at 1.26% validation error against 1.23% with 0.5
throughout, so the shipped recipe keeps one μ (weights/candidates/lenet5-paper-mu). Each pass's
rates ε/(μ + h) — min, max, share of parameters with h < μ — are logged, and the first pass's
per layer beside the paper's 7 × 10⁻⁵ to 0.016 (``lenet/sdlm.py`` on why they differ).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from lenet.checkpoint import WEIGHTS_DIR, load_model, read_info, save_model
from lenet.data import DEFAULT_DATA_DIR, DataError, load_split
from lenet.distort import PAPER_DISTORTION, Distortion, distort, scaled
from lenet.evaluate import calibrate, scores
from lenet.model import VARIANTS, build_model, count_parameters
from lenet.provenance import reproduce, selected_on, settings_chosen, with_threads
from lenet.sdlm import (
    HESSIAN_SAMPLES,
    MU,
    PAPER_EPOCHS,
    PAPER_FIRST_PASS_RATES,
    SDLM,
    diagonal_hessian,
    mu_at,
    paper_rate,
    parse_mu_schedule,
)

RECIPES = {
    "ours": "ours: Adam + one-cycle, affine + elastic distortions, EMA of weights",
    "paper": "the paper's: stochastic diagonal Levenberg-Marquardt (appendix C), curvature on 500 samples before "
    "each pass, the paper's 20-pass rate schedule, no weight averaging; summed 8-sample batches and mu 0.5 "
    "(the paper: per sample, mu 0.02)",
}
DEFAULTS = {  # what a flag left out means, per recipe and network: the shipped weights' settings
    ("ours", "lenet5"): {"epochs": 40, "batch_size": 128, "lr": 3e-3, "ema": 0.999, "distort": True,
                         "distortion": 0.5, "j": 5.0},
    ("ours", "lenet1"): {"epochs": 50, "batch_size": 128, "lr": 3e-3, "ema": 0.999, "distort": True,
                         "distortion": 0.35, "j": 0.1},
    ("paper", "lenet5"): {"epochs": PAPER_EPOCHS, "batch_size": 8, "mu": MU, "distort": False, "distortion": 1.0,
                          "j": 0.1},
    ("paper", "lenet1"): {"epochs": PAPER_EPOCHS, "batch_size": 8, "mu": MU, "distort": False, "distortion": 1.0,
                          "j": 0.1},
}  # fmt: skip

DATA_50000 = (
    "MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0): trained on the first 50,000 training images, "
    "chosen and calibrated on the last 10,000 (the validation split), tested on the 10,000 test images"
)
DATA_ALL_60000 = ("MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0): trained on all 60,000 training images (the first "
                  "50,000 and the 10,000 of the validation split), every setting and the calibration frozen from "
                  "a run chosen on the validation split; tested on the 10,000 test images")  # fmt: skip

PAPER_INIT = "the paper's (appendix A)"
# --all-60000: the settings read from the chosen run's metadata — (its key, our argument, our flags)
FROZEN = (
    ("seed", "seed", ("--seed",)), ("epochs", "epochs", ("--epochs",)), ("batch_size", "batch_size", ("--batch-size",)),
    ("j", "j", ("--j",)), ("distortions", "distort", ("--distort", "--no-distort")),
    ("distortion_strength", "distortion", ("--distortion",)), ("pen", "pen", ("--pen",)),
    ("lr", "lr", ("--lr",)), ("ema", "ema", ("--ema",)), ("mu", "mu", ("--mu",)),
    ("mu_schedule", "mu_schedule", ("--mu-schedule",)),
)  # fmt: skip
# Where each default was chosen, per setting: lenet.provenance.ORIGINS (every run records it as settings_chosen).


def network_name(model: str, recipe: str, distort: bool) -> str:
    """The name the weights ship under: ``lenet5``, or ``lenet5-paper`` / ``lenet5-paper-distort``
    for the paper's recipe."""
    return model if recipe == "ours" else f"{model}-paper" + ("-distort" if distort else "")


@torch.no_grad()
def error_rate(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    """Fraction of ``x`` whose highest score is not the label."""
    model.eval()
    wrong = sum((model(x[i : i + batch]).argmax(1) != y[i : i + batch]).sum().item() for i in range(0, len(x), batch))
    return wrong / len(x)


@torch.no_grad()
def update_average(average: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """Exponential moving average of the weights; the decay warms up so early steps count."""
    for a, p in zip(average.parameters(), model.parameters(), strict=True):
        a.lerp_(p, 1.0 - decay)


KD_TEMPERATURE = 2.0  # softens both distributions further than calibration (Hinton et al. 2015)


def distillation_loss(student: torch.Tensor, teacher: torch.Tensor, teacher_t: float) -> torch.Tensor:
    """KL divergence from the teacher's softened class probabilities to the student's.

    The teacher is LeNet-5, whose scores are minus squared distances: they are first divided by
    its calibration temperature (``lenet.evaluate.fit_temperature``) so that they are on the scale
    of log-probabilities, then both are softened by ``KD_TEMPERATURE``; the T² factor keeps the
    gradient's size independent of T."""
    t = KD_TEMPERATURE
    soft = torch.softmax(teacher / (teacher_t * t), dim=1)
    return F.kl_div(torch.log_softmax(student / t, dim=1), soft, reduction="batchmean") * t * t


def without_out_dir(argv: list[str]) -> list[str]:
    """The command line minus ``--out-dir``: where files go does not change what is trained."""
    out, skip = [], False
    for a in argv:
        if skip or a.startswith("--out-dir="):
            skip = False
            continue
        if a == "--out-dir":
            skip = True
            continue
        out.append(a)
    return out


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, torch {torch.__version__}, {platform.python_version()}"


def train(args: argparse.Namespace) -> dict:
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    if args.all_60000:  # fit + validation: nothing left to measure or choose on (module docstring)
        x_train, y_train = load_split("train", args.data_dir)
        x_val = y_val = None
    else:
        x_train, y_train = load_split("fit", args.data_dir)
        x_val, y_val = load_split("validation", args.data_dir)
    if args.smoke:
        x_train, y_train = x_train[:2000], y_train[:2000]
        if x_val is not None:
            x_val, y_val = x_val[:1000], y_val[:1000]
    if args.train_images:
        x_train, y_train = x_train[: args.train_images], y_train[: args.train_images]

    paper = args.recipe == "paper"
    name = network_name(args.model, args.recipe, args.distort)
    out_dir = Path(args.out_dir)
    model = load_model(args.model, path=args.init).train() if args.init else build_model(args.model)
    steps_per_epoch = (len(x_train) + args.batch_size - 1) // args.batch_size
    if paper:
        opt, sched = SDLM(model.parameters(), lr=paper_rate(1), mu=args.mu), None
        kept = model  # no weight averaging: the trained weights are what is evaluated
    else:
        ema = copy.deepcopy(model)
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.15
        )
        kept = ema
    d = None
    if args.distort:  # the paper's recipe gets the paper's affine list; ours adds rotation, elastic, pen
        d = scaled(PAPER_DISTORTION if paper else Distortion(), args.distortion)
        d = replace(d, thin=d.thin * args.pen, thick=d.thick * args.pen)
    x_copies, y_copies = None, None
    if args.copies:  # the paper's protocol: distorted copies made once, read beside the originals every pass
        x_copies, y_copies = distorted_copies(x_train, y_train, d, args.copies, args.seed)
        steps_per_epoch = (len(x_train) + len(x_copies) + args.batch_size - 1) // args.batch_size
        d = None  # nothing distorted afresh

    def images(idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The samples ``idx`` of a pass: originals below len(x_train), copies above."""
        if x_copies is None:
            return x_train[idx], y_train[idx]
        own = idx < len(x_train)
        xb = torch.empty(len(idx), *x_train.shape[1:])
        xb[own] = x_train[idx[own]]
        xb[~own] = x_copies[idx[~own] - len(x_train)].float() / 255
        yb = torch.where(own, y_train[idx.clamp(max=len(x_train) - 1)], y_copies[(idx - len(x_train)).clamp(min=0)])
        return xb, yb

    teacher, teacher_t = None, 1.0
    if args.teacher:  # knowledge distillation (Hinton et al. 2015) from a trained LeNet-5
        teacher = load_model("lenet5", path=args.teacher).requires_grad_(False)
        teacher_t = read_info(args.teacher).get("temperature", 1.0)
    if hasattr(model, "j"):
        model.j = args.j
    names = {p: n for n, p in model.named_parameters()}
    history, start, rates, first_rates, first_epoch, before = [], time.time(), None, None, 1, 0.0
    resume = out_dir / f"{name}.resume.pt"  # --resume: where each pass's end is kept
    if args.resume and resume.is_file():
        kept_state = torch.load(resume, weights_only=False)
        model.load_state_dict(kept_state["model"])
        opt.load_state_dict(kept_state["opt"])
        if sched is not None:
            sched.load_state_dict(kept_state["sched"])
            ema.load_state_dict(kept_state["ema"])
        gen.set_state(kept_state["gen"])
        torch.set_rng_state(kept_state["rng"])
        history, first_rates, before = kept_state["history"], kept_state["first_rates"], kept_state["seconds"]
        first_epoch = kept_state["epoch"] + 1
        print(f"resumed from {resume} after pass {kept_state['epoch']}", flush=True)
    for epoch in range(first_epoch, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train) + (0 if x_copies is None else len(x_copies)), generator=gen)
        if paper:  # appendix C: the pass's global rate, and the curvature re-estimated on 500 samples
            opt.param_groups[0]["lr"] = paper_rate(epoch)
            probe = images(order[:HESSIAN_SAMPLES])[0]
            opt.set_curvature(diagonal_hessian(model, distort(probe, d, gen) if d is not None else probe))
            opt.param_groups[0]["mu"] = mu_at(args.mu_schedule, epoch) if args.mu_schedule else args.mu
            rates = opt.rates(names if epoch == 1 else None)  # the paper reports its first pass's range
            if epoch == 1:
                first_rates = rates
        total, seen = 0.0, 0
        bar = tqdm(
            range(steps_per_epoch), desc=f"{args.model} epoch {epoch}/{args.epochs}", leave=False, disable=args.quiet
        )
        for step in bar:
            idx = order[step * args.batch_size : (step + 1) * args.batch_size]
            xb, yb = images(idx)
            if d is not None:
                xb = distort(xb, d, gen)
            out = model(xb)
            loss = model.loss(out, yb)
            if teacher is not None:
                loss = (1 - args.distill) * loss + args.distill * distillation_loss(out, teacher(xb), teacher_t)
            opt.zero_grad(set_to_none=True)
            if paper:  # SDLM's rates are per sample: step on the sum of the batch's per-sample gradients
                (loss * len(idx)).backward()
                opt.step()
            else:
                loss.backward()
                opt.step()
                sched.step()
                update_average(ema, model, min(args.ema, (1 + sched.last_epoch) / (10 + sched.last_epoch)))
            total += loss.item() * len(idx)
            seen += len(idx)
            if step % 50 == 0:
                bar.set_postfix(loss=f"{total / seen:.4f}")
        err = error_rate(kept, x_val, y_val) if x_val is not None else None
        history.append({"epoch": epoch, "train_loss": total / seen, "validation_error": err,
                        "lr": opt.param_groups[0]["lr"], "seconds": round(before + time.time() - start, 1),
                        **({"mu": rates["mu"], "rates": {k: v for k, v in rates.items() if k != "layers"}}
                           if paper else {})})  # fmt: skip
        shown = f"validation error {100 * err:.2f}%" if err is not None else "validation error not measurable"
        print(f"{args.model} epoch {epoch:3d}  train loss {total / seen:.4f}  {shown}  "
              f"({before + time.time() - start:.0f} s)", flush=True)  # fmt: skip
        if args.resume:  # everything the next pass needs, should this process stop
            out_dir.mkdir(parents=True, exist_ok=True)
            torch.save({"epoch": epoch, "model": model.state_dict(), "opt": opt.state_dict(),
                        "sched": sched.state_dict() if sched is not None else None,
                        "ema": ema.state_dict() if sched is not None else None, "gen": gen.get_state(),
                        "rng": torch.get_rng_state(), "history": history, "first_rates": first_rates,
                        "seconds": before + time.time() - start}, resume.with_suffix(".tmp"))  # fmt: skip
            resume.with_suffix(".tmp").replace(resume)
    final = kept.eval()
    resume.unlink(missing_ok=True)  # the run is whole: nothing left to go on from
    if args.all_60000:
        calibration = carried_calibration(args.calibration_from, args.reference)
    else:
        calibration = calibrate(scores(final, x_val), y_val)
    info = {
        "network": name,
        "command": with_threads(
            "python -m lenet.train " + " ".join(shlex.quote(a) for a in without_out_dir(args.argv)), args.threads
        ),
        "threads": args.threads,
        "recipe": RECIPES[args.recipe],
        "init": str(args.init) if args.init else PAPER_INIT,
        "teacher": f"{args.teacher} (distillation weight {args.distill})" if args.teacher else "none",
        "seed": args.seed, "epochs": args.epochs, "batch_size": args.batch_size,
        "lr": paper_rate(1) if paper else args.lr, "ema": "none" if paper else args.ema,
        "distortions": args.distort, "distortion_strength": args.distortion, "pen": args.pen if args.distort else 0,
        "j": args.j,
        **({"mu": None if args.mu_schedule else args.mu, "hessian_samples": HESSIAN_SAMPLES} if paper else {}),
        **({"mu_schedule": args.mu_schedule} if paper and args.mu_schedule else {}),
        **({"first_pass_rates": first_rates, "paper_first_pass_rates": list(PAPER_FIRST_PASS_RATES)} if paper else {}),
        **({"distorted_copies": len(x_copies), "copies_per_image": args.copies} if x_copies is not None else {}),
        "train_images": len(x_train), "validation_images": len(x_val) if x_val is not None else 0,
        "data": DATA_ALL_60000 if args.all_60000 else DATA_50000,
        "wall_seconds": round(before + time.time() - start, 1), "machine": machine(),
        "parameters": count_parameters(final),
        **calibration,
    }  # fmt: skip
    chosen = settings_chosen(info, recorded_defaults(args.recipe, args.model), family(args.model),
                             str(args.calibration_from) if args.all_60000 else None)  # fmt: skip
    info.update(settings_chosen=chosen, selected_on=selected_on(chosen), reproduce=reproduce(info))
    info["history"] = history
    save_model(final, out_dir / f"{name}.safetensors", {k: v for k, v in info.items() if k != "history"})
    (out_dir / f"{name}.json").write_text(json.dumps({"model": name, **info}, indent=1) + "\n")
    if out_dir.resolve() != Path(WEIGHTS_DIR).resolve():  # a candidate: its curve beside its log (the card: weights/)
        write_curve({"model": name, **info}, out_dir / f"{name}_curve.png")
    if calibration["validation_error"] is None:
        print(f"validation error not measurable (trained on the validation images); wrote "
              f"{out_dir / (name + '.safetensors')}. The test figures: python -m lenet.evaluate --model {name} "
              f"--weights-dir {out_dir} --json")  # fmt: skip
    else:
        print(f"validation error {100 * calibration['validation_error']:.2f}%; wrote "
              f"{out_dir / (name + '.safetensors')}. "
              f"The test figures: python -m lenet.evaluate --model {name} --record")  # fmt: skip
    return info


def distorted_copies(x: torch.Tensor, y: torch.Tensor, d: Distortion, copies: int, seed: int):
    """``copies`` distorted copies of every image of ``x`` (uint8, ink 255), made once, the same for
    the same seed (their own generator: a resumed run makes them again, identically); and their labels."""
    gen = torch.Generator().manual_seed(seed + 1)
    made = [(distort(x[i : i + 10_000], d, gen) * 255).round().clamp(0, 255).to(torch.uint8)
            for _ in range(copies) for i in range(0, len(x), 10_000)]  # fmt: skip
    return torch.cat(made), y.repeat(copies)


def write_curve(log: dict, path: Path) -> None:
    """The training curves (``lenet.curves``); epochs without a validation error (``--all-60000``)
    are drawn as gaps."""
    from lenet.card import plot_curve

    history = [{**r, "validation_error": float("nan") if r["validation_error"] is None else r["validation_error"]}
               for r in log["history"]]  # fmt: skip
    plot_curve({**log, "history": history}, path)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Train LeNet-5 / LeNet-1 on MNIST (the shipped recipe by default).")
    p.add_argument("--model", choices=["lenet5", "lenet1", *VARIANTS], default="lenet5",
                   help="which network (lenet5-softmax ... lenet5-6k: LeNet-5 with one of the paper's choices "
                   "changed, lenet.model.VARIANTS; trained with the lenet5 recipe)")  # fmt: skip
    p.add_argument("--recipe", choices=list(RECIPES), default="ours", help="ours, or the paper's (lenet/sdlm.py)")
    p.add_argument("--epochs", type=int,
                   help="passes over the training images (ours: 40 LeNet-5, 50 LeNet-1; paper: 20)")  # fmt: skip
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
    p.add_argument(
        "--out-dir", type=Path, help="where the weights and the log go (ours: weights/; paper: weights/paper/)"
    )
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
    if args.model in VARIANTS:  # one choice changed, nothing else: LeNet-5's recipe and settings
        if args.recipe != "ours":
            p.error(f"{args.model} is trained with the shipped LeNet-5's recipe (--recipe ours)")
        if args.train_images is None:
            args.train_images = VARIANTS[args.model].train_images
    for name, value in DEFAULTS[args.recipe, family(args.model)].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.out_dir is None:
        args.out_dir = WEIGHTS_DIR
    if args.smoke:
        args.epochs = min(args.epochs, 1) if "--epochs" not in args.argv else args.epochs
        if "--out-dir" not in args.argv:
            args.out_dir = Path("runs/smoke")
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
    if ref.get("init", PAPER_INIT) != PAPER_INIT or ref.get("teacher", "none") != "none":
        p.error(f"{args.calibration_from} started from other weights or a teacher: not supported by --all-60000")
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


def carried_calibration(path: Path, ref: dict) -> dict:
    """An ``--all-60000`` network's calibration: the chosen run's, unchanged; its own validation
    error is not measurable (it trained on those images)."""
    return {
        "validation_error": None, "validation_errors": None, "validation_n": 0,
        "validation_note": "not measurable: the 10,000 validation images are among the 60,000 this network "
                           "trained on",
        "reference": str(path), "reference_validation_error": ref["validation_error"],
        "temperature": ref["temperature"], "unsure_gap": ref["unsure_gap"],
        "rejection_thresholds": ref["rejection_thresholds"],
        "calibrated_on": f"validation: carried unchanged from the 50,000-image run {path}",
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        train(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
