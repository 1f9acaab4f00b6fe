"""The delivery handover pack: what sales promised, excluded and assumed, and what to ask.

`build_pack(reports)` turns the analysis of one document, or of several documents of one deal
(proposal + SOW + contract), into one `HandoverPack`: a plain, immutable record with every item
traced to its document, page and section. The renderers in `handover_render` (Markdown, HTML,
DOCX) only lay this record out; every decision (what goes into the ledger, which flags a
promise gets, which question a vague phrase raises, which clause fills a gap) is taken here.

Data, not code: question templates live in `questions.jsonl`, the suggested clauses in
`clauses.json`, what is not a promise (headings, images, bare links, opinions) in
`not_promises.jsonl`, and the term patterns in `handover_terms`.

    pack = build_pack([analyzer.analyze_path("proposal.docx")])
    render_pack(pack, "md")
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path, PurePath
from string import Formatter
from typing import Any, TypeVar, get_args

from analyzer.report.common import check_label
from analyzer.report.handover_terms import (
    Terms,
    extract_terms,
    guarantee_words,
    is_measurable,
    unbounded_words,
)
from analyzer.scoring import explain_score
from analyzer.types import (
    CATEGORIES,
    TYPES_BY_CATEGORY,
    Annotation,
    BlockKind,
    DocumentKind,
    DocumentReport,
    Finding,
    ToolInfo,
)

_HERE = Path(__file__).resolve().parent
QUESTIONS_FILE = _HERE / "questions.jsonl"
CLAUSES_FILE = _HERE / "clauses.json"
NOT_PROMISES_FILE = _HERE / "not_promises.jsonl"

_Item = TypeVar("_Item")
"""A record read from one line of a JSON Lines data file."""

DEPENDENCY_SECTION_PATTERN = (
    r"\b(?:assumptions?|dependenc(?:y|ies)|pre-?requisites?|"
    r"(?:client|customer|buyer|purchaser|agency|government|owner)(?:'s|’s)?\s+"
    r"(?:responsibilities|obligations|dependencies|duties|inputs)|"
    r"responsibilities\s+of\s+(?:the\s+)?(?:client|customer|buyer|purchaser|agency|owner))\b"
)
"""A section heading under which every sentence is a client dependency, not a vendor promise.

LABELLING.md: "The Agency will provide access to …" is an assumption. A "will provide" sentence
under "4 Assumptions" that a detector took for a commitment is therefore listed with the
assumptions (with a note saying why), not in the commitment ledger."""

_DEPENDENCY_SECTION_RE = re.compile(DEPENDENCY_SECTION_PATTERN, re.IGNORECASE)
_WS_RE = re.compile(r"\s+")
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_WORDY_RE = re.compile(r"[^\W_]")
_CONTEXT_MAX = 160
_CONTEXT_SIDE = 70
_TITLE_MAX = 120

FLAG_NO_ACCEPTANCE = "no measurable acceptance criterion"
FLAG_UNBOUNDED = "unbounded"
FLAG_GUARANTEED = "guaranteed"


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """Where an item comes from.

    Attributes:
        document: The document's path as given to the scan.
        page: 1-based page (PDF) or None.
        section: The heading path the item sits under, or None.
    """

    document: str
    page: int | None = None
    section: str | None = None

    @property
    def name(self) -> str:
        """The document's file name without folders."""
        return PurePath(self.document).name or self.document


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """One document of the pack: identity, risk score and counts."""

    path: str
    title: str | None
    kind: str | None
    pages: int | None
    status: str
    error: str | None
    risk_score: int | None
    risk_drivers: tuple[str, ...]
    by_category: tuple[tuple[str, int], ...]
    """Findings per category, taxonomy order, zero counts included."""


