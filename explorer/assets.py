"""The page's look: its theme, and its CSS and JavaScript, real files in ``explorer/static/`` read once
at start-up."""

from __future__ import annotations

from functools import cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"

# The style sheets, in the order they are joined: each view's own, then the page's layout, then the
# focus rings and skip links (a11y.css: last, so that its focus ring wins).
STYLES = (
    "canvas.css", "network_view.css", "mistakes.css", "why.css", "architecture.css", "how_it_learned.css", "bend.css",
    "unit.css", "design.css", "number.css", "board.css", "lesson.css", "live.css", "page.css", "a11y.css",
)  # fmt: skip


@cache
def read(name: str) -> str:
    """The text of ``static/<name>``."""
    return (STATIC / name).read_text(encoding="utf-8")


def css() -> str:
    """Every style sheet of the page, as one string for ``Blocks.launch(css=...)``."""
    return "\n".join(read(name) for name in STYLES)


def theme():
    """Gradio's Default theme with every colour it writes text in readable at WCAG 2.1 AA (4.5:1 on
    white, 3:1 for controls): the accent (selected tabs, radio buttons, sliders, pressed buttons) is
    orange 700, #c2410c (5.2:1; the Default's orange 500 is 2.8:1), and the subdued text (captions,
    the sliders' ends, notes) zinc 600, #52525b (7.7:1; zinc 400 is 1.9:1). Checked by axe-core in
    tests/app/test_accessibility_browser.py."""
    import gradio as gr

    theme = gr.themes.Default().set(
        color_accent="*primary_700",
        body_text_color_subdued="*neutral_600",
        block_label_text_color="*neutral_600",
        block_title_text_color="*neutral_600",
        input_placeholder_color="*neutral_500",
    )
    # Dark mode (the browser's setting): orange 700 is 3.7:1 on Gradio's near-black, orange 400 8.5:1 (a
    # pressed button's text turns dark on it: lesson.css, bend.css). set() has no color_accent_dark, but the
    # theme writes every *_dark attribute into its dark block.
    theme.color_accent_dark = "*primary_400"
    return theme


SCRIPTS = ("a11y.js", "empty_label.js")  # run once the page has loaded, in this order


def look() -> dict:
    """The page's look, as ``Blocks.launch`` takes it: the CSS, the theme, and one script that runs
    each of SCRIPTS (each a function expression) once the page has loaded."""
    calls = "".join(f"({js(name).strip()})();\n" for name in SCRIPTS)
    return {"css": css(), "theme": theme(), "js": f"() => {{\n{calls}}}"}


def js(name: str) -> str:
    """A script of ``static/``, without its leading ``//`` comment lines: Gradio evaluates ``js=``
    as an expression, and ``js_on_load`` as a function body."""
    lines = read(name).splitlines()
    while lines and lines[0].lstrip().startswith("//"):
        lines.pop(0)
    return "\n".join(lines) + "\n"
