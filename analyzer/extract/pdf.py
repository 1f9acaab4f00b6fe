"""PDF: page text from pypdfium2 (fast) or pdfplumber, rebuilt into paragraph blocks.

The text path does no per-character Python work: each page's text comes from one pdfium call,
and line positions come from two character boxes per line. Per-character boxes are read only
when the caller asks for them (`boxes=True`).
"""

from __future__ import annotations

import ctypes
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from analyzer.config import Limits
from analyzer.errors import (
    AnalyzerError,
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    LimitExceededError,
    NoTextLayerError,
)
from analyzer.extract.blocks import (
    Draft,
    Extracted,
    TextBudget,
    assemble,
    ends_sentence,
    error_line,
    heading_level,
    infer_level,
    is_list_item,
    is_title_like,
    library_errors,
)
from analyzer.types import BlockKind

Box = tuple[float, float, float, float]
"""(x0, top, x1, bottom), top-left origin, PDF points."""

# Line-end hyphen markers pdfium (and some producers) emit: the word continues on the next line.
_SOFT_HYPHENS = "\x02\xad\ufffe"
# Controls and invisible marks are dropped; exotic spaces become plain spaces.
_TRANSLATE: dict[int, int | None] = {c: None for c in range(32) if c not in (9, 10, 13)}
_TRANSLATE.update({ord(c): None for c in "\ufeff\u200b\u200c\u200d\u2060"})
_TRANSLATE.update({ord(c): 32 for c in "\t\xa0\u2000\u2001\u2002\u2003\u2004\u2005\u2006"})
_TRANSLATE.update({ord(c): 32 for c in "\u2007\u2008\u2009\u200a\u202f\u205f\u3000"})
_LINE_RE = re.compile(r"[^\r\n]+")
_MULTISPACE_RE = re.compile(r" {2,}")
_PAGE_NUMBER_RE = re.compile(
    r"^(?:(?:page|p\.|pg\.?)\s*)?[\[(\-–—]?\s*\d{1,4}\s*[\])\-–—]?"
    r"(?:\s*(?:of|/|von|de)\s*\d{1,4})?$|^[ivxlc]{1,7}$",
    re.IGNORECASE,
)
_MARKER_ANY_RE = re.compile("[\x02\xad\ufffe]")
# Word fragments are bounded ({0,64}): an unbounded prefix made `sub`/`search` quadratic on a
# long run of letters (a 20,000-letter line took 2 s; a crafted PDF line could take hours).
_MAX_WORD = 64
_MARKER_RE = re.compile(rf"([\w-]{{0,{_MAX_WORD}}})([\x02\xad\ufffe])(\w+)")
_NON_ALNUM_RE = re.compile(r"[\W_]+")
_DIGITS_RE = re.compile(r"\d+")
_TRAILING_WORD_RE = re.compile(rf"([\w-]{{1,{_MAX_WORD}}})-$")
# A page number line ("Page 3 of 12", "- 4 -", "iv") is short; longer lines are never matched,
# which also keeps the pattern's adjacent \s* runs from backtracking on a long line.
_PAGE_NUMBER_MAX = 40
# Prefixes that normally keep their hyphen when a line breaks after them ("self-\nservice").
_KEEP_HYPHEN_PREFIXES = frozenset(
    {"self", "non", "cross", "third", "well", "end", "user", "client", "vendor", "cloud", "pre"}
)
_HYPHEN_SUFFIXES = frozenset({"ly", "ing", "ed", "er", "ers", "est", "ness", "ment", "ments"})
_ZONE_LINES = 2
_ZONE_FRACTION = 0.1


@dataclass(slots=True)
class Line:
    """One text line of a page, cleaned; `idx` maps each char to its pdfium char (boxes)."""

    text: str
    page: int
    bbox: Box | None
    soft_hyphen: bool = False
    idx: list[int] | None = None
    boxes: list[Box | None] | None = None


