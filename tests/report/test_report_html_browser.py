"""The HTML report in a real browser: the hashed filter script runs, document payloads do not.

Opens the report from a `file://` URL (no server) in the system chromium through Playwright.
Skipped when chromium or playwright is missing, except under CI=true, where that is a failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser
from report_helpers import make_document_report, make_report

from analyzer.report import to_html

pytestmark = pytest.mark.browser


def test_report_html_browser_filters_work_offline_and_payloads_stay_inert(tmp_path: Path) -> None:
    require_browser()
    from playwright.sync_api import Dialog, sync_playwright

    report = make_report(
        make_document_report(path="<img src=x onerror=alert(7)>.txt"), make_document_report()
    )
    page_file = tmp_path / "report.html"
    page_file.write_text(to_html(report), encoding="utf-8")
    dialogs: list[str] = []
    console: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()

            def on_dialog(dialog: Dialog) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.on("console", lambda m: console.append(m.text))
            page.goto(page_file.as_uri())
            # The bar is hidden in the markup; only our (hash-allowed) script shows it.
            assert page.locator("#filters").is_visible()
            rows = page.locator('table.findings tr[data-category="ambiguity"]')
            assert rows.count() == 4
            assert all(rows.nth(i).is_visible() for i in range(rows.count()))
            page.locator('input[data-filter="cat-ambiguity"]').first.uncheck()
            assert not any(rows.nth(i).is_visible() for i in range(rows.count()))
            assert page.locator('table.findings tr[data-category="commitment"]').first.is_visible()
            page.locator('input[data-filter="cat-ambiguity"]').first.check()
            page.locator('input[data-filter="sev-high"]').first.uncheck()
            assert page.locator('table.findings tr[data-severity="high"]').first.is_hidden()
            page.emulate_media(media="print")
            assert page.locator("#filters").is_hidden()
        finally:
            browser.close()
    assert dialogs == []
    assert not [m for m in console if "Content Security Policy" in m and "script" in m]
