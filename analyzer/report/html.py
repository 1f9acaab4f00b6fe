"""HTML writer: one self-contained page (inline CSS, no scripts, no external resources).

Per document: a summary table, the safeguards, the document text with every finding
highlighted from its character offsets, and a findings table. Overlapping findings (a vague
phrase inside a commitment sentence) are drawn by cutting the text at every span boundary and
giving each piece the classes of all findings covering it.

Everything from a document — text, file name, sections, evidence, errors — is escaped with
`html.escape`; a Content-Security-Policy forbids scripts as a second line of defence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from itertools import pairwise

from analyzer.report.colours import CATEGORY_COLOURS, FALLBACK_COLOUR, HIGHLIGHT_PRIORITY
from analyzer.report.common import (
    category_label,
    category_order,
    check_label,
    finding_sort_key,
    location,
)
from analyzer.types import DocumentReport, Finding, Report

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_TOKEN_RE = re.compile(r"[^a-z0-9_-]")
_ID_RE = re.compile(r"[^A-Za-z0-9_-]")


def _esc(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def _css_token(category: str) -> str:
    """A category as a safe CSS class suffix (categories loaded from JSON are untrusted)."""
    return _TOKEN_RE.sub("", category.lower()) or "unknown"


def _anchor(prefix: str, number: int, finding: Finding) -> str:
    return f"{prefix}{number}-{_ID_RE.sub('', finding.id)[:32]}"


def _stylesheet() -> str:
    rules = [
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;"
        "max-width:90rem;padding:0 1rem;color:#1d1d1f;line-height:1.45}",
        "h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:1px solid #ddd;"
        "padding-bottom:.3rem;margin-top:2.5rem;overflow-wrap:anywhere}",
        "table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}",
        "th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top;"
        "font-size:.9rem;overflow-wrap:break-word}",
        "table.findings{table-layout:fixed}table.findings td{overflow-wrap:anywhere}",
        "th{background:#f5f5f7}",
        "table.facts{width:auto}table.facts th{width:10rem}",
        ".doctext{white-space:pre-wrap;border:1px solid #ddd;padding:1rem;max-height:40rem;"
        "overflow:auto;font-size:.92rem;background:#fcfcfc}",
        # Same specificity as the per-category rules below, which come later and win.
        ".hl{color:inherit;padding:0;background:" + FALLBACK_COLOUR + "}",
        ".chip{display:inline-block;white-space:nowrap;padding:0 .45rem;border-radius:.6rem;"
        "margin:0 .25rem .25rem 0;font-size:.85rem;background:" + FALLBACK_COLOUR + "}",
        ".missing-row td{background:#fff5f5}",
        ".present{color:#1a7f37;font-weight:600}.absent{color:#c62828;font-weight:600}",
        ".score{font-size:1.4rem;font-weight:700}",
        ".note{color:#666;font-style:italic}",
        ".error{color:#c62828;font-weight:600}",
    ]
    # Paint order: later categories win where highlights overlap (phrases over sentences).
    for category in HIGHLIGHT_PRIORITY:
        colour = CATEGORY_COLOURS[category]
        rules.append(f".hl-{category},.chip-{category}{{background:{colour}}}")
    for category in HIGHLIGHT_PRIORITY:
        colour = CATEGORY_COLOURS[category]
        # Where a phrase sits inside a sentence finding, the sentence colour shows underneath.
        rules.append(f".hl-under-{category}{{box-shadow:inset 0 -.3em 0 {colour}}}")
    return "\n".join(rules)


def _priority(category: str) -> int:
    try:
        return HIGHLIGHT_PRIORITY.index(category)
    except ValueError:
        return -1


def highlight_text(text: str, findings: Iterable[Finding]) -> str:
    """Escaped `text` with each finding's span wrapped in `<mark>`, overlaps combined.

    The text is cut at every span start and end; each piece covered by one or more findings
    becomes one `<mark class="hl hl-<category> …">` listing all their categories (and, where
    categories differ, an underline in the colour of the lowest-priority one). Spans outside
    the text or empty are ignored.

    Args:
        text: The document text the offsets point into.
        findings: Findings; those without offsets are skipped.

    Returns:
        HTML (no enclosing element).
    """
    spans = [
        (f.start, f.end, i, f)
        for i, f in enumerate(findings)
        if f.start is not None and f.end is not None and 0 <= f.start < f.end <= len(text)
    ]
    if not spans:
        return _esc(text)
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    by_index: dict[int, Finding] = {}
    for start, end, i, finding in spans:
        starts.setdefault(start, []).append(i)
        ends.setdefault(end, []).append(i)
        by_index[i] = finding
    bounds = sorted({0, len(text), *starts, *ends})
    active: set[int] = set()
    anchored: set[int] = set()
    out: list[str] = []
    for a, b in pairwise(bounds):
        active.difference_update(ends.get(a, ()))
        active.update(starts.get(a, ()))
        piece = _esc(text[a:b])
        if not active:
            out.append(piece)
            continue
        covering = [by_index[i] for i in sorted(active)]
        categories = sorted(
            {_css_token(f.category) for f in covering}, key=lambda c: (_priority(c), c)
        )
        classes = ["hl", *(f"hl-{c}" for c in categories)]
        if len(categories) > 1:
            classes.append(f"hl-under-{categories[0]}")
        labels = sorted({f"{f.category}/{f.type} ({f.severity})" for f in covering})
        ids = " ".join(sorted({_ID_RE.sub("", f.id) for f in covering}))
        anchor = ""
        new = sorted(i for i in active if i not in anchored)
        if new:
            anchored.update(new)
            anchor = f' id="t-{_esc(_ID_RE.sub("", by_index[new[0]].id))}"'
        out.append(
            f'<mark class="{" ".join(classes)}"{anchor} data-ids="{_esc(ids)}" '
            f'title="{_esc("; ".join(labels))}">{piece}</mark>'
        )
    return "".join(out)


def _chips(counts: dict[str, int]) -> str:
    return "".join(
        f'<span class="chip chip-{_css_token(c)}">{_esc(category_label(c))}: {counts[c]}</span>'
        for c in category_order(set(counts))
    )


def _facts_table(doc: DocumentReport) -> str:
    rows = [("Status", _esc(doc.status)), ("Kind", _esc(doc.kind or "–"))]
    if doc.pages is not None:
        rows.append(("Pages", _esc(doc.pages)))
    rows.append(("Characters", f"{doc.text_chars:,}"))
    if doc.sha256:
        rows.append(("SHA-256", f"<code>{_esc(doc.sha256)}</code>"))
    if doc.status == "ok":
        score = doc.summary.get("risk_score")
        if score is not None:
            rows.append(("Risk score", f'<span class="score">{_esc(int(score))}</span> / 100'))
        drivers = doc.summary.get("risk_drivers") or []
        if drivers:
            items = "".join(f"<li>{_esc(d)}</li>" for d in drivers)
            rows.append(("Risk drivers", f"<ul>{items}</ul>"))
        counts: dict[str, int] = {}
        for finding in doc.findings:
            counts[finding.category] = counts.get(finding.category, 0) + 1
        rows.append(("Findings", _chips(counts) if counts else "none"))
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="facts">{body}</table>'


def _safeguards_table(doc: DocumentReport) -> str:
    if not doc.safeguards:
        return ""
    rows = []
    for check in doc.safeguards:
        status = (
            '<span class="present">present</span>'
            if check.present
            else '<span class="absent">missing</span>'
        )
        evidence = "".join(f"<li>{_esc(e)}</li>" for e in check.evidence)
        detail = _esc(check.summary) + (f"<ul>{evidence}</ul>" if evidence else "")
        rows.append(
            f"<tr><td>{_esc(check_label(check.check_id))}</td><td>{status}</td>"
            f"<td>{detail}</td></tr>"
        )
    return (
        "<h3>Safeguards</h3><table><thead><tr><th>Safeguard</th><th>Status</th>"
        f"<th>Evidence</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


_FINDING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("#", "2.5rem"),
    ("Category", "7.5rem"),
    ("Type", "8rem"),
    ("Severity", "5.5rem"),
    ("Location", "9rem"),
    ("Text", "auto"),
    ("Why", "auto"),
    ("Suggestion", "auto"),
    ("Source", "8rem"),
)


def _findings_table(findings: Sequence[Finding], linked: bool) -> str:
    if not findings:
        return "<p class='note'>No findings.</p>"
    rows = []
    for number, finding in enumerate(sorted(findings, key=finding_sort_key), start=1):
        token = _css_token(finding.category)
        text = _esc(finding.text) if finding.text else "–"
        if linked and finding.start is not None and finding.text:
            text = f'<a href="#t-{_esc(_ID_RE.sub("", finding.id))}">{text}</a>'
        sentence = ""
        if finding.sentence and finding.sentence != finding.text:
            sentence = f"<br><small>{_esc(finding.sentence)}</small>"
        row_class = ' class="missing-row"' if finding.category == "missing" else ""
        cells = (
            str(number),
            f'<span class="chip chip-{token}">{_esc(category_label(finding.category))}</span>',
            _esc(finding.type),
            _esc(finding.severity),
            _esc(location(finding)),
            text + sentence,
            _esc(finding.explanation),
            _esc(finding.suggestion),
            f"<small>{_esc(finding.source)} · {_esc(f'{finding.confidence:.2f}')}</small>",
        )
        body = "".join(f"<td>{cell}</td>" for cell in cells)
        rows.append(f'<tr{row_class} id="{_esc(_anchor("f", number, finding))}">{body}</tr>')
    cols = "".join(
        f'<col style="width:{width}">' if width != "auto" else "<col>"
        for _, width in _FINDING_COLUMNS
    )
    head = "".join(f"<th>{name}</th>" for name, _ in _FINDING_COLUMNS)
    return (
        f'<table class="findings"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def document_html(doc: DocumentReport, number: int = 1) -> str:
    """The `<section>` of one document.

    Args:
        doc: One document's result; its text is highlighted when `doc.document` is set.
        number: Its position in the report.

    Returns:
        An HTML fragment.
    """
    parts = [f'<section class="document"><h2>{number}. {_esc(doc.path)}</h2>']
    parts.append(_facts_table(doc))
    if doc.status != "ok":
        parts.append(f'<p class="error">Error: {_esc(doc.error or "unknown error")}</p>')
        parts.append("</section>")
        return "".join(parts)
    parts.append(_safeguards_table(doc))
    text = doc.document.text if doc.document is not None else None
    parts.append("<h3>Document text</h3>")
    if text is not None:
        parts.append(f'<div class="doctext">{highlight_text(text, doc.findings)}</div>')
    else:
        parts.append(
            '<p class="note">The document text is not part of this report (e.g. it was loaded '
            "from JSON); only the findings are shown.</p>"
        )
    parts.append("<h3>Findings</h3>")
    parts.append(_findings_table(doc.findings, linked=text is not None))
    parts.append("</section>")
    return "".join(parts)


def to_html(report: Report) -> str:
    """The whole report as one self-contained HTML page.

    Args:
        report: The scan result.

    Returns:
        An HTML5 document with inline CSS and no scripts.
    """
    tool = report.tool
    legend = "".join(
        f'<span class="chip chip-{c}">{_esc(category_label(c))}</span>' for c in CATEGORY_COLOURS
    )
    count = len(report.documents)
    sections = "".join(document_html(d, n) for n, d in enumerate(report.documents, start=1))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>ScopeLens report</title>"
        f"<style>{_stylesheet()}</style></head><body>"
        "<h1>ScopeLens report</h1>"
        f"<p>{_esc(tool.name)} {_esc(tool.version)} · model: {_esc(tool.model or 'none')} · "
        f"{count} document{'s' if count != 1 else ''}</p>"
        f"<p>Legend: {legend}</p>"
        f"{sections}</body></html>\n"
    )
