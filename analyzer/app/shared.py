"""What every page of the review app shares: sign-in, cached loaders, the reviewer box, flash
messages.

Once the store has users, `gate` runs first on every page: it shows only the sign-in form until
someone signs in, ends idle sessions, and hands the signed-in `Principal` to the service, which
decides what they may see and do (never the widgets).

Caching follows the Streamlit habits in STYLE.md: `st.cache_resource` for the store (engine),
the analyzer (spaCy pipeline) and the service that joins them; `st.cache_data` for results
(a stored analysis by sha256, a rendered page image). The analyzer's cache key is the
organisation allow-list itself, so a phrase added on the model page applies to the next
analysis. All work is done by `analyzer.review`; this module only wires it to Streamlit.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import streamlit as st

from analyzer.analyze import Analyzer
from analyzer.config import default_model_dir, is_loopback
from analyzer.errors import AccessDenied
from analyzer.render import Highlight
from analyzer.report import escape_markdown
from analyzer.review import OpenedDocument, ReviewService, allow_list_key
from analyzer.review.team import (
    SINGLE_USER,
    Principal,
    current_principal,
    idle_timeout,
    sign_in,
)
from analyzer.store import ENV_DB_URL, Store
from analyzer.types import Block

# Relative to the entry script (`analyzer/app/main.py`), as `st.Page` resolves them.
REVIEW_PAGE = "views/review.py"
BATCH_PAGE = "views/batch.py"
MODEL_PAGE = "views/model.py"

OPEN_KEY = "open_sha"
"""Session key another page sets to open a document on the review page."""

TEAM_PAGE = "views/team.py"

UPLOAD_TYPES = ["pdf", "docx", "txt", "md", "markdown"]

SIGNED_IN = "signed_in"
"""Session key: the signed-in username."""
LAST_SEEN = "last_seen"
"""Session key: when the signed-in user last did something (idle time-out)."""
PRINCIPAL = "principal"
"""Session key: who this session acts for, decided by `gate` on every run."""

NOBODY = Principal(username="", role="viewer", projects=frozenset())
"""Acts for a session whose sign-in has expired: sees nothing, may do nothing."""


def db_url() -> str:
    """The database URL from `SCOPELENS_DB_URL` ("" means the default SQLite file)."""
    return os.environ.get(ENV_DB_URL, "")


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store.open(url or None)


@st.cache_resource(show_spinner="Loading the language pipeline…", max_entries=4)
def _analyzer(muted: tuple[str, ...], model_dir: str) -> Analyzer:
    # One upload at a time per session: the encoder may use every core.
    analyzer = Analyzer(
        boxes=True,
        muted_phrases=muted,
        model_dir=Path(model_dir),
        mode="accurate",
        encoder_threads=os.cpu_count() or 1,
    )
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
    """The review service acting for this session's user, with an analyzer that mutes the
    current allow-list.

    The allow-list itself (and the model folder) is the cache key of the analyzer, so a
    phrase added on the model page applies to the next analysis.
    """
    url = db_url()
    shared = _service(url, allow_list_key(_store(url)), str(default_model_dir()))
    return shared.for_user(active_principal())


# -- sign-in -----------------------------------------------------------------------------------


def active_principal() -> Principal:
    """Who this session acts for; a team session idle for too long acts for nobody.

    Callbacks run before `gate`, so they check the idle time here too.
    """
    user = st.session_state.get(PRINCIPAL, SINGLE_USER)
    if not isinstance(user, Principal):
        return NOBODY
    if user.team and _idle():
        return NOBODY
    return user


def _idle() -> bool:
    last = st.session_state.get(LAST_SEEN)
    return last is None or datetime.now(UTC) - last > idle_timeout()


def _sign_out() -> None:
    """Forget everything of this session: who signed in, the open document, the filters."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def gate() -> Principal:
    """Decide who this run acts for, before any page is drawn.

    No users in the store: single-user mode (refused on a non-loopback address). Users: the
    sign-in form until someone signs in (the page stops there, showing nothing else); an idle
    session is signed out; a disabled account is signed out at its next click.
    """
    ss = st.session_state
    the_store = store()
    name = ss.get(SIGNED_IN)
    if name and _idle():
        _sign_out()
        flash("info", "You were signed out after a time without activity: sign in again.")
        name = None
    user = current_principal(the_store, name)
    if user is not None and not user.team:
        address = st.get_option("server.address")
        if address and not is_loopback(str(address)):
            st.error(
                "No user accounts exist: ScopeLens serves one person on 127.0.0.1 only. "
                "Create an admin with `scopelens users add NAME --role admin` first."
            )
            st.stop()
        ss[PRINCIPAL] = user
        return user
    if user is None:
        if name:
            _sign_out()
        ss[PRINCIPAL] = NOBODY
        _sign_in_form(the_store)
        st.stop()
    ss[PRINCIPAL] = user
    ss[LAST_SEEN] = datetime.now(UTC)
    st.sidebar.markdown(f"Signed in as **{escape_markdown(user.username)}** · {user.role}")
    st.sidebar.button("Sign out", key="btn_sign_out", on_click=_sign_out)
    return user


