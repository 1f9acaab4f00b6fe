"""Repository behaviour on both backends: round trips, constraints, history, export, stats."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from design_contract import ANNOTATION_KEYS as RECORD_KEYS
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from store_helpers import TEXT, decide, make_document, make_finding, make_report

from analyzer.errors import StoreError
from analyzer.store import Store, utc_timestamp
from analyzer.store.schema import AnalysisRow, AnnotationRow, DocumentRow, FindingRow
from analyzer.types import Annotation

# DESIGN.md "Annotation record", in order.
DOC = make_document()
OPEN = make_finding(TEXT, "including but not limited to")
ETC = make_finding(TEXT, "etc.")
VAGUE = make_finding(TEXT, "timely", type_="vague_term", source="rule:vague_term.timely")
MISSING = make_finding(
    TEXT, None, category="missing", type_="missing_acceptance", source="check:acceptance"
)
FINDINGS = [OPEN, ETC, VAGUE, MISSING]


def added_span(phrase: str = "TBD", **changes: object) -> Annotation:
    start = TEXT.index(phrase)
    annotation = Annotation(
        document_sha256=DOC.sha256,
        document_name="acme.pdf",
        start=start,
        end=start + len(phrase),
        text=phrase,
        sentence="Go-live is TBD.",
        finding_id=None,
        category="ambiguity",
        type="placeholder",
        decision="add",
        reviewer="j.doe",
        created_at="2026-11-25T18:00:00Z",
        new_category="ambiguity",
        new_type="placeholder",
        new_severity="high",
    )
    return replace(annotation, **changes)  # type: ignore[arg-type]


@pytest.fixture
def seeded(store: Store) -> Store:
    """A store holding DOC and one analysis with FINDINGS."""
    store.save_document(DOC)
    store.save_analysis(DOC.sha256, make_report(DOC, FINDINGS), "0.1.0", None)
    return store


# -- documents ---------------------------------------------------------------------------------


def test_store_document_round_trip(store: Store) -> None:
    original = b"%PDF-1.7 fake bytes \x00\xff"
    doc_id = store.save_document(DOC, original)
    stored = store.get_document(DOC.sha256)
    assert stored is not None
    assert (stored.sha256, stored.name, stored.kind, stored.pages) == (
        DOC.sha256,
        "acme.pdf",
        "pdf",
        1,
    )
    assert stored.text == DOC.text
    assert stored.original == original
    assert store.save_document(DOC) == doc_id  # idempotent by sha256
    assert store.get_document("f" * 64) is None


def test_store_document_without_original_then_added(store: Store) -> None:
    doc_id = store.save_document(DOC)
    stored = store.get_document(DOC.sha256)
    assert stored is not None and stored.original is None
    assert store.save_document(DOC, b"bytes") == doc_id
    stored = store.get_document(DOC.sha256)
    assert stored is not None and stored.original == b"bytes"
    assert store.save_document(DOC, b"other") == doc_id  # never overwritten
    stored = store.get_document(DOC.sha256)
    assert stored is not None and stored.original == b"bytes"


def test_store_document_nul_keeps_offsets(store: Store) -> None:
    doc = make_document("a\x00b TBD", sha="c")
    store.save_document(doc)
    stored = store.get_document(doc.sha256)
    assert stored is not None
    assert len(stored.text) == len(doc.text)
    assert stored.text[4:7] == "TBD"


def test_store_list_documents(seeded: Store) -> None:
    seeded.save_document(make_document(path="b/other.docx", sha="b"), b"x")
    seeded.add_annotation(decide(OPEN, DOC))
    summaries = {s.name: s for s in seeded.list_documents()}
    assert set(summaries) == {"acme.pdf", "other.docx"}
    acme = summaries["acme.pdf"]
    assert (acme.analyses, acme.annotations, acme.has_original) == (1, 1, False)
    assert acme.text_chars == len(TEXT)
    assert acme.created_at.tzinfo is not None
    assert summaries["other.docx"].has_original is True


# -- analyses ----------------------------------------------------------------------------------


def test_store_analysis_round_trip(seeded: Store, engine: Engine) -> None:
    report = seeded.latest_analysis(DOC.sha256)
    assert report is not None
    assert report.to_dict() == make_report(DOC, FINDINGS).to_dict()
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(FindingRow)) == len(FINDINGS)
        missing = s.scalars(select(FindingRow).where(FindingRow.category == "missing")).one()
        assert (missing.start, missing.end, missing.text) == (None, None, None)


def test_store_latest_analysis_filters(seeded: Store) -> None:
    seeded.save_analysis(DOC.sha256, make_report(DOC, [OPEN]), "0.2.0", "models/clf")
    latest = seeded.latest_analysis(DOC.sha256)
    assert latest is not None and len(latest.findings) == 1
    old = seeded.latest_analysis(DOC.sha256, tool_version="0.1.0")
    assert old is not None and len(old.findings) == len(FINDINGS)
    by_model = seeded.latest_analysis(DOC.sha256, tool_version="0.2.0", model="models/clf")
    assert by_model is not None and by_model.to_dict() == latest.to_dict()
    assert seeded.latest_analysis(DOC.sha256, model="models/none") is None
    assert seeded.latest_analysis("f" * 64) is None


def test_store_analysis_needs_document(store: Store) -> None:
    with pytest.raises(StoreError, match="save it first"):
        store.save_analysis(DOC.sha256, make_report(DOC, FINDINGS), "0.1.0", None)


def test_store_analysis_other_document_rejected(seeded: Store) -> None:
    with pytest.raises(ValueError, match="report is for document"):
        seeded.save_analysis("f" * 64, make_report(DOC, FINDINGS), "0.1.0", None)


def test_store_findings_check_rejects_empty_span(seeded: Store, engine: Engine) -> None:
    bad = replace(OPEN, id="bad", start=10, end=10)
    with pytest.raises(StoreError, match="could not save analysis"):
        seeded.save_analysis(DOC.sha256, make_report(DOC, [ETC, bad]), "0.1.0", None)
    with Session(engine) as s:  # the whole analysis was rolled back
        assert s.scalar(select(func.count()).select_from(AnalysisRow)) == 1


# -- constraints enforced by the database itself -------------------------------------------------


@pytest.mark.parametrize(("start", "end"), [(5, 5), (9, 3), (-1, 4), (3, None), (None, 3)], ids=str)
def test_store_annotation_span_check(
    seeded: Store, engine: Engine, start: int | None, end: int | None
) -> None:
    with pytest.raises(IntegrityError), Session(engine) as s, s.begin():
        doc_id = s.scalar(select(DocumentRow.id))
        s.add(
            AnnotationRow(
                document_id=doc_id,
                start=start,
                end=end,
                category="ambiguity",
                type="placeholder",
                decision="add",
                reviewer="j.doe",
                created_at=datetime.now(UTC),
            )
        )


@pytest.mark.parametrize(
    ("column", "value"), [("decision", "approve"), ("reviewer", "")], ids=["decision", "reviewer"]
)
def test_store_annotation_value_checks(
    seeded: Store, engine: Engine, column: str, value: str
) -> None:
    fields = {
        "finding_id": OPEN.id,
        "category": "ambiguity",
        "type": "open_ended",
        "decision": "confirm",
        "reviewer": "j.doe",
        column: value,
    }
    with pytest.raises(IntegrityError), Session(engine) as s, s.begin():
        doc_id = s.scalar(select(DocumentRow.id))
        s.add(AnnotationRow(document_id=doc_id, created_at=datetime.now(UTC), **fields))


def test_store_foreign_keys_enforced(store: Store, engine: Engine) -> None:
    with pytest.raises(IntegrityError), Session(engine) as s, s.begin():
        s.add(
            AnalysisRow(
                document_id=12345,
                tool_version="0.1.0",
                created_at=datetime.now(UTC),
                report_json="{}",
            )
        )


def test_store_sha256_unique(store: Store, engine: Engine) -> None:
    store.save_document(DOC)
    with pytest.raises(IntegrityError), Session(engine) as s, s.begin():
        s.add(
            DocumentRow(
                sha256=DOC.sha256,
                name="dup",
                text="x",
                text_chars=1,
                created_at=datetime.now(UTC),
            )
        )


# -- annotations -------------------------------------------------------------------------------


def test_store_annotation_round_trip(seeded: Store) -> None:
    annotations = [
        decide(OPEN, DOC, reason="really open", comment="see §3"),
        decide(
            VAGUE,
            DOC,
            "relabel",
            created_at="2026-11-25T18:01:00Z",
            new_category="ambiguity",
            new_type="subjective",
            new_severity="low",
            model="models/clf",
        ),
        decide(MISSING, DOC, "dismiss", created_at="2026-11-25T18:02:00Z"),
        added_span(created_at="2026-11-25T18:03:00Z"),
    ]
    ids = [seeded.add_annotation(a) for a in annotations]
    assert ids == sorted(ids) and len(set(ids)) == 4
    assert seeded.annotations(DOC.sha256) == annotations
    assert seeded.annotations() == annotations
    assert seeded.annotations("f" * 64) == []


def test_store_annotation_timestamps(seeded: Store) -> None:
    seeded.add_annotation(decide(OPEN, DOC, created_at="2026-11-25T19:00:00+01:00"))
    seeded.add_annotation(decide(ETC, DOC, created_at=""))  # empty: now
    first, second = seeded.annotations(DOC.sha256)
    assert first.created_at == "2026-11-25T18:00:00Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", second.created_at)
    assert second.created_at >= utc_timestamp(datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reviewer": "  "}, "reviewer must not be empty"),
        ({"decision": "approve"}, "is not one of"),
        ({"decision": "relabel"}, "needs new_category and new_type"),
        ({"decision": "relabel", "new_category": "ambiguity"}, "needs new_category and new_type"),
        (
            {"decision": "relabel", "new_category": "ambiguity", "new_type": "nonsense"},
            "unknown label",
        ),
        ({"start": 40, "end": 40}, "0 <= start < end"),
        ({"start": 40, "end": None}, "both be set"),
        ({"new_severity": "critical"}, "new_severity"),
        ({"created_at": "yesterday"}, "not an ISO 8601"),
        ({"created_at": "2026-11-25T18:00:00"}, "no timezone"),
        ({"finding_id": None, "start": None, "end": None}, "needs a finding_id or a span"),
        ({"start": 0, "end": 10_000}, "past the document end"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_store_annotation_validation(seeded: Store, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        seeded.add_annotation(decide(OPEN, DOC, **changes))
    assert seeded.annotations() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": None, "end": None}, "needs start < end"),
        ({"text": ""}, "needs the span text"),
        ({"text": "TBC"}, "does not match the document"),
    ],
)
def test_store_added_span_validation(seeded: Store, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        seeded.add_annotation(added_span(**changes))


def test_store_annotation_unknown_document(store: Store) -> None:
    with pytest.raises(StoreError, match="save it first"):
        store.add_annotation(decide(OPEN, DOC))


def test_store_history_kept_and_current_decision(seeded: Store) -> None:
    history = [
        decide(OPEN, DOC, "confirm", "ann", "2026-11-25T18:00:00Z"),
        decide(OPEN, DOC, "dismiss", "ann", "2026-11-25T18:05:00Z"),
        decide(OPEN, DOC, "confirm", "bob", "2026-11-25T18:01:00Z"),
        # A late write with an older timestamp does not become current.
        decide(
            OPEN,
            DOC,
            "relabel",
            "ann",
            "2026-11-25T17:00:00Z",
            new_category="ambiguity",
            new_type="vague_term",
        ),
        decide(MISSING, DOC, "dismiss", "ann", "2026-11-25T18:00:00Z"),
        # Same timestamp: insertion order decides.
        decide(MISSING, DOC, "confirm", "ann", "2026-11-25T18:00:00Z"),
        # Added spans are keyed by (start, end, category, type).
        added_span(created_at="2026-11-25T18:00:00Z"),
        added_span(created_at="2026-11-25T18:10:00Z", comment="again"),
        added_span("etc.", type="open_ended", created_at="2026-11-25T18:00:00Z"),
        added_span(type="unbounded", created_at="2026-11-25T18:00:00Z"),
    ]
    for annotation in history:
        seeded.add_annotation(annotation)
    everything = seeded.annotations(DOC.sha256)
    assert len(everything) == len(history)
    assert [a.created_at for a in everything] == sorted(a.created_at for a in history)

    current = seeded.current_decisions(DOC.sha256)
    by_key = {(a.finding_id, a.start, a.type, a.reviewer): a for a in current}
    assert len(current) == len(by_key) == 6
    assert by_key[(OPEN.id, OPEN.start, "open_ended", "ann")].decision == "dismiss"
    assert by_key[(OPEN.id, OPEN.start, "open_ended", "bob")].decision == "confirm"
    assert by_key[(MISSING.id, None, "missing_acceptance", "ann")].decision == "confirm"
    tbd = TEXT.index("TBD")
    assert by_key[(None, tbd, "placeholder", "j.doe")].comment == "again"
    assert (None, tbd, "unbounded", "j.doe") in by_key
    assert (None, TEXT.index("etc."), "open_ended", "j.doe") in by_key
    assert [a.created_at for a in current] == sorted(a.created_at for a in current)
    assert seeded.current_decisions("f" * 64) == []


def test_store_current_decisions_per_document(seeded: Store) -> None:
    other = make_document(sha="b")
    seeded.save_document(other)
    seeded.add_annotation(decide(OPEN, DOC, "confirm"))
    seeded.add_annotation(decide(OPEN, other, "dismiss"))  # same finding id, other document
    assert [a.decision for a in seeded.current_decisions(DOC.sha256)] == ["confirm"]
    assert [a.decision for a in seeded.current_decisions(other.sha256)] == ["dismiss"]
    assert len(seeded.current_decisions(None)) == 2


# -- export ------------------------------------------------------------------------------------


def test_store_export_format(seeded: Store) -> None:
    seeded.add_annotation(decide(OPEN, DOC, reason="why"))
    seeded.add_annotation(decide(OPEN, DOC, "dismiss", created_at="2026-11-25T18:30:00Z"))
    seeded.add_annotation(added_span(created_at="2026-11-25T18:40:00Z"))
    out = io.StringIO()
    assert seeded.export_annotations(out) == 3
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and out.getvalue().endswith("\n")
    records = [json.loads(line) for line in lines]
    for record in records:
        assert list(record) == RECORD_KEYS
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["created_at"])
    first = records[0]
    assert first["document_sha256"] == DOC.sha256
    assert first["document_name"] == "acme.pdf"
    assert (first["start"], first["end"]) == (OPEN.start, OPEN.end)
    assert first["text"] == "including but not limited to"
    assert first["finding_id"] == OPEN.id
    assert (first["decision"], first["reason"], first["created_at"]) == (
        "confirm",
        "why",
        "2026-11-25T18:00:00Z",
    )
    assert (first["tool_version"], first["model"]) == ("0.1.0", None)
    added = records[2]
    assert (added["finding_id"], added["decision"], added["new_type"]) == (
        None,
        "add",
        "placeholder",
    )
    assert Annotation.from_dict(added) == seeded.annotations()[2]

    current = io.StringIO()
    assert seeded.export_annotations(current, DOC.sha256, current_only=True) == 2
    assert [json.loads(x)["decision"] for x in current.getvalue().splitlines()] == [
        "dismiss",
        "add",
    ]
    assert seeded.export_annotations(io.StringIO(), "f" * 64) == 0


# -- rule precision ----------------------------------------------------------------------------


def test_store_rule_precision(seeded: Store) -> None:
    other = make_document(sha="b", path="b.pdf")
    o_open = make_finding(TEXT, "including but not limited to", path="b.pdf")
    o_etc = make_finding(TEXT, "etc.", path="b.pdf")
    seeded.save_document(other)
    seeded.save_analysis(other.sha256, make_report(other, [o_open, o_etc]), "0.1.0", None)
    # A second analysis of DOC with the same findings must not double-count.
    seeded.save_analysis(DOC.sha256, make_report(DOC, FINDINGS), "0.1.0", None)

    t = "2026-11-25T18:{:02d}:00Z"
    for decision in [
        decide(OPEN, DOC, "confirm", "ann", t.format(0)),
        decide(OPEN, DOC, "dismiss", "ann", t.format(1)),  # ann changed her mind: dismiss counts
        decide(OPEN, DOC, "dismiss", "bob", t.format(2)),  # agrees with ann: counts once
        decide(ETC, DOC, "confirm", "ann", t.format(3)),
        decide(o_open, other, "dismiss", "ann", t.format(4)),
        decide(
            o_etc,
            other,
            "relabel",
            "ann",
            t.format(5),
            new_category="ambiguity",
            new_type="vague_term",
        ),
        decide(VAGUE, DOC, "confirm", "ann", t.format(6)),
        decide(MISSING, DOC, "dismiss", "ann", t.format(7)),
        added_span(created_at=t.format(8)),  # no source: ignored
    ]:
        seeded.add_annotation(decision)

    stats = {(s.source, s.type): s for s in seeded.rule_precision()}
    assert set(stats) == {
        ("check:acceptance", "missing_acceptance"),
        ("rule:open_ended.test", "open_ended"),
        ("rule:vague_term.timely", "vague_term"),
    }
    open_ended = stats[("rule:open_ended.test", "open_ended")]
    assert (open_ended.confirmed, open_ended.dismissed, open_ended.relabelled) == (1, 2, 1)
    assert open_ended.total == 4
    assert open_ended.precision == pytest.approx(0.25)
    assert open_ended.category == "ambiguity"
    missing = stats[("check:acceptance", "missing_acceptance")]
    assert (missing.confirmed, missing.dismissed, missing.precision) == (0, 1, 0.0)
    assert stats[("rule:vague_term.timely", "vague_term")].precision == 1.0


def test_store_rule_precision_empty(store: Store) -> None:
    assert store.rule_precision() == []


# -- allow-list --------------------------------------------------------------------------------


def test_store_allow_list_round_trip(store: Store) -> None:
    assert store.allow_list() == []
    entry = store.add_allowed_phrase("  Best   Effort ", "ambiguity", "escape_clause", "ann", "ok")
    assert entry.phrase == "best effort"
    store.add_allowed_phrase("TBD", "ambiguity", None, "bob")
    phrases = store.allow_list()
    assert [p.phrase for p in phrases] == ["best effort", "tbd"]
    assert (phrases[0].category, phrases[0].type, phrases[0].reviewer, phrases[0].reason) == (
        "ambiguity",
        "escape_clause",
        "ann",
        "ok",
    )
    assert phrases[1].type is None and phrases[0].created_at.tzinfo is not None

    # Adding again replaces the entry instead of failing on the unique phrase.
    store.add_allowed_phrase("BEST EFFORT", "ambiguity", None, "bob", "all types")
    again = {p.phrase: p for p in store.allow_list()}
    assert len(again) == 2
    assert (again["best effort"].type, again["best effort"].reviewer) == (None, "bob")

    assert store.remove_allowed_phrase("Best effort", "bob") is True
    assert store.remove_allowed_phrase("best effort", "bob") is False
    assert [p.phrase for p in store.allow_list()] == ["tbd"]


@pytest.mark.parametrize(
    ("phrase", "category", "reviewer"), [("   ", "ambiguity", "a"), ("x", "", "a"), ("x", "a", "")]
)
def test_store_allow_list_validation(
    store: Store, phrase: str, category: str, reviewer: str
) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        store.add_allowed_phrase(phrase, category, None, reviewer)


def test_store_last_reviewer(seeded: Store) -> None:
    assert seeded.last_reviewer() is None
    seeded.add_annotation(decide(OPEN, DOC, "confirm", "ann", "2026-11-25T18:00:00Z"))
    seeded.add_annotation(decide(OPEN, DOC, "dismiss", "bob", "2026-11-25T18:05:00Z"))
    seeded.add_annotation(decide(OPEN, DOC, "confirm", "ann", "2026-11-25T17:00:00Z"))  # older
    assert seeded.last_reviewer() == "bob"
