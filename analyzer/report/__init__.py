"""Report writers: JSON (DESIGN.md schema), CSV, Markdown and self-contained HTML.

`render(report, fmt)` is the one entry point the CLI and batch code need; the writers are also
importable one by one (`to_json`, `iter_jsonl`, `to_csv`, `to_markdown`, `to_html`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

from analyzer.errors import UsageError
from analyzer.report.csv import to_csv
from analyzer.report.html import to_html
from analyzer.report.json import from_json, iter_jsonl, report_from_dict, to_json, to_jsonl
from analyzer.report.markdown import escape_markdown, to_markdown
from analyzer.types import Report

Format = Literal["json", "csv", "md", "html"]
FORMATS: tuple[str, ...] = get_args(Format)

_WRITERS: dict[str, Callable[[Report], str]] = {
    "json": to_json,
    "csv": to_csv,
    "md": to_markdown,
    "html": to_html,
}


def render(report: Report, fmt: Format) -> str:
    """Render `report` in one of the DESIGN.md output formats.

    Args:
        report: The scan result.
        fmt: "json", "csv", "md" or "html".

    Returns:
        The report text.

    Raises:
        UsageError: When `fmt` is not one of the formats.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise UsageError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writer(report)


__all__ = [
    "FORMATS",
    "Format",
    "escape_markdown",
    "from_json",
    "iter_jsonl",
    "render",
    "report_from_dict",
    "to_csv",
    "to_html",
    "to_json",
    "to_jsonl",
    "to_markdown",
]
