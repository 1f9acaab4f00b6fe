"""The commitment detector (`analyzer.nlp.rules.commitment`) and who is bound
(`analyzer.nlp.rules.bound`): promises of the vendor, client obligations, section defaults.

Each case pairs the wording the labelling guide asks the rules to flag with nearby wording that
must stay quiet (LABELLING.md, corpus GUIDELINES.md).
"""

from __future__ import annotations

import pytest

from analyzer.nlp import detect
from tests.nlp.test_detect import _types, has_finding, heading_findings


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
def test_commitment_found(text: str, section: str | None, kind: str) -> None:
    assert has_finding(text, "commitment", section, kind)


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
def test_commitment_quiet(text: str, section: str | None, kind: str) -> None:
    assert not has_finding(text, "commitment", section, kind)


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("## Development Roadmap", "Development Roadmap"),
        ("### 2.3 Additional requirements", "2.3 Additional requirements"),
        ("## Maintenance and Upgrade Plans", "Maintenance and Upgrade Plans"),
    ],
)
def test_commitment_markdown_heading_is_no_commitment(text: str, section: str) -> None:
    assert not has_finding(text, "commitment", section)


@pytest.mark.parametrize(
    "text",
    [
        "### **Milestone 1: IaC Modules**",
        "### **Milestone 2: Benchmarking**",
        "### Milestone 3: Governance & Content Curation",
    ],
)
def test_commitment_markdown_milestone_heading_is_deliverable(text: str) -> None:
    assert has_finding(text, "commitment", "Development Roadmap")


def test_commitment_markdown_table_row_is_not_a_heading() -> None:
    # "#" as the row-number header cell of a deliverables table, not a markdown heading.
    text = "# | Product Backlog | Beginning of each sprint | Electronic board access |"
    assert has_finding(text, "commitment", "Deliverables")


@pytest.mark.parametrize(
    ("text", "section", "kind"),
    [
        ("1. Lead Frontend Developer (full-time)", "Milestone 2 - Integration", "list_item"),
        ("3. Product Manager (part-time)", "Deliverables", "list_item"),
        ("Jane Doe Support Mgr 50% 20 12 240", "Exhibit C Services Staffing", "paragraph"),
    ],
)
def test_commitment_staffing_line_is_estimate_not_commitment(
    text: str, section: str, kind: str
) -> None:
    assert not has_finding(text, "commitment", section, kind)
    assert has_finding(text, "estimate", section, kind)


def test_commitment_work_item_naming_developers_is_still_deliverable() -> None:
    text = "- Training academies for young developers"
    assert has_finding(text, "commitment", "Deliverables", "list_item")
    assert not has_finding(text, "estimate", "Deliverables", "list_item")


def test_commitment_filing_footer_is_no_commitment() -> None:
    assert not has_finding(
        "Source: ACME HOLDINGS, INC., 8-K, 3/16/2018", "commitment", "1.5 Services"
    )


def test_commitment_statement_in_services_section_still_commitment() -> None:
    assert has_finding(
        "The Provider hosts the application in two regions.", "commitment", "1.5 Services"
    )


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("Alternatives analysis of modern technology platforms", "OUTPUTS"),
        ("- Chat operations via Slack", "2.5 Daily Operations"),
        ("- Microservice cookiecutter templates", "Reach Goals: Microservice Templates"),
    ],
)
def test_commitment_outputs_operations_reach_goals_are_scope(text: str, section: str) -> None:
    kind = "list_item" if text.startswith("-") else "paragraph"
    assert has_finding(text, "commitment", section, kind)


@pytest.mark.parametrize(
    "text",
    [
        "We believe this scheme will satisfy the regulatory requirements for wallets.",
        "We feel that the reusable modules will prove very valuable to the community.",
        "We expect that any such modifications will enhance the overall Service.",
    ],
)
def test_commitment_hedged_opinion_is_no_commitment(text: str) -> None:
    assert not has_finding(text, "commitment")


@pytest.mark.parametrize(
    "text",
    [
        "We will deliver the final report; we believe it is the right format.",
        "The Contractor shall provide weekly status reports.",
    ],
)
def test_commitment_unhedged_promise_still_commitment(text: str) -> None:
    assert has_finding(text, "commitment")


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
def test_commitment_sentence_initial_imperative_binds_vendor(text: str, section: str) -> None:
    assert has_finding(text, "commitment", section)


@pytest.mark.parametrize(
    "text",
    [
        # Not sentence-initial: the client is the one doing it.
        "The Agency will evaluate the solutions and document the results.",
    ],
)
def test_commitment_client_subject_is_not_vendor_commitment(text: str) -> None:
    assert not has_finding(text, "commitment", "Scope of Work")


