"""HTML writer: one self-contained, printable page (inline CSS, no external resources).

Per document: a summary table, the safeguards, the document text with every finding
highlighted from its character offsets, and a findings table. Overlapping findings (a vague
phrase inside a commitment sentence) are drawn by cutting the text at every span boundary and
giving each piece the classes of all findings covering it. A batch of several documents opens
with the portfolio (`analyzer.report.portfolio`): documents ranked by risk, the phrases and
rules that fire most, and which documents lack which safeguards.

Everything from a document — text, file name, sections, evidence, errors — is escaped with
`html.escape`. The page carries one small inline script of our own (`FILTER_SCRIPT`): it only
toggles CSS classes on `<body>` when a filter checkbox changes, and the stylesheet hides the
matching findings rows. The Content-Security-Policy allows exactly that script by its sha256
hash, so no script that found its way into the page from a document could run.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from html import escape
from itertools import pairwise

from analyzer.report.colours import CATEGORY_COLOURS, FALLBACK_COLOUR, HIGHLIGHT_PRIORITY
from analyzer.report.common import (
    SEVERITY_ORDER,
    category_label,
    category_order,
    check_label,
    finding_sort_key,
    location,
)
from analyzer.report.portfolio import Portfolio, build_portfolio
from analyzer.scoring import explain_score
from analyzer.types import DocumentReport, Finding, Report

_TOKEN_RE = re.compile(r"[^a-z0-9_-]")
_ID_RE = re.compile(r"[^A-Za-z0-9_-]")

FILTER_SCRIPT = (
    "(function(){var f=document.getElementById('filters');if(!f){return;}f.hidden=false;"
    "f.addEventListener('change',function(e){var t=e.target;"
    "var k=t&&t.getAttribute?t.getAttribute('data-filter'):null;"
    "if(k&&/^(cat|sev)-[a-z0-9_-]+$/.test(k)){document.body.classList.toggle('hide-'+k,!t.checked);}"
    "});})();"
)
"""The page's only script: show the filter bar, and on a checkbox change toggle the class
`hide-cat-<category>` / `hide-sev-<severity>` on `<body>`. It reads nothing from the document
and writes no HTML; the stylesheet does the hiding."""


def script_hash(script: str) -> str:
    """The CSP source expression allowing exactly `script`: "'sha256-<base64>'"."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(script: str | None = None) -> str:
    """The page's CSP: nothing external, inline styles, and at most one script by its hash."""
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    policy += "form-action 'none'"
    if script is not None:
        policy += f"; script-src {script_hash(script)}"
    return policy


def escape_html(text: object) -> str:
    """`text` (None gives "") escaped for HTML text and attribute values."""
    return escape("" if text is None else str(text), quote=True)


_esc = escape_html


def html_id(text: str) -> str:
    """`text` reduced to the characters safe in an HTML id or class (letters, digits, _ -)."""
    return _ID_RE.sub("", text)


def _css_token(category: str) -> str:
    """A category as a safe CSS class suffix (categories loaded from JSON are untrusted)."""
    return _TOKEN_RE.sub("", category.lower()) or "unknown"


def _anchor(prefix: str, number: int, finding: Finding) -> str:
    return f"{prefix}{number}-{html_id(finding.id)[:32]}"


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
        ".filters{position:sticky;top:0;background:#fff;border:1px solid #ddd;padding:.4rem .6rem;"
        "margin:1rem 0;z-index:1;font-size:.9rem}.filters label{margin-right:.7rem;"
        "white-space:nowrap}.filters fieldset{border:0;display:inline;margin:0;padding:0}"
        ".filters legend{display:inline;font-weight:600;margin-right:.4rem;float:left}",
        ".scorenote{font-size:.88rem;color:#444;margin-top:2.5rem;border-top:1px solid #ddd}"
        ".scorenote li{margin:.15rem 0}",
        ".overview{display:grid;grid-template-columns:repeat(auto-fit,minmax(26rem,1fr));"
        "gap:0 1.5rem;align-items:start}.overview>div{min-width:0}.overview table.facts{width:100%}"
        ".facts code{word-break:break-all}"
        ".overview h3{margin-top:.5rem}",
        "table.portfolio td.num,table.portfolio th.num{text-align:right}table.compact{width:auto}",
        ".gap{color:#c62828;font-weight:600}.ok{color:#1a7f37}",
        "@media print{body{margin:0;max-width:none;font-size:10pt}.filters{display:none}"
        ".doctext{max-height:none;overflow:visible;border:0;padding:0}"
        "tr,mark,li{break-inside:avoid}section.document+section.document{break-before:page}"
        "thead{display:table-header-group}"
        "a{color:inherit;text-decoration:none}"
        "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}",
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


