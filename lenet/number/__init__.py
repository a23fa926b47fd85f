"""Read a row of handwritten digits the paper's way: cut too much, recognise every candidate piece,
Viterbi.

    from lenet import load_model
    from lenet.number import costs_for, read_number
    reading = read_number(load_model("lenet5-pieces"), picture, costs_for("lenet5-pieces"))
    reading.digits  # "4072"; reading.pieces, .cuts, .graph: the path and the whole graph

LeCun, Bottou, Bengio and Haffner (1998) read whole ZIP codes and cheque amounts, where nobody says
where one digit ends and the next begins. Their answer is heuristic over-segmentation (section V),
built from graph transformers (section IV). One module per step, in the order they run:

- ``ink`` (the input): which pixels are strokes, the connected components and their boxes, the
  writer's digit height H, the strokes a vertical line crosses.
- ``cuts`` (V-A, heuristic over-segmentation): where to cut one piece of ink that may hold several
  digits, least-ink paths from the contours' notches, the profile's valleys, and free slants that
  may follow the seam of two strokes written side by side.
- ``segmentation`` (V-A, the segmentation graph): the row cut into segments; the cuts between
  them are the graph's nodes, a run of consecutive segments an arc.
- ``recognition`` (V-B, the recognition transformer): every arc, a run of 1..MAX_SPAN segments,
  normalised like an MNIST digit and read by LeNet-5 in one batch: the interpretation graph's
  energies, one per arc and digit.
- ``viterbi`` (V-B, the Viterbi transformer): each arc's cost (its energy, shape penalties, a
  constant per digit; ``Costs``, tuned per network) and the cheapest path through the graph.
- ``reading`` (IV, the transformers put together): ``read_number``, ``build_graph``, ``decode`` and
  what a reading answers (``NumberReading``, the refusals); the naive ``read_components``.
- ``writer`` (the data; the paper read real ZIP codes and cheques): numbers written from MNIST
  digits, some touching, which the benchmark reads and the piece training cuts.
- ``train_pieces`` (V, the recogniser trained on the graph's pieces, not-one-digit as rubbish):
  ``python -m lenet.number.train_pieces`` makes ``lenet5-pieces``.
- ``global_training`` (VI, the recogniser trained through the whole graph: the right reading's
  paths against all paths, discriminative forward or Viterbi): ``python -m
  lenet.number.global_training`` makes ``lenet5-global`` from ``lenet5-pieces``; read with it using
  ``costs_for("lenet5-global")``.
- ``sdnn`` (VII, the space displacement neural network): no cutting at all — LeNet-5 replicated over
  the whole row as one convolution, an output column every 4 px, read by a small grammar and
  Viterbi: ``read_sdnn(load_model("lenet5-sdnn"), picture).digits``.
- ``train_sdnn`` (VII): ``python -m lenet.number.train_sdnn`` makes ``lenet5-sdnn``, LeNet-5
  fine-tuned on windows of written numbers (on a digit: that digit; between digits: none).

What differs from the paper, and why the figures are what they are (``bench/read_number.py``):
the shipped LeNet-5 was trained on single, centred MNIST digits only. The paper also trained its
recogniser on the pieces of the graph, so that parts of digits, pairs of digits and badly cut
pieces get high energies for every class ("rubbish"); ours never saw such pieces, and two touching
digits squeezed into the 20×20 box often look like one good digit (an 8, a 0). The penalties and
``Costs`` stand in for that training; they were tuned on numbers written with the last 10,000
MNIST training digits, never on the test set. A piece on the path whose best energy is above
``Costs.reject`` is answered "?" (the MAP criterion's rubbish constant j plays that part for one
digit, but the shipped j = 5 is below the energies of clean pieces cut from touching ink).
``lenet5-pieces`` (``train_pieces``) is LeNet-5 given that training: fine-tuned on the pieces of
numbers written with fit digits, those that are not one digit with the rubbish target; read with
it using ``costs_for("lenet5-pieces")``.

Pure numpy, Pillow and torch; no Gradio: a page turns :class:`NumberReading` into pictures.
"""

from lenet.number.reading import (
    BLANK,
    MAX_DIGITS,
    NOISE,
    NOT_DIGITS,
    TOO_LONG,
    Cut,
    NumberReading,
    Piece,
    build_graph,
    decode,
    read_components,
    read_number,
)
from lenet.number.recognition import MAX_SPAN, energies
from lenet.number.sdnn import DECODER, SDNN, Decoder, SdnnReading, read_sdnn
from lenet.number.segmentation import oversegment
from lenet.number.viterbi import COSTS, Costs, arc_costs, costs_for, viterbi
from lenet.number.writer import CANVAS, TOUCH, write_number

__all__ = [
    "BLANK",
    "CANVAS",
    "COSTS",
    "DECODER",
    "MAX_DIGITS",
    "MAX_SPAN",
    "NOISE",
    "NOT_DIGITS",
    "TOO_LONG",
    "SDNN",
    "TOUCH",
    "Costs",
    "Cut",
    "Decoder",
    "NumberReading",
    "Piece",
    "SdnnReading",
    "arc_costs",
    "build_graph",
    "costs_for",
    "decode",
    "energies",
    "oversegment",
    "read_components",
    "read_number",
    "read_sdnn",
    "viterbi",
    "write_number",
]
