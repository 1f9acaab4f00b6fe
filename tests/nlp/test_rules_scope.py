"""The scope-statement detector (`analyzer.nlp.rules.scope`): exclusions, assumptions and
estimates, and the guards that keep legal wording, labels and response times out.

Each case pairs the wording the labelling guide asks the rules to flag with nearby wording that
must stay quiet (LABELLING.md, corpus GUIDELINES.md).
"""

from __future__ import annotations

import pytest

from tests.nlp.test_detect import _types, has_finding, heading_findings


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
def test_scope_assumption_found(text: str, section: str | None, kind: str) -> None:
    assert has_finding(text, "assumption", section, kind)


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
def test_scope_assumption_quiet(text: str, section: str | None, kind: str) -> None:
    assert not has_finding(text, "assumption", section, kind)


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
def test_scope_exclusion_found(text: str, section: str | None, kind: str) -> None:
    assert has_finding(text, "exclusion", section, kind)


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
def test_scope_exclusion_quiet(text: str, section: str | None, kind: str) -> None:
    assert not has_finding(text, "exclusion", section, kind)


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
def test_scope_estimate(text: str, expected: bool) -> None:
    assert has_finding(text, "estimate") is expected


@pytest.mark.parametrize(
    "text",
    [
        "Igor, the lead developer, has about 20 years of experience with Java.",
        "Our architects have approximately 15 years' experience in payment systems.",
        "The company has around 30 years in the industry.",
    ],
)
def test_scope_years_of_experience_are_no_estimate(text: str) -> None:
    # A person's or a company's experience is a qualification, not a duration of the work.
    assert not has_finding(text, "estimate", "Team")


@pytest.mark.parametrize(
    "text",
    [
        "The migration will take about 6 months.",
        "We expect the rollout to take approximately 3 years of phased work.",
    ],
)
def test_scope_durations_of_the_work_are_still_estimates(text: str) -> None:
    assert has_finding(text, "estimate", "Plan")


@pytest.mark.parametrize(
    ("legal", "exclusion"),
    [
        (
            "Confidential Information shall not include information that is or becomes "
            "publicly available other than through a breach.",
            "Data migration from the legacy CRM is not included in the fixed price.",
        ),
        (
            "No person other than a party to this Agreement shall acquire any rights hereunder "
            "as a third-party beneficiary.",
            "The Supplier will not provide on-site support other than during the launch week.",
        ),
        (
            "The Vendor may use subcontractors with the approval of the Agency, which approval "
            "will not be unreasonably delayed or withheld.",
            "Hosting of the staging environment will not be provided by the Vendor.",
        ),
        (
            "A Change Order will not be binding until both parties sign it.",
            "Travel costs will not be covered by the fixed fee.",
        ),
    ],
)
def test_scope_legal_negations_are_no_exclusions(legal: str, exclusion: str) -> None:
    assert not has_finding(legal, "exclusion")
    assert has_finding(exclusion, "exclusion")


@pytest.mark.parametrize(
    ("no_exclusion", "exclusion"),
    [
        (
            # A promise of no extra cost.
            "2.6 The parties will implement a shared gateway, which would not result in "
            "additional costs for the Customer.",
            "Support outside business hours is billed at additional cost.",
        ),
        (
            # The definition of a cost term.
            "Actual cost means the direct and indirect costs of the agency, charged at current "
            "hourly rates.",
            "Extra site visits are charged at the hourly rates of Annex B.",
        ),
        (
            # A table header names the columns.
            "| LABOR CATEGORY | LABOR HOURS | HOURLY RATE | CEILING PRICE |",
            "| Additional site visits | billed at an hourly rate of $150 |",
        ),
    ],
)
def test_scope_negated_or_defined_costs_are_no_exclusions(
    no_exclusion: str, exclusion: str
) -> None:
    kind = "table_row" if no_exclusion.startswith("|") else "paragraph"
    assert not has_finding(no_exclusion, "exclusion", kind=kind)
    assert has_finding(exclusion, "exclusion", kind=kind)


