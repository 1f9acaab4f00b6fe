"""DOCX extraction: body order, headings, lists, tables, headers/footers, hostile packages."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from extract_helpers import check_document

from analyzer.config import Limits
from analyzer.errors import CorruptDocumentError, EmptyDocumentError, LimitExceededError
from analyzer.extract import extract

WriteFile = Callable[[str, bytes], Path]


def _docx_bytes() -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "ACME Corp - Confidential"
    section.footer.paragraphs[0].text = "Statement of Work v1"
    document.add_heading("Statement of Work", level=0)
    document.add_heading("1 Scope", level=1)
    document.add_paragraph("The vendor will deliver the portal.")
    document.add_paragraph("Build the API", style="List Number")
    document.add_paragraph("Migrate the data", style="List Number")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [("Task", "Days", "Owner"), ("Build", "20", "Vendor"), ("Test", "5", "Client")]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(2, 1).merge(table.cell(2, 2))
    merged.text = "shared"
    document.add_paragraph("Text after the table.")
    document.add_paragraph("   ")
    document.add_heading("1.1 Assumptions", level=2)
    document.add_paragraph("The client provides access.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_structure_in_body_order(write_file: WriteFile) -> None:
    path = write_file("sow.docx", _docx_bytes())
    doc = extract(path)
    check_document(doc)
    assert doc.kind == "docx"
    assert doc.pages is None
    assert doc.path == str(path)
    got = [(b.kind, b.text) for b in doc.blocks]
    assert got == [
        ("heading", "Statement of Work"),
        ("heading", "1 Scope"),
        ("paragraph", "The vendor will deliver the portal."),
        ("list_item", "Build the API"),
        ("list_item", "Migrate the data"),
        ("table_row", "Task | Days | Owner"),
        ("table_row", "Build | 20 | Vendor"),
        ("table_row", "Test | shared"),
        ("paragraph", "Text after the table."),
        ("heading", "1.1 Assumptions"),
        ("paragraph", "The client provides access."),
        ("header", "ACME Corp - Confidential"),
        ("footer", "Statement of Work v1"),
    ]
    by_text = {b.text: b for b in doc.blocks}
    assert by_text["1 Scope"].level == 1
    assert by_text["1.1 Assumptions"].level == 2
    assert by_text["1.1 Assumptions"].section == ("1 Scope", "1.1 Assumptions")
    assert by_text["Test | shared"].section == ("1 Scope",)
    assert by_text["Build the API"].level == 1
    assert by_text["ACME Corp - Confidential"].section == ()


def test_docx_sha256_matches_bytes(write_file: WriteFile) -> None:
    import hashlib

    data = _docx_bytes()
    doc = extract(write_file("sow.docx", data))
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


def test_docx_without_text_is_empty(write_file: WriteFile) -> None:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(EmptyDocumentError):
        extract(write_file("blank.docx", buffer.getvalue()))


def _rewrite(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info))
    return buffer.getvalue()


def test_docx_entity_bomb_rejected(write_file: WriteFile) -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    data = _rewrite(_docx_bytes(), "word/document.xml", bomb)
    with pytest.raises(CorruptDocumentError, match="DOCTYPE"):
        extract(write_file("bomb.docx", data))


def test_docx_expanded_size_limit(write_file: WriteFile) -> None:
    huge = b'<?xml version="1.0"?>' + b" " * (2 * 1024 * 1024)
    data = _rewrite(_docx_bytes(), "word/document.xml", huge)
    assert len(data) < 200_000  # compresses to almost nothing: a zip bomb in miniature
    with pytest.raises(LimitExceededError, match="over the limit"):
        extract(write_file("big.docx", data), limits=Limits(max_xml_bytes=1024 * 1024))


def test_docx_broken_xml_is_corrupt(write_file: WriteFile) -> None:
    data = _rewrite(_docx_bytes(), "word/document.xml", b"<w:document><unclosed>")
    with pytest.raises(CorruptDocumentError, match="not a valid DOCX"):
        extract(write_file("broken.docx", data))


def test_docx_truncated_zip_is_corrupt(write_file: WriteFile) -> None:
    data = _docx_bytes()
    with pytest.raises(CorruptDocumentError, match="not a valid DOCX"):
        extract(write_file("cut.docx", data[: len(data) // 2]))
