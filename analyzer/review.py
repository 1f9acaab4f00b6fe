"""The review service: everything the Streamlit review app does, without Streamlit.

The app pages are thin shells over this module. `ReviewService` opens documents through the
store so that a document is analysed once per sha256 (re-opening it reads the stored report);
the free functions merge reviewer decisions into findings, filter them, summarise the risk,
build annotation records, cut text windows and render highlighted HTML and page images.

    service = ReviewService(store, Analyzer(boxes=True))
    opened = service.open_bytes(data, "acme.pdf")        # analyses, or reads the stored report
    items = merge_decisions(opened.report.findings, service.decisions(opened.sha256))
    shown = filter_findings(items, FindingFilter(categories=frozenset({"ambiguity"})))

Everything that comes from a document (text, file name, sections) is untrusted: every HTML
string built here is escaped.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from itertools import pairwise
from pathlib import Path
from typing import Any

from analyzer.analyze import Analyzer, error_report
from analyzer.config import Limits, default_model_dir
from analyzer.errors import AnalyzerError
from analyzer.render import Highlight, highlights_for, render_page, to_png
from analyzer.report import render as render_report
from analyzer.report.colours import CATEGORY_COLOURS, FALLBACK_COLOUR, HIGHLIGHT_PRIORITY
from analyzer.report.common import SEVERITY_ORDER, category_order, check_label
from analyzer.report.html import highlight_text
from analyzer.store import Store, utc_timestamp
from analyzer.store.repository import RuleStats
from analyzer.types import (
    CATEGORIES,
    SEVERITIES,
    TYPES_BY_CATEGORY,
    Annotation,
    Document,
    DocumentReport,
    Finding,
    PageBoxes,
    Report,
    SafeguardCheck,
    ToolInfo,
    finding_id,
    normalise_phrase,
    sha256_bytes,
)

REVIEW_STATES: tuple[str, ...] = ("unreviewed", "confirmed", "dismissed", "relabelled", "added")
"""Review state of a finding, from the current decision on it."""

SOURCE_KINDS: tuple[str, ...] = ("rule", "model", "check", "reviewer")
"""The part of `Finding.source` before the colon."""

_STATE_OF_DECISION = {
    "confirm": "confirmed",
    "dismiss": "dismissed",
    "relabel": "relabelled",
    "add": "added",
}
_ID_RE = re.compile(r"[^A-Za-z0-9_-]")
_BOXES_MEMO = 8


# ---------------------------------------------------------------------------------------------
# Opening documents (analysis cached by sha256 in the store)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenedDocument:
    """A document ready for review: its text and its (stored or fresh) analysis.

    Attributes:
        sha256: The document's sha256 (of the original bytes).
        name: File name as uploaded or found (untrusted).
        kind: "pdf", "docx", "txt" or "md"; None when the file could not be read.
        pages: Page count (PDF) or None.
        text: The extracted text all offsets point into ("" for an error).
        report: The analysis; `report.status == "error"` when the file could not be analysed.
        has_original: The original bytes are stored (page images, re-analysis).
        cached: The analysis was read from the store instead of being run now.
    """

    sha256: str
    name: str
    kind: str | None
    pages: int | None
    text: str
    report: DocumentReport
    has_original: bool
    cached: bool

    @property
    def ok(self) -> bool:
        """The document was analysed."""
        return self.report.status == "ok"


class ReviewService:
    """Opens documents for review and records decisions, through one store and analyzer.

    Thread-safe like `Store` (Streamlit runs sessions in threads): the analyzer's pipeline is
    used under a lock and the page-box memo is locked.

    Args:
        store: The store (schema created).
        analyzer: The analyzer used when a document has no stored analysis; give it
            `boxes=True` so fresh PDF analyses keep their character boxes for page images.
        keep_originals: Store the uploaded bytes with each document (needed for PDF page
            images and for re-analysis).
        limits: Size limits for files read from disk (defaults from the environment).
    """

    def __init__(
        self,
        store: Store,
        analyzer: Analyzer,
        *,
        keep_originals: bool = True,
        limits: Limits | None = None,
    ) -> None:
        self.store = store
        self.analyzer = analyzer
        self.keep_originals = keep_originals
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._boxes: OrderedDict[str, tuple[PageBoxes, ...]] = OrderedDict()

    @property
    def tool(self) -> ToolInfo:
        """Tool name, version and model recorded with analyses and annotations."""
        return self.analyzer.tool

    # -- opening -----------------------------------------------------------------------------

    def open_bytes(self, data: bytes, name: str) -> OpenedDocument:
        """Open an upload: the stored analysis when there is one, else analyse and store it.

        Args:
            data: The file bytes.
            name: The file name (gives the extension; untrusted).

        Returns:
            The opened document; check `ok` — a file that cannot be read gives an error
            report and is not stored.

        Raises:
            StoreError: The database cannot be read or written.
        """
        sha = sha256_bytes(data)
        opened = self.open_stored(sha, original=data if self.keep_originals else None)
        if opened is not None:
            return opened
        with self._lock:
            report = self.analyzer.analyze_bytes(data, name)
        if report.status != "ok" or report.document is None:
            return OpenedDocument(sha, name, report.kind, report.pages, "", report, False, False)
        return self._save(report, report.document, data)

    def open_path(self, path: str | Path) -> OpenedDocument:
        """Open a file on the server's disk (the batch page's folder scan).

        Raises:
            StoreError: The database cannot be read or written.
        """
        shown = str(path)
        try:
            size = Path(path).stat().st_size
            if size > self.limits.max_file_bytes:
                mb = self.limits.max_file_bytes // (1024 * 1024)
                return _failed(shown, f"file is over the limit of {mb} MB")
            data = Path(path).read_bytes()
        except OSError as exc:
            return _failed(shown, f"cannot read: {exc.strerror or exc}")
        return self.open_bytes(data, shown)

    def open_stored(self, sha256: str, *, original: bytes | None = None) -> OpenedDocument | None:
        """Open a stored document from its latest stored analysis (never re-runs it).

        Args:
            sha256: The document.
            original: The original bytes, added to the stored document when it lacks them.

        Returns:
            The document, or None when it is not stored or has no analysis yet.

        Raises:
            StoreError: The database cannot be read or written.
        """
        report = self.store.latest_analysis(sha256)
        if report is None:
            return None
        stored = self.store.get_document(sha256)
        if stored is None:
            return None
        has_original = stored.original is not None
        if original is not None and not has_original:
            self.store.save_document(
                Document(
                    path=stored.name,
                    kind=stored.kind or "txt",  # type: ignore[arg-type]
                    text=stored.text,
                    blocks=(),
                    sha256=stored.sha256,
                    pages=stored.pages,
                ),
                original=original,
            )
            has_original = True
        return OpenedDocument(
            sha256=sha256,
            name=stored.name,
            kind=stored.kind,
            pages=stored.pages,
            text=stored.text,
            report=report,
            has_original=has_original,
            cached=True,
        )

    def reanalyse(self, sha256: str) -> OpenedDocument:
        """Analyse a stored document again (e.g. after the allow-list changed).

        Raises:
            ValueError: The original bytes are not stored, or the file now extracts to a
                different text (the stored offsets would no longer fit).
            StoreError: The document is not stored or the database cannot be written.
        """
        stored = self.store.get_document(sha256)
        if stored is None:
            raise ValueError(f"document {sha256[:12]} is not in the store")
        if stored.original is None:
            raise ValueError("the original file is not stored: upload it again to re-analyse")
        with self._lock:
            report = self.analyzer.analyze_bytes(stored.original, stored.name)
        if report.status != "ok" or report.document is None:
            raise ValueError(f"re-analysis failed: {report.error}")
        if report.document.text != stored.text:
            raise ValueError("the file now extracts to a different text; upload it as new")
        return self._save(report, report.document, stored.original)

    def _save(self, report: DocumentReport, document: Document, data: bytes) -> OpenedDocument:
        sha = document.sha256
        self.store.save_document(document, original=data if self.keep_originals else None)
        self.store.save_analysis(sha, report, self.tool.version, self.tool.model)
        if document.page_boxes is not None:
            self._remember_boxes(sha, document.page_boxes)
        return OpenedDocument(
            sha256=sha,
            name=document.path,
            kind=document.kind,
            pages=document.pages,
            text=document.text,
            report=report,
            has_original=self.keep_originals,
            cached=False,
        )

    # -- page images -------------------------------------------------------------------------

    def _remember_boxes(self, sha256: str, boxes: tuple[PageBoxes, ...]) -> None:
        with self._lock:
            self._boxes[sha256] = boxes
            self._boxes.move_to_end(sha256)
            while len(self._boxes) > _BOXES_MEMO:
                self._boxes.popitem(last=False)

    def page_boxes(self, sha256: str) -> tuple[PageBoxes, ...] | None:
        """Character boxes of a stored PDF, re-extracted from its original bytes when needed.

        Returns:
            The boxes per page, or None when the document is not a PDF, its original is not
            stored, or the re-extracted text differs from the stored one.

        Raises:
            StoreError: The database cannot be read.
        """
        with self._lock:
            memo = self._boxes.get(sha256)
        if memo is not None:
            return memo
        stored = self.store.get_document(sha256)
        if stored is None or stored.kind != "pdf" or stored.original is None:
            return None
        from analyzer.extract import extract_bytes

        try:
            document = extract_bytes(
                stored.original,
                stored.name,
                engine=self.analyzer.engine,
                boxes=True,
                limits=self.limits,
            )
        except AnalyzerError:
            return None
        if document.text != stored.text or document.page_boxes is None:
            return None
        self._remember_boxes(sha256, document.page_boxes)
        return document.page_boxes

    def page_png(
        self,
        sha256: str,
        page: int,
        highlights: Sequence[Highlight] = (),
        scale: float = 1.5,
    ) -> bytes | None:
        """PNG of one page of a stored PDF with `highlights` drawn, or None without original.

        Raises:
            CorruptDocumentError: The stored bytes cannot be rendered.
            ValueError: `page` is out of range.
            StoreError: The database cannot be read.
        """
        stored = self.store.get_document(sha256)
        if stored is None or stored.kind != "pdf" or stored.original is None:
            return None
        all_boxes = self.page_boxes(sha256) or ()
        boxes = next((b for b in all_boxes if b.page == page), None)
        image = render_page(stored.original, page, boxes=boxes, highlights=highlights, scale=scale)
        return to_png(image)

    # -- decisions ---------------------------------------------------------------------------

    def decisions(self, sha256: str) -> list[Annotation]:
        """Current decisions (latest per finding and reviewer) on a document."""
        return self.store.current_decisions(sha256)

    def record(self, annotation: Annotation) -> int:
        """Store one decision (history is kept by the store).

        Raises:
            ValueError: The annotation is invalid.
            StoreError: The database cannot be written.
        """
        return self.store.add_annotation(annotation)

    def export_jsonl(self, sha256: str | None = None, *, current_only: bool = False) -> str:
        """Decisions as DESIGN.md annotation records, one JSON object per line."""
        import io

        buffer = io.StringIO()
        self.store.export_annotations(buffer, sha256, current_only=current_only)
        return buffer.getvalue()

    # -- allow-list --------------------------------------------------------------------------

    def allow_list_key(self) -> tuple[str, ...]:
        """The muted phrases, sorted: the version of the allow-list (a cache key)."""
        return allow_list_key(self.store)


def allow_list_key(store: Store) -> tuple[str, ...]:
    """The organisation's muted phrases, sorted; use it as the cache key of the analyzer."""
    return tuple(sorted(p.phrase for p in store.allow_list()))


