"""Train, tune and evaluate the classifier on the labelled corpus (split by document).

`train_model` chooses C and per-label thresholds by document-grouped cross-validation over
train+dev, fits on train+dev with those settings, scores rules-only / model-only / combined on
the untouched test split and saves the model with a `meta.json` (versions, corpus hash,
thresholds, metrics). Fixed seeds and sorted inputs make a rebuild reproduce the shipped metrics.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.classify.combine import decide
from analyzer.classify.corpus import SENTENCE_LABELS, LabelledSentence, load_corpus
from analyzer.classify.evaluate import (
    Counts,
    PhraseScores,
    document_interval,
    f1_interval,
    record_findings,
)
from analyzer.classify.features import SentenceExample, feature_frame
from analyzer.classify.model import RANDOM_STATE, ScopeClassifier
from analyzer.consensus import current_decisions, resolved_decisions
from analyzer.types import Annotation, copy_fields
from analyzer.version import __version__

THRESHOLD_GRID = tuple(round(x, 2) for x in np.arange(0.05, 0.96, 0.05))
VETO_GRID = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
C_GRID = (1.0, 4.0, 10.0)
ANNOTATION_WEIGHT = 2.0
LEARNING_CURVE_FRACTIONS = (0.25, 0.5, 0.75, 1.0)

Progress = Callable[[str], None]


@dataclass(slots=True)
class LabelledExamples:
    """Corpus records with their rule-layer examples and targets, aligned by row."""

    records: list[LabelledSentence]
    examples: list[SentenceExample]
    weights: list[float] = field(default_factory=list)

    def subset(self, rows: Sequence[int]) -> LabelledExamples:
        """The rows `rows` only."""
        return LabelledExamples(
            [self.records[i] for i in rows],
            [self.examples[i] for i in rows],
            [self.weights[i] for i in rows],
        )

    def __add__(self, other: LabelledExamples) -> LabelledExamples:
        return LabelledExamples(
            self.records + other.records,
            self.examples + other.examples,
            self.weights + other.weights,
        )

    def targets(self) -> dict[str, np.ndarray]:
        """Label name -> boolean array."""
        return {
            label: np.array([r.label(label) for r in self.records], dtype=bool)
            for label in SENTENCE_LABELS
        }

    def commitment_types(self) -> list[str | None]:
        """Commitment type per row (None when not a commitment)."""
        return [r.commitment_type if r.commitment else None for r in self.records]

    def ambiguity_types(self) -> list[str | None]:
        """Most frequent ambiguity phrase type per row (None when none)."""
        out: list[str | None] = []
        for r in self.records:
            types = [a.type for a in r.ambiguity]
            out.append(max(sorted(set(types)), key=types.count) if types else None)
        return out


def record_example(record: LabelledSentence, nlp: Any = None) -> SentenceExample:
    """Run the rules over one corpus record; the whole record is one example."""
    block, findings = record_findings(record, nlp)
    return copy_fields(SentenceExample, block, page=None, findings=tuple(findings))


def build_examples(
    records: Iterable[LabelledSentence], nlp: Any = None, weight: float = 1.0
) -> LabelledExamples:
    """Rule-layer examples for corpus records."""
    from analyzer.nlp import load_pipeline

    nlp = nlp or load_pipeline()
    records = list(records)
    return LabelledExamples(
        records, [record_example(r, nlp) for r in records], [weight] * len(records)
    )


def corpus_sha256(folder: Path) -> str:
    """Hash of every corpus file's name and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.jsonl")):
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Fitting and tuning
# ---------------------------------------------------------------------------------------------


def fit(data: LabelledExamples, c: float) -> ScopeClassifier:
    """Fit a classifier on `data` (default thresholds)."""
    weights = np.asarray(data.weights, dtype=float)
    model = ScopeClassifier(c=c)
    return model.fit(
        feature_frame(data.examples, model.rule_feature_scale),
        data.targets(),
        data.commitment_types(),
        data.ambiguity_types(),
        sample_weight=weights if np.any(weights != 1.0) else None,
    )


TRUSTED_MIN_SUPPORT = 5
TRUSTED_MIN_PRECISION = 0.9


