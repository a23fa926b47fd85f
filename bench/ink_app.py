"""Bare apps for the pen-to-answer benchmark (bench/pen_latency.py): one drawing surface and one
gr.Label, nothing else, so that what is measured is the surface and Gradio, not the page.

    python -m bench.ink_app [--surface ink|sketchpad] [--read]   # GRADIO_SERVER_NAME / _PORT

``ink``: our canvas (explorer/canvas.py, with its style sheet); the Label says how many points the
server received, so the benchmark knows when the answer for the whole stroke is on screen.
``sketchpad``: a bare ``gr.Sketchpad``, the Label counts the strokes answered. Both answer at once,
at a constant's cost; ``--read`` makes the ink app rasterise the strokes and read them with LeNet-5
as well (its Label then shows the digit next to the point count), to see the server's share.
"""

from __future__ import annotations

import argparse
import itertools

import gradio as gr

from explorer import assets, limits


def ink_app(read: bool = False, pace: float = 1.0) -> gr.Blocks:
    from explorer.canvas import ink_canvas, listen
    from lenet.strokes import BadStrokes, parse, rasterise

    read_digit = None
    if read:
        import torch

        from lenet.checkpoint import load_model
        from lenet.preprocess import UnreadableImage, preprocess
        from lenet.reading import read_digit as read_one

        torch.set_num_threads(1)
        net = load_model("lenet5")

        def read_digit(picture) -> str:
            try:
                digit = preprocess(picture)
            except UnreadableImage:  # a scribble read as noise: an answer all the same
                return "?"
            return "-" if digit is None else str(read_one(net, digit).digit)

    def answer(value: dict | None) -> dict:
        try:
            drawing = parse(value)
        except BadStrokes as exc:
            return {str(exc)[:60]: 1.0}
        said = f"{0 if drawing is None else drawing.points} points"
        if read_digit is not None and drawing is not None:
            said += f" · {read_digit(rasterise(drawing))}"
        return {said: 1.0}

    with gr.Blocks(title="ink", analytics_enabled=False) as demo:
        canvas = ink_canvas(elem_id="ink", pace=pace)
        label = gr.Label(num_top_classes=1, elem_id="answer")
        listen(canvas, answer, [canvas], [label], api_name="strokes", trigger_mode="always_last",
               show_progress="hidden", concurrency_limit=limits.CONCURRENCY)  # fmt: skip
    return demo


def sketchpad_app() -> gr.Blocks:
    count = itertools.count(1)

    def answer(drawing: dict | None) -> dict:
        return {f"stroke {next(count)}": 1.0}

    with gr.Blocks(title="sketchpad", analytics_enabled=False) as demo:
        brush = gr.Brush(default_size=12, colors=["#000000"], color_mode="fixed")
        pad = gr.Sketchpad(canvas_size=(280, 280), fixed_canvas=True, layers=False, transforms=(), type="numpy",
                           brush=brush, elem_id="sketchpad")  # fmt: skip
        label = gr.Label(num_top_classes=1, elem_id="answer")
        pad.change(answer, pad, label, api_name="predict", trigger_mode="always_last", show_progress="hidden",
                   concurrency_limit=limits.CONCURRENCY)  # fmt: skip
        demo.load(None, js=SELECT_BRUSH)
    return demo


# The editor opens with no tool selected (docs: GRADIO6.md): select the brush, as the app did.
SELECT_BRUSH = """() => { const pick = (n) => {
  const b = document.querySelector('#sketchpad button[aria-label="Brush"]');
  if (b) b.click(); else if (n > 0) setTimeout(() => pick(n - 1), 100); }; pick(100); }"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--surface", choices=["ink", "sketchpad"], default="ink", help="which drawing surface")
    parser.add_argument("--read", action="store_true", help="ink: also rasterise and read the strokes with LeNet-5")
    parser.add_argument("--pace", type=float, default=1.0, help="ink: the canvas's pause before a mid-stroke reading")
    args = parser.parse_args(argv)
    demo = ink_app(args.read, args.pace) if args.surface == "ink" else sketchpad_app()
    demo.queue(**limits.QUEUE).launch(css=assets.read("canvas.css"), run_history=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
