"""Tests for analyzer.report.html: escaping, highlights with overlaps, self-containment."""

from __future__ import annotations

import html
import random
import re
from html.parser import HTMLParser

import pytest
from report_helpers import (
    EVIL_TEXT,
    error_report,
    make_document_report,
    make_report,
    span_finding,
)

from analyzer.report import to_html
from analyzer.report.colours import CATEGORY_COLOURS
from analyzer.report.html import FILTER_SCRIPT, highlight_text, script_hash
from analyzer.types import Finding, finding_id

OUR_SCRIPT = f"<script>{FILTER_SCRIPT}</script>"


class _Tags(HTMLParser):
    """Collects every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _span(start: int, end: int, category: str = "ambiguity", type_: str = "vague_term") -> Finding:
    return Finding(
        id=finding_id("t.txt", category, type_, start, end),
        category=category,
        type=type_,
        severity="medium",
        start=start,
        end=end,
        text=None,
        sentence=None,
        page=None,
        section=None,
        explanation="",
        suggestion="",
        source="rule:x",
    )


def _without_our_script(page: str) -> str:
    """The page with our one filter script removed (it must be there exactly once)."""
    assert page.count(OUR_SCRIPT) == 1
    return page.replace(OUR_SCRIPT, "")


def test_report_html_escapes_everything_from_the_document() -> None:
    page = _without_our_script(to_html(make_report()))
    assert "<script" not in page and "</script>" not in page
    assert "<img" not in page
    assert "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "proposals/&lt;b&gt;acme&lt;/b&gt;.txt" in page
    assert "3 Scope &lt;i&gt;of&lt;/i&gt; work" in page
    tags = _tags(page)
    assert {t for t, _ in tags}.isdisjoint({"script", "img", "iframe", "object", "b", "i"})
    assert not [a for _, attrs in tags for a in attrs if a.startswith("on")]


def test_report_html_escapes_script_and_onerror_in_file_names_of_a_batch() -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(2)>.txt'
    page = _without_our_script(
        to_html(make_report(make_document_report(path=evil), make_document_report()))
    )
    assert "<script" not in page and "<img" not in page
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
        in page
    )
    assert not [a for _, attrs in _tags(page) for a in attrs if a.startswith("on")]


def test_report_html_csp_allows_only_our_script_by_hash() -> None:
    page = to_html(make_report())
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    policy = html.unescape(csp.group(1))
    assert f"script-src {script_hash(FILTER_SCRIPT)}" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1]
    assert "default-src 'none'" in policy
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    assert scripts == [FILTER_SCRIPT]
    # The script only toggles classes on <body>; it never writes HTML.
    assert "innerHTML" not in FILTER_SCRIPT and "document.write" not in FILTER_SCRIPT


def test_report_html_filters_toggle_rows_by_category_and_severity() -> None:
    page = to_html(make_report())
    assert '<form id="filters" class="filters" hidden>' in page
    assert 'data-filter="cat-ambiguity"' in page and 'data-filter="sev-high"' in page
    assert '.hide-cat-ambiguity tr[data-category="ambiguity"]{display:none}' in page
    assert '.hide-sev-info tr[data-severity="info"]{display:none}' in page
    rows = re.findall(r'<tr[^>]*data-category="([a-z_-]+)" data-severity="([a-z_-]+)"', page)
    assert ("ambiguity", "high") in rows and ("missing", "high") in rows


def test_report_html_without_findings_has_no_script() -> None:
    page = to_html(make_report(make_document_report(text="Plain text only.", findings=[])))
    assert "<script" not in page and "script-src" not in page
    assert 'id="filters"' not in page


def test_report_html_is_printable_and_explains_the_score() -> None:
    page = to_html(make_report())
    assert "@media print{" in page
    assert ".filters{display:none}" in page.split("@media print", 1)[1]
    assert '<section class="scorenote" id="risk-score">' in page
    assert 'href="#risk-score"' in page
    assert "exp(−points / 80)" in page and "analyzer/scoring.md" in page


def test_report_html_is_self_contained() -> None:
    page = _without_our_script(to_html(make_report()))
    tags = _tags(page)
    assert not [t for t, _ in tags if t in ("script", "link", "img", "iframe")]
    assert not [a for _, attrs in tags for k, a in attrs.items() if k == "src"]
    assert "Content-Security-Policy" in page
    assert page.startswith("<!DOCTYPE html>")


def test_report_html_colours_defined_once_for_every_category() -> None:
    page = to_html(make_report())
    for category, colour in CATEGORY_COLOURS.items():
        rule = f".hl-{category},.chip-{category}{{background:{colour}}}"
        assert page.count(rule) == 1
        # The fallback rule must not out-rank the category colours (same specificity, earlier).
        assert page.index(".hl{") < page.index(rule)
    assert "mark.hl" not in page


def test_report_html_nested_phrase_in_sentence_combines_classes() -> None:
    text = "Intro. The vendor will provide all necessary support. Outro."
    sentence = "The vendor will provide all necessary support."
    findings = [
        span_finding(text, sentence, "commitment", "deliverable"),
        span_finding(text, "all necessary", "ambiguity", "unbounded"),
    ]
    fragment = highlight_text(text, findings)
    marks = re.findall(r'<mark class="([^"]+)"[^>]*>([^<]*)</mark>', fragment)
    assert marks == [
        ("hl hl-commitment", "The vendor will provide "),
        ("hl hl-commitment hl-ambiguity hl-under-commitment", "all necessary"),
        ("hl hl-commitment", " support."),
    ]
    assert _plain(fragment) == text


def test_report_html_crossing_spans_split_at_every_boundary() -> None:
    text = "abcdefghij"
    fragment = highlight_text(text, [_span(1, 6, "commitment", "deliverable"), _span(4, 9)])
    marks = re.findall(r'<mark class="([^"]+)"[^>]*>([^<]*)</mark>', fragment)
    assert marks == [
        ("hl hl-commitment", "bcd"),
        ("hl hl-commitment hl-ambiguity hl-under-commitment", "ef"),
        ("hl hl-ambiguity", "ghi"),
    ]
    assert fragment.startswith("a<mark") and fragment.endswith("</mark>j")


@pytest.mark.parametrize("seed", range(20))
def test_report_html_highlight_keeps_the_text(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice("ab <>&\"'\n") for _ in range(60))
    categories = list(CATEGORY_COLOURS)
    findings = []
    for _ in range(rng.randint(0, 8)):
        start = rng.randint(-3, 62)
        findings.append(_span(start, start + rng.randint(-2, 20), rng.choice(categories)))
    fragment = highlight_text(text, findings)
    assert _plain(fragment) == text
    assert fragment.count("<mark") == fragment.count("</mark>")


def test_report_html_ignores_spans_outside_the_text() -> None:
    assert highlight_text("short", [_span(2, 99), _span(4, 4), _span(-1, 2)]) == "short"


def test_report_html_highlight_escapes_the_marked_text() -> None:
    text = "x <script>alert(1)</script> y"
    fragment = highlight_text(text, [_span(2, 27, "ambiguity", "placeholder")])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</mark>" in fragment
    assert "<script>" not in fragment


def test_report_html_without_document_text_renders_findings_only() -> None:
    page = to_html(make_report(make_document_report(with_document=False)))
    assert 'class="doctext"' not in page
    assert "<mark" not in page
    assert "only the findings are shown" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # in the findings table, escaped
    assert "<script" not in _without_our_script(page)


def test_report_html_summary_safeguards_and_findings_table() -> None:
    page = to_html(make_report())
    assert '<span class="score">42</span> / 100' in page
    assert '<span class="present">present</span>' in page
    assert '<span class="absent">missing</span>' in page
    assert "No acceptance criteria or acceptance procedure found" in page
    assert page.count('class="missing-row"') == 1
    assert "Why unbounded matters." in page and "Fix the unbounded." in page
    assert 'href="#t-' in page  # findings link to their highlight
    assert EVIL_TEXT not in page


def test_report_html_error_document() -> None:
    page = to_html(make_report(error_report("<b>broken</b>.pdf")))
    assert "Error: The file is damaged &lt;b&gt;or&lt;/b&gt; not a PDF" in page
    assert "&lt;b&gt;broken&lt;/b&gt;.pdf" in page
    assert "<b>" not in page
