"""Layout helpers shared by every extractor: section paths, block cutting, and assembling
draft blocks into `Document.text`.

What a heading or a list item looks like is defined once, in `analyzer.textshape` (re-exported
here for the format extractors), so PDF, DOCX and TXT agree on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise

from analyzer.config import Limits
from analyzer.errors import AnalyzerError, CorruptDocumentError, LimitExceededError
from analyzer.textshape import ends_sentence as ends_sentence
from analyzer.textshape import heading_level as heading_level
from analyzer.textshape import infer_level as infer_level
from analyzer.textshape import is_list_item as is_list_item
from analyzer.textshape import is_title_like as is_title_like
from analyzer.textshape import last_sentence_end
from analyzer.types import Block, BlockKind, PageBoxes

BLOCK_SEPARATOR = "\n\n"
"""Separator between blocks in PDF and DOCX text: a paragraph break, so a hard sentence end."""

MAX_BLOCK_CHARS = 100_000
"""Longest block an extractor returns; longer runs (a file with no paragraph breaks) are cut.

Detection runs spaCy block by block, and spaCy refuses a text over `nlp.max_length` (1,000,000
characters); cutting here keeps a single-paragraph file analysable. Cuts fall after a sentence
end when there is one in the last fifth of the window, else at a space, else anywhere.
"""
_CUT_SEARCH = MAX_BLOCK_CHARS // 5


class SectionTracker:
    """Heading stack by level; yields the heading path for each block."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def heading(self, level: int, text: str) -> tuple[str, ...]:
        """Register a heading and return its own section path (which includes itself)."""
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text))
        return self.current

    @property
    def current(self) -> tuple[str, ...]:
        """The heading path body text sits under right now."""
        return tuple(text for _, text in self._stack)


@dataclass(slots=True)
class Draft:
    """A block before its offsets are known (PDF and DOCX build text from these)."""

    kind: BlockKind
    text: str
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    level: int | None = None
    char_boxes: list[tuple[float, float, float, float] | None] | None = None
    """One box per character of `text` (None for synthetic characters); boxes mode only."""


@dataclass(slots=True)
class Extracted:
    """What a format extractor hands back to `extract()`."""

    text: str
    blocks: tuple[Block, ...]
    pages: int | None = None
    page_boxes: tuple[PageBoxes, ...] | None = None
    metadata: dict[str, object] = field(default_factory=dict)


_WS_RE = re.compile(r"\s+")


def clean_inline(text: str) -> str:
    """Collapse every run of whitespace (tabs, soft line breaks) to one space and strip."""
    return _WS_RE.sub(" ", text).strip()


def assemble(
    drafts: Iterable[Draft],
    page_sizes: Sequence[tuple[float, float]] | None = None,
) -> tuple[str, tuple[Block, ...], tuple[PageBoxes, ...] | None]:
    """Join drafts with blank lines into one text and compute blocks with sections.

    Args:
        drafts: Blocks in reading order; their text must already be stripped and free of
            "\\n\\n". Empty drafts are skipped.
        page_sizes: (width, height) per page; when given and drafts carry `char_boxes`,
            per-page `PageBoxes` are built.

    Returns:
        The document text, its blocks and the page boxes (or None).
    """
    tracker = SectionTracker()
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    boxes_by_page: dict[int, tuple[list[int], list[tuple[float, float, float, float]]]] = {}
    for draft in (piece for whole in drafts for piece in split_draft(whole)):
        if not draft.text:
            continue
        if parts:
            parts.append(BLOCK_SEPARATOR)
            offset += len(BLOCK_SEPARATOR)
        if draft.kind == "heading":
            section = tracker.heading(draft.level or 1, draft.text)
        elif draft.kind in ("header", "footer"):
            section = ()
        else:
            section = tracker.current
        start, end = offset, offset + len(draft.text)
        blocks.append(
            Block(
                kind=draft.kind,
                start=start,
                end=end,
                text=draft.text,
                page=draft.page,
                index=len(blocks),
                bbox=draft.bbox,
                section=section,
                level=draft.level,
            )
        )
        if page_sizes is not None and draft.char_boxes is not None and draft.page is not None:
            offsets, boxes = boxes_by_page.setdefault(draft.page, ([], []))
            for i, box in enumerate(draft.char_boxes):
                if box is not None:
                    offsets.append(start + i)
                    boxes.append(box)
        parts.append(draft.text)
        offset = end
    page_boxes: tuple[PageBoxes, ...] | None = None
    if page_sizes is not None:
        page_boxes = tuple(
            PageBoxes(
                page=number,
                width=width,
                height=height,
                offsets=tuple(boxes_by_page.get(number, ([], []))[0]),
                boxes=tuple(boxes_by_page.get(number, ([], []))[1]),
            )
            for number, (width, height) in enumerate(page_sizes, start=1)
        )
    return "".join(parts), tuple(blocks), page_boxes