def highlight_text(
    text: str,
    findings: Iterable[Finding],
    *,
    offset: int | None = None,
    classes_of: Callable[[Finding], Iterable[str]] | None = None,
    hidden: Iterable[tuple[int, int]] = (),
) -> str:
    """Escaped `text` with each finding's span wrapped in `<mark>`, overlaps combined.

    The text is cut at every span start and end; each piece covered by one or more findings
    becomes one `<mark class="hl hl-<category> …">` listing all their categories (and, where
    categories differ, an underline in the colour of the lowest-priority one). Spans outside
    the text or empty are ignored.

    Args:
        text: The document text the offsets point into.
        findings: Findings; those without offsets are skipped.
        offset: When given, every piece (marked or not) carries `data-o`, its start in the
            document (`offset` + its start in `text`), and pieces where a finding begins get
            the class `hl-start`: the review app maps a text selection back to offsets.
        classes_of: Extra CSS classes for a piece, per finding covering it (e.g. the review
            state); class names are reduced to letters, digits, `_` and `-`.
        hidden: Spans of `text` (markup such as Markdown `**`) that become pieces of their own
            with the class `sl-hide`, so a view can hide them and offsets stay exact.

    Returns:
        HTML (no enclosing element).
    """
    spans = [
        (f.start, f.end, i, f)
        for i, f in enumerate(findings)
        if f.start is not None and f.end is not None and 0 <= f.start < f.end <= len(text)
    ]
    hide = [(a, b) for a, b in hidden if 0 <= a < b <= len(text)]
    if not spans and offset is None and not hide:
        return _esc(text)
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    by_index: dict[int, Finding] = {}
    for start, end, i, finding in spans:
        starts.setdefault(start, []).append(i)
        ends.setdefault(end, []).append(i)
        by_index[i] = finding
    hidden_at = {a: b for a, b in hide}
    bounds = sorted({0, len(text), *starts, *ends, *(x for span in hide for x in span)})
    hiding_until = -1
    active: set[int] = set()
    anchored: set[int] = set()
    out: list[str] = []
    for a, b in pairwise(bounds):
        active.difference_update(ends.get(a, ()))
        active.update(starts.get(a, ()))
        piece = _esc(text[a:b])
        where = "" if offset is None else f' data-o="{offset + a}"'
        hiding_until = max(hiding_until, hidden_at.get(a, -1))
        hide_class = " sl-hide" if b <= hiding_until else ""
        if not active:
            if hide_class:
                out.append(f'<span class="sl-hide"{where}>{piece}</span>')
            else:
                out.append(piece if offset is None else f"<span{where}>{piece}</span>")
            continue
        covering = [by_index[i] for i in sorted(active)]
        categories = sorted(
            {_css_token(f.category) for f in covering}, key=lambda c: (_priority(c), c)
        )
        classes = ["hl", *(f"hl-{c}" for c in categories)]
        if len(categories) > 1:
            classes.append(f"hl-under-{categories[0]}")
        if classes_of is not None:
            extra = {html_id(c) for f in covering for c in classes_of(f)}
            classes.extend(sorted(c for c in extra if c))
        if offset is not None and starts.get(a):
            classes.append("hl-start")
        if hide_class:
            classes.append("sl-hide")
        labels = sorted({f"{f.category}/{f.type} ({f.severity})" for f in covering})
        ids = " ".join(sorted({html_id(f.id) for f in covering}))
        anchor = ""
        new = sorted(i for i in active if i not in anchored)
        if new:
            anchored.update(new)
            anchor = f' id="t-{_esc(html_id(by_index[new[0]].id))}"'
        out.append(
            f'<mark class="{" ".join(classes)}"{anchor}{where} data-ids="{_esc(ids)}" '
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
            rows.append(
                (
                    "Risk score",
                    f'<span class="score">{_esc(int(score))}</span> / 100 '
                    '<small>(<a href="#risk-score">how it is computed</a>)</small>',
                )
            )
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
        evidence = "".join(f"<li>{_esc(e)}</li>" for e in check.details)
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
            text = f'<a href="#t-{_esc(html_id(finding.id))}">{text}</a>'
        sentence = ""
        if finding.sentence and finding.sentence != finding.text:
            sentence = f"<br><small>{_esc(finding.sentence)}</small>"
        row_class = ' class="missing-row"' if finding.category == "missing" else ""
        row_class += f' data-category="{token}" data-severity="{_css_token(finding.severity)}"'
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
    parts = [
        f'<section class="document" id="{document_anchor(doc.path)}">'
        f"<h2>{number}. {_esc(doc.path)}</h2>"
    ]
    if doc.status != "ok":
        parts.append(_facts_table(doc))
        parts.append(f'<p class="error">Error: {_esc(doc.error or "unknown error")}</p>')
        parts.append("</section>")
        return "".join(parts)
    parts.append(
        f'<div class="overview"><div><h3>Summary</h3>{_facts_table(doc)}</div>'
        f"<div>{_safeguards_table(doc)}</div></div>"
    )
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


def _filter_css(categories: Iterable[str], severities: Iterable[str]) -> str:
    rules = [
        f'.hide-cat-{c} tr[data-category="{c}"]{{display:none}}' for c in sorted(set(categories))
    ]
    rules += [
        f'.hide-sev-{s} tr[data-severity="{s}"]{{display:none}}' for s in sorted(set(severities))
    ]
    return "\n".join(rules)


def _filters_html(categories: set[str], severities: set[str]) -> str:
    """The filter bar; `hidden` until the script runs, so no dead controls without scripts."""

    def box(prefix: str, token: str, label: str) -> str:
        return (
            f'<label><input type="checkbox" checked data-filter="{prefix}-{token}"> '
            f"{_esc(label)}</label>"
        )

    cats = "".join(box("cat", c, category_label(c)) for c in category_order(categories))
    sevs = "".join(
        box("sev", s, s.capitalize())
        for s in sorted(severities, key=lambda s: (SEVERITY_ORDER.get(s, 9), s))
    )
    return (
        '<form id="filters" class="filters" hidden>'
        f"<fieldset><legend>Show categories</legend>{cats}</fieldset> · "
        f"<fieldset><legend>Severities</legend>{sevs}</fieldset></form>"
    )


def score_note_html() -> str:
    """The "how the risk score is computed" note (from `analyzer.scoring.explain_score`)."""
    items = "".join(f"<li>{_esc(line)}</li>" for line in explain_score())
    return (
        '<section class="scorenote" id="risk-score"><h3>How the risk score is computed</h3>'
        f"<ul>{items}</ul></section>"
    )


def _simple_table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: int = 0) -> str:
    """A compact table; the last `numeric` columns are right-aligned. Cells are trusted HTML."""
    cut = len(header) - numeric

    def cell(tag: str, i: int, value: str) -> str:
        return f"<{tag} class='num'>{value}</{tag}>" if i >= cut else f"<{tag}>{value}</{tag}>"

    head = "".join(cell("th", i, _esc(h)) for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return (
        f"<table class='portfolio compact'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def document_anchor(path: str) -> str:
    """The id of a document's section, which the portfolio rows link to."""
    return "doc-" + hashlib.sha1(path.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def _portfolio_rows(portfolio: Portfolio) -> str:
    checks = portfolio.check_ids
    rows = []
    for row in portfolio.rows:
        head = (
            f'<td class="num">{row.rank}</td>'
            f'<td><a href="#{document_anchor(row.path)}">{_esc(row.path)}</a></td>'
        )
        if row.status != "ok":
            rows.append(
                f'<tr>{head}<td colspan="{3 + len(checks)}" class="error">error: '
                f"{_esc(row.error)}</td></tr>"
            )
            continue
        gaps = "".join(
            '<td class="gap">missing</td>' if c in row.missing else '<td class="ok">✓</td>'
            for c in checks
        )
        counts = ", ".join(
            f"{category_label(c)} {n}" for c, n in row.by_category if n and c != "missing"
        )
        rows.append(
            f'<tr>{head}<td class="num"><span class="score">{_esc(row.risk_score)}</span></td>'
            f'<td class="num">{row.findings}</td><td><small>{_esc(counts or "–")}</small>'
            f"<br><small>{_esc(row.top_driver)}</small></td>{gaps}</tr>"
        )
    header = "".join(f"<th>{_esc(check_label(c))}</th>" for c in checks)
    return (
        '<table class="portfolio"><thead><tr><th class="num">#</th><th>Document</th>'
        '<th class="num">Risk</th><th class="num">Findings</th><th>Counts · top driver</th>'
        f"{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def portfolio_html(portfolio: Portfolio) -> str:
    """The portfolio section of a batch report.

    Args:
        portfolio: From `build_portfolio`.

    Returns:
        A `<section class="portfolio">` fragment: documents ranked by risk score, the
        safeguards each lacks, the phrases and rules that fire most, and (for documents in
        more than one folder) the same per folder, so a PMO sees which team or template
        creates a gap.
    """
    checks = portfolio.check_ids
    parts = [
        '<section class="portfolio"><h2>Portfolio</h2>',
        f"<p>{portfolio.documents_ok} of {len(portfolio.rows)} documents analysed, ranked by "
        'risk score (<a href="#risk-score">how it is computed</a>).</p>',
        _portfolio_rows(portfolio),
        "<h3>Which documents lack which safeguards</h3>",
        _simple_table(
            ("Safeguard", "Documents", "Lacking"),
            (
                (
                    _esc(check_label(g.check_id)),
                    _esc(", ".join(g.missing_in) or "–"),
                    f"{len(g.missing_in)} of {portfolio.documents_ok}",
                )
                for g in portfolio.gaps
            ),
            numeric=1,
        ),
    ]
    if len(portfolio.folders) > 1:
        parts.append(
            "<h3>By folder (team or template): share of documents lacking each safeguard</h3>"
        )
        parts.append(
            _simple_table(
                ("Folder", "Documents", "Mean risk", *(check_label(c) for c in checks)),
                (
                    (
                        _esc(f.folder),
                        str(f.documents),
                        str(f.mean_risk),
                        *(f"{f.missing_share.get(c, 0.0):.0%}" for c in checks),
                    )
                    for f in portfolio.folders
                ),
                numeric=2 + len(checks),
            )
        )
    if portfolio.phrases:
        parts.append("<h3>Phrases that fire most</h3>")
        parts.append(
            _simple_table(
                ("Phrase", "Type", "Findings", "Documents"),
                (
                    (
                        _esc(p.key),
                        _esc(p.type.replace("_", " ")),
                        str(p.findings),
                        str(len(p.documents)),
                    )
                    for p in portfolio.phrases
                ),
                numeric=2,
            )
        )
    if portfolio.rules:
        parts.append("<h3>Rules that fire most</h3>")
        parts.append(
            _simple_table(
                ("Rule", "Category/type", "Findings", "Documents"),
                (
                    (
                        f"<code>{_esc(r.key)}</code>",
                        _esc(f"{r.category}/{r.type}"),
                        str(r.findings),
                        str(len(r.documents)),
                    )
                    for r in portfolio.rules
                ),
                numeric=2,
            )
        )
    parts.append("</section>")
    return "".join(parts)


def html_page(title: str, body: str, *, extra_css: str = "", script: str | None = None) -> str:
    """Wrap `body` in a self-contained HTML5 page with the report stylesheet.

    Args:
        title: The page title (escaped here).
        body: Trusted HTML: built by this package with every untrusted value escaped.
        extra_css: More rules appended to the stylesheet.
        script: One inline script of our own, allowed by its hash in the CSP; None for none.

    Returns:
        The page text, ending with a newline.
    """
    tail = f"<script>{script}</script>" if script is not None else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy(script)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title>"
        f"<style>{_stylesheet()}\n{extra_css}</style></head><body>"
        f"{body}{tail}</body></html>\n"
    )


FOLD_AFTER = 3
"""Reports of more documents fold each one under its summary line (an 11-document report was
206,000 px long)."""


def _folded(doc: DocumentReport, number: int, section: str) -> str:
    """A document of a batch report folded under a one-line summary (name, risk, findings), so
    a report of many documents stays short; the portfolio's links open it."""
    score = doc.summary.get("risk_score")
    risk = f"risk {score}" if score is not None else doc.status
    return (
        f'<details class="document-fold"><summary>{number}. {_esc(doc.path)} — {_esc(risk)}, '
        f"{len(doc.findings)} finding{'s' if len(doc.findings) != 1 else ''}</summary>"
        f"{section}</details>"
    )


def to_html(report: Report) -> str:
    """The whole report as one self-contained, printable HTML page.

    Args:
        report: The scan result. With more than one document the page opens with the
            portfolio section.

    Returns:
        An HTML5 document with inline CSS and one hashed inline script (the filters).
    """
    tool = report.tool
    legend = "".join(
        f'<span class="chip chip-{c}">{_esc(category_label(c))}</span>' for c in CATEGORY_COLOURS
    )
    count = len(report.documents)
    findings = [f for d in report.documents for f in d.findings]
    categories = {_css_token(f.category) for f in findings}
    severities = {_css_token(f.severity) for f in findings}
    portfolio = portfolio_html(build_portfolio(report)) if count > 1 else ""
    sections = "".join(
        _folded(d, n, document_html(d, n)) if count > FOLD_AFTER else document_html(d, n)
        for n, d in enumerate(report.documents, start=1)
    )
    filters = _filters_html(categories, severities) if findings else ""
    body = (
        "<h1>ScopeLens report</h1>"
        f"<p>{_esc(tool.name)} {_esc(tool.version)} · model: {_esc(tool.model or 'none')} · "
        f"{count} document{'s' if count != 1 else ''}</p>"
        f"<p>Legend: {legend}</p>"
        f"{portfolio}{filters}{sections}{score_note_html()}"
    )
    return html_page(
        "ScopeLens report",
        body,
        extra_css=_filter_css(categories, severities),
        script=FILTER_SCRIPT if findings else None,
    )
