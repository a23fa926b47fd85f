"""The class board in headless Chromium: two pages, the teacher's board and a student's, and the
student's drawing on the board within 2 s of pressing Send. Skipped without Chromium."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from explorer.classroom.store import SQLiteStore, default_path
from tests.app.test_browser import SEVEN
from tests.browser import answered_all, draw, open_page

BOARD = "#class-board .class-board[data-code]"


def count(page) -> int:
    return int(page.locator("#class-board [data-count]").get_attribute("data-count"))


def test_a_drawing_sent_by_a_student_is_on_the_teachers_board_within_2_s(browser, server):
    teacher = open_page(browser, server)
    teacher.get_by_role("tab", name="Class").click()
    teacher.get_by_role("button", name="Start a class").click()
    teacher.wait_for_selector(BOARD)
    code = teacher.locator(BOARD).get_attribute("data-code")
    assert count(teacher) == 0 and code in teacher.locator("#class-board .cb-join").inner_text()

    student = open_page(browser, f"{server}?class={code}", viewport=(390, 844))
    typed = "document.querySelector('#class-code textarea, #class-code input')?.value"
    student.wait_for_function(f"() => {typed} === {code!r}")
    assert f"You are in class {code}" in student.locator("#class-said").inner_text(timeout=10_000)
    student.locator("#ink canvas").scroll_into_view_if_needed()
    draw(student, SEVEN)
    answered_all(student)
    student.locator("#class-meant").get_by_text("7", exact=True).click()
    student.get_by_label("Your first name or nickname (optional)").fill("Sam")
    student.get_by_role("button", name="Send my drawing to the class").click()
    sent = time.monotonic()
    teacher.wait_for_selector('#class-board [data-count="1"]', timeout=10_000)
    took = time.monotonic() - sent
    print(f"board showed the drawing {took:.2f} s after Send")
    assert took <= 2.0, f"the board showed the drawing {took:.2f} s after Send"
    assert "Sent to class" in student.locator("#class-said").inner_text()
    # the cell of the 7 read as what the page read, clicked, shows that drawing, with the student's nickname
    read = student.locator("#message .digit").inner_text().strip()[0]
    teacher.locator(f'#class-board [data-cell="7,{read}"]').click()
    teacher.wait_for_selector("#class-board .cb-cell .cb-thumb")
    assert "Sam" in teacher.locator("#class-board .cb-cell").inner_text()
    # stored as drawn: the strokes and the 28×28 field the page read, with the digit meant and the nickname
    store = SQLiteStore(default_path())
    try:
        (kept,) = store.drawings(code)
    finally:
        store.close_store()
    assert (kept.meant, kept.nickname) == (7, "Sam") and kept.field.shape == (28, 28)
    assert len(json.loads(kept.strokes)["strokes"]) == len(SEVEN)
    # the page's network switch re-reads the class's drawings
    teacher.get_by_label("LeNet-1", exact=True).check()
    teacher.wait_for_function("() => document.querySelector('#class-board .cb-rate').innerText.includes('LeNet-1')")
    teacher.get_by_label("LeNet-5", exact=True).check()
    teacher.wait_for_function("() => document.querySelector('#class-board .cb-rate').innerText.includes('LeNet-5')")
    # the teacher hides it: it leaves the board
    teacher.locator("#class-board .cb-cell [data-hide]").click()
    teacher.wait_for_selector('#class-board [data-count="0"]')

    # the board polls only while its tab is open: not one tick in 2.5 s on another tab
    tick = teacher.evaluate(
        "(() => { const c = window.gradio_config;"
        " const t = c.components.filter(x => x.type === 'timer').map(x => x.id);"
        " return c.dependencies.find(d => d.targets.some(([id, e]) => t.includes(id) && e === 'tick')).id; })()"
    )
    ticks = []
    ticked = lambda r: "/queue/join" in r.url and r.post_data_json["fn_index"] == tick  # noqa: E731
    teacher.on("request", lambda r: ticks.append(1) if ticked(r) else None)
    teacher.wait_for_timeout(1200)
    assert ticks, "the board's timer is not ticking while the board is shown"
    teacher.get_by_role("tab", name="Network").click()
    teacher.wait_for_timeout(1500)  # the tab's select event, answered: the timer stopped
    ticks.clear()
    teacher.wait_for_timeout(2500)
    assert ticks == []
    teacher.get_by_role("tab", name="Class").click()
    teacher.wait_for_timeout(2500)
    assert ticks, "the board's timer did not start again"

    # a reload keeps the teacher in charge: the class's board and its controls come back in this browser
    teacher.reload()
    teacher.get_by_role("tab", name="Class").click()
    teacher.wait_for_selector(f'{BOARD}[data-code="{code}"]')
    assert teacher.get_by_role("button", name="Close the class (deletes its drawings)").is_visible()

    # closing takes two presses; then the class is gone, and a student's send says so
    close = teacher.get_by_role("button", name="Close the class (deletes its drawings)")
    close.click()
    teacher.wait_for_function("() => document.querySelector('#class-teacher-said').innerText.includes('again')")
    assert count(teacher) == 0 and teacher.locator(BOARD).count() == 1  # nothing deleted yet
    close.click()
    teacher.wait_for_function("() => document.querySelector('#class-teacher-said').innerText.includes('closed')")
    student.get_by_role("button", name="Send my drawing to the class").click()
    student.wait_for_function("() => document.querySelector('#class-said').innerText.includes('no open class')")
    student.close()
    teacher.close()


def test_the_class_tab_passes_axe_wcag_aa(browser, server):
    """The tab as a teacher sees it (a board with drawings, a cell opened) and as a student sees it:
    no serious or critical violation of WCAG 2.1 AA inside it (axe-core)."""
    axe = pytest.importorskip("axe_playwright_python")
    script = next(Path(axe.__file__).parent.rglob("axe.min.js"))
    page = open_page(browser, server)
    page.get_by_role("tab", name="Class").click()
    page.get_by_role("button", name="Start a class").click()
    page.wait_for_selector(BOARD)
    code = page.locator(BOARD).get_attribute("data-code")
    store = SQLiteStore(default_path())  # drawings straight into the class: the test is about the markup
    try:
        for meant, k in ((7, 0), (7, 1), (1, 2), (4, 3)):
            field = np.zeros((28, 28), np.float32)
            field[4:24, 8 + 3 * k : 11 + 3 * k] = 1.0
            store.add_drawing(code, meant, field, None, f"n{k}", limit=100)
    finally:
        store.close_store()
    page.wait_for_selector('#class-board [data-count="4"]')
    page.locator("#class-board [data-cell]").first.click()
    page.wait_for_selector("#class-board .cb-cell .cb-thumb")
    page.get_by_label("Class code").fill("ZZ")
    page.get_by_role("button", name="Send my drawing to the class").click()  # a refusal shown
    page.wait_for_selector("#class-said .cb-refused")
    # the teacher's export: a CSV of every drawing and a PNG of the gallery, both downloadable
    page.get_by_role("button", name="Export CSV + PNG").click()
    page.wait_for_selector("#class-files a[href*='.csv']")
    csv_url = page.locator("#class-files a[href*='.csv']").first.get_attribute("href")
    csv = page.request.get(csv_url if csv_url.startswith("http") else server.rstrip("/") + csv_url).text()
    assert csv.splitlines()[0].startswith("id,sent_utc,nickname,meant,read,confidence") and len(csv.splitlines()) == 5
    assert page.locator("#class-files a[href*='.png']").count() >= 1
    page.add_script_tag(path=str(script))
    found = page.evaluate(
        """async () => (await axe.run(document.querySelector('#class-tab'), {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
             .filter(v => ['serious', 'critical'].includes(v.impact))
             .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
    )
    assert found == []
    page.close()
