"""Fixtures of the HTTP tests: a gradio_client on the app served in-process (``server``)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def client(server):
    gradio_client = pytest.importorskip("gradio_client")
    return gradio_client.Client(server, verbose=False, download_files=False, analytics_enabled=False)
