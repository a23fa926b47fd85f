"""One run of ``python -m lenet.train``: the split, the recipe, the loop, the calibration and the
files (the package's docstring tells the protocol and the recipes)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from lenet.checkpoint import WEIGHTS_DIR, load_model, read_info
from lenet.data import DataError
from lenet.distort import PAPER_DISTORTION, Distortion, scaled
from lenet.evaluate import calibrate, scores
from lenet.model import SQRT_FAN_IN_INIT, build_model, count_parameters, sqrt_fan_in_
from lenet.sdlm import HESSIAN_SAMPLES, PAPER_FIRST_PASS_RATES, paper_rate
from lenet.train.cli import PAPER_INIT, family, network_name, parse_args, recorded_defaults
from lenet.train.loop import Progress, error_rate, passes, seeded
from lenet.train.recipes import Ours, Paper, distillation_loss, recipe_words
from lenet.train.samples import Samples, distorted_copies, split
from lenet.train.write import command, machine, without_out_dir, write_run

DATA_50000 = (
    "MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0): trained on the first 50,000 training images, "
    "chosen and calibrated on the last 10,000 (the validation split), tested on the 10,000 test images"
)
DATA_ALL_60000 = ("MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0): trained on all 60,000 training images (the first "
                  "50,000 and the 10,000 of the validation split), every setting and the calibration frozen from "
                  "a run chosen on the validation split; tested on the 10,000 test images")  # fmt: skip


def train(args: argparse.Namespace) -> dict:
    gen = seeded(args.seed, args.threads)
    x_train, y_train, x_val, y_val = split(args.data_dir, args.all_60000, args.smoke, args.train_images)
    paper = args.recipe == "paper"
    name = network_name(args.model, args.recipe, args.distort)
    out_dir = Path(args.out_dir)
    model = load_model(args.model, path=args.init).train() if args.init else build_model(args.model)
    if args.sqrt_fan_in:
        sqrt_fan_in_(model)
    d = None
    if args.distort:  # the paper's recipe gets the paper's affine list; ours adds rotation, elastic, pen
        d = scaled(PAPER_DISTORTION if paper else Distortion(), args.distortion)
        d = replace(d, thin=d.thin * args.pen, thick=d.thick * args.pen)
    copies = None
    if args.copies:  # the paper's protocol: distorted copies made once, read beside the originals every pass
        copies, d = distorted_copies(x_train, y_train, d, args.copies, args.seed), None  # nothing distorted afresh
    samples = Samples(x_train, y_train, d, copies=copies)
    if paper:
        recipe = Paper(model, args.mu, args.mu_schedule)
    else:
        steps = (len(samples) + args.batch_size - 1) // args.batch_size
        recipe = Ours(model, args.lr, args.ema, total_steps=args.epochs * steps, pct_start=0.15)
    loss = None
    if args.teacher:  # knowledge distillation (Hinton et al. 2015) from a trained LeNet-5
        teacher = load_model("lenet5", path=args.teacher).requires_grad_(False)
        teacher_t = read_info(args.teacher).get("temperature", 1.0)

        def loss(out, xb, yb):
            own, taught = model.loss(out, yb), distillation_loss(out, teacher(xb), teacher_t)
            return (1 - args.distill) * own + args.distill * taught

    if hasattr(model, "j"):
        model.j = args.j
    progress, resume = Progress(), out_dir / f"{name}.resume.pt"  # --resume: where each pass's end is kept
    keep = resume if args.resume else None
    for epoch, train_loss in passes(recipe, samples, args.epochs, args.batch_size, gen, progress, loss, keep,
                                    desc=args.model, quiet=args.quiet):  # fmt: skip
        err = error_rate(recipe.kept, x_val, y_val) if x_val is not None else None
        progress.history.append({"epoch": epoch, "train_loss": train_loss, "validation_error": err,
                                 "lr": recipe.opt.param_groups[0]["lr"], "seconds": round(progress.seconds, 1),
                                 **recipe.logged()})  # fmt: skip
        shown = f"validation error {100 * err:.2f}%" if err is not None else "validation error not measurable"
        print(f"{args.model} epoch {epoch:3d}  train loss {train_loss:.4f}  {shown}  "
              f"({progress.seconds:.0f} s)", flush=True)  # fmt: skip
    final = recipe.kept.eval()
    resume.unlink(missing_ok=True)  # the run is whole: nothing left to go on from
    if args.all_60000:
        calibration = carried_calibration(args.calibration_from, args.reference)
    else:
        calibration = calibrate(scores(final, x_val), y_val)
    info = {
        "network": name,
        "command": command("lenet.train", without_out_dir(args.argv), args.threads),
        "threads": args.threads,
        "recipe": "",  # recipe_words, below
        "init": str(args.init) if args.init else SQRT_FAN_IN_INIT if args.sqrt_fan_in else PAPER_INIT,
        "teacher": f"{args.teacher} (distillation weight {args.distill})" if args.teacher else "none",
        "seed": args.seed, "epochs": args.epochs, "batch_size": args.batch_size,
        "lr": paper_rate(1) if paper else args.lr, "ema": "none" if paper else args.ema,
        "distortions": args.distort, "distortion_strength": args.distortion, "pen": args.pen if args.distort else 0,
        "j": args.j,
        **({"mu": None if args.mu_schedule else args.mu, "hessian_samples": HESSIAN_SAMPLES} if paper else {}),
        **({"mu_schedule": args.mu_schedule} if paper and args.mu_schedule else {}),
        **({"first_pass_rates": recipe.first_rates, "paper_first_pass_rates": list(PAPER_FIRST_PASS_RATES)}
           if paper else {}),
        **({"distorted_copies": len(copies[0]), "copies_per_image": args.copies} if copies else {}),
        "train_images": len(x_train), "validation_images": len(x_val) if x_val is not None else 0,
        "data": DATA_ALL_60000 if args.all_60000 else DATA_50000,
        "wall_seconds": round(progress.seconds, 1), "machine": machine(),
        "parameters": count_parameters(final),
        **calibration,
    }  # fmt: skip
    info["recipe"] = recipe_words(info)
    reference = str(args.calibration_from) if args.all_60000 else None
    curve = out_dir.resolve() != Path(WEIGHTS_DIR).resolve()  # a candidate: its curve beside its log (card: weights/)
    write_run(final, name, info, progress.history, out_dir, recorded_defaults(args.recipe, args.model),
              family(args.model), reference, curve)  # fmt: skip
    evaluate = f"python -m lenet.evaluate --model {name}" + (
        "" if out_dir.resolve() == Path(WEIGHTS_DIR).resolve() else f" --weights-dir {out_dir}"
    )
    if calibration["validation_error"] is None:
        print(f"validation error not measurable (trained on the validation images); wrote "
              f"{out_dir / (name + '.safetensors')}. The test figures: {evaluate} --record")  # fmt: skip
    else:
        print(f"validation error {100 * calibration['validation_error']:.2f}%; wrote "
              f"{out_dir / (name + '.safetensors')}. The test figures: {evaluate} --record")  # fmt: skip
    return info


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
