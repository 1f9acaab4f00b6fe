"""Accurate mode: the encoder decides, the rules explain.

For each sentence the encoder gives a calibrated probability per label and the ambiguity
phrases it sees. Then, per label:
- the label holds when `p >= threshold`; when a rule fired, already when `p >= veto` (a lower
  bar: the rule feeds the decision, the encoder only vetoes hits it is fairly sure about); and
  always when a *trusted* rule fired (a pattern so precise on the corpus, or marked explicit,
  that no model may veto it). Thresholds and vetoes are tuned per label on the dev split;
- a rule finding on a sentence where its label holds is kept, with its pattern id, explanation
  and suggestion, and `confidence = p`; a rule finding the encoder does not confirm is dropped
  unless its rule is trusted;
- where the label holds and no rule explains it, a model finding is added
  (`source` `model:<name>@<version>`, commitment type from the type head).
Ambiguity is decided phrase by phrase: a rule phrase stays when the encoder's phrase support
on its tokens reaches the phrase veto (or its rule is trusted); an encoder phrase no kept rule
covers becomes a model phrase finding of the type the encoder tagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.classify.combine import decide, model_finding
from analyzer.classify.encoder import EncoderModel, EncoderPrediction, PhraseSpan, decode_phrases
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
    predictions = encoder.predict([e.text for e in examples], [e.heading for e in examples])
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
        holds = decide(
            p,
            bool(hits),
            encoder.thresholds[label],
            encoder.veto_thresholds[label],
            trusted=any(f.source in trusted for f in hits),
        )
        if not holds:
            continue
        if hits:
            out.extend(replace(f, confidence=round(p, 4)) for f in hits)
            continue
        type_ = prediction.commitment_type if label == "commitment" else _DEFAULT_TYPE[label]
        out.append(
            model_finding(path, example, label, type_, 0, len(example.text), p, encoder.label)
        )
    out.extend(_ambiguity(path, example, prediction, encoder))
    return out


def _ambiguity(
    path: str, example: SentenceExample, prediction: EncoderPrediction, encoder: EncoderModel
) -> list[Finding]:
    rules = sentence_phrases(example, encoder.trusted_patterns)
    kept, added = decide_phrases(
        [(start, end, trusted) for _, start, end, trusted in rules],
        prediction,
        prediction.phrases,
        encoder.phrase_veto,
    )
    out = [replace(rules[i][0], confidence=round(support, 4)) for i, support in kept]
    out.extend(
        model_finding(
            path,
            example,
            "ambiguity",
            span.type,
            span.start,
            span.end,
            span.confidence,
            encoder.label,
        )
        for span in added
    )
    return out


def sentence_phrases(
    example: SentenceExample, trusted: frozenset[str]
) -> list[tuple[Finding, int, int, bool]]:
    """The rule phrases of a sentence: (finding, start, end relative to the sentence, trusted)."""
    return [
        (f, f.start - example.start, f.end - example.start, f.source in trusted)
        for f in example.findings
        if f.category == "ambiguity" and f.start is not None and f.end is not None
    ]


def decide_phrases(
    rules: Sequence[tuple[int, int, bool]],
    prediction: EncoderPrediction,
    spans: Sequence[PhraseSpan],
    veto: float,
) -> tuple[list[tuple[int, float]], list[PhraseSpan]]:
    """Which rule phrases stay and which encoder phrases are added, in one sentence.

    Args:
        rules: the rule phrases as (start, end, trusted), offsets relative to the sentence.
        prediction: the encoder's view of the sentence (its token support).
        spans: the encoder's phrases (decoded at the phrase threshold).
        veto: the support a rule phrase's tokens need to stay (a trusted rule needs none).

    Returns:
        The kept rule phrases as (index into `rules`, support), and the encoder phrases that
        overlap no kept rule phrase.
    """
    kept = []
    for index, (start, end, trusted) in enumerate(rules):
        support = prediction.support(start, end)
        if trusted or support >= veto:
            kept.append((index, support))
    covered = [rules[i][:2] for i, _ in kept]
    added = [
        span
        for span in spans
        if not any(span.start < end and start < span.end for start, end in covered)
    ]
    return kept, added


def tune(
    encoder: EncoderModel,
    examples: Sequence[SentenceExample],
    gold: Sequence[dict[str, bool]],
    gold_phrases: Sequence[Sequence[tuple[int, int]]],
) -> dict[str, Any]:
    """Thresholds, rule vetoes and phrase thresholds that maximise F1 on labelled sentences.

    Args:
        encoder: the encoder (its predictions are taken at face value, calibrated).
        examples: one sentence each, with the rule findings inside it (sentence offsets).
        gold: the sentence labels.
        gold_phrases: the gold ambiguity spans of each sentence (sentence offsets).

    Returns:
        `thresholds`, `veto_thresholds`, `phrase_threshold`, `phrase_veto` and the F1 each
        reached (`dev_f1`), ready for the encoder's meta.json. Use the dev split, never test.
    """
    predictions = encoder.predict([e.text for e in examples], [e.heading for e in examples])
    from analyzer.classify.train import _f1

    trusted = encoder.trusted_patterns
    thresholds: dict[str, float] = {}
    vetoes: dict[str, float] = {}
    dev_f1: dict[str, float] = {}
    for label in SENTENCE_LEVEL:
        p = np.array([x.probabilities[label] for x in predictions])
        fired = np.array([any(f.category == label for f in e.findings) for e in examples])
        sure = np.array(
            [any(f.category == label and f.source in trusted for f in e.findings) for e in examples]
        )
        truth = np.array([g[label] for g in gold])
        best = (-1.0, 0.5, 0.5)
        # Grids of exact two-decimal values: what is stored is what was scored. Unlike
        # `train.tune_thresholds` (coarser grid, ties to the higher threshold), a tie keeps the
        # first, lowest threshold.
        for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
            for v in np.round(np.arange(0.02, t + 1e-9, 0.02), 2):
                predicted = sure | (p >= t) | (fired & (p >= v))
                f1 = _f1(truth, predicted)
                if f1 > best[0] + 1e-9:
                    best = (f1, float(t), float(v))
        dev_f1[label], thresholds[label], vetoes[label] = (
            round(best[0], 4),
            round(best[1], 2),
            round(best[2], 2),
        )
    rule_phrases = [
        [(start, end, sure) for _, start, end, sure in sentence_phrases(e, trusted)]
        for e in examples
    ]
    truth = np.array([g["ambiguity"] for g in gold])
    best_phrase = (-1.0, 0.5, 0.5, 0.0, 0.0)
    for pt in np.round(np.arange(0.1, 0.71, 0.05), 2):
        decoded = [decode_phrases(x.tokens, float(pt)) for x in predictions]
        for pv in np.round(np.arange(0.02, 0.61, 0.02), 2):
            tp = predicted_n = found = 0
            sentence = np.zeros(len(examples), dtype=bool)
            for i, x in enumerate(predictions):
                kept, added = decide_phrases(rule_phrases[i], x, decoded[i], float(pv))
                spans = [rule_phrases[i][j][:2] for j, _ in kept]
                spans += [(d.start, d.end) for d in added]
                sentence[i] = bool(spans)
                golds = gold_phrases[i]
                tp += sum(any(s < ge and gs < e for gs, ge in golds) for s, e in spans)
                found += sum(any(s < ge and gs < e for s, e in spans) for gs, ge in golds)
                predicted_n += len(spans)
            total_gold = sum(len(g) for g in gold_phrases)
            precision = tp / predicted_n if predicted_n else 0.0
            recall = found / total_gold if total_gold else 0.0
            phrase_f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0
            score = (phrase_f1 + _f1(truth, sentence)) / 2
            if score > best_phrase[0] + 1e-9:
                best_phrase = (score, float(pt), float(pv), phrase_f1, _f1(truth, sentence))
    _, phrase_threshold, phrase_veto, phrase_f1, ambiguity_f1 = best_phrase
    thresholds["ambiguity"] = vetoes["ambiguity"] = round(phrase_threshold, 2)
    dev_f1["ambiguity"] = round(ambiguity_f1, 4)
    dev_f1["ambiguity_phrases"] = round(phrase_f1, 4)
    return {
        "thresholds": thresholds,
        "veto_thresholds": vetoes,
        "phrase_threshold": round(phrase_threshold, 2),
        "phrase_veto": round(phrase_veto, 2),
        "dev_f1": dev_f1,
    }


def tune_encoder(folder: Path, corpus: Path) -> dict[str, Any]:
    """Tune an encoder folder's decision on the corpus dev split; update its meta.json.

    The rules run on each dev sentence alone (as in `scopelens train`); the test split is not
    read. Returns the tuned values (see `tune`).
    """
    import json

    from analyzer.classify.corpus import load_corpus
    from analyzer.classify.train import build_examples

    records = load_corpus(corpus, "dev")
    if not records:
        raise ValueError(f"{corpus}: no dev sentences to tune on")
    examples = build_examples(records).examples
    encoder = EncoderModel(folder)
    tuned = tune(
        encoder,
        examples,
        [{label: r.label(label) for label in (*SENTENCE_LEVEL, "ambiguity")} for r in records],
        [[(s.start, s.end) for s in r.ambiguity] for r in records],
    )
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta.update({k: v for k, v in tuned.items() if k != "dev_f1"})
    meta["decision_dev_f1"] = tuned["dev_f1"]
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return tuned
