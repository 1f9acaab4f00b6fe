"""Builders for hand-made Documents and Findings used by the checks and scoring tests."""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.types import Block, Document, Finding, finding_id

Part = tuple[str, str] | tuple[str, str, int]
"""(kind, text) or (kind, text, page); headings open a section, a level prefix "h2:" nests."""


def make_document(parts: Sequence[Part], path: str = "doc.txt") -> Document:
    """A Document whose blocks are `parts`, joined by blank lines, sections tracked.

    A heading kind may carry a level, "heading:2"; plain "heading" is level 1.
    """
    text_parts: list[str] = []
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    offset = 0
    for index, part in enumerate(parts):
        kind, text = part[0], part[1]
        page = part[2] if len(part) == 3 else None
        level = None
        if kind.startswith("heading"):
            level = int(kind.split(":")[1]) if ":" in kind else 1
            kind = "heading"
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
        if text_parts:
            text_parts.append("\n\n")
            offset += 2
        blocks.append(
            Block(
                kind=kind,  # type: ignore[arg-type]
                start=offset,
                end=offset + len(text),
                text=text,
                page=page,
                index=index,
                section=tuple(t for _, t in stack),
                level=level,
            )
        )
        text_parts.append(text)
        offset += len(text)
    return Document(
        path=path, kind="txt", text="".join(text_parts), blocks=tuple(blocks), sha256="0" * 64
    )


def make_finding(
    category: str,
    type_: str | None = None,
    severity: str = "medium",
    *,
    start: int | None = 0,
    end: int | None = 10,
    text: str | None = "some text",
    sentence: str | None = None,
    page: int | None = None,
    section: str | None = None,
    confidence: float = 1.0,
    path: str = "doc.txt",
) -> Finding:
    """A Finding with sensible defaults; `type_` defaults to the category name."""
    type_ = type_ or category
    return Finding(
        id=finding_id(path, category, type_, start, end),
        category=category,
        type=type_,
        severity=severity,
        start=start,
        end=end,
        text=text,
        sentence=sentence if sentence is not None else text,
        page=page,
        section=section,
        explanation=f"{category} explanation",
        suggestion=f"{category} suggestion",
        source=f"rule:{category}.{type_}",
        confidence=confidence,
    )


def finding_for(document: Document, category: str, needle: str, **kwargs: object) -> Finding:
    """A sentence finding anchored on the first occurrence of `needle` in `document`."""
    start = document.text.index(needle)
    block = document.block_at(start)
    return make_finding(
        category,
        start=start,
        end=start + len(needle),
        text=needle,
        page=block.page if block else None,
        section=block.section[-1] if block and block.section else None,
        path=document.path,
        **kwargs,  # type: ignore[arg-type]
    )