@dataclass(frozen=True, slots=True)
class Flag:
    """A warning on a ledger entry: `kind` is one of the FLAG_* constants."""

    kind: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One vendor promise (one sentence, possibly found by several commitment findings)."""

    what: str
    """The promise as written: the whole sentence, whitespace folded."""
    types: tuple[str, ...]
    severity: str
    terms: Terms
    source: Source
    flags: tuple[Flag, ...]
    finding_ids: tuple[str, ...]
    """The findings merged into this entry, for tracing it back to the report."""


@dataclass(frozen=True, slots=True)
class SetAside:
    """A sentence a detector took for a commitment that the ledger leaves out, and why."""

    text: str
    source: Source
    rule: str
    """The `not_promises.jsonl` rule that matched, e.g. "markup.image", "opinion.belief"."""
    why: str


@dataclass(frozen=True, slots=True)
class Statement:
    """An exclusion or assumption, verbatim, with a note when it was placed by its heading."""

    text: str
    source: Source
    note: str = ""


@dataclass(frozen=True, slots=True)
class Clause:
    """A suggested clause: a title, an opening paragraph, a list and a closing paragraph."""

    title: str
    intro: str
    items: tuple[str, ...]
    closing: str = ""


@dataclass(frozen=True, slots=True)
class MissingSafeguard:
    """A safeguard absent from at least one document, and the clause to add."""

    check_id: str
    label: str
    severity: str
    explanation: str
    missing_in: tuple[str, ...]
    """Paths of the documents that lack the safeguard."""
    present_in: tuple[str, ...]
    """Paths of the documents of the deal that have it (the clause may be copied from there)."""
    clause: Clause


@dataclass(frozen=True, slots=True)
class Question:
    """A question for the client, raised by a vague phrase or placeholder."""

    text: str
    phrase: str
    """The vague phrase or placeholder as written."""
    context: str
    """The sentence around the phrase, cut to at most 160 characters."""
    type: str
    template: str
    """The id of the question template (`questions.jsonl`) the text was made from."""
    sources: tuple[Source, ...]
    """Every place the phrase occurs in this section (the question is asked once)."""


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """The questions of one section of one document."""

    document: str
    section: str | None
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class EstimateEntry:
    """An effort, duration or cost estimate and what, if anything, explains it."""

    text: str
    source: Source
    terms: Terms
    explained: bool
    """Whether the sentence or its document states what the estimate assumes."""
    basis: str
    """That answer in words ("Yes: the document states assumptions …", "No: …")."""


@dataclass(frozen=True, slots=True)
class HandoverPack:
    """Everything the delivery team needs from the sales documents of one deal."""

    title: str
    tool: ToolInfo
    documents: tuple[DocumentSummary, ...]
    ledger: tuple[LedgerEntry, ...]
    exclusions: tuple[Statement, ...]
    assumptions: tuple[Statement, ...]
    missing: tuple[MissingSafeguard, ...]
    questions: tuple[QuestionGroup, ...]
    estimates: tuple[EstimateEntry, ...]
    score_notes: tuple[str, ...] = field(default_factory=explain_score)
    set_aside: tuple[SetAside, ...] = ()
    """Detected commitments left out of the ledger: headings, images, links, opinions."""

    @property
    def multi(self) -> bool:
        """True when the pack merges more than one document."""
        return len(self.documents) > 1

    @property
    def question_count(self) -> int:
        """Number of questions over all groups."""
        return sum(len(g.questions) for g in self.questions)


# ---------------------------------------------------------------------------------------------
# Data files
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionTemplate:
    """One line of `questions.jsonl`: a question for some phrases, for a type, or a fallback."""

    id: str
    question: str
    phrases: tuple[str, ...] = ()
    type: str | None = None
    sentence: bool = False
    """For a finding that spans its whole sentence (a model's sentence-level call)."""


_ALLOWED_FIELDS = frozenset({"phrase", "context"})


def _check_template(data: dict[str, Any], where: str) -> QuestionTemplate:
    question = data.get("question")
    if not isinstance(question, str) or not question.rstrip().endswith("?"):
        raise ValueError(f"{where}: 'question' must be text ending with '?'")
    fields = {name for _, name, _, _ in Formatter().parse(question) if name is not None}
    if "phrase" not in fields or not fields <= _ALLOWED_FIELDS:
        raise ValueError(f"{where}: a question uses {{phrase}} and optionally {{context}} only")
    type_ = data.get("type")
    if type_ is not None and type_ not in TYPES_BY_CATEGORY["ambiguity"]:
        raise ValueError(f"{where}: unknown ambiguity type {type_!r}")
    phrases = tuple(_norm(p) for p in data.get("phrases", ()))
    return QuestionTemplate(
        id=str(data["id"]),
        question=question,
        phrases=phrases,
        type=type_,
        sentence=bool(data.get("sentence", False)),
    )


@dataclass(frozen=True, slots=True)
class QuestionBook:
    """The question templates, looked up by phrase, then by ambiguity type, then fallback."""

    templates: tuple[QuestionTemplate, ...]

    def for_finding(self, phrase: str, type_: str, *, sentence: bool = False) -> QuestionTemplate:
        """The template for an ambiguity finding.

        A finding covering its whole sentence gets the sentence template. Otherwise a template
        listing the phrase itself wins; then one listing a phrase contained in it as whole
        words (the longest), e.g. "timely" for "in a timely manner"; then the template of its
        type; then the fallback.

        Args:
            phrase: The finding's text.
            type_: The finding's ambiguity type.
            sentence: The finding spans its whole sentence rather than a phrase.

        Returns:
            The template to fill.
        """
        if sentence:
            for template in self.templates:
                if template.sentence:
                    return template
        key = _norm(phrase)
        best: tuple[int, QuestionTemplate] | None = None
        for template in self.templates:
            for listed in template.phrases:
                if listed == key:
                    return template
                if re.search(rf"(?<!\w){re.escape(listed)}(?!\w)", key) and (
                    best is None or len(listed) > best[0]
                ):
                    best = (len(listed), template)
        if best is not None and type_ != "placeholder":
            return best[1]
        for template in self.templates:
            if template.type == type_ and not template.sentence:
                return template
        for template in self.templates:
            if not template.phrases and template.type is None and not template.sentence:
                return template
        raise ValueError("questions.jsonl has no fallback template")


def _read_jsonl(path: Path, check: Callable[[dict[str, Any], str], _Item]) -> tuple[_Item, ...]:
    """Read a JSON Lines data file, one record a line (blank lines skipped), in file order.

    Args:
        path: The file.
        check: Validates one parsed line and builds its record; it gets the line's data and
            its place ("questions.jsonl:3") for its error messages.

    Raises:
        ValueError: When a line is not valid JSON, or `check` refuses it.
    """
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}:{number}: {exc.msg}") from None
        items.append(check(data, f"{path.name}:{number}"))
    return tuple(items)


