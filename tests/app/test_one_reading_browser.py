"""Issue 16, "one reading, many views": exactly one thing is read at a time, and everything on screen
shows and says that one — in headless Chromium, as a student would meet it."""

from __future__ import annotations

from explorer.examples import example_paths
from tests.app.test_browser import answer
from tests.browser import answered_all, draw
from tests.weights import require_trained

FOUR = [[(-20, -95), (-62, 25), (62, 25)], [(28, -60), (28, 98)]]
EIGHT = next(k for k, p in enumerate(example_paths()) if p.stem.endswith("-8"))  # the MNIST example 8


def shown_input(page) -> str:
    """The picture of what the network sees, in the network view (a data URI: the digit read)."""
    return page.locator(".lenet-net img").first.get_attribute("src")


def test_the_answer_is_always_that_of_the_input_on_screen(page):
    """Draw a 4, pick the MNIST example 8 → the answer reads 8; back on Draw → the drawing's again;
    back on the photo tab → the 8's again; on Mistakes, with nothing picked, nothing is read."""
    draw(page, FOUR)
    answered_all(page)
    drawn, drawn_input = answer(page), shown_input(page)
    page.get_by_role("tab", name="Photo or MNIST digit").click()
    page.locator("#examples .gallery-item").nth(EIGHT).click()
    page.wait_for_function("(d) => document.querySelector('.lenet-net img')?.src !== d", arg=drawn_input)
    example = answer(page)
    assert len(drawn) == len(example) == 1
    page.get_by_role("tab", name="Draw").click()
    page.wait_for_function("(d) => document.querySelector('.lenet-net img')?.src === d", arg=drawn_input)
    assert answer(page) == drawn
    page.get_by_role("tab", name="Photo or MNIST digit").click()
    page.wait_for_function("(d) => document.querySelector('.lenet-net img')?.src !== d", arg=drawn_input)
    assert answer(page) == example
    page.get_by_role("tab", name="Mistakes").click()
    page.wait_for_function("() => document.querySelector('#message').innerText.includes('Click a mistake')")
    assert page.locator("#message .digit").count() == 0
    require_trained()  # the two answers differ, as the digits do, only for trained networks
    assert (drawn, example) == ("4", "8")


def test_a_bent_digit_is_labelled_bent_beside_the_answer_as_drawn(page):
    """After "Bend the digit", the network view shows the bent digit and says so, with what the
    network reads there and what it reads as drawn (the answer under the canvas)."""
    draw(page, FOUR)
    answered_all(page)
    drawn = answer(page)
    page.get_by_role("tab", name="Bend the digit").click()
    page.wait_for_selector("#bend-now .bend-now img")  # the tab shows the drawing
    page.locator("#bend-rotation input[type=range]").fill("90")
    page.get_by_role("tab", name="Network").click()
    page.wait_for_function("() => document.querySelector('.bent-note')?.innerText.includes('rotation +90°')")
    note = page.locator(".bent-note").inner_text()
    assert "Bent" in note and "rotation +90°" in note
    assert f"still reads {drawn}" in note or f"not the {drawn} it reads as drawn" in note
    assert answer(page) == drawn  # the answer under the canvas is the digit as drawn
