"""The page's CSS and JavaScript files: all present, read at start-up, and in step with the code."""

from __future__ import annotations

from explorer import assets
from explorer.pictures import css_gradient


def test_every_style_sheet_is_joined_and_the_scripts_load():
    css = assets.css()
    for name in assets.STYLES:
        assert assets.read(name).strip() in css
    for selector in (".lenet-net", ".lenet-mistakes", ".lenet-why", ".lenet-arch", ".lenet-learning", ".ink canvas"):
        assert selector in css
    assert css.count("{") == css.count("}")
    assert "touch-action: none" in assets.read("canvas.css")  # a finger draws, the page does not scroll
    ink = assets.js("canvas.js")  # a js_on_load body: the value is the strokes, sent while the pen moves
    assert not ink.startswith("//") and "props.value = value" in ink and "pointermove" in ink and "ink-answered" in ink
    assert "trigger('click'" in assets.js("mistakes.js") and not assets.js("mistakes.js").startswith("//")
    page = assets.js("a11y.js")  # Blocks.launch(js=...): a function Gradio calls once the page is up
    assert page.startswith("() => {") and "aria-live" in page and "'polite'" in page and "skip-link" in page
    assert assets.STYLES[-1] == "a11y.css" and "outline: 3px solid" in assets.read("a11y.css")  # last: its ring wins


def test_the_legend_gradient_is_the_colour_scale():
    """static/network_view.css types the legend's gradient: it must be the LUT's colours."""
    assert f"linear-gradient(to right, {css_gradient()})" in assets.read("network_view.css")