def load_questions(path: Path = QUESTIONS_FILE) -> QuestionBook:
    """Read and validate question templates (JSON Lines).

    Args:
        path: The file; the packaged `questions.jsonl` by default.

    Returns:
        The templates in file order.

    Raises:
        ValueError: When a line is not valid JSON, a question does not end with "?", uses
            other fields than {phrase} and {context}, or names an unknown type.
    """
    return QuestionBook(_read_jsonl(path, _check_template))


def load_clauses(path: Path = CLAUSES_FILE) -> dict[str, Clause]:
    """Read the suggested clauses, one per missing-safeguard type.

    Args:
        path: The file; the packaged `clauses.json` by default.

    Returns:
        Clause per check id ("missing_exclusions", ...).

    Raises:
        ValueError: When a missing-safeguard type of the taxonomy has no clause.
    """
    data = json.loads(path.read_text(encoding="utf-8"))["clauses"]
    clauses = {
        key: Clause(
            title=value["title"],
            intro=value["intro"],
            items=tuple(value.get("items", ())),
            closing=value.get("closing", ""),
        )
        for key, value in data.items()
    }
    absent = [t for t in TYPES_BY_CATEGORY["missing"] if t not in clauses]
    if absent:
        raise ValueError(f"{path.name}: no clause for {', '.join(absent)}")
    return clauses


