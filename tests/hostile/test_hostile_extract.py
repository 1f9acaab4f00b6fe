"""Hostile files through `extract()` in-process: the right error, one line, or a valid Document.

Also: limits are configurable (environment and `Limits`) and refuse a file *before* the costly
work — reading, decompressing, parsing pages — is done.
"""

from __future__ import annotations

import io
import os
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from builders import (
    CASES,
    ODD_NAMES,
    PROPOSAL_TEXT,
    Case,
    build_fifo,
    build_symlink_loop,
    build_zip_bomb_docx,
    proposal_docx,
    proposal_pdf,
)
from fpdf import FPDF

from analyzer.config import Limits
from analyzer.errors import (
    AnalyzerError,
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    FileAccessError,
    LimitExceededError,
    NoTextLayerError,
    UnsupportedFormatError,
    printable,
)
from analyzer.extract import extract, extract_bytes
from analyzer.types import Document

SMALL_CASES = [case for case in CASES if not case.big]


def check_document(doc: Document) -> None:
    """The invariants every extracted Document promises (see analyzer.extract)."""
    previous_end = 0
    for block in doc.blocks:
        assert previous_end <= block.start < block.end <= len(doc.text)
        assert doc.text[block.start : block.end] == block.text
        assert block.text == block.text.strip()
        previous_end = block.end
    assert doc.text.strip() and doc.blocks


@pytest.mark.parametrize("case", SMALL_CASES, ids=[case.name for case in SMALL_CASES])
def test_hostile_extract_case(case: Case, tmp_path: Path) -> None:
    path = case.build(tmp_path)
    if case.expect.status == "ok":
        check_document(extract(path))
        return
    with pytest.raises(AnalyzerError) as info:
        extract(path)
    line = info.value.one_line()
    assert case.expect.needle in line
    assert len(line) <= 300 and line.isprintable()
    assert info.value.path == str(path)


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("encrypted.pdf", EncryptedDocumentError),
        ("scanned.pdf", NoTextLayerError),
        ("zip-bomb.docx", LimitExceededError),
        ("legacy.doc", UnsupportedFormatError),
        ("letter.rtf", UnsupportedFormatError),
        ("truncated.pdf", CorruptDocumentError),
        ("zero-byte.docx", EmptyDocumentError),
        ("pipe.txt", FileAccessError),
    ],
)
def test_hostile_extract_error_types(name: str, error: type[AnalyzerError], tmp_path: Path) -> None:
    case = next(case for case in CASES if case.name == name)
    with pytest.raises(error):
        extract(case.build(tmp_path))


def test_hostile_extract_odd_text(tmp_path: Path) -> None:
    latin = next(case for case in CASES if case.name == "latin1.txt").build(tmp_path)
    assert "Le café du siège" in extract(latin).text
    nul = next(case for case in CASES if case.name == "nul-bytes.txt").build(tmp_path)
    doc = extract(nul)
    assert "\x00" not in doc.text and "The vendor will deliver" in doc.text
    renamed = next(case for case in CASES if case.name == "pdf-renamed.docx").build(tmp_path)
    assert extract(renamed).kind == "pdf"


