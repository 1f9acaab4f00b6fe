"""One test per hostile input that once broke extraction (hangs, crashes, bypasses).

Each test names what used to happen. Time bounds are generous (10-50x the fixed time) so they
only fail on the quadratic or exponential behaviour they guard against.
"""

from __future__ import annotations

import codecs
import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import BILLION_LAUGHS, proposal_docx, replace_part
from fpdf import FPDF

from analyzer.errors import AnalyzerError, CorruptDocumentError
from analyzer.extract import extract_bytes
from analyzer.extract import pdf as pdf_module
from analyzer.extract.blocks import MAX_BLOCK_CHARS
from analyzer.types import Document

W_NS = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
BODY = (
    b"<w:document " + W_NS + b"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
)


def _fast(call: Callable[[], object], seconds: float = 2.0) -> object:
    started = time.monotonic()
    result = call()
    elapsed = time.monotonic() - started
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    return result


def _valid(doc: Document) -> None:
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text


# ---------------------------------------------------------------------------------------------
# Quadratic time on text that is long in one dimension
# ---------------------------------------------------------------------------------------------


def test_regression_many_blank_lines_linear() -> None:
    """Every blank line re-scanned the rest of the file: 50,000 blank lines took 90 s."""
    doc = _fast(lambda: extract_bytes(b"Scope\n" + b"\n" * 300_000 + b"The end.", "gaps.txt"))
    assert [b.text for b in doc.blocks] == ["Scope", "The end."]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # "# a" then spaces: the one-regex ATX heading backtracked (40,000 chars: 9 s).
        ("atx.md", b"# a" + b" " * 200_000 + b"b\n\nText."),
        ("atx-tabs.md", b"# a" + b" \t" * 100_000 + b"#b\n\nText."),
        # A table line of spaces: the delimiter-row regex backtracked (20,000 chars: 2.5 s).
        ("table.md", b" " * 200_000 + b"|x\n\nText."),
        ("table-dash.md", b"|-" + b" " * 200_000 + b"x\n\nText."),
    ],
)
def test_regression_markdown_long_lines_linear(name: str, data: bytes) -> None:
    _valid(_fast(lambda: extract_bytes(data, name)))  # type: ignore[arg-type]


def test_regression_pdf_line_regexes_linear() -> None:
    """Hyphen markers after a long word and long page-number-like lines backtracked."""
    word = "a" * 200_000
    _fast(lambda: pdf_module._resolve_markers(word + "\xad"))
    _fast(lambda: pdf_module._resolve_markers(word + "\xad" + word))
    _fast(lambda: pdf_module._TRAILING_WORD_RE.search(word + " b-"))
    assert not _fast(lambda: pdf_module._is_page_number("1" + "\x85" * 200_000 + "x"))
    assert pdf_module._is_page_number("Page 3 of 12")
    assert pdf_module._resolve_markers("hyphen\xadated text") == "hyphen\x01ated text"


