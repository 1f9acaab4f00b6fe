"""Rule detectors, review 5: general false alarms found on ten documents no rule was tuned on.

Each case pairs the false alarm (or miss) a fix removes with a true case the fix must keep
(LABELLING.md, corpus GUIDELINES.md), so every test fails on the rules before the fix.
Sentences are paraphrased, not copied from the reviewed documents or the corpus.
"""

from __future__ import annotations

import pytest

from tests.nlp.test_detect import _phrases, findings_of, make_document


def _has(text: str, category: str, section: str | None = None, kind: str = "paragraph") -> bool:
    return bool(findings_of(make_document(text, section, kind), category))


def _placeholders(text: str) -> list[str]:
    return [phrase for phrase, kind in _phrases(text) if kind == "placeholder"]


def _unbounded(text: str) -> list[str]:
    return [phrase.lower() for phrase, kind in _phrases(text) if kind == "unbounded"]


# --------------------------------------------------------------------------- 1. template tags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Handlebars control tags are no fields; the one variable is whole, both braces in.
        (
            "{{#if travel}} Travel is capped at {{services.travel.budget}} per trip. {{else}} "
            "No travel is expected. {{/if}}",
            ["{{services.travel.budget}}"],
        ),
        ("{{#each deliverables}} {{this}} {{/each}}", ["{{this}}"]),
        (
            "{{^if onsite}} Work is remote for {{ agency.name }}. {{! drafting aid }}",
            ["{{ agency.name }}"],
        ),
        # A field glued to its unit ("{multiplier}x") is one placeholder, not the start of a
        # span running to the next field.
        (
            "Payment is due within {payment_days} days; the cap is {cap_multiplier}x the fees.",
            ["{payment_days}", "{cap_multiplier}x"],
        ),
        # A single-brace field of a fill-in template is still a placeholder.
        (
            "{{#if pilot}} The vendor shall deliver the {name of system} prototype. {{/if}}",
            ["{name of system}"],
        ),
    ],
)
def test_review5_template_fields_are_whole_placeholders_and_tags_are_not(
    text: str, expected: list[str]
) -> None:
    assert _placeholders(text) == expected


def test_review5_template_span_never_crosses_html_between_fields() -> None:
    text = (
        "<td>Iteration Period</td><td>\n{{pop.number}} {{pop.unit}}</td>\n</tr>\n<tr>\n"
        "<td>Price</td><td>$XXXXX (Vendor Completes)</td>\n</tr>\n<tr>\n"
        "<td>Period of Performance</td><td>{{base.number}} {{base.unit}}</td>"
    )
    found = _placeholders(text)
    assert "{{pop.number}}" in found
    assert all("<" not in p and p.count("{") <= 2 for p in found)


# --------------------------------------------------------------------------- 2. definitions


@pytest.mark.parametrize(
    ("definition", "promise"),
    [
        (
            '1.30 "SIM card" shall mean a subscriber identity module card that identifies the '
            "end user and enables access to the network.",
            "The Supplier shall deliver the SIM cards to every end user.",
        ),
        (
            'B.   "Affiliate" shall mean those entities for whom the Provider agrees to provide '
            "Services under this Agreement.",
            "The Provider agrees to provide the Services to each Affiliate.",
        ),
        (
            '"Services" shall have the meaning set forth in Schedule 2.',
            "The Provider shall perform the Services set forth in Schedule 2.",
        ),
        (
            "Capitalised terms shall have the meanings given to them in Article 18.",
            "The Provider shall perform the conversion described in Article 18.",
        ),
        (
            # A recital describes the parties; its present tense promises nothing.
            "WHEREAS, the Distributor operates web stores and provides hosting to small shops.",
            # An explicit agreement in a recital still binds (corpus label).
            "Whereas, the Provider agrees to provide site setup and maintenance for 500 shops.",
        ),
        (
            'E. "Support Day" means any weekday on which the Provider provides remote support.',
            # "X Service Level means that …" states the level itself.
            'A. The "Core Service Level" means that the core systems shall have 99% Availability.',
        ),
    ],
)
def test_review5_definitions_and_recitals_promise_nothing(definition: str, promise: str) -> None:
    assert not _has(definition, "commitment")
    assert _has(promise, "commitment")


