"""Document-level safeguard checks: is there an exclusions list, are assumptions stated, is
there an acceptance procedure and a change-control procedure, and are estimates explained?

A safeguard is present when any of three kinds of evidence exists:

- a heading (or a short label line such as "Assumptions:") matching the check's heading
  patterns, with some content under it — a section that only says "None" or "TBD" does not
  count;
- sentence findings of the check's categories (an exclusion finding proves exclusions);
- text cues in body blocks ("acceptance criteria", "change order", …).

The checks read only the `Document` and the sentence findings handed in; they never run the
nlp pipeline themselves (layering, STYLE.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from analyzer.checks.definitions import CheckConfig, CheckDef, load_checks
from analyzer.textshape import is_toc_line, label_title, normalise_heading, strip_list_mark
from analyzer.types import Block, Document, Finding, SafeguardCheck, finding_id

_SKIPPED_KINDS = frozenset({"header", "footer"})
_LABEL_KINDS = frozenset({"paragraph", "list_item"})
_LABEL_LINE_MAX_WORDS = 6
_SNIPPET_MAX = 60

_WS_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SectionHit:
    """A heading or label line that names a safeguard, with what sits under it."""

    title: str
    items: int
    """Content blocks under the heading (sub-headings excluded)."""
    placeholder: str | None
    """The text when every content block only says "None", "TBD" …; else None."""
    page: int | None

    @property
    def empty(self) -> bool:
        """True when the section has no content or only placeholders."""
        return self.items == 0 or self.placeholder is not None


@dataclass(frozen=True, slots=True)
class CueHit:
    """The first cue match of a body block."""

    match: str
    page: int | None
    section: str | None


def _display_title(block: Block) -> str:
    if block.kind == "heading" and block.section:
        return _WS_RE.sub(" ", block.section[-1]).strip()
    return label_title(block.text)


def _title_matches(check: CheckDef, title: str) -> bool:
    """True when a normalised heading names the check's safeguard."""
    if not any(p.search(title) for p in check.headings):
        return False
    return not any(p.search(title) for p in check.headings_not)


def _is_label_line(block: Block) -> bool:
    """A short standalone line that introduces a list: "Assumptions:" or "Out of scope".

    List items qualify only when they end with a colon, so that a scope bullet such as
    "- User acceptance testing" is not mistaken for a section.
    """
    text = block.text.strip()
    if not text or "\n" in text or len(text.split()) > _LABEL_LINE_MAX_WORDS:
        return False
    if text.endswith(":"):
        return True
    return block.kind == "paragraph" and text[-1] not in ".!?;,"


def _section_body(blocks: Sequence[Block], i: int) -> list[Block]:
    """Content blocks under the heading `blocks[i]`, until a heading of the same or higher rank."""
    head = blocks[i]
    body: list[Block] = []
    for block in blocks[i + 1 :]:
        if block.kind in _SKIPPED_KINDS:
            continue
        if block.kind == "heading":
            if head.level is not None and block.level is not None and block.level > head.level:
                continue  # a sub-heading: its content still belongs to this section
            break
        body.append(block)
    return body


def _label_body(blocks: Sequence[Block], i: int) -> list[Block]:
    """Content under a label line: the list items / table rows after it, else one paragraph."""
    body: list[Block] = []
    for block in blocks[i + 1 :]:
        if block.kind in _SKIPPED_KINDS:
            continue
        if block.kind in ("list_item", "table_row"):
            body.append(block)
            continue
        if not body and block.kind == "paragraph":
            body.append(block)
        break
    return body


def _section_hit(config: CheckConfig, head: Block, body: Sequence[Block]) -> SectionHit:
    texts = [strip_list_mark(b.text).strip() for b in body]
    texts = [t for t in texts if t]
    placeholder = None
    if texts and all(config.empty_section.match(t) for t in texts):
        placeholder = texts[0]
    return SectionHit(
        title=_display_title(head), items=len(texts), placeholder=placeholder, page=head.page
    )


@dataclass(frozen=True, slots=True)
class HeadingCandidate:
    """A heading or label line of a document, with its normalised title."""

    index: int
    """Position in `document.blocks`."""
    title: str
    """`normalise_heading` of the text."""
    label: bool
    """A label line ("Assumptions:"): its content is the list after it, not a section."""


