"""Tests for analyzer.report.handover_render: Markdown, HTML and DOCX from one pack."""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.table import _Row
from docx.text.paragraph import Paragraph as DocxParagraph
from markdown_it import MarkdownIt

from analyzer.errors import UsageError
from analyzer.report.handover import HandoverPack, build_pack
from analyzer.report.handover_layout import SECTIONS, Table, layout
from analyzer.report.handover_render import (
    format_for_path,
    pack_docx,
    pack_html,
    pack_markdown,
    render_pack,
)
from analyzer.types import (
    TYPES_BY_CATEGORY,
    Document,
    DocumentReport,
    Finding,
    SafeguardCheck,
    finding_id,
)


def _style(paragraph: DocxParagraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def _repeats(row: _Row) -> bool:
    """True when the table row is marked as a header row repeated on every page."""
    tr_pr = row._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None


EVIL_PATH = "deals/<b>acme</b>.txt"
PROMISE = "We will deliver <script>alert(1)</script> within 6 weeks | see [x](javascript:alert(1))."
EXCLUSION = "Hosting <img src=x onerror=alert(1)> is not included."
VAGUE = "Support *as needed*\x0b for ever."
TEXT = f"{PROMISE} {EXCLUSION} {VAGUE}"


def _finding(needle: str, category: str, type_: str, sentence: str | None = None) -> Finding:
    start = TEXT.index(needle)
    return Finding(
        id=finding_id(EVIL_PATH, category, type_, start, start + len(needle)),
        category=category,
        type=type_,
        severity="high",
        start=start,
        end=start + len(needle),
        text=needle,
        sentence=sentence or needle,
        page=3,
        section="2 Scope <i>x</i>",
        explanation="",
        suggestion="",
        source="rule:x",
    )


@pytest.fixture(scope="module")
def pack() -> HandoverPack:
    findings = [
        _finding(PROMISE, "commitment", "deadline"),
        _finding(EXCLUSION, "exclusion", "exclusion"),
        _finding("as needed", "ambiguity", "escape_clause", sentence=VAGUE),
        Finding(
            id="m1",
            category="missing",
            type="missing_change_control",
            severity="medium",
            start=None,
            end=None,
            text=None,
            sentence=None,
            page=None,
            section=None,
            explanation="No change control.",
            suggestion="",
            source="check:missing_change_control",
        ),
    ]
    report = DocumentReport(
        path=EVIL_PATH,
        sha256="0" * 64,
        kind="txt",
        pages=4,
        status="ok",
        error=None,
        text_chars=len(TEXT),
        findings=findings,
        summary={"risk_score": 51, "risk_drivers": ["1 missing safeguard: change control <b>"]},
        safeguards=[
            SafeguardCheck(t, t != "missing_change_control") for t in TYPES_BY_CATEGORY["missing"]
        ],
        document=Document(path=EVIL_PATH, kind="txt", text=TEXT, blocks=(), sha256="0" * 64),
    )
    return build_pack([report])


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _docx(pack: HandoverPack) -> docx.document.Document:
    return docx.Document(io.BytesIO(pack_docx(pack)))


def test_handover_render_markdown_has_every_section_and_escapes(pack: HandoverPack) -> None:
    text = pack_markdown(pack)
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == list(SECTIONS)
    assert text.startswith("# Handover pack: ")
    # Escaped for Markdown only (no HTML entities): the hostile text reads as written...
    assert "\\<script>alert(1)\\</script>" in text and "&lt;" not in text
    assert "\\[x\\](javascript:alert(1))" in text
    # ... and a CommonMark renderer that allows raw HTML makes no element or link of it.
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    parser = _Tags()
    parser.feed(rendered)
    tags = {t for t, _ in parser.tags}
    assert tags.isdisjoint({"script", "img", "iframe", "b", "i", "a"})
    assert not [k for _, attrs in parser.tags for k in attrs if k.startswith("on")]
    assert "<script>alert(1)</script>" in html.unescape("".join(parser.text))
    assert "6 weeks \\| see" in text  # a pipe cannot break the table row
    assert "\x0b" not in text


def test_handover_render_markdown_table_rows_have_header_width(pack: HandoverPack) -> None:
    for block in layout(pack):
        if isinstance(block, Table):
            assert all(len(row) == len(block.header) for row in block.rows)
            assert len(block.widths) == len(block.header)
    lines = [line for line in pack_markdown(pack).splitlines() if line.startswith("|")]
    for line in lines:
        # Unescaped pipes separate cells; every row of a table has as many as its header.
        assert re.sub(r"\\\|", "", line).count("|") >= 3


def test_handover_render_html_escapes_and_has_no_script(pack: HandoverPack) -> None:
    page = pack_html(pack)
    parser = _Tags()
    parser.feed(page)
    tags = {t for t, _ in parser.tags}
    assert tags.isdisjoint({"script", "img", "iframe", "b", "i"})
    assert not [k for _, attrs in parser.tags for k in attrs if k.startswith("on")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "onerror=alert(1)&gt;" in page
    assert "deals/&lt;b&gt;acme&lt;/b&gt;.txt" in page
    assert "script-src" not in page  # the CSP allows no script at all
    assert "@media print" in page
    assert [h for h in re.findall(r"<h2>([^<]+)</h2>", page)] == list(SECTIONS)


def test_handover_render_docx_headings_title_and_footer(pack: HandoverPack) -> None:
    document = _docx(pack)
    assert document.core_properties.title == pack.title
    styles = [(_style(p), p.text) for p in document.paragraphs]
    assert styles[0] == ("Title", pack.title)
    assert [t for s, t in styles if s == "Heading 1"] == list(SECTIONS)
    assert any(s == "Heading 2" for s, _ in styles)
    footer = document.sections[0].footer._element
    instructions = [f.get(qn("w:instr")) for f in footer.iter(qn("w:fldSimple"))]
    assert instructions == ["PAGE", "NUMPAGES"]


def test_handover_render_docx_tables_have_bold_repeating_header(pack: HandoverPack) -> None:
    document = _docx(pack)
    assert document.tables
    for table in document.tables:
        header = table.rows[0]
        assert _repeats(header)
        for cell in header.cells:
            assert all(run.bold for p in cell.paragraphs for run in p.runs)
    ledger = next(t for t in document.tables if t.rows[0].cells[1].text == "Promise")
    assert [c.text for c in ledger.rows[0].cells] == [
        "#", "Promise", "Type", "By when", "Measure", "Price terms", "Where", "Flags"
    ]  # fmt: skip
    assert ledger.rows[1].cells[1].text == PROMISE  # verbatim: DOCX needs no escaping
    assert ledger.rows[1].cells[3].text == "within 6 weeks"


def _cells_of_layout(pack: HandoverPack) -> list[str]:
    return [cell for b in layout(pack) if isinstance(b, Table) for row in b.rows for cell in row]


def test_handover_render_three_formats_carry_the_same_content(pack: HandoverPack) -> None:
    cells = _cells_of_layout(pack)
    document = _docx(pack)
    docx_cells = [c.text for t in document.tables for row in t.rows[1:] for c in row.cells]
    assert docx_cells == [c.replace("\x0b", "") for c in cells]
    parser = _Tags()
    parser.feed(pack_html(pack))
    page_text = html.unescape("".join(parser.text))
    markdown = pack_markdown(pack)
    for cell in cells:
        assert cell in page_text
    for question in (q for g in pack.questions for q in g.questions):
        assert question.text.replace("\x0b", "") in page_text
        assert "as needed" in markdown


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("pack.docx", "docx"),
        ("PACK.MD", "md"),
        ("p.markdown", "md"),
        ("p.html", "html"),
        ("p.htm", "html"),
    ],
)
def test_handover_render_format_from_extension(name: str, fmt: str) -> None:
    assert format_for_path(Path(name)) == fmt


def test_handover_render_rejects_unknown_extension(pack: HandoverPack) -> None:
    with pytest.raises(UsageError, match=r"\.docx, \.md or \.html"):
        format_for_path(Path("pack.pdf"))
    with pytest.raises(UsageError):
        render_pack(pack, "pdf")  # type: ignore[arg-type]
    assert isinstance(render_pack(pack, "docx"), bytes)
    assert isinstance(render_pack(pack, "md"), str)
