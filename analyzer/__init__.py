"""ScopeLens: ambiguous scope, commitments and missing safeguards in IT proposals and contracts.

The public API is re-exported lazily so that `import analyzer` (and `scopelens --help`) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analyzer.version import __version__

__all__ = ["Analyzer", "__version__", "analyze_path", "analyze_text", "extract"]

if TYPE_CHECKING:
    from analyzer.analyze import Analyzer, analyze_path, analyze_text
    from analyzer.extract import extract


def __getattr__(name: str) -> Any:
    if name in ("Analyzer", "analyze_path", "analyze_text"):
        from analyzer import analyze

        return getattr(analyze, name)
    if name == "extract":
        from analyzer.extract import extract

        return extract
    raise AttributeError(name)
