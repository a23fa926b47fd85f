"""Train LeNet-5 through the whole graph (section VI): the right reading's path must win against
every other path of the graph, not each piece against its own label.

    python -m lenet.number.global_training     # → weights/lenet5-global.safetensors and .json

Section VI of the paper trains the recogniser *inside* the graph transformer network that reads
the number. Each arc of the interpretation graph (a candidate piece k read as digit d) costs

    c(k, d) = E_d(piece k; W) + P(k, d)

where E_d is LeNet-5's RBF output (the squared distance of F6 to digit d's prototype; it depends
on the weights W) and P holds what this project adds to it and keeps fixed: the box-based
penalties and the per-digit constant of :func:`lenet.number.viterbi.arc_costs` (the ``Costs`` of
the starting network); passing a cut costs its node cost. A path's cost is the sum along it.

- **Discriminative Viterbi** (VI-B): E = C_cvit − C_vit, the cheapest path that reads the right
  digits (the *constrained* graph) minus the cheapest path of the whole graph. It is zero as soon
  as the right path is the best one, and then stops pushing.
- **Discriminative forward** (VI-D, eq. 23 with the paths' costs read as energies): the soft-min
  of a set of paths, F_T = −T · log Σ_paths exp(−cost/T), computed by the forward algorithm
  (a log-sum-exp where Viterbi takes a min; T → 0 gives Viterbi back), and
  E = F_T(constrained graph) − F_T(whole graph) = −T · log P(right digits | the ink): every path
  of the graph pushes, in proportion to its share, and the right ones pull. It is ≥ 0, and never
  exactly zero, so it keeps a margin.

The gradient flows through the energies of every arc into LeNet-5 (one batched forward pass over
every piece of a few numbers); P does not change. To keep single digits read as well, every step
also takes a batch of single fit digits with the MAP loss of section II-C (``LeNet5.loss``).

Here:

1. Numbers of 2–6 digits are written from the FIT digits (the first 50,000 training images) with
   :func:`lenet.number.writer.write_number` (``--varied``: the varied writer, slant, pens,
   baselines, narrow digits; ``--plain``: this share of the numbers by the plain writer), and
   each one's segmentation graph is built ONCE (:func:`lenet.number.reading.build_graph`: the
   same cuts and 28×28 inputs as when it reads; they do not depend on the weights) and kept: its
   arcs' inputs, P, the node costs. A number whose graph holds no path of as many pieces as it
   has digits cannot be read right whatever the weights: it is skipped, and counted.
2. The network starts from ``lenet5-pieces`` (LeNet-5 fine-tuned on the graph's pieces,
   ``lenet.number.train_pieces``) and its costs ``costs_for("lenet5-pieces")``.
3. Numbers written the same way with the VALIDATION digits (the last 10,000 training images) are
   read after every pass: exact reading, and the single-digit validation error. The criterion,
   the temperature T, the learning rate and the passes were chosen there.
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lenet.checkpoint import WEIGHTS_DIR, load_model, read_info
from lenet.evaluate import calibrate, scores
from lenet.model import count_parameters
from lenet.number.reading import build_graph
from lenet.number.recognition import Graph
from lenet.number.viterbi import Costs, arc_costs, costs_for
from lenet.number.writer import TOUCH, write_number
from lenet.train import (
    add_run_options,
    command,
    error_rate,
    in_repository,
    machine,
    parse_run,
    seeded,
    split,
    write_run,
)

NAME = "lenet5-global"
START = "lenet5-pieces"  # the network it starts from, and whose costs make the fixed part of each arc's cost
INIT = WEIGHTS_DIR / f"{START}.safetensors"
LENGTHS = (2, 3, 4, 5, 6)  # training numbers
VAL_LENGTHS = (2, 3, 4, 5)  # validation numbers, as bench/read_number.py writes them
VAL_SEED = 1  # the validation numbers read after every pass (bench/read_number.py's are seed 0)
CHOOSE = "validation_exact_varied"  # what keeps a pass: exact reading of the varied writer's validation numbers
CRITERIA = ("forward", "viterbi")
FAR = 1e9  # the cost of a state no path reaches (finite, so that no gradient is NaN)


@dataclass
class NumberGraph:
    """One written number's segmentation graph, as training needs it: what does not depend on the
    weights (the arcs' inputs, their fixed costs, the nodes' costs) and the right digits."""

    truth: np.ndarray  # int (n,): the digits written, left to right
    inputs: np.ndarray  # uint8 (B, 28, 28): each arc's normalised piece (ink × 255)
    fixed: np.ndarray  # float32 (B, 10): P(k, d), the box-based penalties + the per-digit constant
    node: np.ndarray  # float64 (cuts,): what passing each cut costs
    into: list[tuple[np.ndarray, np.ndarray]]  # per cut b ≥ 1: (arcs ending at b, their start cuts)


def number_graph(graph: Graph, truth, costs: Costs) -> NumberGraph | None:
    """A :class:`lenet.number.recognition.Graph` → its :class:`NumberGraph` under ``costs``; None when
    no path has ``len(truth)`` pieces (no reading of the right length exists)."""
    seg = graph.seg
    cuts = len(seg.boxes) + 1
    spans = np.asarray(graph.spans, dtype=np.int64).reshape(-1, 2)
    steps = np.zeros((cuts, len(truth) + 1), dtype=bool)  # steps[c, i]: cut c reached in i pieces
    steps[0, 0] = True
    for k in np.argsort(spans[:, 0], kind="stable"):
        a, b = spans[k]
        steps[b, 1:] |= steps[a, :-1]
    if not steps[-1, len(truth)]:
        return None
    node = costs.cut * seg.cut_costs - costs.gap * (np.array(seg.cut_kinds) == "gap")
    into = []
    for b in range(1, cuts):
        ks = np.nonzero(spans[:, 1] == b)[0]
        into.append((ks, spans[ks, 0]))
    return NumberGraph(
        truth=np.asarray(truth, dtype=np.int64),
        inputs=(np.clip(graph.inputs, 0, 1) * 255).round().astype(np.uint8),
        fixed=arc_costs(np.zeros_like(graph.energy), graph.boxes, graph.height, costs).astype(np.float32),
        node=node.astype(np.float64),
        into=into,
    )


def soft_min(x: torch.Tensor, t: float, dim: int = 0) -> torch.Tensor:
    """−t · log Σ exp(−x/t) along ``dim``: the soft minimum at temperature ``t`` (t = 0: the min)."""
    if t == 0:
        return x.min(dim=dim).values
    return -t * torch.logsumexp(-x / t, dim=dim)


def free_cost(cost: torch.Tensor, g: NumberGraph, t: float) -> torch.Tensor:
    """The soft-min at temperature ``t`` over every path of the whole interpretation graph (every
    piece-path, every digit on each piece) of ``cost`` (B, 10): the forward algorithm; t = 0: the
    Viterbi cost."""
    arc = soft_min(cost, t, dim=1)  # (B,): the ten arcs of one piece, merged
    alpha = [torch.as_tensor(g.node[0], dtype=cost.dtype)]
    for b, (ks, starts) in enumerate(g.into, start=1):
        if len(ks) == 0:
            alpha.append(torch.as_tensor(FAR, dtype=cost.dtype))
            continue
        came = torch.stack([alpha[a] for a in starts.tolist()]) + arc[ks]
        alpha.append(soft_min(came, t) + g.node[b])
    return alpha[-1]


def constrained_cost(cost: torch.Tensor, g: NumberGraph, t: float) -> torch.Tensor:
    """The same over the constrained graph: only the paths that read ``g.truth``, digit by digit."""
    n = len(g.truth)
    truth = torch.from_numpy(g.truth)
    far = torch.full((1,), FAR, dtype=cost.dtype)
    alpha = [torch.cat([torch.as_tensor([g.node[0]], dtype=cost.dtype), far.expand(n)])]  # (n + 1,) per cut
    for b, (ks, starts) in enumerate(g.into, start=1):
        if len(ks) == 0:
            alpha.append(far.expand(n + 1))
            continue
        came = torch.stack([alpha[a][:n] for a in starts.tolist()]) + cost[ks][:, truth]  # (arcs, n)
        alpha.append(torch.cat([far, soft_min(came, t) + g.node[b]]))
    return alpha[-1][n]


def graph_losses(model: torch.nn.Module, graphs: list[NumberGraph], t: float, criterion: str) -> torch.Tensor:
    """Each number's loss (len(graphs),): constrained − free, both soft-min at ``t`` ("forward") or
    both min ("viterbi"). The energies of every arc of every number come from ONE forward pass."""
    x = torch.from_numpy(np.concatenate([g.inputs for g in graphs])).float().div_(255)[:, None]
    energy = model.forward_intermediates(x)["Output"].double()  # (ΣB, 10), differentiable
    t = t if criterion == "forward" else 0.0
    out, at = [], 0
    for g in graphs:
        cost = energy[at : at + len(g.inputs)] + torch.from_numpy(g.fixed).double()
        at += len(g.inputs)
        out.append(constrained_cost(cost, g, t) - free_cost(cost, g, t))
    return torch.stack(out)


@torch.no_grad()
def read_graphs(model: torch.nn.Module, graphs: list[NumberGraph], costs: Costs | None = None) -> float:
    """Exact reading on ``graphs``: the cheapest path (Viterbi, each piece's best digit) reads the
    right digits. With ``costs``, a piece on it whose best energy is above ``costs.reject`` reads "?"
    (the arcs' and nodes' costs are the ones the graphs were made with)."""
    right = 0
    for i in range(0, len(graphs), 64):
        part = graphs[i : i + 64]
        x = torch.from_numpy(np.concatenate([g.inputs for g in part])).float().div_(255)[:, None]
        energy = model.forward_intermediates(x)["Output"].double()
        at = 0
        for g in part:
            e = energy[at : at + len(g.inputs)]
            at += len(g.inputs)
            right += _reads(e + torch.from_numpy(g.fixed).double(), e, g, costs)
    return right / max(1, len(graphs))


def _reads(cost: torch.Tensor, energy: torch.Tensor, g: NumberGraph, costs: Costs | None) -> bool:
    best, digit = cost.min(dim=1)
    reject = costs.reject if costs is not None else float("inf")
    score = [0.0] + [float("inf")] * len(g.into)
    back: list[tuple[int, int]] = [(-1, -1)] * (len(g.into) + 1)
    for b, (ks, starts) in enumerate(g.into, start=1):
        for k, a in zip(ks.tolist(), starts.tolist(), strict=True):
            s = score[a] + float(best[k]) + g.node[b]
            if s < score[b]:
                score[b], back[b] = s, (a, k)
    read, b = [], len(g.into)
    while b > 0:
        a, k = back[b]
        if a < 0:
            return False
        read.append(-1 if float(energy[k, digit[k]]) > reject else int(digit[k]))
        b = a
    return read[::-1] == g.truth.tolist()


def write_graphs(model, images: np.ndarray, labels: np.ndarray, lengths, count: int, seed: int, costs: Costs,
                 varied: float = 0.0, log=None) -> tuple[list[NumberGraph], int]:  # fmt: skip
    """``count`` numbers (lengths cycling through ``lengths``; a share ``varied`` by the varied
    writer) written with ``images``/``labels`` and cut by the segmenter → their graphs, and how
    many were skipped (refused, or no path of the right length)."""
    rng = np.random.default_rng(seed)
    out, skipped = [], 0
    for i in range(count):
        length = lengths[i % len(lengths)]
        pick = rng.choice(len(labels), size=length, replace=False)
        style = {"varied": True} if varied and rng.random() < varied else {}
        canvas, _ = write_number(images[pick], rng, TOUCH, **style)
        graph, _, _, _ = build_graph(model, canvas)
        g = number_graph(graph, labels[pick], costs) if graph is not None and graph.spans else None
        if g is None:
            skipped += 1
        else:
            out.append(g)
        if log and (i + 1) % 500 == 0:
            log(f"  {i + 1}/{count} numbers, {sum(len(g.inputs) for g in out)} pieces, {skipped} skipped")
    return out, skipped


def cached_graphs(path: Path | None, make) -> tuple[list[NumberGraph], int]:
    """``make()``'s graphs, kept in ``path`` (a pickle written here) between runs."""
    if path is not None and path.is_file():
        with path.open("rb") as f:
            return pickle.load(f)
    made = make()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            pickle.dump(made, f)
    return made


def train(args: argparse.Namespace) -> dict:
    gen = seeded(args.seed, args.threads)
    start_time = time.time()
    log = print if not args.quiet else (lambda *_: None)
    costs = costs_for(START)
    model = load_model("lenet5", path=args.init)
    x_fit, y_fit, x_val, y_val = split(args.data_dir)
    fit_images, val_images = x_fit[:, 0].numpy(), x_val[:, 0].numpy()
    writer = f"a share {args.varied:g} by the varied writer" if args.varied else "plain writer"
    cache = args.cache

    def made(name, images, labels, lengths, count, seed, varied):
        path = cache / f"{name}-{count}-{seed}-v{varied:g}.pkl" if cache else None
        return cached_graphs(
            path, lambda: write_graphs(model, images, labels, lengths, count, seed, costs, varied, log)
        )

    log(f"writing and cutting {args.rows} numbers of fit digits ...")
    train_graphs, train_skipped = made("fit", fit_images, y_fit.numpy(), LENGTHS, args.rows, args.seed, args.varied)
    val_sets = {  # the varied writer's numbers choose; the plain writer's say whether those got worse
        name: made(f"val-{name}", val_images, y_val.numpy(), VAL_LENGTHS, args.val_rows, VAL_SEED, share)
        for name, share in (("varied", 1.0), ("plain", 0.0))
    }
    data_seconds = time.time() - start_time
    log(f"{len(train_graphs)} fit numbers ({train_skipped} skipped, {sum(len(g.inputs) for g in train_graphs)} "
        f"pieces), validation: {', '.join(f'{len(g)} {k} ({n} skipped)' for k, (g, n) in val_sets.items())}, "
        f"{data_seconds:.0f} s")  # fmt: skip

    def measure() -> dict:
        model.eval()
        row = {"validation_error": error_rate(model, x_val, y_val)}
        for name, (graphs, skipped) in val_sets.items():  # exact among all written, the skipped as misread
            row[f"validation_exact_{name}"] = read_graphs(model, graphs, costs) * len(graphs) / (len(graphs) + skipped)
        return row

    before = measure()
    log(f"start: {json.dumps(before)}")
    history = []
    model.j = args.j
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = (len(train_graphs) + args.batch_size - 1) // args.batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=args.epochs * steps, pct_start=0.1)
    best = (before[CHOOSE], 0, {k: v.clone() for k, v in model.state_dict().items()})
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(train_graphs), generator=gen).tolist()
        total, count = 0.0, 0
        for s in range(steps):
            batch = [train_graphs[i] for i in order[s * args.batch_size : (s + 1) * args.batch_size]]
            loss = graph_losses(model, batch, args.temperature, args.criterion).mean()
            pick = torch.randint(len(x_fit), (args.digits,), generator=gen)
            digit_loss = model.loss(model(x_fit[pick]), y_fit[pick])
            opt.zero_grad()
            (loss + args.digit_weight * digit_loss).backward()
            opt.step()
            sched.step()
            total, count = total + float(loss.detach()), count + 1
            if not args.quiet and (s + 1) % 50 == 0:
                print(f"  epoch {epoch} step {s + 1}/{steps} graph loss {total / count:.3f}", flush=True)
        row = {"epoch": epoch, "train_loss": total / count, **measure(), "seconds": round(time.time() - start_time, 1)}
        history.append(row)
        log(json.dumps(row))
        if row[CHOOSE] > best[0]:
            best = (row[CHOOSE], epoch, {k: v.clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[2])
    final = model.eval()
    after = measure()
    calibration = calibrate(scores(final, x_val), y_val)  # for single digits, as lenet.train does
    info = {
        "network": NAME,
        "command": command("lenet.number.global_training", args.argv, args.threads),
        "threads": args.threads,
        "recipe": "trained through the segmentation graph (section VI): loss = constrained minus free "
        f"{'soft-min (discriminative forward)' if args.criterion == 'forward' else 'min (discriminative Viterbi)'} "
        "of the paths' costs, each arc's cost LeNet-5's energy plus the fixed penalties of costs_for('lenet5-pieces'); "
        "mixed with single fit digits under the MAP loss; Adam + one-cycle; the pass with the best exact reading "
        "of validation numbers is kept",
        "init": in_repository(args.init),
        "init_info": {k: read_info(args.init).get(k) for k in ("command", "validation_error")},
        "seed": args.seed, "epochs": args.epochs, "kept_epoch": best[1], "batch_size": args.batch_size,
        "lr": args.lr, "criterion": args.criterion, "graph_temperature": args.temperature, "j": args.j,
        "digits_per_step": args.digits, "digit_weight": args.digit_weight, "varied": args.varied,
        "distortions": False,
        "data": f"{len(train_graphs)} numbers of {LENGTHS[0]}–{LENGTHS[-1]} fit digits (the first 50,000 training "
                f"images; {train_skipped} more skipped: no path of the right length), "
                f"{writer}, "
                f"each graph built once; {args.digits} single fit digits per step; validation: the last 10,000 "
                f"training images, {args.val_rows} numbers of {VAL_LENGTHS[0]}–{VAL_LENGTHS[-1]} of them by the "
                f"varied writer and {args.val_rows} by the plain one (skipped ones count as misread)",
        "train_images": len(x_fit), "train_numbers": len(train_graphs), "train_skipped": train_skipped,
        "validation_numbers": {k: len(g) for k, (g, _) in val_sets.items()},
        "validation_skipped": {k: n for k, (_, n) in val_sets.items()},
        **calibration,
        "validation_figures": after, "base_validation_figures": before,
        "parameters": count_parameters(final),
        "wall_seconds": round(time.time() - start_time, 1), "data_seconds": round(data_seconds, 1),
        "machine": machine(),
    }  # fmt: skip
    out = Path(args.out_dir)
    write_run(final, NAME, info, history, out, defaults(info["init"]), "lenet5")
    log(f"validation exact, varied {after[CHOOSE]:.1%} (start {before[CHOOSE]:.1%}), "
        f"single-digit error {100 * after['validation_error']:.2f}%; wrote {out / NAME}.safetensors")  # fmt: skip
    return info


def defaults(init: Path | str) -> dict:
    """What a run records for each setting left to its default (``lenet.provenance``)."""
    d = vars(parse_args([]))
    return {**{k: d[k] for k in ("seed", "epochs", "batch_size", "lr", "j", "criterion", "digit_weight", "varied")},
            "graph_temperature": d["temperature"], "digits_per_step": d["digits"], "init": str(init)}  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--init", type=Path, default=INIT, help="the LeNet-5 to start from (weights/lenet5-pieces)")
    p.add_argument("--rows", type=int, default=2000, help="numbers written with fit digits to train on")
    p.add_argument("--val-rows", type=int, default=400, help="numbers written with validation digits (figures)")
    p.add_argument("--varied", type=float, default=1.0, help="share of numbers by the varied writer (0: plain)")
    p.add_argument(
        "--criterion",
        choices=CRITERIA,
        default="forward",
        help="forward: constrained − free soft-min of the paths' costs; viterbi: constrained − free min",
    )
    p.add_argument("--temperature", type=float, default=10.0, help="T of the soft-min, in energy units")
    p.add_argument("--epochs", type=int, default=3, help="passes; the best on validation numbers is kept")
    p.add_argument("--batch-size", type=int, default=8, help="numbers per step")
    p.add_argument("--digits", type=int, default=32, help="single fit digits per step (MAP loss)")
    p.add_argument("--digit-weight", type=float, default=1.0, help="weight of the single digits' MAP loss")
    p.add_argument("--lr", type=float, default=3e-4, help="peak learning rate of the one-cycle schedule (Adam)")
    p.add_argument("--j", type=float, default=20.0, help="the MAP constant for the single digits (lenet5-pieces')")
    add_run_options(p, cache="keep the numbers' graphs in this folder between runs")
    return parse_run(p, argv)


def main(argv: list[str] | None = None) -> int:
    train(parse_args(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