def extract_pdf(data: bytes, *, engine: str, boxes: bool, limits: Limits) -> Extracted:
    """Extract a PDF.

    Args:
        data: The PDF file content.
        engine: "auto"/"pdfium" use pypdfium2; "pdfplumber" forces pdfplumber (adds tables).
        boxes: Also return per-character boxes (`Document.page_boxes`); slow, pdfium only.
        limits: Page limit, checked before any text is extracted.

    Returns:
        Text, blocks, page count and optional page boxes.

    Raises:
        EncryptedDocumentError, CorruptDocumentError, LimitExceededError, EmptyDocumentError,
        NoTextLayerError.
    """
    if engine == "pdfplumber":
        pages, sizes = _pdfplumber_pages(data, limits)
        boxes = False
    else:
        pages, sizes = _pdfium_pages(data, limits, boxes)
    if not _has_text(pages, max(10, 3 * len(pages))):
        raise NoTextLayerError("no text layer")
    original = list(pages)
    _drop_furniture(pages, sizes)
    drafts = list(_paragraphs(pages, sizes))
    if not drafts:
        # Every line looked like a running header (one same line per page): that line is the
        # content, not furniture — keep it rather than call a text PDF a scan.
        drafts = list(_paragraphs(original, sizes))
    text, blocks, page_boxes = assemble(drafts, sizes if boxes else None)
    if not blocks:
        raise NoTextLayerError("no text layer")
    return Extracted(
        text=text,
        blocks=blocks,
        pages=len(pages),
        page_boxes=page_boxes,
        metadata={"engine": "pdfplumber" if engine == "pdfplumber" else "pdfium"},
    )


def _has_text(pages: list[list[Line]], needed: int) -> bool:
    """True once `needed` letters/digits are seen (a scan has almost none)."""
    seen = 0
    for page in pages:
        for line in page:
            seen += len(_NON_ALNUM_RE.sub("", line.text))
            if seen >= needed:
                return True
    return False


# ---------------------------------------------------------------------------------------------
# pdfium
# ---------------------------------------------------------------------------------------------


def _check_pages(count: int, limits: Limits) -> None:
    """Refuse a PDF over the page limit (or without pages) before any page is read."""
    if count > limits.max_pages:
        raise LimitExceededError(
            f"PDF has {count} pages, over the limit of {limits.max_pages}",
            hint="split the document, or raise SCOPELENS_MAX_PAGES",
        )
    if count <= 0:
        raise EmptyDocumentError("empty file: the PDF has no pages")


def _pdfium_error(exc: BaseException) -> AnalyzerError:
    message = error_line(exc)
    if "password" in message.lower() or "security" in message.lower():
        return EncryptedDocumentError("encrypted PDF")
    return CorruptDocumentError(f"corrupt PDF: {message}")


_PDFIUM_ERRORS = (pdfium.PdfiumError, ValueError, OSError, IndexError, ctypes.ArgumentError)


def _pdfium_translate(exc: BaseException) -> AnalyzerError | None:
    return _pdfium_error(exc) if isinstance(exc, pdfium.PdfiumError) else None


def _pdfium_pages(
    data: bytes, limits: Limits, boxes: bool
) -> tuple[list[list[Line]], list[tuple[float, float]]]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _pdfium_error(exc) from None
    try:
        with library_errors("corrupt PDF", _PDFIUM_ERRORS, _pdfium_translate):
            count = len(document)
            _check_pages(count, limits)
            budget = TextBudget(limits)
            pages: list[list[Line]] = []
            sizes: list[tuple[float, float]] = []
            for number in range(1, count + 1):
                page = document[number - 1]
                try:
                    width, height = page.get_size()
                    textpage = page.get_textpage()
                    try:
                        lines = _pdfium_lines(textpage, number, height, boxes)
                    finally:
                        textpage.close()
                finally:
                    page.close()
                budget.spend(sum(len(line.text) + 1 for line in lines))
                pages.append(lines)
                sizes.append((width, height))
            return pages, sizes
    finally:
        document.close()


