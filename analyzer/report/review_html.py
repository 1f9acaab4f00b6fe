"""Escaped HTML pieces of the review app: highlighted text windows, the viewer's document body
and styles, passages, the legend, counts, safeguards, a finding's detail and the document
summary. They take plain records (`Finding`, `ReviewedFinding`, `RiskSummary`); document text is
untrusted: every string built here is escaped."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from html import escape
from typing import Any

from analyzer.report.colours import (
    CATEGORY_COLOURS,
    CATEGORY_LINE_COLOURS,
    FALLBACK_COLOUR,
    HIGHLIGHT_PRIORITY,
)
from analyzer.report.common import check_label
from analyzer.report.html import highlight_text
from analyzer.report.risk import RiskSummary
from analyzer.types import (
    Annotation,
    Block,
    Finding,
    ReviewedFinding,
    SafeguardCheck,
)

# ---------------------------------------------------------------------------------------------
# Highlighted text (escaped HTML)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextWindow:
    """A slice of the document text around a finding, with findings shifted into it.

    Attributes:
        text: `document_text[offset:offset + len(text)]`.
        offset: Where the slice starts in the document.
        findings: Findings overlapping the slice, offsets relative to it (clipped).
        before: Text was cut before the slice.
        after: Text was cut after the slice.
    """

    text: str
    offset: int
    findings: tuple[Finding, ...]
    before: bool
    after: bool


def text_window(
    text: str,
    findings: Iterable[Finding],
    focus: Finding | None = None,
    radius: int = 1500,
) -> TextWindow:
    """The part of `text` around `focus` (whole text when `focus` has no span).

    The slice is widened to line boundaries (up to 400 characters further) so it does not
    start or end mid-sentence.
    """
    spans = [f for f in findings if f.start is not None and f.end is not None]
    if focus is None or focus.start is None or focus.end is None or len(text) <= 2 * radius:
        return TextWindow(text, 0, tuple(spans), False, False)
    lo = max(0, focus.start - radius)
    hi = min(len(text), focus.end + radius)
    if lo > 0:
        cut = text.rfind("\n", max(0, lo - 400), lo)
        lo = cut + 1 if cut >= 0 else lo
    if hi < len(text):
        cut = text.find("\n", hi, hi + 400)
        hi = cut if cut >= 0 else hi
    shifted = []
    for f in spans:
        assert f.start is not None and f.end is not None
        if f.end <= lo or f.start >= hi:
            continue
        shifted.append(replace(f, start=max(f.start, lo) - lo, end=min(f.end, hi) - lo))
    return TextWindow(text[lo:hi], lo, tuple(shifted), lo > 0, hi < len(text))


def highlight_css(scope: str = "sl-doc") -> str:
    """CSS for `highlight_text` marks inside `.<scope>`, from the shared category colours."""
    rules = [
        f".{scope}{{white-space:pre-wrap;line-height:1.55;font-size:.95rem;"
        "border:1px solid #ddd;border-radius:.4rem;padding:.8rem 1rem;background:#fcfcfc;"
        # Its own text colour: on its light background it stays readable in the dark theme.
        "color:#1b1b1b;"
        "max-height:42rem;overflow:auto;overflow-wrap:anywhere}",
        f".{scope} mark.hl{{color:inherit;padding:0;border-radius:2px;"
        f"background:{FALLBACK_COLOUR}}}",
        f".{scope} .sl-cut{{color:#555;font-style:italic}}",
    ]
    for category in HIGHLIGHT_PRIORITY:
        rules.append(f".{scope} mark.hl-{category}{{background:{CATEGORY_COLOURS[category]}}}")
    for category in HIGHLIGHT_PRIORITY:
        colour = CATEGORY_COLOURS[category]
        rules.append(f".{scope} mark.hl-under-{category}{{box-shadow:inset 0 -.3em 0 {colour}}}")
    return "\n".join(rules)


STATE_CLASSES: dict[str, str] = {
    "unreviewed": "st-open",
    "confirmed": "st-confirmed",
    "dismissed": "st-dismissed",
    "relabelled": "st-relabelled",
    "added": "st-added",
}
"""CSS class of a highlight per review state (`REVIEW_STATES`)."""


def _piece_classes(items: Sequence[ReviewedFinding]) -> Callable[[Finding], tuple[str, str]]:
    """The viewer's classes of a finding's pieces: its review state and its level (a phrase is
    filled, a sentence underlined)."""
    state_of = {i.finding.id: i.state for i in items}

    def classes(f: Finding) -> tuple[str, str]:
        level = "lvl-phrase" if f.category == "ambiguity" else "lvl-sentence"
        return STATE_CLASSES.get(state_of.get(f.id, "unreviewed"), "st-open"), level

    return classes


def document_html(
    text: str,
    items: Sequence[ReviewedFinding],
    *,
    focus_id: str | None = None,
    window: bool = True,
    radius: int = 5000,
) -> str:
    """The document body of the review viewer: escaped text, every piece tagged with its
    document offset (`data-o`), highlights with their finding ids, category, level (a phrase
    gets a fill, a sentence an underline) and review state.

    Args:
        text: The document text (untrusted).
        items: The findings shown, with their review state.
        focus_id: The finding to centre on when windowed.
        window: Show only the text around the focused finding.
        radius: Characters either side of the focused finding when windowed.
    """
    findings = [i.finding for i in items if i.finding.start is not None]
    focus = next((f for f in findings if f.id == focus_id), None)
    view = (
        text_window(text, findings, focus, radius)
        if window
        else TextWindow(text, 0, tuple(findings), False, False)
    )
    classes = _piece_classes(items)

    body = highlight_text(view.text, view.findings, offset=view.offset, classes_of=classes)
    before = '<div class="sl-cut">[… earlier text: turn on “Whole document” …]</div>'
    after = '<div class="sl-cut">[… later text: turn on “Whole document” …]</div>'
    return (
        f'<div class="sl-paper">{before if view.before else ""}{body}'
        f"{after if view.after else ''}</div>"
    )


_INLINE_MARKUP = re.compile(r"\*\*|__|`+|:[a-z0-9_+-]{2,40}:")
"""Markdown emphasis and code marks and emoji shortcodes, hidden in the formatted view."""
_LEAD_MARKUP = re.compile(r"^(?:#{1,6}\s+|\s*(?:[-*+•]|\d{1,3}[.)])\s+)")
"""Markdown heading hashes and list markers at the start of a block (hidden when formatted)."""


def formatted_html(
    text: str,
    blocks: Sequence[Block],
    items: Sequence[ReviewedFinding],
    *,
    markdown: bool = False,
) -> str:
    """The document laid out by its structure (headings, list items, table rows, paragraphs)
    for DOCX and Markdown, with the same tagged pieces and highlights as `document_html`.

    Heading hashes and list markers that open a block are not shown, nor, with `markdown`,
    emphasis and code marks and `:emoji:` codes (they stay in the page, hidden, so offsets and
    a selection made here stay exact).
    """
    findings = [i.finding for i in items if i.finding.start is not None]
    classes = _piece_classes(items)

    parts = []
    for block in blocks:
        if block.kind in ("header", "footer"):
            continue
        lead = _LEAD_MARKUP.match(block.text)
        start = block.start + (lead.end() if lead else 0)
        inside = [
            replace(f, start=max(f.start, start) - start, end=min(f.end, block.end) - start)
            for f in findings
            if f.start is not None and f.end is not None and f.start < block.end and f.end > start
        ]
        piece = text[start : block.end]
        hidden = _INLINE_MARKUP.finditer(piece) if markdown else ()
        body = highlight_text(
            piece,
            inside,
            offset=start,
            classes_of=classes,
            hidden=[(m.start(), m.end()) for m in hidden],
        )
        if block.kind == "heading":
            level = min(max(block.level or 1, 1), 4) + 1
            parts.append(f'<h{level} class="sl-h">{body}</h{level}>')
        elif block.kind == "list_item":
            indent = max((block.level or 1) - 1, 0) * 1.2 + 1.2
            parts.append(f'<div class="sl-li" style="margin-left:{indent:.1f}em">{body}</div>')
        elif block.kind == "table_row":
            parts.append(f'<div class="sl-tr">{body}</div>')
        else:
            parts.append(f'<p class="sl-p">{body}</p>')
    return '<div class="sl-paper sl-formatted">' + "".join(parts) + "</div>"


def viewer_css() -> str:
    """Styles of the review viewer: a light "paper" with its own text colour, so the document
    stays readable (contrast well over 4.5:1) in the light and the dark theme alike."""
    decided = ":not(.st-open):not(.st-confirmed):not(.st-relabelled):not(.st-added)"
    rules = [
        ".sl-paper{white-space:pre-wrap;line-height:1.65;font-size:15px;color:#1b1b1b;"
        "background:#ffffff;border:1px solid #b8b8b8;border-radius:6px;padding:12px 16px;"
        "max-height:72vh;overflow:auto;overflow-wrap:anywhere;position:relative;"
        "font-family:'Source Sans Pro','Source Sans 3',system-ui,sans-serif}",
        ".sl-paper mark.hl{color:#1b1b1b;background:transparent;padding:1px 0;"
        "border-radius:2px;cursor:pointer}",
        ".sl-paper mark.hl-start{margin-left:3px}",
        ".sl-paper .sl-cut{color:#4a4a4a;font-style:italic}",
        ".sl-paper mark.hl.st-confirmed,.sl-paper mark.hl.st-relabelled,"
        ".sl-paper mark.hl.st-added{border-bottom:2px solid #1b5e20}",
        f".sl-paper mark.hl.st-dismissed{decided}{{background:transparent;box-shadow:none;"
        "color:#4f4f4f;text-decoration:line-through 1px #8a8a8a}",
        ".sl-paper mark.hl.sel{outline:2px solid #b71c1c;outline-offset:1px}",
    ]
    for category in HIGHLIGHT_PRIORITY:
        line = CATEGORY_LINE_COLOURS.get(category, "#555555")
        fill = CATEGORY_COLOURS[category]
        rules.append(
            f".sl-paper mark.hl-{category}.lvl-sentence{{box-shadow:inset 0 -3px 0 {line}}}"
        )
        rules.append(f".sl-paper mark.hl-{category}.lvl-phrase{{background:{fill}}}")
    rules.append(
        ".sl-paper .sl-hide{display:none}"
        ".sl-formatted{white-space:normal}.sl-formatted .sl-h{color:#1b1b1b;margin:.8em 0 .3em;"
        "line-height:1.3}.sl-formatted .sl-p{margin:.4em 0;white-space:pre-wrap}"
        ".sl-formatted .sl-li{display:list-item;list-style:disc;margin:.15em 0;"
        "white-space:pre-wrap}.sl-formatted .sl-tr{font-family:ui-monospace,monospace;"
        "font-size:13px;border-bottom:1px solid #d0d0d0;padding:2px 0;white-space:pre-wrap}"
    )
    rules.append(
        ".sl-legend{font-size:13px;color:#1b1b1b;background:#ffffff;padding:4px 8px;"
        "border-radius:6px;margin-bottom:6px;display:flex;flex-wrap:wrap;gap:6px 14px}"
    )
    rules.append(
        ".sl-prompt{position:sticky;top:0;z-index:2;background:#fff8e1;color:#1b1b1b;"
        "border:1px solid #b58100;border-radius:6px;padding:6px 10px;margin-bottom:6px;"
        "font-size:14px}"
    )
    return "\n".join(rules)


def viewer_legend_html() -> str:
    """What the viewer's marks mean: fill, underline, review states (fixed strings)."""
    line = CATEGORY_LINE_COLOURS
    parts = [
        f'<span style="background:{CATEGORY_COLOURS["ambiguity"]}">ambiguous phrase</span>',
        *(
            f'<span style="box-shadow:inset 0 -3px 0 {line[c]}">{escape(c)}</span>'
            for c in ("commitment", "exclusion", "assumption", "estimate")
        ),
        '<span style="border-bottom:2px solid #1b5e20">confirmed</span>',
        '<span style="text-decoration:line-through 1px #8a8a8a;color:#4f4f4f">dismissed</span>',
        '<span style="outline:2px solid #b71c1c">selected</span>',
        "<span>keys: J/K next/previous · N next open · [ ] other document · Y confirm · "
        "X dismiss (then 1–6 reason) · R relabel · U undo · ? help</span>",
    ]
    return '<div class="sl-legend">' + "".join(parts) + "</div>"


