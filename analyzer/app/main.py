"""ScopeLens review app (Streamlit entry): navigation only; the pages live in `views/`.

Started by `scopelens review` (or `make review`) from wherever the package is installed;
`SCOPELENS_DB_URL` selects the database.
"""

import streamlit as st

from analyzer.app import shared

st.set_page_config(page_title="ScopeLens", page_icon=":mag:", layout="wide")

# Signed out (once users exist) the sign-in form is all there is: the gate stops the run.
user = shared.gate()
pages = [
    st.Page(shared.REVIEW_PAGE, title="Review", icon=":material/fact_check:", default=True),
    st.Page(shared.BATCH_PAGE, title="Batch", icon=":material/table_view:"),
    st.Page(shared.TEAM_PAGE, title="Projects & team", icon=":material/groups:"),
    st.Page(shared.MODEL_PAGE, title="Model & allow-list", icon=":material/tune:"),
]
page = st.navigation(pages)
if not user.team:
    # Drawn here, outside the pages, so the name survives page switches.
    shared.reviewer_box()
page.run()
