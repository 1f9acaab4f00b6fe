"""End-to-end: `scopelens handover examples/servicedesk-proposal.docx --out pack.docx|.md|.html`.

Each must-show item of the handover pack is checked in the DOCX (opened with python-docx) and in
the Markdown, under both detector configurations: the default one (rules plus the shipped
classifier, when present) and `--rules-only`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.table import _Row
from docx.text.paragraph import Paragraph as DocxParagraph
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.report.handover_layout import (
    SECTION_ASSUMPTIONS,
    SECTION_ESTIMATES,
    SECTION_EXCLUSIONS,
    SECTION_LEDGER,
    SECTION_MISSING,
    SECTION_QUESTIONS,
    SECTIONS,
)


def _style(paragraph: DocxParagraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def _repeats(row: _Row) -> bool:
    """True when the table row is marked as a header row repeated on every page."""
    tr_pr = row._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None


FIVE = (SECTION_LEDGER, SECTION_EXCLUSIONS, SECTION_ASSUMPTIONS, SECTION_QUESTIONS, SECTION_MISSING)
CONFIGS = {"default": [], "rules-only": ["--rules-only"]}


@dataclass
class Outputs:
    """The pack of the example written as DOCX and Markdown under one configuration."""

    config: str
    document: docx.document.Document
    markdown: str


@pytest.fixture(scope="module", params=list(CONFIGS))
def outputs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, examples_dir: Path
) -> Outputs:
    source = examples_dir / "servicedesk-proposal.docx"
    folder = tmp_path_factory.mktemp("pack")
    runner = CliRunner()
    for name in ("pack.docx", "pack.md"):
        result = runner.invoke(
            app, ["handover", str(source), "--out", str(folder / name), *CONFIGS[request.param]]
        )
        assert result.exit_code == 0, result.output
        assert "handover pack of 1 document(s)" in result.stderr
    return Outputs(
        config=request.param,
        document=docx.Document(str(folder / "pack.docx")),
        markdown=(folder / "pack.md").read_text(encoding="utf-8"),
    )


def _table(document: docx.document.Document, first_header: str) -> list[list[str]]:
    """Rows (header first) of the table whose second header cell starts with `first_header`."""
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        if len(header) > 1 and header[1].startswith(first_header):
            return [[c.text for c in row.cells] for row in table.rows]
    raise AssertionError(f"no table with a {first_header!r} column")


def _markdown_section(markdown: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


def test_handover_cli_docx_and_markdown_have_the_five_sections(outputs: Outputs) -> None:
    headings = [p.text for p in outputs.document.paragraphs if _style(p) == "Heading 1"]
    assert headings == list(SECTIONS)
    assert set(FIVE) <= set(headings)
    markdown_headings = re.findall(r"^## (.+)$", outputs.markdown, flags=re.MULTILINE)
    assert markdown_headings == list(SECTIONS)
    title = outputs.document.paragraphs[0]
    assert _style(title) == "Title"
    assert title.text == "Handover pack: Service Desk Automation — Proposal for Northwind Health"


def test_handover_cli_docx_tables_have_header_rows_and_page_numbers(outputs: Outputs) -> None:
    for table in outputs.document.tables:
        header = table.rows[0]
        assert _repeats(header)
        assert all(r.bold for c in header.cells for p in c.paragraphs for r in p.runs)
    footer = outputs.document.sections[0].footer._element
    assert "PAGE" in [f.get(qn("w:instr")) for f in footer.iter(qn("w:fldSimple"))]


def test_handover_cli_ledger_lists_deadline_and_unbounded_promises(outputs: Outputs) -> None:
    rows = _table(outputs.document, "Promise")
    assert rows[0] == [
        "#",
        "Promise",
        "Type",
        "By when",
        "Measure",
        "Price terms",
        "Where",
        "Flags",
    ]
    deadline = [r for r in rows[1:] if "within 6 weeks" in r[3].lower()]
    assert deadline and any("deadline" in r[2] for r in deadline)
    assert all(r[6].startswith("servicedesk-proposal.docx, section 3") for r in deadline)
    unbounded = [r for r in rows[1:] if "Unlimited revisions" in r[1]]
    assert len(unbounded) == 1 and "unbounded" in unbounded[0][7]
    ledger = _markdown_section(outputs.markdown, SECTION_LEDGER)
    assert "within 6 weeks of kick-off" in ledger
    assert re.search(r"Unlimited revisions of the portal branding\..*unbounded", ledger)


def test_handover_cli_client_dependency_under_assumptions(outputs: Outputs) -> None:
    rows = _table(outputs.document, "Assumption or client dependency")
    api = [r for r in rows[1:] if "will provide API access" in r[1]]
    assert len(api) == 1 and api[0][2] == "servicedesk-proposal.docx, section 4 Assumptions"
    ledger = [r[1] for r in _table(outputs.document, "Promise")[1:]]
    assert not [w for w in ledger if "will provide API access" in w]
    assert "will provide API access" in _markdown_section(outputs.markdown, SECTION_ASSUMPTIONS)


def test_handover_cli_vague_phrase_yields_a_question(outputs: Outputs) -> None:
    bullets = [p.text for p in outputs.document.paragraphs if _style(p) == "List Bullet"]
    asked = [b for b in bullets if "'as needed'" in b]
    assert len(asked) == 1 and asked[0].endswith("?")
    assert "Ongoing optimisation of the workflows as needed." in asked[0]
    section = _markdown_section(outputs.markdown, SECTION_QUESTIONS)
    assert "### Section 2 Scope of Services" in section
    assert re.search(r"^- Q\d+\. 'as needed' in .+\?$", section, flags=re.MULTILINE)


def test_handover_cli_exclusions_and_missing_safeguard_clause(outputs: Outputs) -> None:
    excluded = [r[1] for r in _table(outputs.document, "Excluded")[1:]]
    assert "Hardware procurement and network changes are not included." in excluded
    missing = _markdown_section(outputs.markdown, SECTION_MISSING)
    assert "| Change control | medium | servicedesk-proposal.docx |" in missing
    assert "**Change-request procedure.**" in missing


def test_handover_cli_estimate_appears(outputs: Outputs) -> None:
    rows = _table(outputs.document, "Estimate")
    assert any("120 person-days" in r[1] and r[2] == "120 person-days" for r in rows[1:])
    assert "120 person-days" in _markdown_section(outputs.markdown, SECTION_ESTIMATES)


def test_handover_cli_markdown_to_stdout_and_html(tmp_path: Path, examples_dir: Path) -> None:
    runner = CliRunner()
    source = str(examples_dir / "servicedesk-proposal.docx")
    result = runner.invoke(app, ["handover", source, "--rules-only"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Handover pack: ")
    out = tmp_path / "pack.html"
    result = runner.invoke(app, ["handover", source, "--rules-only", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<h2>Commitment ledger</h2>" in page


def test_handover_cli_merges_the_documents_of_a_deal(tmp_path: Path, examples_dir: Path) -> None:
    out = tmp_path / "deal.md"
    names = ["servicedesk-proposal.docx", "data-migration-sow.pdf", "acme-portal-proposal.md"]
    result = CliRunner().invoke(
        app, ["handover", *(str(examples_dir / n) for n in names), "--rules-only", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Handover pack: 3 documents")
    ledger = _markdown_section(text, SECTION_LEDGER)
    for name in names:  # every item says which document it comes from
        assert f"| {name}, " in ledger
    assert "data-migration-sow.pdf, p. 1, section 2. Scope" in ledger


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--out", "pack.pdf"], 2, "the pack is written as .docx, .md or .html"),
        (["--engine", "nope"], 2, "unknown --engine"),
    ],
)
def test_handover_cli_usage_errors(
    examples_dir: Path, args: list[str], code: int, message: str
) -> None:
    result = CliRunner().invoke(
        app, ["handover", str(examples_dir / "servicedesk-proposal.docx"), *args]
    )
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_handover_cli_no_readable_document(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["handover", str(tmp_path / "missing.docx")])
    assert result.exit_code == 1
    assert "file not found" in result.stderr and "no document could be analysed" in result.stderr
    assert "Traceback" not in result.output
