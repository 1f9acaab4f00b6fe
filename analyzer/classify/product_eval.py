"""Evaluation that runs the product: the real `Analyzer` on the source documents, scored by offsets.

Each corpus record (v2) knows its source file and the character offsets of its sentence in the
document as ScopeLens extracts it. Here every source document of a split is analysed end to end
(extraction, segmentation, sections, rules, model, checks), and its findings are aligned with
the gold sentences by offsets:

- a sentence holds a label when a finding of that category overlaps the sentence's span;
- an ambiguity phrase finding is right when it overlaps a gold phrase of the same sentence
  (precision), and a gold phrase is found when some phrase finding overlaps it (recall).

Only labelled sentences count (the corpus labels contiguous runs, not whole documents). Records
whose text no longer sits at their offsets (the extraction changed since labelling) are counted
and left out. Intervals are 95% document bootstraps, as in `evaluate`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.classify.corpus import SENTENCE_LABELS, LabelledSentence
from analyzer.classify.evaluate import Counts, document_interval, f1_interval, format_interval
from analyzer.types import DocumentReport, Finding

PAGE_CHARS = 3000
"""Characters of extracted text counted as one page when findings per page are compared."""


@dataclass(slots=True)
class ProductScores:
    """Per-label counts, phrase counts and per-sentence outcomes (for intervals)."""

    documents: int = 0
    misaligned: int = 0
    failed: list[str] = field(default_factory=list)
    findings_total: int = 0
    """Findings a reviewer sees in the analysed documents (all of each document, not only the
    labelled run; document-level `missing` findings left out)."""
    characters: int = 0
    rows: list[tuple[str, dict[str, bool], dict[str, bool], int, int, int, int]] = field(
        default_factory=list
    )
    """One per scored sentence: (document, gold, predicted, phrase tp, predicted phrases, gold
    phrases found, gold phrases). Every score below is derived from these rows."""

    @property
    def sentences(self) -> int:
        """Labelled sentences scored."""
        return len(self.rows)

    @property
    def labels(self) -> dict[str, Counts]:
        """Per label, the sentence-level counts."""
        counts = {label: Counts() for label in SENTENCE_LABELS}
        for _, gold, predicted, *_ in self.rows:
            for label, c in counts.items():
                c.add(gold[label], predicted[label])
        return counts

    def interval(self, label: str) -> tuple[float, float]:
        """95% document-bootstrap interval of one label's F1."""
        return f1_interval(
            [r[0] for r in self.rows],
            [r[1][label] for r in self.rows],
            [r[2][label] for r in self.rows],
        )

    def phrase_precision_interval(self) -> tuple[float, float]:
        """95% document-bootstrap interval of phrase precision."""
        return document_interval(
            [r[0] for r in self.rows], [r[3] for r in self.rows], [r[4] for r in self.rows]
        )

    def phrase_recall_interval(self) -> tuple[float, float]:
        """95% document-bootstrap interval of phrase recall."""
        return document_interval(
            [r[0] for r in self.rows], [r[5] for r in self.rows], [r[6] for r in self.rows]
        )

    @property
    def findings_per_page(self) -> float:
        """Findings per page, a page counted as 3,000 characters of extracted text."""
        return self.findings_total / (self.characters / PAGE_CHARS) if self.characters else 0.0

    @property
    def phrase_precision(self) -> float:
        """Share of predicted phrases (in labelled sentences) that overlap a gold phrase."""
        predicted = sum(r[4] for r in self.rows)
        return sum(r[3] for r in self.rows) / predicted if predicted else 0.0

    @property
    def phrase_recall(self) -> float:
        """Share of gold phrases some predicted phrase overlaps."""
        gold = sum(r[6] for r in self.rows)
        return sum(r[5] for r in self.rows) / gold if gold else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready scores with their intervals."""
        return {
            "documents": self.documents,
            "sentences": self.sentences,
            "misaligned": self.misaligned,
            "failed": self.failed,
            "labels": {
                label: {**c.to_dict(), "f1_95": [round(x, 4) for x in self.interval(label)]}
                for label, c in self.labels.items()
            },
            "findings_per_page": round(self.findings_per_page, 2),
            "phrases": {
                "precision": round(self.phrase_precision, 4),
                "precision_95": [round(x, 4) for x in self.phrase_precision_interval()],
                "recall": round(self.phrase_recall, 4),
                "recall_95": [round(x, 4) for x in self.phrase_recall_interval()],
            },
        }


def _overlaps(finding: Finding, start: int, end: int) -> bool:
    return (
        finding.start is not None
        and finding.end is not None
        and (finding.start < end and start < finding.end)
    )


def score_document(
    scores: ProductScores,
    doc_id: str,
    records: Sequence[LabelledSentence],
    findings: Sequence[Finding],
    text: str,
) -> None:
    """Add one analysed document's labelled sentences to `scores`."""
    by_category: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.start is not None:
            by_category[finding.category].append(finding)
    for record in records:
        if record.start is None or record.end is None:
            scores.misaligned += 1
            continue
        if " ".join(text[record.start : record.end].split()) != " ".join(record.text.split()):
            scores.misaligned += 1
            continue
        gold = {label: record.label(label) for label in SENTENCE_LABELS}
        predicted = {
            label: any(_overlaps(f, record.start, record.end) for f in by_category[label])
            for label in SENTENCE_LABELS
        }
        phrases = [f for f in by_category["ambiguity"] if _overlaps(f, record.start, record.end)]
        gold_spans = [(record.start + s.start, record.start + s.end) for s in record.ambiguity]
        tp = sum(any(_overlaps(f, s, e) for s, e in gold_spans) for f in phrases)
        found = sum(any(_overlaps(f, s, e) for f in phrases) for s, e in gold_spans)
        scores.rows.append((doc_id, gold, predicted, tp, len(phrases), found, len(gold_spans)))


