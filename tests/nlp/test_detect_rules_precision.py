"""Rule detectors, precision round: wording that used to raise a false alarm stays quiet.

Each guard has a negative case (the false alarm it removes) and, where the cue is kept, a
positive case the guard must not silence (LABELLING.md, corpus GUIDELINES.md).
"""

from __future__ import annotations

import pytest

from tests.nlp.test_detect import _phrases, findings_of, make_document


def _has(text: str, category: str, section: str | None = None) -> bool:
    return bool(findings_of(make_document(text, section), category))


def _texts(text: str) -> list[str]:
    return [phrase.lower() for phrase, _ in _phrases(text)]


# --------------------------------------------------------------------------- estimate


@pytest.mark.parametrize(
    "text",
    [
        # No figure at all: not an effort, duration or cost estimate.
        "TELKOM will benefit through a lower total cost of ownership.",
        "Releases can be mitigated by the size of teams working on the overall effort.",
        # A contract term length, not a planned duration (LABELLING.md, estimate).
        "BASE PERIOD: 6 months",
    ],
)
def test_precision_estimate_needs_a_figure(text: str) -> None:
    assert not _has(text, "estimate")


def test_precision_estimate_with_figure_still_found() -> None:
    assert _has("Total cost: 30,000 USD.", "estimate")


# --------------------------------------------------------------------------- exclusion


@pytest.mark.parametrize(
    "text",
    [
        # A price promise, not work billed outside the base fee.
        "The Supplier shall deliver new releases to the designated sites at no extra cost.",
        "The Vendor shall provide all updates free of additional charge.",
        # A change-order procedure that does not price scope changes.
        "Provider or Customer may amend any SOW by entering a Change Order.",
        # "except for the …" refers back to terms, not to work taken out of scope.
        "Provider and Customer have not changed the Standard Terms except for the details above.",
        "Except for the prorated refund of prepaid Fees, Fees are non-refundable.",
        # A reference to an exclusion list is not itself an exclusion.
        "The Customer must back up its data (see exclusions 4b).",
    ],
)
def test_precision_exclusion_quiet(text: str) -> None:
    assert not _has(text, "exclusion")


@pytest.mark.parametrize(
    "text",
    [
        "Wildform shall respond within 48 hours, except for holidays and weekends.",
        "Any changes to the scope of work must be agreed through a change request.",
        "Travel is billed separately.",
    ],
)
def test_precision_exclusion_still_found(text: str) -> None:
    assert _has(text, "exclusion")


# --------------------------------------------------------------------------- assumption


@pytest.mark.parametrize(
    "text",
    [
        # The client's oversight or legal compliance is no dependency of the plan.
        "The COR will monitor compliance and report to the Procurement Project Manager.",
        "The Customer shall comply with applicable laws, standards, policies, and procedures.",
        "The Government will appoint an Award Term Determining Official.",
    ],
)
def test_precision_client_oversight_is_no_assumption(text: str) -> None:
    assert not _has(text, "assumption")


def test_precision_client_dependency_still_assumption() -> None:
    assert _has("The Agency will provide access to the staging servers.", "assumption")


# --------------------------------------------------------------------------- ambiguity


def test_precision_or_related_is_not_open_ended() -> None:
    text = "Provider will provide the source code or related information of that software."
    assert "or related" not in _texts(text)


def test_precision_such_as_yields_to_etc() -> None:
    text = "The Contractor shall replace consumable items such as tapes, toners, etc."
    phrases = _texts(text)
    assert "such as" not in phrases
    assert any("etc" in p for p in phrases)


def test_precision_such_as_without_etc_still_found() -> None:
    text = "The Contractor shall migrate legacy data such as names and addresses."
    assert "such as" in _texts(text)