NOT_PROMISE_KINDS = ("markup", "block", "opinion")
"""The kinds of `not_promises.jsonl` rules (see `NotPromiseRule`)."""

OPINION_OPENING = (
    r"[\W_]*+"
    r"(?:(?![^,;:]*\b(?:will|shall|must|guarantees?|warrants?|commits?|agrees?|undertakes?)\b)"
    r"[^,;:.!?]{0,100}[,;:]\s*){0,2}"
    r"(?:(?:and|but|so|yet|also|however|therefore|thus|hence|still|overall|indeed|ultimately|"
    r"honestly|frankly|personally|moreover|furthermore)\b[,\s]*)*"
)
"""What may come before an opinion marker that opens the sentence's main clause: list markers
and emphasis, up to two introductory clauses without a promise verb ("While our objectives are
ambitious, …") and linking adverbs ("However, …"). "The Vendor shall deliver X, which we believe
is best" stays a promise: the marker sits in a relative clause after the promise."""


@dataclass(frozen=True, slots=True)
class NotPromiseRule:
    """One line of `not_promises.jsonl`: what makes a detected commitment not a promise.

    Attributes:
        id: e.g. "markup.image".
        kind: "markup": the pattern marks markup (a heading line, an image, a tag, a link, a
            list marker); a sentence that is nothing but such markup and punctuation is no
            promise. "block": a sentence inside a block of kind `block` (a heading) is none.
            "opinion": a sentence whose main clause opens with the pattern ("we believe …").
        why: Why such a sentence is left out, in words for the reader.
        pattern: The compiled pattern (markup, opinion), else None.
        block: The block kind (block rules), else None.
        formats: The document kinds the rule applies to; empty for all. A "# " line is a
            heading in Markdown, but a number column in a PDF or DOCX table.
    """

    id: str
    kind: str
    why: str
    pattern: re.Pattern[str] | None = None
    block: str | None = None
    formats: tuple[str, ...] = ()

    def applies_to(self, doc_kind: str | None) -> bool:
        """True when the rule applies to documents of this kind."""
        return not self.formats or doc_kind in self.formats


@dataclass(frozen=True, slots=True)
class NotPromises:
    """The rules that keep headings, images, bare links and opinions out of the ledger."""

    rules: tuple[NotPromiseRule, ...]

    def match(
        self, sentence: str, *, block_kind: str | None = None, doc_kind: str | None = None
    ) -> NotPromiseRule | None:
        """The rule by which `sentence` is not a promise, or None when it may be one.

        Args:
            sentence: The sentence as it stands in the document text (newlines kept, so a
                heading line is told from the text under it).
            block_kind: The kind of the block the sentence lies in, when known.
            doc_kind: The document's kind ("md", "pdf", ...), when known.

        Returns:
            The first rule that applies, in file order; None for a genuine promise.
        """
        rest, marked = sentence, None
        for rule in self.rules:
            if not rule.applies_to(doc_kind):
                continue
            if rule.kind == "block":
                if block_kind is not None and block_kind == rule.block:
                    return rule
            elif rule.kind == "markup" and rule.pattern is not None:
                rest, found = rule.pattern.subn(" ", rest)
                marked = marked or (rule if found else None)
        if marked is not None and not _WORDY_RE.search(rest):
            return marked
        flat = _flat(sentence)
        for rule in self.rules:
            if rule.kind != "opinion" or rule.pattern is None or not rule.applies_to(doc_kind):
                continue
            if rule.pattern.match(flat):
                return rule
        return None


_BLOCK_KINDS = frozenset(get_args(BlockKind))
_DOCUMENT_KINDS = frozenset(get_args(DocumentKind))


