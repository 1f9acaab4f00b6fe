"""Sentence segmentation on contract-style text."""

from __future__ import annotations

import pytest
from spacy.language import Language

from analyzer.nlp.segment import sentence_starts


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
def test_segment_sentence_starts(text: str, expected: list[str]) -> None:
    assert _split(text) == expected


def test_segment_component_sets_doc_sents(nlp: Language) -> None:
    doc = nlp("5.3 Term. The Contractor shall deliver e.g. reports. We will host it.")
    assert [s.text.strip() for s in doc.sents] == [
        "5.3 Term.",
        "The Contractor shall deliver e.g. reports.",
        "We will host it.",
    ]


@pytest.mark.parametrize("text", ["", "   ", "word"])
def test_segment_degenerate_texts(text: str, nlp: Language) -> None:
    doc = nlp(text)
    assert sum(1 for _ in doc.sents) <= 1 or not text.strip()