def passage_html(finding: Finding, scope: str = "sl-passage") -> str:
    """The finding's sentence with its phrase highlighted (escaped HTML), for the detail view."""
    sentence = finding.sentence or finding.text or ""
    if not sentence:
        return ""
    start = finding.sentence_start
    local: list[Finding] = []
    if start is not None and finding.start is not None and finding.end is not None:
        a, b = finding.start - start, finding.end - start
        if 0 <= a < b <= len(sentence):
            local = [replace(finding, start=a, end=b)]
    elif finding.text and finding.text in sentence:
        a = sentence.index(finding.text)
        local = [replace(finding, start=a, end=a + len(finding.text))]
    css = highlight_css(scope).replace("max-height:42rem;", "")
    return f'<style>{css}</style><div class="{scope}">{highlight_text(sentence, local)}</div>'


def selection_html(text: str, start: int, end: int, context: int = 80) -> str:
    """Text the reviewer selected in the viewer, marked inside its context (escaped HTML)."""
    lo, hi = max(0, start - context), min(len(text), end + context)
    return (
        '<div class="sl-selection" style="white-space:pre-wrap;color:#1b1b1b;background:#fff;'
        'border:1px solid #b8b8b8;border-radius:6px;padding:6px 10px">'
        f"{'…' if lo else ''}{escape(text[lo:start])}"
        f'<mark style="background:#ffe08a;color:#1b1b1b">{escape(text[start:end])}</mark>'
        f"{escape(text[end:hi])}{'…' if hi < len(text) else ''}</div>"
    )


