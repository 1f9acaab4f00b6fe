"""Tests for analyzer.report.render: one entry point for every format."""

from __future__ import annotations

import pytest
from report_helpers import make_report

from analyzer.errors import UsageError
from analyzer.report import FORMATS, render, to_csv, to_html, to_json, to_markdown


@pytest.mark.parametrize(
    ("fmt", "writer"),
    [("json", to_json), ("csv", to_csv), ("md", to_markdown), ("html", to_html)],
)
def test_report_render_dispatches(fmt: str, writer: object) -> None:
    report = make_report()
    assert render(report, fmt) == writer(report)  # type: ignore[arg-type,operator]


def test_report_render_formats() -> None:
    assert FORMATS == ("json", "csv", "md", "html")


def test_report_render_rejects_unknown_format() -> None:
    with pytest.raises(UsageError, match="unknown report format 'pdf'"):
        render(make_report(), "pdf")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_render_is_deterministic(fmt: str) -> None:
    assert render(make_report(), fmt) == render(make_report(), fmt)  # type: ignore[arg-type]
