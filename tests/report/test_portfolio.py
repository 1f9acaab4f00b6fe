"""Tests for analyzer.report.portfolio: the batch view (ranking, phrases, rules, gaps, CSV)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from report_helpers import error_report, missing_finding, span_finding
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.report import to_html
from analyzer.report.html import document_anchor
from analyzer.report.portfolio import PORTFOLIO_COLUMNS, build_portfolio, to_portfolio_csv
from analyzer.types import DocumentReport, Finding, Report, ToolInfo

TEXT = "We will act As  Needed and provide full support, as needed, in a timely manner."


def _doc(path: str, score: int, findings: list[Finding]) -> DocumentReport:
    return DocumentReport(
        path=path,
        sha256="0" * 64,
        kind="txt",
        pages=None,
        status="ok",
        error=None,
        text_chars=len(TEXT),
        findings=findings,
        summary={"risk_score": score, "risk_drivers": [f"driver of {path}"]},
    )


def _phrase(needle: str, type_: str, path: str) -> Finding:
    return span_finding(TEXT, needle, "ambiguity", type_, path=path)


def _batch() -> Report:
    low = _doc("team-a/low.txt", 12, [_phrase("as needed", "escape_clause", "team-a/low.txt")])
    high = _doc(
        "team-b/high.txt",
        80,
        [
            _phrase("as needed", "escape_clause", "team-b/high.txt"),
            _phrase("full support", "unbounded", "team-b/high.txt"),
            _phrase("in a timely manner", "vague_term", "team-b/high.txt"),
            missing_finding("missing_exclusions", "high", path="team-b/high.txt"),
            missing_finding("missing_acceptance", "high", path="team-b/high.txt"),
        ],
    )
    middle = _doc(
        "team-b/middle.txt",
        45,
        [
            _phrase("As  Needed", "escape_clause", "team-b/middle.txt"),
            missing_finding("missing_exclusions", "high", path="team-b/middle.txt"),
        ],
    )
    return Report(tool=ToolInfo(), documents=[low, error_report("=broken.pdf"), high, middle])


def test_portfolio_ranks_documents_by_risk_with_failures_last() -> None:
    portfolio = build_portfolio(_batch())
    assert [(r.rank, r.path, r.risk_score) for r in portfolio.rows] == [
        (1, "team-b/high.txt", 80),
        (2, "team-b/middle.txt", 45),
        (3, "team-a/low.txt", 12),
        (4, "=broken.pdf", None),
    ]
    assert portfolio.rows[0].missing == ("missing_exclusions", "missing_acceptance")
    assert portfolio.rows[0].top_driver == "driver of team-b/high.txt"
    assert dict(portfolio.rows[0].by_category)["ambiguity"] == 3
    assert portfolio.documents_ok == 3


def test_portfolio_ties_are_ordered_by_path() -> None:
    report = Report(tool=ToolInfo(), documents=[_doc("b.txt", 50, []), _doc("a.txt", 50, [])])
    assert [r.path for r in build_portfolio(report).rows] == ["a.txt", "b.txt"]


def test_portfolio_phrases_and_rules_that_fire_most() -> None:
    portfolio = build_portfolio(_batch())
    top = portfolio.phrases[0]
    assert (top.key, top.type, top.findings) == ("as needed", "escape_clause", 3)
    assert set(top.documents) == {"team-a/low.txt", "team-b/high.txt", "team-b/middle.txt"}
    rule = portfolio.rules[0]
    assert (rule.key, rule.category, rule.findings, len(rule.documents)) == (
        "rule:ambiguity.escape_clause",
        "ambiguity",
        3,
        3,
    )
    assert not [r for r in portfolio.rules if r.key.startswith("check:")]


def test_portfolio_gaps_show_which_documents_and_folders_lack_safeguards() -> None:
    portfolio = build_portfolio(_batch())
    gaps = {g.check_id: g.missing_in for g in portfolio.gaps}
    assert gaps["missing_exclusions"] == ("team-b/high.txt", "team-b/middle.txt")
    assert gaps["missing_acceptance"] == ("team-b/high.txt",)
    assert gaps["missing_change_control"] == ()
    folders = {f.folder: f for f in portfolio.folders}
    assert folders["team-b"].missing_share["missing_exclusions"] == 1.0
    assert folders["team-a"].missing_share["missing_exclusions"] == 0.0
    assert folders["team-b"].mean_risk == 62
    assert [f.folder for f in portfolio.folders] == ["team-b", "team-a"]  # riskiest first


def test_portfolio_csv_one_row_per_document_in_rank_order() -> None:
    rows = list(csv.reader(io.StringIO(to_portfolio_csv(build_portfolio(_batch())))))
    assert tuple(rows[0]) == PORTFOLIO_COLUMNS
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [r["path"] for r in table] == [
        "team-b/high.txt",
        "team-b/middle.txt",
        "team-a/low.txt",
        "'=broken.pdf",  # formula injection neutralised
    ]
    assert table[0]["risk_score"] == "80" and table[0]["missing_exclusions"] == "yes"
    assert table[2]["missing_exclusions"] == "no"
    assert table[3]["status"] == "error" and table[3]["missing_exclusions"] == ""


def test_portfolio_section_opens_a_batch_html_report_only() -> None:
    page = to_html(_batch())
    assert '<section class="portfolio"><h2>Portfolio</h2>' in page
    assert page.index("Portfolio") < page.index('<section class="document"')
    # Each portfolio row links to its document's section (issue #16, item 11).
    anchor = document_anchor("team-b/high.txt")
    assert f'href="#{anchor}"' in page and f'<section class="document" id="{anchor}">' in page
    # More than FOLD_AFTER documents: each folds under a one-line summary.
    assert page.count('<details class="document-fold"><summary>') == len(_batch().documents) > 3
    assert re.search(r"<summary>\d\. team-b/high\.txt — risk 80, \d+ findings?</summary>", page)
    ranked = [page.index(p) for p in ("team-b/high.txt", "team-b/middle.txt", "team-a/low.txt")]
    assert ranked == sorted(ranked)
    assert "'=broken.pdf" not in page and "=broken.pdf" in page
    single = to_html(Report(tool=ToolInfo(), documents=[_batch().documents[0]]))
    assert 'class="portfolio"' not in single


def test_portfolio_cli_scan_writes_html_and_portfolio_csv(
    tmp_path: Path, examples_dir: Path
) -> None:
    out, table = tmp_path / "report.html", tmp_path / "portfolio.csv"
    result = CliRunner().invoke(
        app,
        [
            "scan",
            str(examples_dir),
            "--format",
            "html",
            "--out",
            str(out),
            "--portfolio",
            str(table),
            "--rules-only",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert len(rows) == 3
    scores = [int(r["risk_score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert rows[0]["path"].endswith("acme-portal-proposal.md")  # no safeguards at all
    page = out.read_text(encoding="utf-8")
    assert "<h2>Portfolio</h2>" in page and "Which documents lack which safeguards" in page
