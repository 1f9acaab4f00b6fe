"""Reviewer decisions merged into findings, the filters over them, and annotation
records (decisions and added findings) as the store keeps them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from analyzer.consensus import Consensus, Verdict, consensus, verdict
from analyzer.render import Highlight, highlights_for
from analyzer.report.common import check_label
from analyzer.review.service import OpenedDocument
from analyzer.scoring import count_words, summarize
from analyzer.store import utc_timestamp
from analyzer.textshape import line_sentences
from analyzer.types import (
    CATEGORIES,
    REVIEW_STATES,
    SEVERITIES,
    TYPES_BY_CATEGORY,
    Annotation,
    Block,
    DocumentReport,
    Finding,
    ReviewedFinding,
    ToolInfo,
    block_at,
    copy_fields,
    finding_id,
)

SOURCE_KINDS: tuple[str, ...] = ("rule", "model", "check", "reviewer")
"""The part of `Finding.source` before the colon."""

SOURCE_LABELS: dict[str, str] = {
    "rule": "wording rule",
    "model": "trained model",
    "check": "document check (safeguards)",
    "reviewer": "added by a reviewer",
}
"""What each source kind means, in words a reviewer uses."""

_STATE_OF_DECISION = {
    "confirm": "confirmed",
    "dismiss": "dismissed",
    "relabel": "relabelled",
    "add": "added",
}


# ---------------------------------------------------------------------------------------------
# Decisions merged into findings; filters
# ---------------------------------------------------------------------------------------------


def added_finding(annotation: Annotation) -> Finding:
    """The finding a reviewer's "add" decision stands for (source `reviewer:<name>`)."""
    category = annotation.new_category or annotation.category
    type_ = annotation.new_type or annotation.type
    return Finding(
        id="add-"
        + finding_id(annotation.reviewer, category, type_, annotation.start, annotation.end),
        category=category,
        type=type_,
        severity=annotation.new_severity or "medium",
        start=annotation.start,
        end=annotation.end,
        text=annotation.text,
        sentence=annotation.sentence,
        page=None,
        section=None,
        explanation=annotation.comment or "Added by a reviewer: the tool missed this.",
        suggestion="",
        source=f"reviewer:{annotation.reviewer}",
        confidence=1.0,
    )


def merge_decisions(
    findings: Iterable[Finding],
    decisions: Iterable[Annotation],
    reviewer: str | None = None,
) -> list[ReviewedFinding]:
    """Attach the current decision to each finding and append the reviewers' added spans.

    Args:
        findings: The document's findings (as analysed).
        decisions: Current decisions (`Store.current_decisions`), oldest first.
        reviewer: Only this reviewer's decisions count (None or blank: the latest decision of
            any reviewer).

    Returns:
        The findings in their order, then the added spans in document order.
    """
    who = (reviewer or "").strip()
    latest: dict[str, Annotation] = {}
    added: dict[tuple[int | None, int | None, str, str], Annotation] = {}
    for decision in decisions:
        if who and decision.reviewer != who:
            continue
        if decision.decision == "add":
            key = (decision.start, decision.end, decision.category, decision.type)
            added[key] = decision
        elif decision.finding_id is not None:
            latest[decision.finding_id] = decision
    out: list[ReviewedFinding] = []
    for finding in findings:
        current = latest.get(finding.id)
        if current is None:
            out.append(ReviewedFinding(finding, finding, "unreviewed"))
            continue
        decision = current
        effective = finding
        if decision.decision == "relabel":
            effective = replace(
                finding,
                category=decision.new_category or finding.category,
                type=decision.new_type or finding.type,
                severity=decision.new_severity or finding.severity,
            )
        out.append(
            ReviewedFinding(effective, finding, _STATE_OF_DECISION[decision.decision], decision)
        )
    extra = sorted(added.values(), key=lambda a: (a.start or 0, a.end or 0))
    for decision in extra:
        finding = added_finding(decision)
        out.append(ReviewedFinding(finding, finding, "added", decision))
    return out


