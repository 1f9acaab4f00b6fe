"""Rule detectors, second round: who is bound, scope items, client terms, fees, vague wording.

Each change has a positive and a negative case: the wording the labelling guide asks the rules
to flag, and the nearby wording that must stay quiet (LABELLING.md, corpus GUIDELINES.md).
"""

from __future__ import annotations

import pytest

from analyzer.nlp import detect
from analyzer.nlp.components import is_subheading_fragment
from tests.nlp.test_detect import _phrases, findings_of, make_document


def _has(text: str, category: str, section: str | None = None, kind: str = "paragraph") -> bool:
    return bool(findings_of(make_document(text, section, kind), category))


def _texts(text: str, section: str | None = None) -> list[str]:
    return [phrase.lower() for phrase, _ in _phrases(text, section)]


# --------------------------------------------------------------------------- commitment


@pytest.mark.parametrize(
    ("text", "section", "kind"),
    [
        # A named subject with "of" takes the party of its head word.
        ("Acme of Berlin will deliver the reporting module.", None, "paragraph"),
        # The Servicing Agency does the work; "Agency" alone would be the client.
        (
            "The Servicing Agency shall deliver to the Requesting Agency the following:",
            None,
            "paragraph",
        ),
        # "Client-side" is a compound, not the client.
        ("Client-side rendering must conform with WCAG 2.0, level AA.", None, "paragraph"),
        # "shall be responsible for" binds the vendor (no longer a legal state).
        (
            "LMG shall be responsible for all expenses it incurs under this Agreement.",
            None,
            "paragraph",
        ),
        # A verbless scope item under a scope heading.
        ("Data import of records collected from legacy systems", "Scope", "paragraph"),
        # "should" with the work as subject, even with a client name later on.
        (
            "- APIs should comply with the 18F API standards",
            "Additional requirements:",
            "list_item",
        ),
        # A numbered work item outside any known section.
        ("2. Development of a logo based on the unique corporate style.", "Exhibit A", "list_item"),
        # "(or not)" and a negation in a subordinate clause negate nothing; "substrate
        # client" is software.
        (
            "| 3. | Update substrate client | Modify the substrate code to ask a remote service "
            "for permission (or not) for submitting blocks |",
            "Milestone 1 - Block production PoC",
            "table_row",
        ),
        ("Show that it isn’t signed by the signer", "M2: Demonstrate Stage2", "list_item"),
        # "state" as a common noun is no client.
        ("Confidential state updates will be implemented with SubstraTEE.", None, "paragraph"),
        # A title-case work item in a milestone section stays a deliverable.
        ("Update Assemblyscript FAQ", "Milestone 4 - Reaching the developers", "paragraph"),
        # Controls for the quiet cases below.
        ("The vendor will start the migration on 1 May.", None, "paragraph"),
        ("We will deliver the mobile app in 3 months.", None, "paragraph"),
        (
            "All deliverables will be inspected by the contractor before delivery.",
            None,
            "paragraph",
        ),
        ("Updates will be provided to the Customer every month.", None, "paragraph"),
        ("The tool offers a command line interface.", "Deliverables", "paragraph"),
        ("The contractor will notify the PO of any delay.", None, "paragraph"),
        ("Our technical team will review the request.", None, "paragraph"),
    ],
)
def test_round2_commitment_found(text: str, section: str | None, kind: str) -> None:
    assert _has(text, "commitment", section, kind)