def _check_not_promise(data: dict[str, Any], where: str) -> NotPromiseRule:
    rule_id, kind, why = data.get("id"), data.get("kind"), data.get("why")
    if not isinstance(rule_id, str) or not rule_id or not isinstance(why, str) or not why:
        raise ValueError(f"{where}: every rule needs an 'id' and a 'why'")
    if kind not in NOT_PROMISE_KINDS:
        raise ValueError(f"{where}: 'kind' must be one of {', '.join(NOT_PROMISE_KINDS)}")
    formats = tuple(data.get("formats", ()))
    if not set(formats) <= _DOCUMENT_KINDS:
        raise ValueError(f"{where}: 'formats' lists document kinds: {', '.join(_DOCUMENT_KINDS)}")
    if kind == "block":
        block = data.get("block")
        if block not in _BLOCK_KINDS:
            raise ValueError(f"{where}: unknown block kind {block!r}")
        return NotPromiseRule(id=rule_id, kind=kind, why=why, block=block, formats=formats)
    pattern = data.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"{where}: a {kind} rule needs a 'pattern'")
    try:
        if kind == "opinion":
            compiled = re.compile(f"{OPINION_OPENING}(?:{pattern})", re.IGNORECASE)
        else:
            compiled = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    except re.error as exc:
        raise ValueError(f"{where}: bad pattern: {exc}") from None
    return NotPromiseRule(id=rule_id, kind=kind, why=why, pattern=compiled, formats=formats)


def load_not_promises(path: Path = NOT_PROMISES_FILE) -> NotPromises:
    """Read and validate what the ledger leaves out (JSON Lines).

    Args:
        path: The file; the packaged `not_promises.jsonl` by default.

    Returns:
        The rules in file order.

    Raises:
        ValueError: When a line is not valid JSON, lacks an id or why, has an unknown kind or
            block kind, or its pattern does not compile.
    """
    return NotPromises(_read_jsonl(path, _check_not_promise))


@cache
def _default_not_promises() -> NotPromises:
    return load_not_promises()


@cache
def _default_questions() -> QuestionBook:
    return load_questions()


@cache
def _default_clauses() -> dict[str, Clause]:
    return load_clauses()


# ---------------------------------------------------------------------------------------------
# Building the pack
# ---------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _flat(text: str | None) -> str:
    return _WS_RE.sub(" ", text or "").strip()


def _source(doc: DocumentReport, finding: Finding) -> Source:
    return Source(document=doc.path, page=finding.page, section=finding.section)


def _in_order(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.start is None, f.start or 0, f.end or 0, f.id))


def document_title(doc: DocumentReport) -> str | None:
    """The document's own title: its first block, when that is short and not a sentence."""
    if doc.document is None:
        return None
    for block in doc.document.blocks:
        text = _flat(_MD_HEADING_RE.sub("", block.text))
        if not text:
            continue
        short = block.kind in ("heading", "paragraph") and len(text) <= _TITLE_MAX
        return text if short and not text.endswith((".", ":", ";", ",")) else None
    return None


def _summary(doc: DocumentReport) -> DocumentSummary:
    counts = {c: 0 for c in CATEGORIES}
    for finding in doc.findings:
        counts[finding.category] = counts.get(finding.category, 0) + 1
    score = doc.summary.get("risk_score")
    return DocumentSummary(
        path=doc.path,
        title=document_title(doc),
        kind=doc.kind,
        pages=doc.pages,
        status=doc.status,
        error=doc.error,
        risk_score=int(score) if score is not None else None,
        risk_drivers=tuple(str(d) for d in doc.summary.get("risk_drivers") or ()),
        by_category=tuple(counts.items()),
    )


def is_dependency_section(section: str | None) -> bool:
    """True when `section` is an assumptions / client-responsibilities heading."""
    return bool(section) and _DEPENDENCY_SECTION_RE.search(section or "") is not None


def _lacks(doc: DocumentReport, check_id: str) -> bool:
    if any(f.category == "missing" and f.type == check_id for f in doc.findings):
        return True
    return any(s.check_id == check_id and not s.present for s in doc.safeguards)


def _inside(inner: Finding, outer: Finding) -> bool:
    return (
        inner.start is not None
        and inner.end is not None
        and outer.start is not None
        and outer.end is not None
        and outer.start <= inner.start
        and inner.end <= outer.end
    )


