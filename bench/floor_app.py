"""The floor: the app's canvas and queue settings around a function that returns a constant.

    python bench/floor_app.py [--gradio-defaults]   # serves on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT

Whatever this costs per drawing — the upload, Gradio's queue, decoding the Sketchpad's PNG, the
event stream — the real app cannot cost less; the benchmarks compare the app with it. It takes the
same inputs as the app's ``/predict`` (the Sketchpad value, then the network) and, by default, the
same Gradio settings (lenet/limits.py), so the difference is the app's own work. ``--gradio-defaults``
serves it with Gradio's defaults instead, to show what those settings change. No torch is imported.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gradio as gr  # noqa: E402

from lenet import limits  # noqa: E402

ANSWER = {"7": 0.98, "1": 0.01, "9": 0.01}


def constant(drawing: dict | None, model: str = "lenet5") -> dict:
    """The same answer whatever was drawn."""
    return ANSWER


def build(gradio_defaults: bool = False) -> gr.Blocks:
    """The floor app; with ``gradio_defaults``, Gradio's own queue and analytics settings."""
    tuned = {} if gradio_defaults else {"concurrency_limit": limits.CONCURRENCY}
    with gr.Blocks(title="floor", analytics_enabled=False) as demo:
        sketchpad = gr.Sketchpad(canvas_size=(280, 280), fixed_canvas=True, layers=False, transforms=(), type="numpy")
        model = gr.Radio([("LeNet-5", "lenet5"), ("LeNet-1", "lenet1")], value="lenet5")
        label = gr.Label(num_top_classes=3)
        sketchpad.change(constant, [sketchpad, model], label, api_name="predict", trigger_mode="always_last", **tuned)
    if not gradio_defaults:
        for key, value in limits.GRADIO_ENV.items():
            os.environ.setdefault(key, value)
    demo.queue(**({} if gradio_defaults else {"max_size": limits.QUEUE_SIZE}))
    return demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gradio-defaults", action="store_true", help="Gradio's queue settings, not the app's")
    args = parser.parse_args(argv)
    build(args.gradio_defaults).launch(run_history=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
