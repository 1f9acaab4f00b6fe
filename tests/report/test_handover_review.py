"""The handover pack on real text: what the ledger leaves out, Markdown as written, and
`scopelens handover --reviewed` honouring the reviewers' decisions (issue #16, item 10).

Each document is written in the test, analysed with the rules and built into a pack, as
`scopelens handover --rules-only` does.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from analyzer.analyze import Analyzer
from analyzer.cli import app
from analyzer.report.handover import (
    HandoverPack,
    NotPromises,
    build_pack,
    decisions_for,
    load_not_promises,
)
from analyzer.report.handover_layout import SECTION_LEDGER
from analyzer.report.handover_render import escape_pack_markdown, render_pack
from analyzer.review import ReviewService, make_decision
from analyzer.store import Store
from analyzer.types import DocumentReport

PROMISE = "The Vendor shall deliver the reporting module by 1 June 2026."
SECOND = "We will deliver the R&D report within 6 weeks of kick-off."
HEADING = "### Milestone 1: deliver the portal within 6 weeks"
IMAGE = "![Gantt chart](img/gantt-2026.png)"
IMG_TAG = '<img src="timeline.png" alt="drawing" width="350"/>'
BARE_LINK = "[https://example.com/roadmap](https://example.com/roadmap)"
BELIEF = "We believe many enterprises will favor a hosted portal within 2 years."
FORECAST = "We expect that the market will move to SaaS by 2027."
HEDGED = "While our objectives are ambitious, we believe that we will be able to deliver by May."
RELATIVE = "The Vendor shall deliver the archive, which we believe is the best option, by May 2026."

PROPOSAL = f"""# Portal proposal

## Scope

{HEADING}

{IMAGE}

{IMG_TAG}

{BARE_LINK}

{BELIEF}

{FORECAST}

{HEDGED}

{PROMISE}

{RELATIVE}

{SECOND}
"""

TITLE = "Migration of `legacy-crm` -> Salesforce & HubSpot"
SYMBOLS = f"""# {TITLE}

## Scope

The Vendor shall migrate the `crm-export` job -> the R&D staging area by 1 June 2026.

