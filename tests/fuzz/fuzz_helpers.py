"""Shared by the property tests and the `make fuzz` target: seeds, mutations, invariants.

`run_one(data, name)` is the fuzzing contract: extraction (and, optionally, detection) either
returns a Document that keeps every promise of `analyzer.extract`, or raises an
`AnalyzerError` with a one-line message. Anything else — another exception, a broken offset,
a multi-line error — is a bug, raised as `AssertionError` or as the exception itself.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from analyzer.config import Limits
from analyzer.errors import AnalyzerError
from analyzer.extract import extract_bytes
from analyzer.types import Document

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SEED_DOCX = EXAMPLES / "servicedesk-proposal.docx"
SEED_PDF = EXAMPLES / "data-migration-sow.pdf"
SEED_MD = EXAMPLES / "acme-portal-proposal.md"

FUZZ_LIMITS = Limits(
    max_file_bytes=8 * 1024 * 1024,
    max_pages=200,
    max_xml_bytes=32 * 1024 * 1024,
    max_text_chars=2 * 1024 * 1024,
    max_zip_entries=2000,
)
"""Small limits: a fuzzed input may be refused for size, but never wastes the fuzzer's time."""

Op = tuple[Literal["flip", "insert", "delete", "overwrite"], int, bytes]
"""A mutation: at a position, flip the byte's bits (by `bytes[0]`), insert, delete
`len(bytes)` bytes, or overwrite with `bytes`."""


def mutate(data: bytes, ops: Sequence[Op]) -> bytes:
    """Apply byte mutations to `data` (positions wrap around the current length)."""
    out = bytearray(data)
    for kind, position, payload in ops:
        at = position % (len(out) + 1)
        if kind == "flip" and out and payload:
            at %= len(out)
            out[at] ^= payload[0] or 0xFF
        elif kind == "insert":
            out[at:at] = payload
        elif kind == "delete":
            del out[at : at + max(1, len(payload))]
        elif kind == "overwrite":
            out[at : at + len(payload)] = payload
    return bytes(out)


def replace_zip_part(package: bytes, name: str, content: bytes) -> bytes:
    """`package` (a zip) with part `name` replaced by `content`, re-zipped."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = content if info.filename == name else source.read(info)
            target.writestr(info.filename, data)
    return buffer.getvalue()


def zip_part(package: bytes, name: str) -> bytes:
    """The content of part `name` of a zip."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return archive.read(name)


def check_document(doc: Document) -> None:
    """Assert the invariants every extracted Document promises (see `analyzer.extract`)."""
    assert doc.text.strip(), "a Document must have text"
    assert doc.blocks, "a Document must have blocks"
    previous_end = 0
    for i, block in enumerate(doc.blocks):
        assert previous_end <= block.start < block.end <= len(doc.text), (i, block)
        assert doc.text[block.start : block.end] == block.text, i
        assert block.text == block.text.strip(), i
        assert block.index == i
        if block.kind == "heading":
            assert block.section and block.level is not None and block.level >= 1
        previous_end = block.end
    if doc.kind in ("pdf", "docx"):
        for left, right in zip(doc.blocks, doc.blocks[1:], strict=False):
            assert doc.text[left.end : right.start] == "\n\n"
    if doc.kind == "pdf":
        assert doc.pages is not None and doc.pages >= 1
        assert all(b.page is not None and 1 <= b.page <= doc.pages for b in doc.blocks)
    assert len(doc.text) <= FUZZ_LIMITS.max_text_chars


def check_error(error: AnalyzerError) -> None:
    """Assert an error is fit for a user: one printable line, at most 300 characters."""
    line = error.one_line()
    assert line and len(line) <= 300 and line.isprintable(), repr(line)


def run_one(data: bytes, name: str, *, detect: bool = False) -> Document | None:
    """Extract `data` (and optionally detect findings) and check the fuzzing contract.

    Returns:
        The Document, or None when extraction refused the input with an `AnalyzerError`.
    """
    try:
        doc = extract_bytes(data, name, limits=FUZZ_LIMITS)
    except AnalyzerError as error:
        check_error(error)
        return None
    check_document(doc)
    if detect:
        check_findings(doc)
    return doc


def check_findings(doc: Document) -> None:
    """Segment and detect; every sentence and finding must point at its own text."""
    from analyzer.nlp import detect

    detection = detect(doc)
    n = len(doc.text)
    for sentence in detection.sentences:
        assert 0 <= sentence.start < sentence.end <= n
        assert doc.text[sentence.start : sentence.end] == sentence.text
    for finding in detection.findings:
        assert finding.start is not None and finding.end is not None
        assert 0 <= finding.start < finding.end <= n, finding
        assert doc.text[finding.start : finding.end] == finding.text, finding
