"""The review service: opens documents through the store (analysed once per sha256), records
decisions, and serves page images; no Streamlit.

Every call acts for one `Principal` (`ReviewService.for_user`): access is decided here, never by
hiding widgets. A document the user may not see is answered exactly like a missing one.
"""

from __future__ import annotations

import copy
import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.analyze import Analyzer, error_report
from analyzer.config import Limits
from analyzer.consensus import Consensus, consensus, disputed
from analyzer.errors import AccessDenied, AnalyzerError
from analyzer.render import Highlight, render_page, to_png
from analyzer.review.team import (
    NOT_FOUND,
    SINGLE_USER,
    CategoryAgreement,
    Principal,
    ProjectProgress,
    attributed,
    may_see,
    progress_of,
    require_admin,
    require_decider,
    reviewer_agreement,
)
from analyzer.store import (
    AllowedPhrase,
    AllowListChange,
    DocumentSummary,
    Project,
    RuleStats,
    Store,
    User,
)
from analyzer.types import (
    Annotation,
    Block,
    Document,
    DocumentReport,
    PageBoxes,
    ToolInfo,
    sha256_bytes,
)

# ---------------------------------------------------------------------------------------------
# Opening documents (analysis cached by sha256 in the store)
# ---------------------------------------------------------------------------------------------


