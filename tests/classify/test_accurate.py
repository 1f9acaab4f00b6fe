"""Accurate mode's decision: the encoder decides, the rules explain (analyzer.classify.accurate).

The decision is tested with encoder predictions written out by hand, so every branch is
pinned: a rule hit the encoder confirms keeps its explanation, one it does not confirm is
dropped unless the rule is trusted, the encoder's own labels and phrases become model findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from analyzer.classify.accurate import (
    BLEND_WEIGHTS,
    LABELS,
    Decision,
    blend_decision,
    combine_accurate,
    decide_sentence,
    tune,
)
from analyzer.classify.encoder import (
    EncoderModel,
    EncoderPrediction,
    PhraseSpan,
    TokenTag,
    decode_phrases,
)
from analyzer.classify.features import SentenceExample
from analyzer.types import Finding

SENTENCE = "The vendor will migrate all data as needed."
OFFSET = 1000  # the sentence's start in its document


@dataclass
class StubEncoder:
    """What `decide_sentence` reads of an encoder."""

    name: str = "enc"
    version: str = "1"
    label: str = "enc@1"
    thresholds: dict[str, float] = field(
        default_factory=lambda: {
            "ambiguity": 0.5,
            "commitment": 0.5,
            "exclusion": 0.5,
            "assumption": 0.5,
            "estimate": 0.5,
        }
    )
    veto_thresholds: dict[str, float] = field(
        default_factory=lambda: {
            "ambiguity": 0.5,
            "commitment": 0.3,
            "exclusion": 0.3,
            "assumption": 0.3,
            "estimate": 0.3,
        }
    )
    phrase_threshold: float = 0.5
    phrase_veto: float = 0.3
    trusted_patterns: frozenset[str] = frozenset()
    meta: dict[str, Any] = field(default_factory=dict)


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


def _prediction(
    phrases: tuple[PhraseSpan, ...] = (),
    tokens: tuple[TokenTag, ...] = (),
    **probabilities: float,
) -> EncoderPrediction:
    base = {"ambiguity": 0.0, "commitment": 0.0, "exclusion": 0.0, "assumption": 0.0}
    return EncoderPrediction(
        probabilities={**base, "estimate": 0.0, **probabilities},
        commitment_type="deadline",
        phrases=phrases,
        tokens=tokens,
    )


def _decide(example: SentenceExample, prediction: EncoderPrediction, **stub: Any) -> list[Finding]:
    encoder = cast("EncoderModel", StubEncoder(**stub))
    return decide_sentence("doc.txt", example, prediction, encoder)


def test_accurate_confirmed_rule_keeps_its_explanation_with_the_encoder_confidence() -> None:
    out = _decide(_example(COMMITMENT), _prediction(commitment=0.9))
    assert [(f.source, f.explanation, f.confidence) for f in out] == [
        ("rule:commitment.will", "rule explanation", 0.9)
    ]


def test_accurate_rule_hit_needs_only_the_veto_bar() -> None:
    # Below the threshold (0.5) but above the veto (0.3): the rule's hit stands.
    out = _decide(_example(COMMITMENT), _prediction(commitment=0.4))
    assert [f.source for f in out] == ["rule:commitment.will"]
    # Without a rule the same probability is not enough.
    assert _decide(_example(), _prediction(commitment=0.4)) == []


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


AS_NEEDED_TOKENS = (TokenTag(33, 35, 0.8, "escape_clause", True), TokenTag(36, 42, 0.7, "x", False))
WEAK_TOKENS = (TokenTag(33, 35, 0.1, "escape_clause", True), TokenTag(36, 42, 0.1, "x", False))


@pytest.mark.parametrize(
    ("spans", "tokens", "expected"),
    [
        # The encoder supports the rule's phrase: the rule explains it.
        (
            (PhraseSpan(33, 42, "escape_clause", 0.75),),
            AS_NEEDED_TOKENS,
            [("rule:escape.as_needed", 33, 42)],
        ),
        # The encoder gives the rule's tokens no support: the rule's phrase goes.
        ((), WEAK_TOKENS, []),
        # The encoder sees another phrase only: that one is kept, as a model phrase.
        ((PhraseSpan(24, 32, "unbounded", 0.7),), WEAK_TOKENS, [("model:enc@1", 24, 32)]),
    ],
)
def test_accurate_phrases_follow_the_encoder_support(
    spans: tuple[PhraseSpan, ...],
    tokens: tuple[TokenTag, ...],
    expected: list[tuple[str, int, int]],
) -> None:
    out = _decide(_example(AS_NEEDED), _prediction(spans, tokens, ambiguity=0.9))
    got = [(f.source, f.start - OFFSET, f.end - OFFSET) for f in out if f.start is not None]
    assert got == expected
    for finding in out:
        assert finding.text == SENTENCE[finding.start - OFFSET : finding.end - OFFSET]


def test_accurate_phrases_decode_from_token_support() -> None:
    tokens = (
        TokenTag(0, 4, 0.2, "vague_term", True),
        TokenTag(5, 9, 0.9, "unbounded", True),
        TokenTag(10, 14, 0.6, "unbounded", False),
        TokenTag(15, 19, 0.9, "vague_term", True),
    )
    assert [(s.start, s.end, s.type) for s in decode_phrases(tokens, 0.5)] == [
        (5, 14, "unbounded"),
        (15, 19, "vague_term"),
    ]
    assert [(s.start, s.end) for s in decode_phrases(tokens, 0.1)] == [(0, 4), (5, 14), (15, 19)]


def test_accurate_model_phrase_has_the_tagged_type_and_its_texts() -> None:
    (finding,) = _decide(_example(), _prediction((PhraseSpan(24, 32, "unbounded", 0.66),)))
    assert (finding.category, finding.type, finding.text) == ("ambiguity", "unbounded", "all data")
    assert finding.confidence == 0.66
    assert "all data" not in finding.explanation  # shared text, not echoing document content


@dataclass
class FixedEncoder(StubEncoder):
    """A stub that predicts what it is given (for `tune`)."""

    predictions: list[EncoderPrediction] = field(default_factory=list)

    def predict(self, texts: list[str], sections: list[str | None]) -> list[EncoderPrediction]:
        assert len(texts) == len(sections) == len(self.predictions)
        return self.predictions


def test_accurate_tune_lowers_the_bar_where_rules_are_right() -> None:
    # Commitments the rules find have middling probabilities; the encoder alone is sure of
    # a false one. The best decision trusts rule hits from a low veto, and the threshold
    # stays above the false positive.
    rows = [(COMMITMENT, 0.35, True)] * 4 + [(None, 0.8, False), (None, 0.1, False)]
    examples = [_example(*([f] if f else [])) for f, _, _ in rows]
    predictions = [_prediction(commitment=p) for _, p, _ in rows]
    gold = [
        {
            "commitment": g,
            "exclusion": False,
            "assumption": False,
            "estimate": False,
            "ambiguity": False,
        }
        for _, _, g in rows
    ]
    encoder = cast("EncoderModel", FixedEncoder(predictions=predictions))
    tuned = tune(encoder, examples, gold, [[] for _ in rows])
    assert tuned["veto_thresholds"]["commitment"] <= 0.35 < 0.8 < tuned["thresholds"]["commitment"]
    assert tuned["dev_f1"]["commitment"] == 1.0


def _blend(**overrides: Any) -> Decision:
    values: dict[str, Any] = {
        "weights": dict.fromkeys(LABELS, 0.5),
        "thresholds": dict.fromkeys(LABELS, 0.5),
        "vetoes": dict.fromkeys(LABELS, 0.3),
        "phrase_threshold": 0.5,
        "phrase_veto": 0.3,
        "gate": (0.5, 0.3),
    }
    return Decision(**{**values, **overrides})


@dataclass
class FixedLinear:
    """What `combine_accurate` reads of the linear model: fixed probabilities per label."""

    probabilities: dict[str, float]

    def transform(self, examples: list[SentenceExample]) -> list[SentenceExample]:
        return examples

    def predict_proba(self, rows: list[SentenceExample]) -> dict[str, Any]:
        import numpy as np

        return {label: np.full(len(rows), p) for label, p in self.probabilities.items()}


def _combine(prediction: EncoderPrediction, linear: dict[str, float], decision: Decision) -> Any:
    encoder = FixedEncoder(predictions=[prediction])
    model = FixedLinear({"ambiguity": 0.0, **linear})
    return combine_accurate(
        "doc.txt", [_example()], cast("EncoderModel", encoder), cast("Any", model), decision
    )


def test_accurate_blend_weighs_the_linear_model_in() -> None:
    # The encoder alone (0.4) misses the commitment; the linear model (0.8) is sure: the blend
    # of the two (0.6) clears the threshold (0.5).
    linear = {"commitment": 0.8, "exclusion": 0.0, "assumption": 0.0, "estimate": 0.0}
    found = _combine(_prediction(commitment=0.4), linear, _blend())
    assert [(f.category, f.confidence) for f in found] == [("commitment", 0.6)]
    # With the encoder's whole say the same sentence has no finding.
    encoder_only = _blend(weights={**_blend().weights, "commitment": 1.0})
    assert _combine(_prediction(commitment=0.4), linear, encoder_only) == []


def test_accurate_ambiguity_gate_drops_the_phrases_of_a_clear_sentence() -> None:
    support = AS_NEEDED_TOKENS  # the encoder's tokens support the rule's phrase
    prediction = _prediction((), support, ambiguity=0.1)
    encoder = cast("EncoderModel", StubEncoder())
    # Without a gate the phrase stands on its token support.
    kept = decide_sentence("doc.txt", _example(AS_NEEDED), prediction, encoder)
    assert [f.source for f in kept] == ["rule:escape.as_needed"]
    # The gate: a sentence-level ambiguity probability of 0.1 is below its veto (0.3).
    gated = decide_sentence("doc.txt", _example(AS_NEEDED), prediction, encoder, _blend())
    assert gated == []
    # A trusted rule passes any gate.
    trusting = cast("EncoderModel", StubEncoder(trusted_patterns=frozenset({AS_NEEDED.source})))
    assert decide_sentence("doc.txt", _example(AS_NEEDED), prediction, trusting, _blend())


def test_accurate_ambiguity_gate_falls_back_to_the_rule_phrases() -> None:
    # The sentence is ambiguous (0.9) but no token supports the rule's phrase: the gate's
    # verdict stands and the rule says where.
    prediction = _prediction((), WEAK_TOKENS, ambiguity=0.9)
    encoder = cast("EncoderModel", StubEncoder())
    assert decide_sentence("doc.txt", _example(AS_NEEDED), prediction, encoder) == []
    found = decide_sentence("doc.txt", _example(AS_NEEDED), prediction, encoder, _blend())
    assert [(f.source, f.text) for f in found] == [("rule:escape.as_needed", "as needed")]


def test_accurate_blend_is_used_only_with_the_linear_model_it_was_tuned_with() -> None:
    tuned = _blend()
    meta = {
        "blend": {
            "linear": "clf",
            "linear_sha256": "abc",
            "weights": tuned.weights,
            "thresholds": tuned.thresholds,
            "veto_thresholds": tuned.vetoes,
            "phrase_threshold": 0.4,
            "phrase_veto": 0.2,
            "gate": [0.5, 0.3],
        }
    }
    encoder = cast("EncoderModel", StubEncoder(meta=meta))
    decision = blend_decision(encoder, "abc")
    assert decision is not None and decision.blends
    assert (decision.phrase_threshold, decision.gate) == (0.4, (0.5, 0.3))
    assert blend_decision(encoder, "another model") is None
    assert blend_decision(encoder, None) is None
    assert blend_decision(cast("EncoderModel", StubEncoder()), "abc") is None


def test_accurate_tune_blends_where_the_linear_model_knows_better() -> None:
    # Assumptions the encoder misses (0.2) but the linear model finds (0.9), and clear sentences
    # on which both agree, in documents of both halves.
    rows = [(True, 0.2, 0.9)] * 6 + [(False, 0.2, 0.1)] * 6
    examples = [_example() for _ in rows]
    predictions = [_prediction(assumption=p) for _, p, _ in rows]
    gold = [
        {"commitment": False, "exclusion": False, "assumption": g, "estimate": False}
        | {"ambiguity": False}
        for g, _, _ in rows
    ]
    import numpy as np

    linear = {label: np.zeros(len(rows)) for label in gold[0]}
    linear["assumption"] = np.array([q for _, _, q in rows])
    encoder = cast("EncoderModel", FixedEncoder(predictions=predictions))
    documents = [f"doc{i % 4}" for i in range(len(rows))]
    tuned = tune(encoder, examples, gold, [[] for _ in rows], linear, documents)
    blend = tuned["blend"]
    assert blend["weights"]["assumption"] < 1.0
    assert set(blend["weights"].values()) <= set(BLEND_WEIGHTS)
    assert blend["dev_f1"]["assumption"] == 1.0 > tuned["dev_f1"]["assumption"]
    assert len(blend["gate"]) == 2
