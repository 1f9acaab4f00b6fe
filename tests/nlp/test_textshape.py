"""Text shapes (`analyzer.textshape`): list items, table rows, headings, sentence bounds."""

from __future__ import annotations

import pytest

from analyzer import textshape as ts
from analyzer.textshape import line_sentences, sentence_starts


@pytest.mark.parametrize(
    ("text", "extract", "markdown", "rules", "evaluation"),
    [
        ("- hosting", True, True, True, True),
        ("• hosting", True, False, True, True),
        ("(a) hosting", True, False, True, True),
        ("iv) hosting", True, False, True, True),
        ("14. hosting", True, True, True, True),
        ("| 1 | Spec |", False, False, True, False),
        ("Step 2 deploy", False, False, True, False),
        ("Hosting and backups", False, False, False, False),
        ("-5 degrees", False, False, False, False),
    ],
)
def test_textshape_list_item_variants(
    text: str, extract: bool, markdown: bool, rules: bool, evaluation: bool
) -> None:
    assert ts.is_list_item(text) is extract
    assert ts.is_markdown_list_item(text) is markdown
    assert ts.opens_list_item(text) is rules
    assert ts.is_enumerated(text) is evaluation


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("- **Deliverables:**", "**Deliverables:**"),
        ("| 2. Step 3: build the portal", "build the portal"),
        ("## Development Roadmap", "Development Roadmap"),
        ("Plain text", "Plain text"),
    ],
)
def test_textshape_strip_marker(text: str, stripped: str) -> None:
    assert ts.strip_marker(text) == stripped


def test_textshape_strip_list_mark_takes_one_marker() -> None:
    assert ts.strip_list_mark("(a) - item") == "- item"


@pytest.mark.parametrize(
    ("text", "row", "header"),
    [
        ("| LABOR CATEGORY | GSA HOURLY RATE |", True, True),
        ("| B | UX | 10,000 |", True, False),
        ("Name | Role | Team", False, True),
        ("No bars here", False, False),
    ],
)
def test_textshape_table_rows(text: str, row: bool, header: bool) -> None:
    assert ts.is_table_row(text) is row
    assert ts.is_table_header(text) is header


def test_textshape_table_separator() -> None:
    assert ts.is_table_separator("|---|:--:|")
    assert not ts.is_table_separator("| a | b |")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("5.3 Term and Termination", 2),
        ("ARTICLE 5", 1),
        ("Section 3.", 1),
        ("TERM AND FEES", 1),
        ("1. DEFINITIONS.", 1),
        ("1.1 The Supplier shall provide the Services.", None),
        ("The vendor will deliver.", None),
    ],
)
def test_textshape_heading_level(text: str, level: int | None) -> None:
    assert ts.heading_level(text) == level


@pytest.mark.parametrize(
    ("line", "expected"),
    [("## Scope ##", (2, "Scope")), ("# C#", (1, "C#")), ("#hashtag", None), ("    # code", None)],
)
def test_textshape_atx_heading(line: str, expected: tuple[int, str] | None) -> None:
    assert ts.atx_heading(line) == expected


def test_textshape_setext_and_markdown_headings() -> None:
    assert ts.setext_level("===") == 1
    assert ts.setext_level("---") == 2
    assert ts.setext_level("text") is None
    assert ts.is_markdown_heading("## Development Roadmap")
    assert not ts.is_markdown_heading("# of users: 500")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("**Assumptions/Pre-Requirements**", True),
        ("Exclusions:", True),
        ("5.7 EXCLUSIONS.", True),
        ("5.0 Program Assumptions and Constraints", True),
        ("No travel.", False),
        ("The vendor will deliver the monthly report.", False),
    ],
)
def test_textshape_labels(text: str, label: bool) -> None:
    assert ts.is_label(text) is label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("### 7.1. **Out of Scope:**", "out of scope"),
        ("Section 7. 7.1 Exclusions", "exclusions"),
        ("Appendix B - Assumptions", "assumptions"),
    ],
)
def test_textshape_normalise_heading(text: str, expected: str) -> None:
    assert ts.normalise_heading(text) == expected


def test_textshape_toc_lines_and_label_titles() -> None:
    assert ts.is_toc_line("Assumptions ....... 12")
    assert ts.is_toc_line("- [Assumptions](#assumptions)")
    assert not ts.is_toc_line("Assumptions")
    assert ts.label_title("- **Assumptions:**") == "Assumptions"


def _split(text: str) -> list[str]:
    starts = sentence_starts(text)
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5.3 Term and Termination applies.", ["5.3 Term and Termination applies."]),
        ("1. Introduction of the vendor.", ["1. Introduction of the vendor."]),
        ("Use tools, e.g. Jira and Git. Next one.", ["Use tools, e.g. Jira and Git.", "Next one."]),
        ("Acme Inc. Delivers it.", ["Acme Inc. Delivers it."]),
        ("Made in the U.S. By us.", ["Made in the U.S. By us."]),
        ("See No. 5 and Sec. 4 here.", ["See No. 5 and Sec. 4 here."]),
        ("It takes approx. 20 days. Done.", ["It takes approx. 20 days.", "Done."]),
        ("Uptime 99.9% on v2.0 is owed. Next.", ["Uptime 99.9% on v2.0 is owed.", "Next."]),
        ("Reports, logs, etc. and more. Next.", ["Reports, logs, etc. and more.", "Next."]),
        ("We deliver A; The client pays B.", ["We deliver A;", "The client pays B."]),
        ("We deliver A; and B.", ["We deliver A; and B."]),
        ("Is it done? Yes! It is.", ["Is it done?", "Yes!", "It is."]),
        (
            "Services include:\n- hosting\n- backups",
            ["Services include:", "- hosting", "- backups"],
        ),
        ("Items:\n(a) one\n(b) two", ["Items:", "(a) one", "(b) two"]),
        ("Steps:\n1. plan\n2. build", ["Steps:", "1. plan", "2. build"]),
        (
            "| 1 | Spec | 2 weeks |\n| 2 | Code | 4 weeks |",
            ["| 1 | Spec | 2 weeks |", "| 2 | Code | 4 weeks |"],
        ),
        ("• first\n• second", ["• first", "• second"]),
        ("A line that wraps\nwithin one sentence.", ["A line that wraps\nwithin one sentence."]),
        ("Para one.\n\nPara two", ["Para one.", "Para two"]),
    ],
)
def test_textshape_sentence_starts(text: str, expected: list[str]) -> None:
    assert _split(text) == expected


def test_textshape_line_sentences_are_exact_offsets() -> None:
    text = "  First one. Second one!\n\nthird line\n(Fourth) here."
    spans = line_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "First one.",
        "Second one!",
        "third line",
        "(Fourth) here.",
    ]


def test_textshape_sentence_ends() -> None:
    assert ts.ends_sentence('It is done."')
    assert not ts.ends_sentence("It is")
    text = "One. Two; three"
    assert ts.last_sentence_end(text, 0, len(text)) == len("One. Two; ")
    assert ts.last_sentence_end("no end", 0, 6) == -1
