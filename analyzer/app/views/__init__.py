"""The pages of the review app, one module a page (run by `st.navigation`)."""
