"""Inter-annotator agreement on a double-labelled sample (the ceiling we measure against).

Two annotators label the same sentences independently; per sentence label we report Cohen's
kappa and F1 (one annotator taken as reference — F1 is symmetric in that choice), and for
ambiguity phrases an overlap F1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analyzer.classify.corpus import SENTENCE_LABELS, LabelledSentence, iter_corpus, parse_record


@dataclass(frozen=True, slots=True)
class LabelAgreement:
    """Agreement of two annotators on one binary label."""

    label: str
    n: int
    positives_a: int
    positives_b: int
    both: int
    observed: float
    kappa: float
    f1: float


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa of two binary label vectors (1.0 when both are constant and equal)."""
    n = len(a)
    if n == 0:
        return 0.0
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected >= 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else (1.0 if not (fp or fn) else 0.0)


def label_agreement(
    first: list[LabelledSentence], second: list[LabelledSentence]
) -> list[LabelAgreement]:
    """Per-label agreement over the sentences both annotators labelled (matched by id)."""
    by_id = {r.id: r for r in second}
    pairs = [(r, by_id[r.id]) for r in first if r.id in by_id]
    rows = []
    for label in SENTENCE_LABELS:
        a = [x.label(label) for x, _ in pairs]
        b = [y.label(label) for _, y in pairs]
        both = sum(x and y for x, y in zip(a, b, strict=True))
        rows.append(
            LabelAgreement(
                label=label,
                n=len(pairs),
                positives_a=sum(a),
                positives_b=sum(b),
                both=both,
                observed=sum(x == y for x, y in zip(a, b, strict=True)) / max(len(pairs), 1),
                kappa=cohen_kappa(a, b),
                f1=_f1(both, sum(b) - both, sum(a) - both),
            )
        )
    return rows


def phrase_agreement(
    first: list[LabelledSentence], second: list[LabelledSentence]
) -> tuple[float, float]:
    """Ambiguity phrase F1 between annotators: (overlap F1, overlap-and-same-type F1)."""
    by_id = {r.id: r for r in second}
    matched = typed = total_a = total_b = 0
    for r in first:
        other = by_id.get(r.id)
        if other is None:
            continue
        total_a += len(r.ambiguity)
        total_b += len(other.ambiguity)
        for span in r.ambiguity:
            hits = [s for s in other.ambiguity if s.start < span.end and span.start < s.end]
            matched += bool(hits)
            typed += any(s.type == span.type for s in hits)
    denominator = total_a + total_b
    if not denominator:
        return 1.0, 1.0
    return 2 * matched / denominator, 2 * typed / denominator


def load_pair(
    corpus: Path, second_pass: Path
) -> tuple[list[LabelledSentence], list[LabelledSentence]]:
    """First-annotator records for the ids of `second_pass`, and the second pass itself."""
    import json

    with second_pass.open(encoding="utf-8") as handle:
        second = [parse_record(json.loads(line)) for line in handle if line.strip()]
    wanted = {r.id for r in second}
    first = [r for r in iter_corpus(corpus) if r.id in wanted]
    return first, second


def format_agreement(rows: list[LabelAgreement], phrase: tuple[float, float]) -> str:
    """Markdown table of the agreement figures."""
    lines = [
        "| label | sentences | positives A | positives B | both | observed | Cohen's κ | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.label} | {row.n} | {row.positives_a} | {row.positives_b} | {row.both} | "
            f"{row.observed:.3f} | {row.kappa:.3f} | {row.f1:.3f} |"
        )
    lines.append("")
    lines.append(
        f"Ambiguity phrases: overlap F1 {phrase[0]:.3f}, "
        f"overlap with the same type {phrase[1]:.3f}."
    )
    return "\n".join(lines)
