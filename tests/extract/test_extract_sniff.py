"""Format sniffing: content first, extension second."""

from __future__ import annotations

import io
import zipfile

import pytest

from analyzer.errors import CorruptDocumentError, EncryptedDocumentError, UnsupportedFormatError
from analyzer.extract.sniff import sniff


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "suffix", "kind"),
    [
        (b"%PDF-1.7\n...", ".pdf", "pdf"),
        (b"%PDF-1.4\n...", ".docx", "pdf"),
        (b"junk before header %PDF-1.4\n", ".txt", "pdf"),
        (b"hello", ".txt", "txt"),
        (b"# Title", ".md", "md"),
        (b"# Title", ".MARKDOWN", "md"),
    ],
)
def test_sniff_kind(data: bytes, suffix: str, kind: str) -> None:
    assert sniff(data, suffix) == kind


def test_sniff_docx_zip_by_content() -> None:
    assert sniff(_zip(["word/document.xml", "[Content_Types].xml"]), ".bin") == "docx"


@pytest.mark.parametrize(
    ("data", "suffix", "needle"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".doc", "legacy Word .doc"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".docx", "legacy Word .doc"),
        (b"{\\rtf1\\ansi hello}", ".rtf", "RTF"),
        (b"{\\rtf1\\ansi hello}", ".txt", "RTF"),
        (b"<html></html>", ".html", ".html"),
        (b"a,b,c", ".csv", "supported formats are PDF, DOCX, TXT, Markdown"),
        (b"hello", "", "(no extension)"),
    ],
)
def test_sniff_unsupported(data: bytes, suffix: str, needle: str) -> None:
    with pytest.raises(
        UnsupportedFormatError, match=needle.replace("(", r"\(").replace(")", r"\)")
    ):
        sniff(data, suffix)


def test_sniff_office_formats_are_named() -> None:
    with pytest.raises(UnsupportedFormatError, match="PowerPoint"):
        sniff(_zip(["ppt/presentation.xml"]), ".pptx")
    with pytest.raises(UnsupportedFormatError, match="Excel"):
        sniff(_zip(["xl/workbook.xml"]), ".xlsx")


def test_sniff_encrypted_ooxml() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(EncryptedDocumentError):
        sniff(data, ".docx")


@pytest.mark.parametrize(
    ("data", "suffix", "needle"),
    [
        (b"\x00\x01random", ".pdf", "corrupt PDF"),
        (b"plain text", ".docx", "not a valid DOCX"),
        (b"PK\x03\x04truncated", ".docx", "not a valid DOCX"),
    ],
)
def test_sniff_extension_promise_broken(data: bytes, suffix: str, needle: str) -> None:
    with pytest.raises(CorruptDocumentError, match=needle):
        sniff(data, suffix)


def test_sniff_zip_without_document_xml_is_corrupt_docx() -> None:
    with pytest.raises(CorruptDocumentError, match=r"word/document\.xml"):
        sniff(_zip(["foo.xml"]), ".docx")
