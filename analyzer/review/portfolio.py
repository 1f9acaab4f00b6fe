"""The review app's batch downloads: the opened documents as one report file.

The batch table itself is `analyzer.report.portfolio.batch_table` (plain reports in, rows out).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from analyzer.report import render as render_report
from analyzer.review.service import OpenedDocument
from analyzer.types import DocumentReport, Report, ToolInfo

# ---------------------------------------------------------------------------------------------
# Batch portfolio
# ---------------------------------------------------------------------------------------------


def batch_report(opened: Iterable[OpenedDocument], fmt: str, tool: ToolInfo) -> str:
    """The batch as a report file in a DESIGN.md format ("json", "csv", "md", "html")."""
    reports = [replace_path(doc) for doc in opened]
    return render_report(Report(tool=tool, documents=reports), fmt)  # type: ignore[arg-type]


def replace_path(doc: OpenedDocument) -> DocumentReport:
    """The document's report with `path` set to its name (stored reports keep the old path)."""
    report = doc.report
    return replace(
        report,
        path=doc.name or report.path,
        findings=list(report.findings),
        summary=dict(report.summary),
        safeguards=list(report.safeguards),
        document=None,
    )