# --------------------------------------------------------------------------- 3. legal negations


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
def test_review5_legal_negations_are_no_exclusions(legal: str, exclusion: str) -> None:
    assert not _has(legal, "exclusion")
    assert _has(exclusion, "exclusion")


# --------------------------------------------------------------------------- 4. extra charge


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
def test_review5_negated_or_defined_costs_are_no_exclusions(
    no_exclusion: str, exclusion: str
) -> None:
    kind = "table_row" if no_exclusion.startswith("|") else "paragraph"
    assert not _has(no_exclusion, "exclusion", kind=kind)
    assert _has(exclusion, "exclusion", kind=kind)


# --------------------------------------------------------------------------- 5. "fully"


@pytest.mark.parametrize(
    ("legal", "scope"),
    [
        (
            "The Supplier shall provide copies of its fully executed membership agreements.",
            "The vendor will deliver fully documented APIs for the portal.",
        ),
        (
            "The Contractor shall keep the Agency fully apprised of the status of the migration.",
            "The Contractor shall keep the Agency's servers fully patched.",
        ),
        (
            "If signed on different dates, the later date is the date this Agreement comes "
            "fully into effect.",
            "The Contractor will make the portal fully accessible to all users.",
        ),
        (
            "The Customer receives a fully paid-up licence to the portal.",
            "The Supplier provides a fully managed hosting service.",
        ),
        (
            "The Supplier fully indemnifies the Customer for the outage.",
            # "fully working" is "fully functional" (LABELLING.md unbounded): still marked.
            "We will provide a fully working implementation of the token bridge.",
        ),
    ],
)
def test_review5_fully_in_legal_collocations_is_not_unbounded(legal: str, scope: str) -> None:
    assert _unbounded(legal) == []
    assert "fully" in _unbounded(scope)


# --------------------------------------------------------------------------- 6. glued efforts


@pytest.mark.parametrize(
    ("estimate", "not_estimate", "kind"),
    [
        ("* 48hrs", "* 3D models of the site", "list_item"),
        ("* 40hrs of backend work", "* Response within 4hrs", "list_item"),
        ("The migration should take about 10d.", "We render the site in 3D.", "paragraph"),
        ("The audit is estimated at 3wks.", "We offer 24h support.", "paragraph"),
    ],
)
def test_review5_efforts_without_a_space_are_estimates(
    estimate: str, not_estimate: str, kind: str
) -> None:
    assert _has(estimate, "estimate", "Milestone 1", kind)
    assert not _has(not_estimate, "estimate", "Milestone 1", kind)


# --------------------------------------------------------------------------- follow-up review


@pytest.mark.parametrize(
    "text",
    [
        "Our engineers, with 10 years of experience each, will finish the migration in about "
        "3 months.",
        "With 15 years in business, we estimate the rollout takes about 6 months.",
    ],
)
def test_review5_experience_blocks_only_its_own_figure(text: str) -> None:
    assert _has(text, "estimate", "Plan")


@pytest.mark.parametrize(
    "text",
    [
        "Items not listed incur additional charges.",
        "Requests not listed are charged separately at additional cost.",
    ],
)
def test_review5_a_negation_elsewhere_keeps_the_extra_charge(text: str) -> None:
    assert _has(text, "exclusion", "Scope")


@pytest.mark.parametrize(
    "text", ["| Data Migration | Out of Scope |", "| Hardware Procurement | Not Included |"]
)
def test_review5_title_case_rows_still_exclude(text: str) -> None:
    assert _has(text, "exclusion", "Scope", "table_row")


@pytest.mark.parametrize(
    "text",
    [
        "We offer a 4h response and 8h resolution for priority 1 incidents.",
        "Priority 1: 2h response time.",
    ],
)
def test_review5_response_times_are_no_effort_estimates(text: str) -> None:
    assert not _has(text, "estimate", "Support")


def test_review5_means_that_portion_is_a_definition() -> None:
    text = '"Deliverables" means that portion of the Work to be delivered under a SOW.'
    assert not _has(text, "commitment", "Definitions")
    level = '"Gold Service Level" means that the system shall have 99.9% availability.'
    assert _has(level, "commitment", "Definitions")


# ---- review 5, round 2