@pytest.mark.parametrize(
    ("text", "section", "kind"),
    [
        # A negated subject binds nobody.
        ("No payment will be made until the contract is approved.", None, "paragraph"),
        ("(a) No such changes shall be made without prior authorization.", None, "list_item"),
        # Client-side roles and named client bodies.
        ("The State of Alaska will provide documentation on the data sources.", None, "paragraph"),
        ("The PO will verify that all invoiced services have been performed.", None, "paragraph"),
        ("The COR/ACOR and the TTS Product Lead will monitor compliance.", None, "paragraph"),
        # A client name before a generic vendor word ("team") makes it the client's team.
        ("The DHSS Technical Team will review the request.", None, "paragraph"),
        # Sub-headings standing alone.
        ("(a) SOFTWARE UPDATE SERVICE", "10. MAINTENANCE AND SUPPORT", "list_item"),
        ("Desktop Access and Configuration", "Requirement", "paragraph"),
        ("Period and Place of Performance", "Scope", "paragraph"),
        # Definitions, placeholders, ruled lines, notes to the reader.
        (
            '"SAN" means the storage area network environment provided by IBM.',
            "Exhibit",
            "paragraph",
        ),
        (
            "The period of performance start date of the acquisition is XX/XX/XXXX",
            "Scope",
            "paragraph",
        ),
        ("[Add Alaska language]", "Scope", "paragraph"),
        ("```\nX-axis: Liberal - Conservative\n```", "Scope", "paragraph"),
        ("Please refer to the QASP for detailed information.", "6.0 Deliverables", "paragraph"),
        ("[Drafting note: specify how the Provider will invoice the fees.]", None, "paragraph"),
        # The agreement, its term or an event as the subject.
        ("This Agreement will start on the Effective Date.", None, "paragraph"),
        (
            "The primary place of performance will be at the Contractor's facility.",
            None,
            "paragraph",
        ),
        # Resources the work needs, ownership, the vendor as recipient.
        ("We will require 3 months to complete this project.", None, "paragraph"),
        ("Inktomi will own all rights in and to Web Indexing Data.", None, "paragraph"),
        ("Any updates to the QASP will be provided to the Contractor.", None, "paragraph"),
        # A client agent far after the passive modal.
        (
            "All deliverables will be inspected for content, completeness, accuracy, and "
            "conformance with the Task Order requirements by the Government.",
            None,
            "paragraph",
        ),
        # Present tense in background describes, it does not promise.
        ("Raft offers a simple consensus mechanism.", "Background", "paragraph"),
        # Exclusions: not required / no responsibility / curly negation.
        (
            "E.piphany shall not be required to provide workarounds for problems caused by HSNS.",
            None,
            "paragraph",
        ),
        (
            "At no time will i-on take responsibility for interacting with the users.",
            None,
            "paragraph",
        ),
        ("We won’t deliver the mobile app.", None, "paragraph"),
        # A work noun outside a list, or in background, is no work item.
        ("Development of the product started in 2019.", "Exhibit A", "paragraph"),
        ("2. Development of the first prototype was funded in 2020.", "Background", "list_item"),
    ],
)
def test_round2_commitment_quiet(text: str, section: str | None, kind: str) -> None:
    assert not _has(text, "commitment", section, kind)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(a) SOFTWARE UPDATE SERVICE", True),
        ("Change Orders", True),
        ("Review and Acceptance", True),
        ("Update Assemblyscript FAQ", False),
        ("Public Beta 2", False),
        ("Automated testing", False),
        ("Software Update Service.", False),
    ],
)
def test_round2_is_subheading_fragment(text: str, expected: bool) -> None:
    assert is_subheading_fragment(text) is expected


# --------------------------------------------------------------------------- assumption


