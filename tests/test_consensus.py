"""Which reviewer decision counts (analyzer.consensus): agreement, conflict, adjudication."""

from __future__ import annotations

from dataclasses import replace

import pytest

from analyzer.consensus import (
    Consensus,
    consensus,
    current_decisions,
    disputed,
    finding_key,
    pairs_by_category,
    resolved_decisions,
    verdict,
)
from analyzer.types import Annotation

SHA = "a" * 64
OTHER_SHA = "b" * 64


def decision(
    reviewer: str,
    what: str,
    minute: int,
    *,
    finding: str | None = "f1",
    sha: str = SHA,
    **changes: object,
) -> Annotation:
    """A decision by `reviewer` on finding `finding` (an ambiguity/vague_term phrase)."""
    annotation = Annotation(
        document_sha256=sha,
        document_name="p.txt",
        start=10,
        end=20,
        text="reasonable",
        sentence="Response times will be reasonable.",
        finding_id=finding,
        category="ambiguity",
        type="vague_term",
        decision=what,
        reviewer=reviewer,
        created_at=f"2026-11-25T18:{minute:02d}:00Z",
    )
    return replace(annotation, **changes)  # type: ignore[arg-type]


def relabel(reviewer: str, minute: int, type_: str, severity: str | None = None) -> Annotation:
    """A relabel of finding f1 to ambiguity/`type_`."""
    return decision(
        reviewer,
        "relabel",
        minute,
        new_category="ambiguity",
        new_type=type_,
        new_severity=severity,
    )


def added(reviewer: str, minute: int, start: int = 30, type_: str = "placeholder") -> Annotation:
    """A span `reviewer` added (no finding id)."""
    return decision(
        reviewer,
        "add",
        minute,
        finding=None,
        start=start,
        end=start + 3,
        text="TBD",
        type=type_,
        new_category="ambiguity",
        new_type=type_,
        new_severity="high",
    )


def only(history: list[Annotation]) -> Consensus:
    """The one finding's consensus of `history` (fails when there is not exactly one)."""
    found = consensus(current_decisions(history))
    assert len(found) == 1, found
    return next(iter(found.values()))


# -- agreement ---------------------------------------------------------------------------------


def test_consensus_agreement_resolves_to_latest_decision() -> None:
    first = decision("alice", "confirm", 1, comment="clear enough")
    second = decision("bob", "confirm", 2, reason="other words", comment="agree")
    item = only([first, second])
    assert not item.conflict
    assert not item.disputed
    assert item.reviewers == ("alice", "bob")
    assert item.resolved == second
    assert resolved_decisions(current_decisions([first, second])) == [second]
    assert disputed(current_decisions([first, second])) == []


def test_consensus_single_reviewer_is_resolved() -> None:
    one = decision("alice", "dismiss", 1)
    assert only([one]).resolved == one


# -- conflict ----------------------------------------------------------------------------------


def test_consensus_conflict_is_unresolved_and_disputed() -> None:
    history = [decision("alice", "confirm", 1), decision("bob", "dismiss", 2)]
    item = only(history)
    assert item.conflict
    assert item.disputed
    assert item.resolved is None
    assert resolved_decisions(current_decisions(history)) == []
    assert [c.key for c in disputed(current_decisions(history))] == [item.key]


def test_consensus_conflict_on_one_finding_leaves_others_resolved() -> None:
    history = [
        decision("alice", "confirm", 1),
        decision("bob", "dismiss", 2),
        decision("alice", "dismiss", 3, finding="f2"),
        decision("bob", "dismiss", 4, finding="f2"),
    ]
    resolved = resolved_decisions(current_decisions(history))
    assert [(a.finding_id, a.reviewer) for a in resolved] == [("f2", "bob")]
    assert [c.key[1] for c in disputed(current_decisions(history))] == ["f1"]


# -- adjudication ------------------------------------------------------------------------------


def test_consensus_adjudication_wins_and_clears_the_dispute() -> None:
    ruling = decision("admin", "dismiss", 5, adjudicated=True, comment="out of scope")
    history = [decision("alice", "confirm", 1), relabel("bob", 2, "subjective"), ruling]
    item = only(history)
    assert item.conflict  # the reviewers still disagree...
    assert not item.disputed  # ...but an admin has ruled
    assert item.adjudication == ruling
    assert item.resolved == ruling
    assert item.reviewers == ("alice", "bob")  # the adjudicator is not a reviewer
    assert resolved_decisions(current_decisions(history)) == [ruling]
    assert disputed(current_decisions(history)) == []


def test_consensus_adjudication_overrides_agreement() -> None:
    ruling = decision("admin", "dismiss", 3, adjudicated=True)
    history = [decision("alice", "confirm", 1), decision("bob", "confirm", 2), ruling]
    assert only(history).resolved == ruling


def test_consensus_latest_adjudication_wins() -> None:
    early = decision("admin", "dismiss", 3, adjudicated=True)
    late = decision("root", "confirm", 4, adjudicated=True)
    history = [decision("alice", "confirm", 1), decision("bob", "dismiss", 2), late, early]
    # Given out of time order, the later ruling still wins.
    assert only(history).resolved == late


