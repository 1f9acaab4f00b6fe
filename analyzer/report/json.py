"""JSON and JSON Lines writers following DESIGN.md's report schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from analyzer.types import DocumentReport, Report, ToolInfo


def to_json(report: Report) -> str:
    """The whole report as one JSON document (DESIGN.md schema, indent 2, UTF-8 kept).

    Args:
        report: The scan result.

    Returns:
        The JSON text, without a trailing newline.
    """
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def iter_jsonl(report: Report) -> Iterator[str]:
    """One compact JSON line per document (the `documents[]` objects of the schema).

    Args:
        report: The scan result.

    Yields:
        One line per document, without the newline.
    """
    for document in report.documents:
        yield json.dumps(document.to_dict(), ensure_ascii=False)


def to_jsonl(report: Report) -> str:
    """All `iter_jsonl` lines joined, each ending with a newline."""
    return "".join(line + "\n" for line in iter_jsonl(report))


def report_from_dict(data: dict[str, Any]) -> Report:
    """Rebuild a `Report` from `Report.to_dict()` output (the documents' text is not kept).

    Args:
        data: A parsed JSON report.

    Returns:
        The report; every `DocumentReport.document` is None.
    """
    tool = data.get("tool") or {}
    return Report(
        tool=ToolInfo(
            name=tool.get("name", "scopelens"),
            version=tool.get("version", "0.1.0"),
            model=tool.get("model"),
        ),
        documents=[DocumentReport.from_dict(d) for d in data.get("documents", [])],
    )


def from_json(text: str) -> Report:
    """Parse the output of `to_json` back into a `Report` (see `report_from_dict`)."""
    return report_from_dict(json.loads(text))
