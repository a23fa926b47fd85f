"""WCAG 2.1 A and AA in headless Chromium, checked by axe-core (issue 16): no serious or critical
violation when the page opens, once a digit is drawn, on every tab of both tab bars, on a phone
(390×844), in projector mode (1280×720, ``?projector=1``) and in dark mode. Gradio's own parts count: its tabs,
sliders and labels take their colours from our theme (``explorer/assets.theme``).

axe-core's ``axe.min.js`` comes inside the ``axe-playwright-python`` package (requirements-dev.txt);
each state is checked in the page as it is, and a failure lists every violation by state, rule and
element. Skipped without Chromium or that package."""

from __future__ import annotations

from pathlib import Path

import pytest

from docs.screenshots import FOUR
from tests.browser import VIEW_TABS as ALL_VIEW_TABS
from tests.browser import answered_all, draw, open_page, touch_draw

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = ("serious", "critical")

# Each tab, by its name on the page, and what shows that its content is there.
INPUT_TABS = {
    "Photo or MNIST digit": "#examples .gallery-item",
    "Mistakes": "#mistakes td.diag",
    "Draw": "#ink [data-ready]",
}
# The view tabs, Network last: the page is back where it opened.
VIEW_TABS = {name: ready for name, ready in ALL_VIEW_TABS.items() if name != "Network"} | {
    "Network": ALL_VIEW_TABS["Network"]
}

RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html.slice(0, 120),
                                why: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240)}))}));
}"""


@pytest.fixture(scope="module")
def axe_script() -> Path:
    axe = pytest.importorskip("axe_playwright_python", reason="needs axe-playwright-python (requirements-dev.txt)")
    return Path(axe.__file__).parent / "axe.min.js"


def serious(page, axe_script: Path) -> list[dict]:
    """The serious and critical WCAG 2.1 A/AA violations of the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script))
    return page.evaluate(RUN, TAGS)


def report(found: dict[str, list[dict]]) -> str:
    """Every violation, by state: what a failure says."""
    lines = []
    for state, violations in found.items():
        for v in violations:
            lines.append(f"[{state}] {v['rule']} ({v['impact']}): {v['help']}, {len(v['nodes'])} element(s)")
            lines += [f"    {n['target']}  {n['html']}\n      {n['why']}" for n in v["nodes"][:8]]
    return "\n".join(lines)


def judge(found: dict[str, list[dict]]) -> None:
    """Fail with every violation listed where there is one."""
    if any(found.values()):
        pytest.fail("axe-core found serious or critical violations:\n" + report(found), pytrace=False)


def open_tab(page, name: str, ready: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    page.wait_for_selector(ready)
    page.wait_for_timeout(300)  # Gradio's tab underline and the view's pictures settle


def test_no_serious_violation_on_load_after_drawing_and_on_every_tab(page, axe_script):
    found = {"load": serious(page, axe_script)}
    draw(page, FOUR, steps=4)
    answered_all(page)
    found["drawn"] = serious(page, axe_script)
    for tabs in (INPUT_TABS, VIEW_TABS):
        for name, ready in tabs.items():
            open_tab(page, name, ready)
            found[f"tab {name}"] = serious(page, axe_script)
    assert len(found) == 2 + len(INPUT_TABS) + len(VIEW_TABS)
    judge(found)


def drawn(page, axe_script, state: str, tab: str | None = None) -> dict:
    """axe-core's serious findings once the drawing on ``page`` is read, named ``state``; then, with
    ``tab`` (a view tab) open, under "``state``, ``tab``"."""
    answered_all(page)
    found = {state: serious(page, axe_script)}
    if tab:
        open_tab(page, tab, VIEW_TABS[tab])
        found[f"{state}, {tab}"] = serious(page, axe_script)
    return found


def test_no_serious_violation_on_a_phone(browser, server, axe_script):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        page = open_page(context, server)
        touch_draw(context, page, FOUR)
        judge(drawn(page, axe_script, "phone", "Architecture"))
    finally:
        context.close()


def test_no_serious_violation_in_projector_mode(browser, server, axe_script):
    page = open_page(browser, server + "?projector=1", viewport=(1280, 720))
    try:
        page.wait_for_selector('[data-lesson="projector"][aria-pressed="true"]')
        draw(page, FOUR, steps=4)
        judge(drawn(page, axe_script, "projector"))
    finally:
        page.close()


def test_no_serious_violation_in_dark_mode(browser, server, axe_script):
    """The browser's dark setting (Gradio's ``__theme=dark`` stands for it), projector on: the accent,
    the pressed Projector button and Why's red and blue words on near-black."""
    page = open_page(browser, server + "?__theme=dark&projector=1", viewport=(1280, 720))
    try:
        page.wait_for_selector("body.dark")
        draw(page, FOUR, steps=4)
        judge(drawn(page, axe_script, "dark", "Why this answer"))
    finally:
        page.close()


def test_the_check_sees_a_violation(page, axe_script):
    """axe-core runs and its findings reach the report: grey text of 1.9:1 (Gradio's zinc 400 on white)
    is found, with the element named."""
    page.evaluate("""() => { const p = document.createElement('p'); p.id = 'faint';
      p.textContent = 'too faint to read';
      p.style.cssText = 'position: fixed; top: 0; left: 0; z-index: 1000; color: #bbbbc2; background: #fff';
      document.body.append(p); }""")
    found = {"planted": serious(page, axe_script)}
    assert "#faint" in report(found) and "color-contrast" in report(found)
