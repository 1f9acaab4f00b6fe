"""Lay a `HandoverPack` out as a flat list of blocks: headings, paragraphs, lists and tables.

This is the one place that decides the wording, the order of sections and the columns of every
table; the Markdown, HTML and DOCX renderers in `handover_render` only turn each block into
their format (and escape it). All texts in the blocks are plain, unescaped strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from analyzer.report.common import category_label
from analyzer.report.handover import (
    EstimateEntry,
    HandoverPack,
    LedgerEntry,
    MissingSafeguard,
    QuestionGroup,
    Source,
    Statement,
)
from analyzer.report.handover_terms import Terms

SECTION_SUMMARY = "Summary"
SECTION_LEDGER = "Commitment ledger"
SECTION_EXCLUSIONS = "Exclusions"
SECTION_ASSUMPTIONS = "Assumptions and client dependencies"
SECTION_MISSING = "Missing safeguards"
SECTION_QUESTIONS = "Questions for the client"
SECTION_ESTIMATES = "Estimates"
SCORE_HEADING = "How the risk score is computed"

SECTIONS: tuple[str, ...] = (
    SECTION_SUMMARY,
    SECTION_LEDGER,
    SECTION_EXCLUSIONS,
    SECTION_ASSUMPTIONS,
    SECTION_MISSING,
    SECTION_QUESTIONS,
    SECTION_ESTIMATES,
)
"""The level-1 headings of every pack, in order."""

NONE = "–"


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading; level 0 is the document title, 1 a section, 2 a subsection."""

    text: str
    level: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph, optionally opened by a bold label; `note` paragraphs are set smaller."""

    text: str
    label: str = ""
    note: bool = False


@dataclass(frozen=True, slots=True)
class BulletList:
    """A bulleted list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table with one header row; `widths` are relative column widths (sum to about 1)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]


Block = Heading | Paragraph | BulletList | Table


def where(source: Source, *, with_document: bool = True) -> str:
    """A location such as "sow.pdf, p. 3, section 2. Scope"."""
    parts = [source.name] if with_document else []
    if source.page is not None:
        parts.append(f"p. {source.page}")
    if source.section:
        parts.append(f"section {source.section}")
    return ", ".join(parts) or "whole document"


def _join(items: Sequence[str]) -> str:
    return "; ".join(items) if items else NONE


