"""The model page: shipped models and their metrics, rule precision from reviewer decisions,
the organisation allow-list's matches."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.config import default_model_dir
from analyzer.report.common import SEVERITY_ORDER
from analyzer.store.repository import RuleStats
from analyzer.types import (
    CATEGORIES,
    Finding,
    normalise_phrase,
)

# ---------------------------------------------------------------------------------------------
# Model page
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A shipped model: its folder and its `meta.json`."""

    name: str
    path: Path
    meta: dict[str, Any]


def shipped_models(models_dir: Path | None = None) -> list[ModelInfo]:
    """Models with a `meta.json` beside the shipped one (default: `models/*/meta.json`).

    The folder is the parent of `analyzer.config.default_model_dir()`, so `SCOPELENS_MODEL`
    moves it too. Unreadable meta files are reported in `meta["error"]`.
    """
    root = models_dir or default_model_dir().parent
    out = []
    for meta_file in sorted(root.glob("*/meta.json")):
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                meta = {"error": "meta.json is not a JSON object"}
        except (OSError, ValueError) as exc:
            meta = {"error": f"cannot read meta.json: {exc}"}
        out.append(ModelInfo(meta_file.parent.name, meta_file.parent, meta))
    return out


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """A shipped model in plain words, with the scores worth a chart.

    Attributes:
        title: e.g. "Accurate mode: scopelens-encoder 0.1.0+318de2f1".
        lines: Sentences for a reviewer (what it is, what it learned from, how it is used).
        scores: F1 per kind of passage (0-1), in taxonomy order.
        scored_on: Which documents the scores come from.
    """

    title: str
    lines: tuple[str, ...]
    scores: dict[str, float]
    scored_on: str


_SCORE_LABELS = {
    "ambiguity": "ambiguous sentence",
    "ambiguity_phrases": "ambiguous phrase",
    "commitment": "commitment",
    "exclusion": "exclusion",
    "assumption": "assumption",
    "estimate": "estimate",
}


def model_summary(info: ModelInfo) -> ModelSummary:
    """What a reviewer wants to know about a shipped model, without the metrics dump."""
    meta = info.meta
    version = str(meta.get("version") or "")
    encoder = meta.get("kind") == "encoder"
    title = f"{'Accurate' if encoder else 'Fast'} mode: {meta.get('name', info.name)} {version}"
    corpus = _section(meta, "corpus")
    documents = _section(corpus, "documents")
    lines = []
    if encoder:
        base = _section(meta, "base_model")
        lines.append(
            f"A small language model ({base.get('name', 'a pretrained encoder')}) fine-tuned on "
            f"ScopeLens's labelled corpus ({corpus.get('train_sentences', '?')} training "
            "sentences): it reads each sentence with its section heading and decides which "
            "labels it holds and which words are ambiguous; the wording rules explain why."
        )
        scores, scored_on = _section(meta, "decision_dev_f1"), "the development documents"
    else:
        lines.append(
            "A linear model over words and rule hits, used in fast mode for very large "
            f"archives; trained on {documents.get('train', '?')} + {documents.get('dev', '?')} "
            "labelled documents."
        )
        scores, scored_on = _section(meta, "cv_f1"), "cross-validation by document"
    lines.append(
        "F1 is 1.0 when every passage of a kind is found and nothing else; scores on documents "
        "never used for tuning are in the README (accuracy section)."
    )
    ordered = {
        _SCORE_LABELS[k]: float(scores[k])
        for k in _SCORE_LABELS
        if isinstance(scores.get(k), int | float)
    }
    return ModelSummary(title, tuple(lines), ordered, scored_on)


def _section(meta: dict[str, Any], key: str) -> dict[str, Any]:
    value = meta.get(key)
    return value if isinstance(value, dict) else {}


_METRIC_KEYS = ("precision", "recall", "f1", "support", "tp", "fp", "fn")
_METRIC_SECTIONS = ("metrics", "test", "dev_f1")
"""Where a model's `meta.json` keeps its scores (older and newer layouts)."""


def metric_rows(meta: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Split a model's metrics into per-label rows and single values.

    Looks in `meta["metrics"]`, `meta["test"]` and `meta["dev_f1"]`; any nested dict holding
    precision/recall/f1 becomes a row named by its key path, other scalars become facts. Works
    for whatever shape the training step writes.

    Returns:
        (rows, facts): rows with label and those of precision, recall, f1, support, tp, fp,
        fn that any row has (None where one lacks it); facts as dotted name -> value.
    """
    rows: list[dict[str, Any]] = []
    facts: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            if any(k in value for k in ("precision", "recall", "f1")):
                row: dict[str, Any] = {"label": prefix}
                row.update({k: value.get(k) for k in _METRIC_KEYS})
                rows.append(row)
                for k, v in value.items():
                    if k not in _METRIC_KEYS:
                        walk(f"{prefix}.{k}", v)
                return
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, int | float | str | bool) or value is None:
            facts[prefix] = value

    for section in _METRIC_SECTIONS:
        if section in meta:
            walk(section, meta[section])
    empty = {k for k in _METRIC_KEYS if all(row.get(k) is None for row in rows)}
    rows = [{k: v for k, v in row.items() if k not in empty} for row in rows]
    return rows, facts


def verdict(stats: RuleStats) -> str:
    """ "dismissed 41 of 50 times (relabelled 3)" — how reviewers judged a rule."""
    text = f"dismissed {stats.dismissed} of {stats.total} times"
    if stats.relabelled:
        text += f", relabelled {stats.relabelled}"
    return text


def rule_rows(stats: Iterable[RuleStats]) -> list[dict[str, Any]]:
    """One row per rule (source) and type, worst precision first."""
    rows = [
        {
            "source": s.source,
            "category": s.category,
            "type": s.type,
            "confirmed": s.confirmed,
            "dismissed": s.dismissed,
            "relabelled": s.relabelled,
            "judged": s.total,
            "precision": round(s.precision, 3) if s.precision is not None else None,
            "verdict": verdict(s),
        }
        for s in stats
    ]
    return sorted(
        rows, key=lambda r: (r["precision"] if r["precision"] is not None else 2, r["source"])
    )


def type_rows(stats: Iterable[RuleStats]) -> list[dict[str, Any]]:
    """Reviewer precision per finding type (all sources of that type together)."""
    totals: dict[tuple[str, str], list[int]] = {}
    for s in stats:
        acc = totals.setdefault((s.category, s.type), [0, 0, 0])
        acc[0] += s.confirmed
        acc[1] += s.dismissed
        acc[2] += s.relabelled
    rows = []
    for (category, type_), (confirmed, dismissed, relabelled) in totals.items():
        total = confirmed + dismissed + relabelled
        rows.append(
            {
                "category": category,
                "type": type_,
                "confirmed": confirmed,
                "dismissed": dismissed,
                "relabelled": relabelled,
                "judged": total,
                "precision": round(confirmed / total, 3) if total else None,
            }
        )
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(rows, key=lambda r: (order.get(r["category"], 99), r["type"]))


def muted_matches(findings: Iterable[Finding], phrases: Iterable[str]) -> list[Finding]:
    """Findings a current allow-list would mute (the stored analysis predates the phrase)."""
    keys = {normalise_phrase(p) for p in phrases}
    return [
        f
        for f in findings
        if keys and f.category == "ambiguity" and f.text and normalise_phrase(f.text) in keys
    ]


def severity_rank(severity: str) -> int:
    """Sort key of a severity (high first)."""
    return SEVERITY_ORDER.get(severity, 9)
