"""Take the screenshots of the class board from the real app in headless Chromium.

    python -m docs.screenshots_class [--out docs] [--chromium /usr/bin/chromium]

Serves app.py in-process with a class store in a temporary file, starts a class on a teacher's page,
fills it with a class's worth of drawings (MNIST test digits, some bent hard, sent as the digit
meant, as students trying to fool LeNet-5 would), sets the challenge "draw a 7 LeNet-5 reads as a 1",
then takes the board on a 1280×720 projector (``?board=CODE&projector=1``: class-board-projector.png)
and a student's page on a 390×844 phone after sending a drawing (class-student-phone.png). Look at
the pictures before committing them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["Ana", "Ben", "Chloé", "Dev", "Emma", "Femi", "", "Hugo", "Iris", "Jun", "", "Lea", "Maya", "Noor"]
SEVEN_AS_ONE = [[(-20, -95), (20, -95), (10, 0), (0, 95)]]  # a 7 with a very short bar: LeNet-5 reads 1


def fill(classroom, code: str, n: int = 60) -> None:
    """``n`` drawings: MNIST test digits sent with their label, every fifth bent hard (rotated,
    squeezed or thickened), as a class trying to fool the network would send them."""
    from lenet.data import load_split
    from lenet.transform import Settings, bend

    images, labels = load_split("test")
    hard = [Settings(rotation=55), Settings(squeeze=0.6), Settings(thickness=2.5), Settings(rotation=-50)]
    for i in range(n):
        digit = images[i + 100, 0].numpy()
        if i % 5 == 4:
            digit = bend(digit, hard[(i // 5) % len(hard)])
        classroom.send(code, digit, None, int(labels[i + 100]), NAMES[i % len(NAMES)], sender=f"student-{i}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNGs (default: docs/)")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium executable")
    args = parser.parse_args(argv)
    os.environ.setdefault("CLASS_DB", str(Path(tempfile.mkdtemp()) / "classes.db"))

    from playwright.sync_api import sync_playwright

    import app
    from tests.browser import answered_all, draw, launch, open_page

    _, url, _ = app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    out = Path(args.out)
    try:
        with sync_playwright() as p:
            browser = launch(p, args.chromium)
            teacher = open_page(browser, url, (1280, 720), timeout_ms=60_000)
            teacher.get_by_role("tab", name="Class").click()
            teacher.get_by_role("button", name="Start a class").click()
            teacher.wait_for_selector("#class-board .class-board[data-code]")
            code = teacher.locator("#class-board .class-board").get_attribute("data-code")
            fill(app.CLASS.classroom, code)
            teacher.locator("#class-kind input").click()
            teacher.locator("#class-kind input").fill("Fool")
            teacher.keyboard.press("ArrowDown")
            teacher.keyboard.press("Enter")
            teacher.get_by_role("button", name="Set the challenge").click()
            teacher.wait_for_selector("#class-board .cb-challenge")

            student = open_page(browser, f"{url}?class={code}", (390, 844), timeout_ms=60_000)
            student.get_by_label("Your first name or nickname (optional)").fill("Sam")
            student.locator("#ink canvas").scroll_into_view_if_needed()
            draw(student, SEVEN_AS_ONE, steps=4)
            answered_all(student)
            student.locator("#class-meant").get_by_text("7", exact=True).click()
            student.get_by_role("button", name="Send my drawing to the class").click()
            student.wait_for_selector("#class-said .cb-ok")
            student.evaluate("document.querySelector('#class-said').scrollIntoView({block: 'end'})")
            student.wait_for_timeout(400)
            student.screenshot(path=str(out / "class-student-phone.png"))

            board = open_page(browser, f"{url}?board={code}&projector=1", (1280, 720), timeout_ms=60_000)
            board.wait_for_selector(f'#class-board [data-count="{61}"]')
            board.evaluate("document.querySelector('#views').scrollIntoView()")
            board.wait_for_timeout(400)
            board.screenshot(path=str(out / "class-board-projector.png"))
            browser.close()
    finally:
        app.demo.close()
    print(f"wrote {out / 'class-board-projector.png'}, {out / 'class-student-phone.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
