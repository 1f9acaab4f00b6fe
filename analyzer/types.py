"""Core records that flow through ScopeLens: Document, Block, Finding, DocumentReport, Report.

Character offsets (`start`, `end`) into `Document.text` are the single source of truth for
locating anything: blocks, sentences, findings, annotations. This module imports nothing of
ours (bottom floor of the package).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Literal, TypeVar

R = TypeVar("R")

# ---------------------------------------------------------------------------------------------
# Taxonomy (DESIGN.md). Extend, never rename.
# ---------------------------------------------------------------------------------------------

CATEGORIES: tuple[str, ...] = (
    "ambiguity",
    "commitment",
    "exclusion",
    "assumption",
    "estimate",
    "missing",
)

TYPES_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "ambiguity": (
        "vague_term",
        "open_ended",
        "subjective",
        "escape_clause",
        "placeholder",
        "unbounded",
    ),
    "commitment": ("deliverable", "deadline", "guarantee", "service_level", "price", "unbounded"),
    "exclusion": ("exclusion",),
    "assumption": ("assumption",),
    "estimate": ("estimate",),
    "missing": (
        "missing_exclusions",
        "missing_assumptions",
        "missing_acceptance",
        "missing_change_control",
        "missing_estimate_basis",
    ),
}

SEVERITIES: tuple[str, ...] = ("high", "medium", "low", "info")

BlockKind = Literal["heading", "paragraph", "list_item", "table_row", "header", "footer"]
DocumentKind = Literal["pdf", "docx", "txt", "md"]


def is_known_type(category: str, type_: str) -> bool:
    """Return True when `type_` belongs to `category` in the DESIGN.md taxonomy."""
    return type_ in TYPES_BY_CATEGORY.get(category, ())


# ---------------------------------------------------------------------------------------------
# Extraction records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    """A contiguous piece of the document text: a heading, paragraph, list item or table row.

    Block boundaries are hard sentence boundaries. `text` equals `Document.text[start:end]`.
    """

    kind: BlockKind
    start: int
    end: int
    text: str
    page: int | None = None
    """1-based page number (PDF); None for formats without pages."""
    index: int = 0
    """Position of the block in reading order (paragraph index for DOCX)."""
    bbox: tuple[float, float, float, float] | None = None
    """(x0, top, x1, bottom) in PDF points, top-left origin, for PDF blocks."""
    section: tuple[str, ...] = ()
    """Heading path the block sits under, outermost first (a heading includes itself)."""
    level: int | None = None
    """Heading level (1 = top) for headings; list nesting level for list items."""


@dataclass(frozen=True, slots=True)
class PageBoxes:
    """Character boxes of one PDF page, aligned with a span of `Document.text`.

    `offsets[i]` is the document offset of the i-th boxed character and `boxes[i]` its
    (x0, top, x1, bottom) in PDF points with a top-left origin.
    """

    page: int
    width: float
    height: float
    offsets: tuple[int, ...]
    boxes: tuple[tuple[float, float, float, float], ...]


@dataclass(frozen=True, slots=True)
class Document:
    """Extracted text of one file plus its layout blocks.

    Header and footer blocks (DOCX) are appended after the body text and carry kind
    "header"/"footer" so detectors can skip or down-weight them.
    """

    path: str
    kind: DocumentKind
    text: str
    blocks: tuple[Block, ...]
    sha256: str
    pages: int | None = None
    page_boxes: tuple[PageBoxes, ...] | None = None
    """Character boxes per page; only filled when extraction was asked for boxes."""
    metadata: dict[str, Any] = field(default_factory=dict)

    def block_at(self, offset: int) -> Block | None:
        """Return the block containing `offset`, or None (see `block_at`)."""
        return block_at(self.blocks, offset)


def block_at(blocks: Sequence[Block], offset: int) -> Block | None:
    """The block of `blocks` (sorted, not overlapping) containing `offset`, or None (binary
    search)."""
    lo, hi = 0, len(blocks)
    while lo < hi:
        mid = (lo + hi) // 2
        if blocks[mid].end <= offset:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(blocks) and blocks[lo].start <= offset < blocks[lo].end:
        return blocks[lo]
    return None


def normalise_phrase(phrase: str) -> str:
    """Lower-case `phrase` with its whitespace collapsed: the key of the allow-list."""
    return " ".join(phrase.lower().split())


def copy_fields(cls: type[R], source: object, **values: Any) -> R:
    """A `cls` built from `values` and, for its other fields, `source`'s same-named attributes.

    `cls` is a dataclass (its init fields) or a SQLAlchemy mapped class (its columns but the
    primary key); a field `source` lacks keeps its default. One home for copying a record into
    another of the same shape (a stored row into an Annotation, a Finding into its row).
    """
    if is_dataclass(cls):
        names = [f.name for f in fields(cls) if f.init]
    else:  # a mapped class: its table's columns, the database assigns the primary key
        table = cls.__table__  # type: ignore[attr-defined]
        names = [c.name for c in table.columns if not c.primary_key]
    copied = {n: getattr(source, n) for n in names if n not in values and hasattr(source, n)}
    return cls(**copied, **values)


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Findings and reports
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing ScopeLens shows a reviewer, anchored by character offsets.

    Document-level findings (category "missing") have start/end/text/sentence/page = None.
    """

    id: str
    category: str
    type: str
    severity: str
    start: int | None
    end: int | None
    text: str | None
    sentence: str | None
    page: int | None
    section: str | None
    explanation: str
    suggestion: str
    source: str
    confidence: float = 1.0
    sentence_start: int | None = None
    """Offset of `sentence` in the document (not part of the JSON contract's required keys)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in DESIGN.md field order (the fields above; plus `sentence_start`)."""
        return {name: getattr(self, name) for name in _FINDING_KEYS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """Inverse of `to_dict` (unknown keys are ignored)."""
        names = cls.__slots__
        return cls(**{k: data.get(k) for k in names if k in data})  # type: ignore[arg-type]


_FINDING_KEYS = tuple(f.name for f in fields(Finding))
"""`Finding.to_dict`'s keys, read once: it runs for every finding of every report."""


def finding_id(path: str, category: str, type_: str, start: int | None, end: int | None) -> str:
    """Stable id: a short hash of path + category + type + start + end (DESIGN.md)."""
    key = f"{path}\x1f{category}\x1f{type_}\x1f{start}\x1f{end}"
    # A file name with non-UTF-8 bytes arrives as a str with lone surrogates: keep them.
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class SafeguardCheck:
    """Result of one document-level check, present or missing, with the evidence found."""

    check_id: str
    """e.g. "missing_exclusions"."""
    present: bool
    evidence: tuple[str, ...] = ()
    """Human-readable evidence, e.g. ("section '7 Exclusions'", "4 exclusion statements")."""
    summary: str = ""
    """One line for reports: "Exclusions: section 7, 4 items" or "No exclusions stated"."""

    @property
    def details(self) -> tuple[str, ...]:
        """The evidence the summary does not already quote (for reports that show both)."""
        return tuple(e for e in self.evidence if e not in self.summary)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "check": self.check_id,
            "present": self.present,
            "evidence": list(self.evidence),
            "summary": self.summary,
        }


