"""The ambiguity detector (`analyzer.nlp.rules.ambiguity`): vague, open-ended, subjective,
escape, placeholder and unbounded wording, and the guards that keep it quiet.

Each case pairs the wording the labelling guide asks the rules to flag with nearby wording that
must stay quiet (LABELLING.md, corpus GUIDELINES.md).
"""

from __future__ import annotations

import pytest

from tests.nlp.test_detect import _phrases, findings_of, make_document, phrase_texts


def _placeholders(text: str) -> list[str]:
    return [phrase for phrase, kind in _phrases(text) if kind == "placeholder"]


def _unbounded(text: str) -> list[str]:
    return [phrase.lower() for phrase, kind in _phrases(text) if kind == "unbounded"]


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
def test_ambiguity_found(text: str, phrase: str) -> None:
    assert phrase in phrase_texts(text)


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
def test_ambiguity_quiet(text: str, phrase: str) -> None:
    assert phrase not in phrase_texts(text)


@pytest.mark.parametrize(
    "text",
    [
        # "Maintenance Update", "Support Request" are defined terms, not open scope nouns.
        "The Vendor will transfer to the Customer all Maintenance Updates by remote means.",
        "The Supplier shall respond to all Support Requests submitted by the Customer.",
        "Each Maintenance Update will be deemed accepted upon receipt.",
    ],
)
def test_ambiguity_all_before_defined_term_is_not_unbounded(text: str) -> None:
    assert not any(t.startswith(("all ", "each ", "any ")) for t in phrase_texts(text))


@pytest.mark.parametrize(
    "text",
    [
        "The contractor shall verify that all data migrated from the legacy system is complete.",
        "The vendor will support any integrations the agency requests.",
    ],
)
def test_ambiguity_all_scope_noun_still_unbounded(text: str) -> None:
    assert any(t.startswith(("all ", "any ")) for t in phrase_texts(text))


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
def test_ambiguity_background_without_binding_is_quiet(text: str, section: str) -> None:
    assert phrase_texts(text, section) == []


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
def test_ambiguity_background_with_binding_still_marked(
    text: str, section: str | None, phrase: str
) -> None:
    assert phrase in phrase_texts(text, section)


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
def test_ambiguity_template_blanks_are_placeholders(text: str, phrase: str) -> None:
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
def test_ambiguity_code_and_links_are_not_placeholders(text: str) -> None:
    assert not any(t == "placeholder" for _, t in _phrases(text))


@pytest.mark.parametrize(
    "text",
    [
        "Tell us what the process was like for you, and what we could change.",
        "The new portal is like the old one, only faster, simpler and cheaper.",
    ],
)
def test_ambiguity_like_after_a_verb_to_be_is_a_comparison(text: str) -> None:
    assert "like" not in phrase_texts(text, "Scope")


def test_ambiguity_like_before_a_list_of_scope_items_is_open_ended() -> None:
    text = "The vendor will integrate tools like Jira, Slack, GitHub."
    assert "like" in phrase_texts(text, "Scope")


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
def test_ambiguity_template_fields_are_whole_placeholders_and_tags_are_not(
    text: str, expected: list[str]
) -> None:
    assert _placeholders(text) == expected


def test_ambiguity_template_span_never_crosses_html_between_fields() -> None:
    text = (
        "<td>Iteration Period</td><td>\n{{pop.number}} {{pop.unit}}</td>\n</tr>\n<tr>\n"
        "<td>Price</td><td>$XXXXX (Vendor Completes)</td>\n</tr>\n<tr>\n"
        "<td>Period of Performance</td><td>{{base.number}} {{base.unit}}</td>"
    )
    found = _placeholders(text)
    assert "{{pop.number}}" in found
    assert all("<" not in p and p.count("{") <= 2 for p in found)


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
def test_ambiguity_fully_in_legal_collocations_is_not_unbounded(legal: str, scope: str) -> None:
    assert _unbounded(legal) == []
    assert "fully" in _unbounded(scope)


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
def test_ambiguity_fill_in_instructions_and_list_letters(
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
def test_ambiguity_signature_block_blanks_are_low_severity(signature: str, blank: str) -> None:
    # A blank for signing is a form field, not an undecided scope value: still shown, but low.
    def severities(text: str) -> list[str]:
        found = findings_of(make_document(text), "ambiguity")
        return [f.severity for f in found if f.type == "placeholder"]

    assert severities(signature) == ["low"]
    assert severities(blank) == ["high"]


def test_ambiguity_or_related_is_not_open_ended() -> None:
    text = "Provider will provide the source code or related information of that software."
    assert "or related" not in phrase_texts(text)


def test_ambiguity_such_as_yields_to_etc() -> None:
    text = "The Contractor shall replace consumable items such as tapes, toners, etc."
    phrases = phrase_texts(text)
    assert "such as" not in phrases
    assert any("etc" in p for p in phrases)


def test_ambiguity_such_as_without_etc_still_found() -> None:
    text = "The Contractor shall migrate legacy data such as names and addresses."
    assert "such as" in phrase_texts(text)


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
def test_ambiguity_added_wording(text: str, phrase: str) -> None:
    assert phrase in phrase_texts(text)


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
def test_ambiguity_guards_do_not_suppress_real_hits(text: str, phrase: str) -> None:
    assert phrase in phrase_texts(text)


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
def test_ambiguity_false_alarms_stay_quiet(text: str, phrase: str) -> None:
    assert phrase not in phrase_texts(text)
