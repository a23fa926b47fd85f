"""The options the page's events share, in one place (keywords of Gradio's event listeners).

Every event that reads a digit joins one concurrency group, ``"read"``: at most
``limits.CONCURRENCY`` run at once, whichever view asked. None shows Gradio's progress spinner: the
answer follows the pen, and a spinner 20 times a second would only flicker.
"""

from __future__ import annotations

from explorer import limits

# The readings' one concurrency group.
SHARED = {"concurrency_limit": limits.CONCURRENCY, "concurrency_id": "read"}

# A reading of something the page sends (strokes, a picture): only the newest input while one is in
# flight (always_last), and undecoded (preprocess=False): lenet.preprocess decodes pictures itself —
# a Sketchpad's composite alone — and bounds and explains a huge or broken upload.
READ = {"trigger_mode": "always_last", "show_progress": "hidden", "preprocess": False, **SHARED}

# The page's own events, not offered in the API, that read nothing (prebuilt views swapped, a state kept).
PRIVATE = {"api_visibility": "private", "show_progress": "hidden"}

# The page's own events that read a digit (a network switched, a tab opened, a slider moved).
FOLLOW = {**PRIVATE, **SHARED}
