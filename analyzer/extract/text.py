"""Plain text and Markdown: decode, then find blocks as spans over the original text.

Unlike PDF and DOCX, `Document.text` is the decoded file itself (only "\\r\\n" → "\\n" and NUL
bytes removed), so offsets match the file a user opens in an editor. Blocks are therefore
slices of that text: they may contain single "\\n" (a paragraph's lines stay together), and
they are not necessarily separated by "\\n\\n" — a heading line directly followed by text is
still its own block, and block boundaries remain hard sentence boundaries.
"""

from __future__ import annotations

import codecs
import re
from itertools import pairwise

from charset_normalizer import from_bytes

import analyzer.textshape as textshape
from analyzer.extract.blocks import MAX_BLOCK_CHARS, Extracted, SectionTracker, cut_points
from analyzer.types import Block, BlockKind

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_THEMATIC_RE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_PREFERRED = ("utf_8", "cp1252", "latin_1", "iso8859_15")


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode file bytes to text the way `Document.text` needs it.

    UTF-8 (BOM stripped) first; UTF-16 when a BOM or the NUL pattern says so; then the
    charset-normalizer best guess; then cp1252 and finally latin-1, which never fails.
    "\\r\\n" becomes "\\n" and NUL characters are removed; nothing else changes.

    Args:
        data: The raw file content.

    Returns:
        The text and the name of the encoding used.
    """
    text, encoding = _decode(data)
    return text.replace("\r\n", "\n").replace("\x00", ""), encoding


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    # UTF-16 without BOM is valid UTF-8 full of NULs; catch it before UTF-8 accepts it.
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(0) > len(sample) // 3:
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text, encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    results = from_bytes(data)
    best = results.best()
    if best is not None and best.encoding:
        # Short Western text ties between many code pages; on a tie prefer the common one.
        for match in results:
            if match.encoding in _PREFERRED and match.chaos <= best.chaos + 0.01:
                return str(match), match.encoding
        return str(best), best.encoding
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def extract_text(data: bytes, *, markdown: bool) -> Extracted:
    """Extract a TXT or Markdown file.

    Args:
        data: The raw file content.
        markdown: Parse Markdown structure (ATX/setext headings, fences, tables).

    Returns:
        The decoded text and its blocks.
    """
    text, encoding = decode_text(data)
    blocks = split_blocks(text, markdown=markdown)
    return Extracted(text=text, blocks=blocks, metadata={"encoding": encoding})


class _Builder:
    """Collects block spans over `text` and assigns sections."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.blocks: list[Block] = []
        self.tracker = SectionTracker()

    def add(
        self,
        kind: BlockKind,
        start: int,
        end: int,
        level: int | None = None,
        title: str | None = None,
    ) -> None:
        text = self.text
        # Trim to non-whitespace with str.isspace semantics, the same as str.strip().
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            return
        if end - start > MAX_BLOCK_CHARS:
            # A file without paragraph breaks: cut it into pieces spaCy accepts.
            bounds = [start, *cut_points(text, start, end), end]
            for left, right in pairwise(bounds):
                self.add("paragraph" if kind == "heading" else kind, left, right, level)
            return
        body = text[start:end]
        if kind == "heading":
            section = self.tracker.heading(level or 1, title or " ".join(body.split()))
        else:
            section = self.tracker.current
        self.blocks.append(
            Block(
                kind=kind,
                start=start,
                end=end,
                text=body,
                index=len(self.blocks),
                section=section,
                level=level,
            )
        )


