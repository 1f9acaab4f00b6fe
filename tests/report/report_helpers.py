"""Builders for hand-made reports used by the report writer tests."""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.types import (
    Document,
    DocumentReport,
    Finding,
    Report,
    SafeguardCheck,
    ToolInfo,
    finding_id,
)

EVIL_TEXT = (
    "Scope. The vendor will provide all necessary support. "
    "<script>alert(1)</script> and <img src=x onerror=alert(1)> are included. "
    "See [x](javascript:alert(1)) and ![img](http://x/onerror=) for *bold* | pipes |."
)
EVIL_PATH = "proposals/<b>acme</b>.txt"


def span_finding(
    text: str,
    needle: str,
    category: str,
    type_: str,
    severity: str = "medium",
    *,
    path: str = EVIL_PATH,
    page: int | None = 2,
    section: str | None = "3 Scope <i>of</i> work",
) -> Finding:
    """A finding over the first occurrence of `needle` in `text`."""
    start = text.index(needle)
    end = start + len(needle)
    return Finding(
        id=finding_id(path, category, type_, start, end),
        category=category,
        type=type_,
        severity=severity,
        start=start,
        end=end,
        text=needle,
        sentence=needle,
        page=page,
        section=section,
        explanation=f"Why {type_} matters.",
        suggestion=f"Fix the {type_}.",
        source=f"rule:{category}.{type_}",
        confidence=1.0,
    )


def missing_finding(type_: str, severity: str, path: str = EVIL_PATH) -> Finding:
    """A document-level finding."""
    return Finding(
        id=finding_id(path, "missing", type_, None, None),
        category="missing",
        type=type_,
        severity=severity,
        start=None,
        end=None,
        text=None,
        sentence=None,
        page=None,
        section=None,
        explanation="Nothing says what is out of scope.",
        suggestion="Add an 'Out of scope' section.",
        source=f"check:{type_}",
    )


def evil_findings(text: str = EVIL_TEXT, path: str = EVIL_PATH) -> list[Finding]:
    """A commitment sentence with an ambiguity phrase inside, plus untrusted spans."""
    sentence = "The vendor will provide all necessary support."
    return [
        span_finding(text, sentence, "commitment", "deliverable", path=path),
        span_finding(text, "all necessary", "ambiguity", "unbounded", "high", path=path),
        span_finding(text, "<script>alert(1)</script>", "ambiguity", "placeholder", path=path),
        span_finding(
            text, "<img src=x onerror=alert(1)> are included.", "exclusion", "exclusion", "info"
        ),
        missing_finding("missing_acceptance", "high", path=path),
    ]


def make_document_report(
    text: str = EVIL_TEXT,
    findings: Sequence[Finding] | None = None,
    *,
    path: str = EVIL_PATH,
    with_document: bool = True,
) -> DocumentReport:
    """An ok DocumentReport (with its Document unless `with_document` is False)."""
    findings = list(evil_findings(text, path) if findings is None else findings)
    document = Document(path=path, kind="txt", text=text, blocks=(), sha256="ab" * 32)
    return DocumentReport(
        path=path,
        sha256="ab" * 32,
        kind="txt",
        pages=None,
        status="ok",
        error=None,
        text_chars=len(text),
        findings=findings,
        summary={
            "by_category": {"ambiguity": 2, "commitment": 1, "exclusion": 1, "missing": 1},
            "by_severity": {"high": 2, "medium": 2, "info": 1},
            "risk_score": 42,
            "risk_drivers": ["1 missing safeguard: acceptance", "2 ambiguous phrases <b>"],
        },
        safeguards=[
            SafeguardCheck(
                "missing_exclusions", True, ("section '<b>7 Exclusions</b>' (2 items)",), "ok"
            ),
            SafeguardCheck(
                "missing_acceptance",
                False,
                (),
                "No acceptance criteria or acceptance procedure found",
            ),
        ],
        document=document if with_document else None,
    )


def error_report(path: str = "broken=cmd.pdf") -> DocumentReport:
    """A DocumentReport for a file that failed."""
    return DocumentReport(
        path=path,
        sha256=None,
        kind="pdf",
        pages=None,
        status="error",
        error="The file is damaged <b>or</b> not a PDF",
        text_chars=0,
    )


def make_report(*documents: DocumentReport) -> Report:
    """A Report of `documents` (one evil document by default)."""
    return Report(tool=ToolInfo(), documents=list(documents) or [make_document_report()])
