"""Record builders shared by the store tests (documents, findings, reports, decisions)."""

from __future__ import annotations

from dataclasses import replace

from analyzer.types import Annotation, Block, Document, DocumentReport, Finding, finding_id

TEXT = (
    "1 Scope of work\n"
    "The vendor will migrate all data, including but not limited to customer records.\n"
    "Support will be provided in a timely manner, etc.\n"
    "Go-live is TBD.\n"
)


def make_document(text: str = TEXT, path: str = "proposals/acme.pdf", sha: str = "a") -> Document:
    """A small document; `sha` is repeated to a 64-character fake sha256."""
    block = Block(kind="paragraph", start=0, end=len(text), text=text, page=1)
    return Document(
        path=path, kind="pdf", text=text, blocks=(block,), sha256=(sha * 64)[:64], pages=1
    )


def make_finding(
    text: str,
    phrase: str | None,
    category: str = "ambiguity",
    type_: str = "open_ended",
    source: str = "rule:open_ended.test",
    path: str = "proposals/acme.pdf",
) -> Finding:
    """A finding over `phrase` in `text` (document-level when `phrase` is None)."""
    start = end = None
    if phrase is not None:
        start = text.index(phrase)
        end = start + len(phrase)
    return Finding(
        id=finding_id(path, category, type_, start, end),
        category=category,
        type=type_,
        severity="medium",
        start=start,
        end=end,
        text=phrase,
        sentence=None if phrase is None else phrase,
        page=None if phrase is None else 1,
        section="1 Scope of work" if phrase else None,
        explanation="Open-ended list.",
        suggestion="List the items exhaustively.",
        source=source,
        confidence=1.0,
    )


def make_report(document: Document, findings: list[Finding]) -> DocumentReport:
    """An ok report of `document` with `findings`."""
    return DocumentReport(
        path=document.path,
        sha256=document.sha256,
        kind=document.kind,
        pages=document.pages,
        status="ok",
        error=None,
        text_chars=len(document.text),
        findings=findings,
        summary={"by_category": {"ambiguity": len(findings)}, "risk_score": 10},
    )


def decide(
    finding: Finding,
    document: Document,
    decision: str = "confirm",
    reviewer: str = "j.doe",
    created_at: str = "2026-11-25T18:00:00Z",
    **changes: object,
) -> Annotation:
    """A reviewer decision on `finding`."""
    annotation = Annotation(
        document_sha256=document.sha256,
        document_name="acme.pdf",
        start=finding.start,
        end=finding.end,
        text=finding.text,
        sentence=finding.sentence,
        finding_id=finding.id,
        category=finding.category,
        type=finding.type,
        decision=decision,
        reviewer=reviewer,
        created_at=created_at,
        tool_version="0.1.0",
        model=None,
    )
    return replace(annotation, **changes)  # type: ignore[arg-type]
