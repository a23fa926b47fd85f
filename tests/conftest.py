import os

import pytest
import torch

from lenet.checkpoint import WEIGHTS_DIR, save_model, weights_path
from lenet.data import DEFAULT_DATA_DIR, have_mnist
from lenet.model import build_model

torch.set_num_threads(1)  # tests share a small machine; keep each one on one core


@pytest.fixture(scope="session")
def mnist_test():
    """The 10,000 MNIST test images; skipped where `python -m lenet.data` has not been run."""
    if not have_mnist(DEFAULT_DATA_DIR):
        pytest.skip("MNIST not fetched: run `python -m lenet.data` (CI does)")
    from lenet.data import load_split

    return load_split("test")


# The app, served in-process once per session (tests/test_app_api.py, tests/test_browser.py).
# It loads the shipped weights from weights/ (or LENET_WEIGHTS_DIR, as app.py does). Where they do
# not exist yet it is served with freshly initialised networks written to a temporary folder, so
# that its wiring is still tested; the tests that need a trained network check TRAINED and skip.
WEIGHTS = os.environ.get("LENET_WEIGHTS_DIR", str(WEIGHTS_DIR))
TRAINED = all(weights_path(name, WEIGHTS).is_file() for name in ("lenet5", "lenet1"))
NEEDS_TRAINED = "needs the shipped weights weights/lenet5.safetensors and weights/lenet1.safetensors"


@pytest.fixture(scope="session")
def app_module(tmp_path_factory):
    """The ``app`` module, imported once, with trained weights where they exist."""
    if not TRAINED:
        folder = tmp_path_factory.mktemp("untrained-weights")
        torch.manual_seed(0)
        for name in ("lenet5", "lenet1"):
            save_model(build_model(name), weights_path(name, folder), {"note": "untrained, for tests"})
        os.environ["LENET_WEIGHTS_DIR"] = str(folder)
    import app

    return app


@pytest.fixture(scope="session")
def server(app_module):
    """URL of the app served in-process on a free local port."""
    _, url, _ = app_module.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    yield url
    app_module.demo.close()