@pytest.mark.parametrize(
    "text",
    [
        "Where we anticipate delays, the Contractor must notify the Agency within 2 days.",
        "If we feel the deliverable is deficient, the Contractor shall correct it within 5 days.",
        "Whenever we think a change is needed, the Vendor will update the design document.",
        "We expect that the Contractor will deliver the report monthly.",
    ],
)
def test_commitment_an_opinion_in_a_clause_does_not_unbind_the_party(text: str) -> None:
    assert has_finding(text, "commitment")


@pytest.mark.parametrize(
    "text",
    [
        "## Scope\nThe Contractor shall deliver the monthly report.",
        "# of concurrent users: the Contractor shall support at least 500.",
    ],
)
def test_commitment_only_a_bare_heading_line_is_a_markdown_heading(text: str) -> None:
    assert has_finding(text, "commitment")


def test_commitment_a_bare_table_bar_in_a_scope_section_is_analysed() -> None:
    from analyzer.extract import extract_bytes

    text = "## Scope of Work\n\n|\n\nThe Contractor shall build the portal.\n"
    findings = detect(extract_bytes(text.encode("utf-8"), "sow.md")).findings
    assert any(f.category == "commitment" for f in findings)


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
def test_commitment_definitions_and_recitals_promise_nothing(definition: str, promise: str) -> None:
    assert not has_finding(definition, "commitment")
    assert has_finding(promise, "commitment")


def test_commitment_means_that_portion_is_a_definition() -> None:
    text = '"Deliverables" means that portion of the Work to be delivered under a SOW.'
    assert not has_finding(text, "commitment", "Definitions")
    level = '"Gold Service Level" means that the system shall have 99.9% availability.'
    assert has_finding(level, "commitment", "Definitions")


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
def test_commitment_user_stories_are_no_commitments(story: str, promise: str) -> None:
    # LABELLING.md: user stories are not commitments; "As a result, we will …" still binds.
    assert not has_finding(story, "commitment", "Scope")
    assert has_finding(promise, "commitment", "Scope")


def test_commitment_user_story_rows_of_a_milestone_table_stay_commitments() -> None:
    # A user story in a milestone table names a promised feature (corpus label).
    story = "As a user, I should be able to sign up and sign in to the app."
    assert not has_finding(story, "commitment", "Scope")
    assert has_finding(f"| 1. | {story} |", "commitment", "Milestone 1", "table_row")


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
def test_commitment_template_instructions_are_no_commitments(
    instruction: str, promise: str, kind: str
) -> None:
    assert not has_finding(instruction, "commitment", "Development Roadmap", kind)
    assert has_finding(promise, "commitment", "Development Roadmap", kind)


@pytest.mark.parametrize(
    "text",
    [
        # The client's oversight or legal compliance is no dependency of the plan.
        "The COR will monitor compliance and report to the Procurement Project Manager.",
        "The Customer shall comply with applicable laws, standards, policies, and procedures.",
        "The Government will appoint an Award Term Determining Official.",
    ],
)
def test_commitment_client_oversight_is_no_assumption(text: str) -> None:
    assert not has_finding(text, "assumption")


def test_commitment_client_dependency_still_assumption() -> None:
    assert has_finding("The Agency will provide access to the staging servers.", "assumption")


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
def test_commitment_named_milestone_heading_is_deliverable(heading: str) -> None:
    assert ("commitment", "deliverable") in heading_findings(heading)


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
def test_commitment_bare_or_summary_heading_is_no_commitment(heading: str) -> None:
    assert not any(c == "commitment" for c, _ in heading_findings(heading))


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
def test_commitment_added_cues(text: str, section: str | None) -> None:
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
def test_commitment_false_alarms_stay_quiet(text: str, section: str | None) -> None:
    assert not _types(text, "commitment", section)


def test_commitment_joint_subject_is_no_client_assumption() -> None:
    text = "Provider and Customer agree to calculate availability monthly."
    assert not _types(text, "assumption")
    assert _types("Customer agrees to provide test data.", "assumption")


def test_commitment_users_of_the_product_are_no_client() -> None:
    text = "Users will be able to browse ideas and proposals."
    assert not _types(text, "assumption", "Milestone 1")
    assert _types("The user is given a confirmation email.", "commitment")
    # Terms-of-service duties of the user bind neither side (corpus GUIDELINES.md decision 1).
    for duty in ("Users shall comply with the acceptable use policy.", "Users must not spam."):
        assert not _types(duty, "commitment")
        assert not _types(duty, "assumption")


def test_commitment_shall_have_the_result_is_a_commitment() -> None:
    text = "HDI shall have the Site fully operational no later than sixty (60) days."
    assert _types(text, "commitment")
    assert not _types("The Customer shall have the right to audit the records.", "commitment")