def _failed(path: str, reason: str) -> OpenedDocument:
    report = error_report(path, reason)
    return OpenedDocument("", path, None, None, "", report, False, False)


# ---------------------------------------------------------------------------------------------
# Decisions merged into findings; filters
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewedFinding:
    """A finding as the reviewer sees it: its label after relabelling, and its review state.

    Attributes:
        finding: The effective finding (a relabel's new category/type/severity applied).
        original: The finding as detected (for added spans: the same as `finding`).
        state: One of `REVIEW_STATES`.
        decision: The current decision it comes from, or None when unreviewed.
    """

    finding: Finding
    original: Finding
    state: str
    decision: Annotation | None = None


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
    """

    categories: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()

    def matches(self, item: ReviewedFinding) -> bool:
        """True when `item` passes every non-empty criterion."""
        f = item.finding
        return (
            (not self.categories or f.category in self.categories)
            and (not self.types or f.type in self.types)
            and (not self.severities or f.severity in self.severities)
            and (not self.sources or source_kind(f.source) in self.sources)
            and (not self.states or item.state in self.states)
        )


def filter_findings(items: Iterable[ReviewedFinding], flt: FindingFilter) -> list[ReviewedFinding]:
    """The items `flt` keeps, in their order."""
    return [item for item in items if flt.matches(item)]


def facets(items: Sequence[ReviewedFinding]) -> dict[str, list[str]]:
    """Filter options present in `items`: categories, types, severities, sources, states.

    Each list is in taxonomy order (unknown values last), so the widgets stay stable.
    """
    cats = {i.finding.category for i in items}
    type_order = [t for c in CATEGORIES for t in TYPES_BY_CATEGORY[c]]
    types = {i.finding.type for i in items}
    return {
        "category": category_order(cats),
        "type": _ordered(types, type_order),
        "severity": _ordered({i.finding.severity for i in items}, SEVERITIES),
        "source": _ordered({source_kind(i.finding.source) for i in items}, SOURCE_KINDS),
        "state": _ordered({i.state for i in items}, REVIEW_STATES),
    }


def _ordered(values: set[str], order: Sequence[str]) -> list[str]:
    known = list(dict.fromkeys(v for v in order if v in values))
    return known + sorted(values - set(order))


def counts_by_state(items: Iterable[ReviewedFinding]) -> dict[str, int]:
    """How many findings are in each review state (non-zero only, in `REVIEW_STATES` order)."""
    counter = Counter(i.state for i in items)
    return {s: counter[s] for s in REVIEW_STATES if counter[s]}


def finding_label(item: ReviewedFinding, number: int) -> str:
    """One line naming a finding in the findings list (plain text, for a selectbox)."""
    f = item.finding
    where = f"p.{f.page}" if f.page is not None else ("document" if f.start is None else "")
    text = (f.text or check_label(f.type)).replace("\n", " ")
    if len(text) > 60:
        text = text[:57] + "…"
    state = "" if item.state == "unreviewed" else f" [{item.state}]"
    parts = [f"#{number}", f"{f.category}/{f.type}", f.severity, where, f"“{text}”"]
    return " · ".join(p for p in parts if p) + state


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
    return Annotation(
        document_sha256=opened.sha256,
        document_name=opened.name,
        start=finding.start,
        end=finding.end,
        text=finding.text,
        sentence=finding.sentence,
        finding_id=finding.id,
        category=finding.category,
        type=finding.type,
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


_LINE_RE = re.compile(r"[^\n]+")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences for the "add a missed finding" picker (lines, then . ! ? before a capital).

    A light splitter that never re-runs the pipeline; exact offsets are all that matter.
    """
    out: list[Sentence] = []
    for line in _LINE_RE.finditer(text):
        base = line.start()
        cuts = [0, *(m.end() for m in _SENTENCE_END_RE.finditer(line.group())), len(line.group())]
        for a, b in pairwise(cuts):
            piece = line.group()[a:b]
            stripped = piece.strip()
            if not stripped:
                continue
            start = base + a + (len(piece) - len(piece.lstrip()))
            out.append(Sentence(start, start + len(stripped), stripped))
    return out


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


