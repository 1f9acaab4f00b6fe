"""Tests for analyzer.report.handover: building the pack from hand-made reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.report.handover import (
    FLAG_GUARANTEED,
    FLAG_NO_ACCEPTANCE,
    FLAG_UNBOUNDED,
    HandoverPack,
    build_pack,
    document_title,
    is_dependency_section,
    load_clauses,
    load_questions,
)
from analyzer.types import (
    TYPES_BY_CATEGORY,
    Block,
    Document,
    DocumentReport,
    Finding,
    SafeguardCheck,
    finding_id,
)

TEXT = (
    "Portal proposal\n"
    "The vendor will deliver the portal within 6 weeks of kick-off. "
    "We will provide full support as needed. "
    "We will migrate all necessary data. "
    "Unlimited revisions of the branding. "
    "We guarantee zero defects. "
    "The portal will be user-friendly. "
    "Dated TBD. "
    "The client will provide API access before week 2. "
    "Hardware is not included. "
    "We assume the API is documented. "
    "The effort is estimated at 120 person-days. "
)


def _find(
    text: str,
    needle: str,
    category: str,
    type_: str,
    *,
    sentence: str | None = None,
    section: str | None = "2 Scope",
    path: str = "deal/proposal.txt",
    severity: str = "high",
) -> Finding:
    start = text.index(needle)
    sentence = sentence or needle
    return Finding(
        id=finding_id(path, category, type_, start, start + len(needle)),
        category=category,
        type=type_,
        severity=severity,
        start=start,
        end=start + len(needle),
        text=needle,
        sentence=sentence,
        page=None,
        section=section,
        explanation="",
        suggestion="",
        source=f"rule:{type_}",
        sentence_start=text.index(sentence),
    )


def _missing(type_: str, path: str = "deal/proposal.txt", severity: str = "high") -> Finding:
    return Finding(
        id=finding_id(path, "missing", type_, None, None),
        category="missing",
        type=type_,
        severity=severity,
        start=None,
        end=None,
        text=None,
        sentence=None,
        page=None,
        section=None,
        explanation=f"Why {type_} matters.",
        suggestion="",
        source=f"check:{type_}",
    )


def _report(
    findings: list[Finding], *, path: str = "deal/proposal.txt", text: str = TEXT
) -> DocumentReport:
    first_line = text.split("\n", 1)[0]
    blocks = (Block(kind="heading", start=0, end=len(first_line), text=first_line, level=1),)
    document = Document(path=path, kind="txt", text=text, blocks=blocks, sha256="0" * 64)
    missing = {f.type for f in findings if f.category == "missing"}
    return DocumentReport(
        path=path,
        sha256="0" * 64,
        kind="txt",
        pages=None,
        status="ok",
        error=None,
        text_chars=len(text),
        findings=findings,
        summary={"risk_score": 40, "risk_drivers": ["2 missing safeguards"]},
        safeguards=[
            SafeguardCheck(t, t not in missing, (), "Estimate basis: section 4" if t else "")
            for t in TYPES_BY_CATEGORY["missing"]
        ],
        document=document,
    )


def _sample_findings() -> list[Finding]:
    t = TEXT
    return [
        _missing("missing_acceptance"),
        _find(
            t,
            "The vendor will deliver the portal within 6 weeks of kick-off.",
            "commitment",
            "deadline",
        ),
        _find(t, "We will provide full support as needed.", "commitment", "deliverable"),
        _find(
            t,
            "full support",
            "ambiguity",
            "unbounded",
            sentence="We will provide full support as needed.",
        ),
        _find(
            t,
            "as needed",
            "ambiguity",
            "escape_clause",
            sentence="We will provide full support as needed.",
        ),
        _find(t, "We will migrate all necessary data.", "commitment", "deliverable"),
        _find(
            t,
            "all necessary",
            "ambiguity",
            "unbounded",
            sentence="We will migrate all necessary data.",
        ),
        _find(t, "Unlimited revisions of the branding.", "commitment", "unbounded"),
        _find(t, "We guarantee zero defects.", "commitment", "guarantee"),
        _find(t, "The portal will be user-friendly.", "commitment", "deliverable"),
        _find(
            t,
            "user-friendly",
            "ambiguity",
            "subjective",
            sentence="The portal will be user-friendly.",
        ),
        _find(t, "TBD", "ambiguity", "placeholder", sentence="Dated TBD.", section=None),
        _find(
            t,
            "The client will provide API access before week 2.",
            "commitment",
            "deadline",
            section="4 Assumptions",
        ),
        _find(
            t,
            "Hardware is not included.",
            "exclusion",
            "exclusion",
            section="5 Out of scope",
            severity="info",
        ),
        _find(
            t,
            "We assume the API is documented.",
            "assumption",
            "assumption",
            section="4 Assumptions",
            severity="info",
        ),
        _find(
            t,
            "The effort is estimated at 120 person-days.",
            "estimate",
            "estimate",
            section="6 Effort",
            severity="low",
        ),
    ]


@pytest.fixture(scope="module")
def pack() -> HandoverPack:
    return build_pack([_report(_sample_findings())])


def test_handover_ledger_lists_commitments_with_terms_and_location(pack: HandoverPack) -> None:
    first = pack.ledger[0]
    assert first.what == "The vendor will deliver the portal within 6 weeks of kick-off."
    assert first.terms.when == ("within 6 weeks of kick-off",)
    assert first.types == ("deadline",)
    assert first.source.document == "deal/proposal.txt" and first.source.section == "2 Scope"
    assert first.source.name == "proposal.txt"


def _flags(pack: HandoverPack, start: str) -> dict[str, str]:
    entry = next(e for e in pack.ledger if e.what.startswith(start))
    return {f.kind: f.detail for f in entry.flags}


def test_handover_ledger_flags_unbounded_from_words_type_and_inner_phrase(
    pack: HandoverPack,
) -> None:
    assert _flags(pack, "Unlimited revisions")[FLAG_UNBOUNDED] == "'Unlimited'"
    assert _flags(pack, "We will migrate all necessary")[FLAG_UNBOUNDED] == "'all necessary'"
    assert _flags(pack, "We will provide full support")[FLAG_UNBOUNDED] == "'full support'"
    assert FLAG_UNBOUNDED not in _flags(pack, "The vendor will deliver")


def test_handover_ledger_flags_guarantee(pack: HandoverPack) -> None:
    assert _flags(pack, "We guarantee")[FLAG_GUARANTEED] == "'guarantee', 'zero defects'"


def test_handover_ledger_flags_unmeasurable_promise_when_acceptance_missing(
    pack: HandoverPack,
) -> None:
    assert FLAG_NO_ACCEPTANCE in _flags(pack, "The portal will be user-friendly.")
    assert FLAG_NO_ACCEPTANCE not in _flags(pack, "The vendor will deliver")  # has a duration


def test_handover_ledger_no_acceptance_flag_when_document_has_acceptance() -> None:
    findings = [f for f in _sample_findings() if f.category != "missing"]
    pack = build_pack([_report(findings)])
    assert not any(f.kind == FLAG_NO_ACCEPTANCE for e in pack.ledger for f in e.flags)


def test_handover_ledger_merges_findings_of_one_sentence() -> None:
    sentence = "We guarantee zero defects."
    findings = [
        _find(TEXT, sentence, "commitment", "guarantee"),
        _find(TEXT, sentence, "commitment", "deliverable", severity="medium"),
    ]
    pack = build_pack([_report(findings)])
    assert len(pack.ledger) == 1
    assert pack.ledger[0].types == ("guarantee", "deliverable")
    assert pack.ledger[0].severity == "high"


def test_handover_dependency_section_puts_commitment_under_assumptions(pack: HandoverPack) -> None:
    api = "The client will provide API access before week 2."
    assert api not in [e.what for e in pack.ledger]
    placed = [a for a in pack.assumptions if a.text == api]
    assert len(placed) == 1 and "assumptions heading" in placed[0].note
    # Reading order: the moved sentence comes before the later assumption.
    assert [a.text for a in pack.assumptions] == [api, "We assume the API is documented."]


def test_handover_dependency_sentence_also_detected_as_assumption_listed_once() -> None:
    api = "The client will provide API access before week 2."
    findings = [
        _find(TEXT, api, "commitment", "deadline", section="4 Assumptions"),
        _find(TEXT, api, "assumption", "assumption", section="4 Assumptions", severity="info"),
    ]
    pack = build_pack([_report(findings)])
    assert [a.text for a in pack.assumptions] == [api]
    assert pack.assumptions[0].note == ""
    assert pack.ledger == ()


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("4 Assumptions", True),
        ("Client responsibilities", True),
        ("Customer's obligations", True),
        ("Dependencies", True),
        ("2 Scope of Services", False),
        (None, False),
    ],
)
def test_handover_is_dependency_section(section: str | None, expected: bool) -> None:
    assert is_dependency_section(section) is expected


def test_handover_exclusions_and_estimates_verbatim(pack: HandoverPack) -> None:
    assert [e.text for e in pack.exclusions] == ["Hardware is not included."]
    assert pack.exclusions[0].source.section == "5 Out of scope"
    estimate = pack.estimates[0]
    assert estimate.text == "The effort is estimated at 120 person-days."
    assert estimate.terms.measure == ("120 person-days",)
    assert estimate.explained and estimate.basis.startswith("Yes")


def test_handover_estimate_without_basis_is_flagged() -> None:
    findings = [*_sample_findings(), _missing("missing_estimate_basis", severity="medium")]
    pack = build_pack([_report(findings)])
    assert not pack.estimates[0].explained
    assert pack.estimates[0].basis.startswith("No")


def test_handover_questions_grouped_by_section_and_deduplicated() -> None:
    sentence = "We will provide full support as needed."
    findings = [
        _find(TEXT, sentence, "commitment", "deliverable"),
        _find(TEXT, "as needed", "ambiguity", "escape_clause", sentence=sentence),
        # The same phrase again in the same section: asked once, two sources.
        _find(TEXT, "as needed", "ambiguity", "escape_clause", sentence=sentence),
        _find(TEXT, "TBD", "ambiguity", "placeholder", sentence="Dated TBD.", section="1 Intro"),
    ]
    pack = build_pack([_report(findings)])
    assert [g.section for g in pack.questions] == ["2 Scope", "1 Intro"]
    scope = pack.questions[0].questions
    assert len(scope) == 1 and len(scope[0].sources) == 2
    assert pack.question_count == 2


def test_handover_questions_are_questions_that_quote_phrase_and_context(
    pack: HandoverPack,
) -> None:
    questions = [q for g in pack.questions for q in g.questions]
    assert questions
    for question in questions:
        assert question.text.endswith("?")
        assert question.phrase in question.text
    as_needed = next(q for q in questions if q.phrase == "as needed")
    assert as_needed.text.startswith("'as needed' in “We will provide full support as needed.”")
    assert "how many hours" in as_needed.text
    full = next(q for q in questions if q.phrase == "full support")
    assert "what hours, with what response time" in full.text


def test_handover_placeholder_question(pack: HandoverPack) -> None:
    tbd = next(q for g in pack.questions for q in g.questions if q.phrase == "TBD")
    assert tbd.text == "What is the value of 'TBD' in 'Dated TBD.'?"


def test_handover_long_context_is_clipped_around_the_phrase() -> None:
    sentence = "Intro " * 40 + "the vendor will act as needed and then " + "more words " * 40
    text = f"Title\n{sentence}"
    finding = _find(text, "as needed", "ambiguity", "escape_clause", sentence=sentence)
    pack = build_pack([_report([finding], text=text)])
    question = pack.questions[0].questions[0]
    assert question.context.startswith("…") and question.context.endswith("…")
    assert "as needed" in question.context and len(question.context) < 200


def test_handover_sentence_long_ambiguity_gets_sentence_question() -> None:
    sentence = "The portal will be user-friendly."
    finding = _find(TEXT, sentence, "ambiguity", "vague_term", sentence=sentence)
    pack = build_pack([_report([finding])])
    question = pack.questions[0].questions[0]
    assert question.template == "sentence"
    assert question.text.startswith(f"“{sentence}”") and question.text.endswith("?")


@pytest.mark.parametrize(
    ("phrase", "type_", "template"),
    [
        ("as needed", "escape_clause", "phrase.as_needed"),
        ("As  Needed", "escape_clause", "phrase.as_needed"),
        ("in a timely manner", "vague_term", "phrase.timely"),
        ("unlimited", "unbounded", "phrase.unlimited"),
        ("TBD", "placeholder", "type.placeholder"),
        ("[Client]", "placeholder", "type.placeholder"),
        ("tolerable", "vague_term", "type.vague_term"),
        ("frobnicate", "unknown_type", "fallback"),
    ],
)
def test_handover_question_template_lookup(phrase: str, type_: str, template: str) -> None:
    assert load_questions().for_finding(phrase, type_).id == template


def test_handover_every_question_template_ends_with_question_mark() -> None:
    book = load_questions()
    assert book.templates
    for template in book.templates:
        filled = template.question.format(phrase="x", context="y")
        assert filled.endswith("?"), template.id
    ambiguity_types = set(TYPES_BY_CATEGORY["ambiguity"])
    assert ambiguity_types <= {t.type for t in book.templates}


@pytest.mark.parametrize(
    "line",
    [
        {"id": "a", "question": "'{phrase}' is vague."},
        {"id": "b", "question": "What about {other}?"},
        {"id": "c", "question": "What is meant?"},
        {"id": "d", "type": "no_such_type", "question": "'{phrase}'?"},
    ],
)
def test_handover_load_questions_rejects_bad_templates(tmp_path: Path, line: dict) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"questions\.jsonl:1"):
        load_questions(path)


def test_handover_clauses_cover_every_missing_safeguard(tmp_path: Path) -> None:
    clauses = load_clauses()
    assert set(TYPES_BY_CATEGORY["missing"]) <= set(clauses)
    for clause in clauses.values():
        assert clause.title and clause.intro and clause.items
    path = tmp_path / "clauses.json"
    path.write_text(json.dumps({"clauses": {}}), encoding="utf-8")
    with pytest.raises(ValueError, match="no clause for missing_exclusions"):
        load_clauses(path)


def test_handover_missing_safeguards_merge_documents_of_the_deal() -> None:
    proposal = _report([_missing("missing_acceptance")], path="deal/proposal.txt")
    sow = _report(
        [
            _missing("missing_acceptance", path="deal/sow.txt"),
            _missing("missing_exclusions", path="deal/sow.txt"),
        ],
        path="deal/sow.txt",
    )
    pack = build_pack([proposal, sow])
    by_id = {m.check_id: m for m in pack.missing}
    assert list(by_id) == ["missing_exclusions", "missing_acceptance"]  # taxonomy order
    assert by_id["missing_acceptance"].missing_in == ("deal/proposal.txt", "deal/sow.txt")
    assert by_id["missing_exclusions"].missing_in == ("deal/sow.txt",)
    assert by_id["missing_exclusions"].present_in == ("deal/proposal.txt",)
    assert by_id["missing_exclusions"].clause.title.startswith("Out of scope")
    assert by_id["missing_acceptance"].explanation == "Why missing_acceptance matters."
    assert pack.multi and pack.title == "Handover pack: 2 documents"


def test_handover_multi_document_items_keep_their_source() -> None:
    sentence = "We guarantee zero defects."
    proposal = _report([_find(TEXT, sentence, "commitment", "guarantee")])
    sow = _report(
        [_find(TEXT, sentence, "commitment", "guarantee", path="deal/sow.txt")],
        path="deal/sow.txt",
    )
    pack = build_pack([proposal, sow])
    assert [e.source.document for e in pack.ledger] == ["deal/proposal.txt", "deal/sow.txt"]


def test_handover_error_document_is_only_summarised() -> None:
    broken = DocumentReport(
        path="deal/contract.pdf",
        sha256=None,
        kind="pdf",
        pages=None,
        status="error",
        error="The file is damaged",
        text_chars=0,
    )
    pack = build_pack([_report(_sample_findings()), broken])
    assert [d.status for d in pack.documents] == ["ok", "error"]
    assert pack.documents[1].error == "The file is damaged"
    assert all(m.missing_in == ("deal/proposal.txt",) for m in pack.missing)


def test_handover_title_from_document_or_argument(pack: HandoverPack) -> None:
    assert pack.title == "Handover pack: Portal proposal"
    assert build_pack([_report([])], title="Deal X").title == "Deal X"
    assert document_title(_report([], text="A sentence that ends.\nMore")) is None
