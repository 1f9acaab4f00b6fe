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

import errno
import os
import stat
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
from analyzer.extract.blocks import Extracted, error_line, text_limit_error
from analyzer.extract.sniff import sniff
from analyzer.types import Document, copy_fields, sha256_bytes

__all__ = ["Engine", "extract", "extract_bytes"]

Engine = Literal["auto", "pdfium", "pdfplumber"]

# UTF-8 needs at most 4 bytes per character (NUL bytes, which are dropped, aside).
_TEXT_BYTES_PER_CHAR = 4


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
        data = read_checked(Path(path), limits)
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
        _check_size(len(data), limits)
        if not data.strip():
            raise EmptyDocumentError("empty file: no text to analyse")
        kind = sniff(data, Path(name).suffix, limits)
        if kind in ("txt", "md") and len(data) > _TEXT_BYTES_PER_CHAR * limits.max_text_chars:
            # Decoding cannot bring this under the limit: refuse before decoding.
            raise text_limit_error(len(data) // _TEXT_BYTES_PER_CHAR, limits.max_text_chars)
        result = _dispatch(kind, data, engine=engine, boxes=boxes, limits=limits)
        if len(result.text) > limits.max_text_chars:
            raise text_limit_error(len(result.text), limits.max_text_chars)
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
    return copy_fields(Document, result, path=name, kind=kind, sha256=sha256_bytes(data))


def read_checked(path: Path, limits: Limits) -> bytes:
    """Read a regular file, refusing anything else before a byte is read.

    The file is opened non-blocking and checked with `fstat` on the open descriptor, so a named
    pipe or a device (which would block or never end) is refused, and a file swapped after the
    check cannot slip past it. At most `max_file_bytes + 1` bytes are read, so a file that grows
    while it is read cannot exhaust memory either.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileAccessError(
            "file not found (or a broken link)", hint="check the path, or fix the link"
        ) from None
    except IsADirectoryError:
        raise FileAccessError("is a directory, not a file") from None
    except PermissionError:
        raise FileAccessError("permission denied: the file cannot be read") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileAccessError(
                "symbolic link loop: the link points back to itself", hint="fix or remove the link"
            ) from None
        raise FileAccessError(f"cannot open the file: {exc.strerror or error_line(exc)}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise FileAccessError("is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise FileAccessError(
                "not a regular file (a named pipe, device or socket)",
                hint="only documents saved as files can be scanned",
            )
        _check_size(st.st_size, limits)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limits.max_file_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limits.max_file_bytes:
                _check_size(total, limits)
        return b"".join(chunks)
    except PermissionError:
        raise FileAccessError("permission denied: the file cannot be read") from None
    except BlockingIOError:
        raise FileAccessError(
            "the file is not ready to be read (locked or still being written)"
        ) from None
    except OSError as exc:
        raise FileAccessError(f"cannot read the file: {exc.strerror or error_line(exc)}") from None
    finally:
        os.close(fd)


def _check_size(size: int, limits: Limits) -> None:
    if size > limits.max_file_bytes:
        raise LimitExceededError(
            f"file is {_size(size)}, over the limit of {_size(limits.max_file_bytes)}",
            hint="split the document, or raise SCOPELENS_MAX_FILE_MB",
        )


def _size(size: int) -> str:
    """ "300 MB", "1.5 MB" or, under a megabyte, "2,048 bytes"."""
    if size < 1024 * 1024:
        return f"{size:,} bytes"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


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
