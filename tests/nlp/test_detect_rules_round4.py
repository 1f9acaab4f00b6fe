"""Rule detectors, round 4: fixes found on documents no rule had been tuned on.

Each accepted change has a negative case (the false alarm or miss it removes) and a positive
case it must not break (LABELLING.md, corpus GUIDELINES.md). Sentences are paraphrased from
unseen train/dev documents.
"""

from __future__ import annotations

import pytest

from tests.nlp.test_detect import _phrases, findings_of, make_document


def _has(text: str, category: str, section: str | None = None, kind: str = "paragraph") -> bool:
    return bool(findings_of(make_document(text, section, kind), category))


def _texts(text: str, section: str | None = None) -> list[str]:
    return [phrase.lower() for phrase, _ in _phrases(text, section)]


# --------------------------------------------------------------------------- ambiguity


@pytest.mark.parametrize(
    "text",
    [
        # "Maintenance Update", "Support Request" are defined terms, not open scope nouns.
        "The Vendor will transfer to the Customer all Maintenance Updates by remote means.",
        "The Supplier shall respond to all Support Requests submitted by the Customer.",
        "Each Maintenance Update will be deemed accepted upon receipt.",
    ],
)
def test_round4_all_before_defined_term_is_not_unbounded(text: str) -> None:
    assert not any(t.startswith(("all ", "each ", "any ")) for t in _texts(text))


@pytest.mark.parametrize(
    "text",
    [
        "The contractor shall verify that all data migrated from the legacy system is complete.",
        "The vendor will support any integrations the agency requests.",
    ],
)
def test_round4_all_scope_noun_still_unbounded(text: str) -> None:
    assert any(t.startswith(("all ", "any ")) for t in _texts(text))


@pytest.mark.parametrize(
    ("text", "section"),
    [
        # Background: who else might use the result, not the work to be delivered.
        (
            "We expect the resulting infrastructure to be used by various wallet implementations.",
            "Additional Information",
        ),
        ("The library is useful for various applications, such as key rings.", "Background"),
        ("We hope to recruit a number of fellows for the next session.", "Additional Information"),
    ],
)
def test_round4_background_without_binding_is_quiet(text: str, section: str) -> None:
    assert _texts(text, section) == []


@pytest.mark.parametrize(
    ("text", "section", "phrase"),
    [
        # A background sentence that binds someone still bears on the work.
        (
            "Following discovery, 18F will conduct workshops to draft the necessary documents.",
            "Background",
            "necessary",
        ),
        (
            "We plan to include a tips module with a similar intuitive approach.",
            "Future Plans",
            "intuitive",
        ),
        # Outside background sections the guard does not apply.
        ("The library supports various wallet implementations.", None, "various"),
        # Placeholders are never dropped in background sections.
        ("The Requesting Agency is TBD.", "Background", "tbd"),
    ],
)
def test_round4_background_with_binding_still_marked(
    text: str, section: str | None, phrase: str
) -> None:
    assert phrase in _texts(text, section)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (
            "Provider shall comply with the obligations set forth in Attachment __ (Insurance).",
            "__",
        ),
        ("The Enhanced Cap means the greater of $__million and the General Cap.", "__"),
        ("Target Availability is not met for __ consecutive months.", "__"),
        ("Target Availability is [99.5]% or higher.", "[99.5]%"),
        ("The threshold is [2] consecutive months in a rolling period.", "[2]"),
    ],
)
def test_round4_template_blanks_are_placeholders(text: str, phrase: str) -> None:
    found = _phrases(text)
    assert any(phrase.lower() in p.lower() and t == "placeholder" for p, t in found)


@pytest.mark.parametrize(
    "text",
    [
        # Python dunder names and markdown links are no blanks.
        "We will override the __init__ method of the handler class.",
        "BABE will be replaced with Sassafras (see [37](https://github.com/w3f/issues/37)).",
        "The limits are described in reference [1] of the appendix.",
    ],
)
def test_round4_code_and_links_are_not_placeholders(text: str) -> None:
    assert not any(t == "placeholder" for _, t in _phrases(text))


