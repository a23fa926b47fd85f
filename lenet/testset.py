"""The test-set explorer: the MNIST test digits a network gets wrong, its confusion matrix and its
error per class — all read from the files shipped beside the weights, never from MNIST.

``weights/<model>_errors.safetensors`` holds the misclassified test digits and the network's scores
for them (``lenet.evaluate.write_misclassified``); ``weights/<model>.json`` holds the confusion
matrix, the per-class error and the test error (``lenet.evaluate.record`` and ``lenet.train``).
:func:`load_testset` reads both once; :func:`explorer_html` turns them into one HTML fragment whose
thumbnails carry ``data-pick`` (an index into :attr:`TestSet.images`) for the page to send back.
Missing files give an empty explorer with a note, not an error. Pure numpy: no Gradio.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lenet import visualize as vz
from lenet.checkpoint import WEIGHTS_DIR


@dataclass(frozen=True)
class TestSet:
    """What one network does on the 10,000 MNIST test digits, as shipped. The K mistakes are
    sorted by true digit, then by the digit read, then by test-set index."""

    __test__ = False  # not a pytest test class despite its name

    model: str
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
    log: dict = field(default_factory=dict)  # the whole training log ({} when not shipped)

    def digit(self, k: int) -> np.ndarray:
        """Mistake ``k`` as the network's input: float32 (28, 28) in [0, 1], ink = 1."""
        return self.images[k].astype(np.float32) / 255.0


def _empty(model: str, log: dict) -> TestSet:
    ints = np.zeros(0, dtype=np.int64)
    return TestSet(
        model, np.zeros((0, 28, 28), np.uint8), ints, ints, ints, ints, np.zeros(0, np.float32),
        np.zeros((0, 10), np.float32), log=log,
    )  # fmt: skip


def load_testset(model: str, weights_dir: Path | str = WEIGHTS_DIR) -> TestSet:
    """Read ``<model>_errors.safetensors`` and ``<model>.json`` from ``weights_dir`` (either may be
    missing: the explorer is then empty or lacks its matrix)."""
    weights_dir = Path(weights_dir)
    log_path = weights_dir / f"{model}.json"
    try:
        log = json.loads(log_path.read_text()) if log_path.is_file() else {}
    except (OSError, ValueError):  # an unreadable log costs the teaching views their numbers, not the app
        log = {}
    extra = {}
    if "confusion" in log:
        extra["confusion"] = np.asarray(log["confusion"], dtype=np.int64)
    if "per_class_error" in log:
        extra["per_class_error"] = np.asarray(log["per_class_error"], dtype=np.float64)
    if "test_error" in log:
        extra["test_error"] = float(log["test_error"])
    if "n" in log or "test_images" in log:
        extra["n"] = int(log.get("n", log.get("test_images")))
    errors = weights_dir / f"{model}_errors.safetensors"
    if not errors.is_file():
        base = _empty(model, log)
        return TestSet(**{**base.__dict__, **extra})
    from safetensors.numpy import load_file

    t = load_file(str(errors))
    order = np.lexsort((t["indices"], t["predictions"], t["labels"]))  # last key sorts first
    return TestSet(
        model=model,
        images=t["images"][order],
        labels=t["labels"][order].astype(np.int64),
        predictions=t["predictions"][order].astype(np.int64),
        runner_up=t["runner_up"][order].astype(np.int64),
        indices=t["indices"][order].astype(np.int64),
        gaps=t["gaps"][order].astype(np.float32),
        scores=t["scores"][order].astype(np.float32),
        log=log,
        **extra,
    )


