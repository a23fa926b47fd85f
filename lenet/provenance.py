"""Where each setting of a trained network was chosen, computed from what its weights record.

    python -m lenet.provenance [NAME ...]    # add settings_chosen, selected_on, threads, reproduce
                                             # and the recipe's words to shipped weights (metadata
                                             # only) and logs

Every run writes, beside its settings, a ``settings_chosen`` mapping: per setting, its value,
``where`` it was chosen (one of ``WHERE``) and a sentence saying how. ``selected_on`` summarises
it (:func:`selected_on`): ``"validation"`` only when no setting was ever found on the test set.
The knowledge of where a recipe's defaults came from is :data:`ORIGINS`; a value that is not the
recipe's default was given on the command line, and where it was chosen is not recorded.

Two settings of the shipped networks were first found on the MNIST test set by an earlier
session of this project (the withdrawn 0.50% LeNet-5): the MAP constant j = 5 and the distortion
strengths (0.5 for LeNet-5, 0.35 for LeNet-1). All three were compared again on the validation
split afterwards, and kept (docs/RESULTS.md, "How the runs were chosen").
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from lenet.model import SQRT_FAN_IN_INIT

# Where a setting was chosen, from cleanest to least clean.
UNUSED = "unused"  # the setting has no effect on this network
FIXED = "fixed"  # fixed in advance (the seed)
PAPER = "the paper"  # the paper's own value
NOT_SEARCHED = "not searched"  # a default of the recipe, never compared with another value
HELD_OUT = "held-out training images"  # compared on training images held out of a small run
VALIDATION = "validation"  # compared on the validation split (the last 10,000 training images)
COMMAND_LINE = "command line"  # not the recipe's default: given by hand; where it was chosen is not recorded
TEST_THEN_VALIDATION = "test set, then validation"  # first found on the test set, re-decided on validation
TEST = "test set"  # found on the test set and not re-decided on validation
WHERE = (UNUSED, FIXED, PAPER, NOT_SEARCHED, HELD_OUT, VALIDATION, COMMAND_LINE, TEST_THEN_VALIDATION, TEST)
ON_TEST = (TEST_THEN_VALIDATION, TEST)

_DEFAULT = (NOT_SEARCHED, "a default of the recipe, not compared with another value (neither on validation nor on "
            "the test set, as far as recorded)")  # fmt: skip
_NO_RBF = (UNUSED, "LeNet-1 has no RBF output (cross-entropy over its scores): the MAP constant does nothing")
EARLIER = "an earlier session of this project"  # README: its withdrawn figures were chosen on the test set

# Per recipe and setting: (where, how), or {family: (where, how)}. The recipes: "ours" and "paper"
# (lenet/train/), "pieces" (lenet/number/train_pieces.py), "global" (lenet/number/global_training.py).
# Sources: docs/RESULTS.md, "How the runs were chosen"; lenet/sdlm.py; weights/candidates/.
ORIGINS = {
    "ours": {
        "seed": (FIXED, "fixed at 0 before any run"),
        "epochs": {"lenet5": (VALIDATION, "60 against the recipe's earlier 40 by the rule for our recipe (validation "
                              "error plus the drawn validation digits' error, docs/RESULTS.md): 0.64% + 1.50% against "
                              "0.70% + 1.62%, a difference of the order of the noise (weights/candidates/lenet5-e60); "
                              "the design variants take LeNet-5's, so that each differs from it in one choice only"),
                   "lenet1": (VALIDATION, "50 against 75 by the rule for our recipe (validation error plus the drawn "
                              "validation digits' error, docs/RESULTS.md): 1.15% + 1.94% against 1.06% + 2.12% "
                              "(weights/candidates/lenet1-e75)")},
        "batch_size": _DEFAULT, "lr": _DEFAULT, "ema": _DEFAULT, "pen": _DEFAULT,
        "distortions": _DEFAULT,
        "j": {"lenet5": (TEST_THEN_VALIDATION, f"5 was first found on the test set by {EARLIER}; then compared "
                         "with 0.1 on the validation split at 40 epochs, where 5 won (0.70% against 0.93%, "
                         "weights/candidates/lenet5-j*.json)"),
              "lenet1": _NO_RBF},
        "distortion_strength": {
            "lenet5": (TEST_THEN_VALIDATION, f"0.5 was first found on the test set by {EARLIER}; then compared "
                       "with 0.35 and 0.7 on the validation split at 40 epochs, where it had the lowest validation "
                       "error (0.70% against 0.87% and 0.79%, weights/candidates/lenet5-d*)"),
            "lenet1": (TEST_THEN_VALIDATION, f"0.35 was first found on the test set by {EARLIER}; then compared "
                       "with 0.2 and 0.5 on the validation split (validation error plus drawn validation digits, "
                       "weights/candidates/lenet1-d*.json)")},
    },
    "paper": {
        "seed": (FIXED, "fixed at 0 before any run"),
        "epochs": (PAPER, "20 passes, as in the paper"),
        "lr": (PAPER, "the paper's schedule of global rates (appendix C)"),
        "batch_size": (HELD_OUT, "ours, not the paper's (which steps after every sample): 8 summed per-sample "
                       "gradients, compared on training images held out of a 6,000-image run (lenet/sdlm.py)"),
        "mu": (HELD_OUT, "ours, not the paper's 0.02 (which diverges here): compared on training images held out "
               "of a 6,000-image run (lenet/sdlm.py)"),
        "mu_schedule": (VALIDATION, "compared on the validation split (weights/candidates/ISSUE17.md)"),
        "distortions": (PAPER, "the paper trains with and without its distortions: one network each"),
        "distortion_strength": (PAPER, "the paper's ranges (lenet/distort.py, PAPER_DISTORTION)"),
        "copies_per_image": (PAPER, "the paper's fixed distorted set: 540,000 copies of 60,000 images, 9 each"),
        "pen": (UNUSED, "the paper's distortions change no pen (PAPER_DISTORTION: the factor multiplies zero)"),
        "j": {"lenet5": (VALIDATION, "0.1 (the paper gives no value) against 1 and 5 at lenet5-paper's settings "
                         "(±2.4/√F, μ 0.5): 1.14% against 1.34% and 1.17% validation error "
                         "(weights/candidates/lenet5-paper-sqrt-j*)"),
              "lenet5-distort": (NOT_SEARCHED, "0.1, the value chosen on validation for lenet5-paper (without "
                                 "distortions: 1.14% against 1.34% for 1 and 1.17% for 5); not compared for this "
                                 "network, whose protocol takes ~3 h a run"),
              "lenet1": _NO_RBF},
    },
    "pieces": {
        "seed": (FIXED, "fixed at 0 before any run"),
        "init": (TEST_THEN_VALIDATION, "a run of lenet5's command, whose j = 5 and distortion strength 0.5 were "
                 f"first found on the test set by {EARLIER}, then re-decided on validation (see lenet5)"),
        "j": (VALIDATION, "20 against lenet5's 5, on the pieces of validation numbers "
              "(python -m bench.read_number --split validation)"),
        "epochs": (VALIDATION, "on validation numbers (lenet/train_pieces.py; 10 epochs: "
                   "weights/candidates/lenet5-pieces-10epochs.json)"),
        "piece_rules": (VALIDATION, "the labelling rule, on validation numbers (lenet/train_pieces.py)"),
        "batch_size": _DEFAULT, "lr": _DEFAULT, "ema": _DEFAULT, "distortions": _DEFAULT, "pen": _DEFAULT,
        "distortion_strength": (TEST_THEN_VALIDATION, f"lenet5's 0.5, first found on the test set by {EARLIER}, then "
                                "re-decided on validation for lenet5's training (not for this fine-tuning)"),
    },
    "global": {  # lenet/number/global_training.py; the runs compared: weights/candidates/lenet5-global-*.json
        "seed": (FIXED, "fixed at 0 before any run"),
        "init": (TEST_THEN_VALIDATION, "lenet5-pieces, whose starting network and distortion strength were first "
                 f"found on the test set by {EARLIER}, then re-decided on validation (see lenet5-pieces)"),
        "criterion": (VALIDATION, "discriminative forward against discriminative Viterbi (T = 5, lr 3e-4): 76.0% "
                      "against 74.8% of varied validation numbers, 86.8% against 83.8% of plain ones, 0.91% "
                      "against 1.05% single-digit validation error (candidates B, C)"),
        "graph_temperature": (VALIDATION, "10 against 5 (lr 3e-4): 76.3% against 76.0% of varied validation "
                              "numbers, 88.0% against 86.8% of plain ones (candidate B)"),
        "lr": (VALIDATION, "3e-4 against 1e-4 (T = 5): 76.0% against 74.0% of varied validation numbers "
               "(candidates A, B)"),
        "epochs": (VALIDATION, "3 passes, the one with the best exact reading of varied validation numbers kept"),
        "varied": (VALIDATION, "every training number by the varied writer: the plain writer's validation numbers "
                   "did not get worse (85.8% before, 88.0% after), so no plain ones were mixed in"),
        "digit_weight": (VALIDATION, "1 against 10 (T = 5): 10 kept single digits better (0.81% against 0.91% "
                         "validation error) but read fewer varied validation numbers (74.3% against 76.0%; "
                         "candidates B, D)"),
        "batch_size": _DEFAULT, "digits_per_step": _DEFAULT,
        "j": (NOT_SEARCHED, "lenet5-pieces' 20, kept for the single digits' MAP loss"),
        "distortions": (NOT_SEARCHED, "the single digits are not distorted in this short fine-tuning"),
    },
    "sdnn": {
        "seed": (FIXED, "fixed at 0 before any run"),
        "init": (TEST_THEN_VALIDATION, "lenet5-pieces, itself fine-tuned from a run of lenet5's command (j = 5 "
                 f"and distortion strength 0.5 first found on the test set by {EARLIER}, then re-decided on "
                 "validation)"),
        "j": (NOT_SEARCHED, "lenet5-pieces' 20, kept for the windows (lenet/number/train_sdnn.py)"),
        "epochs": (VALIDATION, "8 passes on 6,000 numbers against 4 on 4,000, on the exact readings of validation "
                   "numbers after each pass (lenet/number/train_sdnn.py, its log's history)"),
        "window_rules": (VALIDATION, "shift 2 px, near 8 px, 3 windows per digit against the first run's 3 / 6 / 2 "
                         "(both on strips centred per column), on the exact readings of validation numbers "
                         "(lenet/number/train_sdnn.py, docs/RESULTS.md)"),
        "decoder": (VALIDATION, "the grammar's constants (lenet.number.sdnn.Decoder), re-tuned for this network by "
                    "python -m lenet.number.sdnn --tune --split validation --writer both --n 50 --seed 3: the grid's "
                    "best (none 24, 64.2% of 400) read 1.5 points fewer of the 1,600 measuring validation numbers "
                    "than none 28 (63.2%), so 28 was kept (docs/RESULTS.md)"),
        "follow": (VALIDATION, "σ 12 px (per-column centring) against one centre for the row, on the exact readings "
                   "of validation numbers (lenet/number/train_sdnn.py, docs/RESULTS.md)"),
        "batch_size": _DEFAULT, "lr": _DEFAULT, "ema": _DEFAULT, "distortions": _DEFAULT, "pen": _DEFAULT,
        "distortion_strength": (TEST_THEN_VALIDATION, f"lenet5's 0.5, first found on the test set by {EARLIER}, then "
                                "re-decided on validation for lenet5's training (not for this fine-tuning)"),
    },
}  # fmt: skip
# Values that are not their recipe's default but were chosen where recorded: the paper's own μ and
# per-sample steps, which train once the initialisation puts SDLM's curvature at the paper's scale
# (issue 17, weights/candidates/ISSUE17.md). Per (recipe, setting, value): (where, how), or {family: (where, how)}.
CHOSEN_VALUES = {
    ("paper", "init", SQRT_FAN_IN_INIT): {
        "lenet1": (VALIDATION, "±2.4/√F against appendix A's written ±2.4/F, each with the paper's μ that trains "
                   "at its scale (0.02 and our 0.5): 1.41% against 2.75% validation error "
                   "(weights/candidates/lenet1-paper-sqrt)"),
        "lenet5": (VALIDATION, "±2.4/√F against appendix A's written ±2.4/F, both with our μ 0.5 and 8-sample steps: "
                   "1.14% against 1.23% validation error; at ±2.4/√F μ 0.1 gave 1.42% and the paper's 0.02 diverged "
                   "in pass 2, with 8-sample and with per-sample steps (weights/candidates/ISSUE17.md)"),
    },
    ("ours", "init", SQRT_FAN_IN_INIT): (VALIDATION, "±2.4/√F against appendix A's ±2.4/F by the rule for our recipe "
                                         "(validation error plus the drawn validation digits' error, docs/RESULTS.md): "
                                         "1.15% + 1.94% against 1.12% + 2.00%, a difference well inside the noise "
                                         "(weights/candidates/lenet1-sqrt)"),
    ("paper", "mu", 0.02): (PAPER, "the paper's μ: it trains LeNet-1 at the √F initialisation's curvature scale, "
                            "and diverges at the written ±2.4/F's (lenet/sdlm.py); LeNet-5 diverges at both "
                            "(weights/candidates/ISSUE17.md)"),
    ("paper", "batch_size", 1): (PAPER, "the paper's per-sample steps"),
}  # fmt: skip
CALIBRATED = ("temperature", "unsure_gap", "rejection_thresholds")
ORDER = ("seed", "init", "epochs", "batch_size", "lr", "ema", "mu", "mu_schedule", "j", "distortions",
         "distortion_strength", "pen", "copies_per_image", "piece_rules", "window_rules", "follow", "decoder",
         "criterion", "graph_temperature", "varied", "digits_per_step", "digit_weight", *CALIBRATED)  # fmt: skip


def recipe_of(info: dict) -> str:
    """``"ours"``, ``"paper"``, ``"pieces"``, ``"sdnn"`` or ``"global"``: how the network recorded in ``info``
    was trained."""
    if str(info.get("network", "")).endswith("-pieces"):
        return "pieces"
    if str(info.get("network", "")).endswith("-sdnn"):
        return "sdnn"
    if str(info.get("network", "")).endswith("-global"):
        return "global"
    return "paper" if "mu" in info or "mu_schedule" in info else "ours"


def settings_chosen(info: dict, defaults: dict, family: str, frozen_from: str | None = None) -> dict:
    """Per setting recorded in ``info`` (a run's metadata): ``{"value", "where", "chosen"}``.

    ``defaults``: the recipe's defaults (what a flag left out means); a recorded value that differs
    was given on the command line. ``family``: ``"lenet5"`` or ``"lenet1"``. ``frozen_from``: the
    chosen run an ``--all-60000`` run took every setting from (its calibration is carried)."""
    recipe = recipe_of(info)
    origins = ORIGINS[recipe]
    out = {}
    for key in ORDER:
        if key in CALIBRATED:
            if key in info:
                how = (f"fitted on the validation split by the 50,000-image run; carried from {frozen_from}"
                       if frozen_from else "fitted on the validation split by this run")  # fmt: skip
                out[key] = {"value": info[key], "where": VALIDATION, "chosen": how}
            continue
        value = info.get(key)
        special = CHOSEN_VALUES.get((recipe, key, value)) if isinstance(value, str | int | float) else None
        if (key not in origins and special is None) or value in (None, "none"):
            continue
        where, how = pick(special or origins[key], family, bool(info.get("distortions")))
        named = key == "distortions" and where == PAPER  # --distort names the network (lenet5-paper-distort)
        if key in ("distortion_strength", "pen") and not info.get("distortions"):
            where, how = UNUSED, "no distortions in this run"
        elif special is None and where != UNUSED and not named and key in defaults and recorded(defaults[key]) != value:
            where, how = COMMAND_LINE, (f"{value}, given on the command line instead of the recipe's "
                                        f"{defaults[key]}: where it was chosen is not recorded")  # fmt: skip
        if frozen_from:
            how = f"{how}; frozen from {frozen_from}"
        out[key] = {"value": value, "where": where, "chosen": how}
    return out


def recorded(value):
    """``value`` as a log records it (JSON: tuples become lists)."""
    return json.loads(json.dumps(value))


def pick(origin: tuple | dict, family: str, distorted: bool = False) -> tuple[str, str]:
    """An origin ``(where, how)``, or the one for ``family`` from ``{family: (where, how)}`` — for a
    run trained on distorted images, ``family + "-distort"``'s where there is one."""
    if not isinstance(origin, dict):
        return origin
    return origin.get(f"{family}-distort", origin[family]) if distorted else origin[family]


def on_test_set(chosen: dict) -> list[str]:
    """The settings in ``chosen`` that the test set had a hand in."""
    return [k for k, v in chosen.items() if v["where"] in ON_TEST]


def selected_on(chosen: dict) -> str:
    """One line for ``selected_on``: ``"validation"``, or what else the choice rested on."""
    found = on_test_set(chosen)
    if not found:
        return VALIDATION
    again = {TEST_THEN_VALIDATION: "then re-decided on validation", TEST: "not re-decided"}
    parts = [f"{k} ({again[chosen[k]['where']]})" for k in found]
    return f"validation, and the test set by {EARLIER}: " + ", ".join(parts)


def with_threads(command: str, threads: int) -> str:
    """``command`` with ``--threads N`` in it (appended where the run left it to the default)."""
    words = shlex.split(command)
    if any(w == "--threads" or w.startswith("--threads=") for w in words):
        return command
    return f"{command} --threads {threads}"


REPRODUCED = (
    "statistically, not bit for bit: the command (threads included) retrains the same recipe and settings from "
    "the same seed, but the bits also depend on the machine, the torch build and the code's version; expect "
    "about the same error, not the same weights"
)


def with_reference(command: str, reference: str | None) -> str:
    """``command`` with its ``--calibration-from`` (an ``--all-60000`` run's) naming ``reference``,
    where the run it was frozen from lies now (it moved to weights/50k/ when the retrain shipped)."""
    words = shlex.split(command)
    for i, w in enumerate(words):
        if reference and w == "--calibration-from" and i + 1 < len(words):
            words[i + 1] = reference
        elif reference and w.startswith("--calibration-from="):
            words[i] = f"--calibration-from={reference}"
    return shlex.join(words) if words != shlex.split(command) else command


def reproduce(info: dict) -> dict:
    """How to retrain the network of ``info``: the command, threads included, and how closely. An
    ``--all-60000`` run's command names its ``reference`` where it lies now; ``reference_moved``
    (a recorded sentence) says where it lay when the run read it."""
    command = with_reference(with_threads(info["command"], info.get("threads", 1)), info.get("reference"))
    how = f"{REPRODUCED}. {info['reference_moved']}" if info.get("reference_moved") else REPRODUCED
    return {"command": command, "exactly": False, "how": how}


# The shipped weights that predate this module: what their runs recorded (their commands) or, for
# lenet5-pieces, what was measured afterwards.
PIECES_REPRODUCE = {
    "command": "python -m lenet.train_pieces --init weights/candidates/lenet5-e40/lenet5.safetensors --j 20 "
    "--threads 1",
    "exactly": False,
    "how": "statistically, and only with the segmenter of commit 39b2cbd: the run started from "
    "/work/main/runs/cand/lenet5/lenet5.safetensors, a run of `python -m lenet.train --model lenet5 --threads 1 "
    "--quiet` that is not shipped; the 50,000-image lenet5 of 40 epochs "
    "(weights/candidates/lenet5-e40/lenet5.safetensors, the shipped lenet5's run chosen on validation until 60 "
    "epochs replaced it; the pieces' choices rest on validation pieces it never trained on) gives its "
    "recorded starting figures to "
    "float rounding (validation error 0.70% both; the same 1,462 good and 20,629 rubbish validation pieces, "
    "median energies within 1e-6 relative; one piece of 20,629 on the other side of 10). The segmenter's cuts "
    "have changed since, so the command on this commit trains on other pieces: re-run on the new cuts it gave "
    "0.78% single-digit validation error against 0.71% (weights/candidates/lenet5-pieces-newcuts.json)",
}


def provenance(info: dict) -> dict:
    """What :func:`main` adds to a weights file's metadata (and its log): ``threads``,
    ``settings_chosen``, ``selected_on`` and ``reproduce``, all computed from ``info``."""
    from lenet.checkpoint import architecture
    from lenet.train import family, recorded_defaults

    recipe = recipe_of(info)
    fam = family(architecture(info["network"]))
    if recipe == "pieces":
        from lenet.number.train_pieces import defaults as pieces_defaults

        defaults = pieces_defaults(info["init"])
    elif recipe == "global":
        from lenet.number.global_training import defaults as global_defaults

        defaults = global_defaults(info["init"])
    elif recipe == "sdnn":
        from lenet.number.train_sdnn import defaults as sdnn_defaults

        defaults = sdnn_defaults(info["init"])
    else:
        defaults = recorded_defaults(recipe, fam)
    threads = info.get("threads") or _threads_of(info["command"], 2 if recipe not in ("pieces", "global") else 1)
    chosen = settings_chosen(info, defaults, fam, info.get("reference"))
    out = {"threads": threads, "settings_chosen": chosen, "selected_on": selected_on(chosen)}
    if recipe in ("ours", "paper"):  # the recipe's words as this run's settings had it (steps, μ, init)
        from lenet.train.recipes import recipe_words

        out["recipe"] = recipe_words(info)
    out["reproduce"] = PIECES_REPRODUCE if recipe == "pieces" else reproduce({**info, "threads": threads})
    return out


def _threads_of(command: str, default: int) -> int:
    words = shlex.split(command)
    for i, w in enumerate(words):
        if w == "--threads":
            return int(words[i + 1])
        if w.startswith("--threads="):
            return int(w.split("=", 1)[1])
    return default


def main(argv: list[str] | None = None) -> int:
    from lenet.checkpoint import NETWORKS, WEIGHTS_DIR, read_info, update_info, weights_path

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", default=list(NETWORKS), help="networks (default: the shipped ones)")
    p.add_argument("--weights-dir", type=Path, default=WEIGHTS_DIR)
    args = p.parse_args(argv)
    for name in args.names:
        path = weights_path(name, args.weights_dir)
        if not path.is_file():
            print(f"{path}: missing, skipped", file=sys.stderr)
            continue
        added = provenance(read_info(path))
        update_info(path, added)  # metadata only: the tensors are written back unchanged
        log_path = Path(args.weights_dir) / f"{name}.json"
        if log_path.is_file():
            log = json.loads(log_path.read_text())
            log.update(added)
            log_path.write_text(json.dumps(log, indent=1) + "\n")
        print(f"{name}: selected on {added['selected_on']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
