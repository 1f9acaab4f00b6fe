"""The review service: opens documents through the store (analysed once per sha256), records
decisions, and serves page images; no Streamlit."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.analyze import Analyzer, error_report
from analyzer.config import Limits
from analyzer.errors import AnalyzerError
from analyzer.render import Highlight, render_page, to_png
from analyzer.store import Store
from analyzer.types import (
    Annotation,
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
