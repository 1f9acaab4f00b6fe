"""Tests for analyzer.report.csv: rows, columns and the formula-injection guard."""

from __future__ import annotations

import csv
import io

import pytest
from report_helpers import error_report, make_document_report, make_report, span_finding

from analyzer.report.csv import COLUMNS, csv_safe, to_csv


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_report_csv_header_and_rows() -> None:
    ok = make_document_report()
    empty = make_document_report(text="Nothing to see.", findings=[], path="empty.txt")
    report = make_report(ok, error_report(), empty)
    text = to_csv(report)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = _rows(text)
    assert len(rows) == len(ok.findings) + 2
    assert {r["path"] for r in rows[: len(ok.findings)]} == {ok.path}
    failed = rows[len(ok.findings)]
    assert failed["status"] == "error"
    assert failed["error"] == "The file is damaged <b>or</b> not a PDF"
    assert failed["id"] == "" and failed["category"] == ""
    assert rows[-1]["path"] == "empty.txt" and rows[-1]["status"] == "ok"
    assert rows[-1]["id"] == ""


def test_report_csv_finding_cells() -> None:
    rows = _rows(to_csv(make_report()))
    missing = next(r for r in rows if r["category"] == "missing")
    assert missing["start"] == missing["end"] == missing["page"] == missing["text"] == ""
    assert missing["source"] == "check:missing_acceptance"
    span = next(r for r in rows if r["type"] == "unbounded")
    assert span["text"] == "all necessary"
    assert int(span["end"]) - int(span["start"]) == len("all necessary")
    assert span["confidence"] == "1.0"
    assert span["page"] == "2"


@pytest.mark.parametrize(
    "payload",
    [
        '=HYPERLINK("http://x","y")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "＝1+1",
    ],
)
def test_report_csv_guards_formula_injection(payload: str) -> None:
    text = f"Intro. {payload} end."
    finding = span_finding(text, f"{payload} end.", "ambiguity", "vague_term", path=payload)
    document = make_document_report(text=text, findings=[finding], path=payload)
    row = _rows(to_csv(make_report(document)))[0]
    assert row["path"] == "'" + payload
    assert row["text"] == "'" + payload + " end."
    assert row["section"] == "3 Scope <i>of</i> work"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (3, "3"),
        (0.75, "0.75"),
        (True, "true"),
        ("plain text", "plain text"),
        ("a = b", "a = b"),
        ("-", "'-"),
    ],
)
def test_report_csv_safe(value: object, expected: str) -> None:
    assert csv_safe(value) == expected


def test_report_csv_keeps_multiline_cells_in_one_row() -> None:
    text = 'Line one\nline two, with "quotes".'
    finding = span_finding(text, text, "commitment", "deliverable", path="a.txt")
    document = make_document_report(text=text, findings=[finding], path="a.txt")
    rows = _rows(to_csv(make_report(document)))
    assert len(rows) == 1
    assert rows[0]["sentence"] == text
