"""Zip-package safety checks for DOCX, done before anything is decompressed or parsed.

A DOCX is a zip of XML parts. Three hostile shapes are refused here, cheaply:

* a zip bomb — parts whose declared uncompressed sizes add up past `Limits.max_xml_bytes`
  (the zip reader never inflates a part beyond its declared size, so the declared sizes are
  a safe bound);
* a zip with a huge central directory (hundreds of thousands of entries), which would make
  merely opening the archive slow and memory-hungry — checked from the end-of-directory
  record, before `zipfile` parses the directory;
* an XML part that declares a DTD (`<!DOCTYPE …>`, the vehicle of entity-expansion "billion
  laughs" bombs and external entities). Word never writes one. Only the prolog — what comes
  before the root element — can hold a DTD, so only the first bytes of each part are read,
  with comments and processing instructions skipped and UTF-16/UTF-32 parts decoded first.
"""

from __future__ import annotations

import codecs
import io
import struct
import zipfile
import zlib

from analyzer.config import Limits
from analyzer.errors import CorruptDocumentError, LimitExceededError
from analyzer.extract.blocks import library_errors

__all__ = ["ZIP_ERRORS", "check_package", "check_zip_directory"]

ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,  # an unsupported compression method
    RuntimeError,  # an encrypted member
    OSError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,  # a damaged deflate stream
    IndexError,  # zipfile on malformed names
)
"""What `zipfile` raises on a damaged archive: all mean "not a valid DOCX"."""

PROLOG_SCAN = 64 * 1024
"""Bytes of each XML part read to find its root element; a longer prolog is refused."""

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_MAX_COMMENT = 65535
_DIRECTORY_BYTES_PER_ENTRY = 256
"""Generous central-directory bytes per entry (46 fixed + name + extra; DOCX names are short)."""

# Encodings libxml2 detects from the first four bytes (XML 1.0, appendix F).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_UNMARKED: tuple[tuple[bytes, str], ...] = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC
_XML_SPACE = " \t\r\n"


def _limit_error(message: str, variable: str) -> LimitExceededError:
    return LimitExceededError(message, hint=f"split the document, or raise {variable}")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f}"


def check_zip_directory(data: bytes, limits: Limits) -> None:
    """Refuse a zip whose central directory is too large, before `zipfile` parses it.

    Reads only the end-of-central-directory record (and its zip64 twin). A zip without one is
    left for `zipfile` to report as damaged.

    Args:
        data: The zip file content.
        limits: `max_zip_entries` bounds the number of entries and the directory size.

    Raises:
        LimitExceededError: more entries than `limits.max_zip_entries`, or a directory larger
            than such a number of entries needs.
    """
    pos = data.rfind(_EOCD, max(0, len(data) - _EOCD_SIZE - _MAX_COMMENT))
    if pos < 0 or len(data) - pos < _EOCD_SIZE:
        return
    entries, directory_size = struct.unpack_from("<HI", data, pos + 10)
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        locator = pos - 20
        if locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
            (record,) = struct.unpack_from("<Q", data, locator + 8)
            if record + 56 <= len(data) and data[record : record + 4] == _ZIP64_EOCD:
                entries, directory_size = struct.unpack_from("<QQ", data, record + 32)
    max_entries = limits.max_zip_entries
    if entries > max_entries or directory_size > max_entries * _DIRECTORY_BYTES_PER_ENTRY:
        raise _limit_error(
            f"the zip package lists {entries:,} parts ({_mb(directory_size)} MB of directory), "
            f"over the limit of {max_entries:,} parts",
            "SCOPELENS_MAX_ZIP_ENTRIES",
        )


def check_package(data: bytes, limits: Limits) -> None:
    """Refuse a zip bomb or a DTD-declaring XML part before any XML is parsed.

    Args:
        data: The DOCX file content.
        limits: `max_xml_bytes` bounds the declared uncompressed size of all parts together;
            `max_zip_entries` bounds the number of parts.

    Raises:
        CorruptDocumentError: not a zip, no word/document.xml, an XML part that is not XML, or
            a DOCTYPE/ENTITY declaration.
        LimitExceededError: the package would expand beyond `limits.max_xml_bytes`, or has too
            many parts.
    """
    check_zip_directory(data, limits)
    with (
        library_errors("not a valid DOCX", ZIP_ERRORS),
        zipfile.ZipFile(io.BytesIO(data)) as archive,
    ):
        infos = archive.infolist()
        if len(infos) > limits.max_zip_entries:
            raise _limit_error(
                f"the zip package has {len(infos):,} parts, over the limit of "
                f"{limits.max_zip_entries:,}",
                "SCOPELENS_MAX_ZIP_ENTRIES",
            )
        if "word/document.xml" not in {info.filename for info in infos}:
            raise CorruptDocumentError("not a valid DOCX: word/document.xml is missing")
        total = sum(info.file_size for info in infos)
        if total > limits.max_xml_bytes:
            raise _limit_error(
                f"DOCX expands to {_mb(total)} MB when unzipped (a zip bomb?), over the "
                f"limit of {_mb(limits.max_xml_bytes)} MB",
                "SCOPELENS_MAX_XML_MB",
            )
        for info in infos:
            # Not `info.is_dir()`: it raises IndexError on an empty name (found by fuzzing).
            if info.filename.endswith("/"):
                continue
            with archive.open(info) as handle:
                head = handle.read(PROLOG_SCAN)
            problem = prolog_problem(
                head,
                named_xml=info.filename.endswith((".xml", ".rels")),
                complete=info.file_size <= len(head),
            )
            if problem:
                raise CorruptDocumentError(f"not a valid DOCX: {info.filename} {problem}")


def _xml_text(head: bytes) -> str | None:
    """`head` decoded the way an XML parser would see it; None when it cannot be XML."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="replace")
    for pattern, encoding in _UNMARKED:
        if head.startswith(pattern):
            return head.decode(encoding, errors="replace")
    if head.startswith(_EBCDIC_XML):
        return head.decode("cp500", errors="replace")
    # Any ASCII-compatible encoding: the prolog itself is ASCII.
    text = head.decode("latin-1")
    return text if text.lstrip(_XML_SPACE).startswith("<") else None


def prolog_problem(head: bytes, *, named_xml: bool, complete: bool) -> str | None:
    """Why an XML part must be refused, judged from its first bytes; None when it is fine.

    Args:
        head: The first `PROLOG_SCAN` bytes of the part (or all of it).
        named_xml: The part's name says XML (".xml", ".rels"): it must then be XML.
        complete: `head` holds the whole part.

    Returns:
        A reason ("declares a DOCTYPE/ENTITY …") or None.
    """
    if not head.strip():
        return None
    text = _xml_text(head)
    if text is None:
        # Not XML at all: fine for an image, wrong for a part named .xml.
        return "is not XML" if named_xml else None
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in _XML_SPACE:
            pos += 1
        if pos >= end:
            return "has no XML root element" if complete else "has an XML prolog over 64 KB"
        if text.startswith("<?", pos):
            terminator = "?>"
        elif text.startswith("<!--", pos):
            terminator = "-->"
        elif text.startswith("<!", pos):
            # Before the root, "<!" that is not a comment can only be a DTD.
            return (
                "declares a DOCTYPE/ENTITY (possible entity-expansion bomb); Word never writes one"
            )
        elif text.startswith("<", pos):
            return None  # the root element: the prolog is over
        else:
            return "is not XML"
        close = text.find(terminator, pos + 2)
        if close < 0:
            return "is not XML" if complete else "has an XML prolog over 64 KB"
        pos = close + len(terminator)
