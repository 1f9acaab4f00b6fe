"""Take the README screenshots of the review page (not a test; run it by hand).

    .venv/bin/python tests/app/readme_screenshots.py [--out docs/screenshots]

Starts the app on a free port with a throw-away SQLite store, uploads the examples through the
file input (the DOCX proposal for the text view, the PDF SOW for the page-image view) and saves
`review-text.png` and `review-page-image.png`. Needs /usr/bin/chromium and playwright.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

# Run as a script from tests/app: the shared browser settings live one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app_helpers import ROOT, running_app
from browser_support import CHROMIUM, CHROMIUM_ARGS

VIEWPORT = {"width": 1600, "height": 1480}


def main(argv: list[str] | None = None) -> None:
    """Upload the examples and save the two screenshots."""
    from playwright.sync_api import Page, sync_playwright

    parser = argparse.ArgumentParser(description="README screenshots of the review page")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    def settle(page: Page) -> None:
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1_500)

    def upload(page: Page, path: Path) -> None:
        page.set_input_files("input[type=file]", str(path))
        page.wait_for_selector(f"text={path.name}: analysed", timeout=90_000)
        settle(page)

    def pick_finding(page: Page, contains: str) -> None:
        page.get_by_role("combobox", name="Finding").click()
        page.get_by_role("option").filter(has_text=contains).first.click()
        settle(page)

    with (
        tempfile.TemporaryDirectory() as tmp,
        sync_playwright() as pw,
        running_app(Path(tmp) / "shots.db", Path(tmp) / "streamlit.log") as url,
    ):
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        page.goto(url)
        page.wait_for_selector("input[type=file]", state="attached", timeout=60_000)
        page.get_by_placeholder("e.g. j.doe").fill("j.doe")
        page.keyboard.press("Enter")
        settle(page)

        upload(page, ROOT / "examples" / "servicedesk-proposal.docx")
        pick_finding(page, "escape_clause")
        page.wait_for_selector("mark.hl")
        page.screenshot(path=str(args.out / "review-text.png"))

        upload(page, ROOT / "examples" / "data-migration-sow.pdf")
        pick_finding(page, "reasonable")
        page.get_by_text("Page image", exact=True).click()
        page.wait_for_selector("img[src*='media']", timeout=30_000)
        settle(page)
        page.screenshot(path=str(args.out / "review-page-image.png"))
        browser.close()
    print(f"saved {args.out / 'review-text.png'} and {args.out / 'review-page-image.png'}")


if __name__ == "__main__":
    main()