def _sign_in_form(the_store: Store) -> None:
    """The sign-in form (DESIGN.md "Team use"); signs in and reruns on success."""
    st.title("ScopeLens")
    show_flash()
    with st.form("sign_in_form"):
        username = st.text_input("Username", key="sign_in_username")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in")
    if not submitted:
        return
    result = sign_in(the_store, username, password)
    if result.principal is None:
        st.error(result.message)
        return
    st.session_state[SIGNED_IN] = result.principal.username
    st.session_state[LAST_SEEN] = datetime.now(UTC)
    st.session_state[PRINCIPAL] = result.principal
    st.rerun()


def open_document(url: str, sha256: str) -> OpenedDocument | None:
    """The stored document and its latest analysis (read once per sha256 and user, never
    re-run); None when it is missing or this session's user may not see it."""
    return _open_document(url, sha256, active_principal())


@st.cache_data(show_spinner=False, max_entries=64)
def _open_document(url: str, sha256: str, user: Principal) -> OpenedDocument | None:
    # The user is part of the cache key: one user's answer is never served to another.
    return service().for_user(user).open_stored(sha256)


def blocks(url: str, sha256: str) -> tuple[Block, ...] | None:
    """The structure of a stored DOCX or Markdown document (cached per document and user)."""
    return _blocks(url, sha256, active_principal())


@st.cache_data(show_spinner=False, max_entries=16)
def _blocks(url: str, sha256: str, user: Principal) -> tuple[Block, ...] | None:
    return service().for_user(user).blocks(sha256)


def page_png(
    url: str,
    sha256: str,
    page: int,
    highlights: tuple[tuple[int, int, str, bool], ...],
    scale: float,
) -> bytes | None:
    """A rendered PDF page with highlights (cached per page, highlight set and user)."""
    return _page_png(url, sha256, page, highlights, scale, active_principal())


@st.cache_data(show_spinner=False, max_entries=64)
def _page_png(
    url: str,
    sha256: str,
    page: int,
    highlights: tuple[tuple[int, int, str, bool], ...],
    scale: float,
    user: Principal,
) -> bytes | None:
    marks = [Highlight(a, b, colour, selected) for a, b, colour, selected in highlights]
    return service().for_user(user).page_png(sha256, page, marks, scale)


def forget_document() -> None:
    """Drop cached results after a document was analysed again."""
    _open_document.clear()
    _page_png.clear()
    _blocks.clear()


def reviewer_name() -> str:
    """Who records decisions: the signed-in user, or the name typed in single-user mode."""
    user = active_principal()
    if user.team:
        return user.username
    return str(st.session_state.get("reviewer") or "").strip()


def reviewer_box() -> str:
    """The reviewer-name field in the sidebar (single-user mode only); returns the name."""
    if "reviewer" not in st.session_state:
        # One person works here: offer the name they used last (a reload keeps it).
        st.session_state["reviewer"] = store().last_reviewer() or ""
    st.sidebar.caption(
        "Single-user mode: no accounts, served on 127.0.0.1 only. "
        "`scopelens users add NAME --role admin` turns on sign-in for a team."
    )
    st.sidebar.text_input(
        "Reviewer name",
        key="reviewer",
        placeholder="e.g. j.doe",
        help="Required before annotating; recorded with every decision.",
    )
    return str(st.session_state.get("reviewer") or "").strip()


def project_picker(svc: ReviewService, key: str) -> tuple[bool, str | None]:
    """The project new documents are filed under, when there is a choice to make.

    Returns:
        (may_add, project): whether the user may add documents at all, and the chosen project
        (None in single-user mode without projects).
    """
    user = svc.user
    if not user.can_decide:
        st.info("You have the viewer role: you can read documents but not add them.")
        return False, None
    names = svc.upload_projects()
    if not names:
        if user.team:
            st.info("No project is granted to you yet: ask an admin (`scopelens projects grant`).")
            return False, None
        return True, None
    options = names if user.team else ["(no project)", *names]
    choice = st.selectbox("File new documents under project", options, key=key)
    return True, (None if choice == "(no project)" else str(choice))


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


def handle_uploads(
    svc: ReviewService, files: Sequence[Any] | None, project: str | None = None
) -> list[OpenedDocument]:
    """Open every new upload (analysed once per sha256) and select the last one.

    Files are remembered by their upload id so a rerun does not open them again.

    Args:
        svc: The review service.
        files: `st.file_uploader(..., accept_multiple_files=True)` result.
        project: The project to file the uploads under (required once users exist).

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
        try:
            with st.spinner(f"Analysing {upload.name}…", show_time=True):
                doc = svc.open_bytes(upload.getvalue(), upload.name, project)
        except AccessDenied as exc:
            flash("error", f"{upload.name}: {exc.one_line()}")
            break
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
        for d in svc.documents()
        if d.analyses
    }
