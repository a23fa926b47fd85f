"""Teach LeNet-5 what is *not* one digit: fine-tune it on the pieces of the segmentation graph.

    python -m lenet.number.train_pieces     # → weights/lenet5-pieces.safetensors and .json

The paper (section V) trained its recogniser on the candidate pieces of the segmentation graph,
so that pieces that are not one digit (two digits, a digit and a half, a fragment) get high
distances to every prototype: the MAP criterion's rubbish term (``LeNet5.loss``, target 10) pushes
all ten RBF outputs above the constant j. Here:

1. Numbers of 2–6 digits are written from the FIT digits (the first 50,000 training images) the way
   ``bench/read_number.py`` writes them (:func:`lenet.number.writer.write_number`, with each digit's own ink),
   and the segmenter builds its graph (:func:`lenet.number.reading.build_graph`: the same cuts and the same
   28×28 inputs as when it reads).
2. Every candidate piece is labelled from the ink it holds (:func:`label_pieces`): a piece that holds
   at least ``GOOD`` of one digit's ink and whose ink is at least ``GOOD`` that digit's is that digit
   (target 0–9); one whose ink is less than ``MIXED`` one digit's (two digits, a digit and part of
   the next) or that holds less than ``PART`` of its main digit (a fragment) is rubbish (target 10);
   anything in between is left out.
3. The network starts from a trained LeNet-5 (``--init``, weights/50k/lenet5.safetensors by
   default: the 50,000-image run, which never saw the validation digits that the pieces' choices
   are made on — not the shipped lenet5, retrained on all 60,000; the shipped lenet5-pieces
   started from the candidate LeNet-5 of runs/cand, the same figures as the 40-epoch run kept in
   weights/candidates/lenet5-e40) and is trained on
   the fit digits (distorted as in its recipe) mixed with those pieces (rubbish: a random 50,000 at
   most), 5 epochs, with the MAP constant j = 20 rather than lenet5's 5: with j = 5 the rubbish
   term stops pushing once a piece's energies pass about 10, and too many pieces stayed below that.
   The validation split (the last 10,000 training images) gives the single-digit error and the
   pieces of numbers written with validation digits; j, the labelling rule and the epochs were
   chosen there, with ``python -m bench.read_number --split validation --network lenet5-pieces``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from lenet.checkpoint import WEIGHTS_DIR, load_model, read_info
from lenet.evaluate import calibrate, scores
from lenet.model import count_parameters
from lenet.number.fine_tune import RUBBISH, energy_figures, fine_tune
from lenet.number.reading import build_graph
from lenet.number.writer import TOUCH, write_number
from lenet.train import Progress, add_run_options, command, error_rate, machine, parse_run, seeded, split, write_run

NAME = "lenet5-pieces"
INIT = WEIGHTS_DIR / "50k" / "lenet5.safetensors"  # never trained on the validation split
GOOD = 0.9  # a piece is digit d when ≥ GOOD of its ink is d's and it holds ≥ GOOD of d's ink
MIXED = 0.8  # rubbish when less than this share of its ink belongs to one digit ...
PART = 0.75  # ... or when it holds less than this share of its main digit's ink
LENGTHS = (2, 3, 4, 5, 6)
CEILING = 0.8  # a piece on a "good path" is ≥ this share one digit's ink and holds ≥ this share of it
VAL_SEED = 1  # the validation numbers whose pieces are measured


def piece_shares(graph, layers: np.ndarray, scale: float, origin) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every candidate piece of ``graph`` (a :class:`lenet.number.recognition.Graph` of a canvas written by
    ``write_number(..., layers=True)``): its main digit (index into the row), the share of its ink
    that is that digit's (purity) and the share of that digit's ink it holds (coverage).

    Each inked working pixel is owned by the digit whose own ink (``layers``, (n, H, W) on the
    canvas) is strongest at the canvas pixel it comes from; a piece's ink is then counted per digit.
    A piece with no owned ink gets digit −1 and shares 0. ``layers`` may also be that ownership
    already made (:func:`owner_map`, (H, W)), which is far smaller to keep for many numbers.
    """
    seg = graph.seg
    owners = owner_map(layers) if layers.ndim == 3 else layers
    ys, xs = np.nonzero(seg.labels > 0)
    cy = np.clip(np.floor(origin[1] + (ys + 0.5) * scale).astype(int), 0, owners.shape[0] - 1)
    cx = np.clip(np.floor(origin[0] + (xs + 0.5) * scale).astype(int), 0, owners.shape[1] - 1)
    owner = owners[cy, cx].astype(np.int64)
    n, s = int(owners.max()) + 1 if layers.ndim == 2 else len(layers), len(seg.boxes)
    known = owner >= 0
    counts = np.zeros((s, n))  # ink pixels of each digit in each segment
    np.add.at(counts, (seg.labels[ys[known], xs[known]] - 1, owner[known]), 1)
    total = np.maximum(counts.sum(axis=0), 1)
    main = np.full(len(graph.spans), -1, dtype=np.int64)
    purity, coverage = np.zeros(len(graph.spans)), np.zeros(len(graph.spans))
    for k, (a, b) in enumerate(graph.spans):
        c = counts[a:b].sum(axis=0)
        if c.sum() == 0:
            continue
        main[k] = int(c.argmax())
        purity[k], coverage[k] = c[main[k]] / c.sum(), c[main[k]] / total[main[k]]
    return main, purity, coverage


