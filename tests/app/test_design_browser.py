"""The Design choices tab in a real browser: it reads what the page reads — the drawing as it
changes, then a picked MNIST example — while it is open (explorer/design.py)."""

from __future__ import annotations

from explorer.examples import example_paths
from tests.browser import INVITED, answered_all, draw
from tests.weights import require_trained

ONE = [[(5, -95), (0, 95)]]
SEVEN = [[(-65, -85), (65, -85), (15, 0), (-15, 95)]]
LENET5_ROW = "#design table.dc-now tbody tr:first-child"


def lenet5_reads(page) -> str:
    return page.locator(f"{LENET5_ROW} .dc-digit").inner_text().strip()


def answer(page) -> str:
    return page.locator("#answer dt").first.inner_text().strip()


def test_the_tab_follows_the_digit_read_while_open(page):
    draw(page, SEVEN)
    answered_all(page)
    page.get_by_role("tab", name="Design choices", exact=True).click()
    page.wait_for_selector(LENET5_ROW)
    assert lenet5_reads(page) == answer(page)
    assert page.locator("#design table.dc-now tbody tr").count() == 6  # LeNet-5 and the five variants
    page.locator("#clear").click()
    page.wait_for_function(INVITED)
    page.wait_for_selector("#design .dc-invite")  # nothing drawn: nothing read, and it says so
    draw(page, ONE)
    answered_all(page)
    page.wait_for_selector(LENET5_ROW)
    assert lenet5_reads(page) == answer(page)
    drawn = lenet5_reads(page)
    page.get_by_role("tab", name="Photo or MNIST digit").click()
    page.locator("#examples .gallery-item").first.click()
    page.wait_for_function("() => document.querySelector('#message [data-points]') === null")  # not the drawing's
    page.wait_for_function(
        "() => document.querySelector('#design table.dc-now tbody tr:first-child .dc-digit')?.innerText.trim()"
        " === document.querySelector('#answer dt')?.innerText.trim()"
    )
    require_trained()  # the digits themselves need the shipped weights (skipped without, failed under CI=true)
    assert drawn == "1" and lenet5_reads(page) == example_paths()[0].stem.split("-")[-1]
