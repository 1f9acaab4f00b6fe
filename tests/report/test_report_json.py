"""Tests for analyzer.report.json: the DESIGN.md schema, JSON Lines and reading back."""

from __future__ import annotations

import json

from design_contract import DOCUMENT_KEYS, FINDING_KEYS
from hypothesis import given, settings
from hypothesis import strategies as st
from report_helpers import error_report, make_document_report, make_report, span_finding

from analyzer.report import from_json, iter_jsonl, to_json, to_jsonl
from analyzer.report.json import dumps_indented

# Optional fields the contract was extended with (DESIGN.md allows additions only).
FINDING_EXTRA = {"sentence_start"}
DOCUMENT_EXTRA = {"safeguards"}


def test_report_json_keys_follow_design() -> None:
    data = json.loads(to_json(make_report(make_document_report(), error_report())))
    assert set(data) == {"tool", "documents"}
    assert set(data["tool"]) == {"name", "version", "model", "mode"}
    assert data["tool"]["name"] == "scopelens"
    for document in data["documents"]:
        assert set(document) == DOCUMENT_KEYS | DOCUMENT_EXTRA
        for finding in document["findings"]:
            assert set(finding) == FINDING_KEYS | FINDING_EXTRA
            assert 0.0 <= finding["confidence"] <= 1.0
    assert data["documents"][0]["findings"], "the evil document has findings"


def test_report_json_missing_findings_have_null_offsets() -> None:
    data = json.loads(to_json(make_report()))
    missing = [f for f in data["documents"][0]["findings"] if f["category"] == "missing"]
    assert missing
    for finding in missing:
        assert [finding[k] for k in ("start", "end", "text", "sentence", "page")] == [None] * 5
        assert finding["source"].startswith("check:")


def test_report_json_error_document() -> None:
    data = json.loads(to_json(make_report(error_report())))
    document = data["documents"][0]
    assert document["status"] == "error"
    assert document["error"] == "The file is damaged <b>or</b> not a PDF"
    assert document["findings"] == []


def test_report_json_is_indented_and_keeps_unicode() -> None:
    text = "Café scope: “all necessary” support."
    finding = span_finding(text, "“all necessary”", "ambiguity", "unbounded", path="café.txt")
    report = make_report(make_document_report(text=text, findings=[finding], path="café.txt"))
    output = to_json(report)
    assert '"path": "café.txt"' in output
    assert '"text": "“all necessary”"' in output
    assert "\\u" not in output
    assert '\n  "documents": [' in output
    assert json.loads(output) == report.to_dict()


def test_report_json_round_trips_without_document_text() -> None:
    report = make_report(make_document_report(), error_report())
    again = from_json(to_json(report))
    assert again.to_dict() == report.to_dict()
    assert all(d.document is None for d in again.documents)


def test_report_jsonl_one_document_per_line() -> None:
    report = make_report(make_document_report(), error_report())
    lines = list(iter_jsonl(report))
    assert len(lines) == 2
    assert all("\n" not in line for line in lines)
    assert [json.loads(line) for line in lines] == report.to_dict()["documents"]
    assert to_jsonl(report) == lines[0] + "\n" + lines[1] + "\n"


# What reports hold: any text (control characters, line separators, astral planes), integers,
# confidences rounded to 4 decimals, booleans, None, nested lists and objects.
_REPORT_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(0, 1).map(lambda p: round(p, 4))
    | st.text(alphabet=st.characters(exclude_categories=["Cs"])),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(value=_REPORT_VALUES)
def test_report_json_indented_text_is_what_json_dumps_writes(value: object) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_report_json_indented_text_falls_back_for_what_orjson_refuses() -> None:
    for value in ({"path": "caf\udce9.pdf"}, {"n": 2**70}, {1: "a"}):
        assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_report_json_of_a_real_report_is_the_standard_librarys_text() -> None:
    report = make_report(make_document_report(), error_report())
    assert to_json(report) == json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