def _plural(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def _terms_text(terms: Terms) -> str:
    parts = [*terms.when, *terms.measure, *terms.price]
    return _join(parts)


def _flags_text(entry: LedgerEntry) -> str:
    return _join([f"{f.kind}: {f.detail}" if f.detail else f.kind for f in entry.flags])


def _summary_blocks(pack: HandoverPack) -> list[Block]:
    blocks: list[Block] = [Heading(SECTION_SUMMARY, 1)]
    rows = []
    for doc in pack.documents:
        score = NONE if doc.risk_score is None else f"{doc.risk_score} / 100"
        findings = sum(n for _, n in doc.by_category)
        status = doc.status if doc.status == "ok" else f"error: {doc.error or 'unknown'}"
        rows.append(
            (
                doc.path,
                doc.title or NONE,
                doc.kind or NONE,
                NONE if doc.pages is None else str(doc.pages),
                score,
                str(findings) if doc.status == "ok" else status,
            )
        )
    blocks.append(
        Table(
            ("Document", "Title", "Kind", "Pages", "Risk score", "Findings"),
            tuple(rows),
            (0.25, 0.33, 0.07, 0.07, 0.12, 0.16),
        )
    )
    blocks.append(
        Paragraph(
            ", ".join(
                (
                    _plural(len(pack.ledger), "commitment"),
                    _plural(len(pack.exclusions), "exclusion"),
                    _plural(
                        len(pack.assumptions),
                        "assumption or dependency",
                        "assumptions or dependencies",
                    ),
                    _plural(len(pack.missing), "missing safeguard"),
                    _plural(
                        pack.question_count, "question for the client", "questions for the client"
                    ),
                    _plural(len(pack.estimates), "estimate"),
                )
            )
            + ".",
            label="In this pack: ",
        )
    )
    for doc in pack.documents:
        if doc.status != "ok":
            continue
        name = f" — {PurePath(doc.path).name}" if pack.multi else ""
        blocks.append(Heading(f"What drives the risk score{name}", 2))
        if doc.risk_drivers:
            blocks.append(BulletList(doc.risk_drivers))
        else:
            blocks.append(Paragraph("Nothing: no finding adds to the score.", note=True))

    ok = [d for d in pack.documents if d.status == "ok"]
    if ok:
        blocks.append(Heading("Findings by category", 2))
        categories = [c for c, _ in ok[0].by_category]
        if pack.multi:
            header = ("Category", *(PurePath(d.path).name for d in ok), "Total")
            table_rows = []
            for i, category in enumerate(categories):
                counts = [d.by_category[i][1] for d in ok]
                table_rows.append(
                    (category_label(category), *(str(n) for n in counts), str(sum(counts)))
                )
            width = 0.7 / (len(ok) + 1)
            widths = (0.3, *([width] * (len(ok) + 1)))
        else:
            header = ("Category", "Findings")
            table_rows = [(category_label(c), str(n)) for c, n in ok[0].by_category]
            widths = (0.5, 0.5)
        blocks.append(Table(header, tuple(table_rows), widths))

    blocks.append(Heading(SCORE_HEADING, 2))
    blocks.append(BulletList(pack.score_notes))
    return blocks


_LEDGER_NOTE = (
    "Every vendor promise found, verbatim, with the dates, measures and price terms it is bound "
    "to. Flags: 'unbounded' has no limit, 'guaranteed' is absolute, 'no measurable acceptance "
    "criterion' cannot be checked as written."
)
_QUESTIONS_NOTE = (
    "One question per vague phrase or placeholder and section, to turn it into something both "
    "sides can measure."
)


def _section(heading: str, note: str) -> list[Block]:
    """The start of a section: its heading, then a note (what it holds, or that it is empty)."""
    return [Heading(heading, 1), Paragraph(note, note=True)]


def _ledger_blocks(pack: HandoverPack) -> list[Block]:
    if not pack.ledger:
        return _section(SECTION_LEDGER, "No vendor commitments were found.")
    blocks = _section(SECTION_LEDGER, _LEDGER_NOTE)
    rows = tuple(
        (
            str(number),
            entry.what,
            ", ".join(t.replace("_", " ") for t in entry.types),
            _join(entry.terms.when),
            _join(entry.terms.measure),
            _join(entry.terms.price),
            where(entry.source),
            _flags_text(entry),
        )
        for number, entry in enumerate(pack.ledger, start=1)
    )
    blocks.append(
        Table(
            ("#", "Promise", "Type", "By when", "Measure", "Price terms", "Where", "Flags"),
            rows,
            (0.03, 0.3, 0.08, 0.12, 0.12, 0.1, 0.12, 0.13),
        )
    )
    return blocks


def _statement_blocks(
    heading: str, statements: Sequence[Statement], column: str, empty: str
) -> list[Block]:
    if not statements:
        return _section(heading, empty)
    blocks: list[Block] = [Heading(heading, 1)]
    notes = any(s.note for s in statements)
    rows = tuple(
        (str(n), s.text, where(s.source), *((s.note or NONE,) if notes else ()))
        for n, s in enumerate(statements, start=1)
    )
    header = ("#", column, "Where", *(("Note",) if notes else ()))
    widths = (0.04, 0.56, 0.2, 0.2) if notes else (0.04, 0.66, 0.3)
    blocks.append(Table(header, rows, widths))
    return blocks


def _missing_blocks(pack: HandoverPack) -> list[Block]:
    if not pack.missing:
        return _section(
            SECTION_MISSING,
            "None: exclusions, assumptions, acceptance, change control and the basis of "
            "the estimates are all present.",
        )
    blocks: list[Block] = [Heading(SECTION_MISSING, 1)]
    rows = tuple(
        (
            m.label,
            m.severity,
            ", ".join(PurePath(p).name for p in m.missing_in),
            ", ".join(PurePath(p).name for p in m.present_in) or NONE,
        )
        for m in pack.missing
    )
    blocks.append(
        Table(("Safeguard", "Severity", "Missing in", "Present in"), rows, (0.25, 0.15, 0.3, 0.3))
    )
    for item in pack.missing:
        blocks += _clause_blocks(item)
    return blocks


def _clause_blocks(item: MissingSafeguard) -> list[Block]:
    blocks: list[Block] = [Heading(f"{item.label}: suggested clause", 2)]
    if item.explanation:
        blocks.append(Paragraph(item.explanation, label="Why it matters: "))
    clause = item.clause
    blocks.append(Paragraph(clause.intro, label=f"{clause.title}. "))
    if clause.items:
        blocks.append(BulletList(clause.items))
    if clause.closing:
        blocks.append(Paragraph(clause.closing))
    return blocks


def _group_heading(group: QuestionGroup, multi: bool) -> str:
    section = f"Section {group.section}" if group.section else "Outside any section"
    return f"{section} — {PurePath(group.document).name}" if multi else section


def _question_blocks(pack: HandoverPack) -> list[Block]:
    if not pack.questions:
        return _section(SECTION_QUESTIONS, "No vague phrases or placeholders were found.")
    blocks = _section(SECTION_QUESTIONS, _QUESTIONS_NOTE)
    number = 0
    for group in pack.questions:
        blocks.append(Heading(_group_heading(group, pack.multi), 2))
        items = []
        for question in group.questions:
            number += 1
            times = len(question.sources)
            suffix = f" (appears {times} times in this section)" if times > 1 else ""
            items.append(f"Q{number}. {question.text}{suffix}")
        blocks.append(BulletList(tuple(items)))
    return blocks


def _estimate_row(number: int, entry: EstimateEntry) -> tuple[str, ...]:
    return (str(number), entry.text, _terms_text(entry.terms), where(entry.source), entry.basis)


def _estimate_blocks(pack: HandoverPack) -> list[Block]:
    if not pack.estimates:
        return _section(SECTION_ESTIMATES, "No effort, duration or cost estimates were found.")
    unexplained = sum(not e.explained for e in pack.estimates)
    blocks = _section(
        SECTION_ESTIMATES,
        f"{_plural(len(pack.estimates), 'estimate')}; {unexplained} without any stated assumption.",
    )
    blocks.append(
        Table(
            ("#", "Estimate", "Figures", "Where", "Explained by an assumption?"),
            tuple(_estimate_row(n, e) for n, e in enumerate(pack.estimates, start=1)),
            (0.04, 0.36, 0.16, 0.16, 0.28),
        )
    )
    return blocks


def layout(pack: HandoverPack) -> list[Block]:
    """The whole pack as blocks: the title, a tool line, then the sections of `SECTIONS`.

    Args:
        pack: The pack from `build_pack`.

    Returns:
        Blocks in reading order; the first is the level-0 title heading.
    """
    count = len(pack.documents)
    blocks: list[Block] = [
        Heading(pack.title, 0),
        Paragraph(
            f"Generated by {pack.tool.name} {pack.tool.version} from {count} "
            f"document{'s' if count != 1 else ''}. ScopeLens finds candidates; check every "
            "item against the source document before relying on it.",
            note=True,
        ),
    ]
    blocks += _summary_blocks(pack)
    blocks += _ledger_blocks(pack)
    blocks += _statement_blocks(
        SECTION_EXCLUSIONS,
        pack.exclusions,
        "Excluded (verbatim)",
        "No exclusions were stated (see Missing safeguards).",
    )
    blocks += _statement_blocks(
        SECTION_ASSUMPTIONS,
        pack.assumptions,
        "Assumption or client dependency (verbatim)",
        "No assumptions or client dependencies were stated (see Missing safeguards).",
    )
    blocks += _missing_blocks(pack)
    blocks += _question_blocks(pack)
    blocks += _estimate_blocks(pack)
    return blocks
