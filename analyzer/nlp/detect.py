"""Run the pipeline over a Document's blocks and turn matched spans into Findings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from analyzer.nlp.parties import ROLES_KEY, find_party_roles
from analyzer.nlp.patterns import Pattern, load_patterns
from analyzer.nlp.pipeline import load_pipeline
from analyzer.nlp.rules.base import (
    BLOCK_KIND_KEY,
    SECTION_KIND_KEY,
    SPANS_KEY,
    sentence_bounds,
    trimmed,
)
from analyzer.nlp.segment import TEXT_KEY
from analyzer.textshape import strip_heading_number
from analyzer.types import SEVERITIES, Block, Document, Finding, finding_id

SKIPPED_BLOCK_KINDS = frozenset({"header", "footer"})
PATTERN_FILES: tuple[str, ...] = ("ambiguity", "ambiguity_induced", "commitment", "scope")
_SENTENCE_LEVEL = frozenset({"commitment", "exclusion", "assumption", "estimate"})
MAX_PHRASES_PER_SENTENCE = 20
"""Phrase findings kept per sentence, in text order. Real sentences hold a handful; a block
without sentence breaks ("NN NN NN …", 100,000 characters) held tens of thousands, each
carrying that sentence into the report: a 900 KB file took 24 GB."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the document, by document offsets."""

    start: int
    end: int
    text: str
    block_index: int
    page: int | None
    section: tuple[str, ...]
    kind: str


@dataclass(frozen=True, slots=True)
class Detection:
    """Sentences and rule findings of one document (findings sorted by (start, end))."""

    sentences: tuple[Sentence, ...]
    findings: tuple[Finding, ...]


@cache
def patterns_by_id() -> dict[str, Pattern]:
    """Every finding pattern by id (for explanation, suggestion, severity)."""
    return {p.id: p for name in PATTERN_FILES for p in load_patterns(name) if p.category}


@cache
def _section_rules() -> tuple[tuple[str, int, re.Pattern[str]], ...]:
    rules = []
    for entry in load_patterns("sections"):
        words = [re.escape(w) for w in sorted(entry.phrases, key=len, reverse=True)]
        alternatives = [r"\b(?:" + "|".join(words) + r")\b", *entry.extra.get("regexes", ())]
        regex = re.compile("|".join(alternatives), re.I)
        rules.append((str(entry.extra["kind"]), int(entry.extra.get("severity_shift", 0)), regex))
    return tuple(rules)


@cache
def section_kind(path: tuple[str, ...]) -> tuple[str | None, int]:
    """(kind, severity shift) of a heading path: the innermost heading that names a kind wins."""
    for heading in reversed(path):
        text = strip_heading_number(heading)
        for kind, shift, regex in _section_rules():
            if regex.search(text):
                return kind, shift
    return None, 0


def shifted_severity(severity: str, shift: int, category: str) -> str:
    """Move a severity `shift` steps (+1 = more severe); info stays info; never below low."""
    if severity == "info" or shift == 0:
        return severity
    order = ("low", "medium", "high")
    index = order.index(severity) if severity in order else 1
    return order[max(0, min(len(order) - 1, index + shift))]


def _docs(nlp: Language, blocks: list[Block], roles: dict[str, str] | None = None) -> Iterator[Doc]:
    for block in blocks:
        doc = nlp.make_doc(block.text)
        # The components need the text; `Doc.text` would rebuild it from the tokens.
        doc.user_data[TEXT_KEY] = block.text
        doc.user_data[SECTION_KIND_KEY] = section_kind(block.section)[0]
        doc.user_data[BLOCK_KIND_KEY] = block.kind
        if roles:
            doc.user_data[ROLES_KEY] = roles
        yield doc