# ---------------------------------------------------------------------------------------------
# Small escaped HTML pieces and rows for the review page
# ---------------------------------------------------------------------------------------------


def _chip(category: str, text: str) -> str:
    colour = CATEGORY_COLOURS.get(category, FALLBACK_COLOUR)
    return (
        f'<span style="background:{colour};color:#1b1b1b;padding:.05rem .5rem;border-radius:.7rem;'
        f'margin:0 .3rem .3rem 0;display:inline-block;font-size:.9rem">{escape(text)}</span>'
    )


def counts_html(by_category: dict[str, int]) -> str:
    """Category chips with counts ("ambiguity 7"), or a note when there are no findings."""
    if not by_category:
        return "<div><em>No findings.</em></div>"
    return "<div>" + "".join(_chip(c, f"{c} {n}") for c, n in by_category.items()) + "</div>"


# Status words on their own light chip: readable on the light and the dark theme alike (plain
# red or green text on the dark background fell under 4.5:1).
_MISSING_STYLE = (
    "background:#ffb3b3;color:#1b1b1b;font-weight:600;padding:0 .35rem;border-radius:.4rem"
)
_STATUS_PRESENT = (
    '<span style="background:#c6f0c2;color:#1b1b1b;font-weight:600;padding:0 .35rem;'
    'border-radius:.4rem">present</span>'
)
_STATUS_MISSING = f'<span style="{_MISSING_STYLE}">missing</span>'