@dataclass(slots=True)
class DocumentReport:
    """Analysis result of one file; `status` is "ok" or "error"."""

    path: str
    sha256: str | None
    kind: str | None
    pages: int | None
    status: Literal["ok", "error"]
    error: str | None
    text_chars: int
    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    safeguards: list[SafeguardCheck] = field(default_factory=list)
    document: Document | None = None
    """The extracted document, kept in-process for rendering; never serialised."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict following DESIGN.md (plus optional `safeguards`)."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "kind": self.kind,
            "pages": self.pages,
            "status": self.status,
            "error": self.error,
            "text_chars": self.text_chars,
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary,
            "safeguards": [s.to_dict() for s in self.safeguards],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentReport:
        """Inverse of `to_dict` (the document itself is not restored)."""
        return cls(
            path=data["path"],
            sha256=data.get("sha256"),
            kind=data.get("kind"),
            pages=data.get("pages"),
            status=data.get("status", "ok"),
            error=data.get("error"),
            text_chars=data.get("text_chars", 0),
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            summary=data.get("summary", {}),
            safeguards=[
                SafeguardCheck(
                    check_id=s["check"],
                    present=s["present"],
                    evidence=tuple(s.get("evidence", ())),
                    summary=s.get("summary", ""),
                )
                for s in data.get("safeguards", [])
            ],
        )


@dataclass(frozen=True, slots=True)
class ToolInfo:
    """The `tool` object of a report."""

    name: str = "scopelens"
    version: str = "0.1.0"
    model: str | None = None
    """`<name>@<version>` of the model that ran; None when the rules ran alone."""
    mode: str = "rules"
    """`accurate` (rules + encoder), `fast` (rules + linear model) or `rules`."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"name": self.name, "version": self.version, "model": self.model, "mode": self.mode}


