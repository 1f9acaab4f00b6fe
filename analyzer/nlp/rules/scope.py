"""Sentence-level exclusions, assumptions and estimates (patterns: `scope.jsonl`).

A sentence gets at most one finding of each category. Plan and budget lines ("**FTE:** 1",
"- 2 weeks", "| B | UX | … | 10,000 |") are estimates by their shape (`lines.is_estimate_line`);
every other finding comes from a pattern match that its guards keep.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from analyzer.nlp.rules.base import BLOCK_KIND_KEY, RuleComponent, sentence_text
from analyzer.nlp.rules.guards import Candidate, passes
from analyzer.nlp.rules.lines import SHORT_BLOCK, is_estimate_line, may_hold_estimate_line
from analyzer.nlp.segment import doc_text
from analyzer.textshape import is_labelled_line


class ScopeStatementDetector(RuleComponent):
    """Sentence-level exclusions, assumptions and estimates (one of each per sentence)."""

    pattern_files = ("scope",)
    lexicon_roles = frozenset({"liability", "definition", "party", "reader_instruction"})
    findings_only = True
    guards = (
        "not_in_label",
        "not_in_table_header",
        "not_preceded_by",
        "not_followed_by",
        "not_in_definition",
        "blocked_by",
        "blocked_by_opening",
        "requires_party",
        "blocked_by_overlap",
        "not_relieving",
        "requires_figure",
        "not_after_within",
        "not_after_negated",
        "sentence_requires_when",
        "requires_cue",
    )
    """The guards run on every match, in this order (`analyzer.nlp.rules.guards`)."""

    def configure(self) -> None:
        """The pattern of plan and budget lines."""
        self.estimate_line = self.patterns["estimate.line"]

    def __call__(self, doc: Doc) -> Doc:
        """Add exclusion / assumption / estimate spans for the sentences that state them."""
        heading = doc.user_data.get(BLOCK_KIND_KEY) == "heading"
        spans: list[Span] = []
        # Plan/budget lines are short blocks or table rows: long prose paragraphs (contracts)
        # skip the per-sentence line check, which keeps big documents fast.
        text = doc_text(doc)  # the block text from detect(), not rebuilt from the tokens
        lines = (
            not heading
            and (len(text) <= SHORT_BLOCK or "|" in text)
            and may_hold_estimate_line(text)
        )
        for sent in self.hits_by_sentence(doc, always=lines):
            done: set[str] = set()
            if lines and not sent.has("legal_figure"):
                line = sentence_text(doc, sent)
                if line and is_estimate_line(line):
                    span = self.sentence_span(doc, sent, self.estimate_line)
                    if span is not None:
                        spans.append(span)
                        done.add("estimate")
            for hit in sorted(sent.findings, key=lambda h: h.start):
                pattern = hit.pattern
                category = pattern.category or ""
                if category in done:
                    continue
                if (
                    heading
                    and category != "estimate"
                    and not (category == "exclusion" and is_labelled_line(doc_text(doc)))
                ):
                    continue  # "Out of scope: council voting" is a heading that excludes
                if (
                    heading
                    and category == "estimate"
                    and not any(t.like_num for t in doc[sent.start : sent.end])
                ):
                    continue  # "Total Budget Requested" heading: no figure, no estimate
                if not passes(Candidate(doc, sent, hit), self.guards):
                    continue
                span = self.sentence_span(doc, sent, pattern)
                if span is not None:
                    spans.append(span)
                    done.add(category)
        self.add_spans(doc, spans)
        return doc


@Language.factory("scopelens_scope_statements")
def make_scope_statements(nlp: Language, name: str) -> ScopeStatementDetector:
    """Factory of the exclusion / assumption / estimate detector."""
    return ScopeStatementDetector(nlp, name)
