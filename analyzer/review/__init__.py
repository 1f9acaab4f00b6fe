"""The review service: everything the Streamlit review app does, without Streamlit.

The app pages are thin shells over this package: `service` (opening documents through the
store, decisions, page images), `decisions` (decisions merged into findings, filters, annotation
records), `risk`, `html` (escaped HTML pieces), `portfolio` (batch rows), `models` (the model
page). A document is analysed once per sha256: re-opening it reads the stored report.

    service = ReviewService(store, Analyzer(boxes=True))
    opened = service.open_bytes(data, "acme.pdf")        # analyses, or reads the stored report
    items = merge_decisions(opened.report.findings, service.decisions(opened.sha256))
    shown = filter_findings(items, FindingFilter(categories=frozenset({"ambiguity"})))

Everything that comes from a document (text, file name, sections) is untrusted: every HTML
string built here is escaped.
"""

from __future__ import annotations

from analyzer.review.decisions import (
    REVIEW_STATES,
    SOURCE_KINDS,
    SOURCE_LABELS,
    FindingFilter,
    ReviewedFinding,
    Sentence,
    added_finding,
    adjudication_text,
    counts_by_state,
    decision_rows,
    facets,
    filter_findings,
    finding_label,
    finding_rows,
    locate_phrase,
    make_added,
    make_decision,
    merge_decisions,
    next_open,
    reviewed_report,
    ruling_label,
    ruling_options,
    section_options,
    sentence_index,
    source_kind,
    split_sentences,
    team_view,
    type_options,
)
from analyzer.review.exports import (
    issue_rows,
    review_counts,
    reviewed_documents,
    reviewed_export,
)
from analyzer.review.html import (
    STATE_CLASSES,
    TextWindow,
    counts_html,
    document_html,
    finding_detail_html,
    highlight_css,
    highlighted_html,
    history_rows,
    legend_html,
    page_highlights,
    passage_html,
    safeguards_html,
    selection_html,
    sentence_label,
    summary_html,
    text_window,
    utc_now,
    viewer_css,
    viewer_legend_html,
)
from analyzer.review.models import (
    ModelInfo,
    metric_rows,
    muted_matches,
    rule_rows,
    severity_rank,
    shipped_models,
    type_rows,
    verdict,
)
from analyzer.review.portfolio import (
    batch_report,
    portfolio_rows,
    replace_path,
    sort_portfolio,
)
from analyzer.review.risk import (
    RiskSummary,
    risk_summary,
)
from analyzer.review.service import (
    OpenedDocument,
    ReviewService,
    allow_list_key,
)

__all__ = [
    "REVIEW_STATES",
    "SOURCE_KINDS",
    "SOURCE_LABELS",
    "STATE_CLASSES",
    "FindingFilter",
    "ModelInfo",
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
    "facets",
    "filter_findings",
    "finding_detail_html",
    "finding_label",
    "finding_rows",
    "highlight_css",
    "highlighted_html",
    "history_rows",
    "issue_rows",
    "legend_html",
    "locate_phrase",
    "make_added",
    "make_decision",
    "merge_decisions",
    "metric_rows",
    "muted_matches",
    "next_open",
    "page_highlights",
    "passage_html",
    "portfolio_rows",
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
    "sort_portfolio",
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
