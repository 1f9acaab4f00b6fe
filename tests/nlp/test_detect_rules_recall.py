"""Rule detectors: wording added for recall, and the guards that keep it precise.

Each positive has a negative next to it: the wording a careful reviewer would flag, and the
use of the same words that is not about the work (LABELLING.md, corpus GUIDELINES.md).
"""

from __future__ import annotations

import pytest

from analyzer.nlp import detect
from analyzer.types import Block, Document
from tests.nlp.test_detect import _phrases, _types, make_document


def _heading_findings(heading: str) -> set[tuple[str, str]]:
    """(category, type) of the findings on a document made of one heading block."""
    block = Block("heading", 0, len(heading), heading, section=(heading,))
    doc = Document("h.txt", "txt", heading, (block,), "0" * 64)
    return {(f.category, f.type) for f in detect(doc).findings}


def _texts(text: str, section: str | None = None) -> list[str]:
    return [phrase.lower() for phrase, _ in _phrases(text, section)]


# --------------------------------------------------------------------------- ambiguity


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("The contractor shall continuously deliver new features.", "continuously"),
        ("The portal must be secure.", "secure"),
        ("The vendor will provide basic training to the staff.", "basic"),
        ("It is anticipated that the vendor will migrate the data.", "it is anticipated"),
        ("The team will ideally run the pilot in two regions.", "ideally"),
        ("The vendor will attempt to reuse the existing components.", "will attempt to"),
        ("Additional tasks will be performed as the need arises.", "as the need arises"),
        ("The contractor shall furnish any necessary documentation.", "necessary"),
        ("The vendor will use proven, commodity solutions.", "proven"),
        ("The work must be completed to the satisfaction of the Agency.", "to the satisfaction of"),
        ("Reports will cover capacity, latency and more.", "and more"),
        ("The vendor will support a variety of devices.", "a variety of"),
        ("The team will pursue further improvements to the dashboard.", "further improvements"),
        ("Customer will pay each invoice within [ # ] days.", "[ # ]"),
        ("Fee for the pilot: {fees}", "{fees}"),
        ("The vendor will review all future changes to the platform.", "all future changes"),
    ],
)
def test_detect_ambiguity_added_wording(text: str, phrase: str) -> None:
    assert phrase in _texts(text)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        # A figure far away in the sentence does not pin the vague word down.
        (
            "The vendor will promptly fix reported defects in the reporting module, and the "
            "client pays each invoice within 30 days.",
            "promptly",
        ),
        # "notice" / "notwithstanding" are contract words, not boilerplate about the work.
        ("Notwithstanding the above, the vendor will provide reasonable support.", "reasonable"),
        ("Upon notice, the vendor will provide adequate staff.", "adequate"),
    ],
)
def test_detect_ambiguity_guards_do_not_suppress_real_hits(text: str, phrase: str) -> None:
    assert phrase in _texts(text)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        # Pinned down right next to the vague word.
        ("The vendor will respond promptly, within 2 business days.", "promptly"),
        # Predicative / post-nominal "necessary" names no open set of items.
        ("The vendor has all rights necessary to perform the Services.", "necessary"),
        ("Updates to the library may become necessary later in the year.", "necessary"),
        # Legal idioms with "reasonable".
        ("Delays caused by events beyond the reasonable control of the vendor.", "reasonable"),
        ("Upon reasonable notice, the vendor may substitute personnel.", "reasonable"),
        # Change control and referential "such" are no open scope.
        ("Any changes to the scope must be agreed in writing by the parties.", "any changes"),
        ("The costs of any such changes shall be added to the Contract Price.", "any such changes"),
        (
            "The PO shall not certify performance until all defects have been corrected.",
            "all defects",
        ),
        # A catch-all inside an exclusion narrows the scope instead of widening it.
        ("The vendor shall not be required to furnish service at any other location.", "any other"),
        # Signature-block fields are names, not scope.
        ("| Print Name | {provider_signatory_name} |", "{provider_signatory_name}"),
        # Redaction marks are never placeholders.
        ("Printers $[***] are available on request.", "[***]"),
    ],
)
def test_detect_ambiguity_false_alarms_stay_quiet(text: str, phrase: str) -> None:
    assert phrase not in _texts(text)


# --------------------------------------------------------------------------- commitment


