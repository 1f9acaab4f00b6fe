"""Write a `HandoverPack` as Markdown, HTML or DOCX.

Each renderer walks the same blocks from `handover_layout.layout` and only translates them:
Markdown escapes every text with `escape_pack_markdown` (the characters as written, escaped
only where Markdown would read them as syntax), HTML with `escape_html` (and uses the
report page shell of `html.py`: same stylesheet, CSP, print CSS), and DOCX is written with
python-docx — the title in the Title style, sections as Heading 1/2, tables with a bold header
row that repeats on every page, and "Page N of M" fields in the footer.

    data = render_pack(pack, format_for_path(Path("pack.docx")))  # bytes for DOCX, else str
"""

from __future__ import annotations

import io
import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from analyzer.errors import UsageError
from analyzer.report.handover import HandoverPack
from analyzer.report.handover_layout import (
    Block,
    BulletList,
    Heading,
    Paragraph,
    Table,
    layout,
)
from analyzer.report.html import escape_html, html_page

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.paragraph import Paragraph as DocxParagraph

PackFormat = Literal["md", "html", "docx"]
PACK_FORMATS: tuple[str, ...] = get_args(PackFormat)

SUFFIXES: dict[str, PackFormat] = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}
"""Output file extension -> pack format."""

# XML 1.0 forbids most C0 control characters; python-docx refuses them.
_XML_INVALID_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def format_for_path(path: Path) -> PackFormat:
    """The pack format chosen by an output file's extension.

    Args:
        path: The `--out` file.

    Returns:
        "md", "html" or "docx".

    Raises:
        UsageError: For any other extension.
    """
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"{path.name}: the pack is written as .docx, .md or .html; pick one")
    return fmt


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------

# Escaped wherever it stands: a backslash that would escape what follows, emphasis ("*", and
# "_" unless it sits between two letters or digits, as in "snake_case"), links and images
# (with "[" and "]" escaped none can form; "!", "(" and ")" stay), attribute lists ("{: …}"),
# a "<" that could open an HTML tag, comment or autolink ("a < b" and "<-" stay), and an "&"
# that could start an entity ("R&D" stays).
_MD_INLINE = (
    r"\\(?=[!-/:-@\[-`{-~]|$)",
    r"[*\[\]{]",
    r"(?<![^\W_])_|_(?![^\W_])",
    r"<(?=[A-Za-z/!?])",
    r"&(?=#?[0-9A-Za-z]{1,32};)",
)
# Escaped only when the text holds a pair of them: strikethrough and math need two.
_MD_PAIRED = "~$"
# Only at the start of the text, which may start the line: ATX headings, quotes, list
# markers, thematic breaks.
_MD_START_RE = re.compile(
    r"^(?:(#)(?=#{0,5}(?:\s|$))|(>)|([-+])(?=\s|$)|(-)(?=[-\s]*$)|(\d{1,9})([.)])(?=\s|$))"
)
# Only at the end, after a space: "#"s there would close an ATX heading.
_MD_TRAILING_HASHES_RE = re.compile(r"(?:^|(?<=\s))#+$")
_MD_TICKS_RE = re.compile(r"`+")
_MD_FENCE_RE = re.compile(r"^`{3,}")
_MD_WS_RE = re.compile(r"\s+")


@cache
def _inline_re(extra: str) -> re.Pattern[str]:
    chars = [*_MD_INLINE, *(re.escape(c) for c in extra)]
    return re.compile("|".join(chars))


