"""Rules-only evaluation of the detectors against the labelled corpus.

Each record becomes a tiny Document: an optional heading block (`record.section`) followed by
the sentence block. `detect()` runs over it and the findings that fall in the sentence block are
compared with the record's labels: sentence-level precision/recall/F1 for each of
`SENTENCE_LABELS`, commitment-type accuracy on true positives, and phrase-level ambiguity scores
(a predicted phrase is correct when it overlaps a gold phrase; exact match and type agreement are
reported too), overall and per genre. `document_interval` gives each score a 95% interval by
resampling whole documents, so a table says how far its numbers can be trusted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from spacy.language import Language

from analyzer.classify.corpus import SENTENCE_LABELS, LabelledSentence, Split, load_corpus
from analyzer.nlp import detect, load_pipeline
from analyzer.textshape import is_enumerated, is_table_row
from analyzer.types import Block, BlockKind, Document, Finding, sha256_bytes


def share(part: float, whole: float) -> float:
    """`part / whole`, or 0.0 when `whole` is 0 (nothing predicted, nothing expected)."""
    return part / whole if whole else 0.0


def harmonic_mean(p: float, r: float) -> float:
    """F1 of a precision and a recall (0.0 when both are 0)."""
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Counts:
    """True positives, false positives and false negatives of one label."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 0 when nothing was predicted."""
        return share(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 0 when nothing was expected."""
        return share(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        return harmonic_mean(self.precision, self.recall)

    @property
    def support(self) -> int:
        """Number of gold positives."""
        return self.tp + self.fn

    def add(self, gold: bool, predicted: bool) -> None:
        """Count one decision."""
        if gold and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the derived scores."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 13


def document_interval(
    documents: Sequence[str],
    numerators: ArrayLike,
    denominators: ArrayLike,
    level: float = 0.95,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """Percentile interval of `sum(numerators) / sum(denominators)` over resampled documents.

    One value pair per sentence; `documents` names each sentence's document. Whole documents
    are drawn with replacement, because sentences of one document share an author and a style:
    resampling sentences would make the interval too narrow. F1 is `2·TP / (gold + predicted)`,
    precision `TP / predicted`.
    """
    if not documents:
        return (0.0, 0.0)
    _, index = np.unique(np.asarray(documents), return_inverse=True)
    top = np.bincount(index, weights=np.asarray(numerators, dtype=float))
    bottom = np.bincount(index, weights=np.asarray(denominators, dtype=float))
    draws = np.random.default_rng(seed).integers(0, len(top), size=(samples, len(top)))
    sums, totals = top[draws].sum(axis=1), bottom[draws].sum(axis=1)
    # A resample without a single gold or predicted item has no score: it is left out, not 0.
    ratios = np.divide(sums, totals, out=np.full_like(sums, np.nan), where=totals > 0)
    if np.isnan(ratios).all():
        return (0.0, 0.0)
    tail = (1 - level) / 2 * 100
    low, high = np.nanpercentile(ratios, [tail, 100 - tail])
    return float(low), float(high)


def f1_interval(
    documents: Sequence[str], gold: ArrayLike, predicted: ArrayLike
) -> tuple[float, float]:
    """95% document-bootstrap interval of sentence-level F1."""
    g, p = np.asarray(gold, dtype=bool), np.asarray(predicted, dtype=bool)
    return document_interval(documents, 2.0 * (g & p), g.astype(float) + p)


def format_interval(interval: tuple[float, float]) -> str:
    """`0.55–0.69`."""
    return f"{interval[0]:.2f}–{interval[1]:.2f}"


@dataclass(slots=True)
class PhraseScores:
    """Phrase-level ambiguity scores."""

    predicted: int = 0
    gold: int = 0
    predicted_overlapping: int = 0
    """Predicted phrases that overlap a gold phrase of the same sentence."""
    gold_overlapped: int = 0
    exact: int = 0
    """Predicted phrases with exactly the offsets of a gold phrase."""
    type_agree: int = 0
    type_pairs: int = 0
    """Overlapping (predicted, gold) pairs; `type_agree` of them have the same type."""

    @property
    def precision(self) -> float:
        """Share of predicted phrases that overlap a gold phrase."""
        return share(self.predicted_overlapping, self.predicted)

    @property
    def recall(self) -> float:
        """Share of gold phrases overlapped by a predicted phrase."""
        return share(self.gold_overlapped, self.gold)

    @property
    def f1(self) -> float:
        """Harmonic mean of overlap precision and recall."""
        return harmonic_mean(self.precision, self.recall)

    @property
    def exact_precision(self) -> float:
        """Share of predicted phrases with exactly the gold offsets."""
        return share(self.exact, self.predicted)

    @property
    def exact_recall(self) -> float:
        """Share of gold phrases predicted with exactly the same offsets."""
        return share(self.exact, self.gold)

    @property
    def type_agreement(self) -> float:
        """Share of overlapping (predicted, gold) pairs with the same ambiguity type."""
        return share(self.type_agree, self.type_pairs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the derived scores."""
        return {
            "predicted": self.predicted,
            "gold": self.gold,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "exact_precision": round(self.exact_precision, 4),
            "exact_recall": round(self.exact_recall, 4),
            "type_agreement": round(self.type_agreement, 4),
        }


@dataclass(slots=True)
class Prediction:
    """What the rules said about one record (offsets relative to the sentence)."""

    record: LabelledSentence
    labels: dict[str, bool]
    commitment_type: str | None
    phrases: list[tuple[int, int, str]]


@dataclass(slots=True)
class EvalResult:
    """Everything `evaluate_rules` measured."""

    n: int = 0
    labels: dict[str, Counts] = field(
        default_factory=lambda: {k: Counts() for k in SENTENCE_LABELS}
    )
    type_correct: int = 0
    type_total: int = 0
    phrases: PhraseScores = field(default_factory=PhraseScores)
    by_genre: dict[str, dict[str, Counts]] = field(default_factory=dict)
    phrases_by_genre: dict[str, PhraseScores] = field(default_factory=dict)
    predictions: list[Prediction] = field(default_factory=list, repr=False)

    @property
    def commitment_type_accuracy(self) -> float:
        """Accuracy of the commitment type on sentence-level true positives."""
        return share(self.type_correct, self.type_total)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without per-record predictions)."""
        return {
            "n": self.n,
            "labels": {k: v.to_dict() for k, v in self.labels.items()},
            "commitment_type_accuracy": round(self.commitment_type_accuracy, 4),
            "phrases": self.phrases.to_dict(),
            "by_genre": {
                g: {k: v.to_dict() for k, v in counts.items()}
                for g, counts in self.by_genre.items()
            },
            "phrases_by_genre": {g: p.to_dict() for g, p in self.phrases_by_genre.items()},
        }


def block_kind_of(text: str, section: str | None) -> BlockKind:
    """The block kind the real extractor would give a corpus sentence.

    The corpus stores no layout, so it is inferred from the text: a record equal to its
    section heading is the heading, a leading "|" marks a table row, and a leading bullet
    ("-", "*", "•") or enumerator ("(a)", "14.", "1.") a list item.
    """
    if section and text.strip() == section.strip():
        return "heading"
    if is_table_row(text):
        return "table_row"
    if is_enumerated(text):
        return "list_item"
    return "paragraph"


def record_document(record: LabelledSentence) -> tuple[Document, Block]:
    """A Document for one record: optional heading block, then the sentence block."""
    blocks: list[Block] = []
    text = ""
    path: tuple[str, ...] = ()
    if record.section:
        path = (record.section,)
        blocks.append(Block("heading", 0, len(record.section), record.section, section=path))
        text = record.section + "\n\n"
    kind = block_kind_of(record.text, record.section)
    start = len(text)
    sentence = Block(
        kind, start, start + len(record.text), record.text, index=len(blocks), section=path
    )
    blocks.append(sentence)
    text += record.text
    doc = Document(
        path=f"corpus/{record.id}",
        kind="txt",
        text=text,
        blocks=tuple(blocks),
        sha256=sha256_bytes(text.encode("utf-8")),
    )
    return doc, sentence


def record_findings(
    record: LabelledSentence, nlp: Language | None = None
) -> tuple[Block, list[Finding]]:
    """Run the rules over one record: its sentence block and the findings on that block."""
    doc, block = record_document(record)
    findings = [
        f for f in detect(doc, nlp).findings if f.start is not None and f.start >= block.start
    ]
    return block, findings


def predict_record(record: LabelledSentence, nlp: Language | None = None) -> Prediction:
    """Run the rules over one record and collect the findings on its sentence block."""
    block, findings = record_findings(record, nlp)
    labels = {name: any(f.category == name for f in findings) for name in SENTENCE_LABELS}
    commitment = next((f for f in findings if f.category == "commitment"), None)
    phrases = [
        (f.start - block.start, f.end - block.start, f.type)  # type: ignore[operator]
        for f in findings
        if f.category == "ambiguity"
    ]
    return Prediction(record, labels, commitment.type if commitment else None, phrases)


def _score_phrases(scores: PhraseScores, prediction: Prediction) -> None:
    gold = [(a.start, a.end, a.type) for a in prediction.record.ambiguity]
    pred = prediction.phrases
    scores.predicted += len(pred)
    scores.gold += len(gold)
    for ps, pe, pt in pred:
        overlapping = [g for g in gold if ps < g[1] and g[0] < pe]
        if overlapping:
            scores.predicted_overlapping += 1
            scores.type_pairs += 1
            scores.type_agree += any(g[2] == pt for g in overlapping)
        scores.exact += any(g[0] == ps and g[1] == pe for g in gold)
    for gs, ge, _ in gold:
        scores.gold_overlapped += any(ps < ge and gs < pe for ps, pe, _ in pred)


def evaluate_rules(records: Iterable[LabelledSentence], nlp: Language | None = None) -> EvalResult:
    """Score the rule detectors on labelled sentences.

    Args:
        records: Corpus records (pick the split yourself: never tune on test).
        nlp: A pipeline from `load_pipeline()` (the cached one when None).

    Returns:
        Per-label TP/FP/FN and P/R/F1, commitment-type accuracy, phrase scores, per genre.
    """
    nlp = nlp or load_pipeline()
    result = EvalResult()
    for record in records:
        prediction = predict_record(record, nlp)
        result.predictions.append(prediction)
        result.n += 1
        genre = result.by_genre.setdefault(record.genre, {k: Counts() for k in SENTENCE_LABELS})
        for name in SENTENCE_LABELS:
            gold, predicted = record.label(name), prediction.labels[name]
            result.labels[name].add(gold, predicted)
            genre[name].add(gold, predicted)
        if record.commitment and prediction.labels["commitment"]:
            result.type_total += 1
            result.type_correct += prediction.commitment_type == record.commitment_type
        _score_phrases(result.phrases, prediction)
        _score_phrases(result.phrases_by_genre.setdefault(record.genre, PhraseScores()), prediction)
    return result


def evaluate_corpus(
    folder: Path, splits: Iterable[Split] = ("train", "dev"), nlp: Language | None = None
) -> EvalResult:
    """Load `folder` (corpus/labelled) and evaluate the rules on the given splits."""
    wanted = set(splits)
    records = [r for r in load_corpus(folder) if r.split in wanted]
    return evaluate_rules(records, nlp)


def _row(name: str, c: Counts) -> str:
    return (
        f"| {name} | {c.support} | {c.tp} | {c.fp} | {c.fn} | "
        f"{c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} |"
    )


def intervals_line(result: EvalResult) -> str:
    """The 95% document-bootstrap intervals of each label's F1 and of phrase precision."""
    documents = [p.record.doc_id for p in result.predictions]
    parts = []
    for name in SENTENCE_LABELS:
        gold = [p.record.label(name) for p in result.predictions]
        predicted = [p.labels[name] for p in result.predictions]
        parts.append(f"{name} {format_interval(f1_interval(documents, gold, predicted))}")
    per_record = []
    for prediction in result.predictions:
        scores = PhraseScores()
        _score_phrases(scores, prediction)
        per_record.append(scores)
    phrase = document_interval(
        documents, [s.predicted_overlapping for s in per_record], [s.predicted for s in per_record]
    )
    return (
        f"95% intervals ({len(set(documents))} documents resampled {BOOTSTRAP_SAMPLES:,} times): "
        f"F1 {', '.join(parts)}; phrase precision {format_interval(phrase)}."
    )


