"""The Streamlit review app: `main.py` (entry and navigation), `views/`, `shared.py`.

Only this package imports Streamlit; every page calls into `analyzer.review`.
"""

from importlib.resources import files
from pathlib import Path

APP_DIR = Path(str(files("analyzer.app")))
MAIN_SCRIPT = APP_DIR / "main.py"
"""The entry script `streamlit run` starts (inside the installed package)."""