# ---------------------------------------------------------------------------------------------
# Risk panel
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskSummary:
    """What the summary panel shows.

    Attributes:
        risk_score: 0–100, or None when the report has no score.
        drivers: What drives the score, biggest first.
        by_category: Finding counts in taxonomy order.
        safeguards: Every document-level check, missing ones first.
    """

    risk_score: int | None
    drivers: tuple[str, ...]
    by_category: dict[str, int]
    safeguards: tuple[SafeguardCheck, ...] = field(default=())

    @property
    def missing(self) -> tuple[SafeguardCheck, ...]:
        """The safeguards the document lacks."""
        return tuple(s for s in self.safeguards if not s.present)


def risk_summary(report: DocumentReport) -> RiskSummary:
    """The summary panel of one report (counts recomputed from its findings)."""
    counts = Counter(f.category for f in report.findings)
    by_category = {c: counts[c] for c in category_order(set(counts))}
    safeguards = list(report.safeguards)
    if not safeguards:  # an older report without checks: fall back to the "missing" findings
        safeguards = [
            SafeguardCheck(f.type, False, (), f.explanation)
            for f in report.findings
            if f.category == "missing"
        ]
    safeguards.sort(key=lambda s: s.present)
    score = report.summary.get("risk_score")
    return RiskSummary(
        risk_score=int(score) if score is not None else None,
        drivers=tuple(str(d) for d in report.summary.get("risk_drivers") or ()),
        by_category=by_category,
        safeguards=tuple(safeguards),
    )