def heading_candidates(document: Document) -> list[HeadingCandidate]:
    """The headings and label lines that could name a safeguard, normalised once for all checks.

    Table-of-contents lines and lines with nothing left after normalising are left out.
    """
    candidates: list[HeadingCandidate] = []
    for i, block in enumerate(document.blocks):
        if block.kind == "heading":
            label = False
        elif block.kind in _LABEL_KINDS and _is_label_line(block):
            label = True
        else:
            continue
        if is_toc_line(block.text):
            continue
        title = normalise_heading(block.text)
        if title:
            candidates.append(HeadingCandidate(i, title, label))
    return candidates


def find_sections(
    document: Document,
    check: CheckDef,
    config: CheckConfig,
    candidates: Sequence[HeadingCandidate] | None = None,
) -> list[SectionHit]:
    """Headings and label lines in `document` that name the safeguard of `check`.

    Args:
        document: The extracted document.
        check: The check whose heading patterns apply.
        config: The loaded configuration (for the empty-section pattern).
        candidates: `heading_candidates(document)`, when the caller already has them.

    Returns:
        One hit per matching heading, in document order.
    """
    if candidates is None:
        candidates = heading_candidates(document)
    blocks = document.blocks
    hits: list[SectionHit] = []
    for candidate in candidates:
        if _title_matches(check, candidate.title):
            body = _label_body if candidate.label else _section_body
            head = blocks[candidate.index]
            hits.append(_section_hit(config, head, body(blocks, candidate.index)))
    return hits


def find_cues(document: Document, check: CheckDef) -> list[CueHit]:
    """Body blocks whose text contains one of the check's cues (first match per block).

    Args:
        document: The extracted document; without blocks, its whole text is searched.
        check: The check whose cue patterns apply.

    Returns:
        One hit per matching block, in document order.
    """
    if check.any_cue is None:
        return []
    if document.blocks:
        spans = [
            (b.text, b.page, b.section[-1] if b.section else None)
            for b in document.blocks
            if b.kind not in _SKIPPED_KINDS and b.kind != "heading"
        ]
    else:
        spans = [(document.text, None, None)]
    hits: list[CueHit] = []
    literals = check.cue_literals
    for text, page, section in spans:
        if literals is not None and text.isascii():
            lower = text.lower()
            if not any(literal in lower for literal in literals):
                continue  # no cue can match here: skip the (slow) alternation
        first = check.any_cue.search(text)
        if first is not None:
            hits.append(CueHit(match=_snippet(first.group(0)), page=page, section=section))
    return hits


def _snippet(text: str) -> str:
    text = _WS_RE.sub(" ", text).strip()
    return text if len(text) <= _SNIPPET_MAX else text[: _SNIPPET_MAX - 1] + "…"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _where(page: int | None, section: str | None) -> str:
    if page is not None:
        return f"on page {page}"
    if section:
        return f"in section '{section}'"
    return ""


def _in_order(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.start is None, f.start or 0, f.end or 0))


def _findings_evidence(found: Sequence[Finding], noun: str) -> str:
    first = _in_order(found)[0]
    where = _where(first.page, first.section)
    return f"{_plural(len(found), noun)} (first {where})" if where else _plural(len(found), noun)


def _cues_evidence(cues: Sequence[CueHit], noun: str) -> str:
    first = cues[0]
    where = _where(first.page, first.section)
    detail = f"first '{first.match}'" + (f" {where}" if where else "")
    return f"{_plural(len(cues), noun)} ({detail})"


def _section_evidence(hit: SectionHit) -> str:
    if hit.items == 0:
        return f"section '{hit.title}' has no content"
    if hit.placeholder is not None:
        return f"section '{hit.title}' only says '{_snippet(hit.placeholder)}'"
    return f"section '{hit.title}' ({_plural(hit.items, 'item')})"