def reviewed_report(
    report: DocumentReport, resolved: Iterable[Annotation], text: str
) -> DocumentReport:
    """The report as the reviewers left it, for exports: dismissed findings dropped, relabels
    applied, added spans included, the summary (risk score) recomputed.

    Args:
        report: The document's analysis.
        resolved: One decision per finding (`Store.resolved_decisions`: adjudicated or agreed);
            unreviewed and disputed findings stay as detected.
        text: The document text (its length in words scales the risk score).
    """
    items = merge_decisions(report.findings, resolved)
    kept = [item.finding for item in items if item.state != "dismissed"]
    return replace(report, findings=kept, summary=summarize(kept, words=count_words(text)))


# ---------------------------------------------------------------------------------------------
# Several reviewers on one finding
# ---------------------------------------------------------------------------------------------


def team_view(current: Iterable[Annotation], finding: Finding) -> Consensus | None:
    """Every reviewer's current decision on one detected finding, or None when nobody decided.

    Args:
        current: The document's current decisions (`ReviewService.decisions`).
        finding: The finding as detected.
    """
    mine = [a for a in current if a.finding_id == finding.id]
    found = consensus(mine)
    return next(iter(found.values()), None)


def ruling_label(ruling: Verdict) -> str:
    """A verdict in words, e.g. "dismiss" or "relabel → commitment / deadline (high)"."""
    decision, category, type_, severity = ruling
    if decision != "relabel":
        return decision
    return f"relabel → {category} / {type_}" + (f" ({severity})" if severity else "")


def ruling_options(decisions: Iterable[Annotation]) -> list[Verdict]:
    """The distinct verdicts reviewers reached, in the order first reached: what an admin may
    adjudicate between."""
    seen: dict[Verdict, None] = {}
    for a in decisions:
        seen.setdefault(verdict(a), None)
    return list(seen)


def decision_rows(decisions: Iterable[Annotation]) -> list[dict[str, str]]:
    """One row per reviewer's current decision: who, what, when, reason, comment (plain text)."""
    return [
        {
            "reviewer": a.reviewer,
            "decision": ruling_label(verdict(a)),
            "when": a.created_at,
            "reason": a.reason or "",
            "comment": a.comment or "",
        }
        for a in decisions
    ]


def adjudication_text(adjudication: Annotation) -> str:
    """One line on an admin's ruling (plain text: Streamlit escapes it as Markdown first)."""
    why = f" — {adjudication.comment}" if adjudication.comment else ""
    return (
        f"Adjudicated by {adjudication.reviewer} ({adjudication.created_at}): "
        f"{ruling_label(verdict(adjudication))}{why}"
    )


def place_added(items: Sequence[ReviewedFinding], blocks: Sequence[Block]) -> list[ReviewedFinding]:
    """Give the findings reviewers added the page and section of the block they start in
    (an added span is stored with offsets only)."""
    out = []
    for item in items:
        f = item.finding
        block = block_at(blocks, f.start) if item.state == "added" and f.start is not None else None
        if block is None:
            out.append(item)
            continue
        placed = replace(f, page=block.page, section=block.section[-1] if block.section else None)
        out.append(replace(item, finding=placed, original=placed))
    return out


def source_kind(source: str) -> str:
    """ "rule", "model", "check" or "reviewer": the part of a source before the colon."""
    return source.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class FindingFilter:
    """Which findings to show; an empty set means "any".

    Attributes:
        categories: Effective categories to keep.
        types: Effective types to keep.
        severities: Severities to keep.
        sources: Source kinds to keep (`SOURCE_KINDS`).
        states: Review states to keep (`REVIEW_STATES`).
        sections: Innermost section headings to keep.
        search: Words the finding's text, sentence or explanation must contain (any case).
    """

    categories: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()
    sections: frozenset[str] = frozenset()
    search: str = ""

    def matches(self, item: ReviewedFinding) -> bool:
        """True when `item` passes every non-empty criterion."""
        f = item.finding
        return (
            (not self.categories or f.category in self.categories)
            and (not self.types or f.type in self.types)
            and (not self.severities or f.severity in self.severities)
            and (not self.sources or source_kind(f.source) in self.sources)
            and (not self.states or item.state in self.states)
            and (not self.sections or (f.section or "") in self.sections)
            and (not self.search.strip() or _contains(f, self.search))
        )


