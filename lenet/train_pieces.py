"""``python -m lenet.train_pieces``: the piece training's old address, kept because the weights'
records (weights/lenet5-pieces.json, weights/candidates/lenet5-pieces-*.json, the model card) give
that command, and a recorded command must still run. The tool is :mod:`lenet.number.train_pieces`."""

from lenet.number.train_pieces import main

if __name__ == "__main__":
    raise SystemExit(main())