def _ledger_entry(
    doc: DocumentReport, group: Sequence[Finding], ambiguity: Sequence[Finding]
) -> LedgerEntry:
    first = group[0]
    sentence = first.sentence or first.text or ""
    types = tuple(dict.fromkeys(f.type for f in group))
    flags: list[Flag] = []
    if not is_measurable(sentence) and _lacks(doc, "missing_acceptance"):
        flags.append(
            Flag(FLAG_NO_ACCEPTANCE, "no number, date or % here and no acceptance procedure")
        )
    words = list(unbounded_words(sentence))
    words += [
        _flat(a.text)
        for a in ambiguity
        if a.type == "unbounded" and a.text and any(_inside(a, f) for f in group)
    ]
    words = list(dict.fromkeys(w for w in words if w))
    if words or "unbounded" in types:
        flags.append(Flag(FLAG_UNBOUNDED, ", ".join(f"'{w}'" for w in words)))
    promises = guarantee_words(sentence)
    if promises or "guarantee" in types:
        flags.append(Flag(FLAG_GUARANTEED, ", ".join(f"'{w}'" for w in promises)))
    severity = min(
        (f.severity for f in group), key=lambda s: ("high", "medium", "low", "info").index(s)
    )
    return LedgerEntry(
        what=_flat(sentence),
        types=types,
        severity=severity,
        terms=extract_terms(sentence),
        source=_source(doc, first),
        flags=tuple(flags),
        finding_ids=tuple(f.id for f in group),
    )


class _Blocks:
    """Which block a sentence lies in, by offset (blocks are hard sentence boundaries)."""

    def __init__(self, doc: DocumentReport) -> None:
        blocks = sorted(doc.document.blocks if doc.document else (), key=lambda b: b.start)
        self._starts = [b.start for b in blocks]
        self._blocks = blocks

    def kind(self, finding: Finding) -> str | None:
        start = finding.sentence_start if finding.sentence_start is not None else finding.start
        if start is None:
            return None
        end = start + len(finding.sentence or finding.text or "")
        at = bisect_right(self._starts, start) - 1
        if at < 0 or end > self._blocks[at].end:
            return None
        return self._blocks[at].kind


def _sentence_key(finding: Finding) -> tuple[int | None, str]:
    start = finding.sentence_start if finding.sentence_start is not None else finding.start
    return (start, _flat(finding.sentence or finding.text))


def _context(sentence: str, phrase: str) -> str:
    """The sentence around `phrase`, cut to about `_CONTEXT_MAX` characters at word bounds."""
    text = _flat(sentence)
    if len(text) <= _CONTEXT_MAX:
        return text
    at = text.lower().find(_flat(phrase).lower())
    if at < 0:
        at = 0
    start = max(0, at - _CONTEXT_SIDE)
    end = min(len(text), at + len(phrase) + _CONTEXT_SIDE)
    if start > 0:
        start = text.find(" ", start) + 1 or start
    if end < len(text):
        cut = text.rfind(" ", at + len(phrase), end)
        end = cut if cut > 0 else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _questions(doc: DocumentReport, book: QuestionBook) -> list[QuestionGroup]:
    groups: dict[str | None, dict[str, tuple[Question, list[Source]]]] = {}
    for finding in _in_order([f for f in doc.findings if f.category == "ambiguity"]):
        phrase = _flat(finding.text)
        if not phrase:
            continue
        section = finding.section or None
        seen = groups.setdefault(section, {})
        key = _norm(phrase)
        if key in seen:
            seen[key][1].append(_source(doc, finding))
            continue
        whole = _norm(phrase) == _norm(finding.sentence or "")
        template = book.for_finding(phrase, finding.type, sentence=whole)
        context = _context(finding.sentence or phrase, phrase)
        if whole:
            phrase = context
        text = template.question.format(phrase=phrase, context=context)
        question = Question(
            text=text,
            phrase=phrase,
            context=context,
            type=finding.type,
            template=template.id,
            sources=(),
        )
        seen[key] = (question, [_source(doc, finding)])
    return [
        QuestionGroup(
            document=doc.path,
            section=section,
            questions=tuple(replace(q, sources=tuple(sources)) for q, sources in entries.values()),
        )
        for section, entries in groups.items()
    ]


