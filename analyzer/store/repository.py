"""The repository: the only code in ScopeLens that reads or writes the database.

Every write runs in one transaction (`with Session(engine) as s, s.begin():`); SQLAlchemy errors
are translated into one-line `StoreError`s, invalid input raises `ValueError`. Decisions are
history: `add_annotation` always inserts, and the current decision per finding and reviewer is
the latest one (`current_decisions`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from analyzer.consensus import resolved_decisions as resolve_decisions
from analyzer.errors import StoreError
from analyzer.store.engine import db_error
from analyzer.store.schema import (
    AllowedPhraseRow,
    AllowListChangeRow,
    AnalysisRow,
    AnnotationRow,
    DocumentRow,
    FindingRow,
    utcnow,
)
from analyzer.store.team import TeamStore, in_projects
from analyzer.types import (
    DECISIONS,
    SEVERITIES,
    Annotation,
    Document,
    DocumentReport,
    copy_fields,
    is_known_type,
    normalise_phrase,
)

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""Timestamp layout of the DESIGN.md annotation record."""

_BATCH = 1000


# ---------------------------------------------------------------------------------------------
# Records handed out by the store
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A stored document: its extracted text and, when kept, the original file bytes."""

    sha256: str
    name: str
    kind: str | None
    pages: int | None
    text: str
    original: bytes | None = None


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """One line of the document list (no text, no bytes)."""

    sha256: str
    name: str
    kind: str | None
    pages: int | None
    text_chars: int
    created_at: datetime
    has_original: bool
    analyses: int
    annotations: int


@dataclass(frozen=True, slots=True)
class RuleStats:
    """How reviewers judged the findings of one detector source and type.

    Counts are resolved decisions, one per finding: adjudicated, or agreed by its reviewers
    (`analyzer.consensus`). `relabelled` findings had the wrong label: they count against
    precision like dismissals.
    """

    source: str
    category: str
    type: str
    confirmed: int
    dismissed: int
    relabelled: int

    @property
    def total(self) -> int:
        """Number of current decisions on findings of this source and type."""
        return self.confirmed + self.dismissed + self.relabelled

    @property
    def precision(self) -> float | None:
        """confirmed / total, or None when nothing was judged."""
        return self.confirmed / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class AllowListChange:
    """One change of the allow-list: who added or removed which phrase, when and why."""

    phrase: str
    category: str | None
    type: str | None
    action: str
    username: str
    reason: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AllowedPhrase:
    """An organisation-wide muted phrase."""

    phrase: str
    category: str
    type: str | None
    reviewer: str
    reason: str | None
    created_at: datetime


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def utc_timestamp(moment: datetime | None = None) -> str:
    """`moment` (default: now) as a DESIGN.md timestamp, e.g. "2026-11-25T18:00:00Z"."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp with a timezone ("Z" or an offset) into aware UTC.

    Raises:
        ValueError: The value is not ISO 8601 or has no timezone.
    """
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"created_at {value!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        raise ValueError(f"created_at {value!r} has no timezone (use e.g. 2026-11-25T18:00:00Z)")
    return moment.astimezone(UTC)


def document_name(path: str) -> str:
    """The file name part of `path` (POSIX or Windows separators)."""
    name = re.split(r"[\\/]", path.rstrip("\\/"))[-1]
    return name or path


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def validate_annotation(annotation: Annotation) -> None:
    """Check an annotation before it is stored.

    Raises:
        ValueError: With a message naming the first problem found.
    """
    a = annotation
    if _blank(a.reviewer):
        raise ValueError("annotation reviewer must not be empty")
    if a.decision not in DECISIONS:
        raise ValueError(f"annotation decision {a.decision!r} is not one of {', '.join(DECISIONS)}")
    if _blank(a.document_sha256):
        raise ValueError("annotation document_sha256 must not be empty")
    if _blank(a.category) or _blank(a.type):
        raise ValueError("annotation category and type must not be empty")
    if (a.start is None) != (a.end is None):
        raise ValueError("annotation start and end must both be set or both be null")
    if a.start is not None and a.end is not None and not 0 <= a.start < a.end:
        raise ValueError(f"annotation span must satisfy 0 <= start < end, got {a.start}:{a.end}")
    if a.decision == "relabel" and (_blank(a.new_category) or _blank(a.new_type)):
        raise ValueError("a relabel decision needs new_category and new_type")
    if a.decision == "add":
        if a.start is None or a.end is None:
            raise ValueError("an add decision needs start < end")
        if _blank(a.text):
            raise ValueError("an add decision needs the span text")
    elif a.finding_id is None and a.start is None:
        raise ValueError(f"a {a.decision} decision needs a finding_id or a span")
    relabelled = a.new_category is not None or a.new_type is not None
    if relabelled and not is_known_type(a.new_category or a.category, a.new_type or a.type):
        raise ValueError(f"unknown label {a.new_category or a.category}/{a.new_type or a.type}")
    if a.new_severity is not None and a.new_severity not in SEVERITIES:
        raise ValueError(f"new_severity {a.new_severity!r} is not one of {', '.join(SEVERITIES)}")


def _to_annotation(row: AnnotationRow, sha256: str, name: str) -> Annotation:
    return copy_fields(
        Annotation,
        row,
        document_sha256=sha256,
        document_name=name,
        created_at=utc_timestamp(row.created_at),
        tool_version=row.tool_version or "",
    )


def _current_ids(document_sha256: str | None = None) -> Select[tuple[int]]:
    """Ids of the current decisions: the latest per document, finding key and reviewer.

    Restricted to one document when `document_sha256` is given (ranks only its rows).

    The finding key is the finding id, or (start, end, category, type) for added spans; the
    CASE expressions null those columns out whenever a finding id is present.
    """
    a = AnnotationRow
    added = a.finding_id.is_(None)
    rank = (
        func.row_number()
        .over(
            partition_by=(
                a.document_id,
                a.reviewer,
                a.adjudicated,
                a.finding_id,
                case((added, a.start)),
                case((added, a.end)),
                case((added, a.category)),
                case((added, a.type)),
            ),
            order_by=(a.created_at.desc(), a.id.desc()),
        )
        .label("rank")
    )
    ranked_query = select(a.id.label("id"), rank)
    if document_sha256 is not None:
        ranked_query = ranked_query.where(
            a.document_id.in_(select(DocumentRow.id).where(DocumentRow.sha256 == document_sha256))
        )
    ranked = ranked_query.subquery("ranked")
    return select(ranked.c.id).where(ranked.c.rank == 1)


# ---------------------------------------------------------------------------------------------
# The repository
# ---------------------------------------------------------------------------------------------


class Store(TeamStore):
    """Documents, analyses, findings, reviewer annotations and the allow-list; users, projects
    and sign-in through `TeamStore`.

    Thread-safe: every call opens its own session. Call `create_schema(engine)` once before use
    (or use `Store.open`).

    Args:
        engine: An engine from `make_engine`.
    """

    # -- documents ---------------------------------------------------------------------------

    def save_document(self, document: Document, original: bytes | None = None) -> int:
        """Store a document once per sha256; saving it again returns the existing id.

        When the document is already stored without its original bytes and `original` is
        given now, the bytes are added; nothing else is ever changed.

        Args:
            document: The extracted document.
            original: The uploaded file bytes, when the user chose to keep them.

        Returns:
            The document's database id.

        Raises:
            ValueError: The document has no sha256.
            StoreError: The database cannot be written.
        """
        if _blank(document.sha256):
            raise ValueError("document sha256 must not be empty")
        try:
            # Not `_writing`: a unique-key race (IntegrityError) is handled below, not reported.
            with Session(self._write) as s, s.begin():
                row = s.scalars(
                    select(DocumentRow).where(DocumentRow.sha256 == document.sha256)
                ).first()
                if row is not None:
                    if original is not None and row.original is None:
                        row.original = original
                    return row.id
                row = DocumentRow(
                    sha256=document.sha256,
                    name=document_name(document.path),
                    kind=document.kind,
                    pages=document.pages,
                    text=document.text,
                    text_chars=len(document.text),
                    original=original,
                    created_at=utcnow(),
                )
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError as exc:
            # Another writer stored the same sha256 between our read and our insert.
            with self._reading("save document") as s:
                existing = self._document_id(s, document.sha256)
            if existing is not None:
                return existing
            raise db_error("could not save document", exc) from None
        except SQLAlchemyError as exc:
            raise db_error("could not save document", exc) from None

    def get_document(self, sha256: str) -> StoredDocument | None:
        """The stored document with this sha256, or None.

        Raises:
            StoreError: The database cannot be read.
        """
        with self._reading("read document") as s:
            row = s.scalars(select(DocumentRow).where(DocumentRow.sha256 == sha256)).first()
            if row is None:
                return None
            return copy_fields(StoredDocument, row)

    def list_documents(self, projects: Collection[str] | None = None) -> list[DocumentSummary]:
        """Stored documents, newest first, with analysis and annotation counts.

        Args:
            projects: Only documents filed under one of these projects (None: every document).

        Raises:
            StoreError: The database cannot be read.
        """
        d = DocumentRow
        n_analyses = (
            select(func.count(AnalysisRow.id))
            .where(AnalysisRow.document_id == d.id)
            .scalar_subquery()
        )
        n_annotations = (
            select(func.count(AnnotationRow.id))
            .where(AnnotationRow.document_id == d.id)
            .scalar_subquery()
        )
        query = select(
            d.sha256,
            d.name,
            d.kind,
            d.pages,
            d.text_chars,
            d.created_at,
            d.original.is_not(None),
            n_analyses,
            n_annotations,
        ).order_by(d.created_at.desc(), d.id.desc())
        if projects is not None:
            query = query.where(in_projects(projects))
        with self._reading("list documents") as s:
            return [
                DocumentSummary(
                    sha256=r[0],
                    name=r[1],
                    kind=r[2],
                    pages=r[3],
                    text_chars=r[4],
                    created_at=r[5],
                    has_original=bool(r[6]),
                    analyses=int(r[7]),
                    annotations=int(r[8]),
                )
                for r in s.execute(query)
            ]

    # -- analyses ----------------------------------------------------------------------------

    def save_analysis(
        self, sha256: str, report: DocumentReport, tool_version: str, model: str | None
    ) -> int:
        """Store an analysis: the report JSON and one findings row per finding.

        Args:
            sha256: The analysed document (already saved with `save_document`).
            report: The analysis result; its JSON is kept so re-opening never re-runs it.
            tool_version: ScopeLens version that produced the report.
            model: Model name/path used, or None for rules only.

        Returns:
            The analysis id.

        Raises:
            ValueError: The report belongs to another document.
            StoreError: The document is not stored, a finding breaks a constraint (e.g.
                start >= end), or the database cannot be written.
        """
        if report.sha256 is not None and report.sha256 != sha256:
            raise ValueError(f"report is for document {report.sha256[:12]}, not {sha256[:12]}")
        payload = json.dumps(report.to_dict())
        with self._writing("save analysis") as s:
            document = self._require_document(s, sha256)
            analysis = AnalysisRow(
                document_id=document.id,
                tool_version=tool_version,
                model=model,
                created_at=utcnow(),
                report_json=payload,
            )
            s.add(analysis)
            s.flush()
            s.add_all(
                copy_fields(
                    FindingRow,
                    f,
                    analysis_id=analysis.id,
                    finding_id=f.id,
                    confidence=float(f.confidence),
                )
                for f in report.findings
            )
            s.flush()
            return analysis.id

    def latest_analysis(
        self, sha256: str, tool_version: str | None = None, model: str | None = None
    ) -> DocumentReport | None:
        """The most recent stored report of a document, rebuilt from its JSON.

        Args:
            sha256: The document.
            tool_version: Only consider analyses by this ScopeLens version (None: any).
            model: Only consider analyses with this model (None: any).

        Returns:
            The report (without the in-process `document`), or None when there is none.

        Raises:
            StoreError: The database cannot be read.
        """
        query = (
            select(AnalysisRow.report_json)
            .join(DocumentRow, DocumentRow.id == AnalysisRow.document_id)
            .where(DocumentRow.sha256 == sha256)
            .order_by(AnalysisRow.created_at.desc(), AnalysisRow.id.desc())
            .limit(1)
        )
        if tool_version is not None:
            query = query.where(AnalysisRow.tool_version == tool_version)
        if model is not None:
            query = query.where(AnalysisRow.model == model)
        with self._reading("read analysis") as s:
            payload = s.scalar(query)
        return None if payload is None else DocumentReport.from_dict(json.loads(payload))

    # -- annotations -------------------------------------------------------------------------

    def add_annotation(self, annotation: Annotation) -> int:
        """Record one reviewer decision (never overwrites an earlier one).

        An empty `created_at` means now. Offsets must lie inside the stored text, and an added
        span's text must equal the document text at those offsets.

        Args:
            annotation: The decision; its document must be stored.

        Returns:
            The new annotation id.

        Raises:
            ValueError: The annotation is invalid (empty reviewer, unknown decision, relabel
                without new label, add without span or text, bad timestamp...).
            StoreError: The document is not stored or the database cannot be written.
        """
        validate_annotation(annotation)
        a = annotation
        created_at = parse_timestamp(a.created_at) if a.created_at else utcnow()
        with self._writing("save annotation") as s:
            doc = s.execute(
                select(DocumentRow.id, DocumentRow.text_chars).where(
                    DocumentRow.sha256 == a.document_sha256
                )
            ).first()
            if doc is None:
                raise StoreError(
                    f"document {a.document_sha256[:12]} is not in the store: save it first"
                )
            if a.end is not None and a.end > doc.text_chars:
                raise ValueError(
                    f"annotation end {a.end} is past the document end ({doc.text_chars})"
                )
            if a.decision == "add" and a.start is not None and a.end is not None:
                actual = s.scalar(
                    select(func.substr(DocumentRow.text, a.start + 1, a.end - a.start)).where(
                        DocumentRow.id == doc.id
                    )
                )
                if actual != a.text:
                    raise ValueError(
                        f"added span text does not match the document at {a.start}:{a.end}"
                    )
            row = copy_fields(
                AnnotationRow,
                a,
                document_id=doc.id,
                reviewer=a.reviewer.strip(),
                created_at=created_at,
            )
            s.add(row)
            s.flush()
            return row.id

    def _iter_annotations(
        self,
        document_sha256: str | None,
        current_only: bool,
        projects: Collection[str] | None = None,
    ) -> Iterator[Annotation]:
        query = (
            select(AnnotationRow, DocumentRow.sha256, DocumentRow.name)
            .join(DocumentRow, DocumentRow.id == AnnotationRow.document_id)
            .order_by(AnnotationRow.created_at, AnnotationRow.id)
        )
        if document_sha256 is not None:
            query = query.where(DocumentRow.sha256 == document_sha256)
        if projects is not None:
            query = query.where(in_projects(projects))
        if current_only:
            query = query.where(AnnotationRow.id.in_(_current_ids(document_sha256)))
        with self._reading("read annotations") as s:
            for row, sha256, name in s.execute(query.execution_options(yield_per=_BATCH)):
                yield _to_annotation(row, sha256, name)

    def annotations(
        self, document_sha256: str | None = None, projects: Collection[str] | None = None
    ) -> list[Annotation]:
        """The full decision history, ordered by created_at then id.

        Args:
            document_sha256: Only this document's decisions (None: every document).
            projects: Only documents filed under one of these projects (None: every document).

        Raises:
            StoreError: The database cannot be read.
        """
        return list(self._iter_annotations(document_sha256, False, projects))

    def current_decisions(
        self, document_sha256: str | None, projects: Collection[str] | None = None
    ) -> list[Annotation]:
        """The latest decision per finding and reviewer, ordered by created_at then id.

        A finding is keyed by its finding id, or by (start, end, category, type) for spans a
        reviewer added; a tie on created_at is broken by insertion order. An admin's
        adjudication is kept apart from the same admin's own decision.

        Args:
            document_sha256: The document (None: every document).
            projects: Only documents filed under one of these projects (None: every document).

        Raises:
            StoreError: The database cannot be read.
        """
        return list(self._iter_annotations(document_sha256, True, projects))

    def last_reviewer(self) -> str | None:
        """Who recorded the most recent decision (single-user mode offers the name again)."""
        query = (
            select(AnnotationRow.reviewer)
            .order_by(AnnotationRow.created_at.desc(), AnnotationRow.id.desc())
            .limit(1)
        )
        with self._reading("read annotations") as s:
            return s.scalar(query)

    def resolved_decisions(
        self, document_sha256: str | None, projects: Collection[str] | None = None
    ) -> list[Annotation]:
        """One decision per finding: the adjudicated one, else the one reviewers agree on.

        Findings whose reviewers disagree and that no admin adjudicated are left out (see
        `analyzer.consensus`).

        Raises:
            StoreError: The database cannot be read.
        """
        return resolve_decisions(self.current_decisions(document_sha256, projects))

    def export_annotations(
        self,
        fh: TextIO,
        document_sha256: str | None = None,
        *,
        current_only: bool = False,
        resolved: bool = False,
        projects: Collection[str] | None = None,
    ) -> int:
        """Write decisions as DESIGN.md annotation records, one JSON object per line.

        Args:
            fh: A text stream to write to.
            document_sha256: Only this document's decisions (None: every document).
            current_only: Only each reviewer's current decision instead of the full history.
            resolved: Only the decision that counts per finding (adjudicated or agreed).
            projects: Only documents filed under one of these projects (None: every document).

        Returns:
            The number of records written.

        Raises:
            StoreError: The database cannot be read.
        """
        records: Iterator[Annotation] | list[Annotation]
        if resolved:
            records = self.resolved_decisions(document_sha256, projects)
        else:
            records = self._iter_annotations(document_sha256, current_only, projects)
        count = 0
        for annotation in records:
            fh.write(json.dumps(annotation.to_dict()) + "\n")
            count += 1
        return count

    def rule_precision(self, projects: Collection[str] | None = None) -> list[RuleStats]:
        """Reviewer verdicts per detector source (rule id, model, check) and finding type.

        Each finding counts once, with its resolved decision (`resolved_decisions`: the
        adjudicated one, else the one reviewers agree on; disputed findings wait). Confirm,
        dismiss and relabel decisions are joined to the finding they judged, taken from the
        latest analysis of its document; added spans have no source and are left out.

        Args:
            projects: Only documents filed under one of these projects (None: every document).

        Returns:
            One entry per (source, category, type), sorted by source then type.

        Raises:
            StoreError: The database cannot be read.
        """
        judged = [
            a
            for a in self.resolved_decisions(None, projects)
            if a.finding_id is not None and a.decision in ("confirm", "dismiss", "relabel")
        ]
        if not judged:
            return []
        f, an, d = FindingRow, AnalysisRow, DocumentRow
        newest = (
            func.row_number()
            .over(
                partition_by=(an.document_id, f.finding_id),
                order_by=(an.created_at.desc(), an.id.desc()),
            )
            .label("newest")
        )
        ranked = (
            select(
                d.sha256.label("sha256"),
                f.finding_id.label("finding_id"),
                f.source.label("source"),
                f.category.label("category"),
                f.type.label("type"),
                newest,
            )
            .join(an, an.id == f.analysis_id)
            .join(d, d.id == an.document_id)
            .where(d.sha256.in_(sorted({a.document_sha256 for a in judged})))
            .subquery("ranked_findings")
        )
        query = select(
            ranked.c.sha256, ranked.c.finding_id, ranked.c.source, ranked.c.category, ranked.c.type
        ).where(ranked.c.newest == 1)
        with self._reading("compute rule precision") as s:
            origin = {(r[0], r[1]): (r[2], r[3], r[4]) for r in s.execute(query)}
        counts: dict[tuple[str, str, str], dict[str, int]] = {}
        for a in judged:
            found = origin.get((a.document_sha256, a.finding_id or ""))
            if found is not None:
                tally = counts.setdefault(found, {"confirm": 0, "dismiss": 0, "relabel": 0})
                tally[a.decision] += 1
        return [
            RuleStats(source, category, type_, t["confirm"], t["dismiss"], t["relabel"])
            for (source, category, type_), t in sorted(counts.items())
        ]

    # -- allow-list --------------------------------------------------------------------------

    def allow_list(self) -> list[AllowedPhrase]:
        """Every muted phrase, sorted by phrase.

        Raises:
            StoreError: The database cannot be read.
        """
        with self._reading("read the allow-list") as s:
            rows: Sequence[AllowedPhraseRow] = s.scalars(
                select(AllowedPhraseRow).order_by(AllowedPhraseRow.phrase)
            ).all()
            return [_to_allowed(r) for r in rows]

    def add_allowed_phrase(
        self,
        phrase: str,
        category: str,
        type: str | None,
        reviewer: str,
        reason: str | None = None,
    ) -> AllowedPhrase:
        """Mute a phrase organisation-wide (normalised); adding it again replaces its entry.

        Args:
            phrase: The phrase; stored lower-case with single spaces.
            category: Category in which the phrase is muted.
            type: Type in which it is muted, or None for every type of the category.
            reviewer: Who muted it.
            reason: Why.

        Returns:
            The stored entry.

        Raises:
            ValueError: Empty phrase, category or reviewer.
            StoreError: The database cannot be written.
        """
        key = normalise_phrase(phrase)
        if not key:
            raise ValueError("allow-list phrase must not be empty")
        if _blank(category):
            raise ValueError("allow-list category must not be empty")
        if _blank(reviewer):
            raise ValueError("allow-list reviewer must not be empty")
        values: dict[str, Any] = {
            "category": category,
            "type": type,
            "reviewer": reviewer.strip(),
            "reason": reason,
            "created_at": utcnow(),
        }
        for attempt in range(2):
            try:
                # Not `_writing`: a concurrent insert (IntegrityError) is retried, not reported.
                with Session(self._write) as s, s.begin():
                    row = s.scalars(
                        select(AllowedPhraseRow).where(AllowedPhraseRow.phrase == key)
                    ).first()
                    if row is None:
                        row = AllowedPhraseRow(phrase=key, **values)
                        s.add(row)
                    else:
                        for name, value in values.items():
                            setattr(row, name, value)
                    s.add(
                        AllowListChangeRow(
                            phrase=key,
                            category=category,
                            type=type,
                            action="add",
                            username=values["reviewer"],
                            reason=reason,
                            created_at=values["created_at"],
                        )
                    )
                    s.flush()
                    return _to_allowed(row)
            except IntegrityError as exc:
                # A concurrent insert of the same phrase: the second attempt updates it.
                if attempt:
                    raise db_error("could not save allow-list phrase", exc) from None
            except SQLAlchemyError as exc:
                raise db_error("could not save allow-list phrase", exc) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def remove_allowed_phrase(self, phrase: str, username: str, reason: str | None = None) -> bool:
        """Unmute a phrase (normalised like `add_allowed_phrase`); the change is recorded.

        Args:
            phrase: The phrase to unmute.
            username: Who removes it.
            reason: Why.

        Returns:
            True when the phrase was on the list.

        Raises:
            ValueError: Empty username.
            StoreError: The database cannot be written.
        """
        if _blank(username):
            raise ValueError("allow-list change needs the username of who makes it")
        key = normalise_phrase(phrase)
        with self._writing("remove allow-list phrase") as s:
            row = s.scalars(select(AllowedPhraseRow).where(AllowedPhraseRow.phrase == key)).first()
            if row is None:
                return False
            s.add(
                AllowListChangeRow(
                    phrase=key,
                    category=row.category,
                    type=row.type,
                    action="remove",
                    username=username.strip(),
                    reason=reason,
                    created_at=utcnow(),
                )
            )
            s.delete(row)
            return True

    def allow_list_changes(self) -> list[AllowListChange]:
        """Every change of the allow-list, newest first (who, when, what, why).

        Raises:
            StoreError: The database cannot be read.
        """
        c = AllowListChangeRow
        with self._reading("read the allow-list changes") as s:
            rows = s.scalars(select(c).order_by(c.created_at.desc(), c.id.desc())).all()
            return [
                AllowListChange(
                    r.phrase, r.category, r.type, r.action, r.username, r.reason, r.created_at
                )
                for r in rows
            ]


def _to_allowed(row: AllowedPhraseRow) -> AllowedPhrase:
    return AllowedPhrase(
        phrase=row.phrase,
        category=row.category,
        type=row.type,
        reviewer=row.reviewer,
        reason=row.reason,
        created_at=row.created_at,
    )
