"""PDF page images with findings drawn over their characters (for the review app).

A finding is located on the page from `Document.page_boxes`: the character boxes of the span
`[start, end)` are merged into one rectangle per line and painted in the category colour, with
the selected finding outlined. Pages are rendered with PDFium (`pypdfium2`) and drawn on with
Pillow; nothing here imports Streamlit.

    image = render_page(pdf_bytes, 1, boxes=document.page_boxes[0], highlights=[...])
"""

from __future__ import annotations

import io
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw

from analyzer.errors import CorruptDocumentError
from analyzer.report.colours import colour_for
from analyzer.types import Finding, PageBoxes

Rect = tuple[float, float, float, float]
"""(x0, top, x1, bottom) in PDF points, top-left origin."""

DEFAULT_SCALE = 1.5
"""Render scale: 1.0 is 72 dpi; 1.5 gives a page about 900 px wide."""

MAX_SCALE = 4.0
OUTLINE_COLOUR = (198, 40, 40, 255)


@dataclass(frozen=True, slots=True)
class Highlight:
    """A span of the document text to paint on its page.

    Attributes:
        start: Offset of the first character (into `Document.text`).
        end: Offset after the last character.
        colour: CSS hex colour, e.g. "#ffe08a".
        selected: Outline the span (the finding the reviewer is looking at).
    """

    start: int
    end: int
    colour: str
    selected: bool = False


def highlights_for(findings: Iterable[Finding], selected_id: str | None = None) -> list[Highlight]:
    """Highlights of the findings that have offsets, in the colour of their category.

    Args:
        findings: Findings of one document (document-level ones are skipped).
        selected_id: The id of the finding to outline.

    Returns:
        One highlight per finding with a span; the selected one last so it is drawn on top.
    """
    out = [
        Highlight(f.start, f.end, colour_for(f.category), f.id == selected_id)
        for f in findings
        if f.start is not None and f.end is not None and f.start < f.end
    ]
    return sorted(out, key=lambda h: h.selected)


def span_rects(boxes: PageBoxes, start: int, end: int) -> list[Rect]:
    """Rectangles covering the characters of `[start, end)` on one page, one per line.

    Consecutive character boxes are merged while they sit on the same line (vertical overlap)
    and run left to right; a new line or a jump back to the left starts a new rectangle.

    Args:
        boxes: The page's character boxes (offsets ascending).
        start: Span start offset.
        end: Span end offset.

    Returns:
        Rectangles in PDF points (empty when the span is not on this page).
    """
    offsets = boxes.offsets
    i = bisect_left(offsets, start)
    rects: list[list[float]] = []
    while i < len(offsets) and offsets[i] < end:
        x0, top, x1, bottom = boxes.boxes[i]
        i += 1
        if x1 <= x0 or bottom <= top:
            continue
        if rects:
            r = rects[-1]
            overlap = min(r[3], bottom) - max(r[1], top)
            same_line = overlap > 0.5 * min(r[3] - r[1], bottom - top)
            if same_line and x0 >= r[0] - 1.0:
                r[0], r[1], r[2], r[3] = (
                    min(r[0], x0),
                    min(r[1], top),
                    max(r[2], x1),
                    max(r[3], bottom),
                )
                continue
        rects.append([x0, top, x1, bottom])
    return [(r[0], r[1], r[2], r[3]) for r in rects]


def page_of_offset(page_boxes: Sequence[PageBoxes], offset: int) -> int | None:
    """The 1-based page whose characters include (or follow nearest) `offset`, or None."""
    for boxes in page_boxes:
        if boxes.offsets and boxes.offsets[0] <= offset <= boxes.offsets[-1]:
            return boxes.page
    return None


def _rgba(colour: str, alpha: int) -> tuple[int, int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        return (224, 224, 224, alpha)
    try:
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), alpha)
    except ValueError:
        return (224, 224, 224, alpha)


def draw_highlights(
    image: Image.Image,
    boxes: PageBoxes,
    highlights: Iterable[Highlight],
    scale: float,
) -> Image.Image:
    """A copy of `image` with the highlighted characters marked like a highlighter pen.

    Args:
        image: The rendered page.
        boxes: The page's character boxes (PDF points).
        highlights: Spans to paint; selected ones get a red outline.
        scale: Pixels per PDF point of `image`.

    Returns:
        A new RGB image.
    """
    # A highlighter, not a veil: the colour is multiplied into the page, so white paper takes
    # the category colour and black text stays black (a translucent fill greyed the text).
    tint = Image.new("RGB", image.size, (255, 255, 255))
    draw = ImageDraw.Draw(tint)
    pad = 1.0
    outlines: list[tuple[float, float, float, float]] = []
    for highlight in highlights:
        for x0, top, x1, bottom in span_rects(boxes, highlight.start, highlight.end):
            rect = (
                (x0 - pad) * scale,
                (top - pad) * scale,
                (x1 + pad) * scale,
                (bottom + pad) * scale,
            )
            draw.rectangle(rect, fill=_rgba(highlight.colour, 255)[:3])
            if highlight.selected:
                outlines.append(rect)
    page = ImageChops.multiply(image.convert("RGB"), tint)
    width = max(2, round(scale * 1.5))
    pen = ImageDraw.Draw(page)
    for rect in outlines:
        pen.rectangle(rect, outline=OUTLINE_COLOUR[:3], width=width)
    return page


def page_count(pdf: bytes) -> int:
    """Number of pages of a PDF held in memory.

    Raises:
        CorruptDocumentError: PDFium cannot open the bytes.
    """
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise CorruptDocumentError(f"cannot open the PDF to render it: {exc}") from None
    try:
        return len(document)
    finally:
        document.close()


def render_page(
    pdf: bytes,
    page: int,
    *,
    boxes: PageBoxes | None = None,
    highlights: Iterable[Highlight] = (),
    scale: float = DEFAULT_SCALE,
) -> Image.Image:
    """Render one page of a PDF, with highlights drawn over their characters.

    Args:
        pdf: The original PDF bytes.
        page: 1-based page number.
        boxes: Character boxes of that page (from `Document.page_boxes`); without them the
            page is rendered plain.
        highlights: Spans to paint (see `highlights_for`).
        scale: Pixels per PDF point (clamped to (0, 4]).

    Returns:
        An RGB image of the page.

    Raises:
        CorruptDocumentError: The bytes are not a readable PDF.
        ValueError: `page` is out of range.
    """
    import pypdfium2 as pdfium

    scale = min(max(scale, 0.1), MAX_SCALE)
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise CorruptDocumentError(f"cannot open the PDF to render it: {exc}") from None
    try:
        if not 1 <= page <= len(document):
            raise ValueError(f"page {page} is out of range 1..{len(document)}")
        pdf_page = document[page - 1]
        try:
            bitmap = pdf_page.render(scale=scale)
            try:
                image = bitmap.to_pil().convert("RGB")
            finally:
                bitmap.close()
        finally:
            pdf_page.close()
    except pdfium.PdfiumError as exc:
        raise CorruptDocumentError(f"cannot render page {page}: {exc}") from None
    finally:
        document.close()
    if boxes is not None:
        image = draw_highlights(image, boxes, highlights, scale)
    return image


def to_png(image: Image.Image) -> bytes:
    """PNG bytes of `image` (what the app caches and shows)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
