"""ScopeLens review app (Streamlit entry). Navigation only; the pages live in app_pages/."""

import streamlit as st

st.set_page_config(page_title="ScopeLens", page_icon=":mag:", layout="wide")

pages = [
    st.Page("app_pages/review.py", title="Review", icon=":material/fact_check:", default=True),
]
st.navigation(pages).run()
