"""Batch page: analyse a folder (on this machine) or many uploads, see the portfolio, open one.

Every document goes through the same cached path as the review page: a file already analysed
(same sha256) is read from the store, not analysed again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import streamlit as st

from analyzer import review as rv
from analyzer.app import shared
from analyzer.batch import iter_files
from analyzer.errors import AccessDenied
from analyzer.report.portfolio import batch_table

ss = st.session_state
svc = shared.service()
ss.setdefault("batch", [])

st.title("Batch")
shared.show_flash()


def _run(jobs: list[tuple[str, object]], project: str | None) -> None:
    """Open every job (a path, or an upload), with a progress bar; keep lightweight results."""
    results: list[rv.OpenedDocument] = []
    bar = st.progress(0.0, text=f"0 of {len(jobs)} documents")
    for number, (name, source) in enumerate(jobs, start=1):
        try:
            if isinstance(source, str):
                doc = svc.open_path(source, project)
            else:
                doc = svc.open_bytes(source.getvalue(), name, project)  # type: ignore[attr-defined]
        except AccessDenied as exc:
            bar.empty()
            st.error(exc.one_line())
            return
        results.append(replace(doc, text=""))  # the table needs no text; keep the session small
        bar.progress(number / len(jobs), text=f"{number} of {len(jobs)}: {name}")
    bar.empty()
    ss["batch"] = results
    failed = sum(not d.ok for d in results)
    shared.flash(
        "warning" if failed else "success",
        f"{len(results)} documents: {len(results) - failed} analysed or opened, {failed} failed.",
    )
    st.rerun()


def _folder_form(project: str | None) -> None:
    folder = st.text_input(
        "Folder path (read on the server running the app; searched recursively)",
        key="batch_folder",
        placeholder="/path/to/proposals",
    )
    if st.button("Analyse folder", key="btn_batch_folder", disabled=not folder.strip()):
        root = Path(folder.strip()).expanduser()
        if not root.is_dir():
            st.error("Not a folder on this machine.")
            return
        items = list(iter_files([root]))
        if not items:
            st.warning("No PDF, DOCX, TXT or Markdown files in that folder.")
            return
        _run([(item.path, item.path) for item in items], project)


def _upload_form(project: str | None) -> None:
    files = st.file_uploader(
        "Documents", type=shared.UPLOAD_TYPES, accept_multiple_files=True, key="batch_uploads"
    )
    if st.button("Analyse uploads", key="btn_batch_uploads", disabled=not files):
        _run([(f.name, f) for f in files or ()], project)


may_add, project = shared.project_picker(svc, "batch_project")
if may_add:
    # Reading the server's folders is for whoever runs it: single-user mode or an admin.
    if not svc.user.team or svc.user.is_admin:
        folder_tab, upload_tab = st.tabs(["Folder on this machine", "Uploads"])
        with folder_tab:
            _folder_form(project)
    else:
        (upload_tab,) = st.tabs(["Uploads"])
    with upload_tab:
        _upload_form(project)

results: list[rv.OpenedDocument] = ss["batch"]
if not results:
    st.info("Analyse a folder or some uploads to see the portfolio.")
    st.stop()

rows = batch_table([rv.replace_path(d) for d in results], rv.review_counts(svc, results))
st.subheader(f"Portfolio: {len(rows)} documents")
event = st.dataframe(
    rows,
    hide_index=True,
    key="portfolio",
    on_select="rerun",
    selection_mode="single-row",
    column_order=[
        "document",
        "kind",
        "pages",
        "status",
        "error",
        "reviewed",
        "risk_score",
        "ambiguity",
        "commitment",
        "exclusion",
        "assumption",
        "estimate",
        "missing_safeguards",
    ],
    column_config={
        "risk_score": st.column_config.ProgressColumn(
            "risk score", min_value=0, max_value=100, format="%d"
        ),
        "missing_safeguards": st.column_config.TextColumn("missing safeguards"),
    },
)
openable = {r["sha256"]: r["document"] for r in rows if r["status"] == "ok"}
picked = None
selection = getattr(event, "selection", None)
if selection is not None and selection.get("rows"):
    picked = rows[selection["rows"][0]]["sha256"] or None
if picked in openable:
    ss["batch_pick"] = picked

col_pick, col_open = st.columns([4, 1], vertical_alignment="bottom")
if openable:
    if ss.get("batch_pick") not in openable:
        ss["batch_pick"] = next(iter(openable))
    chosen = col_pick.selectbox(
        "Open on the review page (or select a row above)",
        list(openable),
        format_func=lambda s: openable.get(s, s),
        key="batch_pick",
    )
    if col_open.button("Open in review", key="btn_open_review", type="primary"):
        ss[shared.OPEN_KEY] = chosen
        st.switch_page(shared.REVIEW_PAGE)

tool = svc.tool
st.caption(
    "The reports apply the reviewers' decisions: dismissed findings are left out, relabels "
    "and added findings apply (an admin's adjudication where reviewers disagree)."
)
FORMATS: tuple[tuple[str, str, str], ...] = (
    ("CSV", "csv", "text/csv"),
    ("JSON", "json", "application/json"),
    ("HTML", "html", "text/html"),
)


def _reviewed_batch(fmt: str) -> Callable[[], str]:
    """The batch report in `fmt`, built when clicked with the decisions as they are then."""
    return lambda: rv.batch_report(rv.reviewed_documents(svc, results), fmt, tool)


for column, (label, fmt, mime) in zip(st.columns(3), FORMATS, strict=True):
    column.download_button(
        f"Batch report ({label})",
        data=_reviewed_batch(fmt),
        file_name=f"scopelens-batch.{fmt}",
        mime=mime,
        key=f"dl_batch_{fmt}",
        on_click="ignore",
    )
