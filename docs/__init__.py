"""Scripts that take the screenshots of README.md and docs/VIEWS.md in headless Chromium:
``python -m docs.screenshots`` and ``python -m docs.screenshots_teaching``."""