def owner_map(layers: np.ndarray) -> np.ndarray:
    """Each digit's own ink (n, H, W) → int8 (H, W): the digit whose ink is strongest at each canvas
    pixel, −1 where none has ink above 0.3."""
    return np.where(layers.max(axis=0) > 0.3, layers.argmax(axis=0), -1).astype(np.int8)


def good_path(
    graph, main: np.ndarray, purity: np.ndarray, coverage: np.ndarray, digits: int, share: float = CEILING
) -> bool:
    """Whether the segmentation graph holds the right reading at all: a path from the first cut to
    the last whose pieces are each one digit — at least ``share`` of the piece's ink is that digit's
    (``purity``) and the piece holds at least ``share`` of that digit's ink (``coverage``) — and
    whose main digits (``main``, from :func:`piece_shares`) are the row's ``digits`` digits, each
    once, left to right. Over many numbers, the share that has one is the ceiling of a recogniser
    reading this graph (``python -m bench.read_number --ceiling``)."""
    cuts = len(graph.seg.boxes) + 1
    reach = np.zeros((cuts, digits + 1), dtype=bool)  # reach[c, i]: cut c reached having read digits 0..i−1
    reach[0, 0] = True
    one = (main >= 0) & (purity >= share) & (coverage >= share)
    for k in np.argsort([a for a, _ in graph.spans], kind="stable"):  # arcs into a cut all start before it
        a, b = graph.spans[k]
        if one[k] and reach[a, main[k]]:
            reach[b, main[k] + 1] = True
    return bool(reach[cuts - 1, digits])


def targets(
    label: np.ndarray, purity: np.ndarray, coverage: np.ndarray, mixed: float = MIXED, part: float = PART
) -> np.ndarray:
    """The training target of each piece from its main digit's ``label`` (−1: no ink) and shares:
    that label when both shares are ≥ GOOD, RUBBISH when its ink is less than ``mixed`` one digit's
    or it holds less than ``part`` of its main digit, else −1 (left out)."""
    out = np.full(len(label), -1, dtype=np.int64)
    good = (purity >= GOOD) & (coverage >= GOOD) & (label >= 0)
    out[good] = label[good]
    out[(label >= 0) & ~good & ((purity < mixed) | (coverage < part))] = RUBBISH
    return out


def label_pieces(graph, layers: np.ndarray, labels: np.ndarray, scale: float, origin) -> np.ndarray:
    """Targets for every candidate piece of ``graph``: the digit's label, RUBBISH, or −1 (left out)."""
    main, purity, coverage = piece_shares(graph, layers, scale, origin)
    return targets(np.where(main >= 0, np.asarray(labels)[np.maximum(main, 0)], -1), purity, coverage)


