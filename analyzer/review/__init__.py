"""The review service: everything the Streamlit review app does, without Streamlit.

The app pages are thin shells over this package: `service` (opening documents through the
store, access, decisions, page images), `team` (who may see and do what, sign-in),
`decisions` (decisions merged into findings, filters, annotation records), `exports` (reports
and issues lists that honour decisions), `portfolio` (batch rows), `models` (the model page).
The escaped HTML pieces it re-exports live in `analyzer.report.review_html` and the risk panel
in `analyzer.report.risk`: they take plain records. A document is analysed once per sha256:
re-opening it reads the stored report.

    service = ReviewService(store, Analyzer(boxes=True))
    opened = service.open_bytes(data, "acme.pdf")        # analyses, or reads the stored report
    items = merge_decisions(opened.report.findings, service.decisions(opened.sha256))
    shown = filter_findings(items, FindingFilter(categories=frozenset({"ambiguity"})))

Everything that comes from a document (text, file name, sections) is untrusted: every HTML
string built here is escaped.
"""

from __future__ import annotations

from analyzer.report.review_html import (
    STATE_CLASSES,
    TextWindow,
    counts_html,
    document_html,
    finding_detail_html,
    formatted_html,
    highlight_css,
    history_rows,
    passage_html,
    safeguards_html,
    selection_html,
    sentence_label,
    summary_html,
    text_window,
    viewer_css,
    viewer_legend_html,
)
from analyzer.report.risk import (
    RiskSummary,
    risk_summary,
)
from analyzer.review.decisions import (
    SOURCE_KINDS,
    SOURCE_LABELS,
    FindingFilter,
    Sentence,
    added_finding,
    adjudication_text,
    counts_by_state,
    decision_rows,
    filter_findings,
    finding_rows,
    locate_phrase,
    make_added,
    make_decision,
    merge_decisions,
    next_open,
    page_highlights,
    place_added,
    reviewed_report,
    ruling_label,
    ruling_options,
    section_options,
    sentence_index,
    source_kind,
    split_sentences,
    team_view,
    type_options,
    utc_now,
)
from analyzer.review.exports import (
    issue_rows,
    review_counts,
    reviewed_documents,
    reviewed_export,
)
from analyzer.review.models import (
    ModelInfo,
    ModelSummary,
    metric_rows,
    model_summary,
    muted_matches,
    rule_rows,
    severity_rank,
    shipped_models,
    type_rows,
    verdict,
)
from analyzer.review.portfolio import batch_report, replace_path
from analyzer.review.service import (
    OpenedDocument,
    ReviewService,
    allow_list_key,
)
from analyzer.types import REVIEW_STATES, ReviewedFinding

__all__ = [
    "REVIEW_STATES",
    "SOURCE_KINDS",
    "SOURCE_LABELS",
    "STATE_CLASSES",
    "FindingFilter",
    "ModelInfo",
    "ModelSummary",
    "OpenedDocument",
    "ReviewService",
    "ReviewedFinding",
    "RiskSummary",
    "Sentence",
    "TextWindow",
    "added_finding",
    "adjudication_text",
    "allow_list_key",
    "batch_report",
    "counts_by_state",
    "counts_html",
    "decision_rows",
    "document_html",
    "filter_findings",
    "finding_detail_html",
    "finding_rows",
    "formatted_html",
    "highlight_css",
    "history_rows",
    "issue_rows",
    "locate_phrase",
    "make_added",
    "make_decision",
    "merge_decisions",
    "metric_rows",
    "model_summary",
    "muted_matches",
    "next_open",
    "page_highlights",
    "passage_html",
    "place_added",
    "replace_path",
    "review_counts",
    "reviewed_documents",
    "reviewed_export",
    "reviewed_report",
    "risk_summary",
    "rule_rows",
    "ruling_label",
    "ruling_options",
    "safeguards_html",
    "section_options",
    "selection_html",
    "sentence_index",
    "sentence_label",
    "severity_rank",
    "shipped_models",
    "source_kind",
    "split_sentences",
    "summary_html",
    "team_view",
    "text_window",
    "type_options",
    "type_rows",
    "utc_now",
    "verdict",
    "viewer_css",
    "viewer_legend_html",
]
