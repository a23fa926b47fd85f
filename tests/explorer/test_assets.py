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


def contrast(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2.1's contrast ratio of two #rrggbb colours (1 to 21)."""

    def luminance(colour: str) -> float:
        rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_theme_writes_text_at_wcag_aa_on_white():
    """Gradio's Default theme writes its selected tabs, slider ends, labels and our captions in 2.8:1 and
    1.9:1; the page's theme in 4.5:1 at least, white on its accent (a pressed button) too."""
    assert round(contrast("#bbbbc2"), 1) == 1.9 and round(contrast("#f97316"), 1) == 2.8  # the Default's, as axe says
    theme = assets.theme()

    def colour(name: str) -> str:
        value = getattr(theme, name)
        while value.startswith("*"):  # a reference to another of the theme's variables
            value = getattr(theme, value[1:])
        return value

    for name in ("color_accent", "body_text_color_subdued", "block_label_text_color", "block_title_text_color"):
        assert contrast(colour(name)) >= 4.5, (name, colour(name))
    assert contrast(colour("color_accent_dark"), colour("neutral_950")) >= 4.5  # dark mode: on its near-black
    js = assets.look()["js"]  # one function calling each script once the page is up
    assert js.startswith("() => {") and all(assets.js(name).strip() in js for name in assets.SCRIPTS)


def test_the_bend_chart_writes_every_digit_at_wcag_aa_on_white():
    """The sweep's lines end in their digit, written in the line's colour: text, so 4.5:1 (axe-core
    cannot check text in that SVG: it files it as "incomplete")."""
    from explorer.bend import COLOURS

    assert len(set(COLOURS)) == 10 and min(contrast(c) for c in COLOURS) >= 4.5
