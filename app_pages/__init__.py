"""Pages of the ScopeLens review app (run by `st.navigation` in app.py) and their shared shell."""