def detect(document: Document, nlp: Language | None = None, batch_size: int = 256) -> Detection:
    """Sentences and rule findings (ambiguity, commitment, exclusion, assumption, estimate).

    Party names defined in the document (`Acme Inc. (the "Supplier")`) are resolved to the
    vendor or client side for the whole document (see `analyzer.nlp.parties`).

    Args:
        document: The extracted document; header and footer blocks are skipped.
        nlp: A pipeline from `load_pipeline()` (the cached one when None).
        batch_size: Blocks per `nlp.pipe` batch.

    Returns:
        The sentences of all body blocks and the findings, sorted by (start, end).
    """
    nlp = nlp or load_pipeline()
    patterns = patterns_by_id()
    blocks = [b for b in document.blocks if b.kind not in SKIPPED_BLOCK_KINDS and b.text.strip()]
    sentences: list[Sentence] = []
    findings: list[Finding] = []
    # Defined party names ("Acme Inc. (the "Supplier")") bind "Acme shall …" in this document.
    roles = find_party_roles(document.text)
    docs = nlp.pipe(_docs(nlp, blocks, roles), batch_size=batch_size)
    for block, doc in zip(blocks, docs, strict=True):
        base = block.start
        section = block.section[-1] if block.section else None
        shift = section_kind(block.section)[1]
        bounds = sentence_bounds(doc)
        local: list[tuple[int, int]] = []
        texts: list[str] = []
        for i in range(len(bounds) - 1):
            s, e = trimmed(doc, int(bounds[i]), int(bounds[i + 1]))
            if s >= e:
                continue
            cs, ce = doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)
            local.append((cs, ce))
            texts.append(block.text[cs:ce])
            sentences.append(
                Sentence(
                    base + cs,
                    base + ce,
                    texts[-1],
                    block.index,
                    block.page,
                    block.section,
                    block.kind,
                )
            )
        starts = [cs for cs, _ in local]
        phrases_kept: dict[int, int] = {}
        for span in doc.spans.get(SPANS_KEY, ()):
            pattern = patterns[span._.pattern_id]
            category, type_ = pattern.category or "", pattern.type or ""
            cs, ce = span.start_char, span.end_char
            # The sentence holding the span (spans never cross sentence boundaries).
            lo, hi = 0, len(starts)
            while lo < hi:
                mid = (lo + hi) // 2
                if starts[mid] <= cs:
                    lo = mid + 1
                else:
                    hi = mid
            held = max(lo - 1, 0)
            ss, se = local[held] if local else (cs, ce)
            if category in _SENTENCE_LEVEL:
                cs, ce = ss, se
            else:
                kept = phrases_kept.get(held, 0)
                if kept >= MAX_PHRASES_PER_SENTENCE:
                    continue
                phrases_kept[held] = kept + 1
            start, end = base + cs, base + ce
            severity = shifted_severity(pattern.severity, shift, category)
            if severity not in SEVERITIES:
                severity = pattern.severity
            findings.append(
                Finding(
                    id=finding_id(document.path, category, type_, start, end),
                    category=category,
                    type=type_,
                    severity=severity,
                    start=start,
                    end=end,
                    text=block.text[cs:ce],
                    # One string per sentence, shared by its findings, not a copy each.
                    sentence=texts[held] if local else block.text[ss:se],
                    page=block.page,
                    section=section,
                    explanation=pattern.explanation,
                    suggestion=pattern.suggestion,
                    source=f"rule:{pattern.id}",
                    confidence=pattern.confidence,
                    sentence_start=base + ss,
                )
            )
    findings = dedupe_findings(findings)
    findings.sort(key=lambda f: (f.start or 0, f.end or 0, f.category, f.type))
    return Detection(tuple(sentences), tuple(findings))


def dedupe_findings(findings: list[Finding]) -> list[Finding]:
    """One finding per (category, type, start, end): the most confident, else the first.

    Two patterns of one category can fire on the same sentence (two assumption cues, say);
    they would share the finding id, so only one of them is kept.
    """
    best: dict[tuple[str, str, int | None, int | None], int] = {}
    out: list[Finding] = []
    for finding in findings:
        key = (finding.category, finding.type, finding.start, finding.end)
        index = best.get(key)
        if index is None:
            best[key] = len(out)
            out.append(finding)
        elif finding.confidence > out[index].confidence:
            out[index] = finding
    return out
