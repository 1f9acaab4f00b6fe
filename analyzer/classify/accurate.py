"""Accurate mode: the encoder decides, the rules explain.

For each sentence the encoder gives a calibrated probability per label and the ambiguity
phrases it sees. Then, per label:
- the label holds when `p >= threshold`, or when a *trusted* rule fired (a pattern so precise
  on the corpus, or marked explicit, that no model may veto it);
- a rule finding on a sentence where its label holds is kept, with its pattern id, explanation
  and suggestion, and `confidence = p`; a rule finding the encoder does not confirm is dropped
  unless its rule is trusted;
- where the label holds and no rule explains it, a model finding is added
  (`source` `model:<name>@<version>`, commitment type from the type head).
Ambiguity is decided phrase by phrase: a rule phrase stays when it overlaps a phrase the
encoder found (or its rule is trusted); an encoder phrase no rule covers becomes a model phrase
finding of the type the encoder tagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from analyzer.classify.combine import model_finding
from analyzer.classify.encoder import EncoderModel, EncoderPrediction
from analyzer.classify.features import SentenceExample
from analyzer.types import Finding

SENTENCE_LEVEL = ("commitment", "exclusion", "assumption", "estimate")
_DEFAULT_TYPE = {"exclusion": "exclusion", "assumption": "assumption", "estimate": "estimate"}


def combine_accurate(
    path: str, examples: Sequence[SentenceExample], encoder: EncoderModel
) -> list[Finding]:
    """Rule findings the encoder confirms (or trusted ones), plus the encoder's own findings."""
    if not examples:
        return []
    predictions = encoder.predict(
        [e.text for e in examples], [e.section[-1] if e.section else None for e in examples]
    )
    findings: list[Finding] = []
    for example, prediction in zip(examples, predictions, strict=True):
        findings.extend(decide_sentence(path, example, prediction, encoder))
    return findings


def decide_sentence(
    path: str, example: SentenceExample, prediction: EncoderPrediction, encoder: EncoderModel
) -> list[Finding]:
    """The findings of one sentence after the encoder's decision."""
    out: list[Finding] = []
    trusted = encoder.trusted_patterns
    for label in SENTENCE_LEVEL:
        p = prediction.probabilities[label]
        hits = [f for f in example.findings if f.category == label]
        holds = p >= encoder.thresholds[label] or any(f.source in trusted for f in hits)
        if not holds:
            continue
        if hits:
            out.extend(replace(f, confidence=round(p, 4)) for f in hits)
            continue
        type_ = prediction.commitment_type if label == "commitment" else _DEFAULT_TYPE[label]
        out.append(
            model_finding(path, example, label, type_, 0, len(example.text), p, _name(encoder))
        )
    out.extend(_ambiguity(path, example, prediction, encoder))
    return out


def _ambiguity(
    path: str, example: SentenceExample, prediction: EncoderPrediction, encoder: EncoderModel
) -> list[Finding]:
    spans = [(example.start + s.start, example.start + s.end, s) for s in prediction.phrases]
    out: list[Finding] = []
    covered: set[int] = set()
    for finding in example.findings:
        if finding.category != "ambiguity" or finding.start is None or finding.end is None:
            continue
        overlapping = [
            i
            for i, (start, end, _) in enumerate(spans)
            if start < finding.end and finding.start < end
        ]
        if overlapping:
            covered.update(overlapping)
            confidence = max(spans[i][2].confidence for i in overlapping)
            out.append(replace(finding, confidence=round(confidence, 4)))
        elif finding.source in encoder.trusted_patterns:
            out.append(finding)
    for index, (_, _, span) in enumerate(spans):
        if index in covered:
            continue
        out.append(
            model_finding(
                path,
                example,
                "ambiguity",
                span.type,
                span.start,
                span.end,
                span.confidence,
                _name(encoder),
            )
        )
    return out


def _name(encoder: EncoderModel) -> str:
    return f"{encoder.name}@{encoder.version}"
