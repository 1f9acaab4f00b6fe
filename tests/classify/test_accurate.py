"""Accurate mode's decision: the encoder decides, the rules explain (analyzer.classify.accurate).

The decision is tested with encoder predictions written out by hand, so every branch is
pinned: a rule hit the encoder confirms keeps its explanation, one it does not confirm is
dropped unless the rule is trusted, the encoder's own labels and phrases become model findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from analyzer.classify.accurate import decide_sentence
from analyzer.classify.encoder import EncoderModel, EncoderPrediction, PhraseSpan
from analyzer.classify.features import SentenceExample
from analyzer.types import Finding

SENTENCE = "The vendor will migrate all data as needed."
OFFSET = 1000  # the sentence's start in its document


@dataclass
class StubEncoder:
    """What `decide_sentence` reads of an encoder."""

    name: str = "enc"
    version: str = "1"
    thresholds: dict[str, float] = field(
        default_factory=lambda: {
            "ambiguity": 0.5,
            "commitment": 0.5,
            "exclusion": 0.5,
            "assumption": 0.5,
            "estimate": 0.5,
        }
    )
    trusted_patterns: frozenset[str] = frozenset()


def _rule(category: str, type_: str, start: int, end: int, source: str) -> Finding:
    return Finding(
        id=f"{category}-{start}",
        category=category,
        type=type_,
        severity="medium",
        start=OFFSET + start,
        end=OFFSET + end,
        text=SENTENCE[start:end],
        sentence=SENTENCE,
        page=2,
        section="Scope",
        explanation="rule explanation",
        suggestion="rule suggestion",
        source=source,
        sentence_start=OFFSET,
    )


COMMITMENT = _rule("commitment", "deliverable", 0, len(SENTENCE), "rule:commitment.will")
AS_NEEDED = _rule("ambiguity", "escape_clause", 33, 42, "rule:escape.as_needed")


def _example(*findings: Finding) -> SentenceExample:
    return SentenceExample(
        start=OFFSET,
        end=OFFSET + len(SENTENCE),
        text=SENTENCE,
        section=("3 Scope",),
        kind="paragraph",
        page=2,
        findings=tuple(findings),
    )


def _prediction(phrases: tuple[PhraseSpan, ...] = (), **probabilities: float) -> EncoderPrediction:
    base = {"ambiguity": 0.0, "commitment": 0.0, "exclusion": 0.0, "assumption": 0.0}
    return EncoderPrediction(
        probabilities={**base, "estimate": 0.0, **probabilities},
        commitment_type="deadline",
        phrases=phrases,
    )


def _decide(example: SentenceExample, prediction: EncoderPrediction, **stub: Any) -> list[Finding]:
    encoder = cast("EncoderModel", StubEncoder(**stub))
    return decide_sentence("doc.txt", example, prediction, encoder)


def test_accurate_confirmed_rule_keeps_its_explanation_with_the_encoder_confidence() -> None:
    out = _decide(_example(COMMITMENT), _prediction(commitment=0.9))
    assert [(f.source, f.explanation, f.confidence) for f in out] == [
        ("rule:commitment.will", "rule explanation", 0.9)
    ]


def test_accurate_unconfirmed_rule_is_dropped_unless_trusted() -> None:
    assert _decide(_example(COMMITMENT), _prediction(commitment=0.2)) == []
    trusted = _decide(
        _example(COMMITMENT),
        _prediction(commitment=0.2),
        trusted_patterns=frozenset({"rule:commitment.will"}),
    )
    assert [f.source for f in trusted] == ["rule:commitment.will"]


def test_accurate_encoder_label_without_rule_becomes_a_model_finding() -> None:
    out = _decide(_example(), _prediction(commitment=0.8, exclusion=0.7))
    kinds = {(f.category, f.type, f.source) for f in out}
    assert kinds == {
        ("commitment", "deadline", "model:enc@1"),
        ("exclusion", "exclusion", "model:enc@1"),
    }
    commitment = next(f for f in out if f.category == "commitment")
    assert (commitment.start, commitment.end, commitment.page, commitment.section) == (
        OFFSET,
        OFFSET + len(SENTENCE),
        2,
        "3 Scope",
    )
    assert commitment.explanation and commitment.suggestion


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        # The encoder sees the rule's phrase: the rule explains it.
        ((PhraseSpan(33, 42, "escape_clause", 0.8),), [("rule:escape.as_needed", 33, 42)]),
        # The encoder sees nothing there: the rule's phrase goes.
        ((), []),
        # The encoder sees another phrase only: that one is kept, as a model phrase.
        ((PhraseSpan(24, 32, "unbounded", 0.7),), [("model:enc@1", 24, 32)]),
    ],
)
def test_accurate_phrases_follow_the_encoder_spans(
    spans: tuple[PhraseSpan, ...], expected: list[tuple[str, int, int]]
) -> None:
    out = _decide(_example(AS_NEEDED), _prediction(spans, ambiguity=0.9))
    got = [(f.source, f.start - OFFSET, f.end - OFFSET) for f in out if f.start is not None]
    assert got == expected
    for finding in out:
        assert finding.text == SENTENCE[finding.start - OFFSET : finding.end - OFFSET]


def test_accurate_model_phrase_has_the_tagged_type_and_its_texts() -> None:
    (finding,) = _decide(_example(), _prediction((PhraseSpan(24, 32, "unbounded", 0.66),)))
    assert (finding.category, finding.type, finding.text) == ("ambiguity", "unbounded", "all data")
    assert finding.confidence == 0.66
    assert "all data" not in finding.explanation  # shared text, not echoing document content