# ---------------------------------------------------------------------------------------------
# Highlighted text (escaped HTML)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextWindow:
    """A slice of the document text around a finding, with findings shifted into it.

    Attributes:
        text: `document_text[offset:offset + len(text)]`.
        offset: Where the slice starts in the document.
        findings: Findings overlapping the slice, offsets relative to it (clipped).
        before: Text was cut before the slice.
        after: Text was cut after the slice.
    """

    text: str
    offset: int
    findings: tuple[Finding, ...]
    before: bool
    after: bool


def text_window(
    text: str,
    findings: Iterable[Finding],
    focus: Finding | None = None,
    radius: int = 1500,
) -> TextWindow:
    """The part of `text` around `focus` (whole text when `focus` has no span).

    The slice is widened to line boundaries (up to 400 characters further) so it does not
    start or end mid-sentence.
    """
    spans = [f for f in findings if f.start is not None and f.end is not None]
    if focus is None or focus.start is None or focus.end is None or len(text) <= 2 * radius:
        return TextWindow(text, 0, tuple(spans), False, False)
    lo = max(0, focus.start - radius)
    hi = min(len(text), focus.end + radius)
    if lo > 0:
        cut = text.rfind("\n", max(0, lo - 400), lo)
        lo = cut + 1 if cut >= 0 else lo
    if hi < len(text):
        cut = text.find("\n", hi, hi + 400)
        hi = cut if cut >= 0 else hi
    shifted = []
    for f in spans:
        assert f.start is not None and f.end is not None
        if f.end <= lo or f.start >= hi:
            continue
        shifted.append(replace(f, start=max(f.start, lo) - lo, end=min(f.end, hi) - lo))
    return TextWindow(text[lo:hi], lo, tuple(shifted), lo > 0, hi < len(text))


