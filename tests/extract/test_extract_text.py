"""TXT and Markdown: exact text, blocks as spans over it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from extract_helpers import check_document
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import EmptyDocumentError
from analyzer.extract import extract
from analyzer.extract.text import decode_text, split_blocks

WriteFile = Callable[[str, bytes], Path]

SOW = """STATEMENT OF WORK

1 Scope
The vendor will deliver the portal.
It will be hosted by the client.

1.1 Deliverables
- a working portal
- training for 10 users
  spread over two days

2 Exclusions
Data migration is not included.
"""


def test_text_blocks_and_sections(write_file: WriteFile) -> None:
    doc = extract(write_file("sow.txt", SOW.encode()))
    check_document(doc)
    assert doc.kind == "txt"
    assert doc.text == SOW
    kinds = [(b.kind, b.text.split("\n")[0]) for b in doc.blocks]
    assert kinds[:3] == [
        ("heading", "STATEMENT OF WORK"),
        ("heading", "1 Scope"),
        ("paragraph", "The vendor will deliver the portal."),
    ]
    para = doc.blocks[2]
    assert para.text == "The vendor will deliver the portal.\nIt will be hosted by the client."
    assert para.section == ("1 Scope",)
    items = [b for b in doc.blocks if b.kind == "list_item"]
    assert [b.text for b in items] == [
        "- a working portal",
        "- training for 10 users\n  spread over two days",
    ]
    assert items[0].section == ("1 Scope", "1.1 Deliverables")
    last = doc.blocks[-1]
    assert last.section == ("2 Exclusions",)


def test_text_latin1_decoded(write_file: WriteFile) -> None:
    text = "Le fournisseur livrera le système à la date prévue.\n"
    doc = extract(write_file("fr.txt", text.encode("latin-1")))
    assert doc.text == text
    check_document(doc)


def test_text_crlf_bom_and_nul(write_file: WriteFile) -> None:
    data = b"\xef\xbb\xbfFirst line\r\nsecond\x00 line\r\n\r\nNext paragraph.\r\n"
    doc = extract(write_file("crlf.txt", data))
    assert doc.text == "First line\nsecond line\n\nNext paragraph.\n"
    assert [b.text for b in doc.blocks] == ["First line\nsecond line", "Next paragraph."]
    check_document(doc)


def test_text_utf16_with_bom() -> None:
    text, encoding = decode_text("Scope: portal\n".encode("utf-16"))
    assert text == "Scope: portal\n"
    assert encoding == "utf-16"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  "])
def test_text_empty(write_file: WriteFile, data: bytes) -> None:
    with pytest.raises(EmptyDocumentError, match="empty file"):
        extract(write_file("empty.txt", data))


def test_text_standalone_title_is_heading() -> None:
    text = "Scope of Work\n\nThe vendor will build it.\n"
    blocks = split_blocks(text, markdown=False)
    assert [b.kind for b in blocks] == ["heading", "paragraph"]
    assert blocks[1].section == ("Scope of Work",)


def test_text_numbered_clause_is_not_heading() -> None:
    blocks = split_blocks("1.1 The Supplier shall provide the Services.\n", markdown=False)
    assert [b.kind for b in blocks] == ["paragraph"]


def _pages(footer: str, pages: int, heading: str = "Services") -> str:
    body = "\n".join(f"Clause {i}: the Provider shall host the portal." for i in range(8))
    return f"{heading}\n\n{body}\n\n{footer}\n\n\n" * pages


def test_text_page_footer_of_a_converted_pdf_is_dropped() -> None:
    footer = "Source: ACME CORP, 8-K, 10/1/2008"
    text = _pages(footer, 3)
    blocks = split_blocks(text, markdown=False)
    assert not any(footer in b.text for b in blocks)
    assert {b.section for b in blocks} == {("Services",)}
    assert [b.kind for b in blocks] == ["heading", "paragraph"] * 3


@pytest.mark.parametrize(
    "text",
    [
        # Cells of a converted price table: figures, not footers.
        "Price\n\n$10,000\n\nDuration\n\n2 weeks\n\n" * 3,
        # A repeated value under each phase heading is content, however often it recurs.
        "".join(
            f"Phase {i}\n\nDuration: 2 weeks\n\nThe team builds part {i}.\n\n" for i in range(4)
        ),
        # A dated line close together is content too.
        "".join(f"{i}. PRICING\n\nFee: 10% of the 2024 budget\n\n" for i in range(3)),
    ],
)
def test_text_repeated_content_lines_are_not_footers(text: str) -> None:
    blocks = split_blocks(text, markdown=False)
    kept = "".join(b.text for b in blocks)
    for line in ("$10,000", "2 weeks", "Fee: 10% of the 2024 budget"):
        assert kept.count(line) == text.count(line)


@pytest.mark.parametrize(
    ("footer", "pages", "markdown"),
    [
        ("Source: ACME CORP, 8-K, 10/1/2008", 2, False),  # twice is not yet a pattern
        ("Deliverables", 3, False),  # a repeated heading without a number is structure
        ("Source: ACME CORP, 8-K, 10/1/2008", 3, True),  # Markdown repeats table rows on purpose
    ],
)
def test_text_repeated_lines_that_stay(footer: str, pages: int, markdown: bool) -> None:
    blocks = split_blocks(_pages(footer, pages), markdown=markdown)
    assert sum(footer in b.text for b in blocks) == pages


def test_text_repeated_line_inside_a_paragraph_stays() -> None:
    line = "Fee schedule 2024: see Exhibit B"
    text = "".join(f"Intro {i}.\n{line}\n\n" for i in range(3))
    blocks = split_blocks(text, markdown=False)
    assert sum(line in b.text for b in blocks) == 3


MARKDOWN = """---
title: PWS
---
# Performance Work Statement

Intro text.

Background
----------

Setext body.

## 1. Scope
* first item
  continued
* second item
   * nested item

| Task | Hours |
|------|------:|
| Build | 100 |

```
# not a heading
```
"""


def test_text_markdown_structure(write_file: WriteFile) -> None:
    doc = extract(write_file("pws.md", MARKDOWN.encode()))
    check_document(doc)
    assert doc.kind == "md"
    assert doc.text == MARKDOWN
    got = [(b.kind, b.level) for b in doc.blocks]
    assert got == [
        ("heading", 1),
        ("paragraph", None),
        ("heading", 2),
        ("paragraph", None),
        ("heading", 2),
        ("list_item", 1),
        ("list_item", 1),
        ("list_item", 2),
        ("table_row", None),
        ("table_row", None),
        ("paragraph", None),
    ]
    assert doc.blocks[0].text == "# Performance Work Statement"
    assert doc.blocks[2].text == "Background"
    assert doc.blocks[5].text == "* first item\n  continued"
    assert doc.blocks[5].section == ("Performance Work Statement", "1. Scope")
    assert doc.blocks[-1].text.startswith("```")


_PIECES = [*"ab Z.-#|*1\n\t\r\x0b\u2028é", "\n\n", "- ", "1. ", "# ", "ABC ", "```"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=80).map("".join), st.booleans())
def test_text_hypothesis_invariants(text: str, markdown: bool) -> None:
    normalised, _ = decode_text(text.encode("utf-8"))
    assert normalised == text.replace("\r\n", "\n")
    blocks = split_blocks(normalised, markdown=markdown)
    previous_end = 0
    for block in blocks:
        assert previous_end <= block.start < block.end <= len(normalised)
        assert normalised[block.start : block.end] == block.text
        assert block.text == block.text.strip()
        previous_end = block.end