def _pdfium_lines(
    textpage: pdfium.PdfTextPage, number: int, height: float, boxes: bool
) -> list[Line]:
    n_chars = textpage.count_chars()
    if n_chars <= 0:
        return []
    raw = textpage.get_text_range()
    # Text index == char index unless pdfium excluded/inserted chars; map only when needed.
    identity = len(raw) == n_chars
    rect = pdfium_c.FS_RECTF()
    handle = textpage.raw

    def char_index(text_index: int) -> int:
        if identity:
            return text_index
        return int(pdfium_c.FPDFText_GetCharIndexFromTextIndex(handle, text_index))

    def char_box(text_index: int) -> Box | None:
        index = char_index(text_index)
        if index < 0 or not pdfium_c.FPDFText_GetLooseCharBox(handle, index, rect):
            return None
        # pdfium's origin is bottom-left; ours is top-left.
        return (rect.left, height - rect.top, rect.right, height - rect.bottom)

    lines: list[Line] = []
    for match in _LINE_RE.finditer(raw):
        segment = match.group()
        start = match.start()
        if boxes:
            line = _clean_with_boxes(segment, start, number, char_box)
        else:
            line = _clean(segment, number)
        if line is None:
            continue
        if line.bbox is None:
            left = start + (len(segment) - len(segment.lstrip()))
            right = start + len(segment.rstrip()) - 1
            first, last = char_box(left), char_box(right)
            if first is not None and last is not None:
                line.bbox = (
                    min(first[0], last[0]),
                    min(first[1], last[1]),
                    max(first[2], last[2]),
                    max(first[3], last[3]),
                )
        lines.append(line)
    return lines


def _keep_hyphen(fragment: str, next_word: str) -> bool:
    """Decide whether a hyphen at a line break is part of the word ("end-to-end") or not."""
    if not next_word[:1].islower():
        return True
    if "-" in fragment:
        return True
    return fragment.lower() in _KEEP_HYPHEN_PREFIXES and next_word.lower() not in _HYPHEN_SUFFIXES


def _resolve_markers(segment: str) -> str:
    """Replace mid-line hyphen markers by "-" or by a dropped control char (same length).

    pdfium removes the break of a hyphenated line and leaves U+FFFE (or 0x02) where the
    hyphen was; whether it was a real hyphen is the same call as at a visible line break.
    """

    def decide(match: re.Match[str]) -> str:
        return "-" if _keep_hyphen(match.group(1), match.group(3)) else "\x01"

    return _MARKER_RE.sub(lambda m: m.group(1) + decide(m) + m.group(3), segment)


def _clean(segment: str, number: int) -> Line | None:
    if _MARKER_ANY_RE.search(segment):
        segment = _resolve_markers(segment)
    text = segment.translate(_TRANSLATE)
    soft = False
    stripped = text.rstrip()
    if stripped and stripped[-1] in _SOFT_HYPHENS:
        soft = True
    for mark in _SOFT_HYPHENS:
        text = text.replace(mark, "")
    text = _MULTISPACE_RE.sub(" ", text).strip()
    if not text:
        return None
    return Line(text=text, page=number, bbox=None, soft_hyphen=soft)


def _clean_with_boxes(segment: str, start: int, number: int, char_box: object) -> Line | None:
    """Same result as `_clean`, keeping each kept character's box (slow path)."""
    chars: list[str] = []
    boxes: list[Box | None] = []
    soft = False
    if _MARKER_ANY_RE.search(segment):
        segment = _resolve_markers(segment)
    for offset, ch in enumerate(segment):
        mapped = _TRANSLATE.get(ord(ch), ord(ch))
        if mapped is None:
            continue
        if ch in _SOFT_HYPHENS:
            soft = True
            continue
        ch = chr(mapped)
        if ch == " " and (not chars or chars[-1] == " "):
            continue
        if ch != " ":
            soft = False
        chars.append(ch)
        boxes.append(None if ch == " " else char_box(start + offset))  # type: ignore[operator]
    while chars and chars[-1] == " ":
        chars.pop()
        boxes.pop()
    if not chars:
        return None
    real = [b for b in boxes if b is not None]
    bbox = (
        (
            min(b[0] for b in real),
            min(b[1] for b in real),
            max(b[2] for b in real),
            max(b[3] for b in real),
        )
        if real
        else None
    )
    return Line(text="".join(chars), page=number, bbox=bbox, soft_hyphen=soft, boxes=boxes)