def test_regression_one_huge_paragraph_is_cut() -> None:
    """A 1.5 MB text without paragraph breaks was one block; spaCy refused it (E088)."""
    import spacy

    sentence = "The vendor will deliver the data migration within six weeks. "
    data = (sentence * (1_500_000 // len(sentence))).encode()
    doc = _fast(lambda: extract_bytes(data, "one-line.txt"))
    _valid(doc)  # type: ignore[arg-type]
    blocks = doc.blocks  # type: ignore[attr-defined]
    assert len(blocks) > 10
    assert max(len(b.text) for b in blocks) <= MAX_BLOCK_CHARS < spacy.blank("en").max_length
    assert all(b.text.endswith("weeks.") for b in blocks[:-1])  # cut after a sentence


def test_regression_one_huge_word_is_cut() -> None:
    data = b"x" * 250_000
    doc = extract_bytes(data, "blob.txt")
    assert [len(b.text) for b in doc.blocks] == [100_000, 100_000, 50_000]
    pdf = FPDF()
    pdf.set_font("helvetica", size=4)
    pdf.add_page()
    pdf.multi_cell(w=0, text=("deliverable " * 13_000).strip())
    doc = extract_bytes(bytes(pdf.output()), "dense.pdf")
    _valid(doc)
    assert max(len(b.text) for b in doc.blocks) <= MAX_BLOCK_CHARS


# ---------------------------------------------------------------------------------------------
# DTD / entity declarations the first prolog check missed
# ---------------------------------------------------------------------------------------------


def _declares(prolog: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + prolog
        + b'<!DOCTYPE w:document [<!ENTITY x "boom">]>'
        + BODY
    )


@pytest.mark.parametrize(
    ("part", "content"),
    [
        # A comment holding "<a" looked like the root element, hiding the DOCTYPE after it.
        ("word/document.xml", _declares(b"<!-- <a -->")),
        ("word/document.xml", _declares(b"<?pi <b?>")),
        ("word/document.xml", _declares(b"<!--" + b" " * 70_000 + b"-->")),
        # UTF-16 parts: the byte scan never saw "<!DOCTYPE" between the NUL bytes.
        ("word/document.xml", codecs.BOM_UTF16_LE + _declares(b"").decode().encode("utf-16-le")),
        ("word/document.xml", _declares(b"").decode().encode("utf-16-be")),
        # Lower case, external entities (XXE) and other parts.
        ("word/document.xml", BILLION_LAUGHS.replace(b"<!DOCTYPE", b"<!doctype")),
        (
            "word/document.xml",
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + BODY,
        ),
        ("word/styles.xml", BILLION_LAUGHS),
        ("customXml/item1.dat", BILLION_LAUGHS),
    ],
)
def test_regression_docx_dtd_always_refused(part: str, content: bytes) -> None:
    data = replace_part(proposal_docx(), part, content)
    with pytest.raises(CorruptDocumentError) as info:
        extract_bytes(data, "dtd.docx")
    assert "DOCTYPE/ENTITY" in str(info.value) or "prolog over 64 KB" in str(info.value)
    assert "boom" not in info.value.one_line() and "root:" not in info.value.one_line()


def test_regression_docx_binary_parts_are_fine() -> None:
    """Images are not XML: the DTD check must not refuse a DOCX for its media."""
    data = replace_part(proposal_docx(), "word/media/image1.png", b"\x89PNG\r\n\x1a\n<!DOCTYPE")
    assert "The vendor will deliver" in extract_bytes(data, "media.docx").text


def test_regression_docx_part_named_xml_must_be_xml() -> None:
    data = replace_part(proposal_docx(), "word/styles.xml", b"\x00\x01binary")
    with pytest.raises(CorruptDocumentError, match="is not XML"):
        extract_bytes(data, "odd.docx")


def test_regression_zip_directory_checked_before_parsing() -> None:
    """A zip listing 2**16 - 2 entries is refused from its end record, before zipfile reads it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
    data = bytearray(buffer.getvalue())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (65534).to_bytes(2, "little") * 2
    with pytest.raises(AnalyzerError, match="65,534 parts"):
        extract_bytes(bytes(data), "lying.docx")


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def test_regression_pdf_same_line_on_every_page_is_content() -> None:
    """One identical line per page was all dropped as a running header: "no text layer"."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for number in range(1, 6):
        pdf.add_page()
        pdf.cell(text=f"Item {number}: the vendor will deliver the report within 5 days.")
    doc = extract_bytes(bytes(pdf.output()), "items.pdf")
    assert len(doc.blocks) == 5 and doc.blocks[4].text.startswith("Item 5:")


# ---------------------------------------------------------------------------------------------
# Found by fuzzing (tests/fuzz): each raised a raw library exception instead of an error line
# ---------------------------------------------------------------------------------------------


def test_regression_fuzz_damaged_deflate_stream(examples_dir: Path) -> None:
    """hypothesis: one flipped byte in a deflated part raised zlib.error from the DTD scan."""
    data = bytearray((examples_dir / "servicedesk-proposal.docx").read_bytes())
    data[49] ^= 0xFF  # inside [Content_Types].xml's compressed bytes; the zip headers are intact
    with pytest.raises(CorruptDocumentError, match="not a valid DOCX"):
        extract_bytes(bytes(data), "proposal.docx")


def test_regression_fuzz_zip_member_without_name() -> None:
    """atheris: a zip entry with an empty name made ZipInfo.is_dir() raise IndexError."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        with zipfile.ZipFile(io.BytesIO(proposal_docx())) as source:
            for info in source.infolist():
                archive.writestr(info.filename, source.read(info))
        archive.writestr(zipfile.ZipInfo(""), b"<x/>")
    doc = extract_bytes(buffer.getvalue(), "nameless.docx")
    assert "The vendor will deliver" in doc.text


def test_regression_fuzz_error_line_with_unassigned_character() -> None:
    """atheris: lxml quoted an unassigned code point (U+05CC) from a namespace URI into the
    error; the one-line message was not printable. Now every invisible character is escaped."""
    docx = proposal_docx()
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        xml = archive.read("word/document.xml")
    broken = xml.replace(b"http://schemas", "http:/\u05ccchemas".encode(), 1)
    with pytest.raises(CorruptDocumentError) as info:
        extract_bytes(replace_part(docx, "word/document.xml", broken), "uri.docx")
    line = info.value.one_line()
    assert "\\u05cc" in line and line.isprintable()


def test_regression_phrase_flood_is_capped_per_sentence() -> None:
    """A sentence of 20,000 placeholders gave 20,000 findings, each with its own copy of it."""
    from analyzer.analyze import Analyzer
    from analyzer.nlp.detect import MAX_PHRASES_PER_SENTENCE

    report = Analyzer(model_dir=None).analyze_text("TBD " * 20_000, "flood.txt")
    phrases = [f for f in report.findings if f.category == "ambiguity"]
    by_sentence: dict[int | None, list[str | None]] = {}
    for finding in phrases:
        by_sentence.setdefault(finding.sentence_start, []).append(finding.sentence)
    assert phrases
    assert max(len(v) for v in by_sentence.values()) == MAX_PHRASES_PER_SENTENCE
    for texts in by_sentence.values():
        assert all(t is texts[0] for t in texts)  # one string per sentence, shared
