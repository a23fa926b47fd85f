"""The class board in headless Chromium: two pages, the teacher's board and a student's, and the
student's drawing on the board within 2 s of pressing Send. Skipped without Chromium."""

from __future__ import annotations

import time

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
    # the teacher hides it: it leaves the board
    teacher.locator("#class-board .cb-cell [data-hide]").click()
    teacher.wait_for_selector('#class-board [data-count="0"]')

    # the board polls only while its tab is open: no request at all for 2.5 s on another tab
    joins = []
    teacher.on("request", lambda r: joins.append(r.url) if "/queue/join" in r.url else None)
    teacher.get_by_role("tab", name="Network").click()
    teacher.wait_for_timeout(500)
    joins.clear()
    teacher.wait_for_timeout(2500)
    assert joins == []
    teacher.get_by_role("tab", name="Class").click()
    teacher.wait_for_timeout(2500)
    assert joins, "the board's timer did not start again"
    student.close()
    teacher.close()