def test_consensus_admin_decision_and_adjudication_are_kept_apart() -> None:
    own = decision("admin", "confirm", 1)
    other = decision("bob", "dismiss", 2)
    ruling = decision("admin", "dismiss", 3, adjudicated=True)
    current = current_decisions([own, other, ruling])
    assert current == [own, other, ruling]
    item = only([own, other, ruling])
    assert item.decisions == (own, other)
    assert item.adjudication == ruling


# -- relabels ----------------------------------------------------------------------------------


def test_consensus_relabel_to_different_labels_is_a_conflict() -> None:
    item = only([relabel("alice", 1, "subjective"), relabel("bob", 2, "escape_clause")])
    assert item.conflict and item.disputed
    assert item.resolved is None


def test_consensus_relabel_to_the_same_label_agrees() -> None:
    later = relabel("bob", 2, "subjective")
    item = only([relabel("alice", 1, "subjective"), later])
    assert not item.conflict
    assert item.resolved == later


def test_consensus_relabel_with_different_severity_is_a_conflict() -> None:
    item = only([relabel("alice", 1, "subjective", "low"), relabel("bob", 2, "subjective", "high")])
    assert item.conflict


def test_consensus_verdict_ignores_new_labels_of_non_relabel_decisions() -> None:
    stray = decision("alice", "confirm", 1, new_category="commitment", new_type="deadline")
    assert verdict(stray) == ("confirm", None, None, None)
    assert not only([stray, decision("bob", "confirm", 2)]).conflict


# -- a reviewer changing their mind ------------------------------------------------------------


def test_consensus_same_reviewer_changing_mind_uses_latest() -> None:
    history = [
        decision("alice", "confirm", 1),
        decision("alice", "dismiss", 2),
        decision("bob", "dismiss", 3),
    ]
    current = current_decisions(history)
    assert [(a.reviewer, a.decision) for a in current] == [("alice", "dismiss"), ("bob", "dismiss")]
    item = only(history)
    assert not item.conflict
    assert item.resolved == history[2]


def test_consensus_changed_mind_can_create_a_conflict() -> None:
    history = [
        decision("alice", "dismiss", 1),
        decision("bob", "dismiss", 2),
        decision("alice", "confirm", 3),
    ]
    assert only(history).disputed


def test_consensus_current_decisions_ordered_by_latest_decision() -> None:
    history = [
        decision("alice", "confirm", 1),
        decision("bob", "confirm", 2),
        decision("alice", "dismiss", 3),
    ]
    assert [a.reviewer for a in current_decisions(history)] == ["bob", "alice"]


# -- keys --------------------------------------------------------------------------------------


def test_consensus_added_spans_are_keyed_by_span_and_label() -> None:
    same_a, same_b = added("alice", 1), added("bob", 2)
    elsewhere = added("bob", 3, start=40)
    other_label = added("carol", 4, type_="vague_term")
    assert finding_key(same_a) == (SHA, None, 30, 33, "ambiguity", "placeholder")
    assert finding_key(same_a) == finding_key(same_b)
    found = consensus(current_decisions([same_a, same_b, elsewhere, other_label]))
    assert len(found) == 3
    agreed = found[finding_key(same_a)]
    assert agreed.reviewers == ("alice", "bob")
    assert agreed.resolved == same_b


def test_consensus_finding_ids_are_keyed_per_document() -> None:
    here = decision("alice", "confirm", 1)
    there = decision("bob", "dismiss", 2, sha=OTHER_SHA)
    found = consensus(current_decisions([here, there]))
    assert len(found) == 2
    assert disputed(current_decisions([here, there])) == []


def test_consensus_finding_key_ignores_span_when_finding_id_is_set() -> None:
    a = decision("alice", "confirm", 1)
    b = decision("bob", "confirm", 2, start=11, end=21)
    assert finding_key(a) == finding_key(b) == (SHA, "f1", None, None, None, None)


# -- pairs for agreement -----------------------------------------------------------------------


def test_consensus_pairs_by_category_pairs_every_two_reviewers() -> None:
    history = [
        decision("alice", "confirm", 1),
        decision("bob", "dismiss", 2),
        relabel("carol", 3, "subjective"),
        # A commitment finding judged by two reviewers who agree.
        decision("alice", "confirm", 4, finding="f2", category="commitment", type="deadline"),
        decision("bob", "confirm", 5, finding="f2", category="commitment", type="deadline"),
        # Judged by one reviewer only: no pair.
        decision("alice", "dismiss", 6, finding="f3"),
    ]
    pairs = pairs_by_category(current_decisions(history))
    assert sorted(pairs) == ["ambiguity", "commitment"]
    assert pairs["ambiguity"] == [(True, False), (True, False), (False, False)]
    assert pairs["commitment"] == [(True, True)]


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param(decision("admin", "dismiss", 9, adjudicated=True), id="adjudication"),
        pytest.param(added("bob", 9), id="added-span"),
    ],
)
def test_consensus_pairs_by_category_leaves_out(extra: Annotation) -> None:
    history = [decision("alice", "confirm", 1), added("alice", 2), extra]
    assert pairs_by_category(current_decisions(history)) == {}


def test_consensus_pairs_use_current_decisions_only() -> None:
    history = [
        decision("alice", "dismiss", 1),
        decision("bob", "confirm", 2),
        decision("alice", "confirm", 3),
    ]
    assert pairs_by_category(current_decisions(history)) == {"ambiguity": [(True, True)]}
