"""Golden tests typed from the paper itself, not from our code: Table I (which S2 maps each C3 map
reads) and the figure-3 bitmaps behind the RBF prototypes. Nothing here reads lenet/ to build the
expected values, and nothing skips when ../shared is absent."""

import numpy as np
import torch

from lenet.model import C3_TABLE, LeNet5
from lenet.prototypes import bitmaps

# Table I of LeCun et al. (1998), as printed: a row per S2 map, a column per C3 map, X where the
# C3 map reads the S2 map.
TABLE_I = """
   0 1 2 3 4 5 6 7 8 9 A B C D E F
0  X . . . X X X . . X X X X . X X
1  X X . . . X X X . . X X X X . X
2  X X X . . . X X X . . X . X X X
3  . X X X . . X X X X . . X . X X
4  . . X X X . . X X X X . X X . X
5  . . . X X X . . X X X X . X X X
"""

# Figure 3: the 7×12 bitmaps of the digits 0–9 (# = +1, . = −1), left to right.
FIGURE_3 = """
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


def table_one() -> list[tuple[int, ...]]:
    rows = [line.split()[1:] for line in TABLE_I.strip().splitlines()[1:]]
    return [tuple(s2 for s2 in range(6) if rows[s2][c3] == "X") for c3 in range(16)]


def figure_three() -> np.ndarray:
    rows = [line.split() for line in FIGURE_3.strip().splitlines()]
    return np.array([[[c == "#" for c in row[d]] for row in rows] for d in range(10)])


def test_c3_table_is_the_papers():
    assert table_one()[0] == (0, 1, 2) and table_one()[15] == (0, 1, 2, 3, 4, 5)  # the typing itself
    assert [tuple(ins) for ins in C3_TABLE] == table_one()


def test_c3_layer_reads_exactly_table_one():
    """Change one S2 map at a time in a real LeNet-5: exactly the C3 maps of Table I move."""
    torch.manual_seed(0)
    net = LeNet5().eval()
    s2 = torch.randn(1, 6, 14, 14)
    base = net.c3(s2)
    for s2_map in range(6):
        bumped = s2.clone()
        bumped[0, s2_map] += 1.0
        moved = (net.c3(bumped) - base).abs().flatten(2).amax(2)[0] > 1e-6
        assert [m for m in range(16) if moved[m]] == [m for m, ins in enumerate(table_one()) if s2_map in ins]


def test_prototypes_are_figure_three():
    expected = figure_three()
    assert expected.shape == (10, 12, 7)
    assert expected[1][9].tolist() == [False, True, True, True, True, True, True]  # the foot of the 1
    np.testing.assert_array_equal(bitmaps() > 0, expected)


def test_rbf_layer_uses_figure_three():
    """The output layer of a real LeNet-5 is at distance 0 from the F6 state equal to a bitmap."""
    net = LeNet5().eval()
    states = torch.from_numpy(np.where(figure_three(), 1.0, -1.0).reshape(10, 84)).float()
    distances = net.output(states)  # squared distances to the ten prototypes
    torch.testing.assert_close(distances.diagonal(), torch.zeros(10))
    assert bool((distances + torch.eye(10) > 0).all())  # and away from every other prototype