def highlight_css(scope: str = "sl-doc") -> str:
    """CSS for `highlight_text` marks inside `.<scope>`, from the shared category colours."""
    rules = [
        f".{scope}{{white-space:pre-wrap;line-height:1.55;font-size:.95rem;"
        "border:1px solid #ddd;border-radius:.4rem;padding:.8rem 1rem;background:#fcfcfc;"
        "max-height:42rem;overflow:auto;overflow-wrap:anywhere}",
        f".{scope} mark.hl{{color:inherit;padding:0;border-radius:2px;"
        f"background:{FALLBACK_COLOUR}}}",
        f".{scope} .sl-cut{{color:#888;font-style:italic}}",
    ]
    for category in HIGHLIGHT_PRIORITY:
        rules.append(f".{scope} mark.hl-{category}{{background:{CATEGORY_COLOURS[category]}}}")
    for category in HIGHLIGHT_PRIORITY:
        colour = CATEGORY_COLOURS[category]
        rules.append(f".{scope} mark.hl-under-{category}{{box-shadow:inset 0 -.3em 0 {colour}}}")
    return "\n".join(rules)


def highlighted_html(
    text: str,
    findings: Iterable[Finding],
    *,
    selected_id: str | None = None,
    window: bool = True,
    radius: int = 1500,
    scope: str = "sl-doc",
) -> str:
    """The document text as escaped HTML with findings highlighted, the selected one outlined.

    Args:
        text: The document text (untrusted).
        findings: Findings to highlight (offsets into `text`).
        selected_id: The finding to outline and, with `window`, to centre on.
        window: Show only the text around the selected finding.
        radius: Characters either side of the selected finding when windowed.
        scope: CSS class of the container (the styles are scoped to it).

    Returns:
        A `<style>` element and a `<div>`: everything from the document is escaped.
    """
    findings = list(findings)
    focus = next((f for f in findings if f.id == selected_id), None)
    view = (
        text_window(text, findings, focus, radius)
        if window
        else TextWindow(text, 0, tuple(findings), False, False)
    )
    body = highlight_text(view.text, view.findings)
    css = highlight_css(scope)
    if selected_id:
        token = _ID_RE.sub("", selected_id)
        if token:
            css += (
                f'\n.{scope} mark[data-ids~="{token}"]'
                "{outline:2px solid #c62828;outline-offset:1px}"
            )
    before = '<div class="sl-cut">[… earlier text …]</div>' if view.before else ""
    after = '<div class="sl-cut">[… later text …]</div>' if view.after else ""
    return f'<style>{css}</style><div class="{scope}">{before}{body}{after}</div>'


def passage_html(finding: Finding, scope: str = "sl-passage") -> str:
    """The finding's sentence with its phrase highlighted (escaped HTML), for the detail view."""
    sentence = finding.sentence or finding.text or ""
    if not sentence:
        return ""
    start = finding.sentence_start
    local: list[Finding] = []
    if start is not None and finding.start is not None and finding.end is not None:
        a, b = finding.start - start, finding.end - start
        if 0 <= a < b <= len(sentence):
            local = [replace(finding, start=a, end=b)]
    elif finding.text and finding.text in sentence:
        a = sentence.index(finding.text)
        local = [replace(finding, start=a, end=a + len(finding.text))]
    css = highlight_css(scope).replace("max-height:42rem;", "")
    return f'<style>{css}</style><div class="{scope}">{highlight_text(sentence, local)}</div>'


def legend_html() -> str:
    """Category colour chips (fixed taxonomy strings, escaped anyway)."""
    chips = "".join(
        f'<span style="background:{CATEGORY_COLOURS[c]};padding:0 .45rem;border-radius:.6rem;'
        f'margin-right:.3rem;font-size:.85rem">{escape(c)}</span>'
        for c in CATEGORIES
    )
    return f"<div>{chips}</div>"


