"""The floor: a minimal Sketchpad app whose function returns a constant.

    python -m bench.floor_app [--like-app]   # serves on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT

Whatever this costs per drawing — the upload, Gradio's queue, decoding the Sketchpad's PNG, the
event stream — no Gradio app with a Sketchpad can cost less; the benchmarks compare the app with it.
It takes the same inputs as the app's ``/predict`` (the Sketchpad value, then the network) and
returns a constant gr.Label, with Gradio's default settings. ``--like-app`` serves it with the app's
Gradio settings instead (explorer/limits.py: concurrency, queue size, analytics), so that the
difference from the app is the app's own work. No torch is imported.
"""

from __future__ import annotations

import argparse
import os

import gradio as gr

from explorer import limits

ANSWER = {"7": 0.98, "1": 0.01, "9": 0.01}


def constant(drawing: dict | None, model: str = "lenet5") -> dict:
    """The same answer whatever was drawn."""
    return ANSWER


def build(like_app: bool = False) -> gr.Blocks:
    """The floor app, with Gradio's defaults or, with ``like_app``, the app's Gradio settings."""
    tuned = {"concurrency_limit": limits.CONCURRENCY} if like_app else {}
    with gr.Blocks(title="floor", analytics_enabled=False) as demo:
        sketchpad = gr.Sketchpad(canvas_size=(280, 280), fixed_canvas=True, layers=False, transforms=(), type="numpy")
        model = gr.Radio([("LeNet-5", "lenet5"), ("LeNet-1", "lenet1")], value="lenet5")
        label = gr.Label(num_top_classes=3)
        sketchpad.change(constant, [sketchpad, model], label, api_name="predict", trigger_mode="always_last", **tuned)
    if like_app:
        for key, value in limits.GRADIO_ENV.items():
            os.environ.setdefault(key, value)
    demo.queue(**(limits.QUEUE if like_app else {}))
    return demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--like-app", action="store_true", help="the app's Gradio settings, not Gradio's defaults")
    args = parser.parse_args(argv)
    build(args.like_app).launch(run_history=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