@pytest.mark.parametrize(
    ("estimate", "not_estimate", "kind"),
    [
        ("* 48hrs", "* 3D models of the site", "list_item"),
        ("* 40hrs of backend work", "* Response within 4hrs", "list_item"),
        ("The migration should take about 10d.", "We render the site in 3D.", "paragraph"),
        ("The audit is estimated at 3wks.", "We offer 24h support.", "paragraph"),
    ],
)
def test_scope_efforts_without_a_space_are_estimates(
    estimate: str, not_estimate: str, kind: str
) -> None:
    assert has_finding(estimate, "estimate", "Milestone 1", kind)
    assert not has_finding(not_estimate, "estimate", "Milestone 1", kind)


@pytest.mark.parametrize(
    "text",
    [
        "Our engineers, with 10 years of experience each, will finish the migration in about "
        "3 months.",
        "With 15 years in business, we estimate the rollout takes about 6 months.",
    ],
)
def test_scope_experience_blocks_only_its_own_figure(text: str) -> None:
    assert has_finding(text, "estimate", "Plan")


@pytest.mark.parametrize(
    "text",
    [
        "Items not listed incur additional charges.",
        "Requests not listed are charged separately at additional cost.",
    ],
)
def test_scope_a_negation_elsewhere_keeps_the_extra_charge(text: str) -> None:
    assert has_finding(text, "exclusion", "Scope")


@pytest.mark.parametrize(
    "text", ["| Data Migration | Out of Scope |", "| Hardware Procurement | Not Included |"]
)
def test_scope_title_case_rows_still_exclude(text: str) -> None:
    assert has_finding(text, "exclusion", "Scope", "table_row")


@pytest.mark.parametrize(
    "text",
    [
        "We offer a 4h response and 8h resolution for priority 1 incidents.",
        "Priority 1: 2h response time.",
    ],
)
def test_scope_response_times_are_no_effort_estimates(text: str) -> None:
    assert not has_finding(text, "estimate", "Support")


def test_scope_recommended_scope_of_a_template_is_no_estimate() -> None:
    advice = (
        "We recommend that the scope of the work can fit within a 3 month period and that "
        "teams structure their roadmap as 1 month = 1 milestone."
    )
    assert not has_finding(advice, "estimate", "Development Roadmap")
    estimate = "We estimate that the work takes about 3 months."
    assert has_finding(estimate, "estimate", "Development Roadmap")


@pytest.mark.parametrize(
    ("technical", "assumption"),
    [
        (
            "We will remove the Java 9 dependency from the build.",
            "This proposal depends on the client providing API keys.",
        ),
        (
            "The light client verifies headers while not relying on a particular node.",
            "We rely on the Customer to supply test data.",
        ),
        (
            "The configuration is expected to provide sensible defaults for each node.",
            "The plan has a dependency on the client's data team.",
        ),
    ],
)
def test_scope_technical_dependencies_are_no_assumptions(technical: str, assumption: str) -> None:
    assert not has_finding(technical, "assumption")
    assert has_finding(assumption, "assumption")


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
def test_scope_estimate_needs_a_figure(text: str) -> None:
    assert not has_finding(text, "estimate")


def test_scope_estimate_with_figure_still_found() -> None:
    assert has_finding("Total cost: 30,000 USD.", "estimate")


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
def test_scope_exclusion_false_alarms_stay_quiet(text: str) -> None:
    assert not has_finding(text, "exclusion")


@pytest.mark.parametrize(
    "text",
    [
        "Wildform shall respond within 48 hours, except for holidays and weekends.",
        "Any changes to the scope of work must be agreed through a change request.",
        "Travel is billed separately.",
    ],
)
def test_scope_exclusion_real_hits_still_found(text: str) -> None:
    assert has_finding(text, "exclusion")


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
def test_scope_subject_to_assumption(text: str, expected: bool) -> None:
    assert bool(_types(text, "assumption")) is expected


def test_scope_assumption_label_line_is_no_statement() -> None:
    assert not _types("**Assumptions/Pre-Requirements**", "assumption", "Milestone 1")
    assert _types("We assume the client provides API access.", "assumption", "Milestone 1")


def test_scope_exclusion_added_wording() -> None:
    assert _types("Note the following tasks are not required:", "exclusion")
    assert ("exclusion", "exclusion") in heading_findings("Out of scope: council voting")
    assert not heading_findings("Out of scope")