# ---------------------------------------------------------------------------------------------
# pdfplumber
# ---------------------------------------------------------------------------------------------


def _pdfplumber_pages(
    data: bytes, limits: Limits
) -> tuple[list[list[Line]], list[tuple[float, float]]]:
    import io

    import pdfplumber

    pages: list[list[Line]] = []
    sizes: list[tuple[float, float]] = []
    # pdfminer raises many unrelated exception types on malformed input.
    with (
        library_errors("corrupt PDF", translate=_pdfminer_translate),
        pdfplumber.open(io.BytesIO(data)) as pdf,
    ):
        count = len(pdf.pages)
        _check_pages(count, limits)
        budget = TextBudget(limits)
        for number, page in enumerate(pdf.pages, start=1):
            sizes.append((float(page.width), float(page.height)))
            lines = _pdfplumber_lines(page, number)
            page.close()
            budget.spend(sum(len(line.text) + 1 for line in lines))
            pages.append(lines)
    return pages, sizes


def _pdfminer_translate(exc: BaseException) -> EncryptedDocumentError | None:
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    if (
        isinstance(exc, PDFPasswordIncorrect)
        or "password" in str(exc).lower()
        or "encrypt" in type(exc).__name__.lower()
    ):
        return EncryptedDocumentError("encrypted PDF")
    return None


def _pdfplumber_lines(page: object, number: int) -> list[Line]:
    tables = page.find_tables()  # type: ignore[attr-defined]
    regions = [table.bbox for table in tables]
    items: list[tuple[float, Line]] = []
    for entry in page.extract_text_lines():  # type: ignore[attr-defined]
        x0, top, x1, bottom = entry["x0"], entry["top"], entry["x1"], entry["bottom"]
        if any(_inside((x0, top, x1, bottom), region) for region in regions):
            continue
        line = _clean(entry["text"], number)
        if line is not None:
            line.bbox = (x0, top, x1, bottom)
            items.append((top, line))
    for table, region in zip(tables, regions, strict=True):
        for row_number, row in enumerate(table.extract()):
            cells = [" ".join(str(cell).split()) for cell in row if cell]
            cells = [c for i, c in enumerate(cells) if c and (i == 0 or cells[i - 1] != c)]
            if cells:
                line = Line(" | ".join(cells), number, region)
                line.soft_hyphen = False
                items.append((region[1] + row_number * 1e-3, _TableLine.wrap(line)))
    items.sort(key=lambda item: item[0])
    return [line for _, line in items]


class _TableLine(Line):
    """A table row from pdfplumber: always its own "table_row" block."""

    __slots__ = ()

    @classmethod
    def wrap(cls, line: Line) -> _TableLine:
        return cls(line.text, line.page, line.bbox)


