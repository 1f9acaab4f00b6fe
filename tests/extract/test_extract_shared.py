"""Golden checks on real documents from ../shared/data (skipped when absent)."""

from __future__ import annotations

import re
from pathlib import Path

from extract_helpers import check_document
from needs import skip_or_fail

from analyzer.errors import AnalyzerError
from analyzer.extract import extract

_PAGE_NUMBER_ONLY = re.compile(r"^(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*of\s*\d+)?$", re.I)


def _cuad_pdfs(shared_data: Path) -> list[Path]:
    root = shared_data / "cuad" / "CUAD_v1" / "full_contract_pdf"
    files = sorted(root.rglob("*.pdf"))
    if not files:
        skip_or_fail("no CUAD PDFs")
    return files[:5]


def test_extract_shared_cuad_pdfs(shared_data: Path) -> None:
    for path in _cuad_pdfs(shared_data):
        doc = extract(path)
        check_document(doc)
        assert doc.pages is not None and doc.pages > 1
        assert len(doc.text) > 2000
        assert not [b.text for b in doc.blocks if _PAGE_NUMBER_ONLY.match(b.text)], path.name


def test_extract_shared_cuad_boxes(shared_data: Path) -> None:
    path = _cuad_pdfs(shared_data)[0]
    doc = extract(path, boxes=True)
    check_document(doc)
    assert doc.text == extract(path).text
    assert doc.page_boxes is not None and sum(len(p.offsets) for p in doc.page_boxes) > 1000


def test_extract_shared_common_paper_docx(shared_data: Path) -> None:
    path = (
        shared_data
        / "contract_templates/common-paper-cc-by-4.0/common-paper-statement-of-work/template.docx"
    )
    if not path.exists():
        skip_or_fail("Common Paper SOW template missing")
    doc = extract(path)
    check_document(doc)
    assert doc.kind == "docx"
    assert any(b.kind == "heading" for b in doc.blocks)
    assert any(b.kind == "table_row" for b in doc.blocks)


def test_extract_shared_pws_markdown(shared_data: Path) -> None:
    path = (
        shared_data
        / "sow_rfp/18F_tts-buy-development-desgin-research-bpa/Performance Work Statement.md"
    )
    if not path.exists():
        skip_or_fail("PWS markdown missing")
    doc = extract(path)
    check_document(doc)
    assert doc.text == path.read_text(encoding="utf-8").replace("\r\n", "\n").lstrip("\ufeff")
    headings = [b for b in doc.blocks if b.kind == "heading"]
    assert len(headings) > 5
    assert any(b.kind == "list_item" for b in doc.blocks)
    assert any(len(b.section) >= 2 for b in doc.blocks)


def test_extract_shared_req_never_crashes(shared_data: Path) -> None:
    """Every file either extracts cleanly or fails with an AnalyzerError — nothing else."""
    root = shared_data / "pure" / "resources" / "req"
    files = sorted(p for p in root.iterdir() if p.is_file()) if root.is_dir() else []
    if not files:
        skip_or_fail("PURE requirement documents missing")
    outcomes: dict[str, str] = {}
    for path in files:
        try:
            doc = extract(path)
        except AnalyzerError as exc:
            assert "\n" not in exc.one_line()
            outcomes[path.name] = type(exc).__name__
        else:
            check_document(doc)
            outcomes[path.name] = "ok"
    assert "ok" in outcomes.values()
    assert outcomes.get("2000 - nasa x38.doc") == "UnsupportedFormatError"
