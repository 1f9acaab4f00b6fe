"""Evaluation that runs the product: findings aligned with gold sentences by offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.analyze import Analyzer
from analyzer.classify.corpus import AmbiguitySpan, LabelledSentence
from analyzer.classify.product_eval import ProductScores, evaluate_product, score_document
from analyzer.types import Finding

TEXT = (
    "Scope. The vendor will migrate all data as needed. "
    "The client will provide access. Travel is not included."
)


def _record(text: str, **labels: object) -> LabelledSentence:
    start = TEXT.index(text)
    values: dict[str, object] = {
        "ambiguity": (),
        "commitment": False,
        "commitment_type": None,
        "exclusion": False,
        "assumption": False,
        "estimate": False,
        **labels,
    }
    return LabelledSentence(
        id=f"doc@{start}",
        doc_id="doc",
        source="doc.txt",
        licence="test",
        genre="proposal",
        section=None,
        text=text,
        start=start,
        end=start + len(text),
        **values,  # type: ignore[arg-type]
    )


def _finding(category: str, text: str, type_: str = "x") -> Finding:
    start = TEXT.index(text)
    return Finding(
        id=f"{category}{start}",
        category=category,
        type=type_,
        severity="medium",
        start=start,
        end=start + len(text),
        text=text,
        sentence=None,
        page=None,
        section=None,
        explanation="",
        suggestion="",
        source="rule:x",
    )


MIGRATE = "The vendor will migrate all data as needed."
RECORDS = [
    _record(
        MIGRATE,
        commitment=True,
        commitment_type="deliverable",
        ambiguity=(AmbiguitySpan("as needed", "escape_clause", 33, 42),),
    ),
    _record("The client will provide access.", assumption=True),
    _record("Travel is not included.", exclusion=True),
]


def test_product_eval_scores_findings_by_overlap_with_gold_sentences() -> None:
    findings = [
        _finding("commitment", MIGRATE),
        _finding("ambiguity", "as needed"),  # right phrase
        _finding("ambiguity", "all data"),  # a phrase the gold does not mark
        _finding("commitment", "The client will provide access."),  # wrong label
        _finding("exclusion", "Travel is not included."),
    ]
    scores = ProductScores()
    score_document(scores, "doc", RECORDS, findings, TEXT)
    assert scores.sentences == 3 and scores.misaligned == 0
    commitment = scores.labels["commitment"]
    assert (commitment.tp, commitment.fp, commitment.fn) == (1, 1, 0)
    assumption = scores.labels["assumption"]
    assert (assumption.tp, assumption.fp, assumption.fn) == (0, 0, 1)
    assert scores.labels["exclusion"].f1 == 1.0
    assert scores.labels["ambiguity"].tp == 1
    assert (scores.phrase_precision, scores.phrase_recall) == (0.5, 1.0)


def test_product_eval_counts_records_whose_text_moved_as_misaligned() -> None:
    scores = ProductScores()
    score_document(scores, "doc", [_record(MIGRATE)], [], "x" * len(TEXT))
    assert scores.sentences == 0 and scores.misaligned == 1


def test_product_eval_runs_the_analyzer_on_the_source(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    scores = evaluate_product(RECORDS, tmp_path, Analyzer(mode="rules").analyze_path)
    assert scores.documents == 1 and scores.sentences == 3
    assert scores.labels["commitment"].tp == 1  # the rules see "The vendor will migrate"
    assert scores.findings_per_page > 0


def test_product_eval_reports_a_missing_source_as_failed(tmp_path: Path) -> None:
    scores = evaluate_product(RECORDS, tmp_path, Analyzer(mode="rules").analyze_path)
    assert scores.documents == 0 and scores.misaligned == 3
    assert scores.failed and "doc.txt" in scores.failed[0]


@pytest.mark.parametrize("label", ["commitment", "exclusion"])
def test_product_eval_intervals_bracket_the_score(label: str) -> None:
    scores = ProductScores()
    findings = [_finding("commitment", MIGRATE), _finding("exclusion", "Travel is not included.")]
    for doc in ("a", "b", "c"):
        score_document(scores, doc, RECORDS, findings, TEXT)
    low, high = scores.interval(label)
    assert low <= scores.labels[label].f1 <= high
