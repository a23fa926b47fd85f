"""Scripts that take the README's screenshots in headless Chromium: ``python -m docs.screenshots``
and ``python -m docs.screenshots_teaching``."""