_BOXES_MEMO = 8


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
    used under a lock and the page-box memo is locked. A service acts for `user`
    (`SINGLE_USER` until `for_user` gives another); copies share the store, analyzer and memo.

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
        self.user: Principal = SINGLE_USER

    def for_user(self, user: Principal) -> ReviewService:
        """This service acting for `user` (a cheap copy sharing store, analyzer and memo)."""
        scoped = copy.copy(self)
        scoped.user = user
        return scoped

    @property
    def tool(self) -> ToolInfo:
        """Tool name, version and model recorded with analyses and annotations."""
        return self.analyzer.tool

    # -- opening -----------------------------------------------------------------------------

    def open_bytes(self, data: bytes, name: str, project: str | None = None) -> OpenedDocument:
        """Open an upload: the stored analysis when there is one, else analyse and store it.

        Args:
            data: The file bytes.
            name: The file name (gives the extension; untrusted).
            project: File the document under this project (required once users exist; the
                user must be granted it). Whoever holds the bytes may read the analysis.

        Returns:
            The opened document; check `ok` — a file that cannot be read gives an error
            report and is not stored.

        Raises:
            AccessDenied: The user may not add documents, or not to that project.
            StoreError: The database cannot be read or written.
        """
        self._check_upload(project)
        sha = sha256_bytes(data)
        opened = self._open_stored(sha, original=data if self.keep_originals else None)
        if opened is None:
            with self._lock:
                report = self.analyzer.analyze_bytes(data, name)
            if report.status != "ok" or report.document is None:
                return OpenedDocument(
                    sha, name, report.kind, report.pages, "", report, False, False
                )
            opened = self._save(report, report.document, data)
        if project is not None:
            self.store.file_document(sha, project, self.user.username or "local")
        return opened

    def _check_upload(self, project: str | None) -> None:
        require_decider(self.user, "add documents")
        if project is None:
            if self.user.team:
                raise AccessDenied("choose a project to file the document under")
            return
        if not self.user.may_use_project(project):
            raise AccessDenied(f"project {project!r} is not granted to you")
        if not self.store.projects([project]):
            raise AccessDenied(f"there is no project {project!r}: an admin creates it first")

    def open_path(self, path: str | Path, project: str | None = None) -> OpenedDocument:
        """Open a file on the server's disk (the batch page's folder scan).

        Raises:
            AccessDenied: As for `open_bytes`.
            StoreError: The database cannot be read or written.
        """
        self._check_upload(project)
        shown = str(path)
        try:
            size = Path(path).stat().st_size
            if size > self.limits.max_file_bytes:
                mb = self.limits.max_file_bytes // (1024 * 1024)
                return _failed(shown, f"file is over the limit of {mb} MB")
            data = Path(path).read_bytes()
        except OSError as exc:
            return _failed(shown, f"cannot read: {exc.strerror or exc}")
        return self.open_bytes(data, shown, project)

    def open_stored(self, sha256: str, *, original: bytes | None = None) -> OpenedDocument | None:
        """Open a stored document from its latest stored analysis (never re-runs it).

        Args:
            sha256: The document.
            original: The original bytes, added to the stored document when it lacks them.

        Returns:
            The document, or None when it is not stored, has no analysis yet, or the user may
            not see it.

        Raises:
            StoreError: The database cannot be read or written.
        """
        if not may_see(self.store, self.user, sha256):
            return None
        return self._open_stored(sha256, original=original)

    def _open_stored(self, sha256: str, *, original: bytes | None = None) -> OpenedDocument | None:
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
        # Positional, in field order: (sha256, name, kind, pages, text, report, original, cached).
        return OpenedDocument(
            sha256, stored.name, stored.kind, stored.pages, stored.text, report, has_original, True
        )

    def reanalyse(self, sha256: str) -> OpenedDocument:
        """Analyse a stored document again (e.g. after the allow-list changed).

        Raises:
            ValueError: The document is not stored (or not visible to the user), the original
                bytes are not stored, or the file now extracts to a different text (the stored
                offsets would no longer fit).
            AccessDenied: The user may not change analyses (a viewer).
            StoreError: The database cannot be written.
        """
        require_decider(self.user, "re-analyse documents")
        stored = self.store.get_document(sha256) if self._visible(sha256) else None
        if stored is None:
            raise ValueError(f"document {sha256[:12]}: {NOT_FOUND}")
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
        doc, keep = document, self.keep_originals
        return OpenedDocument(sha, doc.path, doc.kind, doc.pages, doc.text, report, keep, False)

    # -- structure (the formatted view) -----------------------------------------------------

    def blocks(self, sha256: str) -> tuple[Block, ...] | None:
        """The blocks (headings, paragraphs, list items, table rows, with page and section) of
        a stored document, re-extracted from its original bytes; None when that is not
        possible or the text no longer matches the stored one.

        Raises:
            StoreError: The database cannot be read.
        """
        stored = self.store.get_document(sha256) if self._visible(sha256) else None
        if stored is None or stored.original is None:
            return None
        from analyzer.extract import extract_bytes

        try:
            document = extract_bytes(
                stored.original, stored.name, engine=self.analyzer.engine, limits=self.limits
            )
        except AnalyzerError:
            return None
        return document.blocks if document.text == stored.text else None

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
        if not self._visible(sha256):
            return None
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
        stored = self.store.get_document(sha256) if self._visible(sha256) else None
        if stored is None or stored.kind != "pdf" or stored.original is None:
            return None
        all_boxes = self.page_boxes(sha256) or ()
        boxes = next((b for b in all_boxes if b.page == page), None)
        image = render_page(stored.original, page, boxes=boxes, highlights=highlights, scale=scale)
        return to_png(image)

    # -- what the user may see ----------------------------------------------------------------

    def _visible(self, sha256: str) -> bool:
        return may_see(self.store, self.user, sha256)

    def _projects(self) -> frozenset[str] | None:
        return self.user.projects

    def documents(self) -> list[DocumentSummary]:
        """The stored documents the user may see, newest first."""
        return self.store.list_documents(self._projects())

    def projects(self) -> list[Project]:
        """The projects the user may see (admins: all), with members and document counts."""
        return self.store.projects(self._projects())

    def upload_projects(self) -> list[str]:
        """The projects the user may file new documents under."""
        if not self.user.can_decide:
            return []
        return [p.name for p in self.projects()]

    def document_projects(self, sha256: str) -> tuple[str, ...]:
        """The projects a visible document is filed under (the user's own ones)."""
        if not self._visible(sha256):
            return ()
        names = self.store.document_projects(sha256)
        if self.user.projects is None:
            return names
        return tuple(n for n in names if n in self.user.projects)

    # -- decisions ---------------------------------------------------------------------------

    def decisions(self, sha256: str) -> list[Annotation]:
        """Current decisions (latest per finding and reviewer) on a document ([] if hidden)."""
        if not self._visible(sha256):
            return []
        return self.store.current_decisions(sha256)

    def history(self, sha256: str) -> list[Annotation]:
        """Every decision on a document, oldest first ([] if hidden)."""
        if not self._visible(sha256):
            return []
        return self.store.annotations(sha256)

    def resolved(self, sha256: str) -> list[Annotation]:
        """The decision that counts per finding of a document (adjudicated or agreed)."""
        if not self._visible(sha256):
            return []
        return self.store.resolved_decisions(sha256)

    def record(self, annotation: Annotation) -> int:
        """Store one decision (history is kept by the store).

        Once users exist the decision carries the signed-in username, whatever name it came
        with; only admins adjudicate.

        Raises:
            AccessDenied: The user may not decide (a viewer), not adjudicate, or not see the
                document.
            ValueError: The annotation is invalid.
            StoreError: The database cannot be written.
        """
        require_decider(self.user, "record decisions")
        if not self._visible(annotation.document_sha256):
            raise AccessDenied(f"document {annotation.document_sha256[:12]}: {NOT_FOUND}")
        return self.store.add_annotation(attributed(self.user, annotation))

    def export_jsonl(
        self, sha256: str | None = None, *, current_only: bool = False, resolved: bool = False
    ) -> str:
        """Decisions on the documents the user may see, as DESIGN.md records (JSONL).

        Args:
            sha256: Only this document (None: every visible document).
            current_only: Each reviewer's current decision instead of the full history.
            resolved: One decision per finding: adjudicated or agreed (disputes left out).
        """
        if sha256 is not None and not self._visible(sha256):
            return ""
        buffer = io.StringIO()
        self.store.export_annotations(
            buffer,
            sha256,
            current_only=current_only,
            resolved=resolved,
            projects=self._projects(),
        )
        return buffer.getvalue()

    # -- team: agreement and progress --------------------------------------------------------

    def rule_precision(self) -> list[RuleStats]:
        """Per-rule verdicts from resolved decisions on the documents the user may see."""
        return self.store.rule_precision(self._projects())

    def reviewer_agreement(self) -> list[CategoryAgreement]:
        """Cohen's kappa per category between reviewers, over the visible documents."""
        return reviewer_agreement(self.store.current_decisions(None, self._projects()))

    def users(self) -> list[User]:
        """Every account (admins only: others get AccessDenied)."""
        require_admin(self.user, "list users")
        return self.store.users()

    def disputes(self) -> list[Consensus]:
        """Findings on visible documents whose reviewers disagree, not yet adjudicated."""
        return disputed(self.store.current_decisions(None, self._projects()))

    def progress(self) -> list[ProjectProgress]:
        """Per visible project: documents, findings, reviewed, disputed, by reviewer."""
        rows = []
        for project in self.projects():
            documents = self.store.list_documents([project.name])
            findings = 0
            items: list[Consensus] = []
            for document in documents:
                report = self.store.latest_analysis(document.sha256)
                findings += len(report.findings) if report is not None else 0
                items.extend(consensus(self.store.current_decisions(document.sha256)).values())
            rows.append(progress_of(project.name, len(documents), findings, items))
        return rows

    # -- allow-list --------------------------------------------------------------------------

    def allow_list_key(self) -> tuple[str, ...]:
        """The muted phrases, sorted: the version of the allow-list (a cache key)."""
        return allow_list_key(self.store)

    def allow_list(self) -> list[AllowedPhrase]:
        """The organisation's muted phrases (everyone may read them: they shape every scan)."""
        return self.store.allow_list()

    def allow_list_changes(self) -> list[AllowListChange]:
        """Who added or removed which phrase, when and why, newest first."""
        return self.store.allow_list_changes()

    def allow_phrase(
        self, phrase: str, type_: str | None, name: str, reason: str | None
    ) -> AllowedPhrase:
        """Mute an ambiguity phrase for everyone (admins only once users exist).

        Args:
            phrase: The phrase.
            type_: The ambiguity type it is muted for (None: every type).
            name: Who adds it in single-user mode (ignored once users exist).
            reason: Why it is fine.

        Raises:
            AccessDenied: The user is not an admin.
            ValueError: Empty phrase or name.
        """
        require_admin(self.user, "change the allow-list")
        who = self.user.username if self.user.team else name
        return self.store.add_allowed_phrase(phrase, "ambiguity", type_, who, reason)

    def unallow_phrase(self, phrase: str, name: str, reason: str | None = None) -> bool:
        """Unmute a phrase (admins only once users exist); the change is recorded.

        Raises:
            AccessDenied: The user is not an admin.
            ValueError: Empty name.
        """
        require_admin(self.user, "change the allow-list")
        who = self.user.username if self.user.team else name
        return self.store.remove_allowed_phrase(phrase, who, reason)


def allow_list_key(store: Store) -> tuple[str, ...]:
    """The organisation's muted phrases, sorted; use it as the cache key of the analyzer."""
    return tuple(sorted(p.phrase for p in store.allow_list()))


def _failed(path: str, reason: str) -> OpenedDocument:
    report = error_report(path, reason)
    return OpenedDocument("", path, None, None, "", report, False, False)
