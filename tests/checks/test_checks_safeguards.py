"""Tests for analyzer.checks: safeguards found from headings, sentence findings and text cues."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from checks_helpers import finding_for, make_document
from hypothesis import given, settings
from hypothesis import strategies as st
from needs import skip_or_fail

from analyzer.checks import CHECK_IDS, find_cues, load_checks, normalise_heading, run_checks
from analyzer.checks.definitions import CHECKS_FILE, parse_check
from analyzer.types import Document, Finding, SafeguardCheck, finding_id

SEVERITY = {
    "missing_exclusions": "high",
    "missing_assumptions": "medium",
    "missing_acceptance": "high",
    "missing_change_control": "medium",
    "missing_estimate_basis": "medium",
}

PLAIN = [
    ("heading", "1 Background"),
    ("paragraph", "The vendor will build a web portal for the Client."),
    ("heading", "2 Scope of work"),
    ("list_item", "- Design the portal."),
    ("list_item", "- Build and deploy the portal."),
]


def _check(results: list[SafeguardCheck], check_id: str) -> SafeguardCheck:
    return next(r for r in results if r.check_id == check_id)


def _run(document: Document, findings: list[Finding] | None = None) -> dict[str, SafeguardCheck]:
    results, _ = run_checks(document, findings or [])
    return {r.check_id: r for r in results}


def test_checks_definitions_load_all_five_with_severities() -> None:
    config = load_checks()
    assert tuple(c.id for c in config.checks) == CHECK_IDS
    assert {c.id: c.severity for c in config.checks} == SEVERITY
    for check in config.checks:
        assert check.explanation and check.suggestion and check.absent_summary
    assert load_checks() is config  # loaded once


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"severity": "critical"}, "unknown severity"),
        ({"id": "missing_budget"}, "not a 'missing' type"),
        ({"finding_categories": ["risk"]}, "unknown categories"),
        ({"cues": ["(unclosed"]}, "bad pattern"),
        ({"kind": "other"}, "unknown kind"),
    ],
)
def test_checks_definitions_reject_bad_data(change: dict[str, object], message: str) -> None:
    raw = json.loads(CHECKS_FILE.read_text(encoding="utf-8"))["checks"][0] | change
    with pytest.raises(ValueError, match=message):
        parse_check(raw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7 Exclusions", "exclusions"),
        ("### 7.1. **Out of Scope:**", "out of scope"),
        ("1.0. BACKGROUND", "background"),
        ("Section 12 - Change Control", "change control"),
        ("Appendix B – Assumptions", "assumptions"),
        ("IV. Acceptance Criteria", "acceptance criteria"),
        ("a) Changes", "changes"),
    ],
)
def test_checks_normalise_heading(text: str, expected: str) -> None:
    assert normalise_heading(text) == expected


def test_checks_nothing_present_gives_four_missing_findings() -> None:
    document = make_document(PLAIN, path="plain.txt")
    results, missing = run_checks(document, [])
    assert [r.check_id for r in results] == list(CHECK_IDS)
    assert {r.check_id: r.present for r in results} == {
        "missing_exclusions": False,
        "missing_assumptions": False,
        "missing_acceptance": False,
        "missing_change_control": False,
        "missing_estimate_basis": True,
    }
    assert _check(results, "missing_exclusions").summary == (
        "No exclusions or out-of-scope statements found"
    )
    assert _check(results, "missing_estimate_basis").summary == "No estimates given"
    assert [f.type for f in missing] == list(CHECK_IDS[:4])
    for finding in missing:
        assert finding.category == "missing"
        assert finding.severity == SEVERITY[finding.type]
        assert finding.id == finding_id("plain.txt", "missing", finding.type, None, None)
        assert finding.source == f"check:{finding.type}"
        assert (finding.start, finding.end, finding.text, finding.sentence) == (None,) * 4
        assert finding.page is None and finding.section is None
        assert finding.explanation and finding.suggestion
        assert finding.confidence == 1.0


def test_checks_are_deterministic() -> None:
    document = make_document(PLAIN)
    assert run_checks(document, []) == run_checks(document, [])


@pytest.mark.parametrize(
    ("check_id", "heading"),
    [
        ("missing_exclusions", "7 Exclusions"),
        ("missing_exclusions", "Out of Scope"),
        ("missing_exclusions", "4.2 Not in Scope"),
        ("missing_exclusions", "What is not included"),
        ("missing_assumptions", "Assumptions"),
        ("missing_assumptions", "Project Assumptions and Constraints"),
        ("missing_assumptions", "Dependencies"),
        ("missing_assumptions", "5 Client Responsibilities"),
        ("missing_assumptions", "Customer’s Obligations"),
        ("missing_assumptions", "3.4 Government Furnished Property/Equipment"),
        ("missing_acceptance", "Acceptance"),
        ("missing_acceptance", "9. Acceptance Criteria"),
        ("missing_acceptance", "6.6.5 Inspection and Acceptance of Services"),
        ("missing_acceptance", "Definition of Done"),
        ("missing_change_control", "Change Control"),
        ("missing_change_control", "Change Requests"),
        ("missing_change_control", "12 Changes"),
        ("missing_change_control", "Modifications"),
        ("missing_change_control", "Change Order Procedure"),
        ("missing_change_control", "Changes to this SOW"),
        ("missing_change_control", "Sec. 3.21 Contract Changes - Unanticipated Amendments"),
    ],
)
def test_checks_heading_makes_safeguard_present(check_id: str, heading: str) -> None:
    document = make_document(
        [*PLAIN, ("heading", heading, 4), ("list_item", "- First item."), ("list_item", "- Two.")]
    )
    results, missing = run_checks(document, [])
    result = _check(results, check_id)
    assert result.present
    assert f"section '{heading}' (2 items)" in result.evidence
    assert result.summary.endswith(f"section {heading}, 2 items")
    assert check_id not in {f.type for f in missing}


@pytest.mark.parametrize(
    ("check_id", "heading"),
    [
        ("missing_exclusions", "Exclusion of Liability"),
        ("missing_exclusions", "Limitations and Exclusions of Damages"),
        ("missing_exclusions", "Exclusions from Confidential Information"),
        ("missing_assumptions", "Assumption of Risk"),
        ("missing_acceptance", "Acceptance of Terms"),
        ("missing_acceptance", "Offer Acceptance Period"),
        ("missing_change_control", "Change of Control"),
        ("missing_change_control", "Organizational Change Management"),
        ("missing_change_control", "Key Personnel Changes"),
        ("missing_change_control", "Changes in Law"),
        ("missing_change_control", "Sec. 1.09 Amendments to Proposals"),
        ("missing_change_control", "Amendments to the RFP"),
    ],
)
def test_checks_look_alike_heading_is_not_a_safeguard(check_id: str, heading: str) -> None:
    document = make_document([*PLAIN, ("heading", heading), ("paragraph", "Some clause text.")])
    assert not _run(document)[check_id].present


@pytest.mark.parametrize("body", [[], [("paragraph", "None.")], [("list_item", "- TBD")]])
def test_checks_empty_section_is_not_a_safeguard(body: list[tuple[str, str]]) -> None:
    document = make_document(
        [("heading", "1 Scope"), ("paragraph", "Build it."), ("heading", "2 Exclusions"), *body]
    )
    results, missing = run_checks(document, [])
    result = _check(results, "missing_exclusions")
    assert not result.present
    assert result.evidence and result.evidence[0].startswith("section '2 Exclusions'")
    assert "is empty" in result.summary
    assert "missing_exclusions" in {f.type for f in missing}


def test_checks_subheadings_belong_to_their_section() -> None:
    document = make_document(
        [
            ("heading:1", "6 Exclusions"),
            ("heading:2", "6.1 Software"),
            ("list_item", "- Licences for third-party products."),
            ("heading:2", "6.2 Hardware"),
            ("list_item", "- Servers."),
            ("heading:1", "7 Fees"),
            ("paragraph", "Fixed price."),
        ]
    )
    result = _run(document)["missing_exclusions"]
    assert result.present
    assert result.evidence == ("section '6 Exclusions' (2 items)",)


def test_checks_label_line_counts_as_heading() -> None:
    document = make_document(
        [
            ("paragraph", "The vendor will build a portal."),
            ("paragraph", "Assumptions:"),
            ("list_item", "- The Client provides test data."),
            ("list_item", "- One round of review."),
            ("paragraph", "Fees are listed below."),
        ]
    )
    result = _run(document)["missing_assumptions"]
    assert result.present
    assert result.evidence == ("section 'Assumptions' (2 items)",)


@pytest.mark.parametrize(
    ("check_id", "category", "noun"),
    [
        ("missing_exclusions", "exclusion", "exclusion statement"),
        ("missing_assumptions", "assumption", "assumption statement"),
    ],
)
def test_checks_sentence_findings_make_safeguard_present(
    check_id: str, category: str, noun: str
) -> None:
    document = make_document(
        [
            ("heading", "1 Scope", 1),
            ("paragraph", "The vendor will build a portal.", 1),
            ("paragraph", "Hosting is the client's affair.", 3),
            ("paragraph", "Training is the client's affair too.", 4),
        ]
    )
    findings = [
        finding_for(document, category, "Hosting is the client's affair."),
        finding_for(document, category, "Training is the client's affair too."),
    ]
    results, missing = run_checks(document, findings)
    result = _check(results, check_id)
    assert result.present
    assert result.evidence == (f"2 {noun}s (first on page 3)",)
    assert check_id not in {f.type for f in missing}


def test_checks_findings_of_other_categories_do_not_count() -> None:
    document = make_document(PLAIN)
    findings = [finding_for(document, "commitment", "The vendor will build", type_="deliverable")]
    assert not _run(document, findings)["missing_exclusions"].present


@pytest.mark.parametrize(
    ("check_id", "sentence"),
    [
        ("missing_acceptance", "The acceptance criteria are listed in Annex A."),
        ("missing_acceptance", "A deliverable is deemed accepted after 10 working days."),
        ("missing_acceptance", "The Client will run user acceptance testing for two weeks."),
        ("missing_acceptance", "Each release is accepted by the Client in writing."),
        (
            "missing_acceptance",
            "The Government will inspect, test, review and accept all deliverables.",
        ),
        ("missing_acceptance", "The Client signs off each milestone."),
        ("missing_acceptance", "18F is responsible for acceptance of a minimally viable product."),
        ("missing_change_control", "Any change request must be submitted in writing."),
        ("missing_change_control", "No work starts before a change order is signed."),
        ("missing_change_control", "We follow the change control procedure in Schedule C."),
        ("missing_change_control", "Modifications to this SOW must be in writing."),
        (
            "missing_change_control",
            "This Agreement may only be amended in writing signed by both parties.",
        ),
        (
            "missing_change_control",
            "Changes in the terms and conditions of this contract may be made only by written "
            "agreement of the parties.",
        ),
        (
            "missing_change_control",
            "Any changes that the contractor deems may affect contract price shall be referred "
            "to the CO for action.",
        ),
        ("missing_change_control", "Out-of-scope requests will be quoted separately."),
        (
            "missing_acceptance",
            "After the tests have passed, the Service shall be accepted by Globex and Globex "
            "shall sign the Protocol of Delivery.",
        ),
        (
            "missing_change_control",
            "No additional work starts before a written contract amendment.",
        ),
    ],
)
def test_checks_text_cue_makes_safeguard_present(check_id: str, sentence: str) -> None:
    document = make_document([*PLAIN, ("paragraph", sentence, 2)])
    results, missing = run_checks(document, [])
    result = _check(results, check_id)
    assert result.present, sentence
    assert len(result.evidence) == 1 and "(first '" in result.evidence[0]
    assert "on page 2" in result.evidence[0]
    assert check_id not in {f.type for f in missing}


@pytest.mark.parametrize(
    ("check_id", "sentence"),
    [
        ("missing_acceptance", "We accept no liability for indirect losses."),
        ("missing_acceptance", "This quote is valid for acceptance within 30 days."),
        ("missing_acceptance", "Purchase orders shall be accepted by the Supplier in writing."),
        ("missing_change_control", "The vendor will provide organisational change management."),
        ("missing_change_control", "The portal shows recent changes to user profiles."),
        ("missing_change_control", "Notice of changes in key personnel shall be given."),
        (
            "missing_change_control",
            "Any change of the project team members must be approved in writing by the director.",
        ),
        (
            "missing_change_control",
            "Any change to the RFP will require a written amendment to the RFP.",
        ),
        ("missing_exclusions", "The vendor excels at delivery."),
    ],
)
def test_checks_text_without_cue_leaves_safeguard_missing(check_id: str, sentence: str) -> None:
    document = make_document([*PLAIN, ("paragraph", sentence)])
    assert not _run(document)[check_id].present


def test_checks_header_and_footer_are_ignored() -> None:
    document = make_document(
        [
            *PLAIN,
            ("header", "Change Control Form v2 — acceptance criteria template"),
            ("footer", "Exclusions"),
        ]
    )
    checks = _run(document)
    assert not checks["missing_change_control"].present
    assert not checks["missing_acceptance"].present
    assert not checks["missing_exclusions"].present


def test_checks_document_without_blocks_uses_its_text() -> None:
    document = Document(
        path="raw.txt",
        kind="txt",
        text="All changes require a signed change order.",
        blocks=(),
        sha256="0" * 64,
    )
    assert _run(document)["missing_change_control"].present


ESTIMATE_DOC = [
    ("heading", "1 Scope", 1),
    ("paragraph", "The vendor will migrate the CRM.", 1),
    ("heading", "2 Effort", 2),
    ("paragraph", "The work takes approximately 120 person-days.", 2),
]


def test_checks_estimate_without_basis_is_missing() -> None:
    document = make_document(ESTIMATE_DOC)
    findings = [finding_for(document, "estimate", "approximately 120 person-days")]
    results, missing = run_checks(document, findings)
    result = _check(results, "missing_estimate_basis")
    assert not result.present
    assert result.evidence == ("1 estimate (first on page 2)",)
    assert result.summary == (
        "Estimates given, but no assumption explains them: 1 estimate (first on page 2)"
    )
    finding = next(f for f in missing if f.type == "missing_estimate_basis")
    assert finding.severity == "medium"
    assert finding.source == "check:missing_estimate_basis"


def test_checks_estimate_explained_by_assumption_finding() -> None:
    document = make_document(
        [*ESTIMATE_DOC, ("paragraph", "The Client provides an API for the CRM.", 3)]
    )
    findings = [
        finding_for(document, "estimate", "approximately 120 person-days"),
        finding_for(document, "assumption", "The Client provides an API for the CRM."),
    ]
    result = _run(document, findings)["missing_estimate_basis"]
    assert result.present
    assert "1 assumption statement (first on page 3)" in result.evidence


@pytest.mark.parametrize("heading", ["Assumptions", "Basis of Estimate", "Pricing Assumptions"])
def test_checks_estimate_explained_by_section(heading: str) -> None:
    document = make_document(
        [*ESTIMATE_DOC, ("heading", heading), ("list_item", "- Three integrations.")]
    )
    findings = [finding_for(document, "estimate", "approximately 120 person-days")]
    result = _run(document, findings)["missing_estimate_basis"]
    assert result.present
    assert f"section '{heading}' (1 item)" in result.evidence


@pytest.mark.parametrize(
    "sentence",
    [
        "The effort of 120 person-days is based on three integrations.",
        "This estimate assumes one round of testing: 40 days.",
        "Assuming documented APIs, the build takes 6 weeks.",
    ],
)
def test_checks_estimate_that_states_its_basis(sentence: str) -> None:
    document = make_document([("heading", "1 Plan", 5), ("paragraph", sentence, 5)])
    findings = [finding_for(document, "estimate", sentence)]
    result = _run(document, findings)["missing_estimate_basis"]
    assert result.present
    assert any(e.startswith("1 of 1 estimates state their basis") for e in result.evidence)


def test_checks_estimate_basis_not_applicable_without_estimates() -> None:
    document = make_document(PLAIN)
    results, missing = run_checks(document, [])
    result = _check(results, "missing_estimate_basis")
    assert result.present and result.summary == "No estimates given"
    assert "missing_estimate_basis" not in {f.type for f in missing}


def test_checks_everything_present() -> None:
    document = make_document(
        [
            ("heading", "1 Scope"),
            ("paragraph", "The vendor will build a portal."),
            ("heading", "2 Out of Scope"),
            ("list_item", "- Hosting."),
            ("heading", "3 Assumptions"),
            ("list_item", "- The Client provides data."),
            ("heading", "4 Acceptance"),
            ("paragraph", "Deliverables are deemed accepted after 10 days."),
            ("heading", "5 Change Control"),
            ("paragraph", "Changes need a signed change order."),
        ]
    )
    results, missing = run_checks(document, [])
    assert all(r.present for r in results)
    assert missing == []
    assert (
        _check(results, "missing_exclusions").summary
        == "Exclusions: section 2 Out of Scope, 1 item"
    )


def test_checks_missing_findings_are_valid_findings() -> None:
    document = make_document(PLAIN)
    _, missing = run_checks(document, [])
    for finding in missing:
        data = finding.to_dict()
        assert Finding.from_dict(data) == finding
        assert dataclasses.replace(finding) == finding


# --- real documents (skipped when ../shared/data is absent) ---------------------------------


def _extract(path: Path) -> Document:
    extract = pytest.importorskip("analyzer.extract").extract
    return extract(path)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (
            "sow_rfp/18F_acq-templates/sow/agile_bpa.md",
            {"missing_acceptance": True, "missing_change_control": False},
        ),
        (
            "sow_rfp/18F_acq-templates/sow/micropurchase.md",
            {"missing_acceptance": True, "missing_change_control": False},
        ),
        (
            "sow_rfp/18F_acq-templates/sow/rfp_ghostwriting.md",
            {"missing_acceptance": False, "missing_change_control": False},
        ),
        (
            "sow_rfp/18F_acq-templates/pws/agile_bpa.md",
            {"missing_acceptance": True, "missing_change_control": True},
        ),
        (
            "sow_rfp/18F_tts-buy-ckan-multitenant/solicitation_documents/RFQ.md",
            {"missing_acceptance": True, "missing_assumptions": True},
        ),
    ],
)
def test_checks_real_documents(shared_data: Path, relative: str, expected: dict[str, bool]) -> None:
    path = shared_data / relative
    if not path.is_file():
        skip_or_fail(f"{relative} is not in ../shared/data")
    checks = _run(_extract(path))
    assert {k: checks[k].present for k in expected} == expected


@pytest.mark.shared_data
def test_checks_real_pws_acceptance_evidence_names_the_section(shared_data: Path) -> None:
    path = shared_data / "sow_rfp/18F_acq-templates/pws/agile_bpa.md"
    if not path.is_file():
        skip_or_fail("agile_bpa PWS is not in ../shared/data")
    result = _run(_extract(path))["missing_acceptance"]
    assert any("Inspection and Acceptance of Services" in e for e in result.evidence)


@pytest.mark.parametrize(
    "parts",
    [
        [("paragraph", "Contents"), ("paragraph", "Assumptions .......... 12")],
        [("list_item", "- [Assumptions](#assumptions)"), ("list_item", "- [Fees](#fees)")],
        [("heading", "Assumptions\t12"), ("paragraph", "Fees\t13")],
        [("list_item", "- Assumptions workshop"), ("list_item", "- Design workshop")],
    ],
)
def test_checks_toc_lines_and_scope_bullets_are_not_sections(
    parts: list[tuple[str, str]],
) -> None:
    document = make_document([*PLAIN, *parts])
    assert not _run(document)["missing_assumptions"].present


def test_checks_list_item_label_with_colon_is_a_section() -> None:
    document = make_document(
        [
            *PLAIN,
            ("list_item", "- Out of scope:"),
            ("list_item", "- Hosting."),
            ("list_item", "- Licences."),
        ]
    )
    result = _run(document)["missing_exclusions"]
    assert result.present
    assert result.evidence == ("section 'Out of scope' (2 items)",)


# Words of the cues and their neighbours, so that random texts do hit the cues.
_CUE_ALPHABET = [
    *"acdeilmnoprstuvwx -.;",
    "acceptance ", "criteria ", "user ", "UAT ", "sign-off ", "deemed ", "accepted ",
    "change ", "request ", "order ", "orders ", "to the ", "scope ", "agreement ", "may ",
    "shall ", "be ", "amended ", "in writing ", "written ", "out-of-scope ", "work ",
    "quoted ", "modifications ", "Contracting Officer ", "bilateral ", "reject ",
    "deliverables ", "ſ", "K",
]  # fmt: skip


def _earliest_separate_match(check_id: str, text: str) -> str | None:
    """What one search per cue, keeping the earliest (first listed on ties), finds."""
    check = load_checks().by_id(check_id)
    matches = [m for m in (p.search(text) for p in check.cues) if m is not None]
    return min(matches, key=lambda m: m.start()).group(0) if matches else None


@pytest.mark.parametrize(
    "text",
    [
        "Change requests and change orders follow the change control process.",
        "Final acceptance of the deliverables is by sign-off.",
        "Acceptance criteria: the Customer signs off each release.",
        "Nothing here mentions either safeguard.",
    ],
)
def test_checks_one_cue_alternation_finds_what_separate_cues_find(text: str) -> None:
    for check_id in ("missing_acceptance", "missing_change_control"):
        check = load_checks().by_id(check_id)
        assert check.any_cue is not None
        found = check.any_cue.search(text)
        assert (found.group(0) if found else None) == _earliest_separate_match(check_id, text)


@pytest.mark.shared_data
def test_checks_one_cue_alternation_agrees_on_real_blocks(shared_data: Path) -> None:
    folder = shared_data / "sow_rfp"
    if not folder.is_dir():
        skip_or_fail("sow_rfp is not in ../shared/data")
    blocks = [
        b.text
        for path in sorted(folder.rglob("*.md"))[:25]
        for b in _extract(path).blocks
        if b.kind != "heading"
    ]
    hits = 0
    for text in blocks:
        for check_id in ("missing_acceptance", "missing_change_control"):
            found = load_checks().by_id(check_id).any_cue.search(text)  # type: ignore[union-attr]
            expected = _earliest_separate_match(check_id, text)
            assert (found.group(0) if found else None) == expected
            hits += expected is not None
    assert hits > 10  # the solicitations do talk about acceptance and change control


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bacceptance\s+criteria\b", ("acceptance",)),
        (
            r"\b(?:agreement|sow)\s+(?:may|shall)\s+be\s+(?:amended|modified)\b",
            ("amended", "modified"),
        ),
        (r"\bchanges?\s+orders?\b", ("change",)),
        (r"\bout[\s-]of[\s-]scope\s+work\b", ("scope",)),
        (r"\bUAT\b|\buser\s+acceptance\b", ("acceptance", "uat")),
        (r"(?:the\s+)?\w+ing\b", ("ing",)),  # a literal after a class counts too
        (r"(?:the\s+)?\w+\b", None),  # nothing literal is required
        (r"\b(?:accept|[a-z]+)\b", None),  # one branch requires nothing literal
        (r"\bſign\b", None),  # not ASCII: IGNORECASE matches it to "s", str.lower does not
    ],
)
def test_checks_required_literals_of_a_cue(pattern: str, expected: tuple[str, ...] | None) -> None:
    import re

    from analyzer.checks.definitions import required_literals

    assert required_literals(re.compile(pattern, re.IGNORECASE)) == expected


@given(text=st.lists(st.sampled_from(_CUE_ALPHABET), max_size=40).map("".join))
@settings(max_examples=300, deadline=None)
def test_checks_a_block_without_the_required_literals_has_no_cue(text: str) -> None:
    for check_id in ("missing_acceptance", "missing_change_control"):
        check = load_checks().by_id(check_id)
        assert check.any_cue is not None and check.cue_literals is not None
        if check.any_cue.search(text) is not None and text.isascii():
            assert any(literal in text.lower() for literal in check.cue_literals)


@pytest.mark.shared_data
def test_checks_cue_prefilter_keeps_every_cue_on_real_blocks(shared_data: Path) -> None:
    paths = [
        *sorted((shared_data / "sow_rfp").rglob("*.md"))[:40],
        *sorted((shared_data / "cuad").rglob("*.txt"))[:40],
    ]
    if not paths:
        skip_or_fail("sow_rfp and cuad are not in ../shared/data")
    config = load_checks()
    hits = 0
    for path in paths:
        document = _extract(path)
        for check_id in ("missing_acceptance", "missing_change_control"):
            check = config.by_id(check_id)
            unfiltered = dataclasses.replace(check, cue_literals=None)
            assert find_cues(document, check) == find_cues(document, unfiltered)
            hits += len(find_cues(document, check))
    assert hits > 20
