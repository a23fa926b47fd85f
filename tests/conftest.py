"""Fixtures shared by every test folder: MNIST, the app served in-process, and a browser."""

from __future__ import annotations

import os

import pytest
import torch

from lenet.checkpoint import architecture, save_model, weights_path
from lenet.data import DEFAULT_DATA_DIR, have_mnist
from lenet.model import build_model
from tests import browser as chromium
from tests.weights import SERVED, TRAINED, require_trained

torch.set_num_threads(1)  # tests share a small machine; keep each one on one core

BROWSER_FIXTURES = {"browser", "page"}


def pytest_collection_modifyitems(config, items):
    """Mark `browser` every test that uses Chromium: the `browser` or `page` fixture, directly or
    through another fixture (``item.fixturenames`` is the whole closure). Then
    ``pytest -m "not browser and not slow"`` is the quick loop (docs/TESTING.md)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def trained():
    """For a test that needs every shipped network the page offers: skipped without them, failed
    under CI=true (tests/weights.py, require_trained)."""
    require_trained()


@pytest.fixture(scope="session")
def mnist_test():
    """The 10,000 MNIST test images; skipped where `python -m lenet.data` has not been run."""
    if not have_mnist(DEFAULT_DATA_DIR):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and MNIST is missing: tests/run.sh fetches it with `python -m lenet.data`")
        pytest.skip("MNIST not fetched: run `python -m lenet.data` (CI does)")
    from lenet.data import load_split

    return load_split("test")


# The app, served in-process once per session (tests/app/). It loads the shipped weights from
# weights/ (or LENET_WEIGHTS_DIR, as app.py does). Where they do not exist yet it is served with
# freshly initialised networks written to a temporary folder, so that its wiring is still tested;
# the checks that need a trained network call tests.weights.require_trained (skip, or fail under CI=true).
@pytest.fixture(scope="session")
def app_module(tmp_path_factory):
    """The ``app`` module, imported once, with trained weights where they exist, and its class board's
    store in a temporary file (``CLASS_DB``), never in ``data/``."""
    os.environ.setdefault("CLASS_DB", str(tmp_path_factory.mktemp("classes") / "classes.db"))
    if not TRAINED:
        folder = tmp_path_factory.mktemp("untrained-weights")
        torch.manual_seed(0)
        for name in SERVED:
            save_model(build_model(architecture(name)), weights_path(name, folder), {"note": "untrained, for tests"})
        os.environ["LENET_WEIGHTS_DIR"] = str(folder)
    import app

    return app


@pytest.fixture(scope="session")
def server(app_module):
    """URL of the app served in-process on a free local port."""
    _, url, _ = app_module.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    yield url
    app_module.demo.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one per test module (Playwright's sync API cannot be nested, so none lives
    longer than its module); the browser tests skip without it or without Playwright."""
    if os.environ.get("CI") == "true":  # in CI the browser tests run for real: nothing to skip them
        from playwright import sync_api

        if not chromium.have_chromium():
            pytest.fail(f"CI=true and no Chromium: {chromium.NEEDS_CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    if not chromium.have_chromium():
        pytest.skip(chromium.NEEDS_CHROMIUM)
    with sync_api.sync_playwright() as p:
        b = chromium.launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh desktop page (1280×720) of the app, ready to draw."""
    page = chromium.open_page(browser, server)
    yield page
    page.close()
