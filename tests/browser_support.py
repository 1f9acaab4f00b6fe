"""The browser stack shared by the real-browser tests: Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium: Playwright's own browser download does not work here."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_browser() -> None:
    """Skip the test when chromium or playwright is missing — fail instead under CI=true."""
    problems = []
    if not CHROMIUM.is_file():
        problems.append(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the playwright package is not installed (pip install -e '.[dev]')")
    if problems:
        reason = "; ".join(problems)
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser test cannot run under CI: {reason}")
        pytest.skip(reason)
