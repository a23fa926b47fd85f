"""How well does LeNet-5 read a whole handwritten number? A benchmark, not a test.

    python -m bench.read_number [--n 200] [--split test] [--seed 0] [--touch 0.33] [--long 50]
    python -m bench.read_number --api 200        # the page's /read_number, timed through the API

Numbers of 2–5 digits (and, with ``--long``, 6–10) are written from MNIST digits the way a person
writes on a wide canvas (1120×280, like the page's): one pen for the whole number, digits of about
the same height with a little size and baseline jitter, uneven gaps, and about a third of
neighbouring digits touching or overlapping (``--touch``). Each canvas is read twice:

- the paper's way (``lenet.number.read_number``: heuristic over-segmentation, every candidate
  piece scored by LeNet-5 in one batch, Viterbi through the segmentation graph);
- the naive way: each connected piece of ink read as one digit, left to right
  (``lenet.number.read_components``).

It prints exact-match accuracy by length and by touching / not touching, the candidate pieces per
number, with ``--ceiling`` how often the right segmentation was among the candidates at all (a path
of one-digit pieces: ``lenet.number.train_pieces.good_path``), and the server time per 5-digit number (p50, p90;
from the canvas array to the string, one thread, as the app runs). Thresholds and penalties in
``lenet.number`` were tuned with ``--split validation`` (the last 10,000 MNIST training digits);
the figures to report are ``--split test``. ``--network lenet5-pieces`` reads with the LeNet-5
trained on the graph's pieces (``lenet/number/train_pieces.py``) and its own costs; ``--tune`` searches
the costs on validation numbers.

``--api N`` serves ``app.py`` in its own process and sends it N 5-digit numbers (PNGs, 1120×280) one
after another through ``/read_number``, as a script or the page would (upload, queue, event
stream); it prints the server's time per number (from the queue's "process_starts" to the result:
the reading, the three views, Gradio's postprocessing; goal ≤ 50 ms p50) and the whole round trip,
p50 and p95, with the share read right. Printed, never asserted (the machine may be shared).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from PIL import Image

from lenet.number import TOUCH


def digit_pool(split: str, data_dir: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits (N, 28, 28) float32 and labels (N,) for ``split``: "test", or "validation" =
    the last 10,000 training digits (the shipped weights saw them in training: tune there only)."""
    from lenet.data import DEFAULT_DATA_DIR, load_split

    images, labels = load_split(split, data_dir or DEFAULT_DATA_DIR)
    return images[:, 0].numpy(), labels.numpy()


def make_numbers(
    split: str,
    lengths: list[int],
    n: int,
    seed: int,
    touch: float = TOUCH,
    overlap: float = 1.0,
    data_dir=None,
    owners: bool = False,
    varied: bool = False,
):
    """``n`` numbers of each length (``lenet.number.writer.written``): a list of (canvas, truth
    string, touching flags), and with ``owners`` a fourth value: which digit owns each canvas pixel
    (``lenet.number.train_pieces.owner_map``; the canvases are the same either way). ``varied``:
    written by the varied hand (``lenet.number.writer.hand``: slant, pen widths, baselines, narrow
    digits, deeper overlaps)."""
    from lenet.number.train_pieces import owner_map
    from lenet.number.writer import written

    images, labels = digit_pool(split, data_dir)
    numbers = written(images, labels, lengths, n, seed, touch, overlap, varied, layers=owners)
    return [(*number[:3], owner_map(number[3])) if owners else number for number in numbers]


def has_good_path(model, canvas: np.ndarray, owners: np.ndarray, digits: int) -> tuple[bool, object, float, tuple]:
    """Whether the segmentation graph of ``canvas`` has a path of pieces each one digit (≥ 80% of the
    piece's ink is that digit's, and it holds ≥ 80% of that digit's ink), one per digit in order
    (``lenet.number.train_pieces.good_path``): the ceiling of any recogniser; and the graph (None for a
    picture the reader refuses), its scale and origin."""
    from lenet.number import build_graph
    from lenet.number.train_pieces import good_path, piece_shares

    graph, _, scale, origin = build_graph(model, canvas)
    if graph is None or not graph.spans:
        return False, graph, scale, origin
    main, purity, coverage = piece_shares(graph, owners, scale, origin)
    return good_path(graph, main, purity, coverage, digits), graph, scale, origin


