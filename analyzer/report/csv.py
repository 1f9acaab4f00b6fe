"""CSV writer: one row per finding, one row per document that failed or had no findings.

Cells are guarded against CSV/formula injection: a spreadsheet would evaluate a cell that
starts with `=`, `+`, `-`, `@` (or a tab / carriage return) as a formula, so such cells get a
leading apostrophe. Document text is untrusted; so is every file name.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from analyzer.report.common import finding_sort_key
from analyzer.types import DocumentReport, Finding, Report

COLUMNS: tuple[str, ...] = (
    "path",
    "sha256",
    "status",
    "error",
    "id",
    "category",
    "type",
    "severity",
    "start",
    "end",
    "page",
    "section",
    "text",
    "sentence",
    "explanation",
    "suggestion",
    "source",
    "confidence",
)

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def csv_safe(value: Any) -> str:
    """A cell value as text, neutralised against formula injection.

    Args:
        value: The raw value; None becomes "".

    Returns:
        The text, with a leading apostrophe when it starts like a formula. Numbers written by
        ScopeLens itself (offsets, pages, confidence) are never negative, so they stay as is.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def _document_cells(doc: DocumentReport) -> list[Any]:
    return [doc.path, doc.sha256, doc.status, doc.error]


def _finding_cells(finding: Finding) -> list[Any]:
    return [
        finding.id,
        finding.category,
        finding.type,
        finding.severity,
        finding.start,
        finding.end,
        finding.page,
        finding.section,
        finding.text,
        finding.sentence,
        finding.explanation,
        finding.suggestion,
        finding.source,
        finding.confidence,
    ]


def iter_rows(report: Report) -> list[list[str]]:
    """The CSV rows (header excluded), every cell already guarded.

    A document with findings gives one row per finding, in document order. A document that
    failed gives one row with its status and error; an analysed document without findings gives
    one row with empty finding columns, so every scanned file appears in the sheet.
    """
    rows: list[list[str]] = []
    blank = [None] * (len(COLUMNS) - 4)
    for doc in report.documents:
        head = _document_cells(doc)
        if doc.status != "ok" or not doc.findings:
            rows.append([csv_safe(v) for v in head + blank])
            continue
        for finding in sorted(doc.findings, key=finding_sort_key):
            rows.append([csv_safe(v) for v in head + _finding_cells(finding)])
    return rows


def to_csv(report: Report) -> str:
    """The report as CSV text (header row first, RFC 4180 quoting, CRLF line ends).

    Args:
        report: The scan result.

    Returns:
        The CSV text.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(iter_rows(report))
    return buffer.getvalue()
