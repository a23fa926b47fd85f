"""The class board as HTML for the projector, and its exports' gallery as a PNG (pure: no Gradio).

Everything on it is read from the back of a room: the class's code and how many drawings it sent in
large type, the confusion matrix (each cell a button that shows its drawings), the error per digit,
the drawings that fooled the network (the most confident mistakes first), the ones it was unsure
about, and the challenge's ranking. Colours keep a contrast of at least 4.5:1 (WCAG AA). The
buttons' clicks go to the server through ``static/board.js``. Its style sheet is ``static/board.css``.
"""

from __future__ import annotations

import html

from PIL import Image, ImageDraw, ImageFont

from explorer import pictures
from explorer.classroom.board import SHOWN, Entry, Summary, challenge_text

EMPTY = ('<div class="class-board empty"><p class="cb-invite">Press <b>Start a class</b>: the board of your '
         "class's drawings appears here, or type a class's code to show its board.</p></div>")  # fmt: skip


def closed_html(problem: str) -> str:
    return f'<div class="class-board empty"><p class="cb-refused">⚠ {html.escape(problem)}</p></div>'


def thumb(e: Entry, teacher: bool, note: str = "") -> str:
    """One drawing: the 28×28 field as LeNet-5 received it, "7 → 1 · 98%", the nickname; a Hide button for
    the teacher."""
    d, r = e.drawing, e.read
    said = f"{d.meant} → {r.digit}" if r.digit != d.meant else f"{d.meant}"
    alt = f"drawing {d.id}: a {d.meant} read as {r.digit}, {r.confidence:.0%} sure"
    who = f'<span class="cb-who">{html.escape(d.nickname)}</span>' if d.nickname else ""
    hide = (f'<button type="button" class="cb-hide" data-hide="{d.id}" aria-label="Hide drawing {d.id}" '
            f'title="Hide drawing #{d.id} from the board">✕</button>') if teacher else ""  # fmt: skip
    caption = f'{note}<b>{said}</b> · {r.confidence:.0%}<br><span class="cb-id">#{d.id}</span> {who}'
    return f'<figure class="cb-thumb">{pictures.img(pictures.paper(d.field), alt)}<figcaption>{caption}</figcaption>{hide}</figure>'  # noqa: E501


def gallery(entries: list[Entry], teacher: bool, empty: str, ranked: bool = False) -> str:
    if not entries:
        return f'<p class="cb-none">{empty}</p>'
    shown = entries[:SHOWN]
    rank = (lambda i: f'<span class="cb-rank">{i + 1}.</span> ') if ranked else (lambda i: "")
    items = [thumb(e, teacher, rank(i)) for i, e in enumerate(shown)]
    more = f'<p class="cb-more">and {len(entries) - SHOWN} more</p>' if len(entries) > SHOWN else ""
    return f'<div class="cb-gallery">{"".join(items)}</div>{more}'


def matrix_html(s: Summary, cell: tuple[int, int] | None) -> str:
    """The confusion matrix, rows meant and columns read, with the error per digit meant."""
    head = "".join(f'<th scope="col">{r}</th>' for r in range(10))
    rows = []
    for m, (wrong, n) in enumerate(s.errors()):
        cells = []
        for r in range(10):
            k = int(s.confusion[m, r])
            cls = "right" if m == r else "wrong"
            on = " on" if cell == (m, r) else ""
            if k:
                label = f"{k} {'drawing' if k == 1 else 'drawings'} of a {m} read as {r}"
                pressed = "true" if on else "false"
                cells.append(f'<td class="{cls}{on}"><button type="button" data-cell="{m},{r}" '
                             f'aria-label="{label}" aria-pressed="{pressed}">{k}</button></td>')  # fmt: skip
            else:
                cells.append('<td class="zero"></td>')
        error = f"{wrong / n:.0%}" if n else "–"
        rows.append(f'<tr><th scope="row">{m}</th>{"".join(cells)}<td class="cb-error">{error}</td></tr>')
    return (f'<table class="cb-matrix"><caption>Rows: the digit meant · columns: what {s.network.title} read'
            f'</caption><thead><tr><th scope="col"><span class="cb-corner">meant ↓ read →</span></th>{head}'
            f'<th scope="col">error</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')  # fmt: skip


