"""Rules + model: one decision per sentence and label, and the findings that follow from it.

For each sentence and label the classifier gives a calibrated probability `p`. The label holds
when `p >= threshold`, or when a rule fired and `p >= veto_threshold` (a lower bar: the model
only vetoes rule hits it is fairly sure about), or when a *trusted* rule fired (a pattern whose
precision on the corpus is so high that the model may not veto it). Thresholds are tuned per
label by cross-validation. Then:
- a rule finding on a sentence where the label holds is kept (its `source` stays `rule:<id>`,
  its confidence becomes `p`); one where the label does not hold is dropped;
- where the label holds and no rule fired, a model finding is added (`source` `model:<name>`,
  type from the type classifier). A model-only ambiguity finding covers the whole sentence,
  since the model does not locate the phrase.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from analyzer.classify.corpus import SENTENCE_LABELS
from analyzer.classify.features import SentenceExample
from analyzer.types import Finding, finding_id

if TYPE_CHECKING:
    from scipy.sparse import spmatrix


class SentenceModel(Protocol):
    """What the combination needs of a classifier (`CompiledModel`, or a `ScopeClassifier`)."""

    name: str
    thresholds: dict[str, float]
    veto_thresholds: dict[str, float]
    trusted_patterns: frozenset[str]

    def transform(self, examples: Sequence[SentenceExample]) -> spmatrix: ...

    def predict_proba(self, matrix: spmatrix) -> dict[str, np.ndarray]: ...

    def predict_types(self, matrix: spmatrix, family: str) -> list[str | None]: ...


_TEXTS_FILE = Path(__file__).with_name("model_texts.json")
_DEFAULT_TYPE = {
    "commitment": "deliverable",
    "ambiguity": "vague_term",
    "exclusion": "exclusion",
    "assumption": "assumption",
    "estimate": "estimate",
}


@cache
def model_texts() -> dict[str, dict[str, str]]:
    """Severity, explanation and suggestion of model-only findings, by "category/type"."""
    return json.loads(_TEXTS_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class SentencePrediction:
    """The model's view of one sentence."""

    probabilities: dict[str, float]
    commitment_type: str | None
    ambiguity_type: str | None


def model_finding(
    path: str,
    example: SentenceExample,
    category: str,
    type_: str,
    start: int,
    end: int,
    confidence: float,
    model: str,
) -> Finding:
    """A finding a model makes without a rule; `start`/`end` are relative to the sentence.

    Its severity, explanation and suggestion come from `model_texts.json` by category/type.
    """
    texts = model_texts()[f"{category}/{type_}"]
    begin, finish = example.start + start, example.start + end
    return Finding(
        id=finding_id(path, category, type_, begin, finish),
        category=category,
        type=type_,
        severity=texts["severity"],
        start=begin,
        end=finish,
        text=example.text[start:end],
        sentence=example.text,
        page=example.page,
        section=example.heading,
        explanation=texts["explanation"],
        suggestion=texts["suggestion"],
        source=f"model:{model}",
        confidence=round(confidence, 4),
        sentence_start=example.start,
    )


def decide(
    probability: float, rule_fired: bool, threshold: float, veto: float, trusted: bool = False
) -> bool:
    """Combined decision for one label of one sentence."""
    return trusted or probability >= threshold or (rule_fired and probability >= veto)


def predict_sentences(
    classifier: SentenceModel, examples: Sequence[SentenceExample]
) -> list[SentencePrediction]:
    """Run the classifier over a document's sentences (one vectorisation for all of them)."""
    if not examples:
        return []
    matrix = classifier.transform(examples)
    probabilities = classifier.predict_proba(matrix)
    commitment_types = classifier.predict_types(matrix, "commitment")
    ambiguity_types = classifier.predict_types(matrix, "ambiguity")
    # tolist() gives the Python floats float() would, in one call.
    rows = np.column_stack([probabilities[label] for label in SENTENCE_LABELS]).tolist()
    return [
        SentencePrediction(
            probabilities=dict(zip(SENTENCE_LABELS, row, strict=True)),
            commitment_type=commitment,
            ambiguity_type=ambiguity,
        )
        for row, commitment, ambiguity in zip(rows, commitment_types, ambiguity_types, strict=True)
    ]


def combine_sentence(
    path: str,
    example: SentenceExample,
    prediction: SentencePrediction,
    classifier: SentenceModel,
) -> list[Finding]:
    """The findings of one sentence after the rules+model decision."""
    out: list[Finding] = []
    findings = example.findings
    for label in SENTENCE_LABELS:
        p = prediction.probabilities[label]
        if findings:
            rule_hits = [f for f in findings if f.category == label]
            holds = decide(
                p,
                bool(rule_hits),
                classifier.thresholds[label],
                classifier.veto_thresholds[label],
                trusted=any(f.source in classifier.trusted_patterns for f in rule_hits),
            )
        else:
            # Most sentences: no rule fired, so `decide` is the threshold alone.
            rule_hits = []
            holds = p >= classifier.thresholds[label]
        if not holds:
            continue
        confidence = round(p, 4)
        if rule_hits:
            out.extend(replace(f, confidence=confidence) for f in rule_hits)
            continue
        type_ = (
            prediction.commitment_type
            if label == "commitment"
            else prediction.ambiguity_type
            if label == "ambiguity"
            else None
        ) or _DEFAULT_TYPE[label]
        out.append(
            model_finding(
                path, example, label, type_, 0, len(example.text), confidence, classifier.name
            )
        )
    return out


def combine(
    path: str, examples: Sequence[SentenceExample], classifier: SentenceModel
) -> list[Finding]:
    """Rule findings confirmed or vetoed by the model, plus the model's own findings."""
    predictions = predict_sentences(classifier, examples)
    findings: list[Finding] = []
    for example, prediction in zip(examples, predictions, strict=True):
        findings.extend(combine_sentence(path, example, prediction, classifier))
    return findings
