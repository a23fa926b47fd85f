"""Train LeNet-5 or LeNet-1 on MNIST and write the shipped weights, their log and the model card.

    python -m lenet.train --model lenet5                            # our recipe: weights/50k/lenet5.safetensors
    python -m lenet.train --model lenet5 --smoke                    # a quick check on a small subset (CI)
    python -m lenet.train --model lenet5 --recipe paper             # the paper's: weights/lenet5-paper.safetensors
    python -m lenet.train --model lenet5 --recipe paper --distort   # ... with distortions: lenet5-paper-distort
    python -m lenet.evaluate --model lenet5 --record                # then the test figures
    python -m lenet.train --model lenet5 --all-60000 --calibration-from weights/50k/lenet5.safetensors
                                                                    # the same run on all 60,000: weights/lenet5

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

Where a run goes unless ``--out-dir`` says otherwise (the shipped layout): a network listed in
``lenet.checkpoint.ON_60000`` ships its ``--all-60000`` retrain in weights/ and keeps the
50,000-image run it was frozen from in weights/50k/, so its 50,000-image command writes there and
``--all-60000`` writes to weights/ (never over the run it reads); any other network's run goes to
weights/.

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

The package, in the order a run goes: ``cli.py`` (the flags and what each left out means),
``samples.py`` (the split and the samples of a pass), ``recipes.py`` (ours and the paper's, step by
step), ``loop.py`` (the one loop, with ``--resume``), ``write.py`` (weights, log, curve) and
``run.py``, which puts them together. ``lenet.train_pieces`` trains with the same pieces.
"""

from lenet.train.cli import (
    DEFAULTS,
    FROZEN,
    PAPER_INIT,
    family,
    freeze_settings,
    network_name,
    parse_args,
    recorded_defaults,
)
from lenet.train.loop import Progress, error_rate, passes, seeded
from lenet.train.recipes import KD_TEMPERATURE, RECIPES, Ours, Paper, distillation_loss, update_average
from lenet.train.run import DATA_50000, DATA_ALL_60000, carried_calibration, main, train
from lenet.train.samples import Samples, distorted_copies, split
from lenet.train.write import (
    add_run_options,
    command,
    in_repository,
    machine,
    parse_run,
    without_options,
    without_out_dir,
    write_curve,
    write_run,
)

__all__ = [
    "DATA_50000", "DATA_ALL_60000", "DEFAULTS", "FROZEN", "KD_TEMPERATURE", "PAPER_INIT", "RECIPES", "Ours", "Paper",
    "Progress", "Samples", "add_run_options", "carried_calibration", "command", "distillation_loss",
    "distorted_copies", "error_rate", "family", "freeze_settings", "in_repository", "machine", "main", "network_name",
    "parse_args", "parse_run", "passes", "recorded_defaults", "seeded", "split", "train", "update_average",
    "without_options", "without_out_dir", "write_curve", "write_run",
]  # fmt: skip
