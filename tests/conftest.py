import pytest
import torch

from lenet.data import DEFAULT_DATA_DIR, have_mnist

torch.set_num_threads(1)  # tests share a small machine; keep each one on one core


@pytest.fixture(scope="session")
def mnist_test():
    """The 10,000 MNIST test images; skipped where `python -m lenet.data` has not been run."""
    if not have_mnist(DEFAULT_DATA_DIR):
        pytest.skip("MNIST not fetched: run `python -m lenet.data` (CI does)")
    from lenet.data import load_split

    return load_split("test")
