"""The weights handed to the browser's reader (explorer/live.py): lossless, complete, served compressed."""

from __future__ import annotations

import base64
import json
import shutil

import numpy as np

from explorer import live
from tests.weights import untrained


def unplanes(text: str) -> np.ndarray:
    raw = np.frombuffer(base64.b64decode(text), dtype=np.uint8)
    return raw.reshape(4, -1).T.copy().view("<f4").ravel()


def test_planes_are_lossless():
    values = np.array([0.0, -1.5, 3.4e38, 1e-30, np.pi], dtype=np.float32)
    assert np.array_equal(unplanes(live.planes(values)), values)


def test_packed_holds_every_tensor_of_the_network_in_its_order():
    network = untrained("lenet5")
    packed = live.packed(network)
    state = network.net.state_dict()
    assert [k for k, _ in packed["tensors"]] == list(state)
    assert "output.centres" in state  # the fixed RBF prototypes travel with the weights
    values = unplanes(packed["weights"])
    assert np.array_equal(values, np.concatenate([v.numpy().ravel() for v in state.values()]))
    assert packed["arch"] == "lenet5" and packed["input_size"] == 32
    assert packed["constants"]["c3_table"][15] == [0, 1, 2, 3, 4, 5]


def test_the_weights_file_is_json_named_by_its_content(tmp_path):
    nets = live.payload({"lenet1": untrained("lenet1")})
    path = live.weights_file(nets, tmp_path)
    assert path.suffix == ".json"  # Gradio compresses what it serves under .json, not its config
    assert json.loads(path.read_text())["lenet1"] == nets["lenet1"]["weights"]
    assert live.weights_file(nets, tmp_path) == path and len(list(tmp_path.iterdir())) == 1


def test_a_folder_it_cannot_write_to_is_not_fatal(tmp_path):
    nets = live.payload({"lenet1": untrained("lenet1")})
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")  # mkdir under it fails, as a folder of another user's would
    path = live.weights_file(nets, blocked / "lenet-live")
    assert path.is_file() and blocked not in path.parents
    shutil.rmtree(path.parent)
