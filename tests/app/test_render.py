"""Page images with highlights (analyzer.render)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from analyzer.errors import CorruptDocumentError
from analyzer.extract import extract
from analyzer.render import (
    Highlight,
    draw_highlights,
    highlights_for,
    page_count,
    page_of_offset,
    render_page,
    span_rects,
    to_png,
)
from analyzer.types import Finding, PageBoxes

PDF = Path(__file__).resolve().parents[2] / "examples" / "data-migration-sow.pdf"

# Two lines of three characters each: offsets 0-2 on line 1, 4-6 on line 2 (3 is the newline).
BOXES = PageBoxes(
    page=1,
    width=200.0,
    height=100.0,
    offsets=(0, 1, 2, 4, 5, 6),
    boxes=(
        (10.0, 10.0, 20.0, 20.0),
        (20.0, 10.0, 30.0, 20.0),
        (30.0, 10.0, 40.0, 20.0),
        (10.0, 30.0, 20.0, 40.0),
        (20.0, 30.0, 30.0, 40.0),
        (30.0, 30.0, 40.0, 40.0),
    ),
)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, 3, [(10.0, 10.0, 40.0, 20.0)]),
        (1, 2, [(20.0, 10.0, 30.0, 20.0)]),
        (1, 6, [(20.0, 10.0, 40.0, 20.0), (10.0, 30.0, 30.0, 40.0)]),
        (50, 60, []),
    ],
)
def test_render_span_rects_one_rectangle_per_line(
    start: int, end: int, expected: list[tuple[float, float, float, float]]
) -> None:
    assert span_rects(BOXES, start, end) == expected


def test_render_page_of_offset() -> None:
    assert page_of_offset([BOXES], 5) == 1
    assert page_of_offset([BOXES], 99) is None


def test_render_highlights_for_skips_document_findings_and_draws_selected_last() -> None:
    def f(id_: str, start: int | None) -> Finding:
        end = None if start is None else start + 2
        return Finding(
            id_, "ambiguity", "vague_term", "high", start, end, None, None, None, None, "", "", "r"
        )

    marks = highlights_for([f("a", 0), f("b", None), f("c", 4)], selected_id="a")
    assert [(m.start, m.selected) for m in marks] == [(4, False), (0, True)]
    assert marks[0].colour.startswith("#")


def test_render_draw_highlights_paints_only_the_span() -> None:
    image = Image.new("RGB", (200, 100), "white")
    painted = draw_highlights(image, BOXES, [Highlight(0, 3, "#ff0000", selected=True)], 1.0)
    assert painted.getpixel((25, 15)) != (255, 255, 255)
    assert painted.getpixel((25, 35)) == (255, 255, 255)
    assert image.getpixel((25, 15)) == (255, 255, 255)  # the input is not changed


def test_render_highlights_keep_the_text_black() -> None:
    # Issue #16, item 7: the translucent overlay greyed the flagged text; a highlighter
    # (multiply) tints the paper and leaves dark ink dark.
    image = Image.new("RGB", (200, 100), "white")
    image.putpixel((15, 15), (0, 0, 0))  # a dot of "ink" inside the first character box
    painted = draw_highlights(image, BOXES, [Highlight(0, 3, "#a8d8ff", selected=False)], 1.0)
    assert painted.getpixel((15, 15)) == (0, 0, 0)
    assert painted.getpixel((25, 15)) == (168, 216, 255)  # the paper takes the colour


def test_render_page_of_a_real_pdf_with_boxes() -> None:
    data = PDF.read_bytes()
    document = extract(PDF, boxes=True)
    assert document.page_boxes is not None
    boxes = document.page_boxes[0]
    start = document.text.index("TBD")
    plain = render_page(data, 1, scale=1.0)
    marked = render_page(
        data, 1, boxes=boxes, highlights=[Highlight(start, start + 3, "#ffe08a", True)], scale=1.0
    )
    assert plain.size == marked.size
    assert abs(plain.size[0] - boxes.width) <= 1 and abs(plain.size[1] - boxes.height) <= 1
    assert plain.tobytes() != marked.tobytes()
    assert page_count(data) == document.pages
    assert to_png(marked).startswith(b"\x89PNG")


def test_render_page_out_of_range_and_corrupt_input() -> None:
    data = PDF.read_bytes()
    with pytest.raises(ValueError, match="out of range"):
        render_page(data, 99)
    with pytest.raises(CorruptDocumentError):
        render_page(b"%PDF-1.4 not really", 1)
    with pytest.raises(CorruptDocumentError):
        page_count(b"nope")