def safeguards_html(safeguards: Sequence[SafeguardCheck]) -> str:
    """A table of the document-level checks: status, summary and evidence (all escaped)."""
    if not safeguards:
        return "<p><em>No document-level checks in this analysis.</em></p>"
    rows = []
    for check in safeguards:
        status = _STATUS_PRESENT if check.present else _STATUS_MISSING
        evidence = "".join(f"<li>{escape(e)}</li>" for e in check.details)
        detail = escape(check.summary) + (
            f"<ul style='margin:0'>{evidence}</ul>" if evidence else ""
        )
        rows.append(
            f"<tr><td>{escape(check_label(check.check_id))}</td><td>{status}</td>"
            f"<td>{detail}</td></tr>"
        )
    style = "border-collapse:collapse;width:100%;font-size:.9rem"
    cell = "th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    return (
        f"<style>.sl-safe {cell.replace(',td', ',.sl-safe td')}</style>"
        f'<table class="sl-safe" style="{style}"><thead><tr><th>Safeguard</th><th>Status</th>'
        f"<th>Summary and evidence</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def finding_detail_html(item: ReviewedFinding) -> str:
    """The detail card of a finding: label, where, why, suggested rewrite, source, state."""
    f = item.finding
    rows: list[tuple[str, str]] = [
        ("Label", _chip(f.category, f"{f.category} / {f.type}") + escape(f.severity)),
    ]
    if item.original is not f and (
        item.original.category,
        item.original.type,
        item.original.severity,
    ) != (f.category, f.type, f.severity):
        o = item.original
        rows.append(("Detected as", escape(f"{o.category} / {o.type} ({o.severity})")))
    where = []
    if f.page is not None:
        where.append(f"page {f.page}")
    if f.section:
        where.append(f"section {f.section}")
    if f.start is None:
        where.append("whole document")
    elif f.end is not None:
        where.append(f"characters {f.start}–{f.end}")
    rows.append(("Where", escape(", ".join(where))))
    if f.text and f.start is not None:
        rows.append(("Passage", f"<strong>{escape(f.text)}</strong>"))
    if f.explanation:
        rows.append(("Why", escape(f.explanation)))
    if f.suggestion:
        rows.append(("Suggested rewrite", escape(f.suggestion)))
    rows.append(("Source", f"<code>{escape(f.source)}</code> · confidence {f.confidence:.2f}"))
    state = escape(item.state)
    if item.decision is not None:
        d = item.decision
        state += escape(f" by {d.reviewer} at {d.created_at}")
        if d.reason:
            state += escape(f" — {d.reason}")
        if d.comment:
            state += f"<br><em>{escape(d.comment)}</em>"
    rows.append(("Review", state))
    body = "".join(
        f'<tr><th style="text-align:left;vertical-align:top;padding-right:.8rem;'
        f'white-space:nowrap">{k}</th><td style="overflow-wrap:anywhere">{v}</td></tr>'
        for k, v in rows
    )
    return f'<table style="font-size:.92rem;border-collapse:collapse">{body}</table>'