def find_trusted_patterns(data: LabelledExamples) -> frozenset[str]:
    """Rule sources the model may not veto: those whose sentence-level precision on `data` is
    at least 0.9 over ≥ 5 hits, and the patterns marked `explicit` in the rule files."""
    from analyzer.nlp.detect import patterns_by_id

    explicit = {f"rule:{p.id}" for p in patterns_by_id().values() if p.explicit}
    hits: dict[str, list[bool]] = {}
    for record, example in zip(data.records, data.examples, strict=True):
        for finding in example.findings:
            if finding.category in SENTENCE_LABELS:
                hits.setdefault(finding.source, []).append(record.label(finding.category))
    return frozenset(explicit) | frozenset(
        source
        for source, outcomes in hits.items()
        if len(outcomes) >= TRUSTED_MIN_SUPPORT
        and sum(outcomes) / len(outcomes) >= TRUSTED_MIN_PRECISION
    )


def rule_fired(
    data: LabelledExamples, trusted: frozenset[str] = frozenset()
) -> dict[str, np.ndarray]:
    """Whether any rule of each label (or, given `trusted`, any trusted rule) fired on each row."""
    return {
        label: np.array(
            [
                any(
                    f.category == label and (not trusted or f.source in trusted) for f in e.findings
                )
                for e in data.examples
            ]
        )
        for label in SENTENCE_LABELS
    }


def _f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    tp = int(np.sum(gold & predicted))
    denominator = int(np.sum(gold)) + int(np.sum(predicted))
    return 2 * tp / denominator if denominator else 0.0