@dataclass(slots=True)
class Report:
    """A scan of one or more files."""

    tool: ToolInfo
    documents: list[DocumentReport]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict following DESIGN.md."""
        return {"tool": self.tool.to_dict(), "documents": [d.to_dict() for d in self.documents]}


# ---------------------------------------------------------------------------------------------
# Reviewer annotations (DESIGN.md "Annotation record")
# ---------------------------------------------------------------------------------------------

DECISIONS: tuple[str, ...] = ("confirm", "dismiss", "relabel", "add")


@dataclass(frozen=True, slots=True)
class Annotation:
    """One reviewer decision on a finding (or an added, missed span). History, never overwrite."""

    document_sha256: str
    document_name: str
    start: int | None
    end: int | None
    text: str | None
    sentence: str | None
    finding_id: str | None
    category: str
    type: str
    decision: str
    reviewer: str
    created_at: str
    """ISO 8601 UTC timestamp, e.g. "2026-11-25T18:00:00Z"."""
    new_category: str | None = None
    """With "relabel": the category, type and severity the reviewer chose instead."""
    new_type: str | None = None
    new_severity: str | None = None
    reason: str | None = None
    """Why a finding was dismissed (one of the review app's reasons), when given."""
    comment: str | None = None
    tool_version: str = "0.1.0"
    model: str | None = None
    adjudicated: bool = False
    """An admin's ruling on a finding reviewers disagreed on; it wins over their decisions."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the DESIGN.md annotation record layout.

        An adjudication also carries `"adjudicated": true`; ordinary decisions are exactly the
        DESIGN.md record.
        """
        record: dict[str, Any] = {
            "document_sha256": self.document_sha256,
            "document_name": self.document_name,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "sentence": self.sentence,
            "finding_id": self.finding_id,
            "category": self.category,
            "type": self.type,
            "decision": self.decision,
            "new_category": self.new_category,
            "new_type": self.new_type,
            "new_severity": self.new_severity,
            "reason": self.reason,
            "comment": self.comment,
            "reviewer": self.reviewer,
            "created_at": self.created_at,
            "tool_version": self.tool_version,
            "model": self.model,
        }
        if self.adjudicated:
            record["adjudicated"] = True
        return record

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Annotation:
        """Inverse of `to_dict` (unknown keys are ignored)."""
        names = cls.__slots__
        return cls(**{k: data[k] for k in names if k in data})


# ---------------------------------------------------------------------------------------------
# A finding as a reviewer sees it
# ---------------------------------------------------------------------------------------------

REVIEW_STATES: tuple[str, ...] = ("unreviewed", "confirmed", "dismissed", "relabelled", "added")
"""Review state of a finding, from the current decision on it."""


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