@pytest.mark.parametrize(
    ("text", "section", "kind"),
    [
        ("Fees shall be payable within thirty (30) days of invoice.", None, "paragraph"),
        (
            "TAG shall make payment within twenty (20) days after receipt of the invoice.",
            None,
            "paragraph",
        ),
        ("We will accept payment in EUR", "Development Roadmap", "paragraph"),
        ("Any amount not paid when due will bear interest at 1% per month.", None, "paragraph"),
        ("Customer is solely responsible for:", None, "paragraph"),
        ("You’re responsible for all applicable taxes.", None, "paragraph"),
        (
            "KCI shall promptly and fully cooperate with Provider to resolve all issues.",
            None,
            "paragraph",
        ),
        ("The availability of these pre-requirements is mandatory.", "Milestone 2", "paragraph"),
        (
            "Each Deliverable shall be deemed accepted ten (10) days after delivery.",
            None,
            "paragraph",
        ),
        (
            "Access to the Rust SDK roadmap and development team is granted.",
            "Milestone 1",
            "paragraph",
        ),
        ("The State of Alaska will provide documentation on the data sources.", None, "paragraph"),
        ("The state will make payments based on a negotiated payment schedule.", None, "paragraph"),
        # "Company" and "Partner" name either side: paying makes them the client.
        ("The Company shall pay HDI thirty percent of the Net Sales.", None, "paragraph"),
        ("Partner will pay Provider the Fees, if any.", None, "paragraph"),
        ("The DHSS Technical Team will review the request.", None, "paragraph"),
        (
            "All deliverables will be inspected for content, completeness, accuracy, and "
            "conformance with the Task Order requirements by the Government.",
            None,
            "paragraph",
        ),
        (
            "The Customer shall provide the site content.",
            "RESPONSIBILITIES OF THE CUSTOMER",
            "paragraph",
        ),
    ],
)
def test_round2_assumption_found(text: str, section: str | None, kind: str) -> None:
    assert _has(text, "assumption", section, kind)


@pytest.mark.parametrize(
    ("text", "section", "kind"),
    [
        # Fees in a liability cap are no payment terms.
        (
            "Liability is limited to the fees paid or payable by Customer in the 12 months "
            "before the claim.",
            None,
            "paragraph",
        ),
        ("Cooperation", "Services", "paragraph"),
        ("The portal is provided.", "Milestone 1", "paragraph"),
        ("The contractor shall be responsible for all training.", None, "paragraph"),
        ("Client-side rendering must conform with WCAG 2.0, level AA.", None, "paragraph"),
        ("Confidential state updates will be implemented with SubstraTEE.", None, "paragraph"),
        ("Our technical team will review the request.", None, "paragraph"),
        # A numbered clause title is a label; an exclusion in a client-duties section is none.
        ("5.0 Program Assumptions and Constraints", "4.0 Technical Direction", "paragraph"),
        (
            "At no time will i-on take responsibility for interacting with the users.",
            "RESPONSIBILITIES OF THE CUSTOMER",
            "paragraph",
        ),
    ],
)
def test_round2_assumption_quiet(text: str, section: str | None, kind: str) -> None:
    assert not _has(text, "assumption", section, kind)


# --------------------------------------------------------------------------- exclusion


@pytest.mark.parametrize(
    ("text", "section", "kind"),
    [
        (
            "XIMAGE reserves the right to charge an administration fee of $100 per shipment.",
            None,
            "paragraph",
        ),
        ("Hourly rate for intervention is $125.00.", None, "paragraph"),
        ("Additional administration services will be billed at $200 per hour.", None, "paragraph"),
        (
            "If the Contractor performs work before a modification, it does so at its own risk.",
            None,
            "paragraph",
        ),
        ("no proportional fees.", "Key Testnet Differences", "paragraph"),
        ("No government furnished property will be provided.", None, "paragraph"),
        (
            "Although our team won’t cover the merchandise cost, the event will go ahead.",
            None,
            "paragraph",
        ),
        (
            "(b) any version of the Product other than the current version;",
            "3.5 XACCT shall have no obligation to support:",
            "list_item",
        ),
        ("Provider is not responsible for the customer's network outages.", None, "paragraph"),
    ],
)
def test_round2_exclusion_found(text: str, section: str | None, kind: str) -> None:
    assert _has(text, "exclusion", section, kind)


