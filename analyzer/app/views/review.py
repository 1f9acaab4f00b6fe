"""Review page: upload or pick a document, read it with its findings, and judge each finding.

A thin shell over `analyzer.review`: the page lays out widgets and calls the service; every
HTML string it shows was built (and escaped) there.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import replace
from typing import Any, Literal

import streamlit as st

from analyzer import review as rv
from analyzer.app import shared
from analyzer.app.viewer import document_viewer, viewer_action
from analyzer.consensus import Consensus
from analyzer.errors import AccessDenied
from analyzer.render import page_of_offset
from analyzer.report import escape_markdown
from analyzer.report.common import check_label
from analyzer.report.issues import to_docx, to_xlsx
from analyzer.review.team import NOT_FOUND
from analyzer.types import CATEGORIES, SEVERITIES, TYPES_BY_CATEGORY, Finding

ss = st.session_state
svc = shared.service()
user = svc.user
reviewer = shared.reviewer_name()

DISMISS_REASONS = (
    "clear in context",
    "defined elsewhere in the document",
    "boilerplate / legal standard wording",
    "not a commitment",
    "wrong span",
    "other",
)

# The one-key decision buttons: label, decision, keyboard shortcut and button type. (Comments,
# not docstrings, in page scripts: Streamlit's magic writes a bare string onto the page.)
_DECISION_BUTTONS: tuple[tuple[str, str, str, Literal["primary", "secondary"]], ...] = (
    ("✔ Confirm", "confirm", "Y", "primary"),
    ("✖ Dismiss", "dismiss", "X", "secondary"),
)

st.title("Review")
shared.show_flash()

# -- 1. choose a document --------------------------------------------------------------------

col_upload, col_pick = st.columns(2, gap="medium")
with col_upload:
    may_add, project = shared.project_picker(svc, "upload_project")
    if may_add:
        uploads = st.file_uploader(
            "Upload proposals, SOWs or contracts (PDF, DOCX, TXT, Markdown)",
            type=shared.UPLOAD_TYPES,
            accept_multiple_files=True,
            key="uploads",
        )
        shared.handle_uploads(svc, uploads, project)

choices = shared.document_choices(svc)
if shared.OPEN_KEY in ss:
    wanted = ss.pop(shared.OPEN_KEY)
    if wanted in choices:
        ss["doc_sha"] = wanted
# The URL carries the place (?doc=&finding=): a link or a reload lands on the same finding. A
# document that is missing, or that this user may not see, gets the same answer.
url_doc = st.query_params.get("doc")
if url_doc and url_doc != ss.get("_url_doc"):
    if url_doc not in choices:
        st.error(NOT_FOUND)
        if st.button("Back to my documents", key="btn_not_found"):
            st.query_params.clear()
            st.rerun()
        st.stop()
    ss["doc_sha"] = url_doc
    ss["_url_doc"] = url_doc
    ss["_url_finding"] = st.query_params.get("finding")
if not choices:
    shared.show_flash()
    st.info("Upload a document to start, or analyse a folder on the Batch page.")
    st.stop()
if ss.get("doc_sha") not in choices:
    ss["doc_sha"] = next(iter(choices))
ss["_doc_order"] = list(choices)  # for the [ and ] keys
with col_pick:
    sha: str = st.selectbox(
        "…or open an analysed document",
        list(choices),
        format_func=lambda s: choices.get(s, s),
        key="doc_sha",
    )
shared.show_flash()
opened = shared.open_document(shared.db_url(), sha)
if opened is None:
    st.warning("This document has no stored analysis yet: upload it again.")
    st.stop()

report = opened.report
summary = rv.risk_summary(report)
decisions_now = svc.decisions(sha)  # every reviewer's current decision, read once per run
items = rv.merge_decisions(report.findings, decisions_now, reviewer)
if any(i.state == "added" for i in items):
    # Added spans are stored with offsets only: their page and section come from the original.
    items = rv.place_added(items, shared.blocks(shared.db_url(), sha) or ())

# -- 2. summary panel --------------------------------------------------------------------------

with st.container(border=True):
    st.html(rv.summary_html(opened.name, opened.kind, opened.pages, summary))
    with st.expander(
        f"Safeguards: {len(summary.missing)} missing of {len(summary.safeguards)} checked",
        expanded=False,
    ):
        st.html(rv.safeguards_html(summary.safeguards))

allowed = svc.allow_list_key()
now_muted = rv.muted_matches(report.findings, allowed)
if now_muted:
    st.info(
        f"{len(now_muted)} finding(s) match phrases added to the allow-list after this "
        "analysis. Re-analyse to apply the allow-list."
    )


def _reanalyse(sha256: str) -> None:
    try:
        fresh = shared.service().reanalyse(sha256)
    except ValueError as exc:
        shared.flash("error", str(exc))
        return
    shared.forget_document()
    shared.flash("success", f"Re-analysed: {len(fresh.report.findings)} findings")


if now_muted and opened.has_original:
    st.button(
        "Re-analyse with the current allow-list",
        key="btn_reanalyse",
        on_click=_reanalyse,
        args=(sha,),
    )

# -- 3. filters (sidebar) ----------------------------------------------------------------------

with st.sidebar:
    st.subheader("Filters")
    chosen_categories = st.multiselect(
        "Category",
        [c for c in CATEGORIES if any(i.finding.category == c for i in items)],
        key="f_category",
    )
    flt = rv.FindingFilter(
        categories=frozenset(chosen_categories),
        types=frozenset(
            st.multiselect("Type", rv.type_options(items, chosen_categories), key="f_type")
        ),
        severities=frozenset(st.multiselect("Severity", list(SEVERITIES), key="f_severity")),
        sources=frozenset(
            st.multiselect(
                "Found by",
                list(rv.SOURCE_KINDS),
                format_func=lambda kind: rv.SOURCE_LABELS.get(kind, kind),
                key="f_source",
            )
        ),
        states=frozenset(st.multiselect("Review state", list(rv.REVIEW_STATES), key="f_state")),
        sections=frozenset(
            st.multiselect(
                "Section",
                rv.section_options(items),
                format_func=lambda name: name or "(no section)",
                key="f_section",
            )
        ),
        search=st.text_input("Search the findings", key="f_search", placeholder="e.g. support"),
    )
shown = rv.filter_findings(items, flt)
by_id = {item.finding.id: item for item in shown}
ids = list(by_id)
# Numbers follow the document, not the filter: #12 stays #12 whatever is hidden.
numbers = {item.finding.id: n for n, item in enumerate(items, start=1)}
ss["_order"] = ids
wanted_finding = ss.pop("_url_finding", None)
if wanted_finding in by_id:
    ss["sel"] = wanted_finding

states = rv.counts_by_state(items)
st.caption(
    f"{len(shown)} of {len(items)} findings shown · "
    + " · ".join(f"{n} {state}" for state, n in states.items())
)

if ids and ss.get("sel") not in by_id:
    ss["sel"] = ids[0]


def _step(order: list[str], delta: int) -> None:
    if not order:
        return
    current = ss.get("sel")
    at = order.index(current) if current in order else -1
    ss["sel"] = order[(at + delta) % len(order)]


selected: rv.ReviewedFinding | None = by_id.get(ss.get("sel", "")) if ids else None
ss["_url_doc"] = sha
st.query_params["doc"] = sha
if selected is not None:
    st.query_params["finding"] = selected.finding.id
elif "finding" in st.query_params:
    del st.query_params["finding"]


# -- decisions (callbacks run before the page is drawn again) ---------------------------------


def _record(annotation_of: Any) -> bool:
    """Build and store one annotation; errors become a flash message."""
    try:
        svc_now = shared.service()
        svc_now.record(annotation_of(svc_now))
    except AccessDenied as exc:
        shared.flash("error", exc.one_line())
        return False
    except ValueError as exc:
        shared.flash("error", str(exc))
        return False
    return True


# `_decide(reason=NO_REASON)`: read the reason from the reason box (the Dismiss button).
# (A comment, not a docstring: Streamlit's magic writes a bare string on the page.)
NO_REASON = object()


def _decide(finding_id: str, decision: str, order: list[str], reason: object = NO_REASON) -> None:
    """Store a decision on a finding, then move to the next one.

    Args:
        finding_id: The finding.
        decision: "confirm", "dismiss" or "relabel".
        order: The findings as listed (to move on).
        reason: For a key press: the reason chosen with it, or None for none.
    """
    item = next((i for i in _current_items() if i.finding.id == finding_id), None)
    if item is None:
        shared.flash("error", "That finding is no longer in the document's analysis.")
        return
    name = shared.reviewer_name()
    comment = ss.get(f"comment_{finding_id}") or None
    if item.state == "added" and item.decision is not None:
        # An added span is retracted by a dismissal keyed on its span (no finding id).
        a = item.decision
        ok = _record(
            lambda s: replace(
                a,
                decision="dismiss",
                reviewer=name.strip(),
                created_at=rv.utc_now(),
                reason="retracted",
                comment=comment,
                tool_version=s.tool.version,
                model=s.tool.model,
            )
        )
        if ok:
            shared.flash("success", "Added finding retracted.")
        return
    kwargs: dict[str, Any] = {"comment": comment}
    if decision == "dismiss":
        if reason is NO_REASON:
            picked = str(ss.get(f"reason_{finding_id}") or "")
            detail = str(ss.get(f"reason_text_{finding_id}") or "").strip()
            kwargs["reason"] = ": ".join(part for part in (picked, detail) if part) or None
        else:
            kwargs["reason"] = reason
    elif decision == "relabel":
        category = ss.get(f"rl_cat_{finding_id}")
        kwargs["new_category"] = category
        kwargs["new_type"] = ss.get(f"rl_type_{finding_id}_{category}")
        kwargs["new_severity"] = ss.get(f"rl_sev_{finding_id}")
    ok = _record(
        lambda s: rv.make_decision(
            _opened_now(), item.original, decision, name, tool=s.tool, **kwargs
        )
    )
    if ok:
        shared.flash("success", f"{decision.capitalize()} recorded for “{_short(item.finding)}”.")
        _step(order, +1)


def _decision_button(
    place: Any, label: str, decide: tuple[str, str, list[str]], locked: bool, **button: Any
) -> None:
    """A button in `place` that records a decision: `decide` is `_decide`'s (finding id,
    decision, order of the listed findings)."""
    place.button(label, on_click=_decide, args=decide, disabled=locked, **button)


def _undo(finding_id: str) -> None:
    """Record your previous decision on the finding again (history is never deleted)."""
    doc = _opened_now()
    mine = [
        a
        for a in shared.service().history(doc.sha256)
        if a.finding_id == finding_id and a.reviewer == shared.reviewer_name() and not a.adjudicated
    ]
    if len(mine) < 2:
        shared.flash(
            "info",
            "Nothing to undo: your first decision on a finding stays in the history; "
            "record another decision to change it.",
        )
        return
    previous = mine[-2]
    if _record(lambda s: replace(previous, created_at=rv.utc_now(), tool_version=s.tool.version)):
        shared.flash("success", f"Undone: back to {previous.decision}.")


def _adjudicate(finding_id: str) -> None:
    """Callback of "Adjudicate": an admin's ruling, which wins over the reviewers' decisions."""
    item = next((i for i in _current_items() if i.finding.id == finding_id), None)
    ruling = ss.get(f"adj_{finding_id}")
    if item is None or ruling is None:
        shared.flash("error", "Pick the decision that should count first.")
        return
    decision, new_category, new_type, new_severity = ruling
    ok = _record(
        lambda s: replace(
            rv.make_decision(
                _opened_now(),
                item.original,
                decision,
                shared.reviewer_name(),
                tool=s.tool,
                comment=ss.get(f"adj_comment_{finding_id}") or None,
                new_category=new_category,
                new_type=new_type,
                new_severity=new_severity,
            ),
            adjudicated=True,
        )
    )
    if ok:
        shared.flash("success", f"Adjudicated: {decision} for “{_short(item.finding)}”.")


def _on_viewer_action() -> None:
    """A click, a text selection or a key in the document viewer."""
    action = viewer_action()
    if action is None:
        return
    order: list[str] = list(ss.get("_order") or [])
    current = ss.get("sel")
    kind = action.get("type")
    if kind == "select" and action.get("id") in order:
        ss["sel"] = action["id"]
    elif kind == "span":
        ss["add_span"] = (int(action["start"]), int(action["end"]))
        ss["add_open"] = True
    elif kind == "key":
        key = action.get("key")
        if key in ("j", "k"):
            _step(order, +1 if key == "j" else -1)
        elif key in ("[", "]"):
            documents: list[str] = list(ss.get("_doc_order") or [])
            if ss.get("doc_sha") in documents and len(documents) > 1:
                at = documents.index(ss["doc_sha"]) + (1 if key == "]" else -1)
                ss["doc_sha"] = documents[at % len(documents)]
        elif key == "n":
            target = rv.next_open(order, _current_items(), current)
            if target is None:
                shared.flash("info", "Every finding shown has been reviewed.")
            else:
                ss["sel"] = target
        elif key == "r":
            ss["relabel_open"] = True
        elif not current:
            return
        elif key == "y":
            _decide(current, "confirm", order)
        elif key == "x":
            index = action.get("reason")
            reason = DISMISS_REASONS[index - 1] if isinstance(index, int) else None
            _decide(current, "dismiss", order, reason=reason)
        elif key == "u":
            _undo(current)


def _on_list_pick(table_key: str) -> None:
    """A row picked in the findings list selects that finding."""
    state = ss.get(table_key)
    rows = list(getattr(getattr(state, "selection", None), "rows", None) or [])
    if not rows and isinstance(state, dict):
        rows = list(state.get("selection", {}).get("rows", []))
    order: list[str] = list(ss.get("_order") or [])
    if rows and 0 <= rows[0] < len(order):
        ss["sel"] = order[rows[0]]


def _sentence_choice(count: int) -> int | None:
    """The picked sentence's index, or None when the stored value does not fit this document.

    The picker's state survives a switch of document (and the browser may hand back its label
    rather than the index), so anything that is not an index into this document is dropped.
    """
    value = ss.get("add_sentence")
    try:
        index = int(value) if value is not None else None
    except (TypeError, ValueError):
        index = None
    if index is None or not 0 <= index < count:
        ss.pop("add_sentence", None)
        return None
    return index


def _add(sentences: list[rv.Sentence]) -> None:
    """Callback of "Add finding": a span the tool missed (selected text, or sentence + phrase)."""
    doc = _opened_now()
    span = ss.get("add_span")
    if span is not None:
        start, end = span
        index = rv.sentence_index(sentences, start)
        sentence = sentences[index] if sentences else rv.Sentence(start, end, doc.text[start:end])
        if end > sentence.end or start < sentence.start:
            # The selection crosses sentences: it is its own passage.
            sentence = rv.Sentence(start, end, doc.text[start:end])
        phrase = doc.text[start:end]
    else:
        index_or_none = _sentence_choice(len(sentences))
        if index_or_none is None:
            shared.flash("error", "Select text in the document (or pick a sentence) first.")
            return
        sentence = sentences[index_or_none]
        phrase = str(ss.get("add_phrase") or "")
    category = ss.get("add_cat") or "ambiguity"
    ok = _record(
        lambda s: rv.make_added(
            doc,
            sentence,
            phrase,
            category,
            str(ss.get(f"add_type_{category}") or ""),
            str(ss.get("add_sev") or "medium"),
            shared.reviewer_name(),
            tool=s.tool,
            comment=ss.get("add_comment"),
        )
    )
    if ok:
        shared.flash("success", f"Added “{_short_text(phrase)}” as {category}.")
        ss["add_phrase"] = ""
        ss["add_comment"] = ""
        ss.pop("add_span", None)


def _opened_now() -> rv.OpenedDocument:
    doc = shared.open_document(shared.db_url(), ss["doc_sha"])
    if doc is None:
        raise ValueError("the document is no longer stored")
    return doc


def _current_items() -> list[rv.ReviewedFinding]:
    doc = _opened_now()
    name = shared.reviewer_name()
    return rv.merge_decisions(doc.report.findings, shared.service().decisions(doc.sha256), name)


def _short_text(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "…"


def _short(finding: Finding) -> str:
    return _short_text(finding.text or check_label(finding.type))


def _team_panel(view: Consensus, fid: str) -> None:
    """Every reviewer's current decision on the finding; conflicts and the admin's ruling."""
    st.markdown("**Decisions by reviewer**")
    st.dataframe(rv.decision_rows(view.decisions), hide_index=True, key=f"team_{fid}")
    if view.adjudication is not None:
        st.success(escape_markdown(rv.adjudication_text(view.adjudication)))
    elif view.disputed:
        st.warning("Reviewers disagree on this finding: an admin adjudicates.")
    if not (user.is_admin and user.team and view.conflict):
        return
    options = rv.ruling_options(view.decisions)
    st.selectbox(
        "Decision that counts",
        options,
        format_func=rv.ruling_label,
        index=None,
        placeholder="Pick one reviewer's verdict",
        key=f"adj_{fid}",
    )
    st.text_input("Why (saved with the adjudication)", key=f"adj_comment_{fid}")
    st.button("Adjudicate", key="btn_adjudicate", on_click=_adjudicate, args=(fid,))


# -- 4. document | findings list and the selected finding -------------------------------------

left, right = st.columns([3, 2], gap="medium")

with left:
    page_view = opened.kind == "pdf" and opened.has_original
    structured = opened.kind in ("docx", "md") and opened.has_original
    views = ["Text", *(["Page image"] if page_view else []), *(["Formatted"] if structured else [])]
    if ss.get("view") not in views:
        ss["view"] = "Text"
    view = st.radio(
        "View",
        views,
        horizontal=True,
        key="view",
        label_visibility="collapsed",
        help="Text: the extracted text, every character as analysed. Formatted: headings, "
        "lists and tables of the original (DOCX, Markdown). Page image: the PDF page.",
    )
    if view == "Page image" and page_view:
        boxes = svc.page_boxes(sha) or ()
        target = None
        if selected is not None:
            target = selected.finding.page
            if target is None and selected.finding.start is not None:
                target = page_of_offset(boxes, selected.finding.start)
        pages = opened.pages or 1
        if target is not None and ss.get("_page_for") != ss.get("sel"):
            ss["page"] = int(target)
            ss["_page_for"] = ss.get("sel")
        if not 1 <= int(ss.get("page", 1)) <= pages:
            ss["page"] = 1
        col_page, col_zoom = st.columns(2)
        with col_page:
            page = int(st.number_input("Page", 1, pages, key="page", step=1))
        with col_zoom:
            zoom = st.select_slider(
                "Zoom",
                options=[100, 150, 200, 250, 300],
                value=150,
                key="zoom",
                format_func=lambda z: f"{z}%",
            )
        marks = rv.page_highlights(shown, selected.finding.id if selected else None)
        png = shared.page_png(
            shared.db_url(),
            sha,
            page,
            tuple((h.start, h.end, h.colour, h.selected) for h in marks),
            zoom / 100 * 1.5,
        )
        if png is None:
            st.warning("The original PDF is not stored: only the text view is available.")
        else:
            # Rendered at the zoom's resolution and shown at its own size in a scroll box.
            with st.container(height=760, border=True):
                st.image(png, caption=f"Page {page} of {pages}", width="content")
            if not boxes:
                st.caption("Character positions are unavailable: the page is shown plain.")
    else:
        focus = selected.finding.id if selected else None
        structure = shared.blocks(shared.db_url(), sha) if view == "Formatted" else None
        if view == "Formatted" and structure is None:
            st.caption("The original's structure is not available: showing the text.")
        if structure:
            body = rv.formatted_html(opened.text, structure, shown, markdown=opened.kind == "md")
        else:
            whole = st.toggle("Whole document", key="whole", value=False)
            body = rv.document_html(opened.text, shown, focus_id=focus, window=not whole)
        document_viewer(
            body,
            rv.viewer_legend_html(),
            selected=focus,
            version=hashlib.sha1(body.encode("utf-8")).hexdigest()[:16],
            reasons=DISMISS_REASONS,
            on_action=_on_viewer_action,
        )

with right:
    nav = st.columns([1, 1, 1], vertical_alignment="center")
    nav[0].button(
        "◀ Prev",
        key="btn_prev",
        on_click=_step,
        args=(ids, -1),
        shortcut="K",
        disabled=not ids,
        width="stretch",
    )
    nav[1].button(
        "Next ▶",
        key="btn_next",
        on_click=_step,
        args=(ids, +1),
        shortcut="J",
        disabled=not ids,
        width="stretch",
    )
    nav[2].caption("Press ? in the document for the keys")
    if not ids:
        st.info("No finding matches the filters.")
    else:
        table_key = f"findings_{ss.get('sel', '')}"
        st.dataframe(
            rv.finding_rows(shown, numbers, ss.get("sel")),
            hide_index=True,
            height=260,
            key=table_key,
            on_select=functools.partial(_on_list_pick, table_key),
            selection_mode="single-row",
            column_config={"": st.column_config.TextColumn(width=24)},
        )
    if selected is not None:
        f = selected.finding
        fid = f.id
        with st.container(border=True):
            st.markdown(f"**#{numbers.get(fid, '?')}**")
            st.html(rv.finding_detail_html(selected))
            if f.start is not None:
                st.html(rv.passage_html(f))
            if not user.can_decide:
                st.info("You have the viewer role: decisions are read-only for you.")
            elif not reviewer:
                st.warning("Enter your reviewer name in the sidebar to annotate.")
            locked = not reviewer or not user.can_decide
            st.text_input("Comment (saved with your next decision)", key=f"comment_{fid}")
            if selected.state == "added":
                _decision_button(
                    st,
                    "Retract this added finding",
                    (fid, "dismiss", ids),
                    locked,
                    key="btn_retract",
                )
            else:
                row = st.columns(3)
                for i, (label, decision, shortcut, kind) in enumerate(_DECISION_BUTTONS):
                    _decision_button(
                        row[i],
                        label,
                        (fid, decision, ids),
                        locked,
                        key=f"btn_{decision}",
                        shortcut=shortcut,
                        type=kind,
                    )
                row[2].button(
                    "↶ Undo",
                    key="btn_undo",
                    on_click=_undo,
                    args=(fid,),
                    disabled=locked or selected.decision is None,
                    help="Record your previous decision on this finding again (U).",
                )
                # No reason until the reviewer picks one: X alone records none (issue #16).
                st.selectbox(
                    "Dismiss reason",
                    DISMISS_REASONS,
                    index=None,
                    placeholder="No reason given",
                    key=f"reason_{fid}",
                )
                st.text_input("Reason details (optional)", key=f"reason_text_{fid}")
                with st.expander("Relabel (R)", expanded=bool(ss.pop("relabel_open", False))):
                    cat_options = [c for c in CATEGORIES if c != "missing"]
                    if f.category == "missing":
                        cat_options = ["missing"]
                    ss.setdefault(f"rl_cat_{fid}", f.category)
                    category = st.selectbox("Category", cat_options, key=f"rl_cat_{fid}")
                    type_options = list(TYPES_BY_CATEGORY[category])
                    type_key = f"rl_type_{fid}_{category}"
                    if f.type in type_options:
                        ss.setdefault(type_key, f.type)
                    st.selectbox("Type", type_options, key=type_key)
                    ss.setdefault(f"rl_sev_{fid}", f.severity)
                    st.selectbox("Severity", list(SEVERITIES), key=f"rl_sev_{fid}")
                    _decision_button(
                        st, "Relabel", (fid, "relabel", ids), locked, key="btn_relabel"
                    )
            team_view = rv.team_view(decisions_now, selected.original)
            if team_view is not None:
                _team_panel(team_view, fid)
            history = [
                a
                for a in svc.history(sha)
                if a.finding_id == fid
                or (a.finding_id is None and a.start == f.start and a.end == f.end)
            ]
            if history:
                with st.expander(f"History ({len(history)})"):
                    st.dataframe(rv.history_rows(history), hide_index=True)

    with st.expander("Add a missed finding", expanded=bool(ss.get("add_open"))):
        sentences = rv.split_sentences(opened.text)
        span = ss.get("add_span")
        if span is not None and not 0 <= span[0] < span[1] <= len(opened.text):
            ss.pop("add_span", None)
            span = None
        if span is not None:
            st.caption("Selected in the document:")
            st.html(rv.selection_html(opened.text, span[0], span[1]))
            st.button(
                "Clear the selection", key="btn_clear_span", on_click=ss.pop, args=("add_span",)
            )
        else:
            st.caption("Select words in the document with the mouse, or pick a sentence here.")
            _sentence_choice(len(sentences))
            if selected is not None and ss.get("_add_for") != (sha, selected.finding.id):
                # Follow the selected finding: start from the sentence it sits in.
                ss["_add_for"] = (sha, selected.finding.id)
                if selected.finding.start is not None:
                    ss["add_sentence"] = rv.sentence_index(sentences, selected.finding.start)
            st.selectbox(
                "Sentence",
                range(len(sentences)),
                format_func=lambda n: rv.sentence_label(sentences[n].start, sentences[n].text),
                key="add_sentence",
            )
            st.text_input("Phrase (must be inside the sentence)", key="add_phrase")
        add_cat = st.selectbox("Category", [c for c in CATEGORIES if c != "missing"], key="add_cat")
        st.selectbox("Type", list(TYPES_BY_CATEGORY[add_cat]), key=f"add_type_{add_cat}")
        ss.setdefault("add_sev", "medium")
        st.selectbox("Severity", list(SEVERITIES), key="add_sev")
        st.text_input("Comment", key="add_comment")
        st.button(
            "Add finding",
            key="btn_add",
            on_click=_add,
            args=(sentences,),
            disabled=not reviewer or not user.can_decide,
        )
        shared.show_flash()

    # Built when clicked (on another thread), from the decisions as they are then.
    export_doc: rv.OpenedDocument = opened
    st.download_button(
        "Reviewed report (HTML): decisions applied",
        data=lambda: rv.reviewed_export(export_doc, svc.resolved(sha), "html", svc.tool),
        file_name=f"scopelens-reviewed-{sha[:12]}.html",
        mime="text/html",
        key="dl_reviewed_html",
        on_click="ignore",
        help="Dismissed findings left out, relabels and added findings applied; where "
        "reviewers disagree, the admin's adjudication counts.",
    )
    col_xlsx, col_docx = st.columns(2)
    col_xlsx.download_button(
        "Issues list (Excel)",
        data=lambda: to_xlsx(rv.issue_rows(export_doc, svc.decisions(sha)), "Issues"),
        file_name=f"scopelens-issues-{sha[:12]}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="dl_issues_xlsx",
        on_click="ignore",
        help="Every finding with its status, reason, comment and reviewer.",
    )
    col_docx.download_button(
        "Issues list (Word)",
        data=lambda: to_docx(
            rv.issue_rows(export_doc, svc.decisions(sha)), f"Issues list: {export_doc.name}"
        ),
        file_name=f"scopelens-issues-{sha[:12]}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="dl_issues_docx",
        on_click="ignore",
    )
    st.download_button(
        "Download this document's annotations (JSONL)",
        data=lambda: svc.export_jsonl(sha),
        file_name=f"annotations-{sha[:12]}.jsonl",
        mime="application/jsonl",
        key="dl_annotations",
        on_click="ignore",
    )
