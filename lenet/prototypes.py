"""The fixed RBF prototypes of LeNet-5's output layer (paper, section II-B and figure 3).

Each class has a stylised 7×12 bitmap; its −1/+1 rendering is the 84-vector that the output
unit compares with the 84 F6 states. The bitmaps below are the paper's own (extracted from the
figure-3 images in the PDF; see ``shared/PAPER.md``), not hand-made look-alikes.
"""

from __future__ import annotations

import numpy as np

ROWS, COLS = 12, 7  # 7 × 12 = 84 = the number of F6 units

# ``#`` = +1, ``.`` = −1; one row of text holds row r of all ten digits, 0 to 9.
_FIGURE_3 = """
.#####.  ...##..  .#####.  #######  .#####.  .#####.  ..####.  #######  .#####.  .#####.
.......  ..###..  .......  .....##  .......  .......  .##....  .....##  ##...##  ##..###
..###..  .####..  .#####.  ....##.  .......  #######  ##.....  .....##  ##...##  ##...##
.##.##.  ...##..  ##...##  ...##..  .##..##  ##.....  ##.....  ....##.  ##...##  ##...##
##...##  ...##..  #....##  ..####.  .##..##  ##.....  ######.  ...##..  .#####.  ##..###
##...##  ...##..  ....##.  .....##  ###..##  .####..  ###..##  ...##..  ##...##  .######
##...##  ...##..  ..###..  .....##  ##...##  ..####.  ##...##  ..##...  ##...##  .....##
##...##  ...##..  .##....  .....##  ##...##  .....##  ##...##  ..##...  ##...##  .....##
.##.##.  ...##..  ##.....  ##...##  ##..###  ##...##  ###..##  ..##...  ##...##  ....##.
..###..  .######  #######  .#####.  .######  .#####.  .#####.  ..##...  .#####.  .####..
.......  .......  .......  .......  .....##  .......  .......  .......  .......  .......
.......  .......  .......  .......  .....##  .......  .......  .......  .......  .......
"""


def bitmaps() -> np.ndarray:
    """The ten prototype pictures: float32, shape (10, 12, 7), values −1.0 or +1.0."""
    lines = [line.split() for line in _FIGURE_3.strip().splitlines()]
    assert len(lines) == ROWS and all(len(row) == 10 for row in lines)
    out = np.empty((10, ROWS, COLS), dtype=np.float32)
    for r, row in enumerate(lines):
        for digit, cells in enumerate(row):
            assert len(cells) == COLS
            out[digit, r] = [1.0 if c == "#" else -1.0 for c in cells]
    return out


def prototypes() -> np.ndarray:
    """The RBF centres: float32, shape (10, 84); F6 unit k is row k // 7, column k % 7."""
    return bitmaps().reshape(10, ROWS * COLS)
