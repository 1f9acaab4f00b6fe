"""What every page of the review app shares: cached loaders, the reviewer box, flash messages.

Caching follows the Streamlit habits in STYLE.md: `st.cache_resource` for the store (engine),
the analyzer (spaCy pipeline) and the service that joins them; `st.cache_data` for results
(a stored analysis by sha256, a rendered page image). The analyzer's cache key is the
organisation allow-list itself, so a phrase added on the model page applies to the next
analysis. All work is done by `analyzer.review`; this module only wires it to Streamlit.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from analyzer.analyze import Analyzer
from analyzer.config import default_model_dir
from analyzer.render import Highlight
from analyzer.report import escape_markdown
from analyzer.review import OpenedDocument, ReviewService, allow_list_key
from analyzer.store import ENV_DB_URL, Store

# Relative to the entry script (`analyzer/app/main.py`), as `st.Page` resolves them.
REVIEW_PAGE = "views/review.py"
BATCH_PAGE = "views/batch.py"
MODEL_PAGE = "views/model.py"

OPEN_KEY = "open_sha"
"""Session key another page sets to open a document on the review page."""

UPLOAD_TYPES = ["pdf", "docx", "txt", "md", "markdown"]


def db_url() -> str:
    """The database URL from `SCOPELENS_DB_URL` ("" means the default SQLite file)."""
    return os.environ.get(ENV_DB_URL, "")


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store.open(url or None)


@st.cache_resource(show_spinner="Loading the language pipeline…", max_entries=4)
def _analyzer(muted: tuple[str, ...], model_dir: str) -> Analyzer:
    analyzer = Analyzer(boxes=True, muted_phrases=muted, model_dir=Path(model_dir), mode="accurate")
    analyzer.nlp  # noqa: B018 - load the pipeline once, here, not on the first upload
    analyzer.model  # noqa: B018 - and the classifier, when one is shipped
    return analyzer


@st.cache_resource(show_spinner=False, max_entries=8)
def _service(url: str, muted: tuple[str, ...], model_dir: str) -> ReviewService:
    return ReviewService(_store(url), _analyzer(muted, model_dir))


def store() -> Store:
    """The store of this app (engine and schema created once per process)."""
    return _store(db_url())


def service() -> ReviewService:
    """The review service, with an analyzer that mutes the current allow-list.

    The allow-list itself (and the model folder) is the cache key of the analyzer, so a
    phrase added on the model page applies to the next analysis.
    """
    url = db_url()
    return _service(url, allow_list_key(_store(url)), str(default_model_dir()))


@st.cache_data(show_spinner=False, max_entries=64)
def open_document(url: str, sha256: str) -> OpenedDocument | None:
    """The stored document and its latest analysis (read once per sha256, never re-run)."""
    return service().open_stored(sha256)


@st.cache_data(show_spinner=False, max_entries=64)
def page_png(
    url: str,
    sha256: str,
    page: int,
    highlights: tuple[tuple[int, int, str, bool], ...],
    scale: float,
) -> bytes | None:
    """A rendered PDF page with highlights (cached per page and highlight set)."""
    marks = [Highlight(a, b, colour, selected) for a, b, colour, selected in highlights]
    return service().page_png(sha256, page, marks, scale)


def forget_document() -> None:
    """Drop cached results after a document was analysed again."""
    open_document.clear()
    page_png.clear()


def reviewer_box() -> str:
    """The reviewer-name field in the sidebar (kept in session state); returns the name."""
    st.session_state.setdefault("reviewer", "")
    st.sidebar.text_input(
        "Reviewer name",
        key="reviewer",
        placeholder="e.g. j.doe",
        help="Required before annotating; recorded with every decision.",
    )
    return str(st.session_state.get("reviewer") or "").strip()


def flash(kind: str, message: str) -> None:
    """Queue a message for the next run (callbacks run before the page is drawn)."""
    st.session_state.setdefault("flash", []).append((kind, message))


def show_flash() -> None:
    """Show and clear the queued messages.

    Messages carry file names and phrases (untrusted); Streamlit renders alert text as
    Markdown, so it is escaped to show literally (no links, images or HTML).
    """
    for kind, message in st.session_state.pop("flash", []):
        show = {"success": st.success, "error": st.error, "warning": st.warning}.get(kind, st.info)
        show(escape_markdown(message))


def handle_uploads(svc: ReviewService, files: Sequence[Any] | None) -> list[OpenedDocument]:
    """Open every new upload (analysed once per sha256) and select the last one.

    Files are remembered by their upload id so a rerun does not open them again.

    Args:
        svc: The review service.
        files: `st.file_uploader(..., accept_multiple_files=True)` result.

    Returns:
        The documents opened in this run.
    """
    seen: set[str] = st.session_state.setdefault("seen_uploads", set())
    fresh = [f for f in files or () if f.file_id not in seen]
    opened: list[OpenedDocument] = []
    if not fresh:
        return opened
    progress = st.progress(0.0, text="Analysing uploads…") if len(fresh) > 1 else None
    for number, upload in enumerate(fresh, start=1):
        with st.spinner(f"Analysing {upload.name}…", show_time=True):
            doc = svc.open_bytes(upload.getvalue(), upload.name)
        seen.add(upload.file_id)
        opened.append(doc)
        if doc.ok:
            st.session_state[OPEN_KEY] = doc.sha256
            how = "opened its stored analysis" if doc.cached else "analysed"
            flash("success", f"{upload.name}: {how} ({len(doc.report.findings)} findings)")
        else:
            flash("error", f"{upload.name}: {doc.report.error}")
        if progress is not None:
            progress.progress(number / len(fresh), text=f"{number} of {len(fresh)} analysed")
    if progress is not None:
        progress.empty()
    return opened


def document_choices(svc: ReviewService) -> dict[str, str]:
    """Analysed documents in the store, sha256 -> label (plain text), newest first."""
    return {
        d.sha256: f"{d.name} · {d.kind or '?'} · {d.created_at:%Y-%m-%d %H:%M} · {d.sha256[:8]}"
        for d in svc.store.list_documents()
        if d.analyses
    }
