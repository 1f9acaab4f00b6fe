"""Projects & team page: review progress per project, disputes waiting for an admin, accounts.

Everything shown comes through the service, restricted to the projects the user may see.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from analyzer.app import shared

svc = shared.service()
user = svc.user

st.title("Projects & team")
shared.show_flash()

# -- progress per project ----------------------------------------------------------------------

progress = svc.progress()
if not progress:
    if user.team:
        st.info(
            "No project is visible to you yet. An admin creates projects and grants them: "
            "`scopelens projects add NAME`, `scopelens projects grant NAME USER`."
        )
    else:
        st.info(
            "No projects yet. Projects group documents (a deal, a matter): "
            "`scopelens projects add NAME`, then `scopelens import PATH --project NAME`."
        )
else:
    st.subheader("Review progress")
    st.dataframe(
        [
            {
                "project": p.project,
                "documents": p.documents,
                "findings": p.findings,
                "reviewed": p.reviewed,
                "disputed": p.disputed,
                "by reviewer": ", ".join(f"{name}: {n}" for name, n in p.by_reviewer.items()),
            }
            for p in progress
        ],
        hide_index=True,
        key="progress_table",
        column_config={
            "reviewed": st.column_config.NumberColumn(
                help="Findings with a decision that counts: agreed, or adjudicated"
            ),
            "disputed": st.column_config.NumberColumn(
                help="Findings whose reviewers disagree, waiting for an admin"
            ),
        },
    )

# -- disputes ----------------------------------------------------------------------------------

disputes = svc.disputes()
st.subheader(f"Disputed findings ({len(disputes)})")
if not disputes:
    st.caption("No finding is in dispute.")
else:
    st.caption(
        "Reviewers disagree on these findings. "
        + ("Open one to adjudicate." if user.is_admin else "An admin adjudicates them.")
    )
    st.dataframe(
        [
            {
                "document": item.decisions[0].document_name,
                "passage": (item.decisions[0].text or "")[:80],
                "verdicts": "; ".join(f"{a.reviewer}: {a.decision}" for a in item.decisions),
                "open": "/?"
                + urlencode(
                    {"doc": item.decisions[0].document_sha256, "finding": item.key[1] or ""}
                ),
            }
            for item in disputes
        ],
        hide_index=True,
        key="disputes_table",
        column_config={"open": st.column_config.LinkColumn("open", display_text="open")},
    )

# -- accounts (admins) -------------------------------------------------------------------------

if user.team and user.is_admin:
    st.subheader("Accounts")
    st.caption(
        "Managed on the command line: `scopelens users add|list|disable|passwd`, "
        "`scopelens projects add|grant|list`."
    )
    st.dataframe(
        [
            {
                "user": u.username,
                "role": u.role,
                "active": u.active,
                "projects": ", ".join(u.projects),
            }
            for u in svc.users()
        ],
        hide_index=True,
        key="users_table",
    )