# --------------------------------------------------------------------------- commitment


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("## Development Roadmap", "Development Roadmap"),
        ("### 2.3 Additional requirements", "2.3 Additional requirements"),
        ("## Maintenance and Upgrade Plans", "Maintenance and Upgrade Plans"),
    ],
)
def test_round4_markdown_heading_is_no_commitment(text: str, section: str) -> None:
    assert not _has(text, "commitment", section)


@pytest.mark.parametrize(
    "text",
    [
        "### **Milestone 1: IaC Modules**",
        "### **Milestone 2: Benchmarking**",
        "### Milestone 3: Governance & Content Curation",
    ],
)
def test_round4_markdown_milestone_heading_is_deliverable(text: str) -> None:
    assert _has(text, "commitment", "Development Roadmap")


def test_round4_markdown_table_row_is_not_a_heading() -> None:
    # "#" as the row-number header cell of a deliverables table, not a markdown heading.
    text = "# | Product Backlog | Beginning of each sprint | Electronic board access |"
    assert _has(text, "commitment", "Deliverables")


@pytest.mark.parametrize(
    ("text", "section", "kind"),
    [
        ("1. Lead Frontend Developer (full-time)", "Milestone 2 - Integration", "list_item"),
        ("3. Product Manager (part-time)", "Deliverables", "list_item"),
        ("Jane Doe Support Mgr 50% 20 12 240", "Exhibit C Services Staffing", "paragraph"),
    ],
)
def test_round4_staffing_line_is_estimate_not_commitment(
    text: str, section: str, kind: str
) -> None:
    assert not _has(text, "commitment", section, kind)
    assert _has(text, "estimate", section, kind)


def test_round4_work_item_naming_developers_is_still_deliverable() -> None:
    text = "- Training academies for young developers"
    assert _has(text, "commitment", "Deliverables", "list_item")
    assert not _has(text, "estimate", "Deliverables", "list_item")


def test_round4_filing_footer_is_no_commitment() -> None:
    assert not _has("Source: ACME HOLDINGS, INC., 8-K, 3/16/2018", "commitment", "1.5 Services")


def test_round4_statement_in_services_section_still_commitment() -> None:
    assert _has("The Provider hosts the application in two regions.", "commitment", "1.5 Services")


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("Alternatives analysis of modern technology platforms", "OUTPUTS"),
        ("- Chat operations via Slack", "2.5 Daily Operations"),
        ("- Microservice cookiecutter templates", "Reach Goals: Microservice Templates"),
    ],
)
def test_round4_outputs_operations_reach_goals_are_scope(text: str, section: str) -> None:
    kind = "list_item" if text.startswith("-") else "paragraph"
    assert _has(text, "commitment", section, kind)


@pytest.mark.parametrize(
    "text",
    [
        "We believe this scheme will satisfy the regulatory requirements for wallets.",
        "We feel that the reusable modules will prove very valuable to the community.",
        "We expect that any such modifications will enhance the overall Service.",
    ],
)
def test_round4_hedged_opinion_is_no_commitment(text: str) -> None:
    assert not _has(text, "commitment")


@pytest.mark.parametrize(
    "text",
    [
        "We will deliver the final report; we believe it is the right format.",
        "The Contractor shall provide weekly status reports.",
    ],
)
def test_round4_unhedged_promise_still_commitment(text: str) -> None:
    assert _has(text, "commitment")


