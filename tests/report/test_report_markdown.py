"""Tests for analyzer.report.markdown: escaping untrusted text and the report layout."""

from __future__ import annotations

import html
import re

import pytest
from report_helpers import error_report, make_document_report, make_report

from analyzer.report import escape_markdown, to_markdown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("![img](http://x/onerror=)", "!\\[img\\](http://x/onerror=)"),
        ("*bold*", "\\*bold\\*"),
        ("| pipes |", "\\| pipes \\|"),
        ("a_b `code` ~~del~~ $x$ #1", "a\\_b \\`code\\` \\~\\~del\\~\\~ \\$x\\$ \\#1"),
        ("AT&T <b>", "AT&amp;T &lt;b&gt;"),
        ("- item", "\\- item"),
        ("1. first", "1\\. first"),
        ("2) second", "2\\) second"),
        ("{: .evil onclick=x}", "\\{: .evil onclick=x\\}"),
        ("line one\n\n# heading\r\n", "line one \\# heading"),
        ("back\\slash", "back\\\\slash"),
        ("", ""),
        (None, ""),
    ],
)
def test_report_markdown_escape(text: str | None, expected: str) -> None:
    assert escape_markdown(text) == expected


UNTRUSTED = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "![img](http://x/onerror=)",
    "*bold*",
    "| pipes |",
    "<http://evil.example>",
    "__under__ ~~strike~~ `code`",
]


@pytest.mark.parametrize("text", UNTRUSTED)
def test_report_markdown_escape_leaves_no_active_syntax(text: str) -> None:
    escaped = escape_markdown(text)
    assert "<" not in escaped and ">" not in escaped
    active = [c for i, c in enumerate(escaped) if c in "*_|[]`~" and escaped[i - 1] != "\\"]
    assert active == []


def _render(markdown: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark", {"html": True})
    return str(md.enable("table").enable("strikethrough").render(markdown))


def _tag_names(page: str) -> set[str]:
    return set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", page))


@pytest.mark.parametrize("text", UNTRUSTED)
@pytest.mark.parametrize("prefix", ["", "- ", "| a | ", "1. "])
def test_report_markdown_escape_renders_as_literal_text(text: str, prefix: str) -> None:
    rendered = _render(prefix + escape_markdown(text))
    assert _tag_names(rendered) <= {"p", "ul", "ol", "li"}
    assert text in html.unescape(re.sub(r"<[^>]+>", "", rendered))


def test_report_markdown_report_renders_without_injected_markup() -> None:
    rendered = _render(to_markdown(make_report(make_document_report(), error_report())))
    allowed = {"h1", "h2", "h3", "h4", "p", "strong", "ul", "ol", "li"}
    allowed |= {"table", "thead", "tbody", "tr", "th", "td"}
    assert _tag_names(rendered) <= allowed
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "proposals/&lt;b&gt;acme&lt;/b&gt;.txt" in rendered


def test_report_markdown_document_text_is_escaped() -> None:
    output = to_markdown(make_report())
    for raw in ("<script>", "<img", "<b>", "<i>"):
        assert raw not in output
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in output
    assert "proposals/&lt;b&gt;acme&lt;/b&gt;.txt" in output
    assert "section 3 Scope &lt;i&gt;of&lt;/i&gt; work" in output


def test_report_markdown_summary_and_findings() -> None:
    output = to_markdown(make_report())
    assert output.startswith("# ScopeLens report\n")
    assert "**Risk score: 42 / 100**" in output
    assert "- 1 missing safeguard: acceptance" in output
    assert "| Ambiguity | 2 |" in output
    assert "| Exclusions | present | section '&lt;b&gt;7 Exclusions&lt;/b&gt;' (2 items) |" in (
        output
    )
    assert "| Acceptance | **missing** | No acceptance criteria" in output
    assert "#### Ambiguity (2)" in output
    assert "#### Missing (1)" in output
    assert output.index("#### Ambiguity") < output.index("#### Commitment")
    assert "1. **High · unbounded** — page 2, section 3 Scope" in output
    assert "   - Text: “all necessary”" in output
    assert "   - Why: Why unbounded matters." in output
    assert "   - Suggestion: Fix the unbounded." in output
    assert "1. **High · missing acceptance** — whole document" in output


def test_report_markdown_error_document() -> None:
    output = to_markdown(make_report(error_report()))
    assert "**Status:** error" in output
    assert "**Error:** The file is damaged &lt;b&gt;or&lt;/b&gt; not a PDF" in output
    assert "### Findings" not in output


def test_report_markdown_without_findings() -> None:
    output = to_markdown(make_report(make_document_report(text="Fine.", findings=[])))
    assert "No findings." in output
    assert "### Findings" not in output


@pytest.mark.parametrize("text", UNTRUSTED)
def test_report_markdown_escape_keeps_table_cells_intact(text: str) -> None:
    rendered = _render(f"| a | b |\n|---|---|\n| {escape_markdown(text)} | c |\n")
    assert rendered.count("<td>") == 2
    assert text in html.unescape(rendered)


def test_report_markdown_missing_estimate_basis_says_the_count_once() -> None:
    from analyzer.analyze import Analyzer
    from analyzer.report import to_html
    from analyzer.types import Report

    analyzer = Analyzer(model_dir=None)
    document = analyzer.analyze_text(
        "# Plan\n\nWe will migrate the CRM.\n\n# Budget\n\n"
        "The migration is estimated at 120 person-days.\n",
        "plan.md",
    )
    report = Report(analyzer.tool, [document])
    lines = to_markdown(report).splitlines()
    [row] = [line for line in lines if line.startswith("| Estimate basis")]
    assert "| **missing** | Estimates given, but no assumption explains them: 1 estimate" in row
    assert row.count("1 estimate") == 1
    assert to_html(report).count("1 estimate (first") == 1