@pytest.mark.parametrize(
    ("text", "section", "kind"),
    [
        ("No payment will be made until the contract is approved.", None, "paragraph"),
        ("No one has contributed to this project.", None, "paragraph"),
        ("XIMAGE will not charge for travel time.", None, "paragraph"),
        (
            "Charges for applicable Services will be specified in the Order Forms.",
            None,
            "paragraph",
        ),
        (
            "(b) any version of the Product released this year;",
            "3.5 Support obligations",
            "list_item",
        ),
        # A clause title is a label; the client's relief from the vendor's taxes is no
        # exclusion (corpus GUIDELINES.md tax-allocation-to-vendor-not-exclusion).
        ("5.7 EXCLUSIONS.", "5. MAINTENANCE", "paragraph"),
        ("However, Customer is not responsible for Provider’s income taxes.", "Taxes", "paragraph"),
    ],
)
def test_round2_exclusion_quiet(text: str, section: str | None, kind: str) -> None:
    assert not _has(text, "exclusion", section, kind)


# --------------------------------------------------------------------------- estimate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Total cost: 30,000 USD", True),
        ("The migration will take approximately 200 hours.", True),
        ("| Base Period | $20,000 |", True),
        ("$29.95 monthly maintenance and service fee", False),
        ("The surcharge for rush work shall be the standard hourly rate of $40.", False),
        ("Galacticomm must provide a person to correct problems 24 hours per day.", False),
        (
            "Work will be conducted in two-week sprints and reviewed at the end of each sprint.",
            False,
        ),
        ("Period of Performance: 12 months", False),
    ],
)
def test_round2_estimate(text: str, expected: bool) -> None:
    assert _has(text, "estimate") is expected


# --------------------------------------------------------------------------- ambiguity


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Deploy nodes on public clouds like GCP, Azure, or Digital Ocean", "like"),
        ("| Design Deliverables | End of every applicable sprint |", "every applicable sprint"),
        ("The vendor will assign qualified staff to the project.", "qualified"),
        ("The vendor will support browsers such as Chrome and Firefox.", "such as"),
        ("Refactor all relevant code before the release.", "relevant"),
        (
            "The contractor shall perform all work in a satisfactory manner in accordance "
            "with the requirements.",
            "satisfactory",
        ),
        ("Make the deployment as automated as possible.", "as automated as possible"),
        ("We will build the best product possible.", "best product possible"),
        ("Review the most important pain-points with the team.", "most important"),
        ("Alpha launch mid-late September", "mid-late"),
        ("We will polish the UI a bit before the release.", "a bit"),
        ("Deploy the services to a group of servers.", "a group of"),
        ("The page will be printer friendly.", "friendly"),
        ("The SDK will also support other languages.", "other languages"),
        ("We may modify the service at any time.", "may"),
        ("The vendor will do whatever is required to go live.", "whatever is required"),
    ],
)
def test_round2_ambiguity_found(text: str, phrase: str) -> None:
    assert phrase in _texts(text)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("We would like to continue, extend and document the work.", "like"),
        ("The vendor will comply with all applicable laws and regulations.", "all applicable"),
        ("The vendor has not qualified the hardware.", "qualified"),
        ("For example, users in the European Union have the right to object.", "for example"),
        ("Acceptance is based on the relevant Specification.", "relevant"),
        ("The team is as large as it was last year.", "as large as"),
        ("Most inquiries are entered via the support frontend.", "most"),
        ("Delivery on 30 September 2022", "mid-late"),
        ("We are a team with several years of experience.", "several"),
        ("If the service is stopped for whatever reason, the fees are refunded.", "whatever"),
        ("No other hardware or software will be provided by the Government.", "other software"),
        ("Other Applications", "other applications"),
        ("Customer may modify its order at any time.", "may"),
    ],
)
def test_round2_ambiguity_quiet(text: str, phrase: str) -> None:
    assert phrase not in _texts(text)


def test_round2_detect_runs_on_plain_documents() -> None:
    # The new cues (legal subjects, work nouns, access cues) leave an empty document alone.
    assert detect(make_document("")).findings == ()