def cut_numbers(model, images: np.ndarray, labels: np.ndarray, rows: int, seed: int, log=None) -> dict:
    """``rows`` numbers (lengths cycling through LENGTHS) written with ``images``/``labels`` and cut
    by the segmenter → all their candidate pieces: inputs float32 (N, 28, 28), and per piece the
    label of its main digit, its purity and coverage (:func:`piece_shares`)."""
    rng = np.random.default_rng(seed)
    parts: dict[str, list] = {"inputs": [], "label": [], "purity": [], "coverage": []}
    for i in range(rows):
        length = LENGTHS[i % len(LENGTHS)]
        pick = rng.choice(len(labels), size=length, replace=False)
        canvas, _, layers = write_number(images[pick], rng, TOUCH, layers=True)
        graph, _, scale, origin = build_graph(model, canvas)
        if graph is None or not graph.spans:
            continue
        main, purity, coverage = piece_shares(graph, layers, scale, origin)
        parts["inputs"].append(graph.inputs)
        parts["label"].append(np.where(main >= 0, labels[pick][np.maximum(main, 0)], -1))
        parts["purity"].append(purity)
        parts["coverage"].append(coverage)
        if log and (i + 1) % 500 == 0:
            log(f"  {i + 1}/{rows} numbers, {sum(len(t) for t in parts['label'])} pieces")
    return {k: np.concatenate(v) for k, v in parts.items()}