def _estimates(
    doc: DocumentReport,
    assumed_sentences: set[tuple[int | None, str]],
    others_with_basis: list[str],
) -> list[EstimateEntry]:
    check = next((s for s in doc.safeguards if s.check_id == "missing_estimate_basis"), None)
    lacking = _lacks(doc, "missing_estimate_basis")
    out = []
    for finding in _in_order([f for f in doc.findings if f.category == "estimate"]):
        sentence = finding.sentence or finding.text or ""
        if _sentence_key(finding) in assumed_sentences:
            explained, basis = True, "Yes: the sentence itself states what it assumes."
        elif not lacking:
            detail = check.summary if check is not None and check.summary else ""
            explained = True
            basis = "Yes: the document states assumptions" + (f" ({detail})." if detail else ".")
        else:
            explained = False
            basis = "No: nothing in this document explains it (see Missing safeguards)."
            if others_with_basis:
                names = ", ".join(PurePath(p).name for p in others_with_basis)
                basis += f" Check whether the assumptions in {names} cover it."
        out.append(
            EstimateEntry(
                text=_flat(sentence),
                source=_source(doc, finding),
                terms=extract_terms(sentence),
                explained=explained,
                basis=basis,
            )
        )
    return out


def _missing(
    reports: Sequence[DocumentReport], clauses: dict[str, Clause]
) -> list[MissingSafeguard]:
    ok = [d for d in reports if d.status == "ok"]
    out = []
    for check_id in TYPES_BY_CATEGORY["missing"]:
        lacking = [d for d in ok if _lacks(d, check_id)]
        if not lacking:
            continue
        finding = next(
            (
                f
                for d in lacking
                for f in d.findings
                if f.category == "missing" and f.type == check_id
            ),
            None,
        )
        out.append(
            MissingSafeguard(
                check_id=check_id,
                label=check_label(check_id),
                severity=finding.severity if finding else "medium",
                explanation=finding.explanation if finding else "",
                missing_in=tuple(d.path for d in lacking),
                present_in=tuple(d.path for d in ok if d not in lacking),
                clause=clauses[check_id],
            )
        )
    return out


def decisions_for(report: DocumentReport, decisions: Iterable[Annotation]) -> list[Annotation]:
    """Reviewers' decisions on a document, pointed at the findings of this analysis of it.

    A finding's id hashes the document's path, so a decision recorded in the review app (on
    the file as uploaded) names another id than the same finding found by `scopelens handover
    deals/acme.md`. A decision on a detected finding is therefore matched by what it was
    recorded on: its category, type and offsets into the same text (same sha256). Added spans,
    and decisions on findings this analysis does not have, pass unchanged.

    Args:
        report: This analysis of the document.
        decisions: Its decisions from the store (e.g. `Store.resolved_decisions(sha256)`).

    Returns:
        The decisions, ready for `analyzer.review.decisions.reviewed_report(report, ...)`.
    """
    ids = {(f.category, f.type, f.start, f.end): f.id for f in report.findings}
    out = []
    for decision in decisions:
        found = ids.get((decision.category, decision.type, decision.start, decision.end))
        if decision.decision != "add" and found is not None and found != decision.finding_id:
            decision = replace(decision, finding_id=found)
        out.append(decision)
    return out


def pack_title(documents: Sequence[DocumentSummary]) -> str:
    """ "Handover pack: <document title or file name>", or "… : N documents" for a deal."""
    if len(documents) == 1:
        doc = documents[0]
        return f"Handover pack: {doc.title or PurePath(doc.path).name}"
    return f"Handover pack: {len(documents)} documents"


