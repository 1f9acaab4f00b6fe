"""Exports that honour decisions: the issues list (opened with openpyxl and python-docx), the
batch reports and the portfolio table (issue #16, items 10 and 11)."""

from __future__ import annotations

import io
import json
from dataclasses import replace

from app_helpers import HOSTILE_TEXT
from docx import Document as WordDocument
from openpyxl import load_workbook

from analyzer import review as rv
from analyzer.report.issues import HEADERS, to_docx, to_xlsx
from analyzer.report.portfolio import batch_table
from analyzer.review.team import Principal
from analyzer.types import Finding

FORMULA_TEXT = '=HYPERLINK("http://e.invalid") The vendor will provide timely support.\n'


def _open(service: rv.ReviewService, text: str = HOSTILE_TEXT) -> rv.OpenedDocument:
    opened = service.open_bytes(text.encode("utf-8"), "proposal.txt")
    assert opened.ok, opened.report.error
    return opened


def _finding(opened: rv.OpenedDocument, text: str) -> Finding:
    return next(f for f in opened.report.findings if f.text == text)


def _decide(
    service: rv.ReviewService,
    opened: rv.OpenedDocument,
    text: str,
    decision: str,
    reviewer: str,
    **kwargs: object,
) -> None:
    record = rv.make_decision(
        opened, _finding(opened, text), decision, reviewer, tool=service.tool, **kwargs
    )
    service.record(record)


def test_issues_list_rows_carry_status_reason_comment_and_reviewer(
    service: rv.ReviewService,
) -> None:
    opened = _open(service)
    _decide(service, opened, "reasonable", "dismiss", "ann", reason="clear in context")
    _decide(service, opened, "TBD", "confirm", "ann", comment="ask for a price")
    _decide(service, opened, "TBD", "confirm", "bob")
    _decide(service, opened, "timely", "confirm", "ann")
    _decide(service, opened, "timely", "dismiss", "bob")  # a dispute nobody adjudicated
    rows = {r.number: r for r in rv.issue_rows(opened, service.decisions(opened.sha256))}
    order = [f.id for f in opened.report.findings]
    by_text = {
        phrase: rows[order.index(_finding(opened, phrase).id) + 1]
        for phrase in ("reasonable", "TBD", "timely")
    }
    assert len(rows) == len(opened.report.findings)
    assert (by_text["reasonable"].status, by_text["reasonable"].reason) == (
        "dismissed",
        "clear in context",
    )
    assert by_text["TBD"].status == "confirmed"
    assert set(by_text["TBD"].reviewer.split(", ")) == {"ann", "bob"}
    assert by_text["timely"].status == "disputed"
    assert sum(r.status == "open" for r in rows.values()) == len(rows) - 3


def test_issues_list_opens_in_excel_and_word_with_formulas_neutralised(
    service: rv.ReviewService,
) -> None:
    opened = _open(service, FORMULA_TEXT + HOSTILE_TEXT)
    _decide(service, opened, "timely", "dismiss", "ann", comment="=SUM(A1) not a formula")
    rows = rv.issue_rows(opened, service.decisions(opened.sha256))

    sheet = load_workbook(io.BytesIO(to_xlsx(rows))).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(values[0]) == HEADERS and len(values) == len(rows) + 1
    cells = [str(v) for row in values[1:] for v in row if v is not None]
    assert not any(c.startswith("=") for c in cells)  # a passage never becomes a formula
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert "'=SUM(A1) not a formula" in cells
    assert "dismissed" in [row[HEADERS.index("Status")] for row in values[1:]]

    word = WordDocument(io.BytesIO(to_docx(rows, "Issues list: proposal.txt")))
    assert word.paragraphs[0].text == "Issues list: proposal.txt"
    (table,) = word.tables
    assert len(table.rows) == len(rows) + 1
    statuses = {row.cells[4].text for row in table.rows[1:]}
    assert statuses == {"open", "dismissed"}
    assert any("<script>" in row.cells[5].text for row in table.rows[1:])  # text, not markup


def test_batch_reports_and_portfolio_follow_the_decisions(service: rv.ReviewService) -> None:
    opened = _open(service)
    _decide(service, opened, "reasonable", "dismiss", "ann")
    _decide(service, opened, "TBD", "confirm", "ann")
    # A batch keeps no text in the session: the reviewed documents are read from the store.
    light = replace(opened, text="", name="/srv/deals/acme/proposal.txt")
    failed = service.open_bytes(b"", "/srv/deals/empty.txt")
    (reviewed, still_failed) = rv.reviewed_documents(service, [light, failed])
    assert "reasonable" not in [f.text for f in reviewed.report.findings]
    assert len(reviewed.report.findings) == len(opened.report.findings) - 1
    assert still_failed is failed
    payload = json.loads(rv.batch_report([reviewed], "json", service.tool))
    texts = [f["text"] for f in payload["documents"][0]["findings"]]
    assert "reasonable" not in texts and "TBD" in texts

    counts = rv.review_counts(service, [light, failed])
    assert counts == {opened.sha256: (2, len(opened.report.findings))}
    rows = batch_table([rv.replace_path(d) for d in (light, failed)], counts)
    assert [r["document"] for r in rows] == ["proposal.txt", "empty.txt"]  # no server paths
    assert rows[0]["reviewed"] == f"2 of {len(opened.report.findings)}"
    assert rows[0]["pages"] == "" and rows[1]["error"]


def test_reviewed_documents_hide_what_the_user_may_not_see(service: rv.ReviewService) -> None:
    opened = _open(service)
    _decide(service, opened, "reasonable", "dismiss", "ann")
    outsider = service.for_user(Principal("eve", "reviewer", frozenset({"Beta"})))
    (same,) = rv.reviewed_documents(outsider, [opened])
    assert same is opened  # passed through, not read from the store for eve
    assert rv.review_counts(outsider, [opened]) == {opened.sha256: (0, len(opened.report.findings))}