def _code_spans(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, run length) of each code span, as CommonMark pairs backtick runs: an
    opening run closes at the next run of the same length; a run with none is literal."""
    runs = [(m.start(), m.end()) for m in _MD_TICKS_RE.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    index = 0
    while index < len(runs):
        start, end = runs[index]
        same = by_length[end - start]
        after = bisect_right(same, index)
        if after < len(same):
            closer = same[after]
            yield start, runs[closer][1], end - start
            index = closer + 1
        else:
            index += 1


def escape_pack_markdown(text: str | None, *, cell: bool = False, alone: bool = True) -> str:
    """Make untrusted text render as written, and only as text, in a line of Markdown.

    Unlike `markdown.escape_markdown`, nothing is HTML-entity-encoded and only what Markdown
    would read as syntax there is backslash-escaped, so the file reads as the document did:
    "R&D -> UAT by `v2`" stays as it is. Whitespace runs (newlines included) collapse to one
    space, so the text cannot start a new block. No link, image or raw HTML can form in a
    CommonMark/GFM renderer: every "[" and "]" is escaped, and every "<" that could open a tag
    or an autolink. Backticks that pair into a code span stay as written: Markdown shows a
    code span's content literally. An unpaired backtick run is escaped unless the text is
    `alone` on its line, so that it cannot pair with a backtick of another text there.

    Args:
        text: Any text; None gives "".
        cell: The text is a GFM table cell: every "|" is escaped, in code spans too.
        alone: Nothing after the text on its line can hold a backtick (a heading, a list item,
            a paragraph). False for a table cell or a paragraph's label.

    Returns:
        The escaped text, e.g. "see [x](javascript:alert(1))" -> "see \\[x\\](javascript:alert(1))".
    """
    if not text:
        return ""
    text = _MD_WS_RE.sub(" ", text).strip()
    extra = "".join(c for c in _MD_PAIRED if text.count(c) > 1) + ("|" if cell else "")
    inline = _inline_re(extra)

    def plain(part: str) -> str:
        escaped = inline.sub(lambda m: "\\" + m.group(), part)
        return escaped if alone else escaped.replace("`", "\\`")

    parts: list[str] = []
    at = 0
    spans = list(_code_spans(text))
    for start, end, run in spans:
        parts.append(plain(text[at:start]))
        code = text[start + run : end - run]
        parts.append(text[start : start + run] + (code.replace("|", "\\|") if cell else code))
        parts.append(text[end - run : end])
        at = end
    parts.append(plain(text[at:]))
    escaped = _MD_TRAILING_HASHES_RE.sub(lambda m: "\\#" * len(m.group()), "".join(parts))
    if not spans or spans[0][0] > 0:
        # Three unpaired backticks at the start of a line would open a fenced code block.
        escaped = _MD_FENCE_RE.sub(lambda m: "\\`" * len(m.group()), escaped)
    return _MD_START_RE.sub(_escape_start, escaped)


def _escape_start(match: re.Match[str]) -> str:
    if match.group(6):
        return match.group(5) + "\\" + match.group(6)
    return "\\" + match.group()


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * (block.level + 1) + " " + escape_pack_markdown(block.text), ""]
    if isinstance(block, Paragraph):
        text = escape_pack_markdown(block.text)
        if block.note:
            text = f"*{text}*"
        if block.label:
            text = f"**{escape_pack_markdown(block.label.strip(), alone=False)}** {text}"
        return [text, ""]
    if isinstance(block, BulletList):
        return [*(f"- {escape_pack_markdown(item)}" for item in block.items), ""]

    def cell(value: str) -> str:
        return escape_pack_markdown(value, cell=True, alone=False) or " "

    header = "| " + " | ".join(cell(h) for h in block.header) + " |"
    rule = "|" + "|".join("---" for _ in block.header) + "|"
    rows = ["| " + " | ".join(cell(c) for c in row) + " |" for row in block.rows]
    return [header, rule, *rows, ""]


def pack_markdown(pack: HandoverPack) -> str:
    """The pack as Markdown (GFM tables); all texts escaped with `escape_pack_markdown`.

    Args:
        pack: From `build_pack`.

    Returns:
        Markdown text ending with one newline.
    """
    lines: list[str] = []
    for block in layout(pack):
        lines += _md_block(block)
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

_HTML_CSS = (
    "table.pack{table-layout:fixed}table.pack td{overflow-wrap:anywhere}"
    "h1{font-size:1.7rem}h2{font-size:1.35rem}h3{font-size:1.1rem;margin-top:1.5rem}"
    ".label{font-weight:600}"
)


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        tag = f"h{block.level + 1}"
        return f"<{tag}>{escape_html(block.text)}</{tag}>"
    if isinstance(block, Paragraph):
        label = f'<span class="label">{escape_html(block.label)}</span>' if block.label else ""
        css = ' class="note"' if block.note else ""
        return f"<p{css}>{label}{escape_html(block.text)}</p>"
    if isinstance(block, BulletList):
        return "<ul>" + "".join(f"<li>{escape_html(i)}</li>" for i in block.items) + "</ul>"
    cols = "".join(f'<col style="width:{w * 100:.1f}%">' for w in block.widths)
    head = "".join(f"<th>{escape_html(h)}</th>" for h in block.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape_html(c)}</td>" for c in row) + "</tr>" for row in block.rows
    )
    return (
        f'<table class="pack"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def pack_html(pack: HandoverPack) -> str:
    """The pack as one self-contained, printable HTML page (no scripts); all texts escaped.

    Args:
        pack: From `build_pack`.

    Returns:
        An HTML5 document.
    """
    body = "".join(_html_block(b) for b in layout(pack))
    return html_page(pack.title, body, extra_css=_HTML_CSS)


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------


def _xml_safe(text: str) -> str:
    return _XML_INVALID_RE.sub("", text)


def _add_field(paragraph: DocxParagraph, instruction: str) -> None:
    """Append a simple field (e.g. "PAGE") that Word fills in when it lays out the page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _repeat_header(row: object) -> None:
    """Mark a table row as a header row that Word repeats at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def _docx_setup(document: DocxDocument, title: str) -> int:
    """Landscape A4, narrow margins, the footer with page numbers; returns the text width."""
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document.core_properties.title = title
    document.core_properties.author = "ScopeLens"
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    width, margin = Cm(29.7), Cm(1.8)
    section.page_width, section.page_height = width, Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, margin)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(f"{title} · Page ")
    _add_field(footer, "PAGE")
    footer.add_run(" of ")
    _add_field(footer, "NUMPAGES")
    for run in footer.runs:
        run.font.size = Pt(8)
    return int(width - 2 * margin)


def _docx_table(document: DocxDocument, block: Table, width: int) -> None:
    from docx.shared import Pt

    table = document.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.autofit = False
    widths = [int(width * w) for w in block.widths]
    for cell, text, cell_width in zip(table.rows[0].cells, block.header, widths, strict=True):
        cell.width = cell_width
        run = cell.paragraphs[0].add_run(_xml_safe(text))
        run.bold = True
        run.font.size = Pt(9)
    _repeat_header(table.rows[0])
    for values in block.rows:
        cells = table.add_row().cells
        for cell, text, cell_width in zip(cells, values, widths, strict=True):
            cell.width = cell_width
            run = cell.paragraphs[0].add_run(_xml_safe(text))
            run.font.size = Pt(9)
    document.add_paragraph()


def _docx_block(document: DocxDocument, block: Block, width: int) -> None:
    from docx.shared import Pt

    if isinstance(block, Heading):
        document.add_heading(_xml_safe(block.text), level=block.level)
    elif isinstance(block, Paragraph):
        paragraph = document.add_paragraph()
        if block.label:
            paragraph.add_run(_xml_safe(block.label)).bold = True
        run = paragraph.add_run(_xml_safe(block.text))
        if block.note:
            run.italic = True
            run.font.size = Pt(9)
    elif isinstance(block, BulletList):
        for item in block.items:
            document.add_paragraph(_xml_safe(item), style="List Bullet")
    else:
        _docx_table(document, block, width)


def pack_docx(pack: HandoverPack) -> bytes:
    """The pack as a Word document.

    Args:
        pack: From `build_pack`.

    Returns:
        The .docx file's bytes.
    """
    import docx

    document = docx.Document()
    width = _docx_setup(document, _xml_safe(pack.title))
    for block in layout(pack):
        _docx_block(document, block, width)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_pack(pack: HandoverPack, fmt: PackFormat) -> str | bytes:
    """Render `pack` in one format.

    Args:
        pack: From `build_pack`.
        fmt: "md", "html" or "docx".

    Returns:
        Text for Markdown and HTML, bytes for DOCX.

    Raises:
        UsageError: For an unknown format.
    """
    if fmt == "md":
        return pack_markdown(pack)
    if fmt == "html":
        return pack_html(pack)
    if fmt == "docx":
        return pack_docx(pack)
    raise UsageError(f"unknown pack format {fmt!r}; choose one of {', '.join(PACK_FORMATS)}")
