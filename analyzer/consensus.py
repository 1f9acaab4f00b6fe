"""Which reviewer decision counts: each reviewer's current one, agreement, conflict, adjudication.

Pure functions over `Annotation` records, shared by the store's exports, the review service and
`train --with-annotations`, so all three resolve a finding the same way:

- a reviewer's *current* decision on a finding is their latest one (history is never lost);
- reviewers who reach the same verdict (decision and new label) agree: the latest of their
  decisions is the resolved one;
- reviewers whose verdicts differ are in *conflict*: nothing is resolved until an admin records
  an adjudication, which then wins over every reviewer's decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analyzer.types import Annotation

FindingKey = tuple[str, str | None, int | None, int | None, str | None, str | None]
"""(document sha256, finding id) — or, for a span a reviewer added, its span and label."""

Verdict = tuple[str, str | None, str | None, str | None]
"""What two reviewers must share to agree: decision, new category, new type, new severity."""


def finding_key(annotation: Annotation) -> FindingKey:
    """The finding a decision is about; added spans are keyed by span and label."""
    a = annotation
    if a.finding_id is not None:
        return (a.document_sha256, a.finding_id, None, None, None, None)
    return (a.document_sha256, None, a.start, a.end, a.category, a.type)


def verdict(annotation: Annotation) -> Verdict:
    """The part of a decision reviewers agree or disagree on (reasons and comments aside)."""
    a = annotation
    if a.decision == "relabel":
        return (a.decision, a.new_category, a.new_type, a.new_severity)
    return (a.decision, None, None, None)


def current_decisions(history: Iterable[Annotation]) -> list[Annotation]:
    """The latest decision per finding and reviewer (adjudications kept apart), oldest first.

    Args:
        history: Decisions in the order they were made (`Store.annotations` order).
    """
    latest: dict[tuple[FindingKey, str, bool], Annotation] = {}
    for a in history:
        key = (finding_key(a), a.reviewer, a.adjudicated)
        latest.pop(key, None)  # re-insert so the dict stays in order of the latest decision
        latest[key] = a
    return list(latest.values())


@dataclass(frozen=True, slots=True)
class Consensus:
    """The state of one finding across reviewers.

    Attributes:
        key: The finding (`finding_key`).
        decisions: Each reviewer's current decision, oldest first (adjudications excluded).
        adjudication: The latest adjudication by an admin, or None.
    """

    key: FindingKey
    decisions: tuple[Annotation, ...]
    adjudication: Annotation | None = None

    @property
    def conflict(self) -> bool:
        """Reviewers reached different verdicts (whether or not it was adjudicated since)."""
        return len({verdict(a) for a in self.decisions}) > 1

    @property
    def disputed(self) -> bool:
        """A conflict no admin has adjudicated yet."""
        return self.conflict and self.adjudication is None

    @property
    def resolved(self) -> Annotation | None:
        """The decision that counts: the adjudication, else the agreed decision, else None."""
        if self.adjudication is not None:
            return self.adjudication
        if not self.decisions or self.conflict:
            return None
        return self.decisions[-1]

    @property
    def reviewers(self) -> tuple[str, ...]:
        """Who decided on this finding (adjudicators excluded)."""
        return tuple(a.reviewer for a in self.decisions)


def consensus(current: Iterable[Annotation]) -> dict[FindingKey, Consensus]:
    """Group current decisions (`current_decisions`) by finding, oldest finding first."""
    decisions: dict[FindingKey, list[Annotation]] = {}
    adjudications: dict[FindingKey, Annotation] = {}
    for a in current:
        key = finding_key(a)
        if a.adjudicated:
            previous = adjudications.get(key)
            if previous is None or previous.created_at <= a.created_at:
                adjudications[key] = a
            decisions.setdefault(key, [])
        else:
            decisions.setdefault(key, []).append(a)
    return {
        key: Consensus(key, tuple(found), adjudications.get(key))
        for key, found in decisions.items()
    }


def resolved_decisions(current: Iterable[Annotation]) -> list[Annotation]:
    """One decision per finding: adjudicated or agreed; findings still in dispute are left out."""
    return [c.resolved for c in consensus(current).values() if c.resolved is not None]


def disputed(current: Iterable[Annotation]) -> list[Consensus]:
    """The findings whose reviewers disagree and that no admin has adjudicated."""
    return [c for c in consensus(current).values() if c.disputed]


def pairs_by_category(current: Sequence[Annotation]) -> dict[str, list[tuple[bool, bool]]]:
    """Paired verdicts of two reviewers on the same finding, per category of the finding.

    A verdict is True when the reviewer kept the finding as detected (confirm) and False when
    they rejected it (dismiss or relabel); added spans are left out. Every pair of reviewers
    who both judged a finding gives one pair, so agreement can be measured with Cohen's kappa.
    """
    out: dict[str, list[tuple[bool, bool]]] = {}
    for item in consensus(current).values():
        judged = [a for a in item.decisions if a.decision in ("confirm", "dismiss", "relabel")]
        for i, first in enumerate(judged):
            for second in judged[i + 1 :]:
                out.setdefault(first.category, []).append(
                    (first.decision == "confirm", second.decision == "confirm")
                )
    return out
