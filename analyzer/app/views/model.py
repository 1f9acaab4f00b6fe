"""Model page: the shipped model's metrics, how reviewers judged each rule, the allow-list."""

from __future__ import annotations

import streamlit as st

from analyzer import review as rv
from analyzer.app import shared
from analyzer.types import TYPES_BY_CATEGORY

ss = st.session_state
svc = shared.service()
store = svc.store
reviewer = str(ss.get("reviewer") or "").strip()

st.title("Model, rule precision and allow-list")
shared.show_flash()

# -- the shipped model -------------------------------------------------------------------------

st.subheader("Shipped model")
models = rv.shipped_models()
if not models:
    st.info("No trained model shipped yet — rules only.")
st.caption(f"New analyses use: {svc.tool.model or 'the rules only'}.")
warning = getattr(svc.analyzer, "model_warning", None)
if models and warning:
    st.warning(str(warning))
for model in models:
    with st.container(border=True):
        in_use = svc.analyzer.model_dir is not None and model.path == svc.analyzer.model_dir
        st.text(model.name + (" — in use" if in_use else ""))
        if "error" in model.meta:
            st.error(str(model.meta["error"]))
            continue
        rows, facts = rv.metric_rows(model.meta)
        about = {k: v for k, v in model.meta.items() if not isinstance(v, dict | list)}
        if about:
            st.dataframe([{"field": k, "value": str(v)} for k, v in about.items()], hide_index=True)
        if rows:
            st.dataframe(rows, hide_index=True)
        if facts:
            st.dataframe(
                [{"metric": k, "value": str(v)} for k, v in facts.items()], hide_index=True
            )

# -- reviewer precision ------------------------------------------------------------------------

st.subheader("What reviewers said about each rule")
stats = store.rule_precision()
if not stats:
    st.info("No reviewer decisions yet: confirm or dismiss findings on the review page.")
else:
    worst = [s for s in stats if s.total and (s.precision or 0) < 0.5]
    for s in sorted(worst, key=lambda s: -s.dismissed)[:5]:
        st.text(f"• {s.source} ({s.type}): {rv.verdict(s)}")
    st.markdown("**Per rule**")
    st.dataframe(rv.rule_rows(stats), hide_index=True, key="rule_table")
    st.markdown("**Per finding type**")
    st.dataframe(rv.type_rows(stats), hide_index=True, key="type_table")

# -- allow-list --------------------------------------------------------------------------------

st.subheader("Organisation allow-list")
st.caption(
    "Ambiguity phrases your organisation accepts (e.g. a term defined in your contract "
    "template). They are muted in every analysis from now on; re-analyse a stored document "
    "on the review page to apply them to it."
)
phrases = store.allow_list()
if phrases:
    st.dataframe(
        [
            {
                "phrase": p.phrase,
                "category": p.category,
                "type": p.type or "any",
                "reviewer": p.reviewer,
                "reason": p.reason or "",
                "added": f"{p.created_at:%Y-%m-%d %H:%M}",
            }
            for p in phrases
        ],
        hide_index=True,
        key="allow_table",
    )
else:
    st.caption("The allow-list is empty.")

if not reviewer:
    st.warning("Enter your reviewer name in the sidebar to change the allow-list.")


def _add_phrase() -> None:
    phrase = str(ss.get("allow_phrase") or "").strip()
    type_ = ss.get("allow_type")
    try:
        store.add_allowed_phrase(
            phrase,
            "ambiguity",
            None if type_ in (None, "any") else str(type_),
            str(ss.get("reviewer") or ""),
            str(ss.get("allow_reason") or "").strip() or None,
        )
    except ValueError as exc:
        shared.flash("error", str(exc))
        return
    shared.flash("success", f"“{phrase}” added to the allow-list.")
    ss["allow_phrase"] = ""
    ss["allow_reason"] = ""


def _remove_phrase() -> None:
    phrase = ss.get("allow_remove")
    if phrase and store.remove_allowed_phrase(str(phrase)):
        shared.flash("success", f"“{phrase}” removed from the allow-list.")


with st.container(border=True):
    st.text_input("Phrase to accept", key="allow_phrase", placeholder="e.g. reasonable")
    st.selectbox("Type", ["any", *TYPES_BY_CATEGORY["ambiguity"]], key="allow_type")
    st.text_input("Why it is fine", key="allow_reason")
    st.button("Add to allow-list", key="btn_allow_add", on_click=_add_phrase, disabled=not reviewer)
if phrases:
    col_sel, col_btn = st.columns([4, 1], vertical_alignment="bottom")
    col_sel.selectbox("Phrase to remove", [p.phrase for p in phrases], key="allow_remove")
    col_btn.button("Remove", key="btn_allow_remove", on_click=_remove_phrase, disabled=not reviewer)

# -- exports -----------------------------------------------------------------------------------

st.subheader("Annotations")
st.caption("Every reviewer decision, as JSONL (`scopelens train --with-annotations` reads it).")
col_all, col_current = st.columns(2)
col_all.download_button(
    "All decisions (history, JSONL)",
    data=svc.export_jsonl(),
    file_name="scopelens-annotations.jsonl",
    mime="application/jsonl",
    key="dl_all_annotations",
    on_click="ignore",
)
col_current.download_button(
    "Current decisions only (JSONL)",
    data=svc.export_jsonl(current_only=True),
    file_name="scopelens-annotations-current.jsonl",
    mime="application/jsonl",
    key="dl_current_annotations",
    on_click="ignore",
)
