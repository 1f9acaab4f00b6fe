"""Batch rows of the review app: one row per opened document, ranked by risk."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from analyzer.report import render as render_report
from analyzer.report.common import check_label
from analyzer.review.service import OpenedDocument
from analyzer.types import (
    CATEGORIES,
    DocumentReport,
    Report,
    ToolInfo,
)

# ---------------------------------------------------------------------------------------------
# Batch portfolio
# ---------------------------------------------------------------------------------------------


def portfolio_rows(
    opened: Iterable[OpenedDocument], reviewed: dict[str, tuple[int, int]] | None = None
) -> list[dict[str, Any]]:
    """One row per document: name, kind, pages, risk score, counts by category, missing.

    Rows are plain dicts (for a dataframe); counts are present for every category. The name
    is the file name (never the server path), a failed file says why in `error`.

    Args:
        opened: The documents.
        reviewed: Per sha256, (findings with a decision that counts, findings): shown as
            "reviewed 3 of 12".
    """
    rows = []
    for doc in opened:
        report = doc.report
        counts = Counter(f.category for f in report.findings)
        missing = [check_label(f.type) for f in report.findings if f.category == "missing"]
        done, total = (reviewed or {}).get(doc.sha256, (0, len(report.findings)))
        row: dict[str, Any] = {
            "document": PurePath(doc.name.replace("\\", "/")).name or doc.name,
            "kind": doc.kind or "",
            "pages": "" if doc.pages is None else str(doc.pages),
            "status": report.status,
            "error": report.error or "",
            "risk_score": report.summary.get("risk_score"),
            "reviewed": f"{done} of {total}" if report.status == "ok" else "",
        }
        for category in CATEGORIES:
            if category != "missing":
                row[category] = counts.get(category, 0)
        row["missing_safeguards"] = ", ".join(missing)
        row["sha256"] = doc.sha256
        rows.append(row)
    return rows


def sort_portfolio(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Highest risk first; errors last."""
    return sorted(
        rows,
        key=lambda r: (r["status"] != "ok", -(r["risk_score"] or 0), str(r["document"])),
    )


def batch_report(opened: Iterable[OpenedDocument], fmt: str, tool: ToolInfo) -> str:
    """The batch as a report file in a DESIGN.md format ("json", "csv", "md", "html")."""
    reports = [replace_path(doc) for doc in opened]
    return render_report(Report(tool=tool, documents=reports), fmt)  # type: ignore[arg-type]


def replace_path(doc: OpenedDocument) -> DocumentReport:
    """The document's report with `path` set to its name (stored reports keep the old path)."""
    report = doc.report
    return DocumentReport(
        path=doc.name or report.path,
        sha256=report.sha256,
        kind=report.kind,
        pages=report.pages,
        status=report.status,
        error=report.error,
        text_chars=report.text_chars,
        findings=list(report.findings),
        summary=dict(report.summary),
        safeguards=list(report.safeguards),
    )
