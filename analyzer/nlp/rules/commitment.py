"""Sentence-level commitments of the party doing the work, and client obligations (assumptions).

Patterns: `commitment.jsonl` (binding cues, commitment types, client obligations, section
defaults). Who a sentence binds comes from `analyzer.nlp.rules.bound`; without a binding cue,
the section decides (`CommitmentDetector.section_default`): in a scope or deliverables section a
list item, an imperative or a verbless line naming work is promised work, and in an
exclusions or assumptions section every statement not bound to the vendor is an exclusion or
an assumption.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from analyzer.nlp.patterns import Pattern, word_list
from analyzer.nlp.rules.base import (
    BLOCK_KIND_KEY,
    SECTION_KIND_KEY,
    RuleComponent,
    SentenceHits,
    opens_with,
    outermost,
    sentence_text,
    trimmed,
)
from analyzer.nlp.rules.bound import bound_party, is_claim, party_before
from analyzer.nlp.rules.lines import (
    has_drafting_note,
    is_figure_line,
    is_milestone_heading,
    is_non_statement,
    is_not_item,
    is_staff_line,
    is_subheading_fragment,
    is_user_story,
    is_work_fragment,
    names_user_story,
    opens_definition,
    states_client_oversight,
)
from analyzer.nlp.segment import doc_text
from analyzer.textshape import (
    is_bold_only,
    is_label_line,
    is_markdown_heading,
    is_table_header,
    is_title_line,
    looks_like_heading,
    opens_list_item,
    strip_marker,
)

_LIST_KINDS = frozenset({"list_item", "table_row"})
_SUBORDINATORS = word_list("subordinators")


def is_listed(doc: Doc, start: int, end: int) -> bool:
    """True for a list item or table row: by block kind, or by a marker at the start."""
    if doc.user_data.get(BLOCK_KIND_KEY) in _LIST_KINDS:
        return True
    text = doc[start : min(start + 4, end)].text if start < end else ""
    return opens_list_item(text)


def is_statement(doc: Doc, sent: SentenceHits) -> bool:
    """A sentence or list item that states something (no label line, question or note)."""
    text = sentence_text(doc, sent)
    return is_work_fragment(text) or (
        not looks_like_heading(text) and not is_non_statement(strip_marker(text))
    )


def is_work_item(doc: Doc, sent: SentenceHits) -> bool:
    """A list item that opens with a work noun: "2. Development of a logo …"."""
    hits = sent.cues.get("work_nominal", ())
    if not hits:
        return False
    s, e = trimmed(doc, sent.start, sent.end)
    if not is_listed(doc, s, e) or sent.has("negation") or sent.has("nonbinding"):
        return False
    text = sentence_text(doc, sent)
    marker = len(text) - len(strip_marker(text))
    return any(doc[h.start].idx - doc[s].idx <= marker for h in hits)


def not_the_authors(doc: Doc, sent: SentenceHits, section_kind: str | None) -> bool:
    """A line that binds nobody doing the work: a user story or an instruction to the reader.

    "As an HR representative, I will be able to view …" states a user's need (LABELLING.md:
    user stories are not commitments), except as a row of a milestone table, where it
    names a promised feature (corpus label). "Please commit to providing a Dockerfile …",
    "This section should break out the roadmap …" instruct whoever fills in a template.
    """
    if opens_with(doc, sent, ("reader_instruction",)):
        return True
    s, e = trimmed(doc, sent.start, sent.end)
    if section_kind == "work" and is_listed(doc, s, e):
        return False
    return is_user_story(sentence_text(doc, sent))


class CommitmentDetector(RuleComponent):
    """Sentence-level commitments of the party doing the work, typed by dominant content."""

    pattern_files = ("commitment",)
    lexicon_roles = frozenset({"party", "liability", "definition", "reader_instruction"})
    gate_roles = frozenset({"obligation", "present_promise", "weak_obligation"})

    def configure(self) -> None:
        """The default and client patterns, the imperative verbs and the section patterns."""
        self.default = self.patterns["commitment.deliverable.obligation"]
        self.client = self.patterns["assumption.client_obligation"]
        self.imperatives = frozenset(
            word
            for p in self.patterns.values()
            if p.role == "imperative"
            for token_pattern in p.pattern
            for word in token_pattern[0].get("LOWER", {}).get("IN", ())
        )
        self.listed = {
            "exclusions": self.patterns["exclusion.section"],
            "assumptions": self.patterns["assumption.section"],
        }

    def __call__(self, doc: Doc) -> Doc:
        """Add at most one commitment (or client-obligation assumption) span per sentence.

        In an exclusions or assumptions section every statement not bound to the vendor is
        an exclusion or an assumption (list items of "Out of scope", "Assumptions").
        """
        if doc.user_data.get(BLOCK_KIND_KEY) == "heading":
            # A named milestone heading promises its deliverable (corpus GUIDELINES.md,
            # milestone-heading-commitment); other headings carry no commitment.
            text = doc_text(doc).strip()
            if is_milestone_heading(text):
                s, e = trimmed(doc, 0, len(doc))
                if s < e:
                    self.add_spans(doc, [self.make_span(doc, s, e, self.default)])
            return doc
        section_kind = doc.user_data.get(SECTION_KIND_KEY)
        spans: list[Span] = []
        in_scope = section_kind in ("scope", "work")
        listed = self.listed.get(section_kind or "")
        for sent in self.hits_by_sentence(doc, always=in_scope or listed is not None):
            if sent.has("liability"):
                continue
            if doc[trimmed(doc, sent.start, sent.end)[1] - 1].text == "?":
                continue  # a question promises nothing
            if sent.has("definition") and opens_definition(sentence_text(doc, sent)):
                continue  # '"SAN" means the storage area network …': a definition
            if doc_text(doc)[doc[sent.start].idx : doc[sent.start].idx + 1] == "#" and not sent.has(
                "obligation"
            ):
                text = sentence_text(doc, sent)
                if is_markdown_heading(text):
                    # A markdown heading line ("## Development Roadmap") is a heading: only a
                    # named milestone heading promises work ("### Milestone 1: IaC Modules").
                    if is_milestone_heading(text, min_words=1):
                        span = self.sentence_span(doc, sent, self.default)
                        if span is not None:
                            spans.append(span)
                    continue
            if listed is None and not_the_authors(doc, sent, section_kind):
                continue
            bound = bound_party(doc, sent, section_kind)
            if bound is None and in_scope:
                bound = self.section_default(doc, sent, section_kind)
            elif bound is None and section_kind is None and is_work_item(doc, sent):
                bound = "vendor"  # "2. Development of a logo …" under "Exhibit A"
            if (
                listed is not None
                and (bound != "vendor" or section_kind == "assumptions")
                and not (section_kind == "assumptions" and sent.has("out_of_scope"))
                and is_statement(doc, sent)
            ):
                span = self.sentence_span(doc, sent, listed)
                if span is not None:
                    spans.append(span)
            pattern = self.sentence_pattern(doc, sent, bound, listed is not None)
            span = self.sentence_span(doc, sent, pattern) if pattern is not None else None
            if span is not None:
                spans.append(span)
        self.add_spans(doc, spans)
        return doc

    def sentence_pattern(
        self, doc: Doc, sent: SentenceHits, bound: str | None, listed: bool
    ) -> Pattern | None:
        """The commitment or client-obligation pattern of a sentence that binds `bound`."""
        if listed and bound != "vendor":
            return None
        if bound == "vendor":
            pattern = self.commitment_type(sent)
            if pattern is self.default and sent.has("out_of_scope"):
                return None  # "… but this is out of scope": an exclusion, no promise
            if has_drafting_note(sentence_text(doc, sent)):
                return None  # "[Drafting note: … specify how Customer will pay …]"
            return pattern
        if bound == "client":
            oversight = states_client_oversight(sentence_text(doc, sent))
            return None if oversight else self.client
        return None

    def section_default(self, doc: Doc, sent: SentenceHits, section_kind: str | None) -> str | None:
        """Commitments without a modal: items and statements in scope/deliverable sections.

        A list item, table row, imperative or "should" sentence in a scope section, any
        statement in a deliverables/milestones section, and a verbless item naming work
        there ("Updated CI workflows") are taken as promised work, unless a non-vendor
        party, a negation or a legal-state verb is involved, or the line is a label, a
        budget/duration/team figure, a sub-heading, a question or a drafting note.
        """
        s, e = trimmed(doc, sent.start, sent.end)
        negated = any(
            not (h.start > sent.start and doc[h.start - 1].lower_ == "or")
            and not any(t.lower_ in _SUBORDINATORS for t in doc[s : h.start])
            for h in sent.cues.get("negation", ())
        )  # "… permission (or not) …", "Show that it isn't signed": the item is not negated
        if s >= e or negated or sent.has("legal_state") or sent.has("dependency"):
            return None  # "Access to the SDK team is granted": a dependency, not work
        if any(is_claim(doc, sent, hit) for hit in sent.cues.get("obligation", ())):
            return None
        text = sentence_text(doc, sent)
        body = strip_marker(text)
        if is_non_statement(body) or is_figure_line(body):
            return None
        if is_bold_only(body) or is_title_line(text) or is_table_header(text):
            return None
        if is_staff_line(body):
            return None  # "2. Backend Developer (full-time)": a staffing plan
        if is_subheading_fragment(body):
            return None  # "(a) SOFTWARE UPDATE SERVICE", "Desktop Access and Configuration"
        listed = is_listed(doc, s, e)
        words = body.split(maxsplit=1)
        first = words[0].lower() if words else ""  # a bare "|" line has no words
        if (listed or sent.has("imperative")) and first in self.imperatives:
            # "* Forward to TTS the reports", "Evaluate how the solutions met the Agency's
            # objectives": the client is only the object of the vendor's work.
            return "vendor"
        if listed and section_kind == "work" and names_user_story(body):
            return "vendor"  # a user story in a milestone table is a promised feature
        weak = sent.cues.get("weak_obligation", ())
        if weak and not sent.has("imperative"):
            subject = party_before(sent, weak[0].start, doc=doc)
            if subject in ("vendor", "product", None):
                return "vendor"  # "APIs should comply with the 18F API standards"
        parties = {h.pattern.extra.get("party") for h in outermost(sent.cues.get("party", ()))}
        if parties & {"client", "mutual"}:
            return None
        if sent.has("imperative") or sent.has("weak_obligation"):
            return "vendor"
        if listed:
            return "vendor" if not is_label_line(body) or len(body) > 30 else None
        if sent.has("nonbinding") or sent.has("current_state"):
            return None
        if section_kind != "work":
            # A verbless line naming work under a scope heading ("Automated testing",
            # "Data import of records collected from legacy systems") is a scope item.
            if text.rstrip().endswith((".", ":", ",")) or is_not_item(body):
                return None
            return "vendor" if is_work_fragment(text) else None
        if not looks_like_heading(text) or is_work_fragment(text):
            return "vendor"
        return None

    def commitment_type(self, sent: SentenceHits) -> Pattern:
        """The type pattern with the highest priority that matched, else the deliverable one."""
        best = self.default
        for hit in sent.findings:
            if hit.pattern.category == "commitment" and hit.pattern.priority > best.priority:
                best = hit.pattern
        return best


@Language.factory("scopelens_commitment")
def make_commitment(nlp: Language, name: str) -> CommitmentDetector:
    """Factory of the commitment detector."""
    return CommitmentDetector(nlp, name)