def draw_cuts(canvas: np.ndarray, graph, scale: float, origin) -> Image.Image:
    """The canvas with every cut of the graph drawn: red through ink, blue at gaps (for looking at
    failures)."""
    from PIL import ImageDraw

    im = Image.fromarray(canvas).convert("RGB")
    d = ImageDraw.Draw(im)
    for kind, line in zip(graph.seg.cut_kinds, graph.seg.cut_lines, strict=True):
        if kind in ("ink", "gap") and line:
            pts = [(origin[0] + x * scale, origin[1] + y * scale) for x, y in line]
            d.line(pts, fill=(220, 0, 0) if kind == "ink" else (0, 90, 220), width=2)
    return im


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="numbers per length 2–5 (default: 200)")
    parser.add_argument("--long", type=int, default=0, help="numbers per length 6–10 (default: 0)")
    parser.add_argument("--split", default="test", choices=["test", "validation"], help="digits to write with")
    parser.add_argument("--seed", type=int, default=0, help="seed for the digits and the handwriting")
    parser.add_argument("--touch", type=float, default=TOUCH, help="chance of writing a digit into the last one")
    parser.add_argument("--overlap", type=float, default=1.0, help="touching strokes overlap up to this many pens")
    parser.add_argument(
        "--varied", action="store_true", help="a more varied writer: slant, pen widths, baselines, narrow digits"
    )
    parser.add_argument(
        "--network", default="lenet5", help="which network reads (lenet5, lenet5-pieces, lenet5-global)"
    )
    parser.add_argument("--weights", default=None, help="its weights file (default: weights/<network>.safetensors)")
    parser.add_argument("--costs", default="", help="override the network's Costs, e.g. digit=-30,cut=4")
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also report how often the graph holds the right path at all (pieces ≥ 80%% one digit, ≥ 80%% of it)",
    )
    parser.add_argument(
        "--readers",
        default="",
        help="compare readers, e.g. lenet5-pieces,lenet5-global,sdnn (a network read through the graph, or sdnn); "
        "default: --network",
    )
    parser.add_argument("--quick", action="store_true", help="2 numbers per length, with the ceiling (CI: it runs)")
    parser.add_argument("--tune", action="store_true", help="search Costs on validation numbers")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the app uses 1)")
    parser.add_argument("--save-failures", default=None, help="write misread canvases to this folder")
    parser.add_argument("--api", type=int, default=0, help="time N 5-digit numbers through the app's /read_number")
    args = parser.parse_args(argv)
    args.readers = args.readers.split(",") if args.readers else [args.network]
    if args.quick:
        args.n, args.long, args.ceiling = 2, 0, True
    if args.api:
        return api_timing(
            make_numbers(args.split, [5], args.api, args.seed, args.touch, args.overlap, varied=args.varied)
        )

    import torch

    from lenet.checkpoint import load_model
    from lenet.number import build_graph, costs_for, read_components

    torch.set_num_threads(args.threads)
    model = load_model(args.network, path=args.weights)
    costs = costs_for(args.network)
    if args.costs:
        from dataclasses import replace

        costs = replace(costs, **{k: float(v) for k, v in (kv.split("=") for kv in args.costs.split(","))})
    if args.tune:
        if args.split != "validation":
            parser.error("--tune chooses costs: only on --split validation")
        return tune(
            model,
            make_numbers(args.split, [2, 3, 4, 5], args.n, args.seed, args.touch, args.overlap, varied=args.varied),
            costs,
        )
    numbers = make_numbers(
        args.split, [2, 3, 4, 5], args.n, args.seed, args.touch, args.overlap, owners=args.ceiling, varied=args.varied
    )
    if args.long:
        numbers += make_numbers(
            args.split,
            [6, 7, 8, 9, 10],
            args.long,
            args.seed + 1,
            args.touch,
            args.overlap,
            owners=args.ceiling,
            varied=args.varied,
        )
    readers = {name: reader(name, model if name == args.network else None, costs) for name in args.readers}
    for read in readers.values():
        read(numbers[0][0])  # warm up
    rows = []
    for i, (canvas, truth, touching, *owners) in enumerate(numbers):
        read_as, ms = {}, {}
        for name, read in readers.items():
            start = time.perf_counter()
            read_as[name] = read(canvas)
            ms[name] = 1000 * (time.perf_counter() - start)
        naive = read_components(model, canvas)
        if owners:
            good, graph, scale, origin = has_good_path(model, canvas, owners[0], len(truth))
        else:
            good, (graph, _, scale, origin) = None, build_graph(model, canvas)
        first = read_as[args.readers[0]]
        right = {name: digits == truth for name, digits in read_as.items()}
        pieces = len(graph.spans) if graph is not None else 0
        rows.append((len(truth), any(touching), right, naive == truth, ms, touching, pieces, good))
        if args.save_failures and (first != truth or good is False):
            from pathlib import Path

            Path(args.save_failures).mkdir(parents=True, exist_ok=True)
            name = f"{i:04d}_{truth}_{first}{'_nopath' if good is False else ''}.png"
            picture = draw_cuts(canvas, graph, scale, origin) if graph else Image.fromarray(canvas)
            picture.save(Path(args.save_failures) / name)
        print(f"\r{i + 1}/{len(numbers)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    _report(rows, args)
    return 0


SDNN = "lenet5-sdnn"  # the network the SDNN reader reads with (lenet/number/sdnn.py)


def reader(name: str, model=None, costs=None):
    """A function canvas → digits for the reader called ``name``: "sdnn" (the space displacement
    network, ``lenet.number.read_sdnn`` with lenet5-sdnn), or a network that reads through the
    segmentation graph with its own costs (``lenet.number.read_number``). ``model``/``costs``
    override what is loaded for a graph reader (--weights, --costs)."""
    from lenet.checkpoint import load_model

    if name == "sdnn":
        from lenet.number import read_sdnn

        sdnn = load_model(SDNN)
        return lambda canvas: read_sdnn(sdnn, canvas).digits
    from lenet.number import costs_for, read_number

    net = model if model is not None else load_model(name)
    costs = costs if costs is not None else costs_for(name)
    return lambda canvas: read_number(net, canvas, costs).digits


def api_timing(numbers, name: str = "lenet5-global", warmup: int = 10) -> int:
    """Serve app.py, send each number to /read_number (read by ``name``, the page's default) in turn,
    print the server time and the round trip."""
    import asyncio
    import io

    from bench.common import Api, Server, http_client, machine, pct, weights_env

    pngs = []
    for canvas, _, _ in numbers:
        buffer = io.BytesIO()
        Image.fromarray(canvas).save(buffer, format="PNG")
        pngs.append(buffer.getvalue())

    async def run(url: str) -> tuple[list[float], list[float], int]:
        served, trips, right = [], [], 0
        async with http_client() as client:
            api = await Api.connect(client, url, "read_number")
            for k in range(warmup):
                await api.call(await api.sketch(pngs[k % len(pngs)]), name)
            for png, (_, truth, _) in zip(pngs, numbers, strict=True):
                start = time.perf_counter()
                out = await api.call(await api.sketch(png), name)
                trips.append(1000 * (time.perf_counter() - start))
                served.append(1000 * api.served)
                right += out[0] == truth
        return served, trips, right

    env, note = weights_env()
    with Server(env=env) as server:
        served, trips, right = asyncio.run(run(server.url))
    print(machine())
    print(f"/read_number with {name}, {len(numbers)} 5-digit numbers (1120×280 PNGs), one at a time; {note}")
    print(f"  server time (process_starts → result): p50 {pct(served, 50):.1f} ms, p95 {pct(served, 95):.1f} ms"
          "  (goal ≤ 50 ms)")  # fmt: skip
    print(f"  round trip (upload, queue, result):    p50 {pct(trips, 50):.1f} ms, p95 {pct(trips, 95):.1f} ms")
    print(f"  read right: {right / len(numbers):.1%}")
    return 0


TUNE_GRID = {  # the values coordinate descent tries for each field of lenet.number.Costs
    "digit": [-80.0, -60.0, -50.0, -40.0, -30.0, -25.0, -20.0, -15.0, -10.0, -7.0, -5.0, -3.0, 0.0, 3.0, 6.0],
    "cut": [0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0],
    "gap": [0.0, 3.0, 6.0, 10.0, 15.0, 20.0, 30.0],
    "short_cost": [0.0, 50.0, 100.0, 200.0],
    "aspect_cost": [0.0, 1.0, 2.0, 5.0, 10.0, 20.0],
    "reject": [20.0, 30.0, 40.0, 60.0, 80.0, 100.0, 150.0, 1e9],
}


def tune(model, numbers, start) -> int:
    """Coordinate descent over TUNE_GRID on exact match, each graph built once: prints the costs."""
    from dataclasses import replace

    from lenet.number import arc_costs, build_graph, viterbi

    graphs = [(build_graph(model, canvas)[0], truth) for canvas, truth, _ in numbers]

    def score(costs) -> float:
        right = 0
        for g, truth in graphs:
            if g is None:
                continue
            cost = arc_costs(g.energy, g.boxes, g.height, costs)
            best = cost.argmin(axis=1)
            arcs = {span: float(cost[k, best[k]]) for k, span in enumerate(g.spans)}
            node = costs.cut * g.seg.cut_costs - costs.gap * (np.array(g.seg.cut_kinds) == "gap")
            _, path = viterbi(len(g.seg.boxes) + 1, arcs, node)
            index = {span: k for k, span in enumerate(g.spans)}
            ks = [index[span] for span in zip(path[:-1], path[1:], strict=False)]
            read = "".join("?" if g.energy[k, best[k]] > costs.reject else str(best[k]) for k in ks)
            right += read == truth
        return right / len(graphs)

    costs, best = start, score(start)
    print(f"start {best:.1%}: {costs}")
    for _ in range(2):
        for name, values in TUNE_GRID.items():
            for v in values:
                trial = replace(costs, **{name: v})
                s = score(trial)
                if s > best:
                    costs, best = trial, s
            print(f"{name:12} → {getattr(costs, name):g}: {best:.1%}", flush=True)
    print(f"best on validation {best:.1%}: {costs}")
    print("--costs " + ",".join(f"{k}={v:g}" for k, v in vars(costs).items()))
    return 0


def _report(rows, args) -> None:
    """One column of exact readings per reader, then the naive reading, the pieces in the graph
    and (with --ceiling) how often the graph holds the right path; rows by length and touching."""
    names = args.readers
    length = np.array([r[0] for r in rows])
    touching = np.array([r[1] for r in rows])
    right = {name: np.array([r[2][name] for r in rows]) for name in names}
    naive = np.array([r[3] for r in rows])
    ms = {name: np.array([r[4][name] for r in rows]) for name in names}
    pieces = np.array([r[6] for r in rows])
    ceiling = np.array([bool(r[7]) for r in rows]) if rows[0][7] is not None else None
    short = length <= 5
    pairs = [t for r in rows if r[0] <= 5 for t in r[5]]
    print(f"readers {', '.join(names)} ({args.weights or 'shipped weights'}, {args.costs or 'their own costs'})")
    print(
        f"MNIST {args.split} digits, {'varied' if args.varied else 'plain'} writer, seed {args.seed}, "
        f"touch {args.touch:.2f}, overlap ≤ {args.overlap:g} pen, {args.threads} torch thread(s)"
    )
    print(f"neighbouring digits that touch (2–5 digits): {np.mean(pairs):.1%} of {len(pairs)} pairs")
    width = max(14, *(len(n) for n in names))
    head = f"{'exact reading':24} {'n':>5}" + "".join(f" {n:>{width}}" for n in names)
    print(head + f" {'components':>11} {'pieces':>7}" + (f" {'ceiling':>8}" if ceiling is not None else ""))

    def line(label, sel):
        if sel.any():
            out = f"{label:24} {int(sel.sum()):5d}" + "".join(f" {right[n][sel].mean():{width}.1%}" for n in names)
            out += f" {naive[sel].mean():11.1%} {pieces[sel].mean():7.1f}"
            print(out + (f" {ceiling[sel].mean():8.1%}" if ceiling is not None else ""))

    for n in sorted(set(length.tolist())):
        line(f"{n} digits", length == n)
    line("2–5 digits, all", short)
    line("2–5, some touching", short & touching)
    line("2–5, none touching", short & ~touching)
    if (~short).any():
        line("6–10 digits, all", ~short)
    print("ceiling: the graph holds a path of one-digit pieces, in order (the graph readers' best possible)")
    for name in names:
        five = ms[name][length == 5]
        if five.size:
            print(f"{name}: time per 5-digit number p50 {np.median(five):.1f} ms, p90 {np.percentile(five, 90):.1f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