def format_table(result: EvalResult) -> str:
    """A Markdown table of the scores (also readable as plain text)."""
    head = (
        "| label | support | TP | FP | FN | precision | recall | F1 |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    lines = [f"Sentences: {result.n}", "", head]
    lines += [_row(name, counts) for name, counts in result.labels.items()]
    p = result.phrases
    lines += [
        "",
        f"Commitment type accuracy (on true positives): {result.commitment_type_accuracy:.2f} "
        f"({result.type_correct}/{result.type_total})",
        "",
        "| ambiguity phrases | predicted | gold | precision | recall | F1 | exact P | exact R "
        "| type agreement |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| overlap | {p.predicted} | {p.gold} | {p.precision:.2f} | {p.recall:.2f} | {p.f1:.2f} | "
        f"{p.exact_precision:.2f} | {p.exact_recall:.2f} | {p.type_agreement:.2f} |",
    ]
    lines += ["", intervals_line(result)]
    for genre in sorted(result.by_genre):
        lines += ["", f"Genre: {genre}", "", head]
        lines += [_row(name, c) for name, c in result.by_genre[genre].items()]
        gp = result.phrases_by_genre.get(genre, PhraseScores())
        lines.append(
            f"\nambiguity phrases: P {gp.precision:.2f} R {gp.recall:.2f} F1 {gp.f1:.2f} "
            f"({gp.predicted} predicted, {gp.gold} gold)"
        )
    return "\n".join(lines)
