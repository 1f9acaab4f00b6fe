"""The review app in a real browser: upload a hostile DOCX, see highlights, no script runs.

Starts `streamlit run analyzer/app/main.py` on a free port with a temporary SQLite store and
drives it with Playwright and the system chromium (`/usr/bin/chromium`; Playwright's own browser
downloads are not used). Skipped when chromium or playwright is missing, except under CI=true,
where that is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from app_helpers import hostile_docx, running_app
from browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """A running review app on a free port, with its own SQLite database."""
    require_browser()
    with running_app(tmp_path / "browser.db", tmp_path / "streamlit.log") as url:
        yield url


def test_app_browser_upload_highlights_and_runs_no_script(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    name = "<b>hostile proposal.docx"  # no "/": the name must be a valid file name
    upload = {"name": name, "mimeType": "application/octet-stream", "buffer": hostile_docx()}
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1400})

            def on_dialog(dialog: object) -> None:
                dialogs.append(str(dialog.message))  # type: ignore[attr-defined]
                dialog.dismiss()  # type: ignore[attr-defined]

            page.on("dialog", on_dialog)
            page.goto(app_url, wait_until="domcontentloaded")
            page.wait_for_selector("input[type=file]", state="attached", timeout=60_000)
            page.set_input_files("input[type=file]", upload)  # type: ignore[arg-type]
            page.wait_for_selector("mark.hl", timeout=90_000)
            page.wait_for_timeout(1_000)  # let any injected handler fire if it could

            backgrounds = page.eval_on_selector_all(
                "mark.hl", "els => els.map(e => getComputedStyle(e).backgroundColor)"
            )
            assert backgrounds
            assert any(b not in ("rgba(0, 0, 0, 0)", "transparent") for b in backgrounds)
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert dialogs == []
            # The payloads are shown as text, never as elements.
            body = page.inner_text("body")
            assert "<script>window.__pwned=1</script>" in body
            assert name in body
            assert page.locator("b", has_text="hostile").count() == 0
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "review.png"))
        finally:
            browser.close()