def _contains(finding: Finding, words: str) -> bool:
    haystack = " ".join(
        part for part in (finding.text, finding.sentence, finding.explanation) if part
    ).lower()
    return all(word in haystack for word in words.lower().split())


def type_options(items: Sequence[ReviewedFinding], categories: Iterable[str]) -> list[str]:
    """Types present among `items`, only of the chosen categories (all when none), each once."""
    chosen = set(categories)
    present = {i.finding.type for i in items if not chosen or i.finding.category in chosen}
    order = [t for c in CATEGORIES for t in TYPES_BY_CATEGORY[c]]
    return _ordered(present, order)


def section_options(items: Sequence[ReviewedFinding]) -> list[str]:
    """Sections of the findings, in document order ("" for findings outside any section)."""
    return list(dict.fromkeys(i.finding.section or "" for i in items))


def next_open(
    order: Sequence[str], items: Sequence[ReviewedFinding], current: str | None
) -> str | None:
    """The next unreviewed finding after `current` in `order` (wrapping), or None."""
    state = {i.finding.id: i.state for i in items}
    if not order:
        return None
    start = order.index(current) + 1 if current in order else 0
    for step in range(len(order)):
        candidate = order[(start + step) % len(order)]
        if state.get(candidate) == "unreviewed":
            return candidate
    return None


def finding_rows(
    items: Sequence[ReviewedFinding], numbers: dict[str, int], selected: str | None
) -> list[dict[str, object]]:
    """Rows of the findings list: stable number, label, state, where, the words (plain text)."""
    rows: list[dict[str, object]] = []
    for item in items:
        f = item.finding
        text = (f.text or check_label(f.type)).replace("\n", " ")
        rows.append(
            {
                "": "▶" if f.id == selected else "",
                "#": numbers.get(f.id, 0),
                "text": text if len(text) <= 90 else text[:87] + "…",
                "category": f.category,
                "type": f.type,
                "severity": f.severity,
                "state": item.state,
                "page": "" if f.page is None else str(f.page),
                "section": f.section or "",
            }
        )
    return rows


def filter_findings(items: Iterable[ReviewedFinding], flt: FindingFilter) -> list[ReviewedFinding]:
    """The items `flt` keeps, in their order."""
    return [item for item in items if flt.matches(item)]


def _ordered(values: set[str], order: Sequence[str]) -> list[str]:
    known = list(dict.fromkeys(v for v in order if v in values))
    return known + sorted(values - set(order))


def counts_by_state(items: Iterable[ReviewedFinding]) -> dict[str, int]:
    """How many findings are in each review state (non-zero only, in `REVIEW_STATES` order)."""
    counter = Counter(i.state for i in items)
    return {s: counter[s] for s in REVIEW_STATES if counter[s]}


# ---------------------------------------------------------------------------------------------
# Annotation records
# ---------------------------------------------------------------------------------------------


