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

With the linear model of fast mode beside it (the one the decision was tuned with, named by
the sha256 of its `model.skops` in the encoder's meta.json), each label's probability is a
blend, `w * p_encoder + (1 - w) * p_linear`, with `w` chosen per label by cross-validation on
dev documents (the linear side from models that never saw the document). In a blend,
ambiguity is also decided per sentence first (a gate with its own threshold and rule veto):
no phrase of a sentence that fails the gate is shown. Without that linear model the encoder
decides alone, with the thresholds tuned for it alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.classify.combine import decide, model_finding
from analyzer.classify.encoder import EncoderModel, EncoderPrediction, PhraseSpan, decode_phrases
from analyzer.classify.features import SentenceExample
from analyzer.types import Finding

if TYPE_CHECKING:
    from analyzer.classify.fast import CompiledModel

SENTENCE_LEVEL = ("commitment", "exclusion", "assumption", "estimate")
LABELS = (*SENTENCE_LEVEL, "ambiguity")
_DEFAULT_TYPE = {"exclusion": "exclusion", "assumption": "assumption", "estimate": "estimate"}
BLEND_WEIGHTS = (1.0, 0.8, 0.6, 0.5, 0.4, 0.2)
"""The encoder's share tried per label; it keeps at least a fifth of every decision."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The tuned numbers accurate mode decides with (from the encoder's meta.json).

    `weights[label]` is the encoder's share of a label's probability, the linear model's the
    rest (1.0 everywhere: the encoder alone). `gate` is the ambiguity sentence threshold and
    rule veto that a sentence passes before its phrases are shown (None: no gate).
    """

    weights: dict[str, float]
    thresholds: dict[str, float]
    vetoes: dict[str, float]
    phrase_threshold: float
    phrase_veto: float
    gate: tuple[float, float] | None = None

    @property
    def blends(self) -> bool:
        """Whether the linear model takes part."""
        return any(w < 1.0 for w in self.weights.values())


def encoder_decision(encoder: EncoderModel) -> Decision:
    """The decision tuned for the encoder alone."""
    return Decision(
        weights=dict.fromkeys(LABELS, 1.0),
        thresholds=encoder.thresholds,
        vetoes=encoder.veto_thresholds,
        phrase_threshold=encoder.phrase_threshold,
        phrase_veto=encoder.phrase_veto,
    )


def blend_decision(encoder: EncoderModel, linear_sha256: str | None) -> Decision | None:
    """The blend tuned with the linear model whose `model.skops` has this sha256, if any."""
    blend = encoder.meta.get("blend")
    if not blend or linear_sha256 is None or blend.get("linear_sha256") != linear_sha256:
        return None
    gate = blend.get("gate")
    return Decision(
        weights={label: float(blend["weights"][label]) for label in LABELS},
        thresholds=blend["thresholds"],
        vetoes=blend["veto_thresholds"],
        phrase_threshold=float(blend["phrase_threshold"]),
        phrase_veto=float(blend["phrase_veto"]),
        gate=(float(gate[0]), float(gate[1])) if gate else None,
    )


def mix(encoder_p: np.ndarray, linear_p: np.ndarray, weight: float) -> np.ndarray:
    """A label's blended probabilities: the encoder's share is `weight`, the linear model's the
    rest."""
    return weight * encoder_p + (1.0 - weight) * linear_p


def blended(
    predictions: Sequence[EncoderPrediction],
    linear: dict[str, np.ndarray] | None,
    weights: dict[str, float],
) -> list[dict[str, float]]:
    """Each sentence's probabilities: the encoder's, blended with the linear model's."""
    if linear is None:
        return [dict(p.probabilities) for p in predictions]
    columns = {
        label: mix(
            np.array([p.probabilities[label] for p in predictions]), linear[label], weights[label]
        )
        for label in LABELS
    }
    return [{label: float(columns[label][i]) for label in LABELS} for i in range(len(predictions))]


def combine_accurate(
    path: str,
    examples: Sequence[SentenceExample],
    encoder: EncoderModel,
    linear: CompiledModel | None = None,
    decision: Decision | None = None,
) -> list[Finding]:
    """Rule findings the decision confirms (or trusted ones), plus the encoder's own findings.

    Args:
        linear: the linear model, used when `decision` blends (see `blend_decision`).
        decision: how to decide (default: the encoder alone).
    """
    if not examples:
        return []
    decision = decision or encoder_decision(encoder)
    predictions = encoder.predict([e.text for e in examples], [e.heading for e in examples])
    linear_p = None
    if decision.blends:
        if linear is None:
            raise ValueError("this decision blends the encoder with a linear model: pass it")
        linear_p = linear.predict_proba(linear.transform(examples))
    probabilities = blended(predictions, linear_p, decision.weights)
    findings: list[Finding] = []
    for example, prediction, p in zip(examples, predictions, probabilities, strict=True):
        findings.extend(decide_sentence(path, example, prediction, encoder, decision, p))
    return findings


def decide_sentence(
    path: str,
    example: SentenceExample,
    prediction: EncoderPrediction,
    encoder: EncoderModel,
    decision: Decision | None = None,
    probabilities: dict[str, float] | None = None,
) -> list[Finding]:
    """The findings of one sentence after the decision (default: the encoder's alone)."""
    decision = decision or encoder_decision(encoder)
    probabilities = probabilities or prediction.probabilities
    out: list[Finding] = []
    trusted = encoder.trusted_patterns
    for label in SENTENCE_LEVEL:
        p = probabilities[label]
        hits = [f for f in example.findings if f.category == label]
        holds = decide(
            p,
            bool(hits),
            decision.thresholds[label],
            decision.vetoes[label],
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
    rules, kept, added = _ambiguity(example, prediction, encoder, decision, probabilities)
    out.extend(replace(rules[i][0], confidence=round(support, 4)) for i, support in kept)
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


def _ambiguity(
    example: SentenceExample,
    prediction: EncoderPrediction,
    encoder: EncoderModel,
    decision: Decision,
    probabilities: dict[str, float],
) -> tuple[list[tuple[Finding, int, int, bool]], list[tuple[int, float]], list[PhraseSpan]]:
    """The sentence's rule phrases, which of them stay and the encoder phrases added."""
    rules = sentence_phrases(example, encoder.trusted_patterns)
    spans = (
        prediction.phrases
        if decision.phrase_threshold == encoder.phrase_threshold
        else decode_phrases(prediction.tokens, decision.phrase_threshold)
    )
    kept, added = decide_phrases(
        [(start, end, trusted) for _, start, end, trusted in rules],
        prediction,
        spans,
        decision.phrase_veto,
        passes_gate(decision.gate, probabilities["ambiguity"], rules),
    )
    return rules, kept, added


def sentence_phrases(
    example: SentenceExample, trusted: frozenset[str]
) -> list[tuple[Finding, int, int, bool]]:
    """The rule phrases of a sentence: (finding, start, end relative to the sentence, trusted)."""
    return [
        (f, f.start - example.start, f.end - example.start, f.source in trusted)
        for f in example.findings
        if f.category == "ambiguity" and f.start is not None and f.end is not None
    ]


def passes_gate(
    gate: tuple[float, float] | None,
    p: float,
    rules: Sequence[tuple[Any, int, int, bool]],
) -> bool | None:
    """Whether a sentence passes the ambiguity gate (None: there is no gate)."""
    if gate is None:
        return None
    threshold, veto = gate
    return decide(p, bool(rules), threshold, veto, trusted=any(r[3] for r in rules))


def decide_phrases(
    rules: Sequence[tuple[int, int, bool]],
    prediction: EncoderPrediction,
    spans: Sequence[PhraseSpan],
    veto: float,
    gate: bool | None = None,
) -> tuple[list[tuple[int, float]], list[PhraseSpan]]:
    """Which rule phrases stay and which encoder phrases are added, in one sentence.

    Args:
        rules: the rule phrases as (start, end, trusted), offsets relative to the sentence.
        prediction: the encoder's view of the sentence (its token support).
        spans: the encoder's phrases (decoded at the phrase threshold).
        veto: the support a rule phrase's tokens need to stay (a trusted rule needs none).
        gate: the sentence-level verdict, when there is a gate: False keeps trusted rule
            phrases only; True keeps every rule phrase when no phrase passed on its own.

    Returns:
        The kept rule phrases as (index into `rules`, support), and the encoder phrases that
        overlap no kept rule phrase.
    """
    if gate is False:
        return [(i, prediction.support(s, e)) for i, (s, e, t) in enumerate(rules) if t], []
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
    if gate and not kept and not added:
        # The sentence is ambiguous but no phrase passed: the rules' phrases say where.
        kept = [(i, prediction.support(s, e)) for i, (s, e, _) in enumerate(rules)]
    return kept, added


def best_threshold(
    p: np.ndarray, fired: np.ndarray, sure: np.ndarray, truth: np.ndarray
) -> tuple[float, float, float]:
    """(F1, threshold, rule veto) of the best decision `sure | p >= t | fired & p >= v`.

    Grids of exact two-decimal values: what is stored is what was scored. Unlike
    `train.tune_thresholds` (coarser grid, ties to the higher threshold), a tie keeps the
    first, lowest threshold.
    """
    from analyzer.classify.train import _f1

    best = (-1.0, 0.5, 0.5)
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        for v in np.round(np.arange(0.02, t + 1e-9, 0.02), 2):
            f1 = _f1(truth, sure | (p >= t) | (fired & (p >= v)))
            if f1 > best[0] + 1e-9:
                best = (f1, float(t), float(v))
    return round(best[0], 4), round(best[1], 2), round(best[2], 2)


def cross_half_f1(
    p: np.ndarray, fired: np.ndarray, sure: np.ndarray, truth: np.ndarray, half: np.ndarray
) -> float:
    """Mean F1 over the two halves of the documents, each scored at the other's best decision."""
    from analyzer.classify.train import _f1

    scores = []
    for side in (0, 1):
        tuned, other = half == side, half != side
        _, t, v = best_threshold(p[tuned], fired[tuned], sure[tuned], truth[tuned])
        predicted = sure[other] | (p[other] >= t) | (fired[other] & (p[other] >= v))
        scores.append(_f1(truth[other], predicted))
    return float(np.mean(scores))


def tune(
    encoder: EncoderModel,
    examples: Sequence[SentenceExample],
    gold: Sequence[dict[str, bool]],
    gold_phrases: Sequence[Sequence[tuple[int, int]]],
    linear: dict[str, np.ndarray] | None = None,
    documents: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Thresholds, rule vetoes and phrase thresholds that maximise F1 on labelled sentences.

    Args:
        encoder: the encoder (its predictions are taken at face value, calibrated).
        examples: one sentence each, with the rule findings inside it (sentence offsets).
        gold: the sentence labels.
        gold_phrases: the gold ambiguity spans of each sentence (sentence offsets).
        linear: the linear model's probabilities of the same sentences, each from a model that
            never saw the sentence's document (`train.out_of_fold`); with them a `blend` is
            tuned too.
        documents: each sentence's document id (with `linear`: the blend weights are chosen by
            F1 across two halves of the documents).

    Returns:
        `thresholds`, `veto_thresholds`, `phrase_threshold`, `phrase_veto` and the F1 each
        reached (`dev_f1`), ready for the encoder's meta.json, and with `linear` a `blend` of
        the same keys plus `weights` and the ambiguity `gate`. Use the dev split, never test.
    """
    predictions = encoder.predict([e.text for e in examples], [e.heading for e in examples])
    trusted = encoder.trusted_patterns
    truth = {label: np.array([g[label] for g in gold]) for label in LABELS}
    fired = {
        label: np.array([any(f.category == label for f in e.findings) for e in examples])
        for label in LABELS
    }
    sure = {
        label: np.array(
            [any(f.category == label and f.source in trusted for f in e.findings) for e in examples]
        )
        for label in LABELS
    }
    encoder_p = {label: np.array([x.probabilities[label] for x in predictions]) for label in LABELS}
    rules = [sentence_phrases(e, trusted) for e in examples]

    def decision(probabilities: dict[str, np.ndarray], gated: bool) -> dict[str, Any]:
        thresholds: dict[str, float] = {}
        vetoes: dict[str, float] = {}
        dev_f1: dict[str, float] = {}
        for label in LABELS if gated else SENTENCE_LEVEL:
            p = probabilities[label]
            dev_f1[label], thresholds[label], vetoes[label] = best_threshold(
                p, fired[label], sure[label], truth[label]
            )
        gates: list[bool | None] = [None] * len(examples)
        if gated:
            gate = (thresholds["ambiguity"], vetoes["ambiguity"])
            gates = [
                passes_gate(gate, float(probabilities["ambiguity"][i]), rules[i])
                for i in range(len(examples))
            ]
        phrase_threshold, phrase_veto, phrase_f1, ambiguity_f1 = _tune_phrases(
            predictions, rules, gold_phrases, truth["ambiguity"], gates
        )
        tuned: dict[str, Any] = {
            "thresholds": thresholds,
            "veto_thresholds": vetoes,
            "phrase_threshold": phrase_threshold,
            "phrase_veto": phrase_veto,
        }
        if gated:
            tuned["gate"] = [thresholds["ambiguity"], vetoes["ambiguity"]]
        else:
            thresholds["ambiguity"] = vetoes["ambiguity"] = phrase_threshold
        tuned["dev_f1"] = {**dev_f1, "ambiguity": ambiguity_f1, "ambiguity_phrases": phrase_f1}
        return tuned

    result = decision(encoder_p, gated=False)
    if linear is not None:
        ids = sorted(set(documents or []))
        half = np.array([ids.index(d) % 2 for d in documents or []])
        weights = {}
        for label in LABELS:
            scores = [
                cross_half_f1(
                    mix(encoder_p[label], linear[label], w),
                    fired[label],
                    sure[label],
                    truth[label],
                    half,
                )
                for w in BLEND_WEIGHTS
            ]
            weights[label] = BLEND_WEIGHTS[int(np.argmax(scores))]
        mixed = {label: mix(encoder_p[label], linear[label], weights[label]) for label in LABELS}
        result["blend"] = {"weights": weights, **decision(mixed, gated=True)}
    return result


def _tune_phrases(
    predictions: Sequence[EncoderPrediction],
    rules: Sequence[Sequence[tuple[Finding, int, int, bool]]],
    gold_phrases: Sequence[Sequence[tuple[int, int]]],
    truth: np.ndarray,
    gates: Sequence[bool | None],
) -> tuple[float, float, float, float]:
    """Phrase threshold and veto maximising the mean of phrase F1 and ambiguity sentence F1.

    Returns (phrase threshold, phrase veto, phrase F1, ambiguity sentence F1).
    """
    from analyzer.classify.train import _f1

    rule_spans = [[(start, end, sure) for _, start, end, sure in r] for r in rules]
    total_gold = sum(len(g) for g in gold_phrases)
    best = (-1.0, 0.5, 0.5, 0.0, 0.0)
    for pt in np.round(np.arange(0.1, 0.71, 0.05), 2):
        decoded = [decode_phrases(x.tokens, float(pt)) for x in predictions]
        for pv in np.round(np.arange(0.02, 0.61, 0.02), 2):
            tp = predicted_n = found = 0
            sentence = np.zeros(len(predictions), dtype=bool)
            for i, x in enumerate(predictions):
                kept, added = decide_phrases(rule_spans[i], x, decoded[i], float(pv), gates[i])
                spans = [rule_spans[i][j][:2] for j, _ in kept]
                spans += [(d.start, d.end) for d in added]
                sentence[i] = bool(spans)
                golds = gold_phrases[i]
                tp += sum(any(s < ge and gs < e for gs, ge in golds) for s, e in spans)
                found += sum(any(s < ge and gs < e for s, e in spans) for gs, ge in golds)
                predicted_n += len(spans)
            precision = tp / predicted_n if predicted_n else 0.0
            recall = found / total_gold if total_gold else 0.0
            phrase_f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0
            score = (phrase_f1 + _f1(truth, sentence)) / 2
            if score > best[0] + 1e-9:
                best = (score, float(pt), float(pv), phrase_f1, _f1(truth, sentence))
    _, phrase_threshold, phrase_veto, phrase_f1, ambiguity_f1 = best
    return (
        round(phrase_threshold, 2),
        round(phrase_veto, 2),
        round(phrase_f1, 4),
        round(ambiguity_f1, 4),
    )


def tune_encoder(
    folder: Path, corpus: Path, linear_dir: Path | None = None, progress: Any = None
) -> dict[str, Any]:
    """Tune an encoder folder's decision on the corpus dev split; update its meta.json.

    The rules run on each dev sentence alone (as in `scopelens train`); the test split is not
    read. With `linear_dir` (a trained linear model folder) the blend with that model is tuned
    too: its probabilities for the dev sentences come from models with the same settings
    trained by 5-fold cross-validation over train + dev documents (needs scikit-learn).
    Returns the tuned values (see `tune`).
    """
    import json

    from analyzer.classify.corpus import load_corpus
    from analyzer.classify.model import MODEL_FILE, file_sha256
    from analyzer.classify.train import build_examples, out_of_fold
    from analyzer.config import read_model_meta

    records = load_corpus(corpus, "dev")
    if not records:
        raise ValueError(f"{corpus}: no dev sentences to tune on")
    data = build_examples(records)
    linear = None
    if linear_dir is not None:
        if progress:
            progress(f"out-of-fold probabilities of {linear_dir.name} (5 folds, train + dev)")
        both = build_examples(load_corpus(corpus, "train")) + data
        oof = out_of_fold(both, float(read_model_meta(linear_dir)["c"]))
        dev_rows = slice(len(both.records) - len(records), None)
        linear = {label: oof[label][dev_rows] for label in LABELS}
    encoder = EncoderModel(folder)
    tuned = tune(
        encoder,
        data.examples,
        [{label: r.label(label) for label in LABELS} for r in records],
        [[(s.start, s.end) for s in r.ambiguity] for r in records],
        linear,
        [r.doc_id for r in records],
    )
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta.update({k: v for k, v in tuned.items() if k not in ("dev_f1", "blend")})
    meta["decision_dev_f1"] = tuned["dev_f1"]
    meta.pop("blend", None)
    if linear_dir is not None:
        meta["blend"] = {
            "linear": linear_dir.name,
            "linear_sha256": file_sha256(linear_dir / MODEL_FILE),
            **tuned["blend"],
        }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return tuned