def tune_thresholds(
    probabilities: dict[str, np.ndarray],
    fired: dict[str, np.ndarray],
    gold: dict[str, np.ndarray],
    trusted_fired: dict[str, np.ndarray] | None = None,
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Per label, the (threshold, veto) pair with the best F1; returns thresholds, vetoes, F1."""
    thresholds, vetoes, scores = {}, {}, {}
    for label in SENTENCE_LABELS:
        best = (-1.0, 0.5, 0.0)
        always = (
            trusted_fired[label]
            if trusted_fired is not None
            else np.zeros(len(gold[label]), dtype=bool)
        )
        for threshold in THRESHOLD_GRID:
            for veto in VETO_GRID:
                if veto > threshold:
                    continue
                predicted = (
                    always
                    | (probabilities[label] >= threshold)
                    | (fired[label] & (probabilities[label] >= veto))
                )
                score = _f1(gold[label], predicted)
                # Ties go to the higher threshold: fewer, surer findings.
                if score > best[0] + 1e-9 or (abs(score - best[0]) <= 1e-9 and threshold > best[1]):
                    best = (score, threshold, veto)
        scores[label], thresholds[label], vetoes[label] = best
    return thresholds, vetoes, scores


CV_FOLDS = 5


def out_of_fold(data: LabelledExamples, c: float, folds: int = CV_FOLDS) -> dict[str, np.ndarray]:
    """Probabilities for every row from models that never saw the row's document."""
    documents = sorted({r.doc_id for r in data.records})
    fold_of = {doc: i % folds for i, doc in enumerate(documents)}
    groups = np.array([fold_of[r.doc_id] for r in data.records])
    probabilities = {label: np.zeros(len(data.records)) for label in SENTENCE_LABELS}
    for fold in range(folds):
        held = np.flatnonzero(groups == fold)
        model = fit(data.subset(np.flatnonzero(groups != fold).tolist()), c)
        fold_probabilities = model.predict_proba(model.transform([data.examples[i] for i in held]))
        for label in SENTENCE_LABELS:
            probabilities[label][held] = fold_probabilities[label]
    return probabilities


def fit_and_tune(
    data: LabelledExamples, progress: Progress | None = None
) -> tuple[dict[str, Any], dict[str, float], dict[str, float]]:
    """Choose C and per-label thresholds by document-grouped cross-validation on `data`.

    A single dev split holds few documents, so thresholds tuned on it alone swing with them;
    out-of-fold predictions over train+dev give every sentence a vote.

    Returns:
        The tuning record (C, out-of-fold F1 per label), the thresholds and the veto thresholds.
    """
    fired = rule_fired(data)
    trusted = find_trusted_patterns(data)
    trusted_fired = rule_fired(data, trusted) if trusted else None
    gold = data.targets()
    best: tuple[float, dict[str, Any], dict[str, float], dict[str, float]] | None = None
    for c in C_GRID:
        if progress:
            progress(f"{CV_FOLDS}-fold cross-validation by document, C={c}")
        probabilities = out_of_fold(data, c)
        thresholds, vetoes, scores = tune_thresholds(probabilities, fired, gold, trusted_fired)
        mean = float(np.mean(list(scores.values())))
        if best is None or mean > best[0] + 1e-9:
            record = {"c": c, "cv_f1": scores, "cv_mean_f1": mean, "trusted": trusted}
            best = (mean, record, thresholds, vetoes)
    assert best is not None
    return best[1], best[2], best[3]


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ModelScores:
    """Rules-only, model-only and combined scores of one split."""

    rules: dict[str, Counts]
    model: dict[str, Counts]
    combined: dict[str, Counts]
    phrases_rules: PhraseScores
    phrases_combined: PhraseScores
    commitment_type_accuracy: float
    sentences: int
    intervals: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    """95% document-bootstrap intervals: "rules"/"combined" -> label or "phrase_precision"."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "sentences": self.sentences,
            "rules": {k: v.to_dict() for k, v in self.rules.items()},
            "model": {k: v.to_dict() for k, v in self.model.items()},
            "combined": {k: v.to_dict() for k, v in self.combined.items()},
            "phrases_rules": self.phrases_rules.to_dict(),
            "phrases_combined": self.phrases_combined.to_dict(),
            "commitment_type_accuracy": round(self.commitment_type_accuracy, 4),
            "intervals_95": {
                detector: {k: [round(v[0], 4), round(v[1], 4)] for k, v in scores.items()}
                for detector, scores in self.intervals.items()
            },
        }


def _phrases(
    scores: PhraseScores, record: LabelledSentence, example: SentenceExample
) -> tuple[int, int]:
    """Add one record's phrases to `scores`; its (phrases overlapping gold, phrases predicted)."""
    gold = [(a.start, a.end) for a in record.ambiguity]
    predicted = [
        (f.start - example.start, f.end - example.start)  # type: ignore[operator]
        for f in example.findings
        if f.category == "ambiguity"
    ]
    hits = sum(any(ps < ge and gs < pe for gs, ge in gold) for ps, pe in predicted)
    scores.predicted += len(predicted)
    scores.gold += len(gold)
    scores.predicted_overlapping += hits
    scores.exact += sum((ps, pe) in gold for ps, pe in predicted)
    for gs, ge in gold:
        scores.gold_overlapped += any(ps < ge and gs < pe for ps, pe in predicted)
    return hits, len(predicted)


def score(model: ScopeClassifier, data: LabelledExamples) -> ModelScores:
    """Score rules, model and combined decisions on `data`."""
    matrix = model.transform(data.examples)
    probabilities = model.predict_proba(matrix)
    commitment_types = model.predict_types(matrix, "commitment")
    fired = rule_fired(data)
    trusted = rule_fired(data, model.trusted_patterns) if model.trusted_patterns else fired
    gold = data.targets()
    rules, model_only, combined = {}, {}, {}
    decided: dict[str, np.ndarray] = {}
    for label in SENTENCE_LABELS:
        rules[label], model_only[label], combined[label] = Counts(), Counts(), Counts()
        threshold, veto = model.thresholds[label], model.veto_thresholds[label]
        decided[label] = np.array(
            [
                decide(float(p), bool(f), threshold, veto, bool(t) and bool(model.trusted_patterns))
                for p, f, t in zip(probabilities[label], fired[label], trusted[label], strict=True)
            ]
        )
        for g, f, p, d in zip(
            gold[label], fired[label], probabilities[label], decided[label], strict=True
        ):
            rules[label].add(bool(g), bool(f))
            model_only[label].add(bool(g), bool(p >= threshold))
            combined[label].add(bool(g), bool(d))
    phrases_rules, phrases_combined = PhraseScores(), PhraseScores()
    # Per sentence (phrases overlapping gold, phrases predicted), for the intervals.
    phrase_counts: dict[str, list[tuple[int, int]]] = {"rules": [], "combined": []}
    type_hits = type_total = 0
    for i, (record, example) in enumerate(zip(data.records, data.examples, strict=True)):
        counted = _phrases(phrases_rules, record, example)
        phrase_counts["rules"].append(counted)
        if decided["ambiguity"][i]:
            _phrases(phrases_combined, record, example)
            phrase_counts["combined"].append(counted)
        else:
            phrases_combined.gold += len(record.ambiguity)
            phrase_counts["combined"].append((0, 0))
        if record.commitment and decided["commitment"][i]:
            rule_types = [f.type for f in example.findings if f.category == "commitment"]
            predicted_type = rule_types[0] if rule_types else commitment_types[i]
            type_total += 1
            type_hits += predicted_type == record.commitment_type
    documents = [r.doc_id for r in data.records]
    intervals: dict[str, dict[str, tuple[float, float]]] = {}
    for detector, predicted in (("rules", fired), ("combined", decided)):
        intervals[detector] = {
            label: f1_interval(documents, gold[label], predicted[label])
            for label in SENTENCE_LABELS
        }
        hits, flagged = zip(*phrase_counts[detector], strict=True) if documents else ((), ())
        intervals[detector]["phrase_precision"] = document_interval(documents, hits, flagged)
    return ModelScores(
        rules=rules,
        model=model_only,
        combined=combined,
        phrases_rules=phrases_rules,
        phrases_combined=phrases_combined,
        commitment_type_accuracy=type_hits / type_total if type_total else 0.0,
        sentences=len(data.records),
        intervals=intervals,
    )


def split_examples(data: LabelledExamples) -> dict[str, LabelledExamples]:
    """train / dev / test subsets by document."""
    rows: dict[str, list[int]] = {"train": [], "dev": [], "test": []}
    for i, record in enumerate(data.records):
        rows[record.split].append(i)
    return {name: data.subset(r) for name, r in rows.items()}


def learning_curve(
    train: LabelledExamples, dev: LabelledExamples, c: float, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """Dev F1 (thresholds re-tuned each time) vs. the share of train documents used."""
    documents = sorted({r.doc_id for r in train.records})
    rng = np.random.default_rng(RANDOM_STATE)
    order = list(rng.permutation(len(documents)))
    fired, gold = rule_fired(dev), dev.targets()
    points = []
    for fraction in LEARNING_CURVE_FRACTIONS:
        keep = {documents[i] for i in order[: max(1, round(fraction * len(documents)))]}
        subset = train.subset([i for i, r in enumerate(train.records) if r.doc_id in keep])
        if progress:
            progress(f"learning curve: {fraction:.0%} of train ({len(subset.records)} sentences)")
        model = fit(subset, c)
        probabilities = model.predict_proba(model.transform(dev.examples))
        _, _, scores = tune_thresholds(probabilities, fired, gold)
        points.append(
            {
                "fraction": fraction,
                "sentences": len(subset.records),
                "documents": len(keep),
                "dev_f1": {k: round(v, 4) for k, v in scores.items()},
            }
        )
    return points


def format_learning_curve(points: list[dict[str, Any]]) -> str:
    """Markdown table of the learning curve."""
    lines = [
        "| train share | sentences | " + " | ".join(SENTENCE_LABELS) + " |",
        "|---:|---:|" + "---:|" * len(SENTENCE_LABELS),
    ]
    for p in points:
        cells = " | ".join(f"{p['dev_f1'][label]:.2f}" for label in SENTENCE_LABELS)
        lines.append(f"| {p['fraction']:.0%} | {p['sentences']} | {cells} |")
    return "\n".join(lines)


def library_versions() -> dict[str, str]:
    """Versions of the libraries the model depends on."""
    import scipy
    import sklearn
    import skops
    import spacy

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "spacy": spacy.__version__,
        "scopelens": __version__,
    }


CREDITS = (
    "Trained on sentences from public documents labelled by the ScopeLens team: US federal "
    "(18F/GSA TTS, USDS) and State of Alaska solicitations (public domain / CC0), Common Paper "
    "agreements (CC BY 4.0), Bonterms (CC0 1.0), Web3 Foundation grant proposals (Apache-2.0), "
    "Filecoin dev-grant proposals (MIT), CUAD v1 by The Atticus Project (CC BY 4.0) and "
    "CLAUDETTE terms of service (CC BY 4.0). See corpus/README.md."
)


def train_model(
    corpus: Path,
    out: Path,
    *,
    extra: LabelledExamples | None = None,
    with_curve: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Train, tune, evaluate and save; returns the meta record written beside the model.

    Args:
        corpus: folder of labelled JSONL files.
        out: model folder to write (`model.skops`, `meta.json`).
        extra: additional training examples (reviewer decisions), added to train and dev fits.
        with_curve: also compute the learning curve (slower).
        progress: callback for one-line progress messages.
    """
    records = sorted(load_corpus(corpus), key=lambda r: r.id)
    if progress:
        progress(f"running the rules over {len(records)} corpus sentences")
    splits = split_examples(build_examples(records))
    train, dev = splits["train"], splits["dev"]
    if extra is not None and extra.records:
        train = train + extra
    tuning, thresholds, vetoes = fit_and_tune(train + dev, progress)
    if progress:
        progress("fitting on train+dev with the tuned settings")
    final = fit(train + dev, tuning["c"])
    final.thresholds, final.veto_thresholds = thresholds, vetoes
    final.trusted_patterns = tuning["trusted"]
    # The test split is not scored here: only `scopelens evaluate --final` reads it.
    curve = learning_curve(train, dev, tuning["c"], progress) if with_curve else []
    meta = {
        "name": final.name,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": library_versions(),
        "corpus": {
            "folder": str(corpus),
            "sha256": corpus_sha256(corpus),
            "sentences": {k: len(v.records) for k, v in splits.items()},
            "documents": {k: len({r.doc_id for r in v.records}) for k, v in splits.items()},
            "extra_examples": len(extra.records) if extra else 0,
        },
        "labels": list(SENTENCE_LABELS),
        "c": tuning["c"],
        "rule_feature_scale": final.rule_feature_scale,
        "thresholds": final.thresholds,
        "veto_thresholds": final.veto_thresholds,
        "trusted_patterns": sorted(final.trusted_patterns),
        "cv_f1": {k: round(v, 4) for k, v in tuning["cv_f1"].items()},
        "learning_curve": curve,
        "random_state": RANDOM_STATE,
        "credits": CREDITS,
    }
    final.save(out, meta)
    return meta


def load_annotation_examples(source: str, nlp: Any = None) -> LabelledExamples:
    """Reviewer decisions (DESIGN.md annotation JSONL file, or a database URL) as examples.

    Each decision becomes a one-sentence record: confirm → the finding's category holds;
    dismiss → it does not; relabel → the old category does not, the new one does; add → the new
    category holds (with the added phrase for ambiguity). Each finding counts once, with its
    resolved decision (`analyzer.consensus`): an admin's adjudication, else the decision its
    reviewers agree on; findings still in dispute are left out. Examples carry
    `ANNOTATION_WEIGHT`.
    """
    from analyzer.classify.corpus import parse_record

    history = []
    for number, record in enumerate(_read_decisions(source), start=1):
        try:
            history.append(Annotation.from_dict(record))
        except (TypeError, KeyError, AttributeError):
            raise ValueError(f"record {number} is not a DESIGN.md annotation record") from None
    history.sort(key=lambda a: a.created_at)
    latest = [a.to_dict() for a in resolved_decisions(current_decisions(history))]
    by_sentence: dict[tuple[str, str], dict[str, Any]] = {}
    for d in latest:
        sentence = d.get("sentence") or d.get("text")
        if not sentence:
            continue
        entry = by_sentence.setdefault(
            (str(d.get("document_sha256")), sentence),
            {
                "id": f"annotation-{hashlib.sha1(sentence.encode('utf-8')).hexdigest()[:12]}",
                "doc_id": f"annotations-{d.get('document_sha256')}",
                "source": f"review:{d.get('document_name')}",
                "licence": "reviewer decision",
                "genre": "review",
                "section": None,
                "text": sentence,
                "ambiguity": [],
                "commitment": False,
                "commitment_type": None,
                "exclusion": False,
                "assumption": False,
                "estimate": False,
            },
        )
        decision = d.get("decision")
        old, new = d.get("category"), d.get("new_category") or d.get("category")
        new_type = d.get("new_type") or d.get("type")
        if decision in ("dismiss", "relabel"):
            _set(entry, old, None, False, d.get("text"))
        if decision in ("confirm", "relabel", "add"):
            phrase = d.get("text") if (new == "ambiguity" and d.get("text") in sentence) else None
            _set(entry, new, new_type, True, phrase)
    records = [parse_record(e) for e in by_sentence.values()]
    return build_examples(records, nlp, weight=ANNOTATION_WEIGHT)


def _set(
    entry: dict[str, Any], category: str | None, type_: str | None, value: bool, phrase: str | None
) -> None:
    if category == "ambiguity":
        if value and phrase:
            entry["ambiguity"].append({"phrase": phrase, "type": type_ or "vague_term"})
        elif not value:
            entry["ambiguity"] = [a for a in entry["ambiguity"] if phrase and a["phrase"] != phrase]
    elif category == "commitment":
        entry["commitment"] = value
        entry["commitment_type"] = (type_ or "deliverable") if value else None
    elif category in ("exclusion", "assumption", "estimate"):
        entry[category] = value


def _read_decisions(source: str) -> list[dict[str, Any]]:
    path = Path(source)
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    import io

    from analyzer.store import Store

    buffer = io.StringIO()
    with Store.open(source) as store:
        store.export_annotations(buffer)
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
