"""The risk panel of a document: its score, what drives it, counts by category."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from analyzer.report.common import category_order
from analyzer.types import (
    DocumentReport,
    SafeguardCheck,
)

# ---------------------------------------------------------------------------------------------
# Risk panel
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskSummary:
    """What the summary panel shows.

    Attributes:
        risk_score: 0–100, or None when the report has no score.
        drivers: What drives the score, biggest first.
        by_category: Finding counts in taxonomy order.
        safeguards: Every document-level check, missing ones first.
    """

    risk_score: int | None
    drivers: tuple[str, ...]
    by_category: dict[str, int]
    safeguards: tuple[SafeguardCheck, ...] = field(default=())

    @property
    def missing(self) -> tuple[SafeguardCheck, ...]:
        """The safeguards the document lacks."""
        return tuple(s for s in self.safeguards if not s.present)


def risk_summary(report: DocumentReport) -> RiskSummary:
    """The summary panel of one report (counts recomputed from its findings)."""
    counts = Counter(f.category for f in report.findings)
    by_category = {c: counts[c] for c in category_order(set(counts))}
    safeguards = list(report.safeguards)
    if not safeguards:  # an older report without checks: fall back to the "missing" findings
        safeguards = [
            SafeguardCheck(f.type, False, (), f.explanation)
            for f in report.findings
            if f.category == "missing"
        ]
    safeguards.sort(key=lambda s: s.present)
    score = report.summary.get("risk_score")
    return RiskSummary(
        risk_score=int(score) if score is not None else None,
        drivers=tuple(str(d) for d in report.summary.get("risk_drivers") or ()),
        by_category=by_category,
        safeguards=tuple(safeguards),
    )
