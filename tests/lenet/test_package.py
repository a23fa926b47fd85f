"""The package's promises: ``from lenet import load_model`` gives the shipped network ready to read,
and ``lenet/`` never imports gradio (CI's ruff check bans it too: pyproject.toml, TID251)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from lenet import paper

LENET = Path(__file__).resolve().parents[2] / "lenet"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(LENET.rglob("*.py")), ids=lambda p: str(p.relative_to(LENET)))
def test_lenet_never_imports_gradio_nor_the_page(path):
    top = {name.split(".")[0] for name in imported_modules(path)}
    assert not top & {"gradio", "gradio_client", "explorer", "app"}, path.name


@pytest.mark.slow  # a fresh interpreter importing torch: ~11 s
def test_importing_lenet_loads_no_gradio():
    modules = "lenet.network, lenet.occlusion, lenet.preprocess, lenet.train, lenet.card, lenet.evaluate"
    code = f"import sys, {modules}; print('gradio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@pytest.mark.usefixtures("trained")
def test_load_model_from_the_package_reads_a_digit():
    from lenet import load_model

    net = load_model("lenet5")
    assert not net.training and net.name == "lenet5"
    one = torch.zeros(1, 1, 28, 28)
    one[0, 0, 4:24, 13:16] = 1.0
    assert net(one).argmax().item() == 1


def test_the_papers_table_adds_up_to_its_totals():
    assert sum(r.params for r in paper.LAYERS.values()) == paper.TOTAL[0]
    assert sum(r.connections for r in paper.LAYERS.values()) == paper.TOTAL[1]