def thumbnail(image: np.ndarray) -> np.ndarray:
    """A shipped digit, uint8 (28, 28) ink = 255, drawn like paper: uint8 RGB (28, 28, 3), black
    ink on white."""
    grey = 255 - np.asarray(image, dtype=np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


def _confusion_html(ts: TestSet) -> str:
    """The confusion matrix with the per-class error as its last column; off-diagonal cells that
    hold mistakes carry ``data-cell="t,p"`` so that clicking one shows only those mistakes."""
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
                cells.append(
                    f'<td class="miss" data-cell="{t},{p}" style="background:rgba(217,119,6,{alpha:.2f})" '
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
            f"(<code>python -m lenet.evaluate --model {ts.model} --record</code> writes them).</p></div>"
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
            f'<img src="{vz.png_data_uri(thumbnail(ts.images[i]))}" alt="a {t} read as {p}">'
            f"<small>{t}→{p}</small></button>"
        )
    return (
        f'<div class="lenet-mistakes" data-model="{ts.model}"><p>{summary} Click a digit to read it, '
        "or a number in the table to see only those.</p>"
        f"{_confusion_html(ts)}"
        '<p class="filter">Showing all mistakes, labelled → read as. '
        '<button class="all" hidden>show all</button></p>'
        f'<p class="picked"></p><div class="thumbs">{"".join(thumbs)}</div></div>'
    )


# Runs once in the browser (gr.HTML's js_on_load): filtering is done on the page, so it costs no
# request; only the choice of a digit goes to the server, as trigger('click', {pick, model}).
JS = """
element.addEventListener('click', (event) => {
  const root = element.querySelector('.lenet-mistakes');
  if (!root) return;
  const thumb = event.target.closest('.thumb');
  const cell = event.target.closest('td[data-cell]');
  const all = event.target.closest('button.all');
  const filter = (key) => {
    root.querySelectorAll('.thumb').forEach(b => { b.hidden = key !== null && b.dataset.cell !== key; });
    root.querySelectorAll('td[data-cell]').forEach(td => td.classList.toggle('on', td.dataset.cell === key));
    const [t, p] = key ? key.split(',') : [];
    root.querySelector('.filter').firstChild.textContent = key
      ? `Showing the ${t}s read as ${p}. ` : 'Showing all mistakes, labelled → read as. ';
    root.querySelector('button.all').hidden = key === null;
  };
  if (thumb) {
    root.querySelectorAll('.thumb.on').forEach(b => b.classList.remove('on'));
    thumb.classList.add('on');
    root.querySelector('.picked').textContent = thumb.title;
    trigger('click', {pick: Number(thumb.dataset.pick), model: root.dataset.model});
  } else if (cell) {
    filter(cell.classList.contains('on') ? null : cell.dataset.cell);
  } else if (all) {
    filter(null);
  }
});
"""

CSS = """
.lenet-mistakes { font-size: 12px; line-height: 1.3; }
.lenet-mistakes p { margin: 0 0 4px 0; }
.lenet-mistakes table.confusion { border-collapse: collapse; margin: 2px 0 6px 0; font-variant-numeric: tabular-nums; }
.lenet-mistakes table.confusion th { font-weight: 600; padding: 0 2px; font-size: 11px; }
.lenet-mistakes table.confusion caption { text-align: left; font-size: 10px; color: var(--body-text-color-subdued); }
.lenet-mistakes table.confusion td { width: 21px; height: 19px; padding: 0; text-align: center; font-size: 10px;
  border: 1px solid var(--border-color-primary); }
.lenet-mistakes td.diag { color: var(--body-text-color-subdued); background: rgba(127, 127, 127, 0.1);
  font-size: 8px; }
.lenet-mistakes td.miss { cursor: pointer; font-weight: 700; }
.lenet-mistakes td.miss.on { outline: 2px solid #1d4ed8; outline-offset: -2px; }
.lenet-mistakes td.err { width: 38px; text-align: right; padding-right: 2px; border: none; }
.lenet-mistakes .filter { color: var(--body-text-color-subdued); }
.lenet-mistakes button.all { border: 1px solid var(--border-color-primary); border-radius: 4px; padding: 0 6px;
  cursor: pointer; font-size: 11px !important; line-height: 1.4; background: none; }
.lenet-mistakes .thumbs { display: flex; flex-wrap: wrap; gap: 2px; max-height: 134px; overflow-y: auto; }
.lenet-mistakes .thumb { display: flex; flex-direction: column; align-items: center; padding: 1px;
  border: 2px solid transparent; border-radius: 4px; background: none; cursor: pointer; }
.lenet-mistakes .thumb[hidden] { display: none; }
.lenet-mistakes .thumb img { width: 38px; height: 38px; border: 1px solid var(--border-color-primary); }
.lenet-mistakes .thumb small { font-size: 10px; }
.lenet-mistakes .thumb.on { border-color: #d97706; background: rgba(217, 119, 6, 0.12); }
.lenet-mistakes .picked { min-height: 2.6em; }
.lenet-mistakes .note { color: var(--body-text-color-subdued); }
"""
