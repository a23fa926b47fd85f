"""The architecture view: every layer of the loaded network beside the paper's numbers, the C3
connection table, the C1 kernels and the RBF prototypes, as one HTML fragment.

Every number on the model's side comes from the network itself (:meth:`lenet.model._LeNet.layers`,
its weights and its connection table); the paper's side is section II-B of the paper, from
:mod:`lenet.paper`. A ✓ marks a match. The paper gives no layer table for LeNet-1, only its test
error (1.7 %, section III), so for LeNet-1 the paper's column is left empty. Pure numpy and
strings: no Gradio. What depends on the architecture is keyed by ``network.arch``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import torch

from explorer import pictures as vz
from explorer.glossary import glossary_html
from explorer.layers import LAYERS
from explorer.pictures import img
from lenet import paper
from lenet.model import LayerInfo, PartialConv
from lenet.network import Network


@dataclass(frozen=True)
class Row:
    """One layer: the model's numbers and, where the paper gives them, the paper's."""

    model: LayerInfo
    paper: LayerInfo | None

    @property
    def shape_matches(self) -> bool | None:
        """Maps, size and kernel agree with the paper (None: the paper has no such row)."""
        if self.paper is None:
            return None
        return (self.model.maps, self.model.size, self.model.kernel) == (
            self.paper.maps,
            self.paper.size,
            self.paper.kernel,
        )

    @property
    def params_match(self) -> bool | None:
        return None if self.paper is None else self.model.params == self.paper.params

    @property
    def connections_match(self) -> bool | None:
        return None if self.paper is None else self.model.connections == self.paper.connections


def compare(arch: str, layers: list[LayerInfo]) -> list[Row]:
    """The model's layers (``net.layers()``) paired with the paper's rows (LeNet-5 only)."""
    rows = paper.LAYERS if arch == "lenet5" else {}
    return [Row(layer, rows.get(layer.name)) for layer in layers]


def connection_table(net: torch.nn.Module) -> np.ndarray:
    """Which S2 map each C3 map reads: bool (S2 maps, C3 maps) — (6, 16) for LeNet-5 (Table I of
    the paper, drawn as the paper draws it: one row per S2 map), (4, 12) for LeNet-1 (all True)."""
    c3 = net.c3
    if isinstance(c3, PartialConv):
        grid = np.zeros((c3.in_maps, len(c3.table)), dtype=bool)
        for out, ins in enumerate(c3.table):
            grid[list(ins), out] = True
        return grid
    return np.ones((c3.in_channels, c3.out_channels), dtype=bool)


def c1_kernels(net: torch.nn.Module) -> tuple[np.ndarray, float]:
    """C1's kernels as pictures, and the colour limit: uint8 (maps, 5, 5, 3) on the app's diverging
    scale from −limit (blue) to +limit (red), limit = the largest |weight| (one scale for all)."""
    w = net.c1.weight.detach().cpu().numpy()[:, 0]  # (maps, 5, 5)
    limit = max(float(np.abs(w).max()), 1e-12)
    return vz.colorize(w, -limit, limit), limit


def _mark(ok: bool | None) -> str:
    if ok is None:
        return ""
    return ' <i class="ok">✓</i>' if ok else ' <i class="bad">✗</i>'


def _shape(info: LayerInfo) -> str:
    h, w = info.size
    return f"{info.maps}" if (h, w) == (1, 1) else f"{info.maps} × {h}×{w}"


def _table(arch: str, rows: list[Row]) -> str:
    """One line per layer: what it does, then each number from the model with the paper's beside it."""
    paper_side = arch == "lenet5"
    sub = '<th class="p">paper</th>' if paper_side else ""
    span = ' colspan="2"' if paper_side else ""
    head = (
        f"<tr><th rowspan='2'>layer</th><th rowspan='2'>what it does</th><th{span}>maps × size</th>"
        f"<th{span}>trainable parameters</th><th{span}>connections</th></tr>"
        f"<tr class='sub'><th>this model</th>{sub}<th>this model</th>{sub}<th>this model</th>{sub}</tr>"
    )

    def cells(ours: str, theirs: str | None, ok: bool | None) -> str:
        return f"<td>{ours}{_mark(ok)}</td>" + (f'<td class="p">{theirs or ""}</td>' if paper_side else "")

    body = []
    for r in rows:
        m, p = r.model, r.paper
        kernel = f"{m.kernel} " if m.kernel != "—" else ""
        body.append(
            f"<tr><th>{m.name}</th><td>{kernel}{LAYERS[(arch, m.name)].computes}"
            f'<span class="does">{LAYERS[(arch, m.name)].does}</span></td>'
            + cells(_shape(m), _shape(p) if p else None, r.shape_matches)
            + cells(f"{m.params:,}", f"{p.params:,}" if p else None, r.params_match)
            + cells(f"{m.connections:,}", f"{p.connections:,}" if p else None, r.connections_match)
            + "</tr>"
        )
    params = sum(r.model.params for r in rows)
    conns = sum(r.model.connections for r in rows)
    pp, pc = paper.TOTAL
    total = (
        "<tr class='total'><th>total</th><td></td>"
        + cells("", "", None)
        + cells(f"{params:,}", f"{pp:,}", params == pp if paper_side else None)
        + cells(f"{conns:,}", f"{pc:,}", conns == pc if paper_side else None)
        + "</tr>"
    )
    # in a box of its own that scrolls sideways where the page is narrower than the table (a phone)
    table = f'<table class="arch">{head}{"".join(body)}{total}</table>'
    return f'<div class="arch-scroll" tabindex="0" role="region" aria-label="The layers, side by side">{table}</div>'