def error_line(exc: BaseException) -> str:
    """First line of a library exception's message (never a traceback), at most 200 chars.

    A final period is dropped, so the line reads well inside a longer message.
    """
    lines = str(exc).strip().splitlines()
    line = lines[0][:200].rstrip(" .") if lines else ""
    return line or type(exc).__name__


@contextmanager
def library_errors(
    prefix: str,
    caught: type[BaseException] | tuple[type[BaseException], ...] = Exception,
    translate: Callable[[BaseException], AnalyzerError | None] | None = None,
) -> Iterator[None]:
    """The extraction boundary: what a parsing library raises becomes one of our errors.

    Our own errors pass through; a `caught` exception becomes what `translate` makes of it
    (an encrypted document, say), else `CorruptDocumentError("<prefix>: <first line>")`.
    Parsers fail in many unrelated ways on malformed input; to a user they all mean "corrupt".
    """
    try:
        yield
    except AnalyzerError:
        raise
    except caught as exc:
        error = translate(exc) if translate is not None else None
        raise error or CorruptDocumentError(f"{prefix}: {error_line(exc)}") from None


def text_limit_error(chars: int, limit: int) -> LimitExceededError:
    """The error for a document whose text (`chars` so far) is longer than `limit`."""
    return LimitExceededError(
        f"the text has over {chars:,} characters, more than the limit of {limit:,}",
        hint="split the document, or raise SCOPELENS_MAX_TEXT_MB",
    )


class TextBudget:
    """Counts extracted characters so an extractor stops as soon as the limit is passed."""

    def __init__(self, limits: Limits) -> None:
        self.limit = limits.max_text_chars
        self.used = 0

    def spend(self, chars: int) -> None:
        """Add `chars`; raise `LimitExceededError` once the total passes the limit."""
        self.used += chars
        if self.used > self.limit:
            raise text_limit_error(self.used, self.limit)


def cut_points(text: str, start: int, end: int, max_chars: int = MAX_BLOCK_CHARS) -> list[int]:
    """Where to cut `text[start:end]` so no piece is longer than `max_chars`.

    Args:
        text: The full text.
        start: Start of the span.
        end: End of the span.
        max_chars: Longest piece allowed.

    Returns:
        The inner cut offsets, ascending (empty when the span is short enough).
    """
    cuts: list[int] = []
    pos = start
    while end - pos > max_chars:
        limit = pos + max_chars
        floor = limit - min(_CUT_SEARCH, max_chars // 2)
        cut = last_sentence_end(text, floor, limit)
        if cut <= pos:
            space = text.rfind(" ", floor, limit)
            cut = space + 1 if space > pos else limit
        cuts.append(cut)
        pos = cut
    return cuts


def split_draft(draft: Draft, max_chars: int = MAX_BLOCK_CHARS) -> list[Draft]:
    """`draft` as one or more drafts no longer than `max_chars` (see `MAX_BLOCK_CHARS`)."""
    text = draft.text
    cuts = cut_points(text, 0, len(text), max_chars)
    if not cuts:
        return [draft]
    pieces: list[Draft] = []
    bounds = [0, *cuts, len(text)]
    for left, right in pairwise(bounds):
        piece = text[left:right]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if not piece:
            continue
        boxes = draft.char_boxes
        pieces.append(
            Draft(
                kind=draft.kind,
                text=piece,
                page=draft.page,
                bbox=draft.bbox,
                level=draft.level,
                char_boxes=(
                    boxes[left + lead : left + lead + len(piece)] if boxes is not None else None
                ),
            )
        )
    return pieces
