"""DOCX: python-docx body in document order, then section headers and footers.

The zip is inspected before python-docx sees it (`analyzer.extract.package`): declared part
sizes are checked against `Limits.max_xml_bytes` and any XML part that declares a DOCTYPE/ENTITY
is rejected, so a zip bomb or an entity-expansion bomb is refused cheaply.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from itertools import chain
from typing import Any

from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from analyzer.config import Limits
from analyzer.errors import CorruptDocumentError
from analyzer.extract.blocks import (
    Draft,
    Extracted,
    TextBudget,
    assemble,
    clean_inline,
    heading_level,
    infer_level,
    library_errors,
)
from analyzer.extract.package import check_package

__all__ = ["check_package", "extract_docx"]

_HEADING_STYLE_RE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_LIST_STYLE_RE = re.compile(r"^list\b.*?(\d)?$", re.IGNORECASE)
_LARGE_FONT_PT = 14


def extract_docx(data: bytes, *, limits: Limits) -> Extracted:
    """Extract a DOCX file.

    Body paragraphs and tables keep document order; each table row is one "table_row"
    block (cells joined with " | "); headers and footers follow the body.

    Args:
        data: The DOCX file content.
        limits: Size limits checked before parsing.

    Returns:
        Text and blocks; `pages` is None (Word decides pagination at render time).
    """
    check_package(data, limits)
    budget = TextBudget(limits)
    drafts: list[Draft] = []
    with library_errors("not a valid DOCX", translate=_too_deep):
        document = open_docx(io.BytesIO(data))
        for draft in chain(_body_drafts(document), _header_footer_drafts(document)):
            budget.spend(len(draft.text) + 2)
            drafts.append(draft)
    text, blocks, _ = assemble(drafts)
    return Extracted(text=text, blocks=blocks)


def _too_deep(exc: BaseException) -> CorruptDocumentError | None:
    if isinstance(exc, RecursionError):
        return CorruptDocumentError("not a valid DOCX: tables are nested too deeply")
    return None


def _body_drafts(document: object) -> Iterator[Draft]:
    for item in document.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(item, Paragraph):
            draft = _paragraph_draft(item)
            if draft is not None:
                yield draft
        elif isinstance(item, Table):
            yield from _table_drafts(item, "table_row")


def _paragraph_draft(paragraph: Paragraph) -> Draft | None:
    text = clean_inline(paragraph.text)
    if not text:
        return None
    style_name = _style_name(paragraph)
    level = _heading_level(paragraph, style_name, text)
    if level is not None:
        return Draft("heading", text, level=level)
    list_level = _list_level(paragraph, style_name)
    if list_level is not None:
        return Draft("list_item", text, level=list_level)
    return Draft("paragraph", text)


def _style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
    except (KeyError, ValueError, AttributeError):
        return ""
    # Custom heading styles are usually based on "Heading N": follow the chain a little.
    names: list[str] = []
    for _ in range(4):
        if style is None:
            break
        names.append(style.name or "")
        if _HEADING_STYLE_RE.match(style.name or "") or (style.name or "").lower() == "title":
            return style.name or ""
        style = style.base_style
    return names[0] if names else ""


def _heading_level(paragraph: Paragraph, style_name: str, text: str) -> int | None:
    match = _HEADING_STYLE_RE.match(style_name)
    if match:
        return max(1, int(match.group(1)))
    if style_name.lower() == "title":
        return 1
    ppr = paragraph._p.pPr
    if ppr is not None:
        outline = ppr.find(qn("w:outlineLvl"))
        if outline is not None:
            value = outline.get(qn("w:val"))
            if value is not None and value.isdigit() and int(value) < 9:
                return int(value) + 1
    if len(text) <= 120 and _is_emphasised(paragraph) and text[-1] not in ".,;:":
        return infer_level(text) if len(text.split()) <= 12 else None
    return heading_level(text) if _numbered_or_article(text) else None


def _numbered_or_article(text: str) -> bool:
    # In Word, ALL CAPS body text is common (legal boilerplate); only trust numbering here.
    return bool(re.match(r"^(?:\d{1,2}(?:\.\d{1,3})*\.?\s|ARTICLE\s|Article\s)", text))


def _is_emphasised(paragraph: Paragraph) -> bool:
    """All text runs bold or set in a large font: how templates fake headings in "Normal"."""
    runs = [run for run in paragraph.runs if run.text.strip()]
    if not runs:
        return False
    return all(
        run.bold
        or (run.style is not None and run.style.font.bold)
        or (run.font.size is not None and run.font.size.pt >= _LARGE_FONT_PT)
        for run in runs
    )


def _list_level(paragraph: Paragraph, style_name: str) -> int | None:
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        ilvl = ppr.numPr.ilvl  # type: ignore[attr-defined]
        value = ilvl.val if ilvl is not None else 0
        return int(value or 0) + 1
    match = _LIST_STYLE_RE.match(style_name)
    if match:
        return int(match.group(1)) if match.group(1) else 1
    return None


def _table_drafts(table: Table, kind: str) -> Iterator[Draft]:
    for row in table.rows:
        cells: list[str] = []
        nested: list[Table] = []
        previous_tc = None
        for cell in _row_cells(row):
            # Merged cells come back once per grid column; the same <w:tc> means same cell.
            if cell._tc is previous_tc:
                continue
            previous_tc = cell._tc
            value = clean_inline(" ".join(p.text for p in cell.paragraphs))
            if value and (not cells or cells[-1] != value):
                cells.append(value)
            nested.extend(cell.tables)
        if cells:
            yield Draft(kind, " | ".join(cells))  # type: ignore[arg-type]
        for inner in nested:
            yield from _table_drafts(inner, kind)


def _row_cells(row: object) -> list[Any]:
    try:
        return list(row.cells)  # type: ignore[attr-defined]
    except (IndexError, ValueError, KeyError):
        # Malformed spans confuse the grid calculation; fall back to the raw cells.
        from docx.table import _Cell

        return [_Cell(tc, row) for tc in row._tr.tc_lst]  # type: ignore[attr-defined,arg-type]


def _header_footer_drafts(document: object) -> Iterator[Draft]:
    seen: set[tuple[str, str]] = set()
    for section in document.sections:  # type: ignore[attr-defined]
        for kind, parts in (
            ("header", (section.header, section.first_page_header, section.even_page_header)),
            ("footer", (section.footer, section.first_page_footer, section.even_page_footer)),
        ):
            for part in parts:
                if part.is_linked_to_previous:
                    continue
                for item in part.iter_inner_content():
                    if isinstance(item, Paragraph):
                        drafts = [Draft(kind, clean_inline(item.text))]  # type: ignore[arg-type]
                    else:
                        drafts = list(_table_drafts(item, kind))
                    for draft in drafts:
                        key = (kind, draft.text)
                        if draft.text and key not in seen:
                            seen.add(key)
                            yield draft
