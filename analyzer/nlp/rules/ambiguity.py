"""Phrase-level ambiguity: vague, open-ended, subjective, escape, placeholder, unbounded wording.

Patterns: `ambiguity.jsonl` (hand-written) and `ambiguity_induced.jsonl` (induced from the
corpus). Besides the guards (`analyzer.nlp.rules.guards`), two keys reshape the reported span:

- `focus`: [start, end] token slice of the match to report instead of the whole match;
- `demote_by_opening`: {"roles": [lexicon roles], "to": pattern id}; when a cue of one of
  the roles opens the sentence, the match is reported as the "to" pattern of the same file
  (its type, severity and texts): a signature block's blank ("By: ____") is a low-severity
  placeholder.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from analyzer.nlp.rules.base import BLOCK_KIND_KEY, SECTION_KIND_KEY, RuleComponent, opens_with
from analyzer.nlp.rules.guards import Candidate, passes


class AmbiguityDetector(RuleComponent):
    """Phrase-level ambiguity (vague, open-ended, subjective, escape, placeholder, unbounded)."""

    pattern_files = ("ambiguity", "ambiguity_induced")
    lexicon_roles = frozenset(
        {"party", "boilerplate", "definition", "pin", "exclusion_cue", "signature_field"}
    )
    findings_only = True
    guards = (
        "background_ok",
        "legal_boilerplate_ok",
        "unless_quantified",
        "not_in_definition",
        "not_in_sections",
        "not_followed_by",
        "not_preceded_by",
        "only_after",
        "unless_followed_by_number",
        "requires_list_after",
        "not_followed_later_by",
        "requires_party",
        "blocked_by",
    )
    """The guards run on every match, in this order (`analyzer.nlp.rules.guards`)."""
    guard_options = frozenset({"party_window", "focus", "demote_by_opening"})

    def configure(self) -> None:
        """Check that every `demote_by_opening` names a pattern of the component."""
        for pattern in self.patterns.values():
            demote = pattern.guard("demote_by_opening")
            if demote and demote.get("to") not in self.patterns:
                raise ValueError(f"{pattern.id}: demote_by_opening names no pattern {demote}")

    def __call__(self, doc: Doc) -> Doc:
        """Add one span per vague phrase (overlaps resolved to the longest phrase)."""
        heading_only = {"placeholder"} if doc.user_data.get(BLOCK_KIND_KEY) == "heading" else None
        spans: list[Span] = []
        section_kind = doc.user_data.get(SECTION_KIND_KEY)
        for sent in self.hits_by_sentence(doc):
            candidates = []
            for hit in sent.findings:
                pattern = hit.pattern
                if heading_only is not None and pattern.type not in heading_only:
                    continue
                if passes(Candidate(doc, sent, hit, section_kind), self.guards):
                    focus = pattern.guard("focus")
                    start, end = hit.start, hit.end
                    if focus:
                        start, end = hit.start + focus[0], hit.start + focus[1]
                    demote = pattern.guard("demote_by_opening")
                    if demote and opens_with(doc, sent, demote["roles"]):
                        pattern = self.patterns[demote["to"]]  # "By: ____": a signature field
                    candidates.append(self.make_span(doc, start, end, pattern))
            spans.extend(filter_spans(candidates))
        spans.sort(key=lambda s: (s.start, s.end))
        self.add_spans(doc, spans)
        return doc


@Language.factory("scopelens_ambiguity")
def make_ambiguity(nlp: Language, name: str) -> AmbiguityDetector:
    """Factory of the ambiguity detector."""
    return AmbiguityDetector(nlp, name)