@pytest.mark.parametrize(
    "heading",
    [
        "Milestone 1 - Block production PoC",
        "M2: Perform ceremonies with mobile phone app",
        "Week 1: Ramp-up into FEVM",
        "Phase 2: scale-out from a 15-node cluster to a 50-node cluster",
        "Deploy IPFS Nodes `1 week`",
        "Performance improvements: (3 weeks) 30,000€",
    ],
)
def test_detect_named_milestone_heading_is_deliverable(heading: str) -> None:
    assert ("commitment", "deliverable") in _heading_findings(heading)


@pytest.mark.parametrize(
    "heading",
    [
        "Milestone 1",
        "Phase 2 (Draft)",
        "M3: (Kusama Parachain)",
        "Development Roadmap (3 months)",
        "Total Budget Requested for Phase 1",
        "Deliverables",
    ],
)
def test_detect_bare_or_summary_heading_is_no_commitment(heading: str) -> None:
    assert not any(c == "commitment" for c, _ in _heading_findings(heading))


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("Wildform will continue to respond to customer support email questions.", None),
        ("MMMW will take customer technical calls and route them to the support desk.", None),
        ("Copies of the warranty will be provided to the Customer.", None),
        ("MMMW accepts responsibility for all work performed.", None),
        ("Users will be able to browse ideas and proposals.", "Milestone 1"),
        (
            "On2 may send technical support inquiries via email to Wildform and Wildform "
            "shall respond within 48 hours.",
            None,
        ),
        ("We propose a migration tool that imports account balances.", None),
    ],
)
def test_detect_commitment_added_cues(text: str, section: str | None) -> None:
    assert _types(text, "commitment", section)


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("This Agreement shall continue in full force for two years.", None),
        ("We retain the right, in our sole discretion, to implement new elements.", None),
        (
            "We would like to continue with further development after M4, but this is out "
            "of scope for this proposal.",
            "Maintenance and Upgrade Plans",
        ),
        ("Access to the Rust SDK roadmap and development team is granted.", "Milestone 1"),
        ("Any changes to the scope must be agreed in writing by the parties.", None),
        ("Provider and Customer agree to calculate availability monthly.", None),
    ],
)
def test_detect_commitment_false_alarms_stay_quiet(text: str, section: str | None) -> None:
    assert not _types(text, "commitment", section)


def test_detect_joint_subject_is_no_client_assumption() -> None:
    text = "Provider and Customer agree to calculate availability monthly."
    assert not _types(text, "assumption")
    assert _types("Customer agrees to provide test data.", "assumption")


def test_detect_users_of_the_product_are_no_client() -> None:
    text = "Users will be able to browse ideas and proposals."
    assert not _types(text, "assumption", "Milestone 1")
    assert _types("The user is given a confirmation email.", "commitment")
    # Terms-of-service duties of the user bind neither side (corpus GUIDELINES.md decision 1).
    for duty in ("Users shall comply with the acceptable use policy.", "Users must not spam."):
        assert not _types(duty, "commitment")
        assert not _types(duty, "assumption")


def test_detect_shall_have_the_result_is_a_commitment() -> None:
    text = "HDI shall have the Site fully operational no later than sixty (60) days."
    assert _types(text, "commitment")
    assert not _types("The Customer shall have the right to audit the records.", "commitment")


# --------------------------------------------------------------------------- scope statements


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Correction of errors is subject to MORPHO's prompt notification.", True),
        ("The support agreement will be subject to prior inspection of the hardware.", True),
        ("Swap equipment is subject to availability.", False),
        ("Services are provided subject to the terms and conditions of this Agreement.", False),
        ("All charges are subject to change on thirty days written notice.", False),
        ("We will require 3 months to complete this project.", False),
    ],
)
def test_detect_subject_to_assumption(text: str, expected: bool) -> None:
    assert bool(_types(text, "assumption")) is expected


def test_detect_assumption_label_line_is_no_statement() -> None:
    assert not _types("**Assumptions/Pre-Requirements**", "assumption", "Milestone 1")
    assert _types("We assume the client provides API access.", "assumption", "Milestone 1")


def test_detect_exclusion_added_wording() -> None:
    assert _types("Note the following tasks are not required:", "exclusion")
    assert ("exclusion", "exclusion") in _heading_findings("Out of scope: council voting")
    assert not _heading_findings("Out of scope")


def test_make_document_still_places_text_after_heading() -> None:
    doc = make_document("The vendor will deliver.", "Deliverables")
    assert doc.blocks[-1].text == "The vendor will deliver."
