"""Exports that honour the reviewers' decisions: the reviewed report, the issues list, the batch.

Each finding counts with its resolved decision (`analyzer.consensus`): dismissed findings leave
the reports, relabels apply, added findings join; a finding reviewers disagree on and no admin
has adjudicated stays as detected and is marked "disputed" in the issues list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from analyzer.consensus import consensus
from analyzer.report import render as render_report
from analyzer.report.common import check_label
from analyzer.report.issues import IssueRow
from analyzer.review.decisions import merge_decisions, reviewed_report
from analyzer.review.portfolio import replace_path
from analyzer.review.service import OpenedDocument, ReviewService
from analyzer.types import Annotation, Report, ToolInfo

_STATUS = {"unreviewed": "open"}


def reviewed_export(
    doc: OpenedDocument, resolved: Iterable[Annotation], fmt: str, tool: ToolInfo
) -> str:
    """One document's report as its reviewers left it (`reviewed_report`), in a DESIGN.md format.

    Args:
        doc: The opened document.
        resolved: Its resolved decisions (adjudicated or agreed, one per finding).
        fmt: "json", "csv", "md" or "html".
        tool: Tool info for the report header.
    """
    report = reviewed_report(replace_path(doc), resolved, doc.text)
    return render_report(Report(tool=tool, documents=[report]), fmt)  # type: ignore[arg-type]


def reviewed_documents(
    service: ReviewService, documents: Sequence[OpenedDocument]
) -> list[OpenedDocument]:
    """The documents with their reports as reviewed (for the batch reports); failed documents
    and documents the user may not see are passed through unchanged."""
    out = []
    for doc in documents:
        if not doc.ok or not doc.sha256:
            out.append(doc)
            continue
        stored = service.open_stored(doc.sha256)
        if stored is None:
            out.append(doc)
            continue
        report = reviewed_report(stored.report, service.resolved(doc.sha256), stored.text)
        out.append(replace(doc, report=report))
    return out


def review_counts(
    service: ReviewService, documents: Sequence[OpenedDocument]
) -> dict[str, tuple[int, int]]:
    """Per document: (findings with a resolved decision, findings), for "reviewed x of y"."""
    counts = {}
    for doc in documents:
        if doc.ok and doc.sha256:
            decided = {a.finding_id for a in service.resolved(doc.sha256) if a.finding_id}
            ids = {f.id for f in doc.report.findings}
            counts[doc.sha256] = (len(decided & ids), len(ids))
    return counts


def issue_rows(doc: OpenedDocument, current: Sequence[Annotation]) -> list[IssueRow]:
    """The issues list of one document: every finding (dismissed ones too) with its status.

    Args:
        doc: The opened document.
        current: Every reviewer's current decision on it (`ReviewService.decisions`).
    """
    groups = consensus(current)
    resolved = [c.resolved for c in groups.values() if c.resolved is not None]
    disputed = {c.key[1] for c in groups.values() if c.disputed and c.key[1] is not None}
    reviewers: dict[str | None, list[str]] = {}
    for group in groups.values():
        reviewers[group.key[1]] = list(group.reviewers)
    rows = []
    for number, item in enumerate(merge_decisions(doc.report.findings, resolved), start=1):
        f = item.finding
        decision = item.decision
        status = "disputed" if item.original.id in disputed else _STATUS.get(item.state, item.state)
        who = [decision.reviewer] if decision is not None else []
        who += [r for r in reviewers.get(item.original.id, []) if r not in who]
        rows.append(
            IssueRow(
                number=number,
                document=doc.name,
                page="" if f.page is None else str(f.page),
                section=f.section or "",
                category=f.category,
                type=f.type,
                severity=f.severity,
                status=status,
                passage=" ".join((f.sentence or f.text or check_label(f.type)).split()),
                explanation=f.explanation,
                suggestion=f.suggestion,
                reason=(decision.reason or "") if decision is not None else "",
                comment=(decision.comment or "") if decision is not None else "",
                reviewer=", ".join(who),
                decided_at=decision.created_at if decision is not None else "",
            )
        )
    return rows
