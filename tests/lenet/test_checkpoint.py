"""Weights files: round trip, and a clear message for every way they can be wrong."""

import pytest
import torch

from lenet.checkpoint import WeightsError, load_model, read_info, save_model, update_info
from lenet.model import build_model


def test_round_trip_keeps_weights_and_info(tmp_path):
    model = build_model("lenet5")
    save_model(model, tmp_path / "lenet5.safetensors", {"test_error": 0.01})
    loaded = load_model("lenet5", tmp_path)
    assert not loaded.training
    for a, b in zip(model.state_dict().values(), loaded.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b)
    update_info(tmp_path / "lenet5.safetensors", {"unsure_gap": 2.5})
    assert read_info(tmp_path / "lenet5.safetensors") == {"model": "lenet5", "test_error": 0.01, "unsure_gap": 2.5}


def test_an_update_that_changes_nothing_leaves_the_file_byte_for_byte(tmp_path, monkeypatch):
    """``python -m lenet.provenance`` over every shipped file rewrites only those whose metadata changed."""
    path = tmp_path / "lenet5.safetensors"
    save_model(build_model("lenet5"), path, {"test_error": 0.01, "rates": (1, 2)})
    before = path.read_bytes()
    writes = []
    monkeypatch.setattr("lenet.checkpoint.save_file", lambda *a, **k: writes.append(a))
    update_info(path, {"test_error": 0.01, "rates": (1, 2)})  # the same values (a tuple reads back as a list)
    assert writes == [] and path.read_bytes() == before
    update_info(path, {"test_error": 0.02})
    assert len(writes) == 1


def test_missing_file(tmp_path):
    with pytest.raises(WeightsError, match="missing.*python -m lenet.train --model lenet1"):
        load_model("lenet1", tmp_path)


def test_corrupt_file(tmp_path):
    (tmp_path / "lenet5.safetensors").write_bytes(b"\x00not a safetensors file" * 10)
    with pytest.raises(WeightsError, match="corrupt"):
        load_model("lenet5", tmp_path)


def test_truncated_file(tmp_path):
    save_model(build_model("lenet5"), tmp_path / "lenet5.safetensors")
    data = (tmp_path / "lenet5.safetensors").read_bytes()
    (tmp_path / "lenet5.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError, match="corrupt"):
        load_model("lenet5", tmp_path)


def test_weights_of_the_other_model(tmp_path):
    save_model(build_model("lenet1"), tmp_path / "lenet5.safetensors")
    with pytest.raises(WeightsError, match="holds 'lenet1'"):
        load_model("lenet5", tmp_path)


def test_non_finite_weights(tmp_path):
    model = build_model("lenet1")
    with torch.no_grad():
        model.c1.weight[0, 0, 0, 0] = float("nan")
    save_model(model, tmp_path / "lenet1.safetensors")
    with pytest.raises(WeightsError, match="NaN"):
        load_model("lenet1", tmp_path)