def build_pack(
    reports: Sequence[DocumentReport],
    *,
    tool: ToolInfo | None = None,
    title: str | None = None,
    questions: QuestionBook | None = None,
    clauses: dict[str, Clause] | None = None,
    not_promises: NotPromises | None = None,
) -> HandoverPack:
    """Build the handover pack of one document or of the documents of one deal.

    Args:
        reports: One analysed document per file, in the order to present them. Documents that
            failed are listed in the summary with their error and contribute nothing else.
        tool: The tool line to print; `ToolInfo()` by default.
        title: The pack's title; by default from the document's own title or file name.
        questions: Question templates; the packaged `questions.jsonl` by default.
        clauses: Suggested clauses; the packaged `clauses.json` by default.
        not_promises: What the ledger leaves out although a detector took it for a
            commitment (headings, images, bare links, opinions); the packaged
            `not_promises.jsonl` by default. Those sentences go to `set_aside`.

    Returns:
        The pack; every item carries its document, page and section.
    """
    book = questions or _default_questions()
    clause_map = clauses or _default_clauses()
    skip = not_promises or _default_not_promises()
    summaries = tuple(_summary(d) for d in reports)
    ok = [d for d in reports if d.status == "ok"]
    with_basis = [d.path for d in ok if not _lacks(d, "missing_assumptions")]

    ledger: list[LedgerEntry] = []
    set_aside: list[SetAside] = []
    exclusions: list[Statement] = []
    # (document number, offset, statement): sorted into reading order at the end, because
    # statements placed by their heading are found after the detected ones.
    assumptions: list[tuple[int, int, Statement]] = []
    groups: list[QuestionGroup] = []
    estimates: list[EstimateEntry] = []
    for number, doc in enumerate(ok):
        findings = _in_order(doc.findings)
        ambiguity = [f for f in findings if f.category == "ambiguity"]
        assumed: set[tuple[int | None, str]] = set()
        for finding in findings:
            if finding.category == "exclusion":
                exclusions.append(Statement(_flat(finding.sentence), _source(doc, finding)))
            elif finding.category == "assumption":
                assumed.add(_sentence_key(finding))
                assumptions.append(
                    (
                        number,
                        finding.start or 0,
                        Statement(_flat(finding.sentence), _source(doc, finding)),
                    )
                )
        by_sentence: dict[tuple[int | None, str], list[Finding]] = {}
        for finding in findings:
            if finding.category == "commitment":
                by_sentence.setdefault(_sentence_key(finding), []).append(finding)
        blocks = _Blocks(doc)
        for key, group in by_sentence.items():
            first = group[0]
            rule = skip.match(
                first.sentence or first.text or "", block_kind=blocks.kind(first), doc_kind=doc.kind
            )
            if rule is not None:
                set_aside.append(
                    SetAside(
                        _flat(first.sentence or first.text), _source(doc, first), rule.id, rule.why
                    )
                )
                continue
            if is_dependency_section(first.section):
                if key not in assumed:
                    assumed.add(key)
                    statement = Statement(
                        _flat(first.sentence),
                        _source(doc, first),
                        note=(
                            "Detected as a vendor commitment; listed here because it sits "
                            "under an assumptions heading."
                        ),
                    )
                    assumptions.append((number, first.start or 0, statement))
                continue
            ledger.append(_ledger_entry(doc, group, ambiguity))
        groups += _questions(doc, book)
        others = [p for p in with_basis if p != doc.path]
        estimates += _estimates(doc, assumed, others)

    return HandoverPack(
        title=title or pack_title(summaries),
        tool=tool or ToolInfo(),
        documents=summaries,
        ledger=tuple(ledger),
        exclusions=tuple(exclusions),
        assumptions=tuple(s for _, _, s in sorted(assumptions, key=lambda a: (a[0], a[1]))),
        missing=tuple(_missing(ok, clause_map)),
        questions=tuple(groups),
        estimates=tuple(estimates),
        set_aside=tuple(set_aside),
    )
