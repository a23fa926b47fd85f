"""Start-up without usable weights or class store: ``python app.py`` exits at once with the fix, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lenet.checkpoint import weights_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # starts app.py in a process of its own: ~7 s each
@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_app_without_usable_weights_exits_with_the_fix(tmp_path, damage):
    if damage == "corrupt":
        weights_path("lenet5", tmp_path).write_bytes(b"\x00garbage, not safetensors" * 20)
    env = {**os.environ, "LENET_WEIGHTS_DIR": str(tmp_path), "GRADIO_SERVER_PORT": "0"}
    out = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "LeNet-5 Explorer cannot start" in out.stderr and damage in out.stderr
    assert "python -m lenet.train --model lenet5" in out.stderr


def test_app_with_a_class_store_it_cannot_open_exits_with_the_fix(tmp_path):
    """CLASS_DB in a folder the app cannot create (under a file): one line that says which and what to do."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {**os.environ, "CLASS_DB": str(blocker / "classes.db"), "GRADIO_SERVER_PORT": "0"}
    out = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "LeNet-5 Explorer cannot start: the class store" in out.stderr and "set CLASS_DB" in out.stderr