def _inside(box: Box, region: tuple[float, float, float, float]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return region[0] <= cx <= region[2] and region[1] <= cy <= region[3]


# ---------------------------------------------------------------------------------------------
# Page furniture (headers, footers, page numbers)
# ---------------------------------------------------------------------------------------------


def _zone(lines: list[Line], height: float) -> list[int]:
    """Indices of lines at the top or bottom of a page.

    By position when line boxes are known (running text near the margins is furniture only
    if it sits in the outer 10% of the page); by order (first/last two lines) otherwise.
    """
    n = len(lines)
    by_order = set(range(min(_ZONE_LINES, n))) | set(range(max(0, n - _ZONE_LINES), n))
    picked = []
    for i, line in enumerate(lines):
        if line.bbox is None:
            if i in by_order:
                picked.append(i)
        elif line.bbox[3] <= height * _ZONE_FRACTION or line.bbox[1] >= height * (
            1 - _ZONE_FRACTION
        ):
            picked.append(i)
    return picked


def _is_page_number(text: str) -> bool:
    return len(text) <= _PAGE_NUMBER_MAX and _PAGE_NUMBER_RE.match(text) is not None


def _furniture_key(text: str) -> str:
    return _DIGITS_RE.sub("#", " ".join(text.lower().split()))


def _isolated(lines: list[Line], i: int) -> bool:
    """True when no other line comes within one line height of line `i` vertically."""
    box = lines[i].bbox
    if box is None:
        return False
    height = max(box[3] - box[1], 1.0)
    for j, other in enumerate(lines):
        if j == i or other.bbox is None:
            continue
        if other.bbox[1] < box[3] + height and other.bbox[3] > box[1] - height:
            return False
    return True


def _drop_furniture(pages: list[list[Line]], sizes: list[tuple[float, float]]) -> None:
    """Remove running headers/footers and bare page numbers, in place."""
    zones = [_zone(lines, size[1]) for lines, size in zip(pages, sizes, strict=True)]
    counts: Counter[str] = Counter()
    for lines, zone in zip(pages, zones, strict=True):
        counts.update({_furniture_key(lines[i].text) for i in zone})
    threshold = max(2, math.ceil(0.5 * len(pages)))
    repeated = {key for key, count in counts.items() if count >= threshold}
    for p, (lines, zone) in enumerate(zip(pages, zones, strict=True)):
        drop = {
            i
            for i in zone
            if not isinstance(lines[i], _TableLine)
            and (
                _is_page_number(lines[i].text)
                or (len(pages) > 1 and _furniture_key(lines[i].text) in repeated)
            )
        }
        # Page numbers of 2-up scans and odd content streams sit mid-page, alone on their row.
        drop.update(
            i
            for i, line in enumerate(lines)
            if i not in drop and _is_page_number(line.text) and _isolated(lines, i)
        )
        if drop:
            pages[p] = [line for i, line in enumerate(lines) if i not in drop]


# ---------------------------------------------------------------------------------------------
# Lines → paragraph blocks
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Para:
    kind: BlockKind
    page: int
    level: int | None
    pieces: list[str]  # the text as whole lines and the separators between them
    boxes: list[Box | None] | None  # one per character of the joined pieces
    bbox: Box | None
    last: Line

    def text(self) -> str:
        return "".join(self.pieces)


def _page_geometry(lines: list[Line]) -> tuple[float, float] | None:
    """(left, right) text margins of a page, from line boxes."""
    xs = [line.bbox for line in lines if line.bbox is not None]
    if len(xs) < 2:
        return None
    return min(b[0] for b in xs), max(b[2] for b in xs)


def _is_short(line: Line, margins: tuple[float, float] | None, fraction: float) -> bool:
    if margins is None or line.bbox is None:
        return len(line.text) < 60 * fraction
    left, right = margins
    return line.bbox[2] < right - (right - left) * (1 - fraction)


def _gap_break(prev: Line, line: Line) -> bool:
    if prev.bbox is None or line.bbox is None or prev.page != line.page:
        return False
    # The smaller height: pdfium sometimes merges hyphenated lines into one tall "line".
    height = max(min(prev.bbox[3] - prev.bbox[1], line.bbox[3] - line.bbox[1]), 1.0)
    gap = line.bbox[1] - prev.bbox[3]
    # A blank-line-sized gap, or a jump back up (new column / out-of-order object).
    return gap > 0.8 * height or line.bbox[3] < prev.bbox[1]


def _classify(
    line: Line, nxt: Line | None, margins: tuple[float, float] | None, para_start: bool
) -> tuple[BlockKind, int | None]:
    if isinstance(line, _TableLine):
        return "table_row", None
    text = line.text
    level = heading_level(text)
    if level is not None and _is_short(line, margins, 0.75):
        return "heading", level
    if is_list_item(text):
        return "list_item", 1
    if (
        para_start
        and nxt is not None
        and is_title_like(text)
        and _is_short(line, margins, 0.6)
        and nxt.text[:1].isupper()
        and not ends_sentence(text)
    ):
        return "heading", infer_level(text)
    return "paragraph", None


def _join(para: _Para, line: Line) -> None:
    """Append `line` to a paragraph, undoing line-end hyphenation."""
    pieces, boxes = para.pieces, para.boxes
    prev_text = para.last.text
    next_word = line.text.split(" ", 1)[0].strip(".,;:")
    if para.last.soft_hyphen:
        word = _TRAILING_WORD_RE.search(prev_text + "-")
        if _keep_hyphen(word.group(1) if word else "", next_word):
            pieces.append("-")
            if boxes is not None:
                boxes.append(None)
        sep = ""
    elif prev_text.endswith("-") and len(prev_text) > 1 and prev_text[-2].isalpha():
        word = _TRAILING_WORD_RE.search(prev_text)
        if not _keep_hyphen(word.group(1) if word else "", next_word):
            pieces[-1] = pieces[-1][:-1]  # the last piece is the previous line, ending in "-"
            if boxes is not None:
                boxes.pop()
        sep = ""
    else:
        sep = " "
    if sep:
        pieces.append(sep)
        if boxes is not None:
            boxes.append(None)
    pieces.append(line.text)
    if boxes is not None:
        boxes.extend(line.boxes or [None] * len(line.text))
    if line.bbox is not None and para.bbox is not None and line.page == para.page:
        a, b = para.bbox, line.bbox
        para.bbox = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
    para.last = line


def _start(line: Line, kind: BlockKind, level: int | None) -> _Para:
    return _Para(
        kind=kind,
        page=line.page,
        level=level,
        pieces=[line.text],
        boxes=list(line.boxes) if line.boxes is not None else None,
        bbox=line.bbox,
        last=line,
    )


def _to_draft(para: _Para) -> Draft:
    return Draft(
        kind=para.kind,
        text=para.text(),
        page=para.page,
        bbox=para.bbox,
        level=para.level,
        char_boxes=para.boxes,
    )


def _paragraphs(pages: list[list[Line]], sizes: Iterable[tuple[float, float]]) -> Iterator[Draft]:
    del sizes  # page sizes are not needed for grouping; margins come from the lines
    para: _Para | None = None
    for lines in pages:
        margins = _page_geometry(lines)
        for i, line in enumerate(lines):
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            prev = para.last if para is not None else None
            continues = (
                para is not None
                and prev is not None
                and para.kind in ("paragraph", "list_item")
                and not isinstance(line, _TableLine)
            )
            if continues and prev is not None and prev.page != line.page:
                # Across a page break only an unfinished sentence continues.
                continues = not ends_sentence(prev.text) and line.text[:1].islower()
            elif continues and prev is not None:
                prev_margins = margins
                continues = not _gap_break(prev, line) and not (
                    ends_sentence(prev.text)
                    and _is_short(prev, prev_margins, 0.85)
                    and not line.text[:1].islower()
                )
            para_start = not continues
            kind, level = _classify(line, nxt, margins, para_start)
            if (
                continues
                and para is not None
                and (
                    kind == "paragraph" or (kind == "heading" and not ends_sentence(para.last.text))
                )
            ):
                # Mid-sentence, a heading-looking line ("10 Business Days") is a wrapped line.
                _join(para, line)
                continue
            if (
                continues
                and kind == "list_item"
                and para is not None
                and not is_list_item(line.text)
            ):
                _join(para, line)
                continue
            if para is not None:
                yield _to_draft(para)
            para = _start(line, kind, level)
            if kind in ("heading", "table_row"):
                yield _to_draft(para)
                para = None
    if para is not None:
        yield _to_draft(para)
