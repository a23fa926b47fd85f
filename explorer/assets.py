"""The page's CSS and JavaScript: real files in ``explorer/static/``, read once at start-up."""

from __future__ import annotations

from functools import cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"

# The style sheets, in the order they are joined: each view's own, then the page's layout, then the
# focus rings and skip links (a11y.css: last, so that its focus ring wins).
STYLES = (
    "canvas.css", "network_view.css", "mistakes.css", "why.css", "architecture.css", "how_it_learned.css", "bend.css",
    "unit.css", "number.css", "lesson.css", "live.css", "page.css", "a11y.css",
)  # fmt: skip


@cache
def read(name: str) -> str:
    """The text of ``static/<name>``."""
    return (STATIC / name).read_text(encoding="utf-8")


def css() -> str:
    """Every style sheet of the page, as one string for ``Blocks.launch(css=...)``."""
    return "\n".join(read(name) for name in STYLES)


def js(name: str) -> str:
    """A script of ``static/``, without its leading ``//`` comment lines: Gradio evaluates ``js=``
    as an expression, and ``js_on_load`` as a function body."""
    lines = read(name).splitlines()
    while lines and lines[0].lstrip().startswith("//"):
        lines.pop(0)
    return "\n".join(lines) + "\n"
