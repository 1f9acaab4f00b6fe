"""Files in, `Document` out: PDF, DOCX, TXT and Markdown extraction.

`extract()` is the boundary where library exceptions become `analyzer.errors` types; nothing
else in ScopeLens needs to know which PDF or DOCX library is underneath.

Invariants of every returned `Document`: blocks are sorted and non-overlapping,
`doc.text[b.start:b.end] == b.text`, and block text has no leading/trailing whitespace.
For PDF and DOCX the text is rebuilt from the blocks, joined by "\\n\\n". For TXT and Markdown
the text is the decoded file (offsets match the file) and blocks are spans over it, so the
"\\n\\n" separator is not guaranteed there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from analyzer.config import Limits
from analyzer.errors import (
    AnalyzerError,
    CorruptDocumentError,
    EmptyDocumentError,
    FileAccessError,
    LimitExceededError,
)
from analyzer.extract.blocks import Extracted, error_line
from analyzer.extract.sniff import sniff
from analyzer.types import Document, sha256_bytes

__all__ = ["Engine", "extract", "extract_bytes"]

Engine = Literal["auto", "pdfium", "pdfplumber"]


def extract(
    path: str | Path,
    *,
    engine: Engine = "auto",
    boxes: bool = False,
    limits: Limits | None = None,
) -> Document:
    """Read one file and return its text and layout blocks.

    The format is sniffed from the content first (a PDF renamed `.docx` is read as a PDF),
    then from the extension.

    Args:
        path: The file to read; `Document.path` is `str(path)` exactly as given.
        engine: PDF engine: "auto" and "pdfium" use pypdfium2 (fast), "pdfplumber" forces
            pdfplumber (slower, renders tables as "table_row" blocks).
        boxes: For PDFs, also return per-character boxes in `Document.page_boxes` (slow).
        limits: Size and page limits; defaults to `Limits()`.

    Returns:
        The extracted document.

    Raises:
        FileAccessError: the file cannot be read.
        UnsupportedFormatError: not PDF, DOCX, TXT or Markdown (e.g. legacy .doc, RTF).
        EmptyDocumentError: the file holds no text.
        EncryptedDocumentError: the document is password-protected.
        CorruptDocumentError: the file is damaged or not what its extension says.
        NoTextLayerError: a PDF with pages but no text (a scan).
        LimitExceededError: the file exceeds `limits`.
    """
    limits = limits or Limits()
    name = str(path)
    try:
        data = _read(Path(path), limits)
    except AnalyzerError as exc:
        if exc.path is None:
            exc.path = name
        raise
    return extract_bytes(data, name, engine=engine, boxes=boxes, limits=limits)


def extract_bytes(
    data: bytes,
    name: str,
    *,
    engine: Engine = "auto",
    boxes: bool = False,
    limits: Limits | None = None,
) -> Document:
    """Extract a document held in memory (an upload); `name` gives its extension and path.

    Same behaviour and errors as `extract`, without touching the file system.
    """
    limits = limits or Limits()
    try:
        if len(data) > limits.max_file_bytes:
            raise LimitExceededError(
                f"file is {len(data) // (1024 * 1024)} MB, over the limit of "
                f"{limits.max_file_bytes // (1024 * 1024)} MB"
            )
        if not data.strip():
            raise EmptyDocumentError("empty file: no text to analyse")
        kind = sniff(data, Path(name).suffix)
        result = _dispatch(kind, data, engine=engine, boxes=boxes, limits=limits)
        if len(result.text) > limits.max_text_chars:
            raise LimitExceededError(
                f"text has {len(result.text)} characters, over the limit of {limits.max_text_chars}"
            )
        if not result.text.strip() or not result.blocks:
            raise EmptyDocumentError("empty file: no text to analyse")
    except AnalyzerError as exc:
        if exc.path is None:
            exc.path = name
        raise
    except RecursionError:
        raise CorruptDocumentError("the document is nested too deeply to read", name) from None
    except MemoryError:
        raise LimitExceededError("the document needs more memory than available", name) from None
    return Document(
        path=name,
        kind=kind,
        text=result.text,
        blocks=result.blocks,
        sha256=sha256_bytes(data),
        pages=result.pages,
        page_boxes=result.page_boxes,
        metadata=result.metadata,
    )


def _read(path: Path, limits: Limits) -> bytes:
    try:
        if path.is_dir():
            raise FileAccessError(f"is a directory, not a file: {path}")
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise LimitExceededError(
                f"file is {size // (1024 * 1024)} MB, over the limit of "
                f"{limits.max_file_bytes // (1024 * 1024)} MB"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise FileAccessError(f"file not found: {path}") from None
    except PermissionError:
        raise FileAccessError(f"permission denied: {path}") from None
    except OSError as exc:
        raise FileAccessError(f"cannot read {path}: {error_line(exc)}") from None


def _dispatch(kind: str, data: bytes, *, engine: str, boxes: bool, limits: Limits) -> Extracted:
    # Imported lazily: pdfium/python-docx are only loaded for the formats that need them.
    if kind == "pdf":
        from analyzer.extract.pdf import extract_pdf

        return extract_pdf(data, engine=engine, boxes=boxes, limits=limits)
    if kind == "docx":
        from analyzer.extract.docx import extract_docx

        return extract_docx(data, limits=limits)
    from analyzer.extract.text import extract_text

    return extract_text(data, markdown=kind == "md")
