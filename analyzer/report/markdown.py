"""Markdown writer: a readable report per document (summary, safeguards, findings).

Everything taken from a document (text, sentence, section, path, error, evidence) is
untrusted and goes through `escape_markdown`, so it renders as literal text in any
CommonMark/GFM renderer: no links, images, HTML, emphasis or table breaks can be injected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from analyzer.report.common import (
    category_label,
    category_order,
    check_label,
    finding_sort_key,
    location,
)
from analyzer.types import DocumentReport, Finding, Report

# Backslash-escaped everywhere: CommonMark inline syntax, GFM tables/strikethrough, math,
# attribute lists ({: ...}). Parentheses and "!" stay readable: with every "[" and "]"
# escaped, no link or image can form around them.
_ALWAYS_RE = re.compile(r"([\\`*_{}\[\]#|~$])")
# Only meaningful at the start of a line: list markers, setext underlines, "1." / "1)".
_LINE_START_RE = re.compile(r"^(?:([-+=])|(\d{1,9})([.)]))")
_WS_RE = re.compile(r"\s+")
_TEXT_MAX = 400


def escape_markdown(text: str | None) -> str:
    """Make untrusted text render literally inside a line of Markdown.

    Whitespace runs (including newlines) collapse to one space, so the text cannot start a new
    block. `&`, `<` and `>` become HTML entities (no raw HTML, no autolinks; some renderers do
    not honour a backslash before `<`), and every other character with inline meaning is
    backslash-escaped.

    Args:
        text: Any text; None gives "".

    Returns:
        The escaped text, e.g. "[x](javascript:alert(1))" -> "\\[x\\](javascript:alert(1))".
    """
    if not text:
        return ""
    text = _WS_RE.sub(" ", text).strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _ALWAYS_RE.sub(r"\\\1", text)
    return _LINE_START_RE.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text
    )


def _clip(text: str | None, limit: int = _TEXT_MAX) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def _cell(text: str) -> str:
    """A table cell; `escape_markdown` already escaped pipes and removed newlines."""
    return text or " "


def _summary_lines(doc: DocumentReport) -> list[str]:
    lines = ["### Summary", ""]
    score = doc.summary.get("risk_score")
    if score is not None:
        lines += [f"**Risk score: {int(score)} / 100**", ""]
    drivers = doc.summary.get("risk_drivers") or []
    if drivers:
        lines += ["What drives it:", ""]
        lines += [f"- {escape_markdown(str(d))}" for d in drivers]
        lines.append("")
    counts: dict[str, int] = {}
    for finding in doc.findings:
        counts[finding.category] = counts.get(finding.category, 0) + 1
    if counts:
        lines += ["| Category | Findings |", "|---|---:|"]
        for category in category_order(set(counts)):
            lines.append(f"| {escape_markdown(category_label(category))} | {counts[category]} |")
    else:
        lines.append("No findings.")
    lines.append("")
    return lines


def _safeguard_lines(doc: DocumentReport) -> list[str]:
    if not doc.safeguards:
        return []
    lines = ["### Safeguards", "", "| Safeguard | Status | Evidence |", "|---|---|---|"]
    for check in doc.safeguards:
        status = "present" if check.present else "**missing**"
        detail = "; ".join(check.evidence) if check.present and check.evidence else check.summary
        if not check.present and check.details:
            detail = f"{check.summary} ({'; '.join(check.details)})"
        lines.append(
            f"| {escape_markdown(check_label(check.check_id))} | {status} "
            f"| {_cell(escape_markdown(detail))} |"
        )
    lines.append("")
    return lines


def _finding_lines(number: int, finding: Finding) -> list[str]:
    kind = f"{finding.severity.capitalize()} · {finding.type.replace('_', ' ')}"
    lines = [f"{number}. **{escape_markdown(kind)}** — {escape_markdown(location(finding))}"]
    if finding.text:
        lines.append(f"   - Text: “{escape_markdown(_clip(finding.text))}”")
    if finding.sentence and finding.sentence != finding.text:
        lines.append(f"   - Sentence: “{escape_markdown(_clip(finding.sentence))}”")
    if finding.explanation:
        lines.append(f"   - Why: {escape_markdown(finding.explanation)}")
    if finding.suggestion:
        lines.append(f"   - Suggestion: {escape_markdown(finding.suggestion)}")
    return lines


def _findings_lines(findings: Iterable[Finding]) -> list[str]:
    by_category: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=finding_sort_key):
        by_category.setdefault(finding.category, []).append(finding)
    if not by_category:
        return []
    lines = ["### Findings", ""]
    for category in category_order(set(by_category)):
        group = by_category[category]
        lines += [f"#### {escape_markdown(category_label(category))} ({len(group)})", ""]
        for number, finding in enumerate(group, start=1):
            lines += _finding_lines(number, finding)
        lines.append("")
    return lines


def document_markdown(doc: DocumentReport, number: int = 1) -> str:
    """The Markdown section of one document (starts with a level-2 heading).

    Args:
        doc: One document's result.
        number: Its position in the report, shown in the heading.

    Returns:
        Markdown text ending with a newline.
    """
    lines = [f"## {number}. {escape_markdown(doc.path)}", ""]
    facts = [f"**Status:** {escape_markdown(doc.status)}"]
    if doc.kind:
        facts.append(f"**Kind:** {escape_markdown(doc.kind)}")
    if doc.pages is not None:
        facts.append(f"**Pages:** {doc.pages}")
    facts.append(f"**Characters:** {doc.text_chars:,}")
    if doc.sha256:
        facts.append(f"**SHA-256:** {escape_markdown(doc.sha256)}")
    lines += [" · ".join(facts), ""]
    if doc.status != "ok":
        lines += [f"**Error:** {escape_markdown(doc.error or 'unknown error')}", ""]
        return "\n".join(lines) + "\n"
    lines += _summary_lines(doc)
    lines += _safeguard_lines(doc)
    lines += _findings_lines(doc.findings)
    return "\n".join(lines).rstrip("\n") + "\n"


def to_markdown(report: Report) -> str:
    """The whole report as Markdown.

    Args:
        report: The scan result.

    Returns:
        Markdown text: a title, the tool line, then one section per document.
    """
    tool = report.tool
    model = escape_markdown(tool.model) if tool.model else "none"
    count = len(report.documents)
    parts = [
        "# ScopeLens report",
        "",
        f"{escape_markdown(tool.name)} {escape_markdown(tool.version)} · model: {model} · "
        f"{count} document{'s' if count != 1 else ''}",
        "",
    ]
    body = "\n".join(parts) + "\n"
    for number, doc in enumerate(report.documents, start=1):
        body += "\n" + document_markdown(doc, number)
    return body
