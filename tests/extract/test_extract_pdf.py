"""PDF extraction on PDFs built with fpdf2: furniture, hyphenation, headings, failures."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from extract_helpers import check_document
from fpdf import FPDF

from analyzer.config import Limits
from analyzer.errors import (
    AnalyzerError,
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    LimitExceededError,
    NoTextLayerError,
)
from analyzer.extract import extract

WriteFile = Callable[[str, bytes], Path]

BODY = (
    "The vendor will deliver the customer portal and the reporting module within twelve "
    "weeks of the signature of this agreement by both parties. "
)


class _Report(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", size=9)
        self.cell(0, 8, "ACME Corp - Statement of Work", align="C")
        self.ln(12)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=9)
        self.cell(0, 8, f"Page {self.page_no()} of 3", align="C")


def _multi_page_pdf() -> bytes:
    pdf = _Report()
    pdf.set_font("Helvetica", size=11)
    for page, title in enumerate(["Scope", "Deliverables", "Pricing"], start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 8, f"{page} {title}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, BODY * 3)
        pdf.ln(6)
        if page == 2:
            pdf.multi_cell(
                0, 6, "The vendor will handle the imple-\nmentation of the end-to-\nend tests."
            )
            pdf.ln(6)
            pdf.multi_cell(0, 6, "- first bullet item\n- second bullet item")
            pdf.ln(6)
            pdf.set_font("Helvetica", "B", 12)
            pdf.cell(0, 8, "2.1 Term and Termination", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", size=11)
            pdf.multi_cell(0, 6, "This agreement ends after one year.")
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def multi_page_pdf() -> bytes:
    return _multi_page_pdf()


@pytest.mark.parametrize("engine", ["auto", "pdfium", "pdfplumber"])
def test_pdf_multi_page_layout(write_file: WriteFile, multi_page_pdf: bytes, engine: str) -> None:
    doc = extract(write_file("sow.pdf", multi_page_pdf), engine=engine)  # type: ignore[arg-type]
    check_document(doc)
    assert doc.kind == "pdf"
    assert doc.pages == 3
    texts = [b.text for b in doc.blocks]
    assert not any("ACME Corp" in t for t in texts), "running header kept"
    assert not any(t.startswith("Page ") for t in texts), "page number kept"
    assert "implementation" in doc.text
    assert "end-to-end tests" in doc.text
    headings = [b for b in doc.blocks if b.kind == "heading"]
    assert [h.text for h in headings] == [
        "1 Scope",
        "2 Deliverables",
        "2.1 Term and Termination",
        "3 Pricing",
    ]
    term = next(b for b in doc.blocks if b.text == "This agreement ends after one year.")
    assert term.section == ("2 Deliverables", "2.1 Term and Termination")
    assert term.page == 2
    bullets = [b.text for b in doc.blocks if b.kind == "list_item"]
    assert bullets == ["- first bullet item", "- second bullet item"]
    body = next(b for b in doc.blocks if b.text.startswith("The vendor will deliver"))
    assert body.text == (BODY * 3).strip()


def test_pdf_bbox_present_with_pdfium(write_file: WriteFile, multi_page_pdf: bytes) -> None:
    doc = extract(write_file("sow.pdf", multi_page_pdf))
    heading = doc.blocks[0]
    assert heading.bbox is not None
    x0, top, x1, bottom = heading.bbox
    assert 0 <= x0 < x1 and 0 <= top < bottom < 842
    assert doc.page_boxes is None


def test_pdf_boxes_align_with_text(write_file: WriteFile, multi_page_pdf: bytes) -> None:
    fast = extract(write_file("sow.pdf", multi_page_pdf))
    doc = extract(write_file("sow.pdf", multi_page_pdf), boxes=True)
    check_document(doc)
    assert doc.text == fast.text
    assert doc.page_boxes is not None and len(doc.page_boxes) == 3
    first = doc.page_boxes[0]
    assert first.width == pytest.approx(595.28, abs=1)
    heading = doc.blocks[0]
    offsets = [o for o in first.offsets if heading.start <= o < heading.end]
    # Every visible character of the heading has a box; its top-left box lies near the top.
    assert len(offsets) == len(heading.text.replace(" ", ""))
    box = first.boxes[first.offsets.index(heading.start)]
    assert box[1] < 100 and box[0] < box[2] and box[1] < box[3]


def test_pdf_encrypted(write_file: WriteFile) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 8, "Secret scope")
    pdf.set_encryption(owner_password="owner", user_password="user")
    with pytest.raises(EncryptedDocumentError, match="encrypted PDF") as info:
        extract(write_file("secret.pdf", bytes(pdf.output())))
    assert "remove the password" in info.value.one_line()


def test_pdf_image_only_has_no_text_layer(write_file: WriteFile) -> None:
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 100, 60, style="F")
    with pytest.raises(NoTextLayerError, match="no text layer"):
        extract(write_file("scan.pdf", bytes(pdf.output())))


def test_pdf_truncated_is_corrupt(write_file: WriteFile, multi_page_pdf: bytes) -> None:
    data = multi_page_pdf[: len(multi_page_pdf) // 2]
    with pytest.raises((CorruptDocumentError, NoTextLayerError)) as info:
        extract(write_file("cut.pdf", data))
    assert "\n" not in str(info.value)


def test_pdf_random_bytes_named_pdf(write_file: WriteFile) -> None:
    with pytest.raises(CorruptDocumentError, match="corrupt PDF"):
        extract(write_file("random.pdf", os.urandom(4096)))


def test_pdf_header_then_garbage(write_file: WriteFile) -> None:
    with pytest.raises(CorruptDocumentError, match="corrupt PDF"):
        extract(write_file("garbage.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 100))


def test_pdf_renamed_docx_is_read_as_pdf(write_file: WriteFile, multi_page_pdf: bytes) -> None:
    doc = extract(write_file("really-a-pdf.docx", multi_page_pdf))
    assert doc.kind == "pdf"
    assert doc.pages == 3


def test_pdf_page_limit(write_file: WriteFile, multi_page_pdf: bytes) -> None:
    with pytest.raises(LimitExceededError, match="3 pages"):
        extract(write_file("sow.pdf", multi_page_pdf), limits=Limits(max_pages=2))


def test_pdf_file_size_limit(write_file: WriteFile, multi_page_pdf: bytes) -> None:
    with pytest.raises(LimitExceededError):
        extract(write_file("sow.pdf", multi_page_pdf), limits=Limits(max_file_bytes=100))


@pytest.mark.parametrize("name", ["empty.pdf", "empty.docx", "empty.txt", "empty.md"])
def test_pdf_zero_byte_files(write_file: WriteFile, name: str) -> None:
    with pytest.raises(EmptyDocumentError, match="empty file: no text to analyse"):
        extract(write_file(name, b""))


def test_pdf_missing_file_is_access_error(tmp_path: Path) -> None:
    from analyzer.errors import FileAccessError

    with pytest.raises(FileAccessError, match="file not found"):
        extract(tmp_path / "nope.pdf")
    with pytest.raises(FileAccessError, match="directory"):
        extract(tmp_path)


def test_pdf_errors_carry_path(write_file: WriteFile) -> None:
    path = write_file("random.pdf", b"not a pdf at all")
    with pytest.raises(AnalyzerError) as info:
        extract(path)
    assert info.value.path == str(path)
