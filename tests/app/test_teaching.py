"""The teaching tabs in the app: built once at start-up, per network, and only looked up per
request; the explorer's choice is validated; and in a real browser (headless Chromium), choosing a
mistake reads it in the network view, and "Why this answer" follows the digit and the network."""

from __future__ import annotations

import numpy as np
import pytest

from tests.browser import ANSWERED


def test_views_are_built_once_per_network(app_module):
    t = app_module.TEACHING
    for name in app_module.NETWORKS:
        assert "<table" in t.architecture[name] and t.explorer[name] and t.learning[name]
    assert "LeNet-1" in t.architecture["lenet1"] and "Table I" in t.architecture["lenet5"]


def test_a_stale_or_bad_pick_is_ignored(app_module):
    t = app_module.TEACHING
    n = len(t.testsets["lenet5"].images)
    assert t.picked("lenet5", {"pick": n, "model": "lenet5"}) is None
    assert t.picked("lenet5", {"pick": -1, "model": "lenet5"}) is None
    assert t.picked("lenet5", {"pick": "0", "model": "lenet5"}) is None
    assert t.picked("lenet5", {"pick": 0, "model": "lenet1"}) is None  # chosen before the switch
    if n:
        np.testing.assert_array_equal(t.picked("lenet5", {"pick": 0, "model": "lenet5"}), t.testsets["lenet5"].digit(0))


def test_why_for_nothing_and_for_a_digit(app_module):
    from lenet.preprocess import preprocess
    from tests.canvases import stroke_canvas

    t = app_module.TEACHING
    assert "Draw a digit" in t.why(t.page(None, "lenet5")) and "Draw a digit" in t.why(t.page(None, "lenet9"))
    for name in app_module.NETWORKS:
        page = t.why(t.page(preprocess(stroke_canvas()), name))
        assert page.count("<img") == 4 and "speaks for" in page


def test_choosing_a_mistake_reads_it_and_why_follows(page, app_module):
    ts = app_module.TEACHING.testsets["lenet5"]
    if not len(ts.images):
        pytest.skip("no misread test digits shipped beside these weights")
    page.get_by_role("tab", name="Mistakes").click()
    first = page.locator("#mistakes .thumb").first
    first.click()
    read = str(ts.predictions[0])
    page.wait_for_function(
        "(d) => { const m = document.querySelector('#message .digit'); return m && m.innerText.trim().startsWith(d); }",
        arg=read,
    )
    assert f"labelled {ts.labels[0]}, read as {read}" in page.locator("#mistakes .picked").inner_text()
    cell = page.locator("#mistakes td.miss").first
    key = cell.get_attribute("data-cell")
    cell.click()
    shown = page.locator("#mistakes .thumb:not([hidden])")
    assert shown.count() == sum(f"{t},{p}" == key for t, p in zip(ts.labels, ts.predictions, strict=True))
    page.get_by_role("tab", name="Why this answer").click()
    page.wait_for_function(f"() => document.querySelector('#why').innerText.includes('speaks for {read}')")
    page.get_by_label("LeNet-1", exact=True).check()  # the explorer and the why view follow the network
    page.wait_for_function("() => document.querySelector('#mistakes .lenet-mistakes').dataset.model === 'lenet1'")
    page.wait_for_function("() => document.querySelector('#why').innerText.includes('What LeNet-1 sees')")
    page.get_by_label("LeNet-5", exact=True).check()
    page.wait_for_function("() => document.querySelector('#why').innerText.includes('What LeNet-5 sees')")


def test_example_digit_explained_and_tabs_switch(page):
    page.get_by_role("tab", name="Photo or MNIST digit").click()
    page.locator("#examples .gallery-item").nth(3).click()
    page.wait_for_function(ANSWERED)
    page.get_by_role("tab", name="Why this answer").click()
    page.wait_for_function("() => document.querySelectorAll('#why img').length === 4")
    page.get_by_role("tab", name="Architecture").click()
    assert "Table I" in page.locator("#architecture").inner_text()
    page.get_by_role("tab", name="How it learned").click()
    page.locator("#learning .lenet-learning").wait_for()
    page.get_by_role("tab", name="Network").click()
    assert page.locator(".lenet-net").is_visible()