def make_decision(
    opened: OpenedDocument,
    finding: Finding,
    decision: str,
    reviewer: str,
    *,
    tool: ToolInfo,
    new_category: str | None = None,
    new_type: str | None = None,
    new_severity: str | None = None,
    reason: str | None = None,
    comment: str | None = None,
) -> Annotation:
    """The annotation record of a decision on a detected finding (timestamped now, UTC).

    Args:
        opened: The document.
        finding: The finding as detected (not relabelled).
        decision: "confirm", "dismiss" or "relabel".
        reviewer: Who decides (required).
        tool: Tool version and model to record.
        new_category: For a relabel.
        new_type: For a relabel.
        new_severity: For a relabel (optional).
        reason: Why (e.g. for a dismissal).
        comment: Free text.

    Raises:
        ValueError: The reviewer is blank, or the decision is "add" (use `make_added`).
    """
    if not reviewer.strip():
        raise ValueError("enter your reviewer name before annotating")
    if decision == "add":
        raise ValueError("use make_added for an added span")
    return copy_fields(
        Annotation,
        finding,
        document_sha256=opened.sha256,
        document_name=opened.name,
        finding_id=finding.id,
        decision=decision,
        reviewer=reviewer.strip(),
        created_at=utc_timestamp(),
        new_category=new_category if decision == "relabel" else None,
        new_type=new_type if decision == "relabel" else None,
        new_severity=new_severity if decision == "relabel" else None,
        reason=(reason or "").strip() or None,
        comment=(comment or "").strip() or None,
        tool_version=tool.version,
        model=tool.model,
    )


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the document text: `text == document_text[start:end]`."""

    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Sentences for the "add a missed finding" picker (`analyzer.textshape.line_sentences`).

    A light splitter that never re-runs the pipeline; exact offsets are all that matter.
    """
    return [Sentence(start, end, text[start:end]) for start, end in line_sentences(text)]


def sentence_index(sentences: Sequence[Sentence], offset: int) -> int:
    """Index of the sentence containing `offset` (or the last one before it; 0 when none)."""
    best = 0
    for number, sentence in enumerate(sentences):
        if sentence.start > offset:
            break
        best = number
    return best


def locate_phrase(sentence: Sentence, phrase: str) -> tuple[int, int]:
    """Document offsets of `phrase` inside `sentence` (exact match first, then any case).

    Raises:
        ValueError: The phrase is blank or not inside the sentence.
    """
    wanted = phrase.strip()
    if not wanted:
        raise ValueError("give the phrase to mark")
    at = sentence.text.find(wanted)
    if at < 0:
        at = sentence.text.lower().find(wanted.lower())
    if at < 0:
        raise ValueError("the phrase must be inside the selected sentence (copy it exactly)")
    start = sentence.start + at
    return start, start + len(wanted)


def make_added(
    opened: OpenedDocument,
    sentence: Sentence,
    phrase: str,
    category: str,
    type_: str,
    severity: str,
    reviewer: str,
    *,
    tool: ToolInfo,
    comment: str | None = None,
) -> Annotation:
    """The annotation record of a finding the tool missed ("add").

    Args:
        opened: The document.
        sentence: The sentence the reviewer selected.
        phrase: The words to mark; must be inside the sentence.
        category: Label category.
        type_: Label type (must belong to the category).
        severity: Label severity.
        reviewer: Who adds it (required).
        tool: Tool version and model to record.
        comment: Free text.

    Raises:
        ValueError: Blank reviewer, phrase not in the sentence, or unknown label.
    """
    if not reviewer.strip():
        raise ValueError("enter your reviewer name before annotating")
    if type_ not in TYPES_BY_CATEGORY.get(category, ()):
        raise ValueError(f"{type_!r} is not a type of {category!r}")
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}")
    start, end = locate_phrase(sentence, phrase)
    return Annotation(
        document_sha256=opened.sha256,
        document_name=opened.name,
        start=start,
        end=end,
        text=opened.text[start:end],
        sentence=sentence.text,
        finding_id=None,
        category=category,
        type=type_,
        decision="add",
        reviewer=reviewer.strip(),
        created_at=utc_timestamp(),
        new_category=category,
        new_type=type_,
        new_severity=severity,
        comment=(comment or "").strip() or None,
        tool_version=tool.version,
        model=tool.model,
    )


def utc_now() -> str:
    """The current time as a DESIGN.md timestamp ("2026-11-25T18:00:00Z")."""
    return utc_timestamp()


def page_highlights(items: Iterable[ReviewedFinding], selected_id: str | None) -> list[Highlight]:
    """Highlights for a page image: every shown finding, the selected one outlined."""
    return highlights_for((i.finding for i in items), selected_id)
