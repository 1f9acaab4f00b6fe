"""Tests for analyzer.report.handover_terms: when / measure / price terms and promise flags."""

from __future__ import annotations

import re

import pytest

from analyzer.report.handover_terms import (
    MEASURE_PATTERNS,
    PRICE_PATTERNS,
    WHEN_PATTERNS,
    Terms,
    extract_terms,
    guarantee_words,
    is_measurable,
    unbounded_words,
)


@pytest.mark.parametrize(
    ("sentence", "when"),
    [
        ("Go-live within 6 weeks of kick-off.", ("within 6 weeks of kick-off",)),
        ("The runbook is delivered by 15 March 2027.", ("by 15 March 2027",)),
        ("M2 | Configured workflow | Week 5", ("Week 5",)),
        ("API access is provided before week 2.", ("before week 2",)),
        (
            "Go-live within 6 weeks of kick-off, and hypercare for 30 days after go-live.",
            ("within 6 weeks of kick-off", "for 30 days after go-live"),
        ),
        ("Delivery no later than 2027-03-15.", ("no later than 2027-03-15",)),
        ("The portal goes live in Q3 2027.", ("Q3 2027",)),
        ("The discovery phase will take about 2 weeks.", ("about 2 weeks",)),
        ("Approval within 5 working days.", ("within 5 working days",)),
        (
            "Go live within twelve weeks of contract signature.",
            ("within twelve weeks of contract signature",),
        ),
    ],
)
def test_handover_terms_when(sentence: str, when: tuple[str, ...]) -> None:
    assert extract_terms(sentence).when == when


@pytest.mark.parametrize(
    ("sentence", "measure"),
    [
        ("The system will be available 99.9% of the time.", ("99.9% of the time",)),
        (
            "We provide 24/7 support with a response within 2 hours.",
            ("24/7", "response within 2 hours"),
        ),
        (
            "The Contractor shall respond to severity-1 incidents within 1 hour.",
            ("respond to severity-1 incidents within 1 hour",),
        ),
        ("We will configure up to 40 request forms.", ("up to 40 request forms",)),
        ("The effort is estimated at 120 person-days.", ("120 person-days",)),
        ("Support of 20 hours per month is included.", ("20 hours per month",)),
        ("Knowledge base set-up with 50 starter articles.", ("50 starter articles",)),
        ("Two FTE are assigned for 6 months.", ("Two FTE",)),
    ],
)
def test_handover_terms_measure(sentence: str, measure: tuple[str, ...]) -> None:
    assert extract_terms(sentence).measure == measure


@pytest.mark.parametrize(
    ("sentence", "price"),
    [
        ("The work is offered at a fixed price of USD 96,000.", ("fixed price", "USD 96,000")),
        (
            "Unlimited revisions at no additional cost, for EUR 180,000.",
            ("at no additional cost", "EUR 180,000"),
        ),
        ("Training is free of charge.", ("free of charge",)),
        (
            "Budget: $1.2 million, billed on time and materials.",
            ("$1.2 million", "time and materials"),
        ),
        (
            "The fees are 5,000 EUR, payable in three instalments.",
            ("5,000 EUR", "payable in three instalments"),
        ),
        ("Hosting is included in the price.", ("included in the price",)),
    ],
)
def test_handover_terms_price(sentence: str, price: tuple[str, ...]) -> None:
    assert extract_terms(sentence).price == price


def test_handover_terms_kinds_do_not_overlap() -> None:
    # "within 1 hour" is a response time (measure), never also a deadline (when).
    terms = extract_terms("Respond within 1 hour and deliver within 3 weeks for USD 5,000.")
    assert terms == Terms(
        when=("within 3 weeks",), measure=("Respond within 1 hour",), price=("USD 5,000",)
    )


def test_handover_terms_empty_and_none() -> None:
    assert extract_terms(None) == Terms()
    assert not extract_terms("We will implement a ticketing workflow.")
    assert not Terms()


def test_handover_terms_duplicates_once_in_order() -> None:
    terms = extract_terms("Week 5 and week 5 again, then Week 7.")
    assert terms.when == ("Week 5", "Week 7")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Go-live within 6 weeks.", True),
        ("Availability of 99.9%.", True),
        ("We deliver two training sessions.", True),
        ("Ongoing optimisation of the workflows as needed.", False),
        ("", False),
        (None, False),
    ],
)
def test_handover_terms_is_measurable(sentence: str | None, expected: bool) -> None:
    assert is_measurable(sentence) is expected


def test_handover_terms_unbounded_and_guarantee_words() -> None:
    assert unbounded_words("Unlimited revisions and any and all integrations.") == (
        "Unlimited",
        "any and all",
    )
    assert guarantee_words("Brightpath guarantees zero defects and 100% uptime.") == (
        "guarantees",
        "zero defects",
        "100%",
    )
    assert unbounded_words("Two revisions.") == ()
    assert guarantee_words(None) == ()


@pytest.mark.parametrize("pattern", [*WHEN_PATTERNS, *MEASURE_PATTERNS, *PRICE_PATTERNS])
def test_handover_terms_patterns_compile_and_never_match_empty(pattern: str) -> None:
    compiled = re.compile(pattern, re.IGNORECASE)
    assert compiled.fullmatch("") is None
