"""Per-document summary: counts by category and severity, a 0–100 risk score and its drivers.

The formula (also written up in `analyzer/scoring.md`):

1. Text points — each finding anchored in the text adds a weight times its confidence:
   ambiguity by severity (high 6, medium 3, low 1, info 0); commitments by type (unbounded 8,
   guarantee 5, service_level 2, deadline 1, price 1, deliverable 0.5); estimates 0.
   Exclusion and assumption statements (severity info, good news) each take 0.5 off, at most
   half of the positive text points.
2. Density — text points per 1,000 words, with the word count floored at 1,000 so that a
   one-page document is not inflated: `density = text_points * 1000 / max(words, 1000)`.
3. Missing safeguards — document-level findings add fixed points, not scaled by length:
   high 15, medium 8, low 4.
4. Squash — `score = round(100 * (1 - exp(-(density + missing_points) / 80)))`, clamped to
   0–100: 0 points give 0, 40 points give 39, 80 give 63, 160 give 86; the score only ever
   grows with more or worse findings.

Everything is computed from the findings alone, in a fixed order, so the same findings always
give the same summary.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from analyzer.types import CATEGORIES, SEVERITIES, TYPES_BY_CATEGORY, Finding

AMBIGUITY_WEIGHTS: dict[str, float] = {"high": 6.0, "medium": 3.0, "low": 1.0, "info": 0.0}
"""Points per ambiguous phrase, by severity."""

COMMITMENT_WEIGHTS: dict[str, float] = {
    "unbounded": 8.0,
    "guarantee": 5.0,
    "service_level": 2.0,
    "deadline": 1.0,
    "price": 1.0,
    "deliverable": 0.5,
}
"""Points per commitment sentence, by type: open-ended and absolute promises weigh most."""

DEFAULT_COMMITMENT_WEIGHT = 0.5
"""Points for a commitment type not listed above (a future type)."""

MISSING_WEIGHTS: dict[str, float] = {"high": 15.0, "medium": 8.0, "low": 4.0, "info": 0.0}
"""Points per missing safeguard, by severity; not scaled by document length."""

INFO_CREDIT = 0.5
"""Points taken off per exclusion or assumption statement found."""

INFO_CREDIT_MAX_SHARE = 0.5
"""The credit never removes more than this share of the positive text points."""

WORDS_FLOOR = 1000
"""Documents shorter than this many words are scored as if they had this many."""

SATURATION = 80.0
"""Points at which the score reaches 63 (1 - 1/e); larger means a gentler curve. Calibrated so
that real proposals, SOWs and contracts spread over the scale instead of bunching near 100."""

MAX_DRIVERS = 5

_CREDIT_CATEGORIES = ("exclusion", "assumption")


def count_words(text: str) -> int:
    """Whitespace-separated words in `text` (the length measure used by `summarize`)."""
    return len(text.split())


def _label(type_: str) -> str:
    return type_.removeprefix("missing_").replace("_", " ")


def _plural(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def _ordered_counts(counter: Counter[str], order: Sequence[str]) -> dict[str, int]:
    known = {key: counter[key] for key in order if counter[key]}
    extra = {key: counter[key] for key in sorted(counter) if key not in order and counter[key]}
    return known | extra


def _ambiguity_driver(ambiguity: Sequence[Finding], density: float) -> str:
    severities = Counter(f.severity for f in ambiguity)
    parts = [f"{severities[s]} {s}" for s in SEVERITIES if severities[s]]
    types = Counter(f.type for f in ambiguity)
    order = TYPES_BY_CATEGORY["ambiguity"]
    top = max(types, key=lambda t: (types[t], -order.index(t) if t in order else -len(order)))
    return (
        f"{_plural(len(ambiguity), 'ambiguous phrase')} ({', '.join(parts)}; mostly "
        f"{_label(top)}), {density:.1f} points per 1,000 words"
    )


def summarize(findings: Sequence[Finding], *, words: int | None = None) -> dict[str, Any]:
    """Summarise one document's findings for the report.

    Args:
        findings: All findings of the document (phrase, sentence and document level).
        words: Length of the document in words (see `count_words`); None scores the findings
            as if the document had `WORDS_FLOOR` words.

    Returns:
        A dict with `by_category` and `by_severity` (non-zero counts only, in taxonomy order),
        `risk_score` (int, 0–100) and `risk_drivers` (short strings, biggest driver first).
    """
    by_category = _ordered_counts(Counter(f.category for f in findings), CATEGORIES)
    by_severity = _ordered_counts(Counter(f.severity for f in findings), SEVERITIES)

    ambiguity = [f for f in findings if f.category == "ambiguity"]
    commitments = [f for f in findings if f.category == "commitment"]
    credits = [f for f in findings if f.category in _CREDIT_CATEGORIES]
    missing = [f for f in findings if f.category == "missing"]

    def confident(f: Finding) -> float:
        return min(max(float(f.confidence), 0.0), 1.0)

    ambiguity_points = sum(AMBIGUITY_WEIGHTS.get(f.severity, 0.0) * confident(f) for f in ambiguity)
    commitment_points: dict[str, float] = {}
    for f in commitments:
        weight = COMMITMENT_WEIGHTS.get(f.type, DEFAULT_COMMITMENT_WEIGHT) * confident(f)
        commitment_points[f.type] = commitment_points.get(f.type, 0.0) + weight
    positive = ambiguity_points + sum(commitment_points.values())
    credit = min(INFO_CREDIT * sum(confident(f) for f in credits), INFO_CREDIT_MAX_SHARE * positive)

    scale = 1000.0 / max(words if words is not None else WORDS_FLOOR, WORDS_FLOOR)
    missing_points = sum(MISSING_WEIGHTS.get(f.severity, 0.0) for f in missing)
    total = max(positive - credit, 0.0) * scale + missing_points
    risk_score = min(max(round(100.0 * (1.0 - math.exp(-total / SATURATION))), 0), 100)

    # Drivers: (points, tie-break rank, text); the biggest contributions first.
    drivers: list[tuple[float, int, str]] = []
    if missing:
        order = TYPES_BY_CATEGORY["missing"]
        ranked = sorted(
            missing,
            key=lambda f: (
                SEVERITIES.index(f.severity) if f.severity in SEVERITIES else len(SEVERITIES),
                order.index(f.type) if f.type in order else len(order),
                f.type,
            ),
        )
        names = ", ".join(_label(f.type) for f in ranked)
        drivers.append(
            (missing_points, 0, f"{_plural(len(missing), 'missing safeguard')}: {names}")
        )
    if ambiguity:
        density = ambiguity_points * scale
        drivers.append((density, 1, _ambiguity_driver(ambiguity, density)))
    named = {"unbounded": "unbounded commitment", "guarantee": "guarantee"}
    for rank, (type_, noun) in enumerate(named.items(), start=2):
        count = sum(1 for f in commitments if f.type == type_)
        if count:
            drivers.append((commitment_points[type_] * scale, rank, _plural(count, noun)))
    others = [f for f in commitments if f.type not in named]
    if others:
        points = sum(v for k, v in commitment_points.items() if k not in named) * scale
        drivers.append((points, 4, f"{_plural(len(others), 'other commitment')} to deliver"))
    drivers = sorted((d for d in drivers if d[0] > 0), key=lambda d: (-d[0], d[1]))
    risk_drivers = [text for _, _, text in drivers[:MAX_DRIVERS]]
    if credits and credit > 0:
        noun = _plural(len(credits), "exclusion/assumption statement")
        verb = "lowers" if len(credits) == 1 else "lower"
        risk_drivers.append(f"{noun} {verb} the score")

    return {
        "by_category": by_category,
        "by_severity": by_severity,
        "risk_score": int(risk_score),
        "risk_drivers": risk_drivers,
    }


FORMULA_REFERENCE = "analyzer/scoring.md (section “Formula”)"
"""Where the full formula is written up; reports point readers here."""


def _points(weights: dict[str, float], names: Sequence[str]) -> str:
    def number(value: float) -> str:
        return f"{value:g}"

    return ", ".join(f"{name.replace('_', ' ')} {number(weights[name])}" for name in names)


def explain_score() -> tuple[str, ...]:
    """The risk-score formula in a few plain sentences, for the "how it is computed" notes.

    The numbers are taken from the constants of this module, so the explanation cannot drift
    from the formula `summarize` applies.

    Returns:
        Short lines, in the order of the formula's steps, the last one naming `scoring.md`.
    """
    examples = ", ".join(
        f"{points:g} points give {round(100.0 * (1.0 - math.exp(-points / SATURATION)))}"
        for points in (40, 80, 160)
    )
    severities = [s for s in SEVERITIES if AMBIGUITY_WEIGHTS.get(s)]
    missing = [s for s in SEVERITIES if MISSING_WEIGHTS.get(s)]
    return (
        "Each ambiguous phrase adds points by severity ("
        f"{_points(AMBIGUITY_WEIGHTS, severities)}); each commitment by type "
        f"({_points(COMMITMENT_WEIGHTS, list(COMMITMENT_WEIGHTS))}), times its confidence.",
        f"Each exclusion or assumption statement takes {INFO_CREDIT:g} off, at most "
        f"{INFO_CREDIT_MAX_SHARE:.0%} of those points.",
        f"The text points are counted per 1,000 words (shorter documents count as "
        f"{WORDS_FLOOR:,} words), so long documents are not penalised for their length.",
        f"Each missing safeguard adds fixed points ({_points(MISSING_WEIGHTS, missing)}).",
        f"score = round(100 × (1 − exp(−points / {SATURATION:g}))), so the score stays within "
        f"0–100: {examples}.",
        f"The score ranks documents for review; it is not a probability. Full formula: "
        f"{FORMULA_REFERENCE}.",
    )
