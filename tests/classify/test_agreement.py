"""Inter-annotator agreement figures."""

from __future__ import annotations

import pytest

from analyzer.classify.agreement import cohen_kappa, label_agreement, phrase_agreement
from analyzer.classify.corpus import parse_record


def _record(rid: str, text: str, commitment: bool, phrases: list[tuple[str, str]]) -> object:
    return parse_record(
        {
            "id": rid,
            "doc_id": "d",
            "source": "x.md",
            "licence": "CC0",
            "genre": "proposal",
            "text": text,
            "ambiguity": [{"phrase": p, "type": t} for p, t in phrases],
            "commitment": commitment,
            "commitment_type": "deliverable" if commitment else None,
        }
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([True, False, True, False], [True, False, True, False], 1.0),
        ([True, True, False, False], [False, False, True, True], -1.0),
        # observed 0.75, expected 0.5 -> kappa 0.5
        ([True, True, False, False], [True, False, False, False], 0.5),
        ([False, False], [False, False], 1.0),
    ],
)
def test_agreement_cohen_kappa_known_values(a: list[bool], b: list[bool], expected: float) -> None:
    assert cohen_kappa(a, b) == pytest.approx(expected)


def test_agreement_label_and_phrase_figures() -> None:
    first = [
        _record("1", "We will provide support as needed.", True, [("as needed", "escape_clause")]),
        _record("2", "Background text.", False, []),
    ]
    second = [
        _record(
            "1", "We will provide support as needed.", True, [("support as needed", "vague_term")]
        ),
        _record("2", "Background text.", True, []),
    ]
    rows = {row.label: row for row in label_agreement(first, second)}
    assert rows["commitment"].both == 1
    assert rows["commitment"].positives_b == 2
    assert rows["commitment"].f1 == pytest.approx(2 / 3)
    assert rows["ambiguity"].kappa == pytest.approx(1.0)
    overlap, typed = phrase_agreement(first, second)
    assert overlap == pytest.approx(1.0)
    assert typed == pytest.approx(0.0)
