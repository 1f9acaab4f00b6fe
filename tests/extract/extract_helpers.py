"""Assertions shared by the extraction tests."""

from __future__ import annotations

from analyzer.types import Document


def check_document(doc: Document) -> None:
    """Assert the invariants every extracted `Document` promises."""
    previous_end = 0
    for i, block in enumerate(doc.blocks):
        assert block.start < block.end, block
        assert block.start >= previous_end, f"block {i} overlaps or is out of order"
        assert doc.text[block.start : block.end] == block.text
        assert block.text == block.text.strip(), f"block {i} has surrounding whitespace"
        if block.kind == "heading":
            assert block.section and block.section[-1], block
            assert block.level is not None and block.level >= 1
        previous_end = block.end
    if doc.kind in ("pdf", "docx"):
        for left, right in zip(doc.blocks, doc.blocks[1:], strict=False):
            assert doc.text[left.end : right.start] == "\n\n"
        assert "\n\n" not in "".join(b.text for b in doc.blocks)
    if doc.kind == "pdf":
        assert doc.pages is not None and doc.pages >= 1
        assert all(b.page is not None and 1 <= b.page <= doc.pages for b in doc.blocks)
    else:
        assert doc.pages is None
    if doc.page_boxes is not None:
        for page in doc.page_boxes:
            assert len(page.offsets) == len(page.boxes)
            assert all(0 <= off < len(doc.text) for off in page.offsets)
