"""Decide what a file is from its bytes first and its extension second.

Content wins over the name: a PDF saved as `.docx` is read as a PDF, and a `.pdf` that is not
a PDF is reported as corrupt rather than fed to a parser that would fail obscurely.
"""

from __future__ import annotations

import io
import zipfile

from analyzer.config import Limits
from analyzer.errors import CorruptDocumentError, EncryptedDocumentError, UnsupportedFormatError
from analyzer.extract.blocks import error_line
from analyzer.extract.package import ZIP_ERRORS, check_zip_directory
from analyzer.types import DocumentKind

SUPPORTED = "PDF, DOCX, TXT, Markdown"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# An encrypted OOXML file is an OLE2 container holding a stream with this (UTF-16) name.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_TEXT_SUFFIXES: dict[str, DocumentKind] = {".txt": "txt", ".md": "md", ".markdown": "md"}
_LEGACY_DOC = "legacy Word .doc: save it as .docx and try again"
_RTF = "RTF: save as .docx or PDF and try again"


def sniff(data: bytes, suffix: str, limits: Limits | None = None) -> DocumentKind:
    """Return the kind of document held in `data`.

    Args:
        data: The whole file content (non-empty).
        suffix: The file extension including the dot, any case ("" when there is none).
        limits: Bounds a zip's directory before it is opened (defaults to `Limits()`).

    Returns:
        "pdf", "docx", "txt" or "md".

    Raises:
        UnsupportedFormatError: legacy .doc, RTF, other Office files or unknown types.
        EncryptedDocumentError: a password-protected DOCX (an OLE2 encrypted package).
        CorruptDocumentError: the extension promises PDF/DOCX but the bytes are not.
        LimitExceededError: a zip with more entries than `limits.max_zip_entries`.
    """
    suffix = suffix.lower()
    head = data[:1024]
    # The PDF spec tolerates junk before the header, and real files have it.
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        check_zip_directory(data, limits or Limits())
        return _sniff_zip(data, suffix)
    if data.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise EncryptedDocumentError("encrypted Office document")
        if suffix in (".xls", ".ppt"):
            raise UnsupportedFormatError(
                f"legacy Office file {suffix}: save it in a supported format ({SUPPORTED})"
            )
        raise UnsupportedFormatError(_LEGACY_DOC)
    if head.lstrip().startswith(b"{\\rtf"):
        raise UnsupportedFormatError(_RTF)
    if suffix == ".pdf":
        raise CorruptDocumentError("corrupt PDF: the file does not start with a PDF header")
    if suffix == ".docx":
        raise CorruptDocumentError("not a valid DOCX: the file is not a zip package")
    if suffix == ".doc":
        raise UnsupportedFormatError(_LEGACY_DOC)
    if suffix == ".rtf":
        raise UnsupportedFormatError(_RTF)
    if suffix in _TEXT_SUFFIXES:
        return _TEXT_SUFFIXES[suffix]
    raise UnsupportedFormatError(
        f"unsupported file type {suffix or '(no extension)'}: supported formats are {SUPPORTED}"
    )


def _sniff_zip(data: bytes, suffix: str) -> DocumentKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except ZIP_ERRORS as exc:
        if suffix == ".docx":
            raise CorruptDocumentError(f"not a valid DOCX: {error_line(exc)}") from None
        raise UnsupportedFormatError(
            f"unsupported file type {suffix or '(no extension)'}: a damaged zip archive; "
            f"supported formats are {SUPPORTED}"
        ) from None
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        raise UnsupportedFormatError(
            f"PowerPoint files are not supported: export to PDF; supported formats are {SUPPORTED}"
        )
    if "xl/workbook.xml" in names:
        raise UnsupportedFormatError(
            f"Excel files are not supported: supported formats are {SUPPORTED}"
        )
    if suffix == ".docx":
        raise CorruptDocumentError("not a valid DOCX: word/document.xml is missing")
    raise UnsupportedFormatError(
        f"unsupported file type {suffix or '(no extension)'} (a zip archive): "
        f"supported formats are {SUPPORTED}"
    )