@pytest.mark.parametrize("name", ODD_NAMES)
def test_hostile_extract_odd_names(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(PROPOSAL_TEXT, encoding="utf-8")
    doc = extract(path)
    assert doc.path == str(path)
    check_document(doc)


def test_hostile_extract_symlink_loop(tmp_path: Path) -> None:
    loop = build_symlink_loop(tmp_path)
    with pytest.raises(FileAccessError, match="symbolic link loop"):
        extract(loop / "self-loop.txt")
    with pytest.raises(FileAccessError, match="directory"):
        extract(loop / "loop")
    check_document(extract(loop / "loop" / "loop" / "inside.txt"))


def test_hostile_extract_fifo_does_not_block(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FileAccessError, match="not a regular file"):
        extract(build_fifo(tmp_path))
    assert time.monotonic() - started < 5


def test_hostile_extract_device_refused() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this system")
    with pytest.raises(FileAccessError, match="not a regular file"):
        extract("/dev/zero")  # would never end if read


# ---------------------------------------------------------------------------------------------
# Limits: configurable, and enforced before the work
# ---------------------------------------------------------------------------------------------


def _pdf_pages(count: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for number in range(count):
        pdf.add_page()
        pdf.cell(text=f"Page {number}: the vendor will deliver milestone {number}.")
    return bytes(pdf.output())


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("SCOPELENS_MAX_FILE_MB", "3", "max_file_bytes", 3 * 1024 * 1024),
        ("SCOPELENS_MAX_PAGES", "12", "max_pages", 12),
        ("SCOPELENS_MAX_XML_MB", "7", "max_xml_bytes", 7 * 1024 * 1024),
        ("SCOPELENS_MAX_TEXT_MB", "2", "max_text_chars", 2 * 1024 * 1024),
        ("SCOPELENS_MAX_ZIP_ENTRIES", "50", "max_zip_entries", 50),
        ("SCOPELENS_TIMEOUT_S", "9", "timeout_s", 9),
        ("SCOPELENS_MAX_PAGES", "many", "max_pages", 5000),
        ("SCOPELENS_MAX_PAGES", "0", "max_pages", 5000),
        ("SCOPELENS_MAX_PAGES", "-4", "max_pages", 5000),
    ],
)
def test_hostile_limits_from_environment(
    variable: str, value: str, field: str, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    assert getattr(Limits(), field) == expected


def test_hostile_limits_defaults() -> None:
    limits = Limits()
    assert limits.max_file_bytes == 200 * 1024 * 1024
    assert limits.max_pages == 5000
    assert limits.max_xml_bytes == 256 * 1024 * 1024
    assert limits.max_text_chars == 50 * 1024 * 1024
    assert limits.max_zip_entries == 10_000


def test_hostile_limit_pages_from_env_before_reading_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pypdfium2

    monkeypatch.setenv("SCOPELENS_MAX_PAGES", "3")

    def no_page(*_args: object) -> None:
        raise AssertionError("a page was loaded before the page limit was checked")

    monkeypatch.setattr(pypdfium2.PdfDocument, "__getitem__", no_page)
    with pytest.raises(LimitExceededError, match="5 pages, over the limit of 3") as info:
        extract_bytes(_pdf_pages(5), "long.pdf")
    assert "SCOPELENS_MAX_PAGES" in info.value.one_line()


def test_hostile_limit_file_size_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: 300 MB on paper, nothing on disk
        handle.truncate(300 * 1024 * 1024)

    def no_read(*_args: object) -> bytes:
        raise AssertionError("the file was read before its size was checked")

    monkeypatch.setattr("analyzer.extract.os.read", no_read)
    with pytest.raises(LimitExceededError, match="300 MB, over the limit of 200 MB") as info:
        extract(path)
    assert "SCOPELENS_MAX_FILE_MB" in info.value.one_line()


def test_hostile_limit_file_size_in_memory() -> None:
    with pytest.raises(LimitExceededError, match="over the limit"):
        extract_bytes(b"x" * 2048, "upload.txt", limits=Limits(max_file_bytes=1024))


def test_hostile_zip_bomb_refused_without_inflating(tmp_path: Path) -> None:
    path = build_zip_bomb_docx(tmp_path)
    assert path.stat().st_size < 3 * 1024 * 1024
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(LimitExceededError, match="1,537 MB when unzipped"):
            extract(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 32 * 1024 * 1024  # the file itself (2.4 MB) and small reads, nothing more


def test_hostile_limit_xml_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    document = b'<?xml version="1.0"?><w:document>' + b" " * (3 * 1024 * 1024) + b"</w:document>"
    data = _replace_part(proposal_docx(), "word/document.xml", document)
    monkeypatch.setenv("SCOPELENS_MAX_XML_MB", "2")
    with pytest.raises(LimitExceededError, match="over the limit of 2 MB"):
        extract_bytes(data, "padded.docx")


def test_hostile_limit_text_chars() -> None:
    text = ("The vendor will deliver the portal. " * 40 + "\n\n") * 50
    limits = Limits(max_text_chars=10_000)
    for name, data in (
        ("long.txt", text.encode()),
        ("long.docx", _docx_with(text)),
        ("long.pdf", _pdf_pages(20)),
    ):
        small = Limits(max_text_chars=500) if name.endswith(".pdf") else limits
        with pytest.raises(LimitExceededError, match="characters, more than the limit") as info:
            extract_bytes(data, name, limits=small)
        assert "SCOPELENS_MAX_TEXT_MB" in info.value.one_line()


def test_hostile_limit_zip_entries() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        with zipfile.ZipFile(io.BytesIO(proposal_docx())) as source:
            for info in source.infolist():
                archive.writestr(info.filename, source.read(info))
        for number in range(300):
            archive.writestr(f"customXml/item{number}.bin", b"")
    with pytest.raises(LimitExceededError, match="parts") as info:
        extract_bytes(buffer.getvalue(), "many.docx", limits=Limits(max_zip_entries=100))
    assert "SCOPELENS_MAX_ZIP_ENTRIES" in info.value.one_line()
    check_document(extract_bytes(buffer.getvalue(), "many.docx"))


def _replace_part(base: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info))
    return buffer.getvalue()


def _docx_with(text: str) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in text.split("\n\n"):
        if paragraph:
            document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# One-line errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("line\nbreak.pdf", "line\\nbreak.pdf"),
        ("tab\there", "tab\\there"),
        ("esc\x1b[31mred", "esc\\x1b[31mred"),
        ("bidi\u202etxt.exe", "bidi\\u202etxt.exe"),
        ("caf" + os.fsdecode(b"\xe9") + ".txt", "caf\\xe9.txt"),
        ("提案 – ü;$(x).txt", "提案 – ü;$(x).txt"),
        ("unassigned\u05cc", "unassigned\\u05cc"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
    ],
)
def test_hostile_printable(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert printable(text).isprintable()


def test_hostile_one_line_keeps_the_advice() -> None:
    error = CorruptDocumentError("corrupt PDF: " + "x" * 500 + "\nsecond line\x1b[0m")
    line = error.one_line()
    assert len(line) == 300 and line.isprintable()
    assert line.endswith(": " + CorruptDocumentError.hint)
    custom = LimitExceededError("too big", hint="split it")
    assert custom.one_line() == "too big: split it"
    assert LimitExceededError("too big").one_line().startswith("too big: split the document")


def test_hostile_pdf_every_error_is_one_line(tmp_path: Path) -> None:
    data = proposal_pdf()
    for cut in (10, 100, len(data) // 3):
        with pytest.raises(AnalyzerError) as info:
            extract_bytes(data[:cut], "cut\nname.pdf")
        line = info.value.one_line()
        assert line.isprintable() and len(line) <= 300


def test_hostile_errors_survive_pickling() -> None:
    """Errors may cross a process boundary (worker pools): path and advice must survive."""
    import pickle

    error = LimitExceededError("PDF has 9 pages", "a.pdf", hint="split it")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is LimitExceededError and copy.path == "a.pdf"
    assert copy.one_line() == "PDF has 9 pages: split it"
