"""The UI-free review service (analyzer.review): caching by sha256, decisions, filters, HTML."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from app_helpers import HOSTILE_NAME, HOSTILE_TEXT, XSS_IMG, XSS_SCRIPT

from analyzer import review as rv
from analyzer.analyze import Analyzer, error_report
from analyzer.render import highlights_for
from analyzer.report.portfolio import batch_table
from analyzer.store import Store
from analyzer.store.repository import RuleStats
from analyzer.types import Finding, SafeguardCheck, sha256_bytes

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _open_text(service: rv.ReviewService, text: str = HOSTILE_TEXT, name: str = "p.txt"):
    opened = service.open_bytes(text.encode("utf-8"), name)
    assert opened.ok, opened.report.error
    return opened


def _finding(opened: rv.OpenedDocument, text: str) -> Finding:
    return next(f for f in opened.report.findings if f.text == text)


# -- opening and caching -------------------------------------------------------------------------


def test_review_open_bytes_analyses_once_then_reads_the_store(
    service: rv.ReviewService, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _open_text(service)
    assert not first.cached
    assert first.text == HOSTILE_TEXT
    assert first.has_original

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("re-opening a document must not run the analysis")

    monkeypatch.setattr(service.analyzer, "analyze_bytes", boom)
    again = service.open_bytes(HOSTILE_TEXT.encode("utf-8"), "renamed.txt")
    assert again.cached
    assert again.sha256 == first.sha256 == sha256_bytes(HOSTILE_TEXT.encode("utf-8"))
    assert [f.id for f in again.report.findings] == [f.id for f in first.report.findings]
    assert service.open_stored(first.sha256) is not None


def test_review_open_bytes_error_is_reported_and_not_stored(service: rv.ReviewService) -> None:
    opened = service.open_bytes(b"", "empty.txt")
    assert not opened.ok
    assert opened.report.error
    assert service.store.list_documents() == []


def test_review_open_path_reads_files_and_reports_missing_ones(
    service: rv.ReviewService, tmp_path: Path
) -> None:
    path = tmp_path / "a.md"
    path.write_text(HOSTILE_TEXT, encoding="utf-8")
    assert service.open_path(path).ok
    missing = service.open_path(tmp_path / "nope.txt")
    assert not missing.ok
    assert "cannot read" in (missing.report.error or "")


def test_review_open_stored_adds_missing_original(store: Store, analyzer: Analyzer) -> None:
    data = HOSTILE_TEXT.encode("utf-8")
    without = rv.ReviewService(store, analyzer, keep_originals=False)
    assert not without.open_bytes(data, "p.txt").has_original
    assert store.get_document(sha256_bytes(data)).original is None  # type: ignore[union-attr]
    with_original = rv.ReviewService(store, analyzer).open_bytes(data, "p.txt")
    assert with_original.cached and with_original.has_original
    assert store.get_document(sha256_bytes(data)).original == data  # type: ignore[union-attr]


def test_review_reanalyse_applies_a_new_allow_list(store: Store, analyzer: Analyzer) -> None:
    opened = _open_text(rv.ReviewService(store, analyzer))
    store.add_allowed_phrase("Reasonable", "ambiguity", None, "lead")
    assert rv.muted_matches(opened.report.findings, rv.allow_list_key(store))
    muted = rv.ReviewService(store, Analyzer(muted_phrases=rv.allow_list_key(store)))
    fresh = muted.reanalyse(opened.sha256)
    assert not fresh.cached
    assert "reasonable" not in [f.text for f in fresh.report.findings]
    assert muted.open_stored(opened.sha256).report.findings == fresh.report.findings  # type: ignore[union-attr]


def test_review_reanalyse_needs_the_original(store: Store, analyzer: Analyzer) -> None:
    opened = rv.ReviewService(store, analyzer, keep_originals=False).open_bytes(
        HOSTILE_TEXT.encode("utf-8"), "p.txt"
    )
    with pytest.raises(ValueError, match="original"):
        rv.ReviewService(store, analyzer).reanalyse(opened.sha256)


# -- PDF page images ---------------------------------------------------------------------------


def test_review_page_boxes_are_re_extracted_from_the_stored_pdf(
    store: Store, analyzer: Analyzer
) -> None:
    data = (EXAMPLES / "data-migration-sow.pdf").read_bytes()
    opened = rv.ReviewService(store, analyzer).open_bytes(data, "sow.pdf")
    assert opened.ok and opened.kind == "pdf"
    fresh_service = rv.ReviewService(store, analyzer)  # no memo: boxes come from the bytes
    boxes = fresh_service.page_boxes(opened.sha256)
    assert boxes is not None and boxes[0].page == 1
    for page in boxes:
        for offset in page.offsets[:50]:
            assert 0 <= offset < len(opened.text)
    plain = fresh_service.page_png(opened.sha256, 1)
    finding = next(f for f in opened.report.findings if f.page == 1 and f.text)
    marked = fresh_service.page_png(
        opened.sha256, 1, highlights_for([finding], selected_id=finding.id)
    )
    assert plain is not None and marked is not None
    assert plain.startswith(b"\x89PNG") and marked != plain


def test_review_page_png_is_none_for_text_documents(service: rv.ReviewService) -> None:
    opened = _open_text(service)
    assert service.page_boxes(opened.sha256) is None
    assert service.page_png(opened.sha256, 1) is None


# -- decisions merged into findings ------------------------------------------------------------


def test_review_merge_decisions_states_and_relabel(service: rv.ReviewService) -> None:
    opened = _open_text(service)
    tool = service.tool
    vague = _finding(opened, "reasonable")
    subjective = _finding(opened, "user-friendly")
    open_ended = _finding(opened, "including but not limited to")
    service.record(rv.make_decision(opened, vague, "confirm", "ann", tool=tool))
    service.record(
        rv.make_decision(opened, subjective, "dismiss", "ann", tool=tool, reason="clear")
    )
    service.record(
        rv.make_decision(
            opened,
            open_ended,
            "relabel",
            "ann",
            tool=tool,
            new_category="ambiguity",
            new_type="unbounded",
            new_severity="low",
        )
    )
    sentence = next(s for s in rv.split_sentences(opened.text) if "price is" in s.text)
    service.record(
        rv.make_added(opened, sentence, "price", "commitment", "price", "high", "ann", tool=tool)
    )
    items = rv.merge_decisions(opened.report.findings, service.decisions(opened.sha256), "ann")
    state = {i.finding.text: i.state for i in items}
    assert state["reasonable"] == "confirmed"
    assert state["user-friendly"] == "dismissed"
    assert state["including but not limited to"] == "relabelled"
    assert state["price"] == "added"
    assert state["timely"] == "unreviewed"
    relabelled = next(i for i in items if i.state == "relabelled")
    assert (relabelled.finding.type, relabelled.finding.severity) == ("unbounded", "low")
    assert relabelled.original.type == "open_ended"
    added = next(i for i in items if i.state == "added")
    assert added.finding.source == "reviewer:ann"
    assert opened.text[added.finding.start : added.finding.end] == "price"  # type: ignore[misc]
    # Another reviewer sees none of ann's decisions.
    other = rv.merge_decisions(opened.report.findings, service.decisions(opened.sha256), "bob")
    assert {i.state for i in other} == {"unreviewed"}


def test_review_latest_decision_wins_and_history_is_kept(service: rv.ReviewService) -> None:
    opened = _open_text(service)
    vague = _finding(opened, "reasonable")
    service.record(rv.make_decision(opened, vague, "confirm", "ann", tool=service.tool))
    later = rv.make_decision(opened, vague, "dismiss", "ann", tool=service.tool)
    service.record(replace(later, created_at="2099-01-01T00:00:00Z"))
    items = rv.merge_decisions(opened.report.findings, service.decisions(opened.sha256))
    assert next(i for i in items if i.finding.id == vague.id).state == "dismissed"
    assert len(service.store.annotations(opened.sha256)) == 2
    lines = service.export_jsonl(opened.sha256).splitlines()
    assert [json.loads(line)["decision"] for line in lines] == ["confirm", "dismiss"]


def test_review_make_decision_requires_a_reviewer(service: rv.ReviewService) -> None:
    opened = _open_text(service)
    with pytest.raises(ValueError, match="reviewer"):
        rv.make_decision(opened, opened.report.findings[0], "confirm", "  ", tool=service.tool)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("TBD", "TBD"), ("tbd", "TBD"), ("  price  ", "price")],
)
def test_review_locate_phrase_inside_sentence(phrase: str, expected: str) -> None:
    text = "Intro.\nThe price is TBD. Next one."
    sentence = next(s for s in rv.split_sentences(text) if "price" in s.text)
    start, end = rv.locate_phrase(sentence, phrase)
    assert text[start:end] == expected


@pytest.mark.parametrize("phrase", ["", "Next one", "Intro"])
def test_review_locate_phrase_outside_sentence_is_refused(phrase: str) -> None:
    text = "Intro.\nThe price is TBD. Next one."
    sentence = next(s for s in rv.split_sentences(text) if "price" in s.text)
    with pytest.raises(ValueError):
        rv.locate_phrase(sentence, phrase)


def test_review_make_added_rejects_unknown_labels(service: rv.ReviewService) -> None:
    opened = _open_text(service)
    sentence = rv.split_sentences(opened.text)[-1]
    with pytest.raises(ValueError, match="not a type"):
        rv.make_added(opened, sentence, "TBD", "ambiguity", "price", "high", "a", tool=service.tool)


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE_TEXT,
        "One. Two! Three? four.\n\n  Indented line.  \nLast",
        "",
        "No terminal punctuation",
    ],
)
def test_review_split_sentences_offsets_match_text(text: str) -> None:
    sentences = rv.split_sentences(text)
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip() and sentence.text
    assert [s.start for s in sentences] == sorted(s.start for s in sentences)


# -- filters -----------------------------------------------------------------------------------


def _items() -> list[rv.ReviewedFinding]:
    def f(i: int, category: str, type_: str, severity: str, source: str) -> Finding:
        return Finding(
            f"id{i}", category, type_, severity, i, i + 1, "x", "x", None, None, "", "", source
        )

    rows = [
        ("ambiguity", "vague_term", "high", "rule:a", "confirmed"),
        ("commitment", "price", "medium", "model:m", "unreviewed"),
        ("missing", "missing_acceptance", "high", "check:x", "dismissed"),
    ]
    return [
        rv.ReviewedFinding(f(i, c, t, s, src), f(i, c, t, s, src), state)
        for i, (c, t, s, src, state) in enumerate(rows)
    ]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (rv.FindingFilter(), ["id0", "id1", "id2"]),
        (rv.FindingFilter(categories=frozenset({"ambiguity"})), ["id0"]),
        (rv.FindingFilter(types=frozenset({"price"})), ["id1"]),
        (rv.FindingFilter(severities=frozenset({"high"})), ["id0", "id2"]),
        (rv.FindingFilter(sources=frozenset({"model", "check"})), ["id1", "id2"]),
        (rv.FindingFilter(states=frozenset({"unreviewed", "dismissed"})), ["id1", "id2"]),
        (
            rv.FindingFilter(severities=frozenset({"high"}), states=frozenset({"confirmed"})),
            ["id0"],
        ),
    ],
)
def test_review_filter_findings(flt: rv.FindingFilter, expected: list[str]) -> None:
    assert [i.finding.id for i in rv.filter_findings(_items(), flt)] == expected


def test_review_state_counts_and_type_options() -> None:
    items = _items()
    assert rv.counts_by_state(items) == {"unreviewed": 1, "confirmed": 1, "dismissed": 1}
    assert rv.type_options(items, ["ambiguity"]) == ["vague_term"]
    types = rv.type_options(items, [])
    assert "vague_term" in types and len(types) == len(set(types))


# -- summary, HTML, windows --------------------------------------------------------------------


def test_review_risk_summary_lists_missing_safeguards_first(service: rv.ReviewService) -> None:
    opened = _open_text(service)
    summary = rv.risk_summary(opened.report)
    assert summary.risk_score is not None and 0 <= summary.risk_score <= 100
    assert summary.by_category["ambiguity"] >= 4
    assert summary.missing and summary.safeguards[0].present is False
    assert [s.present for s in summary.safeguards] == sorted(s.present for s in summary.safeguards)


def test_review_risk_summary_falls_back_to_missing_findings() -> None:
    report = error_report("x", "r")
    report.findings = [
        Finding("m", "missing", "missing_acceptance", "high", None, None, None, None, None, None,
                "No acceptance.", "", "check:missing_acceptance")
    ]  # fmt: skip
    summary = rv.risk_summary(report)
    assert [s.check_id for s in summary.missing] == ["missing_acceptance"]


def test_review_document_html_escapes_document_text(service: rv.ReviewService) -> None:
    opened = _open_text(service)
    selected = _finding(opened, "reasonable")
    items = rv.merge_decisions(opened.report.findings, [])
    html = rv.document_html(opened.text, items, focus_id=selected.id)
    assert XSS_SCRIPT not in html and XSS_IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<mark class="hl' in html
    assert re.search(rf'data-ids="[^"]*\b{selected.id}\b', html)  # the viewer outlines it


def test_review_text_window_centres_on_the_selected_finding() -> None:
    text = "\n".join(f"line {i:04d} filler text" for i in range(2000))
    start = text.index("line 1500")
    focus = Finding("f", "ambiguity", "vague_term", "high", start, start + 9, "line 1500",
                    None, None, None, "", "", "rule:x")  # fmt: skip
    far = replace(focus, id="g", start=5, end=9)
    window = rv.text_window(text, [focus, far], focus, radius=500)
    assert window.before and window.after
    assert window.text == text[window.offset : window.offset + len(window.text)]
    assert [f.id for f in window.findings] == ["f"]
    shifted = window.findings[0]
    assert window.text[shifted.start : shifted.end] == "line 1500"  # type: ignore[misc]
    assert window.text.startswith("line ")


def test_review_html_pieces_escape_untrusted_values() -> None:
    payload = "<b>x</b>"
    check = SafeguardCheck("missing_exclusions", True, (f"section '{payload}'",), payload)
    summary = rv.RiskSummary(50, (payload,), {"ambiguity": 2}, (check,))
    for html in (
        rv.safeguards_html([check]),
        rv.summary_html(HOSTILE_NAME, "txt", None, summary),
    ):
        assert "<b>" not in html and "&lt;b&gt;" in html
    finding = Finding("i", "ambiguity", "vague_term", "high", 0, 3, payload, f"{payload} s",
                      1, payload, payload, payload, "rule:x", sentence_start=0)  # fmt: skip
    item = rv.ReviewedFinding(finding, finding, "unreviewed")
    assert "<b>" not in rv.finding_detail_html(item)
    assert "<b>" not in rv.passage_html(finding)


# -- batch and model page helpers --------------------------------------------------------------


def test_review_portfolio_rows_and_batch_report(service: rv.ReviewService) -> None:
    good = _open_text(service)
    bad = service.open_bytes(b"", "empty.txt")
    rows = batch_table([rv.replace_path(d) for d in (bad, good)])
    assert [r["status"] for r in rows] == ["ok", "error"]
    assert rows[0]["ambiguity"] >= 4 and "Acceptance" in rows[0]["missing_safeguards"]
    payload = json.loads(rv.batch_report([good, bad], "json", service.tool))
    assert [d["status"] for d in payload["documents"]] == ["ok", "error"]
    assert rv.batch_report([good], "csv", service.tool).count("\n") >= 2


def test_review_shipped_models_and_metric_rows(tmp_path: Path) -> None:
    assert rv.shipped_models(tmp_path) == []
    model = tmp_path / "clf"
    model.mkdir()
    meta = {
        "name": "clf",
        "metrics": {
            "per_label": {"ambiguity": {"precision": 0.9, "recall": 0.8, "f1": 0.85}},
            "macro_f1": 0.8,
        },
    }
    (model / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "meta.json").write_text("{", encoding="utf-8")
    models = {m.name: m for m in rv.shipped_models(tmp_path)}
    assert "error" in models["broken"].meta
    rows, facts = rv.metric_rows(models["clf"].meta)
    expected = {"precision": 0.9, "recall": 0.8, "f1": 0.85}
    assert rows == [{"label": "metrics.per_label.ambiguity", **expected}]
    assert facts == {"metrics.macro_f1": 0.8}


def test_review_rule_and_type_rows() -> None:
    stats = [
        RuleStats("rule:a", "ambiguity", "vague_term", 9, 41, 0),
        RuleStats("rule:b", "ambiguity", "vague_term", 5, 0, 5),
    ]
    assert rv.verdict(stats[0]) == "dismissed 41 of 50 times"
    rows = rv.rule_rows(stats)
    assert [r["source"] for r in rows] == ["rule:a", "rule:b"]
    assert rows[0]["precision"] == 0.18
    (typed,) = rv.type_rows(stats)
    assert (typed["judged"], typed["confirmed"], typed["precision"]) == (60, 14, 0.233)


def test_review_sentence_index_finds_the_containing_sentence() -> None:
    text = "First one. Second one here.\nThird."
    sentences = rv.split_sentences(text)
    assert rv.sentence_index(sentences, text.index("Second") + 3) == 1
    assert rv.sentence_index(sentences, text.index("Third")) == 2
    assert rv.sentence_index(sentences, 0) == 0
    assert rv.sentence_index([], 5) == 0


def _pieces(html: str) -> list[tuple[int, str]]:
    """(data-o, text) of every tagged piece of a viewer body."""
    import html as html_lib
    import re

    return [
        (int(m.group(1)), html_lib.unescape(m.group(2)))
        for m in re.finditer(r'data-o="(\d+)"[^>]*>([^<]*)<', html)
    ]


def test_review_document_html_pieces_carry_their_document_offsets(
    service: rv.ReviewService,
) -> None:
    opened = _open_text(service)
    items = rv.merge_decisions(opened.report.findings, [])
    body = rv.document_html(opened.text, items, window=False)
    pieces = _pieces(body)
    assert pieces and "".join(text for _, text in pieces) == opened.text
    assert all(opened.text[o : o + len(t)] == t for o, t in pieces)
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_review_formatted_view_shows_the_structure_with_exact_offsets(
    service: rv.ReviewService,
) -> None:
    import re

    data = (EXAMPLES / "servicedesk-proposal.docx").read_bytes()
    opened = service.open_bytes(data, "servicedesk-proposal.docx")
    blocks = service.blocks(opened.sha256)
    assert blocks and {b.kind for b in blocks} >= {"heading", "list_item", "table_row"}
    items = rv.merge_decisions(opened.report.findings, [])
    body = rv.formatted_html(opened.text, blocks, items)
    assert '<h2 class="sl-h">' in body and 'class="sl-li"' in body and 'class="sl-tr"' in body
    assert all(opened.text[o : o + len(t)] == t for o, t in _pieces(body))
    shown_ids = {i for ids in re.findall(r'data-ids="([^"]*)"', body) for i in ids.split()}
    content = [b for b in blocks if b.kind not in ("header", "footer")]
    expected = {
        f.id
        for f in opened.report.findings
        if f.start is not None and any(f.start < b.end and f.end > b.start for b in content)
    }
    assert expected and shown_ids == expected
    markdown = service.open_bytes((EXAMPLES / "acme-portal-proposal.md").read_bytes(), "a.md")
    md_blocks = service.blocks(markdown.sha256)
    assert md_blocks is not None
    md_body = rv.formatted_html(markdown.text, md_blocks, [])
    assert "## 1. Background" not in md_body and ">1. Background<" in md_body  # no hashes
    pdf = service.open_bytes((EXAMPLES / "data-migration-sow.pdf").read_bytes(), "sow.pdf")
    pdf_blocks = service.blocks(pdf.sha256)
    assert pdf_blocks and {b.page for b in pdf_blocks} == {1, 2}


def test_review_added_findings_get_page_and_section(service: rv.ReviewService) -> None:
    # Issue #16, item 9: an added span is stored with offsets only.
    pdf = service.open_bytes((EXAMPLES / "data-migration-sow.pdf").read_bytes(), "sow.pdf")
    sentences = rv.split_sentences(pdf.text)
    target = next(s for s in sentences if "TBD" in s.text)
    added = rv.make_added(
        pdf, target, "TBD", "ambiguity", "placeholder", "high", "ann", tool=service.tool
    )
    service.record(added)
    items = rv.merge_decisions(pdf.report.findings, service.decisions(pdf.sha256))
    (before,) = [i for i in items if i.state == "added"]
    assert (before.finding.page, before.finding.section) == (None, None)
    blocks = service.blocks(pdf.sha256)
    assert blocks is not None
    (placed,) = [i for i in rv.place_added(items, blocks) if i.state == "added"]
    detected = next(f for f in pdf.report.findings if f.text == "TBD")
    assert (placed.finding.page, placed.finding.section) == (detected.page, detected.section)


def test_review_model_summary_in_plain_words() -> None:
    from analyzer.config import models_root

    models = {m.name: m for m in rv.shipped_models(models_root())}
    encoder = rv.model_summary(models["scopelens-encoder"])
    assert encoder.title.startswith("Accurate mode: scopelens-encoder")
    assert "all-MiniLM-L6-v2" in encoder.lines[0]
    assert set(encoder.scores) >= {"commitment", "exclusion", "ambiguous phrase"}
    assert all(0.0 <= v <= 1.0 for v in encoder.scores.values())
    linear = rv.model_summary(models["scopelens-clf"])
    assert linear.title.startswith("Fast mode") and linear.scored_on.startswith("cross")
    assert "type_agreement" not in " ".join(encoder.lines + linear.lines)


def test_review_formatted_markdown_hides_inline_markup_keeping_offsets(
    service: rv.ReviewService,
) -> None:
    import re

    text = "# Plan :rocket:\n\nWe will deliver **full support** and `as needed` fixes.\n"
    opened = service.open_bytes(text.encode("utf-8"), "plan.md")
    blocks = service.blocks(opened.sha256)
    assert blocks is not None
    items = rv.merge_decisions(opened.report.findings, [])
    body = rv.formatted_html(opened.text, blocks, items, markdown=True)
    hidden = re.findall(r'class="[^"]*sl-hide[^"]*" data-o="\d+"[^>]*>([^<]*)<', body)
    assert sorted(hidden) == sorted([":rocket:", "**", "**", "`", "`"])
    assert all(opened.text[o : o + len(t)] == t for o, t in _pieces(body))
    assert "full support" in body  # the words stay, highlighted or not