The Vendor shall deliver the Q&A portal & the `portal-api` service within 6 weeks.
"""


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(mode="rules")


def _analyse(analyzer: Analyzer, folder: Path, name: str, text: str) -> DocumentReport:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    report = analyzer.analyze_path(path)
    assert report.status == "ok", report.error
    return report


def _ledger_section(markdown: str) -> str:
    match = re.search(rf"^## {SECTION_LEDGER}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match is not None
    return match.group(1)


@pytest.fixture(scope="module")
def proposal_pack(analyzer: Analyzer, tmp_path_factory: pytest.TempPathFactory) -> HandoverPack:
    folder = tmp_path_factory.mktemp("proposal")
    return build_pack([_analyse(analyzer, folder, "portal.md", PROPOSAL)])


# ---------------------------------------------------------------------------------------------
# 1. The ledger lists promises only
# ---------------------------------------------------------------------------------------------


def test_handover_review_ledger_keeps_genuine_promises(proposal_pack: HandoverPack) -> None:
    promises = [entry.what for entry in proposal_pack.ledger]
    assert PROMISE in promises
    assert SECOND in promises
    assert RELATIVE in promises  # "which we believe" after the promise leaves it a promise


@pytest.mark.parametrize(
    ("statement", "rule"),
    [
        (HEADING, "block.heading"),
        (IMAGE, "markup.image"),
        (IMG_TAG, "markup.html"),
        (BARE_LINK, "markup.link"),
        (BELIEF, "opinion.belief"),
        (FORECAST, "opinion.forecast"),
        (HEDGED, "opinion.belief"),
    ],
)
def test_handover_review_ledger_sets_aside_non_promises(
    proposal_pack: HandoverPack, statement: str, rule: str
) -> None:
    assert statement not in [entry.what for entry in proposal_pack.ledger]
    aside = {s.text: s.rule for s in proposal_pack.set_aside}
    assert aside.get(statement) == rule, aside


def _promises(markdown: str) -> list[str]:
    """The Promise column of the ledger table in a Markdown pack."""
    rows = [line for line in _ledger_section(markdown).splitlines() if line.startswith("| ")]
    return [re.split(r"(?<!\\)\|", row)[2].strip() for row in rows[1:]]


def test_handover_review_markdown_ledger_has_no_heading_image_or_opinion(
    proposal_pack: HandoverPack,
) -> None:
    promises = _promises(str(render_pack(proposal_pack, "md")))
    assert PROMISE in promises
    assert SECOND in promises
    for needle in ("Milestone 1", "Gantt chart", "timeline.png", "roadmap", "believe many"):
        assert not [p for p in promises if needle in p]


@pytest.mark.parametrize(
    ("sentence", "kind", "expected"),
    [
        ("#### Milestone 2 - Backend API", "md", "markup.heading"),
        ("# | Product Backlog | Beginning of each sprint", "pdf", None),  # a "#" column
        ("- ![](https://i.imgur.com/x.png)", "md", "markup.image"),
        ("* [Design files](https://example.com/files.zip).", "md", "markup.link"),
        ("See https://example.com/spec", "md", None),
        ("In our view, the market will consolidate by 2027.", "docx", "opinion.belief"),
        ("However, we think users will adopt it within 2 years.", "pdf", "opinion.belief"),
        ("We will deliver the portal by 1 June 2026.", "md", None),
        ("The Vendor shall, as we believe is usual, deliver by May.", "md", None),
    ],
)
def test_handover_review_not_promises_rules(sentence: str, kind: str, expected: str | None) -> None:
    rule = load_not_promises().match(sentence, doc_kind=kind)
    assert (rule.id if rule else None) == expected


def test_handover_review_not_promises_file_is_validated(tmp_path: Path) -> None:
    bad = tmp_path / "not_promises.jsonl"
    bad.write_text('{"id": "x", "kind": "markup", "pattern": "(", "why": "y"}\n', "utf-8")
    with pytest.raises(ValueError, match=r"not_promises\.jsonl:1: bad pattern"):
        load_not_promises(bad)
    bad.write_text('{"id": "x", "kind": "guess", "pattern": "a", "why": "y"}\n', "utf-8")
    with pytest.raises(ValueError, match="'kind' must be one of"):
        load_not_promises(bad)


def test_handover_review_not_promises_are_data(
    analyzer: Analyzer, tmp_path: Path, proposal_pack: HandoverPack
) -> None:
    report = _analyse(analyzer, tmp_path, "portal.md", PROPOSAL)
    pack = build_pack([report], not_promises=NotPromises(()))
    assert BELIEF in [entry.what for entry in pack.ledger]
    assert len(pack.ledger) == len(proposal_pack.ledger) + len(proposal_pack.set_aside)


# ---------------------------------------------------------------------------------------------
# 2. Markdown shows the characters as written, and stays inert
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def symbols_markdown(analyzer: Analyzer, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("symbols")
    pack = build_pack([_analyse(analyzer, folder, "crm.md", SYMBOLS)])
    markdown = render_pack(pack, "md")
    assert isinstance(markdown, str)
    return markdown


def test_handover_review_markdown_shows_characters_as_written(symbols_markdown: str) -> None:
    assert symbols_markdown.startswith(f"# Handover pack: {TITLE}\n")
    ledger = _ledger_section(symbols_markdown)
    assert "the `crm-export` job -> the R&D staging area by 1 June 2026." in ledger
    assert "the Q&A portal & the `portal-api` service" in ledger
    for entity in ("&amp;", "&gt;", "&lt;", "&#"):
        assert entity not in symbols_markdown
    assert "\\`" not in symbols_markdown.splitlines()[0]
    assert "\\&" not in symbols_markdown and "-\\>" not in symbols_markdown


def test_handover_review_markdown_renders_code_spans_and_symbols(symbols_markdown: str) -> None:
    rendered = MarkdownIt("commonmark").enable("table").render(symbols_markdown)
    assert "<h1>Handover pack: Migration of <code>legacy-crm</code> -&gt; Salesforce &amp; " in (
        rendered
    )
    assert "<code>portal-api</code>" in rendered


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _commonmark() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True})


HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "![y](javascript:alert(2))",
    "<http://evil.example>",
    "&lt;b&gt;",
    "a\\`<img src=x onerror=alert(3)>`",
    "` <b>unpaired",
    "`<img src=x onerror=alert(4)>`",
    "```<iframe src=x>```",
)


@pytest.mark.parametrize("alone", [True, False])
@pytest.mark.parametrize("payload", HOSTILE)
def test_handover_review_markdown_escape_stays_inert(payload: str, alone: bool) -> None:
    # In a paragraph after a label, as in a table row: no element or link can form.
    text = f"**{escape_pack_markdown('Why: `', alone=False)}** {escape_pack_markdown(payload)}"
    row = f"| {escape_pack_markdown(payload, cell=True, alone=alone)} | x |"
    source = f"{text}\n\n- {escape_pack_markdown(payload)}\n\n| a | b |\n|---|---|\n{row}\n"
    # Rendered with tables (GFM) and without (plain CommonMark reads a row as one paragraph).
    for renderer in (MarkdownIt("commonmark", {"html": True}).enable("table"), _commonmark()):
        page = _Elements()
        page.feed(renderer.render(source))
        tags = {tag for tag, _ in page.tags}
        assert tags.isdisjoint({"script", "img", "iframe", "a", "b"}), (payload, tags)
        assert not [k for _, attrs in page.tags for k in attrs if k.startswith("on")]


def test_handover_review_hostile_document_pack_is_inert(analyzer: Analyzer, tmp_path: Path) -> None:
    text = (
        "# Offer <img src=x onerror=alert(1)> & `x`\n\n## Scope\n\n"
        "The Vendor shall deliver <script>alert(1)</script> -> [x](javascript:alert(1)) "
        "within 6 weeks.\n"
    )
    markdown = str(render_pack(build_pack([_analyse(analyzer, tmp_path, "evil.md", text)]), "md"))
    page = _Elements()
    page.feed(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))
    assert {tag for tag, _ in page.tags}.isdisjoint({"script", "img", "a", "iframe"})
    visible = "".join(page.text)
    assert "<script>alert(1)</script> -> [x](javascript:alert(1))" in visible
    assert "<img src=x onerror=alert(1)> & " in visible


# ---------------------------------------------------------------------------------------------
# 3. --reviewed honours the store's decisions
# ---------------------------------------------------------------------------------------------


def _store_dismissal(url: str, analyzer: Analyzer, data: bytes, name: str, sentence: str) -> None:
    with Store.open(url) as store:
        opened = ReviewService(store, analyzer).open_bytes(data, name)
        assert opened.ok
        finding = next(
            f
            for f in opened.report.findings
            if f.category == "commitment" and (f.sentence or "").strip() == sentence
        )
        store.add_annotation(
            make_decision(
                opened, finding, "dismiss", "j.doe", tool=analyzer.tool, reason="not a promise"
            )
        )


def _handover(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["handover", "--rules-only", *args])
    return result.exit_code, result.stdout, result.stderr


def test_handover_review_cli_reviewed_leaves_out_dismissed_finding(
    analyzer: Analyzer, tmp_path: Path
) -> None:
    path = tmp_path / "deals" / "portal.md"
    path.parent.mkdir()
    path.write_text(PROPOSAL, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'review.db'}"
    # Stored under the name it was uploaded with: the finding ids differ from the CLI's.
    _store_dismissal(url, analyzer, path.read_bytes(), "portal.md", SECOND)

    code, plain, _ = _handover([str(path)])
    assert code == 0
    assert "R&D report within 6 weeks" in _ledger_section(plain)

    out = tmp_path / "pack.md"
    code, _, err = _handover([str(path), "--reviewed", "--db", url, "--out", str(out)])
    assert code == 0, err
    ledger = _ledger_section(out.read_text(encoding="utf-8"))
    assert "R&D report within 6 weeks" not in ledger
    assert "reporting module by 1 June 2026" in ledger
    assert "decisions applied to 1 of 1 document(s)" in err


def test_handover_review_cli_reviewed_document_not_in_store(
    analyzer: Analyzer, tmp_path: Path
) -> None:
    path = tmp_path / "portal.md"
    path.write_text(PROPOSAL, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    code, out, err = _handover([str(path), "--reviewed", "--db", url])
    assert code == 0, err
    assert "R&D report within 6 weeks" in _ledger_section(out)
    assert "applied to 0 of 1 document(s): none of them is in the store" in err


def test_handover_review_cli_reviewed_store_error_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "portal.md"
    path.write_text(PROPOSAL, encoding="utf-8")
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = CliRunner().invoke(
        app, ["handover", "--rules-only", str(path), "--reviewed", "--db", url]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_handover_review_cli_db_needs_reviewed(tmp_path: Path) -> None:
    path = tmp_path / "portal.md"
    path.write_text(PROPOSAL, encoding="utf-8")
    code, _, err = _handover([str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert code == 2
    assert "--db goes with --reviewed" in err


def test_handover_review_decisions_follow_the_findings(analyzer: Analyzer, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    data = PROPOSAL.encode("utf-8")
    _store_dismissal(url, analyzer, data, "uploaded.md", PROMISE)
    report = _analyse(analyzer, tmp_path, "elsewhere.md", PROPOSAL)
    with Store.open(url) as store:
        assert report.sha256 is not None
        stored = store.resolved_decisions(report.sha256)
    target = next(f for f in report.findings if f.sentence == PROMISE)
    assert [d.finding_id for d in stored] != [target.id]
    assert [d.finding_id for d in decisions_for(report, stored)] == [target.id]