def _grid_html(grid: np.ndarray, arch: str) -> str:
    """The C3 connection table as the paper draws it: X where a C3 map (column) reads an S2 map (row)."""
    n_in, n_out = grid.shape
    head = "<tr><th></th>" + "".join(f"<th>{j}</th>" for j in range(n_out)) + "</tr>"
    rows = "".join(
        f"<tr><th>{i}</th>" + "".join(f'<td class="{"x" if grid[i, j] else ""}">{"✕" if grid[i, j] else ""}</td>'
                                      for j in range(n_out)) + "</tr>"
        for i in range(n_in)
    )  # fmt: skip
    if arch == "lenet5":
        note = (
            f"Table I of the paper: {int(grid.sum())} of the {grid.size} possible S2→C3 links. "
            "Breaking the symmetry makes the C3 maps learn different features, and saves parameters."
        )
    else:
        note = f"LeNet-1's C3 reads every S2 map: all {grid.size} links."
    return (
        f'<figure class="c3"><table class="links"><caption>C3 map →</caption>{head}{rows}</table>'
        f"<figcaption><b>C3 connections</b> · row: S2 map, column: C3 map<br><span>{note}</span></figcaption></figure>"
    )


def _pictures(kernels: np.ndarray, limit: float, arch: str) -> str:
    k = img(vz.tile(kernels, len(kernels)), "C1 kernels", 6)
    out = [
        f"<figure>{k}<figcaption><b>C1 kernels</b> · {len(kernels)} learned 5×5 filters<br>"
        f"<span>red: positive weight, blue: negative (±{limit:.2f})</span></figcaption></figure>"
    ]
    if arch == "lenet5":
        protos = img(vz.prototypes_grid(), "the ten RBF prototypes", 3)
        out.append(
            f"<figure>{protos}<figcaption><b>RBF prototypes</b> · fixed 7×12 bitmaps, figure 3<br>"
            "<span>red +1, blue −1: the output unit for digit i measures how far F6 is from bitmap i</span>"
            "</figcaption></figure>"
        )
    else:
        out.append('<p class="note">LeNet-1 ends in a plain full layer: it has no F6 and no prototypes.</p>')
    return "".join(out)


def architecture_html(network: Network) -> str:
    """The whole view for one network (called once per network at start-up)."""
    arch, title, test_error = network.arch, network.title, network.test_error
    rows = compare(arch, network.layers)
    kernels, limit = c1_kernels(network.net)
    ours = f"{100 * test_error:.2f}%" if test_error is not None else "not measured"
    if arch == "lenet5":
        intro = (
            f"The numbers under <i>this model</i> are counted from the loaded {title} itself; <i>paper</i> is "
            "section II-B of the paper; ✓ marks a match."
        )
    else:
        intro = (
            f"The numbers under <i>this model</i> are counted from the loaded {title} itself. The paper gives "
            "no layer table for LeNet-1, only its test error."
        )
    caveat = f" — but {html.escape(paper.NOT_THE_SAME[arch])}" if arch in paper.NOT_THE_SAME else ""
    error = (
        f"<p class='err'>MNIST test error: <b>{ours}</b> (these weights) · "
        f"<b>{100 * paper.TEST_ERROR[arch]:.2f}%</b> (the paper, section III){caveat}</p>"
    )
    grid = connection_table(network.net)
    return (
        f'<div class="lenet-arch"><p>{intro}</p>{error}{_table(arch, rows)}'
        f'<div class="pics">{_grid_html(grid, arch)}{_pictures(kernels, limit, arch)}</div>{glossary_html()}</div>'
    )