def piece_set(
    model,
    images: np.ndarray,
    labels: np.ndarray,
    rows: int,
    seed: int,
    log=None,
    cache: Path | None = None,
    mixed: float = MIXED,
    part: float = PART,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The labelled pieces of :func:`cut_numbers` (those not left out): inputs (N, 1, 28, 28) and
    targets (N,). ``cache``: an .npz file that keeps the cut pieces between runs."""
    if cache is not None and cache.is_file():
        cut = dict(np.load(cache))
    else:
        cut = cut_numbers(model, images, labels, rows, seed, log)
        if cache is not None:
            np.savez(cache, **cut)
    t = targets(cut["label"], cut["purity"], cut["coverage"], mixed, part)
    keep = t >= 0
    return torch.from_numpy(cut["inputs"][keep])[:, None], torch.from_numpy(t[keep])


def piece_figures(model, x: torch.Tensor, t: torch.Tensor) -> dict:
    """On labelled pieces: how often a good piece is read right, and the median of the smallest
    energy of good and of rubbish pieces (the gap between them is what Viterbi can use)."""
    return energy_figures(model, x, t, "good", "rubbish", "piece", 10, "10")


def train(args: argparse.Namespace) -> dict:
    gen = seeded(args.seed, args.threads)
    progress = Progress()
    log = print if not args.quiet else (lambda *_: None)
    base = load_model("lenet5", path=args.init)
    x_fit, y_fit, x_val, y_val = split(args.data_dir)
    log(f"cutting {args.rows} numbers written with fit digits ...")
    rule = (args.mixed, args.part)
    cache = {}
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
        cache = {"fit": args.cache / f"fit-{args.rows}-{args.seed}.npz", "val": args.cache / f"val-{args.val_rows}.npz"}
    x_pc, t_pc = piece_set(base, x_fit[:, 0].numpy(), y_fit.numpy(), args.rows, args.seed, log, cache.get("fit"), *rule)
    log(f"cutting {args.val_rows} numbers written with validation digits ...")
    x_vp, t_vp = piece_set(
        base, x_val[:, 0].numpy(), y_val.numpy(), args.val_rows, VAL_SEED, None, cache.get("val"), *rule
    )
    bad = torch.nonzero(t_pc == RUBBISH)[:, 0]
    if len(bad) > args.rubbish:  # a random subset, so that the digits are not swamped
        drop = bad[torch.randperm(len(bad), generator=gen)[args.rubbish :]]
        keep = torch.ones(len(t_pc), dtype=torch.bool)
        keep[drop] = False
        x_pc, t_pc = x_pc[keep], t_pc[keep]
    made = progress.seconds
    log(f"{len(t_pc)} fit pieces ({int((t_pc == RUBBISH).sum())} rubbish), {len(t_vp)} validation pieces, "
        f"{made:.0f} s")  # fmt: skip
    before = {"validation_error": error_rate(base, x_val, y_val), **piece_figures(base, x_vp, t_vp)}
    log(f"base: {json.dumps(before)}")

    # MNIST digits distorted as in the shipped recipe; pieces as the segmenter cut them
    def figures(net) -> dict:
        return {"validation_error": error_rate(net, x_val, y_val), **piece_figures(net, x_vp, t_vp)}

    final = fine_tune(base, x_fit, y_fit, x_pc, t_pc, args, gen, progress, figures, log, NAME)
    after = progress.history[-1]
    calibration = calibrate(scores(final, x_val), y_val)  # for single digits, as lenet.train does
    info = {
        "network": NAME,
        "command": command("lenet.number.train_pieces", args.argv, args.threads),
        "threads": args.threads,
        "recipe": "fine-tuned on the pieces of the segmentation graph (rubbish = target 10 of the MAP loss) "
        "mixed with the fit digits: Adam + one-cycle, EMA of weights, digits distorted as in lenet5's recipe",
        "init": str(args.init),
        "init_info": {k: read_info(args.init).get(k) for k in ("command", "validation_error")},
        "seed": args.seed, "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr, "ema": args.ema,
        "j": args.j, "distortions": True, "distortion_strength": args.distortion, "pen": 1.0,
        "data": f"MNIST fit digits (first 50,000 training images) + {len(t_pc)} pieces (rubbish: a random "
                f"{args.rubbish} at most) cut from {args.rows} numbers "
                f"of {'–'.join(map(str, LENGTHS[::len(LENGTHS) - 1]))} fit digits written like bench/read_number.py "
                f"({int((t_pc == RUBBISH).sum())} rubbish, {int((t_pc < RUBBISH).sum())} one digit); validation: "
                f"the last 10,000 training images and {len(t_vp)} pieces of {args.val_rows} numbers written with them",
        "piece_rules": {"good": GOOD, "mixed": args.mixed, "part": args.part},
        "train_images": len(x_fit), "train_pieces": len(t_pc), "validation_pieces": len(t_vp),
        **calibration,
        "validation_pieces_figures": {k: v for k, v in after.items() if k not in ("epoch", "train_loss", "seconds")},
        "base_validation_figures": before,
        "parameters": count_parameters(final),
        "wall_seconds": round(progress.seconds, 1), "data_seconds": round(made, 1), "machine": machine(),
    }  # fmt: skip
    out = Path(args.out_dir)
    write_run(final, NAME, info, progress.history, out, defaults(args.init), "lenet5")
    log(f"validation error {100 * info['validation_error']:.2f}%; wrote {out / (NAME + '.safetensors')}")
    return info


def defaults(init: Path | str) -> dict:
    """What a run records for each setting left to its default (``lenet.provenance``)."""
    d = vars(parse_args([]))
    return {**{k: d[k] for k in ("seed", "epochs", "batch_size", "lr", "ema", "j")},
            "distortion_strength": d["distortion"], "init": str(init)}  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--init", type=Path, default=INIT, help="the LeNet-5 to start from (weights/50k/lenet5.safetensors)")
    p.add_argument("--rows", type=int, default=2000, help="numbers written with fit digits to cut pieces from")
    p.add_argument("--rubbish", type=int, default=50_000, help="at most this many rubbish pieces (a random subset)")
    p.add_argument("--val-rows", type=int, default=400, help="numbers written with validation digits (figures)")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate of the one-cycle schedule")
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--j", type=float, default=20.0, help="the MAP criterion's rubbish constant (lenet5: 5)")
    p.add_argument("--distortion", type=float, default=0.5, help="strength of the digits' distortions")
    p.add_argument("--mixed", type=float, default=MIXED, help="rubbish below this share of one digit's ink")
    p.add_argument("--part", type=float, default=PART, help="rubbish below this share of its main digit")
    add_run_options(p, cache="keep the cut pieces in this folder (.npz) between runs")
    return parse_run(p, argv)


def main(argv: list[str] | None = None) -> int:
    train(parse_args(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