@pytest.mark.parametrize(
    ("text", "section"),
    [
        # Sentence-initial imperative: the agency is only the object of the work.
        (
            "Evaluate and document how the solutions met the objectives of the Agency.",
            "Functional Area 2: Practical Application",
        ),
        ("Write a simple command-line client to test key recovery.", "Development Roadmap"),
        (
            "Determine what roadblocks were mitigated and which still exist.",
            "Functional Area 3: Tasks",
        ),
        (
            "Obtain or establish a method to demonstrate the results on a low risk environment.",
            "Scope of Work",
        ),
    ],
)
def test_round4_sentence_initial_imperative_binds_vendor(text: str, section: str) -> None:
    assert _has(text, "commitment", section)


@pytest.mark.parametrize(
    "text",
    [
        # Not sentence-initial: the client is the one doing it.
        "The Agency will evaluate the solutions and document the results.",
    ],
)
def test_round4_client_subject_is_not_vendor_commitment(text: str) -> None:
    assert not _has(text, "commitment", "Scope of Work")


def test_round4_a_long_crafted_staff_line_is_not_tried() -> None:
    # The staffing pattern's tail is quadratic on a long run of " ."; such lines are skipped.
    from analyzer.nlp.components import is_staff_line

    assert is_staff_line("Backend Developer (full-time)")  # list marker already stripped
    assert not is_staff_line("Lead Developer 50% " + " ." * 20_000 + "x")


@pytest.mark.parametrize(
    "text",
    [
        "Where we anticipate delays, the Contractor must notify the Agency within 2 days.",
        "If we feel the deliverable is deficient, the Contractor shall correct it within 5 days.",
        "Whenever we think a change is needed, the Vendor will update the design document.",
        "We expect that the Contractor will deliver the report monthly.",
    ],
)
def test_round4_an_opinion_in_a_clause_does_not_unbind_the_party(text: str) -> None:
    assert _has(text, "commitment")


@pytest.mark.parametrize(
    "text",
    [
        "## Scope\nThe Contractor shall deliver the monthly report.",
        "# of concurrent users: the Contractor shall support at least 500.",
    ],
)
def test_round4_only_a_bare_heading_line_is_a_markdown_heading(text: str) -> None:
    assert _has(text, "commitment")


def test_round4_a_promise_about_staff_is_not_a_staffing_line() -> None:
    from analyzer.nlp.components import is_staff_line

    assert not is_staff_line("Contractor will assign dedicated engineers (100%).")
    assert not _has("Contractor will assign dedicated engineers (100%).", "estimate")


def test_round4_a_bare_table_bar_in_a_scope_section_is_analysed() -> None:
    from analyzer.extract import extract_bytes
    from analyzer.nlp import detect

    text = "## Scope of Work\n\n|\n\nThe Contractor shall build the portal.\n"
    findings = detect(extract_bytes(text.encode("utf-8"), "sow.md")).findings
    assert any(f.category == "commitment" for f in findings)


@pytest.mark.parametrize(
    "text",
    [
        "Igor, the lead developer, has about 20 years of experience with Java.",
        "Our architects have approximately 15 years' experience in payment systems.",
        "The company has around 30 years in the industry.",
    ],
)
def test_round4_years_of_experience_are_no_estimate(text: str) -> None:
    # A person's or a company's experience is a qualification, not a duration of the work.
    assert not _has(text, "estimate", "Team")


@pytest.mark.parametrize(
    "text",
    [
        "The migration will take about 6 months.",
        "We expect the rollout to take approximately 3 years of phased work.",
    ],
)
def test_round4_durations_of_the_work_are_still_estimates(text: str) -> None:
    assert _has(text, "estimate", "Plan")


@pytest.mark.parametrize(
    "text",
    [
        "Tell us what the process was like for you, and what we could change.",
        "The new portal is like the old one, only faster, simpler and cheaper.",
    ],
)
def test_round4_like_after_a_verb_to_be_is_a_comparison(text: str) -> None:
    assert "like" not in _texts(text, "Scope")


def test_round4_like_before_a_list_of_scope_items_is_open_ended() -> None:
    text = "The vendor will integrate tools like Jira, Slack, GitHub."
    assert "like" in _texts(text, "Scope")