def page_highlights(items: Iterable[ReviewedFinding], selected_id: str | None) -> list[Highlight]:
    """Highlights for a page image: every shown finding, the selected one outlined."""
    return highlights_for((i.finding for i in items), selected_id)


# ---------------------------------------------------------------------------------------------
# Batch portfolio
# ---------------------------------------------------------------------------------------------


def portfolio_rows(opened: Iterable[OpenedDocument]) -> list[dict[str, Any]]:
    """One row per document: name, kind, pages, risk score, counts by category, missing.

    Rows are plain dicts (for a dataframe); counts are present for every category.
    """
    rows = []
    for doc in opened:
        report = doc.report
        counts = Counter(f.category for f in report.findings)
        missing = [check_label(f.type) for f in report.findings if f.category == "missing"]
        row: dict[str, Any] = {
            "document": doc.name,
            "kind": doc.kind or "",
            "pages": doc.pages,
            "status": report.status,
            "risk_score": report.summary.get("risk_score"),
        }
        for category in CATEGORIES:
            if category != "missing":
                row[category] = counts.get(category, 0)
        row["missing_safeguards"] = ", ".join(missing)
        row["error"] = report.error or ""
        row["sha256"] = doc.sha256
        rows.append(row)
    return rows


def sort_portfolio(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Highest risk first; errors last."""
    return sorted(
        rows,
        key=lambda r: (r["status"] != "ok", -(r["risk_score"] or 0), str(r["document"])),
    )


def batch_report(opened: Iterable[OpenedDocument], fmt: str, tool: ToolInfo) -> str:
    """The batch as a report file in a DESIGN.md format ("json", "csv", "md", "html")."""
    reports = [replace_path(doc) for doc in opened]
    return render_report(Report(tool=tool, documents=reports), fmt)  # type: ignore[arg-type]


def replace_path(doc: OpenedDocument) -> DocumentReport:
    """The document's report with `path` set to its name (stored reports keep the old path)."""
    report = doc.report
    return DocumentReport(
        path=doc.name or report.path,
        sha256=report.sha256,
        kind=report.kind,
        pages=report.pages,
        status=report.status,
        error=report.error,
        text_chars=report.text_chars,
        findings=list(report.findings),
        summary=dict(report.summary),
        safeguards=list(report.safeguards),
    )


# ---------------------------------------------------------------------------------------------
# Model page
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A shipped model: its folder and its `meta.json`."""

    name: str
    path: Path
    meta: dict[str, Any]


def shipped_models(models_dir: Path | None = None) -> list[ModelInfo]:
    """Models with a `meta.json` beside the shipped one (default: `models/*/meta.json`).

    The folder is the parent of `analyzer.config.default_model_dir()`, so `SCOPELENS_MODEL`
    moves it too. Unreadable meta files are reported in `meta["error"]`.
    """
    root = models_dir or default_model_dir().parent
    out = []
    for meta_file in sorted(root.glob("*/meta.json")):
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                meta = {"error": "meta.json is not a JSON object"}
        except (OSError, ValueError) as exc:
            meta = {"error": f"cannot read meta.json: {exc}"}
        out.append(ModelInfo(meta_file.parent.name, meta_file.parent, meta))
    return out


_METRIC_KEYS = ("precision", "recall", "f1", "support", "tp", "fp", "fn")
_METRIC_SECTIONS = ("metrics", "test", "dev_f1")
"""Where a model's `meta.json` keeps its scores (older and newer layouts)."""


def metric_rows(meta: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Split a model's metrics into per-label rows and single values.

    Looks in `meta["metrics"]`, `meta["test"]` and `meta["dev_f1"]`; any nested dict holding
    precision/recall/f1 becomes a row named by its key path, other scalars become facts. Works
    for whatever shape the training step writes.

    Returns:
        (rows, facts): rows with label and those of precision, recall, f1, support, tp, fp,
        fn that any row has (None where one lacks it); facts as dotted name -> value.
    """
    rows: list[dict[str, Any]] = []
    facts: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            if any(k in value for k in ("precision", "recall", "f1")):
                row: dict[str, Any] = {"label": prefix}
                row.update({k: value.get(k) for k in _METRIC_KEYS})
                rows.append(row)
                for k, v in value.items():
                    if k not in _METRIC_KEYS:
                        walk(f"{prefix}.{k}", v)
                return
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, int | float | str | bool) or value is None:
            facts[prefix] = value

    for section in _METRIC_SECTIONS:
        if section in meta:
            walk(section, meta[section])
    empty = {k for k in _METRIC_KEYS if all(row.get(k) is None for row in rows)}
    rows = [{k: v for k, v in row.items() if k not in empty} for row in rows]
    return rows, facts


def verdict(stats: RuleStats) -> str:
    """ "dismissed 41 of 50 times (relabelled 3)" — how reviewers judged a rule."""
    text = f"dismissed {stats.dismissed} of {stats.total} times"
    if stats.relabelled:
        text += f", relabelled {stats.relabelled}"
    return text


def rule_rows(stats: Iterable[RuleStats]) -> list[dict[str, Any]]:
    """One row per rule (source) and type, worst precision first."""
    rows = [
        {
            "source": s.source,
            "category": s.category,
            "type": s.type,
            "confirmed": s.confirmed,
            "dismissed": s.dismissed,
            "relabelled": s.relabelled,
            "judged": s.total,
            "precision": round(s.precision, 3) if s.precision is not None else None,
            "verdict": verdict(s),
        }
        for s in stats
    ]
    return sorted(
        rows, key=lambda r: (r["precision"] if r["precision"] is not None else 2, r["source"])
    )


def type_rows(stats: Iterable[RuleStats]) -> list[dict[str, Any]]:
    """Reviewer precision per finding type (all sources of that type together)."""
    totals: dict[tuple[str, str], list[int]] = {}
    for s in stats:
        acc = totals.setdefault((s.category, s.type), [0, 0, 0])
        acc[0] += s.confirmed
        acc[1] += s.dismissed
        acc[2] += s.relabelled
    rows = []
    for (category, type_), (confirmed, dismissed, relabelled) in totals.items():
        total = confirmed + dismissed + relabelled
        rows.append(
            {
                "category": category,
                "type": type_,
                "confirmed": confirmed,
                "dismissed": dismissed,
                "relabelled": relabelled,
                "judged": total,
                "precision": round(confirmed / total, 3) if total else None,
            }
        )
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(rows, key=lambda r: (order.get(r["category"], 99), r["type"]))


def muted_matches(findings: Iterable[Finding], phrases: Iterable[str]) -> list[Finding]:
    """Findings a current allow-list would mute (the stored analysis predates the phrase)."""
    keys = {normalise_phrase(p) for p in phrases}
    return [
        f
        for f in findings
        if keys and f.category == "ambiguity" and f.text and normalise_phrase(f.text) in keys
    ]


def severity_rank(severity: str) -> int:
    """Sort key of a severity (high first)."""
    return SEVERITY_ORDER.get(severity, 9)


# ---------------------------------------------------------------------------------------------
# Small escaped HTML pieces and rows for the review page
# ---------------------------------------------------------------------------------------------


def utc_now() -> str:
    """The current time as a DESIGN.md timestamp ("2026-11-25T18:00:00Z")."""
    return utc_timestamp()


def _chip(category: str, text: str) -> str:
    colour = CATEGORY_COLOURS.get(category, FALLBACK_COLOUR)
    return (
        f'<span style="background:{colour};padding:.05rem .5rem;border-radius:.7rem;'
        f'margin:0 .3rem .3rem 0;display:inline-block;font-size:.9rem">{escape(text)}</span>'
    )


def counts_html(by_category: dict[str, int]) -> str:
    """Category chips with counts ("ambiguity 7"), or a note when there are no findings."""
    if not by_category:
        return "<div><em>No findings.</em></div>"
    return "<div>" + "".join(_chip(c, f"{c} {n}") for c, n in by_category.items()) + "</div>"


def safeguards_html(safeguards: Sequence[SafeguardCheck]) -> str:
    """A table of the document-level checks: status, summary and evidence (all escaped)."""
    if not safeguards:
        return "<p><em>No document-level checks in this analysis.</em></p>"
    rows = []
    for check in safeguards:
        status = (
            '<span style="color:#1a7f37;font-weight:600">present</span>'
            if check.present
            else '<span style="color:#c62828;font-weight:600">missing</span>'
        )
        evidence = "".join(f"<li>{escape(e)}</li>" for e in check.details)
        detail = escape(check.summary) + (
            f"<ul style='margin:0'>{evidence}</ul>" if evidence else ""
        )
        rows.append(
            f"<tr><td>{escape(check_label(check.check_id))}</td><td>{status}</td>"
            f"<td>{detail}</td></tr>"
        )
    style = "border-collapse:collapse;width:100%;font-size:.9rem"
    cell = "th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    return (
        f"<style>.sl-safe {cell.replace(',td', ',.sl-safe td')}</style>"
        f'<table class="sl-safe" style="{style}"><thead><tr><th>Safeguard</th><th>Status</th>'
        f"<th>Summary and evidence</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def finding_detail_html(item: ReviewedFinding) -> str:
    """The detail card of a finding: label, where, why, suggested rewrite, source, state."""
    f = item.finding
    rows: list[tuple[str, str]] = [
        ("Label", _chip(f.category, f"{f.category} / {f.type}") + escape(f.severity)),
    ]
    if item.original is not f and (
        item.original.category,
        item.original.type,
        item.original.severity,
    ) != (f.category, f.type, f.severity):
        o = item.original
        rows.append(("Detected as", escape(f"{o.category} / {o.type} ({o.severity})")))
    where = []
    if f.page is not None:
        where.append(f"page {f.page}")
    if f.section:
        where.append(f"section {f.section}")
    if f.start is None:
        where.append("whole document")
    elif f.end is not None:
        where.append(f"characters {f.start}–{f.end}")
    rows.append(("Where", escape(", ".join(where))))
    if f.text and f.start is not None:
        rows.append(("Passage", f"<strong>{escape(f.text)}</strong>"))
    if f.explanation:
        rows.append(("Why", escape(f.explanation)))
    if f.suggestion:
        rows.append(("Suggested rewrite", escape(f.suggestion)))
    rows.append(("Source", f"<code>{escape(f.source)}</code> · confidence {f.confidence:.2f}"))
    state = escape(item.state)
    if item.decision is not None:
        d = item.decision
        state += escape(f" by {d.reviewer} at {d.created_at}")
        if d.reason:
            state += escape(f" — {d.reason}")
        if d.comment:
            state += f"<br><em>{escape(d.comment)}</em>"
    rows.append(("Review", state))
    body = "".join(
        f'<tr><th style="text-align:left;vertical-align:top;padding-right:.8rem;'
        f'white-space:nowrap">{k}</th><td style="overflow-wrap:anywhere">{v}</td></tr>'
        for k, v in rows
    )
    return f'<table style="font-size:.92rem;border-collapse:collapse">{body}</table>'


def history_rows(history: Iterable[Annotation]) -> list[dict[str, Any]]:
    """A finding's decision history, oldest first, for a table."""
    return [
        {
            "when": a.created_at,
            "reviewer": a.reviewer,
            "decision": a.decision,
            "label": f"{a.new_category}/{a.new_type}" if a.new_category else "",
            "severity": a.new_severity or "",
            "reason": a.reason or "",
            "comment": a.comment or "",
        }
        for a in history
    ]


def sentence_label(sentence: Sentence, width: int = 90) -> str:
    """A sentence shortened for a picker (plain text)."""
    text = " ".join(sentence.text.split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    return f"@{sentence.start}: {text}"


def summary_html(name: str, kind: str | None, pages: int | None, summary: RiskSummary) -> str:
    """The summary panel: file, risk score, counts by category and risk drivers (escaped)."""
    score = "–" if summary.risk_score is None else str(summary.risk_score)
    facts = " · ".join(
        p
        for p in (
            kind or "",
            f"{pages} pages" if pages else "",
            f"{len(summary.missing)} missing safeguards",
        )
        if p
    )
    drivers = "".join(f"<li>{escape(d)}</li>" for d in summary.drivers)
    missing = "".join(
        f'<li><span style="color:#c62828;font-weight:600">Missing '
        f"{escape(check_label(s.check_id).lower())}</span>: {escape(s.summary)}</li>"
        for s in summary.missing
    )
    return (
        '<div style="display:flex;gap:1.5rem;align-items:flex-start;flex-wrap:wrap">'
        '<div style="min-width:8rem"><div style="font-size:.85rem;color:#555">Risk score</div>'
        f'<div style="font-size:2.2rem;font-weight:700;line-height:1.1">{escape(score)}'
        '<span style="font-size:1rem;color:#777"> / 100</span></div></div>'
        f'<div style="flex:1;min-width:16rem"><div style="font-weight:600;'
        f'overflow-wrap:anywhere">{escape(name)}</div>'
        f'<div style="font-size:.85rem;color:#555;margin-bottom:.3rem">{escape(facts)}</div>'
        f"{counts_html(summary.by_category)}"
        f'<ul style="margin:.3rem 0 0 1.1rem;padding:0;font-size:.9rem">{drivers}</ul>'
        + (
            f'<ul style="margin:.3rem 0 0 1.1rem;padding:0;font-size:.9rem">{missing}</ul>'
            if missing
            else ""
        )
        + "</div></div>"
    )