def _lines(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def split_blocks(text: str, *, markdown: bool) -> tuple[Block, ...]:
    """Blocks as spans over `text`: paragraphs, headings, list items, table rows.

    Args:
        text: The document text (already normalised by `decode_text`).
        markdown: Also recognise Markdown syntax.

    Returns:
        Sorted, non-overlapping blocks with `text[b.start:b.end] == b.text`.
    """
    out = _Builder(text)
    lines = _lines(text)
    n = len(lines)
    blank = [not text[s:e].strip() for s, e in lines]
    # has_text_after[i]: some line after line i is not blank. Precomputed once: asking per
    # blank line made a file of many blank lines quadratic (50,000 blank lines took 90 s).
    has_text_after = [False] * (n + 1)
    for j in range(n - 1, -1, -1):
        has_text_after[j] = has_text_after[j + 1] or not blank[j]
    furniture = set() if markdown else _running_lines(text, lines, blank)
    para: list[tuple[int, int]] = []
    para_kind: BlockKind = "paragraph"
    para_level: int | None = None
    list_indents: list[int] = []

    def flush(followed_by_text: bool = False) -> None:
        nonlocal para, para_kind, para_level
        if para:
            start, end = para[0][0], para[-1][1]
            body = text[start:end].strip()
            if (
                not markdown
                and para_kind == "paragraph"
                and len(para) == 1
                and followed_by_text
                and textshape.is_title_like(body)
            ):
                # A standalone short line without final punctuation, followed by text.
                out.add("heading", start, end, textshape.infer_level(body))
            else:
                out.add(para_kind, start, end, para_level)
        para, para_kind, para_level = [], "paragraph", None

    i = 0
    if markdown and text.startswith("---\n"):
        # YAML front matter is metadata, not prose: skip it when it is closed.
        for j in range(1, n):
            s, e = lines[j]
            if text[s:e].rstrip() in ("---", "..."):
                i = j + 1
                break
    while i < n:
        s, e = lines[i]
        line = text[s:e]
        stripped = line.strip()
        if not stripped:
            flush(has_text_after[i + 1])
            list_indents.clear()
            i += 1
            continue
        indent = len(line) - len(line.lstrip())
        if markdown:
            fence = _FENCE_RE.match(line)
            if fence:
                flush()
                marker = fence.group(1)
                j = i + 1
                while j < n and not text[lines[j][0] : lines[j][1]].strip().startswith(marker):
                    j += 1
                end_line = min(j, n - 1)
                out.add("paragraph", s, lines[end_line][1])
                i = end_line + 1
                continue
            atx = textshape.atx_heading(line)
            if atx:
                flush()
                title = " ".join(atx[1].split()) or stripped
                out.add("heading", s, e, atx[0], title)
                i += 1
                continue
            underline = textshape.setext_level(line) if para and para_kind == "paragraph" else None
            if underline is not None:
                start, end = para[0][0], para[-1][1]
                para = []
                out.add("heading", start, end, underline)
                i += 1
                continue
            if _THEMATIC_RE.match(line):
                flush()
                i += 1
                continue
            if stripped.startswith("|"):
                flush()
                if not textshape.is_table_separator(line):
                    out.add("table_row", s, e)
                i += 1
                continue
            list_start = textshape.is_markdown_list_item(line)
        else:
            if i in furniture:
                # A page footer or running header of a text converted from PDF ("Source: ACME
                # CORP, 8-K, 10/1/2008"): neither content nor a section heading.
                i += 1
                continue
            level = textshape.heading_level(stripped)
            if level is not None:
                flush()
                list_indents.clear()
                out.add("heading", s, e, level)
                i += 1
                continue
            list_start = textshape.is_list_item(stripped)
        if list_start:
            flush()
            while list_indents and list_indents[-1] > indent:
                list_indents.pop()
            if not list_indents or list_indents[-1] < indent:
                list_indents.append(indent)
            para, para_kind, para_level = [(s, e)], "list_item", len(list_indents)
        else:
            if (
                para
                and para_kind == "paragraph"
                and not markdown
                and _starts_new_para(text, para, stripped)
            ):
                flush(True)
            para.append((s, e))
        i += 1
    flush()
    return tuple(out.blocks)


RUNNING_LINE_MIN_REPEATS = 3
RUNNING_LINE_MAX_CHARS = 100
RUNNING_LINE_MIN_GAP = 5
_DATED_RE = re.compile(r"\b(?:19|20)\d\d\b|\bpage\s+\d", re.I)
_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def _running_lines(text: str, lines: list[tuple[int, int]], blank: list[bool]) -> set[int]:
    """Indices of the lines of a plain-text file that are page furniture, not content.

    `blank[i]` says whether line i is blank. A line counts when it stands alone (blank lines
    around it), is short, holds a year or a page number (what tells "Source: ACME CORP, 8-K,
    10/1/2008" from a repeated heading such as "Deliverables" or a repeated value such as
    "Duration: 2 weeks") and at least two words, and recurs identically at least
    `RUNNING_LINE_MIN_REPEATS` times, each at least `RUNNING_LINE_MIN_GAP` lines after the
    previous one, as a footer does once a page.
    """
    seen: dict[str, list[int]] = {}
    last = len(lines) - 1
    for i, (s, e) in enumerate(lines):
        if e - s > RUNNING_LINE_MAX_CHARS * 2:
            continue
        stripped = text[s:e].strip()
        if (
            stripped
            and len(stripped) <= RUNNING_LINE_MAX_CHARS
            and _DATED_RE.search(stripped)
            and len(_WORD_RE.findall(stripped)) >= 2
            and (i == 0 or blank[i - 1])
            and (i == last or blank[i + 1])
        ):
            seen.setdefault(stripped, []).append(i)
    furniture: set[int] = set()
    for indices in seen.values():
        spread = all(b - a >= RUNNING_LINE_MIN_GAP for a, b in pairwise(indices))
        if len(indices) >= RUNNING_LINE_MIN_REPEATS and spread:
            furniture.update(indices)
    return furniture


def _starts_new_para(text: str, para: list[tuple[int, int]], line: str) -> bool:
    """A one-line title-like paragraph followed by a longer, capitalised line is a heading."""
    if len(para) != 1 or not line[:1].isupper():
        return False
    s, e = para[0]
    body = text[s:e].strip()
    return (
        len(line) > len(body)
        and textshape.is_title_like(body, max_words=6)
        and textshape.heading_level(body) is None
    )
