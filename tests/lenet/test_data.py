"""MNIST files: the IDX reader and writer, the safe unpickler, clear errors."""

import io
import pickle

import numpy as np
import pytest

from lenet import data


def test_idx_round_trip(tmp_path):
    arr = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    data._write_idx(tmp_path / "x", arr)
    np.testing.assert_array_equal(data._read_idx(tmp_path / "x"), arr)


def test_truncated_idx_is_refused(tmp_path):
    data._write_idx(tmp_path / "x", np.zeros((3, 28, 28), np.uint8))
    (tmp_path / "x").write_bytes((tmp_path / "x").read_bytes()[:-5])
    with pytest.raises(data.DataError, match="truncated"):
        data._read_idx(tmp_path / "x")


def test_missing_data_names_the_fix(tmp_path):
    with pytest.raises(data.DataError, match="python -m lenet.data"):
        data.load_split("test", tmp_path)


def test_unpickler_takes_arrays_and_refuses_code():
    arrays = ((np.zeros((2, 784), np.float32), np.zeros(2, np.int64)),)
    loaded = data._ArraysOnly(io.BytesIO(pickle.dumps(arrays))).load()
    np.testing.assert_array_equal(loaded[0][0], arrays[0][0])
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        data._ArraysOnly(io.BytesIO(pickle.dumps(print))).load()


def test_real_mnist_split(mnist_test):
    x, y = mnist_test
    assert x.shape == (10_000, 1, 28, 28) and y.shape == (10_000,)
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    assert np.bincount(y.numpy()).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
