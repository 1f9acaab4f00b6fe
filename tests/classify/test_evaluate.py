"""Rules-only evaluation on a small in-test corpus with known counts."""

from __future__ import annotations

from typing import Any

import pytest

from analyzer.classify.corpus import parse_record
from analyzer.classify.evaluate import (
    Counts,
    block_kind_of,
    document_interval,
    evaluate_rules,
    f1_interval,
    format_table,
    predict_record,
    record_document,
)


def _record(i: int, text: str, **labels: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"t#{i}", "doc_id": "t", "source": "x", "licence": "CC0", "genre": "proposal",
        "section": labels.pop("section", None), "text": text, "ambiguity": [],
        "commitment": False, "commitment_type": None, "exclusion": False,
        "assumption": False, "estimate": False,
    }  # fmt: skip
    base.update(labels)
    return base


RECORDS = [
    parse_record(r)
    for r in [
        _record(
            1,
            "We will deliver the portal within 6 weeks.",
            commitment=True,
            commitment_type="deadline",
        ),
        _record(2, "Client will provide API access.", assumption=True),
        _record(3, "Hosting is not included.", exclusion=True),
        _record(
            4,
            "We will migrate documents, images, etc.",
            commitment=True,
            commitment_type="guarantee",  # wrong type on purpose
            ambiguity=[{"phrase": "etc.", "type": "open_ended"}],
        ),
        _record(
            5, "The history of the company is long.", commitment=True, commitment_type="deliverable"
        ),
        _record(6, "Total cost: 30,000 USD", estimate=True),
    ]
]


def test_evaluate_counts_on_small_corpus() -> None:
    result = evaluate_rules(RECORDS)
    assert result.n == 6
    c = result.labels["commitment"]
    assert (c.tp, c.fp, c.fn) == (2, 0, 1)
    assert result.type_total == 2 and result.type_correct == 1
    for name in ("exclusion", "assumption", "estimate"):
        counts = result.labels[name]
        assert (counts.tp, counts.fp, counts.fn) == (1, 0, 0), name
    p = result.phrases
    assert (p.predicted, p.gold, p.predicted_overlapping, p.exact) == (1, 1, 1, 1)
    assert p.type_agreement == 1.0
    assert set(result.by_genre) == {"proposal"}


def test_evaluate_record_document_has_heading_then_sentence() -> None:
    record = parse_record(_record(1, "We will host it.", section="3 Scope"))
    doc, block = record_document(record)
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph"]
    assert doc.text[block.start : block.end] == "We will host it."


def test_evaluate_ignores_findings_in_heading_block() -> None:
    record = parse_record(_record(1, "Nothing to see here.", section="Fee: TBD"))
    assert predict_record(record).phrases == []


@pytest.mark.parametrize(
    ("gold", "predicted", "expected"),
    [
        ((True, True), None, (1, 0, 0)),
        ((False, True), None, (0, 1, 0)),
        ((True, False), None, (0, 0, 1)),
    ],
)
def test_evaluate_counts_add(
    gold: tuple[bool, bool], predicted: None, expected: tuple[int, int, int]
) -> None:
    c = Counts()
    c.add(*gold)
    assert (c.tp, c.fp, c.fn) == expected


def test_evaluate_format_table_lists_every_label() -> None:
    table = format_table(evaluate_rules(RECORDS))
    for name in (
        "ambiguity",
        "commitment",
        "exclusion",
        "assumption",
        "estimate",
        "Genre: proposal",
    ):
        assert name in table


@pytest.mark.parametrize(
    ("text", "section", "kind"),
    [
        ("3 Scope", "3 Scope", "heading"),
        ("| 1 | Spec | 2 weeks |", None, "table_row"),
        ("- Terraform scripts for AWS", "Milestone 4", "list_item"),
        ("(a) Appoint a contact.", None, "list_item"),
        ("14. a monthly report.", None, "list_item"),
        ("5.3 Security applies.", None, "paragraph"),
        ("We will host it.", "3 Scope", "paragraph"),
    ],
)
def test_evaluate_block_kind_from_markers(text: str, section: str | None, kind: str) -> None:
    assert block_kind_of(text, section) == kind


def test_evaluate_interval_resamples_documents_not_sentences() -> None:
    # Two documents of ten sentences: one all right, one all wrong. Drawn by sentence, F1 would
    # barely move; drawn by document, a resample can hold either document twice.
    documents = ["a"] * 10 + ["b"] * 10
    gold = [True] * 20
    predicted = [True] * 10 + [False] * 10
    low, high = f1_interval(documents, gold, predicted)
    assert low == pytest.approx(0.0)
    assert high == pytest.approx(1.0)
    assert f1_interval(documents, gold, gold) == (1.0, 1.0)


def test_evaluate_interval_narrows_with_more_documents() -> None:
    def width(n_documents: int) -> float:
        documents = [f"d{i}" for i in range(n_documents) for _ in range(2)]
        hits = [1, 0] * n_documents  # every document: one phrase right, one wrong
        hits[0] = 0  # and one document worse than the rest
        low, high = document_interval(documents, hits, [1] * len(hits))
        assert low <= 0.5 <= high
        return high - low

    assert width(40) < width(10)
    assert document_interval([], [], []) == (0.0, 0.0)


def test_evaluate_format_table_gives_document_intervals() -> None:
    table = format_table(evaluate_rules(RECORDS))
    assert "95% intervals (1 documents resampled 2,000 times)" in table
    assert "phrase precision" in table


def test_evaluate_interval_leaves_out_resamples_without_items() -> None:
    # Nine documents without the label, one with a perfect score: a resample that misses it
    # has no F1 at all and must not count as F1 0.
    documents = [f"d{i}" for i in range(10)]
    gold = [False] * 9 + [True]
    assert f1_interval(documents, gold, gold) == (1.0, 1.0)
    assert f1_interval(documents, [False] * 10, [False] * 10) == (0.0, 0.0)
