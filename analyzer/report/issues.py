"""The issues list: every finding of a document with its review status, as Excel or Word.

What a legal reviewer hands on: one row per finding — where it is, what it is, the passage, why
it matters, the suggested rewrite — and what the reviewers decided (status, reason, comment,
who, when). Rows are plain records built by the review service (`analyzer.review.exports`); this
module only lays them out. Document text is written as cell values and Word runs, never as
formulas or markup: a cell that would start a formula is prefixed with an apostrophe, as in the
CSV report.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields

from analyzer.report.csv import csv_safe


@dataclass(frozen=True, slots=True)
class IssueRow:
    """One finding in the issues list (all plain text)."""

    number: int
    document: str
    page: str
    section: str
    category: str
    type: str
    severity: str
    status: str
    """open, confirmed, dismissed, relabelled, added or disputed."""
    passage: str
    explanation: str
    suggestion: str
    reason: str
    comment: str
    reviewer: str
    decided_at: str


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(IssueRow))
HEADERS: tuple[str, ...] = tuple(c.replace("_", " ").capitalize() for c in COLUMNS)
WORD_COLUMNS: tuple[str, ...] = (
    "number",
    "page",
    "category",
    "severity",
    "status",
    "passage",
    "suggestion",
    "reason",
    "comment",
    "reviewer",
)
"""The columns that fit a landscape page in Word (Excel has them all)."""
_WIDTHS = {"passage": 60, "explanation": 50, "suggestion": 50, "comment": 30, "reason": 24}


def _cells(row: IssueRow) -> list[object]:
    return [
        value if isinstance(value, int) else _printable(csv_safe(value)) for value in astuple(row)
    ]


def to_xlsx(rows: Sequence[IssueRow], title: str = "Issues") -> bytes:
    """The issues list as an Excel workbook (one sheet, a header row, filters, frozen header)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Issues"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(_cells(row))
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _WIDTHS.get(column, 14)
        if column in _WIDTHS:
            for cell in sheet[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_docx(rows: Sequence[IssueRow], title: str) -> bytes:
    """The issues list as a Word document: a heading, then one table row per finding."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(title, level=1)
    shown: tuple[str, ...] = WORD_COLUMNS
    table = document.add_table(rows=1, cols=len(shown))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, shown, strict=True):
        cell.text = name.replace("_", " ").capitalize()
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        values = {name: getattr(row, name) for name in shown}
        values["category"] = f"{row.category} / {row.type}"
        cells = table.add_row().cells
        for cell, name in zip(cells, shown, strict=True):
            cell.text = _printable(csv_safe(values[name]))
    for paragraph_row in table.rows:
        for cell in paragraph_row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _printable(text: str) -> str:
    """Text Word can hold: XML forbids most control characters (a corrupt file otherwise)."""
    return "".join(c if c in "\t\n" or ord(c) >= 32 else " " for c in text)
