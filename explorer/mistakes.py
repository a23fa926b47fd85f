"""Mistakes: the MNIST test digits a network gets wrong, its confusion matrix and its error per
class — all read from the files shipped beside the weights, never from MNIST.

``weights/<name>_errors.safetensors`` holds the misclassified test digits and the network's scores
for them (``lenet.evaluate.write_misclassified``); ``weights/<name>.json`` holds the confusion
matrix, the per-class error and the test error (``lenet.evaluate.record`` and ``lenet.train``).
:func:`load_testset` reads both once; :func:`explorer_html` turns them into one HTML fragment whose
thumbnails carry ``data-pick`` (an index into :attr:`TestSet.images`) for the page to send back.
Missing files give an empty explorer with a note, not an error. Pure numpy: no Gradio. Its CSS and
the script that filters on the page are ``static/mistakes.css`` and ``static/mistakes.js``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.pictures import img, thumbnail
from lenet.checkpoint import WEIGHTS_DIR
from lenet.evaluate import errors_path
from lenet.network import read_log


@dataclass(frozen=True)
class TestSet:
    """What one network does on the 10,000 MNIST test digits, as shipped. The K mistakes are
    sorted by true digit, then by the digit read, then by test-set index."""

    __test__ = False  # not a pytest test class despite its name

    name: str  # the network's name, "lenet5"
    images: np.ndarray  # uint8 (K, 28, 28), ink = 255, as in MNIST
    labels: np.ndarray  # int64 (K,) the true digit
    predictions: np.ndarray  # int64 (K,) the digit the network read
    runner_up: np.ndarray  # int64 (K,) its second choice
    indices: np.ndarray  # int64 (K,) position in the MNIST test set (0–9,999)
    gaps: np.ndarray  # float32 (K,) best minus second-best score
    scores: np.ndarray  # float32 (K, 10) class scores, larger = more likely
    confusion: np.ndarray | None = None  # int64 (10, 10), [true][read]; None when not shipped
    per_class_error: np.ndarray | None = None  # float64 (10,) in [0, 1]
    test_error: float | None = None  # fraction of the test set
    n: int | None = None  # number of test digits measured

    def digit(self, k: int) -> np.ndarray:
        """Mistake ``k`` as the network's input: float32 (28, 28) in [0, 1], ink = 1."""
        return self.images[k].astype(np.float32) / 255.0


def _empty(name: str) -> TestSet:
    ints = np.zeros(0, dtype=np.int64)
    return TestSet(
        name, np.zeros((0, 28, 28), np.uint8), ints, ints, ints, ints, np.zeros(0, np.float32),
        np.zeros((0, 10), np.float32),
    )  # fmt: skip


def load_testset(name: str, weights_dir: Path | str = WEIGHTS_DIR) -> TestSet:
    """Read ``<name>_errors.safetensors`` and ``<name>.json`` from ``weights_dir`` (either may be
    missing: the explorer is then empty or lacks its matrix)."""
    log = read_log(name, weights_dir)
    extra = {}
    if "confusion" in log:
        extra["confusion"] = np.asarray(log["confusion"], dtype=np.int64)
    if "per_class_error" in log:
        extra["per_class_error"] = np.asarray(log["per_class_error"], dtype=np.float64)
    if "test_error" in log:
        extra["test_error"] = float(log["test_error"])
    if "n" in log or "test_images" in log:
        extra["n"] = int(log.get("n", log.get("test_images")))
    errors = errors_path(name, weights_dir)
    if not errors.is_file():
        return TestSet(**{**_empty(name).__dict__, **extra})
    from safetensors.numpy import load_file

    t = load_file(str(errors))
    order = np.lexsort((t["indices"], t["predictions"], t["labels"]))  # last key sorts first
    return TestSet(
        name=name,
        images=t["images"][order],
        labels=t["labels"][order].astype(np.int64),
        predictions=t["predictions"][order].astype(np.int64),
        runner_up=t["runner_up"][order].astype(np.int64),
        indices=t["indices"][order].astype(np.int64),
        gaps=t["gaps"][order].astype(np.float32),
        scores=t["scores"][order].astype(np.float32),
        **extra,
    )