def _missing_finding(document: Document, check: CheckDef) -> Finding:
    return Finding(
        id=finding_id(document.path, "missing", check.id, None, None),
        category="missing",
        type=check.id,
        severity=check.severity,
        start=None,
        end=None,
        text=None,
        sentence=None,
        page=None,
        section=None,
        explanation=check.explanation,
        suggestion=check.suggestion,
        source=f"check:{check.id}",
        confidence=1.0,
    )


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What every check of one document reads."""

    document: Document
    findings: Sequence[Finding]
    config: CheckConfig
    candidates: Sequence[HeadingCandidate]
    """`heading_candidates(document)`, computed once for all checks."""

    def sections(self, check: CheckDef) -> list[SectionHit]:
        """The sections that name the safeguard of `check`."""
        return find_sections(self.document, check, self.config, self.candidates)


def _presence_check(inputs: _Inputs, check: CheckDef) -> SafeguardCheck:
    document, findings = inputs.document, inputs.findings
    sections = inputs.sections(check)
    found = [f for f in findings if f.category in check.finding_categories]
    cues = find_cues(document, check)
    full = [s for s in sections if not s.empty]

    evidence = [_section_evidence(s) for s in sections]
    short: list[str] = [f"section {s.title}, {_plural(s.items, 'item')}" for s in full]
    if found:
        evidence.append(_findings_evidence(found, check.finding_noun))
        short.append(_plural(len(found), check.finding_noun))
    if cues:
        evidence.append(_cues_evidence(cues, check.cue_noun))
        short.append(_plural(len(cues), check.cue_noun))

    present = bool(full or found or cues)
    if present:
        summary = f"{check.label}: " + "; ".join(short)
    else:
        summary = check.absent_summary
        if sections:
            summary += f" (section {sections[0].title} is empty)"
    return SafeguardCheck(
        check_id=check.id, present=present, evidence=tuple(evidence), summary=summary
    )


def _estimate_basis_check(inputs: _Inputs, check: CheckDef) -> SafeguardCheck:
    findings = inputs.findings
    estimates = [f for f in findings if f.category == check.requires_category]
    if not estimates:
        return SafeguardCheck(
            check_id=check.id,
            present=True,
            evidence=("not applicable: no estimates in the document",),
            summary=check.not_applicable_summary,
        )

    sections = inputs.sections(check)
    if check.basis_headings_from is not None:
        sections += inputs.sections(inputs.config.by_id(check.basis_headings_from))
    full = [s for s in sections if not s.empty]
    basis = [f for f in findings if f.category in check.basis_categories]
    self_explained: list[tuple[Finding, str]] = []
    for estimate in _in_order(estimates):
        text = estimate.sentence or estimate.text or ""
        match = next((m for m in (p.search(text) for p in check.basis_cues) if m), None)
        if match is not None:
            self_explained.append((estimate, _snippet(match.group(0))))

    evidence = [_findings_evidence(estimates, check.finding_noun)]
    evidence += [_section_evidence(s) for s in full]
    short: list[str] = [f"section {s.title}" for s in full]
    if basis:
        noun = f"{basis[0].category} statement"
        evidence.append(_findings_evidence(basis, noun))
        short.append(_plural(len(basis), noun))
    if self_explained:
        first, cue = self_explained[0]
        where = _where(first.page, first.section)
        evidence.append(
            f"{len(self_explained)} of {len(estimates)} estimates state their basis "
            f"(first '{cue}'" + (f" {where})" if where else ")")
        )
        short.append(f"{len(self_explained)} self-explained")

    present = bool(full or basis or self_explained)
    counted = _plural(len(estimates), check.finding_noun)
    if present:
        summary = f"{check.label}: {counted}; " + "; ".join(short)
    else:
        summary = f"{check.absent_summary}: {evidence[0]}"
    return SafeguardCheck(
        check_id=check.id, present=present, evidence=tuple(evidence), summary=summary
    )


def run_checks(
    document: Document,
    findings: Sequence[Finding],
    config: CheckConfig | None = None,
) -> tuple[list[SafeguardCheck], list[Finding]]:
    """Run every document-level check on one document.

    Args:
        document: The extracted document (its blocks give headings, pages and sections).
        findings: The sentence and phrase findings of the document; only their categories,
            pages, sections and sentence text are read.
        config: Check definitions; the packaged `checks.json` by default.

    Returns:
        One `SafeguardCheck` per check, in definition order, and one "missing" finding for
        each safeguard that is absent.
    """
    config = config or load_checks()
    results: list[SafeguardCheck] = []
    missing: list[Finding] = []
    # Shared: every check reads the same headings.
    inputs = _Inputs(document, findings, config, heading_candidates(document))
    for check in config.checks:
        if check.kind == "estimate_basis":
            result = _estimate_basis_check(inputs, check)
        else:
            result = _presence_check(inputs, check)
        results.append(result)
        if not result.present:
            missing.append(_missing_finding(document, check))
    return results, missing