def history_rows(history: Iterable[Annotation]) -> list[dict[str, Any]]:
    """A finding's decision history, oldest first, for a table."""
    return [
        {
            "when": a.created_at,
            "reviewer": a.reviewer,
            "decision": a.decision,
            "label": f"{a.new_category}/{a.new_type}" if a.new_category else "",
            "severity": a.new_severity or "",
            "reason": a.reason or "",
            "comment": a.comment or "",
        }
        for a in history
    ]


def sentence_label(start: int, sentence: str, width: int = 90) -> str:
    """A sentence (starting at offset `start`) shortened for a picker (plain text)."""
    text = " ".join(sentence.split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    return f"@{start}: {text}"


def summary_html(name: str, kind: str | None, pages: int | None, summary: RiskSummary) -> str:
    """The summary panel: file, risk score, counts by category and risk drivers (escaped)."""
    score = "–" if summary.risk_score is None else str(summary.risk_score)
    facts = " · ".join(
        p
        for p in (
            kind or "",
            f"{pages} pages" if pages else "",
            f"{len(summary.missing)} missing safeguards",
        )
        if p
    )
    drivers = "".join(f"<li>{escape(d)}</li>" for d in summary.drivers)
    missing = "".join(
        f'<li><span style="{_MISSING_STYLE}">Missing '
        f"{escape(check_label(s.check_id).lower())}</span>: {escape(s.summary)}</li>"
        for s in summary.missing
    )
    return (
        '<div style="display:flex;gap:1.5rem;align-items:flex-start;flex-wrap:wrap">'
        '<div style="min-width:8rem"><div style="font-size:.85rem;opacity:.8">Risk score</div>'
        f'<div style="font-size:2.2rem;font-weight:700;line-height:1.1">{escape(score)}'
        '<span style="font-size:1rem;opacity:.8"> / 100</span></div></div>'
        f'<div style="flex:1;min-width:16rem"><div style="font-weight:600;'
        f'overflow-wrap:anywhere">{escape(name)}</div>'
        f'<div style="font-size:.85rem;opacity:.8;margin-bottom:.3rem">{escape(facts)}</div>'
        f"{counts_html(summary.by_category)}"
        f'<ul style="margin:.3rem 0 0 1.1rem;padding:0;font-size:.9rem">{drivers}</ul>'
        + (
            f'<ul style="margin:.3rem 0 0 1.1rem;padding:0;font-size:.9rem">{missing}</ul>'
            if missing
            else ""
        )
        + "</div></div>"
    )