@pytest.mark.parametrize(
    ("story", "promise"),
    [
        (
            "“As an HR representative, I will be able to view applicant data online”",
            "The Contractor will deliver an online view of applicant data.",
        ),
        (
            "“As a job applicant, I want the ability to edit and submit my application online”",
            "As a result, we will deliver the online application form in May.",
        ),
        (
            "As a user, I will be able to export my data as CSV.",
            "As a team, we will build the CSV export.",
        ),
    ],
)
def test_review5_user_stories_are_no_commitments(story: str, promise: str) -> None:
    # LABELLING.md: user stories are not commitments; "As a result, we will …" still binds.
    assert not _has(story, "commitment", "Scope")
    assert _has(promise, "commitment", "Scope")


def test_review5_user_story_rows_of_a_milestone_table_stay_commitments() -> None:
    # A user story in a milestone table names a promised feature (corpus label).
    story = "As a user, I should be able to sign up and sign in to the app."
    assert not _has(story, "commitment", "Scope")
    assert _has(f"| 1. | {story} |", "commitment", "Milestone 1", "table_row")


@pytest.mark.parametrize(
    ("instruction", "promise", "kind"),
    [
        (
            "* Please commit to providing a Dockerfile for the delivery of your project.",
            "* We will provide a Dockerfile for the delivery of the project.",
            "list_item",
        ),
        (
            "This section should break out the development roadmap into a number of milestones.",
            "Please note that we will deliver the Dockerfile in week 2.",
            "paragraph",
        ),
    ],
)
def test_review5_template_instructions_are_no_commitments(
    instruction: str, promise: str, kind: str
) -> None:
    assert not _has(instruction, "commitment", "Development Roadmap", kind)
    assert _has(promise, "commitment", "Development Roadmap", kind)


def test_review5_recommended_scope_of_a_template_is_no_estimate() -> None:
    advice = (
        "We recommend that the scope of the work can fit within a 3 month period and that "
        "teams structure their roadmap as 1 month = 1 milestone."
    )
    assert not _has(advice, "estimate", "Development Roadmap")
    estimate = "We estimate that the work takes about 3 months."
    assert _has(estimate, "estimate", "Development Roadmap")


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
def test_review5_technical_dependencies_are_no_assumptions(technical: str, assumption: str) -> None:
    assert not _has(technical, "assumption")
    assert _has(assumption, "assumption")


@pytest.mark.parametrize(
    ("text", "expected", "kept", "kept_expected"),
    [
        # Misses: all-caps drafting instructions and hash marks where a number goes.
        ("ADD BILLING ADDRESS HERE", ["ADD BILLING ADDRESS HERE"], "The fee is $NN.", ["NN"]),
        (
            "The kickoff takes place at INSERT CLIENT'S LOCATION HERE.",
            ["INSERT CLIENT'S LOCATION HERE"],
            "The site is [Insert Address].",
            ["[Insert Address]"],
        ),
        ("Delivery is due within ## days after award.", ["##"], "## Days of support", []),
        # False alarms: a list letter, and a value a reference pins down.
        ("NN.", [], "The fee is $NN per month.", ["NN"]),
        (
            "Shall be determined as set forth in Section 8.4 of the Agreement.",
            [],
            "The schedule shall be agreed between the parties.",
            ["shall be agreed"],
        ),
    ],
)
def test_review5_fill_in_instructions_and_list_letters(
    text: str, expected: list[str], kept: str, kept_expected: list[str]
) -> None:
    assert _placeholders(text) == expected
    assert _placeholders(kept) == kept_expected


@pytest.mark.parametrize(
    ("signature", "blank"),
    [
        ("By: ________", "Delivery Date: ________"),
        ("Name: ____________", "The contractor will deliver ___ reports."),
        ("Date: ________", "Payment is due within __ days."),
    ],
)
def test_review5_signature_block_blanks_are_low_severity(signature: str, blank: str) -> None:
    # A blank for signing is a form field, not an undecided scope value: still shown, but low.
    def severities(text: str) -> list[str]:
        found = findings_of(make_document(text), "ambiguity")
        return [f.severity for f in found if f.type == "placeholder"]

    assert severities(signature) == ["low"]
    assert severities(blank) == ["high"]
