"""Model page: the shipped model's metrics, how reviewers judged each rule and agreed with each
other, the allow-list and its audit trail, the decision exports."""

from __future__ import annotations

import streamlit as st

from analyzer import review as rv
from analyzer.app import shared
from analyzer.errors import AccessDenied
from analyzer.report import escape_markdown
from analyzer.types import TYPES_BY_CATEGORY

ss = st.session_state
svc = shared.service()
user = svc.user
reviewer = shared.reviewer_name()

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
        if "error" in model.meta:
            st.text(model.name)
            st.error(str(model.meta["error"]))
            continue
        summary = rv.model_summary(model)
        st.markdown(f"**{escape_markdown(summary.title)}**" + (" — in use" if in_use else ""))
        for line in summary.lines:
            st.caption(escape_markdown(line))
        if summary.scores:
            st.markdown(f"How well it finds each kind of passage (F1, {summary.scored_on})")
            st.bar_chart(
                {"F1": summary.scores},
                horizontal=True,
                y_label="",
                x_label="F1 (0 = misses everything, 1 = finds all and nothing else)",
                height=220,
            )
        with st.expander("Everything recorded about this model"):
            rows, facts = rv.metric_rows(model.meta)
            about = {k: v for k, v in model.meta.items() if not isinstance(v, dict | list)}
            if about:
                st.dataframe(
                    [{"field": k, "value": str(v)} for k, v in about.items()], hide_index=True
                )
            if rows:
                st.dataframe(rows, hide_index=True)
            if facts:
                st.dataframe(
                    [{"metric": k, "value": str(v)} for k, v in facts.items()], hide_index=True
                )

# -- reviewer precision ------------------------------------------------------------------------

st.subheader("What reviewers said about each rule")
st.caption(
    "One verdict per finding: the one its reviewers agree on, or an admin's adjudication "
    "where they disagree (disputed findings wait)."
)
stats = svc.rule_precision()
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

# -- agreement between reviewers ---------------------------------------------------------------

st.subheader("Agreement between reviewers")
agreement = svc.reviewer_agreement()
if not agreement:
    st.caption("No finding has been judged by two reviewers yet.")
else:
    st.caption(
        "Cohen's kappa per category over findings two reviewers judged (1 = always agree, "
        "0 = no better than chance); a verdict is keep (confirm) or reject (dismiss, relabel)."
    )
    st.dataframe(
        [
            {
                "category": row.category,
                "pairs of verdicts": row.pairs,
                "agreed": row.agreed,
                "kappa": None if row.kappa is None else round(row.kappa, 2),
            }
            for row in agreement
        ],
        hide_index=True,
        key="agreement_table",
    )

# -- allow-list --------------------------------------------------------------------------------

st.subheader("Organisation allow-list")
st.caption(
    "Ambiguity phrases your organisation accepts (e.g. a term defined in your contract "
    "template). They are muted in every analysis from now on; re-analyse a stored document "
    "on the review page to apply them to it."
)
phrases = svc.allow_list()
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


def _add_phrase() -> None:
    phrase = str(ss.get("allow_phrase") or "").strip()
    type_ = ss.get("allow_type")
    try:
        shared.service().allow_phrase(
            phrase,
            None if type_ in (None, "any") else str(type_),
            shared.reviewer_name(),
            str(ss.get("allow_reason") or "").strip() or None,
        )
    except AccessDenied as exc:
        shared.flash("error", exc.one_line())
        return
    except ValueError as exc:
        shared.flash("error", str(exc))
        return
    shared.flash("success", f"“{phrase}” added to the allow-list.")
    ss["allow_phrase"] = ""
    ss["allow_reason"] = ""


def _remove_phrase() -> None:
    phrase = ss.get("allow_remove")
    try:
        removed = bool(phrase) and shared.service().unallow_phrase(
            str(phrase),
            shared.reviewer_name(),
            str(ss.get("allow_remove_reason") or "").strip() or None,
        )
    except (AccessDenied, ValueError) as exc:
        shared.flash("error", exc.one_line() if isinstance(exc, AccessDenied) else str(exc))
        return
    if removed:
        shared.flash("success", f"“{phrase}” removed from the allow-list.")


if user.team and not user.is_admin:
    st.caption("Only an admin changes the allow-list.")
else:
    if not reviewer:
        st.warning("Enter your reviewer name in the sidebar to change the allow-list.")
    with st.container(border=True):
        st.text_input("Phrase to accept", key="allow_phrase", placeholder="e.g. reasonable")
        st.selectbox("Type", ["any", *TYPES_BY_CATEGORY["ambiguity"]], key="allow_type")
        st.text_input("Why it is fine", key="allow_reason")
        st.button(
            "Add to allow-list", key="btn_allow_add", on_click=_add_phrase, disabled=not reviewer
        )
    if phrases:
        col_sel, col_why, col_btn = st.columns([3, 3, 1], vertical_alignment="bottom")
        col_sel.selectbox("Phrase to remove", [p.phrase for p in phrases], key="allow_remove")
        col_why.text_input("Why it goes", key="allow_remove_reason")
        col_btn.button(
            "Remove", key="btn_allow_remove", on_click=_remove_phrase, disabled=not reviewer
        )

changes = svc.allow_list_changes()
if changes:
    with st.expander(f"Allow-list changes ({len(changes)})"):
        st.dataframe(
            [
                {
                    "when": f"{c.created_at:%Y-%m-%d %H:%M}",
                    "who": c.username,
                    "action": c.action,
                    "phrase": c.phrase,
                    "type": c.type or "any",
                    "why": c.reason or "",
                }
                for c in changes
            ],
            hide_index=True,
            key="allow_changes_table",
        )

# -- exports -----------------------------------------------------------------------------------

st.subheader("Annotations")
st.caption(
    "Reviewer decisions on the documents you may see, as JSONL "
    "(`scopelens train --with-annotations` reads any of them and uses the resolved decisions)."
)
EXPORTS = (
    ("All decisions (history, JSONL)", "history", "Every decision ever recorded."),
    ("Current decisions only (JSONL)", "current", "Each reviewer's latest decision."),
    (
        "Resolved decisions (JSONL)",
        "resolved",
        "One decision per finding: the adjudicated one, else the one reviewers agree on.",
    ),
)
for column, (label, view, explained) in zip(st.columns(3), EXPORTS, strict=True):
    column.download_button(
        label,
        data=svc.export_jsonl(current_only=view == "current", resolved=view == "resolved"),
        file_name=f"scopelens-annotations-{view}.jsonl",
        mime="application/jsonl",
        key=f"dl_{view}_annotations",
        on_click="ignore",
        help=explained,
    )