def board_html(code: str, s: Summary, cell: tuple[int, int] | None = None, teacher: bool = False,
               link: str = "") -> str:  # fmt: skip
    """The whole board of class ``code``; ``cell`` (meant, read): the cell whose drawings are shown."""
    title = s.network.title
    wrong = sum(w for w, _ in s.errors())
    rate = f"{wrong / s.count:.0%} read wrong" if s.count else "no drawings yet"
    join = f'<span class="cb-join">join: <b>{html.escape(link)}</b></span>' if link else ""
    head = (f'<div class="cb-head"><span class="cb-code">Class <b>{code}</b></span>'
            f'<span class="cb-count"><b data-count="{s.count}">{s.count}</b> '
            f'{"drawing" if s.count == 1 else "drawings"}</span>'
            f'<span class="cb-rate">{rate} by {title}</span>{join}</div>')  # fmt: skip
    challenge = ""
    if s.challenge:
        what = challenge_text(s.challenge, title)
        none = "No drawing meets it yet: be the first!"
        challenge = (f'<section class="cb-challenge"><h3>★ Challenge: {html.escape(what)}</h3>'
                     f"{gallery(s.ranked, teacher, none, ranked=True)}</section>")  # fmt: skip
    picked = ""
    if cell is not None:
        m, r = cell
        what = f"The {m}s {title} read as {r}" if m != r else f"The {m}s {title} read right"
        picked = (f'<section class="cb-cell"><h3>{what}</h3>'
                  f'{gallery(s.cell(m, r), teacher, "None.")}</section>')  # fmt: skip
    fooled = gallery(s.fooled, teacher, f"No drawing has fooled {title} yet.")
    unsure = gallery(s.unsure, teacher, f"{title} was sure of every drawing.")
    return (
        f'<div class="class-board" data-code="{code}" data-version="{s.count}">{head}'
        f'<div class="cb-body"><section class="cb-left">{matrix_html(s, cell)}{picked}</section>'
        f'<section class="cb-right">{challenge}<h3>Fooled {title}: the surest mistakes first</h3>{fooled}'
        f"<h3>{title} was unsure</h3>{unsure}</section></div></div>"
    )


# --- the gallery as a PNG (the export) -------------------------------------------------------------

TILE, PAD, CAPTION = 112, 12, 22  # px: a drawing 4× its 28 pixels, the gap, the caption under it


def gallery_png(code: str, s: Summary, columns: int = 8) -> Image.Image:
    """The drawings that fooled the network (then the unsure ones), with meant → read and confidence,
    as one picture for a slide or a class blog."""
    unsure_right = [e for e in s.unsure if e.read.digit == e.drawing.meant]  # the wrong ones are fooled already
    groups = [(f"Class {code}: drawings that fooled {s.network.title} (most confident first)", s.fooled),
              (f"{s.network.title} was unsure, and right", unsure_right)]  # fmt: skip
    font = ImageFont.load_default(size=18)
    small = ImageFont.load_default(size=15)
    rows = sum(max(1, -(-len(entries) // columns)) for _, entries in groups)
    width = PAD + columns * (TILE + PAD)
    height = PAD + len(groups) * (30 + PAD) + rows * (TILE + CAPTION + PAD)
    im = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(im)
    y = PAD
    for title, entries in groups:
        draw.text((PAD, y), title, fill=0, font=font)
        y += 30 + PAD
        if not entries:
            draw.text((PAD, y), "none", fill=60, font=small)
        for i, e in enumerate(entries):
            x = PAD + (i % columns) * (TILE + PAD)
            yy = y + (i // columns) * (TILE + CAPTION + PAD)
            digit = Image.fromarray(pictures.paper(e.drawing.field)).resize((TILE, TILE), Image.NEAREST)
            im.paste(digit, (x, yy))
            draw.rectangle((x, yy, x + TILE - 1, yy + TILE - 1), outline=160)
            m, r = e.drawing.meant, e.read.digit  # Pillow's own font has no arrow: "7 as 1"
            said = f"{m} as {r}" if m != r else f"a {m}"
            draw.text((x, yy + TILE + 2), f"{said}  {e.read.confidence:.0%}", fill=0, font=small)
        y += max(1, -(-len(entries) // columns)) * (TILE + CAPTION + PAD)
    return im


def png_of(picture: Image.Image) -> bytes:
    import io

    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()

