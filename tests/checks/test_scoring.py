"""Tests for analyzer.scoring.summarize: counts, a bounded monotone risk score, drivers."""

from __future__ import annotations

import itertools
import random

import pytest
from checks_helpers import make_finding

from analyzer.scoring import WORDS_FLOOR, count_words, summarize
from analyzer.types import Finding


def _ambiguity(n: int, severity: str = "high") -> list[Finding]:
    return [make_finding("ambiguity", "vague_term", severity, start=i, end=i + 1) for i in range(n)]


def _missing(type_: str, severity: str) -> Finding:
    return make_finding("missing", type_, severity, start=None, end=None, text=None, sentence=None)


def test_scoring_empty_findings_score_zero() -> None:
    assert summarize([]) == {
        "by_category": {},
        "by_severity": {},
        "risk_score": 0,
        "risk_drivers": [],
    }


def test_scoring_counts_only_non_zero_in_taxonomy_order() -> None:
    findings = [
        make_finding("missing", "missing_exclusions", "high", start=None, end=None),
        make_finding("exclusion", severity="info", start=5, end=9),
        *_ambiguity(2, "medium"),
    ]
    summary = summarize(findings)
    assert list(summary["by_category"].items()) == [
        ("ambiguity", 2),
        ("exclusion", 1),
        ("missing", 1),
    ]
    assert list(summary["by_severity"].items()) == [("high", 1), ("medium", 2), ("info", 1)]


@pytest.mark.parametrize("severity", ["high", "medium", "low"])
def test_scoring_more_findings_never_lower_the_score(severity: str) -> None:
    scores = [summarize(_ambiguity(n, severity))["risk_score"] for n in range(0, 60)]
    assert scores == sorted(scores)
    assert scores[-1] > scores[1] > scores[0] == 0


def test_scoring_more_high_findings_strictly_raise_an_unsaturated_score() -> None:
    scores = [summarize(_ambiguity(n))["risk_score"] for n in range(0, 6)]
    assert all(a < b for a, b in itertools.pairwise(scores))


def test_scoring_severity_orders_the_score() -> None:
    score = {s: summarize(_ambiguity(3, s))["risk_score"] for s in ("high", "medium", "low")}
    assert score["high"] > score["medium"] > score["low"] > 0
    assert summarize(_ambiguity(3, "info"))["risk_score"] == 0


def test_scoring_is_capped_at_100() -> None:
    findings = _ambiguity(2000) + [
        _missing(t, "high") for t in ("missing_exclusions", "missing_acceptance")
    ]
    summary = summarize(findings, words=10)
    assert summary["risk_score"] == 100
    assert isinstance(summary["risk_score"], int)


def test_scoring_is_deterministic_and_order_independent() -> None:
    findings = [
        *_ambiguity(7, "medium"),
        make_finding("commitment", "unbounded", "high", start=50, end=90),
        make_finding("commitment", "guarantee", "high", start=100, end=140),
        make_finding("assumption", severity="info", start=200, end=230),
        _missing("missing_change_control", "medium"),
    ]
    expected = summarize(findings, words=2500)
    shuffled = findings[:]
    random.Random(7).shuffle(shuffled)
    assert summarize(shuffled, words=2500) == expected
    assert summarize(findings, words=2500) == expected


def test_scoring_missing_safeguards_weigh_by_severity() -> None:
    high = summarize([_missing("missing_exclusions", "high")])["risk_score"]
    medium = summarize([_missing("missing_assumptions", "medium")])["risk_score"]
    assert high > medium > 0


def test_scoring_missing_safeguards_do_not_shrink_with_length() -> None:
    findings = [_missing("missing_acceptance", "high")]
    assert (
        summarize(findings, words=500)["risk_score"]
        == summarize(findings, words=50_000)["risk_score"]
    )


def test_scoring_density_normalises_long_documents_with_a_floor() -> None:
    findings = _ambiguity(5)
    short = summarize(findings, words=100)["risk_score"]
    assert short == summarize(findings, words=WORDS_FLOOR)["risk_score"]  # floor: not inflated
    assert short == summarize(findings)["risk_score"]  # no length = the floor
    assert summarize(findings, words=20_000)["risk_score"] < short


def test_scoring_unbounded_and_guarantee_commitments_weigh_more() -> None:
    def score(type_: str) -> int:
        return summarize([make_finding("commitment", type_, "medium")])["risk_score"]

    assert score("unbounded") > score("guarantee") > score("deliverable") > 0


def test_scoring_exclusions_and_assumptions_lower_but_never_cancel() -> None:
    problems = _ambiguity(4, "medium")
    good = [make_finding("exclusion", severity="info", start=500 + i) for i in range(30)]
    base = summarize(problems)["risk_score"]
    with_good = summarize(problems + good)
    assert 0 < with_good["risk_score"] < base
    assert with_good["risk_drivers"][-1] == "30 exclusion/assumption statements lower the score"
    # A new problem still raises the score even with plenty of credit available.
    assert summarize([*problems, *_ambiguity(1), *good])["risk_score"] > with_good["risk_score"]


def test_scoring_confidence_scales_the_weight() -> None:
    sure = summarize([make_finding("ambiguity", "vague_term", "high", confidence=1.0)])
    unsure = summarize([make_finding("ambiguity", "vague_term", "high", confidence=0.3)])
    assert sure["risk_score"] > unsure["risk_score"] > 0


def test_scoring_drivers_explain_the_largest_contribution_first() -> None:
    findings = [
        *_ambiguity(2, "medium"),
        make_finding("commitment", "unbounded", "high", start=70, end=80),
        _missing("missing_change_control", "medium"),
        _missing("missing_exclusions", "high"),
    ]
    drivers = summarize(findings)["risk_drivers"]
    assert drivers[0] == "2 missing safeguards: exclusions, change control"
    assert drivers[1] == "1 unbounded commitment"
    assert drivers[2].startswith("2 ambiguous phrases (2 medium; mostly vague term)")


@pytest.mark.parametrize(("text", "words"), [("", 0), ("one", 1), (" a  b\n\nc\td ", 4)])
def test_scoring_count_words(text: str, words: int) -> None:
    assert count_words(text) == words