def evaluate_product(
    records: Sequence[LabelledSentence],
    data_dir: Path,
    analyze: Callable[[Path], DocumentReport],
    progress: Callable[[int, int], None] | None = None,
) -> ProductScores:
    """Analyse every source document of `records` and score the findings by offsets.

    Args:
        records: labelled sentences with offsets (corpus v2).
        data_dir: the folder their `source` paths are relative to.
        analyze: the product, e.g. `Analyzer(mode=...).analyze_path`.
        progress: called with (documents done, documents in all).
    """
    by_document: dict[tuple[str, str], list[LabelledSentence]] = defaultdict(list)
    for record in records:
        by_document[(record.doc_id, record.source)].append(record)
    scores = ProductScores()
    for number, ((doc_id, source), items) in enumerate(sorted(by_document.items()), 1):
        report = analyze(data_dir / source)
        if report.status != "ok" or report.document is None:
            scores.failed.append(f"{source}: {report.error}")
            scores.misaligned += len(items)
        else:
            scores.documents += 1
            scores.characters += len(report.document.text)
            scores.findings_total += sum(f.start is not None for f in report.findings)
            score_document(scores, doc_id, items, report.findings, report.document.text)
        if progress is not None:
            progress(number, len(by_document))
    return scores


def format_product_table(results: dict[str, ProductScores]) -> str:
    """Markdown: per mode and label P / R / F1 [95% interval], then phrase precision/recall."""
    lines = ["| mode | label | P | R | F1 | F1 95% |", "|---|---|---:|---:|---:|---|"]
    for mode, scores in results.items():
        for label, c in scores.labels.items():
            lines.append(
                f"| {mode} | {label} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} "
                f"| {format_interval(scores.interval(label))} |"
            )
        lines.append(
            f"| {mode} | ambiguity phrases | {scores.phrase_precision:.2f} "
            f"[{format_interval(scores.phrase_precision_interval())}] | {scores.phrase_recall:.2f} "
            f"[{format_interval(scores.phrase_recall_interval())}] | | |"
        )
    lines.append("")
    lines.append("| mode | findings per page (3,000 characters) |")
    lines.append("|---|---:|")
    lines.extend(f"| {mode} | {s.findings_per_page:.1f} |" for mode, s in results.items())
    first = next(iter(results.values()), None)
    if first is not None:
        lines.append(
            f"\n{first.documents} documents, {first.sentences} labelled sentences"
            + (f", {first.misaligned} not aligned" if first.misaligned else "")
        )
    return "\n".join(lines)