def _confusion_html(ts: TestSet) -> str:
    """The confusion matrix with the per-class error as its last column; off-diagonal cells that
    hold mistakes carry ``data-cell="t,p"`` so that clicking one shows only those mistakes. Those
    cells are buttons to a keyboard and a screen reader too: focusable, named ("7 read as 9: 5
    digits"), pressed while they filter (Enter or Space: ``static/mistakes.js``)."""
    if ts.confusion is None:
        return '<p class="note">No confusion matrix was shipped with these weights.</p>'
    c = ts.confusion
    off = c.copy()
    np.fill_diagonal(off, 0)
    top = max(int(off.max()), 1)
    head = "<tr><th></th>" + "".join(f"<th>{p}</th>" for p in range(10))
    head += "<th>error</th></tr>"
    rows = []
    for t in range(10):
        cells = []
        for p in range(10):
            n = int(c[t, p])
            if t == p:
                cells.append(f'<td class="diag" title="{n} {t}s read correctly">{n}</td>')
            elif n:
                alpha = 0.18 + 0.82 * n / top
                said = f"{t} read as {p}: {n} digit{'s' if n > 1 else ''}"  # a cell's name, for a screen reader
                cells.append(
                    f'<td class="miss" data-cell="{t},{p}" style="background:rgba(217,119,6,{alpha:.2f})" '
                    f'tabindex="0" role="button" aria-pressed="false" aria-label="{said}" '
                    f'title="{n} {t}s read as {p}: click to see them">{n}</td>'
                )
            else:
                cells.append("<td></td>")
        err = f"{100 * ts.per_class_error[t]:.1f}%" if ts.per_class_error is not None else ""
        rows.append(f"<tr><th>{t}</th>{''.join(cells)}<td class='err'>{err}</td></tr>")
    caption = "<caption>row: the true digit · column: the digit read · error: per true digit</caption>"
    return f'<table class="confusion">{caption}{head}{"".join(rows)}</table>'


def explorer_html(ts: TestSet, title: str, unsure_gap: float) -> str:
    """The explorer for one network (built once at start-up): a summary, the confusion matrix with
    the per-class error, and every mistake as a clickable thumbnail."""
    k = len(ts.images)
    if ts.test_error is not None and ts.n:
        summary = (
            f"{title} misreads <b>{round(ts.test_error * ts.n):,} of the {ts.n:,}</b> MNIST test digits "
            f"({100 * ts.test_error:.2f}%)."
        )
    else:
        summary = f"{title}: {k} misread test digits shipped."
    if not k:
        return (
            f'<div class="lenet-mistakes"><p>{summary}</p>{_confusion_html(ts)}'
            '<p class="note">No misread test digits were shipped with these weights '
            f"(<code>python -m lenet.evaluate --model {ts.name} --record</code> writes them).</p></div>"
        )
    thumbs = []
    for i in range(k):
        t, p, r = int(ts.labels[i]), int(ts.predictions[i]), int(ts.runner_up[i])
        detail = (
            f"Test digit #{int(ts.indices[i])}: labelled {t}, read as {p} (second choice {r}); "
            f"lead over the second choice {float(ts.gaps[i]):.2f} (the app says “unsure” below {unsure_gap:.2f})"
        )
        thumbs.append(
            f'<button class="thumb" data-pick="{i}" data-cell="{t},{p}" title="{html.escape(detail)}">'
            + img(thumbnail(ts.images[i]), f"a {t} read as {p}")
            + f"<small>{t}→{p}</small></button>"
        )
    return (
        f'<div class="lenet-mistakes" data-model="{ts.name}"><p>{summary} Click a digit to read it, '
        "or a number in the table to see only those.</p>"
        f"{_confusion_html(ts)}"
        '<p class="filter">Showing all mistakes, labelled → read as. '
        '<button class="all" hidden>show all</button></p>'
        f'<p class="picked"></p><div class="thumbs">{"".join(thumbs)}</div></div>'
    )
