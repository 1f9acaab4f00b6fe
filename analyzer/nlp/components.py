"""Rule detectors as spaCy pipeline components.

Each component loads its patterns from `analyzer/nlp/patterns/*.jsonl` when it is created,
matches them with one `PhraseMatcher` (attr `LOWER`) and one `Matcher`, groups the matches by
sentence and writes `Span`s to `doc.spans["scopelens"]` with `span.label_ = "category/type"` and
`span._.pattern_id` set. Lexicon entries (`role` instead of `category`) are cues the guards use:
parties, boilerplate, definitions, quantities. Python work is done per *matched* sentence only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from analyzer.nlp.gate import MatcherGate
from analyzer.nlp.parties import ROLES_KEY
from analyzer.nlp.patterns import Pattern, load_patterns
from analyzer.nlp.segment import BOUNDS_KEY, doc_text

SPANS_KEY = "scopelens"
SECTION_KIND_KEY = "scopelens_section_kind"
BLOCK_KIND_KEY = "scopelens_block_kind"


def _pattern_id(span: Span) -> str | None:
    # Stored in kb_id: it lives in the span struct, so it survives SpanGroup copies and is not
    # shared between spans over the same characters (user_data extension values would be).
    return span.kb_id_ or None


if not Span.has_extension("pattern_id"):
    Span.set_extension("pattern_id", getter=_pattern_id)

_LIST_WORDS = frozenset({",", "and", "or", ";", ":", "/", "and/or"})
PIN_WINDOW = 8
"""Tokens either side of a vague phrase in which a quantity or reference pins it down."""


def sentence_bounds(doc: Doc) -> np.ndarray:
    """Token offsets where sentences start, plus `len(doc)` at the end (cached on the doc)."""
    cached = doc.user_data.get(BOUNDS_KEY)
    if cached is not None and cached[-1] == len(doc):
        return cached
    if len(doc) == 0:
        bounds = np.zeros(1, dtype=np.int64)
    elif doc.has_annotation("SENT_START"):
        flags = doc.to_array(SENT_START).astype(np.int64)
        starts = np.flatnonzero(flags == 1)
        if starts.size == 0 or starts[0] != 0:
            starts = np.concatenate(([0], starts))
        bounds = np.concatenate((starts, [len(doc)]))
    else:
        bounds = np.asarray([0, len(doc)], dtype=np.int64)
    doc.user_data[BOUNDS_KEY] = bounds
    return bounds


def _sentence_of(bounds: np.ndarray, starts: Sequence[int]) -> list[int]:
    """Index of the sentence holding each token offset in `starts` (one numpy call)."""
    if not starts:
        return []
    if len(bounds) == 2:  # one sentence, as most blocks are: no numpy call
        return [0] * len(starts)
    return (np.searchsorted(bounds, starts, side="right") - 1).tolist()


def trimmed(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Token range without leading/trailing whitespace tokens."""
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    return start, end


@dataclass(slots=True)
class Hit:
    """One pattern match (token offsets into the doc)."""

    pattern: Pattern
    start: int
    end: int


@dataclass(slots=True)
class SentenceHits:
    """All matches of one sentence, with finding matches and cue roles split apart."""

    start: int
    end: int
    findings: list[Hit] = field(default_factory=list)
    cues: dict[str, list[Hit]] = field(default_factory=lambda: defaultdict(list))

    def has(self, role: str) -> bool:
        """True when a cue of `role` matched in the sentence."""
        return bool(self.cues.get(role))


def expand_first_token(pattern: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rewrite a token pattern whose first token uses `{"IN": [...]}` into one pattern per value.

    spaCy evaluates set predicates in Python for every token of the doc, but compares plain
    values in C; expanding the first token keeps the matcher fast on long documents.
    """
    first = pattern[0] if pattern else {}
    if "OP" in first:
        return [list(pattern)]
    for key, value in first.items():
        if isinstance(value, dict) and set(value) == {"IN"}:
            rest = {k: v for k, v in first.items() if k != key}
            return [[{**rest, key: item}, *pattern[1:]] for item in value["IN"]]
    return [list(pattern)]


def _is_single_lower(pattern: Sequence[dict[str, Any]]) -> bool:
    return (
        len(pattern) == 1 and set(pattern[0]) == {"LOWER"} and isinstance(pattern[0]["LOWER"], str)
    )


class RuleComponent:
    """Base class: compiles pattern files into matchers and groups matches by sentence."""

    pattern_files: tuple[str, ...] = ()
    lexicon_roles: frozenset[str] = frozenset()

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab)
        self.gate = MatcherGate(nlp.vocab)
        self.patterns: dict[str, Pattern] = {}
        self._by_key: dict[int, Pattern] = {}
        self._greedy_keys: frozenset[int] = frozenset()
        self._finding_keys: frozenset[int] = frozenset()
        self.initialize(nlp=nlp)

    def _selected(self) -> Iterable[Pattern]:
        for name in self.pattern_files:
            yield from load_patterns(name)
        for pattern in load_patterns("lexicon"):
            if pattern.role in self.lexicon_roles:
                yield pattern

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None) -> None:
        """(Re)build the matchers from the pattern files."""
        nlp = nlp or Language(self.vocab)
        tokenizer: Any = nlp.tokenizer
        self.phrase_matcher = PhraseMatcher(self.vocab, attr="LOWER")
        self.matcher = Matcher(self.vocab)
        self.gate = MatcherGate(self.vocab)
        self.patterns = {}
        for pattern in self._selected():
            self.patterns[pattern.id] = pattern
            key = self.vocab.strings.add(pattern.id)
            self._by_key[key] = pattern
            if pattern.phrases:
                docs = list(tokenizer.pipe(pattern.phrases))
                self.phrase_matcher.add(pattern.id, docs)
            token_patterns = [e for p in pattern.pattern for e in expand_first_token(p)]
            single = [p[0]["LOWER"] for p in token_patterns if _is_single_lower(p)]
            if single:
                # One-token, one-value patterns are phrases: the PhraseMatcher is cheaper.
                self.phrase_matcher.add(pattern.id, list(tokenizer.pipe(single)))
                token_patterns = [p for p in token_patterns if not _is_single_lower(p)]
            if token_patterns:
                self.matcher.add(pattern.id, token_patterns)
                self.gate.add(token_patterns, key=pattern.id)
        self._greedy_keys = frozenset(k for k, p in self._by_key.items() if p.greedy)
        self._finding_keys = frozenset(k for k, p in self._by_key.items() if p.category)

    gate_roles: frozenset[str] = frozenset()
    """Phrase roles that make a sentence worth running the token Matcher on (empty: all)."""

    findings_only: bool = False
    """Whether the component ignores sentences without a finding pattern's match: their cue
    matches are then never grouped (most cue matches, party names above all, are there)."""

    def hits_by_sentence(self, doc: Doc, always: bool = False) -> list[SentenceHits]:
        """The matches of `doc`, grouped by sentence: overlapping matches of a greedy pattern
        merged into one (`Pattern.greedy`), and, for a `findings_only` component, only the
        sentences where a finding pattern matched.

        The PhraseMatcher runs over the whole doc; the (slower) token Matcher runs over the
        whole doc too, unless `gate_roles` is set: then only over sentences with a gate phrase.
        Either way the token Matcher only visits the windows around its patterns' anchor
        words (`self.gate`, see `analyzer.nlp.gate`), with the same matches in the same order.

        Args:
            doc: The document.
            always: Include every sentence (with or without matches; no gating).
        """
        bounds = sentence_bounds(doc)
        # Python ints once, and one vectorised searchsorted per batch of matches: a numpy call
        # per match cost more than the matching itself.
        edges: list[int] = bounds.tolist()
        phrase_matches = self.phrase_matcher(doc)
        if self.gate_roles and not always:
            starts = [
                start
                for key, start, _ in phrase_matches
                if self._by_key[key].role in self.gate_roles
            ]
            gated = set(_sentence_of(bounds, starts))
            matches = list(phrase_matches)
            extents = self.gate.extents(doc) if gated and not self.gate.ungated else None
            for index in sorted(gated):
                s, e = edges[index], edges[index + 1]
                matches.extend(self.gate.matches(self.matcher, doc, s, e, extents))
        else:
            matches = phrase_matches + self.gate.matches(self.matcher, doc, 0, len(doc))
        if not matches and not always:
            return []
        groups: dict[int, SentenceHits] = {}
        if always:
            for i in range(len(edges) - 1):
                groups[i] = SentenceHits(edges[i], edges[i + 1])
        indices = _sentence_of(bounds, [start for _, start, _ in matches])
        if self._greedy_keys:
            matches, indices = self._merge_overlaps(matches, indices, edges)
        wanted = None
        if self.findings_only and not always:
            finding_keys = self._finding_keys
            pairs = zip(matches, indices, strict=True)
            wanted = {i for (key, _, _), i in pairs if key in finding_keys}
            if not wanted:
                return []
        for (key, start, end), index in zip(matches, indices, strict=True):
            if wanted is not None and index not in wanted:
                continue
            pattern = self._by_key[key]
            group = groups.get(index)
            if group is None:
                group = groups[index] = SentenceHits(edges[index], edges[index + 1])
            end = min(end, group.end)
            if pattern.category is not None:
                group.findings.append(Hit(pattern, start, end))
            elif pattern.guards and not is_party_mention(doc, Hit(pattern, start, end)):
                continue  # "state updates": a party word used as a common noun
            else:
                group.cues[pattern.role or ""].append(Hit(pattern, start, end))
        return [groups[i] for i in sorted(groups)]

    def _merge_overlaps(
        self, matches: list[tuple[int, int, int]], indices: list[int], edges: list[int]
    ) -> tuple[list[tuple[int, int, int]], list[int]]:
        """Merge overlapping matches of each greedy pattern in a sentence into one (see
        `Pattern.greedy`); the merged match takes the place of its longest member in `matches`
        (the earliest of equally long ones), where the longest-match filter kept it before.

        Ends are cut at the sentence end first, as the grouping does.
        """
        found: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
        for position, ((key, start, end), index) in enumerate(zip(matches, indices, strict=True)):
            if key in self._greedy_keys:
                end = min(end, edges[index + 1])
                found.setdefault((index, key), []).append((start, end, position))
        if not found:
            return matches, indices
        merged: dict[int, tuple[int, int, int]] = {}
        dropped: set[int] = set()
        for (_, key), spans in found.items():
            spans.sort()
            run_start, run_end, first = spans[0]
            members = [(spans[0][0] - spans[0][1], first)]  # (minus length, position)
            for start, end, position in [*spans[1:], (-1, -1, -1)]:  # sentinel closes the run
                if start >= 0 and start < run_end:
                    run_end = max(run_end, end)
                    members.append((start - end, position))
                    continue
                keep = min(members)[1]
                merged[keep] = (key, run_start, run_end)
                dropped.update(p for _, p in members if p != keep)
                run_start, run_end, members = start, end, [(start - end, position)]
        kept = [p for p in range(len(matches)) if p not in dropped]
        return [merged.get(p, matches[p]) for p in kept], [indices[p] for p in kept]

    def add_spans(self, doc: Doc, spans: Sequence[Span]) -> None:
        """Append spans to `doc.spans[SPANS_KEY]`."""
        if not spans:
            if SPANS_KEY not in doc.spans:
                doc.spans[SPANS_KEY] = []
            return
        group = list(doc.spans[SPANS_KEY]) if SPANS_KEY in doc.spans else []
        doc.spans[SPANS_KEY] = group + list(spans)

    def make_span(self, doc: Doc, start: int, end: int, pattern: Pattern) -> Span:
        """A span labelled `category/type` carrying the pattern id."""
        return Span(doc, start, end, label=f"{pattern.category}/{pattern.type}", kb_id=pattern.id)

    def sentence_span(self, doc: Doc, sent: SentenceHits, pattern: Pattern) -> Span | None:
        """The whole (whitespace-trimmed) sentence as a span for a sentence-level finding."""
        start, end = trimmed(doc, sent.start, sent.end)
        if start >= end:
            return None
        return self.make_span(doc, start, end, pattern)

    def to_disk(self, path: Any, *, exclude: tuple[str, ...] = ()) -> None:
        """Nothing to save: patterns are read from the package's data files."""

    def from_disk(self, path: Any, *, exclude: tuple[str, ...] = ()) -> RuleComponent:
        """Nothing to load: patterns are read from the package's data files."""
        return self


# ---------------------------------------------------------------------------------------------
# Who is bound
# ---------------------------------------------------------------------------------------------


_ABLE = re.compile(r"(?:be|also be) able\b", re.I)
_SKIP_BEFORE_MODAL = frozenset(
    {"also", "then", "further", "thereafter", "hereby", "additionally", ","}
)
_SUBORDINATORS = frozenset({"that", "which", "who", "if", "unless", "when", "whether", "whose"})
"""Words opening a subordinate clause: a negation after them does not negate the item."""
_NEED_VERBS = frozenset({"need", "require", "allot"})
"""Verbs after a modal that state what the work needs (an estimate or a dependency)."""
_PREPOSITIONS = frozenset(
    {"under", "of", "in", "by", "with", "to", "for", "from", "per", "within", "throughout"}
)
_NEGATED_SUBJECT = frozenset({"no", "neither", "none", "nothing"})
SUBJECT_WINDOW = 8
"""Tokens after a negated subject ("No payment will be made") in which a modal is negated."""


def negated_subject_end(doc: Doc, sent: SentenceHits) -> int:
    """End of the window of a negated subject opening the sentence, else `sent.start`.

    "No payment will be made until …", "No such changes shall be made …", "Neither the Site
    nor … shall be deemed accepted": the modal binds nobody to do anything.
    """
    i = sent.start
    while i < sent.end and not doc[i].is_alpha:
        i += 1  # list markers, numbering, table bars
    if i < sent.end and len(doc[i]) <= 3 and i + 1 < sent.end and doc[i + 1].text in ".)":
        i += 2  # "(a) No …", "b. No …"
    if i < sent.end and doc[i].lower_ in _NEGATED_SUBJECT:
        return min(i + 1 + SUBJECT_WINDOW, sent.end)
    return sent.start


def sentence_opening(doc: Doc, sent: SentenceHits) -> int:
    """The first word of a sentence, after list markers, numbering, table bars and quotes."""
    i = sent.start
    while i < sent.end and not doc[i].is_alpha:
        i += 1
    if i < sent.end and len(doc[i]) <= 3 and i + 1 < sent.end and doc[i + 1].text in ".)":
        i += 2  # "(a) Please …", "b. We recommend …"
        while i < sent.end and not doc[i].is_alpha:
            i += 1
    return i


def opens_with(doc: Doc, sent: SentenceHits, roles: Iterable[str]) -> bool:
    """True when a cue of one of `roles` starts at the sentence's first word."""
    first = sentence_opening(doc, sent)
    return any(h.start == first for role in roles for h in sent.cues.get(role, ()))


def party_before(
    sent: SentenceHits, position: int, window: int = 14, doc: Doc | None = None
) -> str | None:
    """The party bound at token `position`: the subject just before it, else the closest party.

    A capitalised name right before the modal that is no known party ("Wildform shall …")
    counts as an unknown party ("named"), so that an earlier "customer" is not taken instead.
    """
    if doc is not None:
        i = position - 1
        while i > sent.start and (
            doc[i].lower_ in _SKIP_BEFORE_MODAL or doc[i].lower_.endswith("ly")
        ):
            i -= 1
        if i >= sent.start:
            roles: dict[str, str] = doc.user_data.get(ROLES_KEY) or {}
            if roles and doc[i].lower_ in roles:
                return roles[doc[i].lower_]  # a name the document defined as vendor/client
            subject = max(
                (h for h in sent.cues.get("party", ()) if h.start <= i < h.end),
                key=lambda h: h.end - h.start,  # "Servicing Agency", not "Agency"
                default=None,
            )
            if subject is not None:
                party = subject.pattern.extra.get("party")
                if _joint_subject(doc, sent, subject, party, roles):
                    return "mutual"  # "Provider and Customer agree to …"
                if party == "vendor" and _client_modifier(doc, sent, subject):
                    return "client"  # "The DHSS Technical Team will review …"
                return party
            token = doc[i]
            if (token.is_title or token.is_upper) and token.is_alpha and i > sent.start:
                return _named_party(doc, sent, i)
            if i == sent.start and token.is_upper and token.is_alpha and len(token) > 1:
                return "named"  # "IBM will …", "MMMW will take …": an acronym opens the sentence
    best: Hit | None = None
    for hit in sent.cues.get("party", ()):
        if hit.end < sent.end and doc is not None and doc[hit.end].text == "-":
            continue  # "Client-side rendering must …": a compound, not the client
        if (
            hit.end <= position
            and position - hit.end <= window
            and (
                best is None
                or hit.end > best.end
                or (hit.end == best.end and hit.start < best.start)
            )
        ):
            best = hit
    return best.pattern.extra.get("party") if best else None


def is_party_mention(doc: Doc, hit: Hit) -> bool:
    """False for a party word used as a common noun ("state updates", "current state").

    Entries with an `only_after` guard count in lower case only right after one of its words
    ("the state will pay"); capitalised ("State", "STATE") they always count.
    """
    only_after = hit.pattern.guard("only_after")
    if not only_after or not doc[hit.start].is_lower:
        return True
    return hit.start > 0 and doc[hit.start - 1].lower_ in only_after


def outermost(hits: Sequence[Hit]) -> list[Hit]:
    """The hits not inside a longer hit ("substrate client" hides its "client")."""
    return [
        h
        for h in hits
        if not any(
            o is not h
            and o.start <= h.start
            and h.end <= o.end
            and o.end - o.start > h.end - h.start
            for o in hits
        )
    ]


PASSIVE_AGENT_WINDOW = 25
"""Tokens after a passive modal ("will be inspected …") in which "by <party>" names the agent."""


def _to_vendor(doc: Doc, sent: SentenceHits, position: int) -> bool:
    """ "… provided to the Contractor": the vendor receives, someone else provides.

    `position` is the token after the modal or after the passive phrase; "to" may follow the
    participle ("will be provided to …").
    """
    for i in range(position, min(position + 3, sent.end)):
        if doc[i].lower_ == "to":
            return any(
                h.start in (i + 1, i + 2) and h.pattern.extra.get("party") == "vendor"
                for h in sent.cues.get("party", ())
            )
    return False


def _passive_after(doc: Doc, sent: SentenceHits, hit: Hit) -> bool:
    """ "will be inspected", "shall be retested": a modal followed by "be" and a participle."""
    i = hit.end
    if i < sent.end and doc[i].lower_ == "be":
        i += 1
    else:
        return False
    while i < sent.end and doc[i].lower_.endswith("ly"):
        i += 1
    return i < sent.end and doc[i].lower_.endswith(("ed", "en", "wn", "ne"))


def _named_party(doc: Doc, sent: SentenceHits, i: int) -> str:
    """The party of a capitalised subject ending at token `i` that is no party word itself.

    "The State of Alaska will …", "the Department of Health shall …" take the party of the
    head before "of"; any other name is an unknown party ("named").
    """
    j = i
    while (
        j - 1 > sent.start and doc[j - 1].is_alpha and (doc[j - 1].is_title or doc[j - 1].is_upper)
    ):
        j -= 1
    if j - 2 >= sent.start and doc[j - 1].lower_ == "of":
        head = next((h for h in sent.cues.get("party", ()) if h.start <= j - 2 < h.end), None)
        if head is not None and head.pattern.extra.get("party") in ("vendor", "client"):
            return str(head.pattern.extra["party"])
    return "named"


def _client_modifier(doc: Doc, sent: SentenceHits, hit: Hit) -> bool:
    """True when a client name modifies a generic vendor word: "the DHSS Technical Team"."""
    low = max(sent.start, hit.start - 3)
    return any(
        low <= h.start
        and h.end <= hit.start
        and h.pattern.extra.get("party") == "client"
        and not any(t.lower_ in _NP_BREAKS for t in doc[h.end : hit.start])
        for h in sent.cues.get("party", ())
    )


_NP_BREAKS = frozenset({"and", "or", ",", "with", "to", "for", "by", "of", "the", "a", "an"})


def _joint_subject(
    doc: Doc, sent: SentenceHits, hit: Hit, party: str | None, roles: dict[str, str]
) -> bool:
    """True when the subject `hit` is joined by "and" to a party of the other side."""
    if party not in ("vendor", "client") or hit.start - 2 < sent.start:
        return False
    if doc[hit.start - 1].lower_ not in ("and", "&"):
        return False
    j = hit.start - 2
    other = roles.get(doc[j].lower_)
    if other is None:
        other = next(
            (
                h.pattern.extra.get("party")
                for h in sent.cues.get("party", ())
                if h.start <= j < h.end
            ),
            None,
        )
    return other in ("vendor", "client") and other != party


_HEDGE_VERBS = frozenset({"believe", "feel", "think", "expect", "anticipate", "trust"})
_HEDGE_SUBJECTS = frozenset({"we", "i"})


def _hedged(doc: Doc, sent: SentenceHits, hit: Hit) -> bool:
    """ "We believe / feel / expect that … will …": the modal sits in an opinion of the writer.

    Only when the sentence opens with the opinion and no vendor or client is named between it
    and the modal: "If we feel the report is deficient, the Contractor shall correct it" and
    "We expect that the Contractor will deliver …" still bind.
    """
    i = sent.start
    while i < hit.start and not doc[i].is_alpha:
        i += 1  # list markers, numbering
    if not (
        i + 1 < hit.start and doc[i].lower_ in _HEDGE_SUBJECTS and doc[i + 1].lower_ in _HEDGE_VERBS
    ):
        return False
    return not any(
        i + 1 < p.start < hit.start and p.pattern.extra.get("party") in ("vendor", "client")
        for p in sent.cues.get("party", ())
    )


def party_after_by(doc: Doc, sent: SentenceHits, position: int, window: int = 6) -> str | None:
    """The party in a passive agent phrase ("… by the Government") after `position`."""
    for hit in sent.cues.get("party", ()):
        if hit.start >= position and hit.start - position <= window:
            prev = doc[hit.start - 1].lower_ if hit.start > 0 else ""
            prev2 = doc[hit.start - 2].lower_ if hit.start > 1 else ""
            if prev == "by" or (prev in {"the", "our", "your"} and prev2 == "by"):
                return hit.pattern.extra.get("party")
    return None


def _as_set(value: str | Iterable[str]) -> frozenset[str]:
    """A guard value given as one word or a list of words, as a set."""
    return frozenset((value,)) if isinstance(value, str) else frozenset(value)


# ---------------------------------------------------------------------------------------------
# Ambiguity
# ---------------------------------------------------------------------------------------------


_BACKGROUND_SOFT_TYPES = frozenset({"vague_term", "subjective", "open_ended", "escape_clause"})
"""Ambiguity types dropped in background sections unless the sentence binds someone."""
_WORK_MODALS = frozenset(
    {"will", "shall", "must", "'ll", "plan", "plans", "pledge", "pledges", "require", "requires"}
)


class AmbiguityDetector(RuleComponent):
    """Phrase-level ambiguity (vague, open-ended, subjective, escape, placeholder, unbounded)."""

    pattern_files = ("ambiguity", "ambiguity_induced")
    lexicon_roles = frozenset(
        {"party", "boilerplate", "definition", "pin", "exclusion_cue", "signature_field"}
    )
    findings_only = True

    def __init__(self, nlp: Language, name: str) -> None:
        super().__init__(nlp, name)
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
                if self._keep(doc, sent, hit, section_kind):
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

    @staticmethod
    def _pinned(sent: SentenceHits, hit: Hit) -> bool:
        """True when a quantity, bound or reference pins the vague phrase down.

        The pin must sit close to the phrase ("within a reasonable time, not to exceed 10 days",
        "promptly, and in any case within 2 hours"): a figure elsewhere in a long sentence
        (a payment term, a section number about something else) says nothing about it.
        """
        low, high = hit.start - PIN_WINDOW, hit.end + PIN_WINDOW
        return any(low <= p.start and p.start < high for p in sent.cues.get("pin", ()))

    def _keep(self, doc: Doc, sent: SentenceHits, hit: Hit, section_kind: str | None) -> bool:
        pattern = hit.pattern
        guard = pattern.guard
        if (
            section_kind == "background"
            and pattern.type in _BACKGROUND_SOFT_TYPES
            and not guard("background_ok", False)
            and not any(t.lower_ in _WORK_MODALS for t in doc[sent.start : sent.end])
        ):
            return False  # "useful for various applications" in a project description
        if not guard("legal_boilerplate_ok", False) and sent.has("boilerplate"):
            return False
        if guard("unless_quantified") and self._pinned(sent, hit):
            return False
        if guard("not_in_definition") and sent.has("definition"):
            return False
        if section_kind and section_kind in (guard("not_in_sections") or ()):
            return False
        after = doc[hit.end].lower_ if hit.end < sent.end else ""
        before = doc[hit.start - 1].lower_ if hit.start > sent.start else ""
        if after in (guard("not_followed_by") or ()) or before in (guard("not_preceded_by") or ()):
            return False
        only_after = guard("only_after")
        if only_after and before not in only_after:
            return False  # "the necessary documents" is vague; "steps necessary to" is not
        if guard("unless_followed_by_number") and any(
            t.like_num for t in doc[hit.end : min(hit.end + 4, sent.end)]
        ):
            return False
        if guard("requires_list_after") and not any(
            t.lower_ in _LIST_WORDS for t in doc[hit.end : min(hit.end + 12, sent.end)]
        ):
            return False
        if pattern.id == "open_ended.such_as" and any(
            t.lower_ in ("etc", "etc.") for t in doc[hit.end : sent.end]
        ):
            return False  # "items such as tapes, toners, etc.": the "etc." is the open end
        required = guard("requires_party")
        if required and party_before(sent, hit.start, window=3, doc=doc) not in _as_set(required):
            return False
        return not any(sent.has(role) for role in guard("blocked_by") or ())


@Language.factory("scopelens_ambiguity")
def make_ambiguity(nlp: Language, name: str) -> AmbiguityDetector:
    """Factory of the ambiguity detector."""
    return AmbiguityDetector(nlp, name)


# ---------------------------------------------------------------------------------------------
# Commitment (and client obligations, which are assumptions)
# ---------------------------------------------------------------------------------------------

_LIST_START = re.compile(r"^\s*(?:[-*•▪◦‣–]\s|\(?[0-9a-zA-Z]{1,3}[.)]\s|\||step\s+\d)", re.I)
_LIST_KINDS = frozenset({"list_item", "table_row"})


_HEADING_LIKE = re.compile(r"^\s*(?:\*\*[^*]+\*\*:?|[^.!?;]{0,60}:|#+ .*)\s*$")
_MARKER = re.compile(
    r"^\s*(?:\|\s*)?(?:[-*•▪◦‣–]\s+|\(?[0-9a-zA-Z]{1,3}[.)]\s+|step\s+\d+[.:]?\s+|#+\s+)*", re.I
)
_LABEL_LINE = re.compile(r"^\W*(?:\*\*)?[\w/&' -]{1,40}:(?:\*\*)?\W*$")
_FIGURE_KEY = re.compile(
    r"^\W*(?:\*\*)?\s*(?:total\s+)?(?:estimated|estimate|expected|planned|total|overall|required|"
    r"requested)?\s*(?:milestone\s+)?(?:duration|time|timeframe|time frame|fte|ftes|full-time|"
    r"costs?|budget|funding|amount|price|effort|team|resources?|people|staff|hours|delivery|date|start|"
    r"end|level of effort|payment|rate|assumptions?|requirements?|pre-?requirements?|"
    r"dependenc(?:y|ies)|risks?)\b[^:|*]{0,40}(?:\*\*\s*:?|:|\|)",
    re.I,
)
_DEFINITION_OPEN = re.compile(
    r"^\W*(?:(?:\d+(?:\.\d+)*[.)]?|[A-Za-z]{1,4}[.)])\s+)?(?:[^\"“”]{0,60},\s*)?(?:the\s+)?"
    r"[\"“][^\"“”]{1,80}[\"”]\s*(?:\([^)]*\)\s*)?"
    r"(?:or\s+[\"“][^\"“”]{1,40}[\"”]\s*(?:\([^)]*\)\s*)?)?"
    r"(?:(?:shall\s+)?means?\b(?!\s+that\b[^.;]{0,80}?\b(?:shall|will|must)\b)"
    r"|(?:shall\s+)?(?:have|has)\s+the\s+meanings?\b"
    r"|(?:is|are|shall\s+be)\s+defined\s+as\b)",
    re.I,
)
"""A definition: '"SAN" means …', '1.30 "SIM card" shall mean …', 'B. "Plan" shall have the
meaning set forth in …'. '"X Service Level" means that the system shall have 99% availability'
states the level itself and is not taken as a bare definition."""
_DEFINITION_PREFIX = 400
"""Only a sentence's opening can define a term (and the search stays short on huge sentences)."""
_NOT_ITEM = re.compile(r"^\W*\[[^\]]*\]\W*$|-{3,}|`{3}|\{|\bX{2,}|\bbecause\b", re.I)
"""Placeholder lines, ruled lines, code blocks, template variables and clauses: no scope item."""
_DRAFTING_NOTE = re.compile(r"\[\s*(?:drafting note|describe|insert|specify)\b", re.I)
_BOLD_ONLY = re.compile(r"^\W*\*\*[^*]+\*\*\W*$")
_STAFF_LINE = re.compile(
    r"^(?:[A-Za-z][\w./&-]*\s+){0,4}(?:developers?|engineers?|managers?|mgr|designers?|analysts?|"
    r"architects?|leads?|scientists?|consultants?|testers?|administrators?|specialists?|devops|"
    r"researchers?)\s*(?:[(,-]\s*(?:full|part)[- ]?time\s*\)?|\(?\d+(?:\.\d+)?\s*(?:%|fte)\)?"
    r"(?:[\s\d.,%]*))\W*$",
    re.I,
)
"""A staffing line ("1. Lead Frontend Developer (full-time)", "Jane Doe Support Mgr 50% 20 12"):
an effort plan, not promised work. Only tried on lines up to `_STAFF_LINE_MAX` characters: its
tail can split a run of spaces and dots many ways, quadratic on a long crafted line."""
_STAFF_LINE_MAX = 120


_STAFF_MODALS = re.compile(r"\b(?:will|shall|must|may|should|would|can)\b", re.I)


def is_staff_line(body: str) -> bool:
    """A short staffing line of a plan or budget (see `_STAFF_LINE`); a sentence with a modal
    ("Contractor will assign dedicated engineers (100%)") is a promise, not a staffing line."""
    body = body.strip("*_ ")
    return (
        len(body) <= _STAFF_LINE_MAX
        and _STAFF_LINE.match(body) is not None
        and _STAFF_MODALS.search(body) is None
    )


_MD_HEADING = re.compile(r"^\s*#{1,6}\s+(?!of\b)[^|\s][^|\n]*$", re.I)
"""One markdown heading line ("## Development Roadmap"); "# of users: 500" is a count."""
_TITLE_SMALL = frozenset(
    {"of", "and", "the", "for", "to", "in", "with", "on", "or", "a", "an", "&"}
)
_BENEFIT_VERBS = frozenset(
    {"allow", "benefit", "empower", "help", "involve", "mean", "ease", "last", "take", "require",
     "need", "cost"}
)  # fmt: skip

_CLIENT_OVERSIGHT = re.compile(
    r"\b(?:will|shall|must)\s+(?:\w+\s+)?(?:monitor|verify|appoint|abide)\b"
    r"|\bcomply\s+with\s+(?:all\s+)?applicable\s+laws|\blawful\s+purposes"
    r"|\bbe\s+assessed\s+by\b|\bunilateral\s+decision",
    re.I,
)
"""The client's oversight or legal compliance ("the COR will monitor compliance", "Customer
shall comply with applicable laws"): not a dependency the plan or price relies on."""


def is_title_line(text: str) -> bool:
    """A sub-heading line: "6.1 SERVICES.", "Hosting Services.", "Task 5: Assist with X".

    Short (at most six words) with every word capitalised (small words aside), or a numbered
    clause/task heading.
    """
    stripped = text.strip()
    if _SUBHEADING.match(stripped):
        return True
    body = strip_marker(stripped).rstrip(".:").strip()
    words = [w for w in body.split() if any(c.isalpha() for c in w)]
    if not words or len(words) > 6 or not stripped.endswith((".", ":")):
        return False
    return all(w[0].isupper() or w.lower() in _TITLE_SMALL for w in words)


_HEADING_NOUNS = frozenset(
    {"services", "service", "standards", "management", "configuration", "acceptance", "orders",
     "payment", "payments", "procedures", "terms", "conditions", "responsibilities",
     "requirements", "obligations", "definitions", "fees", "charges", "general", "objectives",
     "incentive", "incentives", "performance"}
)  # fmt: skip


def is_subheading_fragment(body: str) -> bool:
    """A sub-heading standing alone as a paragraph or list item: no promise in it.

    Upper-case labels ("SOFTWARE UPDATE SERVICE") and title-case labels ending in a generic
    heading noun ("Desktop Access and Configuration", "Change Orders", "Review and
    Acceptance"); named work items in title case ("Update Assemblyscript FAQ", "Public
    Beta 2") are not.
    """
    body = body.strip("*_ ")
    if not body or body[-1] in ".!?;:)":
        return False
    words = [w for w in body.split() if any(c.isalpha() for c in w)]
    if not 2 <= len(words) <= 8:
        return False
    if all(w.isupper() for w in words):
        return True
    titled = all(w[0].isupper() or w.lower() in _TITLE_SMALL for w in words if w[0].isalpha())
    return titled and words[-1].lower().strip("*_") in _HEADING_NOUNS


def is_table_header(text: str) -> bool:
    """A table header row: at least two cells, every cell a short label without figures."""
    if not text.lstrip().startswith("|") and text.count("|") < 2:
        return False
    cells = [c.strip(" *_") for c in text.strip().strip("|").split("|")]
    cells = [c for c in cells if c]
    if len(cells) < 2:
        return False
    return all(len(c.split()) <= 6 and not any(ch.isdigit() for ch in c) for c in cells) and all(
        c[:1].isupper() for c in cells
    )


_FIGURE_ONLY = re.compile(
    r"^[\W\d]*(?:\d[\d.,]*\s*(?:k|m)?\s*(?:-|–|to)?\s*)+"
    r"(?:\w+\s*)?(?:days?|weeks?|months?|years?|hours?|hrs|h|fte|pm|pd|dev|devs|usd|eur|dot|\$|€)"
    r"\b.{0,40}$",
    re.I,
)
_SUBHEADING = re.compile(
    r"^\s*(?:\d+(?:\.\d+)+\.?\s+[A-Z]|(?:task|section|article|part|phase|option)\s+\d+\s*[:.-]\s)",
    re.I,
)
_NON_STATEMENT = re.compile(
    r"\?|^\W*(?:\[?\s*drafting note|\{|note\b|see\b|e\.g\.|example|sample|optional\b|please\b)"
    r"|^\W*source:\s.*\b(?:\d{1,2}-[kq]|s-\d|20-f)\b",
    re.I,
)
"""Questions, drafting notes, examples and filing footers ("Source: ACME INC, 8-K, 3/16/2018")."""
_WORD = re.compile(r"[A-Za-z]{2,}")
_USER_STORY = re.compile(
    r"\bas an? [\w -]{1,40}?,? (?:i|we) (?:can|want|will|should|am able)\b", re.I
)
_USER_STORY_OPEN = re.compile(
    r"^\W{0,6}(?:[^|\n]{0,30}\|\W{0,4})?as\s(?:an?|the)\s[\w' /-]{1,40}?,?\s{1,3}i\s{1,3}"
    r"(?:want|wish|need|can|could|expect|would\s{1,3}like|[’']d\s{1,3}like|am\s{1,3}able|"
    r"(?:will|should|must|would)\s{1,3}be\s{1,3}able)\b",
    re.I,
)
"""A user story opening a line ("As an HR representative, I will be able to view …", "| US-3 |
As a vendor, I want …"): a need of a user, not a promise of the party doing the work."""
_USER_STORY_PREFIX = 200


def is_user_story(text: str) -> bool:
    """True for a line that opens with a user story (a bounded prefix is searched)."""
    return _USER_STORY_OPEN.match(strip_marker(text[:_USER_STORY_PREFIX])) is not None


_MILESTONE_HEADING = re.compile(
    r"^\W*(?:milestone|phase|m|wp|work\s*package|weeks?|sprint|deliverable)\s*\d+"
    r"(?:\s*[-–]\s*\d+)?\s*(?:[-–—:.]\s*|\s+)(?P<name>[^(\s].*)$",
    re.I,
)
_FIGURE_HEADING = re.compile(
    r"^\W*(?P<name>[^()`:]+?)\s*:?\s*[(`]\s*\d+(?:[.,]\d+)?\s*(?:-\s*\d+\s*)?"
    r"(?:days?|weeks?|months?|hours?)\s*[)`]",
    re.I,
)
_GENERIC_HEADING = re.compile(
    r"\b(?:roadmap|budget|total|estimated?|summary|timeline|overview|milestones|deliverables|"
    r"funding|costs?|plan)\b",
    re.I,
)


def is_milestone_heading(text: str, min_words: int = 2) -> bool:
    """A named milestone / phase / work-item heading: a promised deliverable.

    "Milestone 1 - Block production PoC", "M2: Perform ceremonies with mobile phone app",
    "Week 1: Ramp-up into FEVM", "Deploy IPFS Nodes `1 week`", "Performance improvements:
    (3 weeks) 30,000€" are; bare labels ("Milestone 1", "Phase 2 (Draft)"), and roadmap,
    budget or summary headings ("Development Roadmap (3 months)") are not.
    """
    match = _MILESTONE_HEADING.match(text) or _FIGURE_HEADING.match(text)
    if match is None:
        return False
    name = match.group("name")
    words = [w for w in re.split(r"[\s/&]+", name) if _WORD.search(w)]
    return len(words) >= min_words and _GENERIC_HEADING.search(name) is None


def looks_like_heading(text: str) -> bool:
    """A short line without final punctuation, a bold label or a label ending in a colon."""
    text = text.strip()
    if _HEADING_LIKE.match(text):
        return True
    return len(text.split()) <= 7 and text[-1:] not in ".!?;)|"


def strip_marker(text: str) -> str:
    """The text without a leading list marker, table bar, step number or markdown heading."""
    return _MARKER.sub("", text, count=1).strip()


def is_work_fragment(text: str) -> bool:
    """True for a verbless item of a deliverables/milestones list that names promised work.

    "Updated CI workflows", "- Terraform scripts for AWS", "Lottery example" are; label lines
    ("- Goals:", "**Deliverables:**"), budget/duration/team lines ("- Budget: $10,560",
    "- 2 weeks", "Estimated Duration: 2 months"), numbered sub-headings ("6.2.1 Reports",
    "Task 10: Support"), questions, drafting notes, placeholders and bare identifiers are not.
    """
    body = strip_marker(text).strip("*_ ").strip()
    if sum(1 for word in body.split() if _WORD.search(word)) < 2:
        return False
    if _LABEL_LINE.match(body) or _FIGURE_KEY.match(body) or _FIGURE_ONLY.match(body):
        return False
    if _SUBHEADING.match(text.strip()) or _NON_STATEMENT.search(body):
        return False
    return not (body.isupper() and len(body.split()) <= 6)


def is_list_item(doc: Doc, start: int, end: int) -> bool:
    """True for a list item or table row: by block kind, or by a marker at the start."""
    if doc.user_data.get(BLOCK_KIND_KEY) in _LIST_KINDS:
        return True
    text = doc[start : min(start + 4, end)].text if start < end else ""
    return bool(_LIST_START.match(text))


class CommitmentDetector(RuleComponent):
    """Sentence-level commitments of the party doing the work, typed by dominant content."""

    pattern_files = ("commitment",)
    lexicon_roles = frozenset({"party", "liability", "definition", "reader_instruction"})
    gate_roles = frozenset({"obligation", "present_promise", "weak_obligation"})

    def __init__(self, nlp: Language, name: str) -> None:
        super().__init__(nlp, name)
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
        spans = []
        in_scope = section_kind in ("scope", "work")
        listed = self.listed.get(section_kind or "")
        for sent in self.hits_by_sentence(doc, always=in_scope or listed is not None):
            if sent.has("liability"):
                continue
            if doc[trimmed(doc, sent.start, sent.end)[1] - 1].text == "?":
                continue  # a question promises nothing
            if sent.has("definition") and _DEFINITION_OPEN.search(
                self.sentence_text(doc, sent)[:_DEFINITION_PREFIX]
            ):
                continue  # '"SAN" means the storage area network …': a definition
            if doc_text(doc)[doc[sent.start].idx : doc[sent.start].idx + 1] == "#" and not sent.has(
                "obligation"
            ):
                text = self.sentence_text(doc, sent)
                if _MD_HEADING.match(text):
                    # A markdown heading line ("## Development Roadmap") is a heading: only a
                    # named milestone heading promises work ("### Milestone 1: IaC Modules").
                    if is_milestone_heading(text, min_words=1):
                        span = self.sentence_span(doc, sent, self.default)
                        if span is not None:
                            spans.append(span)
                    continue
            if listed is None and self.not_the_authors(doc, sent, section_kind):
                continue
            bound = self.bound_party(doc, sent, section_kind)
            if bound is None and in_scope:
                bound = self.section_default(doc, sent, section_kind)
            elif bound is None and section_kind is None and self.is_work_item(doc, sent):
                bound = "vendor"  # "2. Development of a logo …" under "Exhibit A"
            if (
                listed is not None
                and (bound != "vendor" or section_kind == "assumptions")
                and not (section_kind == "assumptions" and sent.has("out_of_scope"))
                and self.is_statement(doc, sent)
            ):
                span = self.sentence_span(doc, sent, listed)
                if span is not None:
                    spans.append(span)
            if listed is not None and bound != "vendor":
                pattern = None
            elif bound == "vendor":
                pattern = self.commitment_type(sent)
                if pattern is self.default and sent.has("out_of_scope"):
                    pattern = None  # "… but this is out of scope": an exclusion, no promise
                elif _DRAFTING_NOTE.search(self.sentence_text(doc, sent)):
                    pattern = None  # "[Drafting note: … specify how Customer will pay …]"
            elif bound == "client":
                oversight = _CLIENT_OVERSIGHT.search(self.sentence_text(doc, sent))
                pattern = None if oversight else self.client
            else:
                pattern = None
            span = self.sentence_span(doc, sent, pattern) if pattern is not None else None
            if span is not None:
                spans.append(span)
        self.add_spans(doc, spans)
        return doc

    def not_the_authors(self, doc: Doc, sent: SentenceHits, section_kind: str | None) -> bool:
        """A line that binds nobody doing the work: a user story or an instruction to the reader.

        "As an HR representative, I will be able to view …" states a user's need (LABELLING.md:
        user stories are not commitments), except as a row of a milestone table, where it
        names a promised feature (corpus label). "Please commit to providing a Dockerfile …",
        "This section should break out the roadmap …" instruct whoever fills in a template.
        """
        if opens_with(doc, sent, ("reader_instruction",)):
            return True
        s, e = trimmed(doc, sent.start, sent.end)
        if section_kind == "work" and is_list_item(doc, s, e):
            return False
        return is_user_story(self.sentence_text(doc, sent))

    @staticmethod
    def is_work_item(doc: Doc, sent: SentenceHits) -> bool:
        """A list item that opens with a work noun: "2. Development of a logo …"."""
        hits = sent.cues.get("work_nominal", ())
        if not hits:
            return False
        s, e = trimmed(doc, sent.start, sent.end)
        if not is_list_item(doc, s, e) or sent.has("negation") or sent.has("nonbinding"):
            return False
        text = CommitmentDetector.sentence_text(doc, sent)
        marker = len(text) - len(strip_marker(text))
        return any(doc[h.start].idx - doc[s].idx <= marker for h in hits)

    @staticmethod
    def sentence_text(doc: Doc, sent: SentenceHits) -> str:
        """The whitespace-trimmed text of a sentence."""
        s, e = trimmed(doc, sent.start, sent.end)
        if s >= e:
            return ""
        last = doc[e - 1]
        # `doc[s:e].text` would join the tokens in Python; the block text holds the same chars.
        return doc_text(doc)[doc[s].idx : last.idx + len(last)]

    def is_statement(self, doc: Doc, sent: SentenceHits) -> bool:
        """A sentence or list item that states something (no label line, question or note)."""
        text = self.sentence_text(doc, sent)
        return is_work_fragment(text) or (
            not looks_like_heading(text) and not _NON_STATEMENT.search(strip_marker(text))
        )

    def bound_party(self, doc: Doc, sent: SentenceHits, section_kind: str | None) -> str | None:
        """Who the sentence binds: "vendor" (a commitment), "client" (an assumption) or None."""
        cues = sorted(
            [(h, "obligation") for h in sent.cues.get("obligation", ())]
            + [(h, "passive") for h in sent.cues.get("passive_work", ())]
            + [(h, "present") for h in sent.cues.get("present_promise", ())],
            key=lambda item: item[0].start,
        )
        if not cues:
            return None
        negations = {h.start for h in sent.cues.get("negation", ())}
        legal = {h.start for h in sent.cues.get("legal_state", ())}
        payment = {h.start for h in sent.cues.get("payment", ())}
        nonbinding = sent.cues.get("nonbinding", ())
        current = sent.has("current_state")
        permission = sent.has("permission")
        negated_until = negated_subject_end(doc, sent)
        for hit, kind in cues:
            if (
                any(hit.start - 1 <= n < hit.end + 2 for n in negations)
                or hit.start < negated_until
            ):
                continue  # "shall not provide", "won't deliver", "No payment will be made"
            if any(0 < hit.start - n.start <= 2 for n in nonbinding):
                continue
            if kind == "present" and (
                permission or section_kind == "background" or sent.has("recital")
            ):
                continue  # "We retain the right … to implement …", background, recital: no promise
            if kind == "obligation" and _hedged(doc, sent, hit):
                continue  # "We believe this scheme will satisfy …": an opinion, no promise
            if kind == "obligation" and self.is_claim(doc, sent, hit):
                continue  # "This will help …", "These steps will take 6 months": no promise
            if kind == "obligation" and hit.end < sent.end and doc[hit.end].lower_ in _NEED_VERBS:
                continue  # "We will require 3 months", "we will need Polkadot to provide …"
            if self.legal_subject(doc, sent, hit):
                continue  # "This Agreement will start on …", "The place of performance will be …"
            party = party_before(sent, hit.start, doc=doc)
            if hit.start in payment and party != "vendor":
                return "client"
            if hit.start in legal:
                continue
            if kind == "passive":
                agent = party_after_by(doc, sent, hit.end)
                if agent is not None:
                    party = agent
                elif _to_vendor(doc, sent, hit.end):
                    continue  # "Any updates to the QASP will be provided to the Contractor"
            elif kind == "obligation" and _passive_after(doc, sent, hit):
                # "All deliverables will be inspected for content, … by the Government"
                if party_after_by(doc, sent, hit.end, window=PASSIVE_AGENT_WINDOW) == "client":
                    party = "client"
                elif party != "vendor" and _to_vendor(doc, sent, hit.end + 1):
                    continue  # "Any updates to the QASP will be provided to the Contractor"
            if party == "mutual":
                continue
            if party == "client":
                if kind == "present":
                    continue  # "… technical support inquiries": the client is only nearby
                return "client"
            if party == "vendor":
                return "vendor"
            if party == "user":
                # Users of the delivered system: "the user is given confirmation", "users
                # will be able to browse …" describe the product; "users must …" binds nobody.
                if kind == "present" or _ABLE.match(doc[hit.end : hit.end + 3].text):
                    return "vendor"
                continue
            if kind == "present":
                if party == "product" and not current:
                    return "vendor"
                continue
            if party == "product" and current:
                continue
            return "vendor"
        return None

    @staticmethod
    def legal_subject(doc: Doc, sent: SentenceHits, hit: Hit) -> bool:
        """The subject right before the cue is the agreement, its term or a procurement event."""
        i = hit.start - 1
        while i > sent.start and doc[i].lower_ in _SKIP_BEFORE_MODAL:
            i -= 1
        return any(
            h.start <= i < h.end
            and (h.start == sent.start or doc[h.start - 1].lower_ not in _PREPOSITIONS)
            for h in outermost(sent.cues.get("legal_subject", ()))
        )  # "Code developed under this Agreement shall …": the agreement is no subject

    @staticmethod
    def is_claim(doc: Doc, sent: SentenceHits, hit: Hit) -> bool:
        """ "This will help …", "These steps will take 6 months": a benefit or effort claim."""
        return (
            hit.end < sent.end
            and doc[hit.end].lower_ in _BENEFIT_VERBS
            and party_before(sent, hit.start, doc=doc) in (None, "product")
        )

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
        if any(self.is_claim(doc, sent, hit) for hit in sent.cues.get("obligation", ())):
            return None
        text = self.sentence_text(doc, sent)
        body = strip_marker(text)
        if _NON_STATEMENT.search(body) or _FIGURE_KEY.match(body) or _FIGURE_ONLY.match(body):
            return None
        if _BOLD_ONLY.match(body) or is_title_line(text) or is_table_header(text):
            return None
        if is_staff_line(body):
            return None  # "2. Backend Developer (full-time)": a staffing plan
        if is_subheading_fragment(body):
            return None  # "(a) SOFTWARE UPDATE SERVICE", "Desktop Access and Configuration"
        listed = is_list_item(doc, s, e)
        words = body.split(maxsplit=1)
        first = words[0].lower() if words else ""  # a bare "|" line has no words
        if (listed or sent.has("imperative")) and first in self.imperatives:
            # "* Forward to TTS the reports", "Evaluate how the solutions met the Agency's
            # objectives": the client is only the object of the vendor's work.
            return "vendor"
        if listed and section_kind == "work" and _USER_STORY.search(body):
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
            return "vendor" if not _LABEL_LINE.match(body) or len(body) > 30 else None
        if sent.has("nonbinding") or sent.has("current_state"):
            return None
        if section_kind != "work":
            # A verbless line naming work under a scope heading ("Automated testing",
            # "Data import of records collected from legacy systems") is a scope item.
            if text.rstrip().endswith((".", ":", ",")) or _NOT_ITEM.search(body):
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


# ---------------------------------------------------------------------------------------------
# Exclusions, assumptions, estimates
# ---------------------------------------------------------------------------------------------


_ESTIMATE_KEY = re.compile(
    r"^\W*(?:\*\*)?\s*(?:total\s+)?(?:estimated|expected|planned|required|requested|total|overall)?"
    r"\s*(?:milestone\s+)?(?:duration|timeframe|time frame|time|fte|ftes|"
    r"full-time equivalent[^:*|]*|costs?|budget|funding|amount|effort|team|size of team|"
    r"level of effort|delivery|person[- ]days|person[- ]months|total|of teams)"
    r"\s*(?:\([^)]*\))?\s*(?:for this milestone)?\s*(?:\*\*\s*:?|:|\|)\s*(?:\*\*)?\s*\S",
    re.I,
)
_ESTIMATE_FIGURE_LINE = re.compile(
    r"^\W*\d+(?:[.,]\d+)?\s*(?:-\s*\d+\s*)?"
    r"(?:w|wk|wks|weeks?|(?-i:d)|days?|months?|m|hours?|hrs?|h|fte|pd|pm)\b"
    r"(?:\s*[:,)]|\s*$|\s+\w)",
    re.I,
)
"""A line opening with a figure and a unit ("- 2 weeks", "3W: Toolchain", "10d", "48hrs"); a
capital "D" is no day ("3D models of the site")."""
_AMOUNT_CELL = re.compile(
    r"^\W*(?:[$€£]\s?)?\d[\d.,\s]*\d(?:\s?(?:[$€£]|usd|eur|dai|dot|k))?\W*$|"
    r"^\W*\d+(?:\.\d+)?\s*(?:weeks?|days?|months?|fte)\W*$",
    re.I,
)
_ROLE_LINE = re.compile(
    r"^\W*\d+(?:\.\d+)?\s+[A-Z][A-Za-z]{1,10}(?:\s*,\s*\d+(?:\.\d+)?\s+[A-Z]\w*)+\W*$"
)
_SHORT_BLOCK = 400
_ESTIMATE_CHEAP = re.compile(r"\d|\b(?:duration|fte|budget|funding|team|delivery|cost)", re.I)


_CLIENT_RELIEF = re.compile(r"responsib|obligat|required|obliged", re.I)
"""Exclusion wording that, said of the client, relieves the client, not the vendor's scope."""
_LABELLED_HEADING = re.compile(r"^[^:]{3,40}:\s*\w[^:]*$")
_NO_CHARGE = frozenset({"no", "free", "without"})
"""Words just before "extra cost" / "additional charge" that make it a price promise."""
_NEGATIONS = frozenset({"not", "n't", "n’t", "never"})
_CAUSES = frozenset(
    {"result", "incur", "be", "involve", "lead", "cause", "carry", "attract", "entail", "add"}
)
"""A negated verb of these before the cost words promises no extra cost ("would not result in
additional costs"); a negation elsewhere ("items not listed incur additional charges") does
not."""
_CHANGE_ORDER = re.compile(r"^change\s+(?:order|request)s?$", re.I)
_SCOPE_CHANGE = re.compile(r"\bscope\b|\badditional\b|\boverage", re.I)
"""A change-order mention is an exclusion only when it prices changes to the scope."""


def is_bare_label(text: str) -> bool:
    """A label line of at most three words ("**Assumptions/Pre-Requirements**", "Exclusions:").

    A numbered or capitalised clause title ending in a full stop ("5.7 EXCLUSIONS.",
    "Warranty Exclusions.") is a label too; "No travel." is a statement.
    """
    body = strip_marker(text).strip("*_: ")
    words = [w for w in re.split(r"[\s/]+", body) if _WORD.search(w)]
    if len(words) > 3:
        return False
    if not body.endswith((".", ";")):
        return True
    return body.endswith(".") and all(w[:1].isupper() for w in words)


def is_label(text: str) -> bool:
    """A bare label or a numbered clause title ("5.0 Program Assumptions and Constraints")."""
    return is_bare_label(text) or bool(_SUBHEADING.match(text.strip()) and text.strip()[-1:] != ".")


def is_estimate_line(text: str) -> bool:
    """A plan or budget line without a sentence around it.

    "**FTE:** 1", "Estimated Duration: 2 months", "- Team: Full-time DevOps", "- 2 weeks",
    "3W: Toolchain", "- 1 Arch, 0.5 PO", and table rows whose last cell is an amount or a
    duration ("| B | UX | Threat modelling | 10,000 |").
    """
    body = strip_marker(text)
    if _ESTIMATE_KEY.match(body) or _ESTIMATE_FIGURE_LINE.match(body) or _ROLE_LINE.match(body):
        return True
    if is_staff_line(body):
        return True  # "1. Lead Frontend Developer (full-time)": staffing as the effort plan
    if text.count("|") >= 2:
        cells = [c.strip() for c in text.strip().strip("|").split("|") if c.strip(" *-")]
        return len(cells) >= 2 and bool(_AMOUNT_CELL.match(cells[-1]))
    return False


class ScopeStatementDetector(RuleComponent):
    """Sentence-level exclusions, assumptions and estimates (one of each per sentence)."""

    pattern_files = ("scope",)
    lexicon_roles = frozenset({"liability", "definition", "party", "reader_instruction"})
    findings_only = True

    def __init__(self, nlp: Language, name: str) -> None:
        super().__init__(nlp, name)
        self.estimate_line = self.patterns["estimate.line"]

    def __call__(self, doc: Doc) -> Doc:
        """Add exclusion / assumption / estimate spans for the sentences that state them."""
        heading = doc.user_data.get(BLOCK_KIND_KEY) == "heading"
        spans = []
        # Plan/budget lines are short blocks or table rows: long prose paragraphs (contracts)
        # skip the per-sentence line check, which keeps big documents fast.
        text = doc_text(doc)  # the block text from detect(), not rebuilt from the tokens
        lines = (
            not heading
            and (len(text) <= _SHORT_BLOCK or "|" in text)
            and _ESTIMATE_CHEAP.search(text) is not None
        )
        for sent in self.hits_by_sentence(doc, always=lines):
            done: set[str] = set()
            if lines and not sent.has("legal_figure"):
                text = CommitmentDetector.sentence_text(doc, sent)
                if text and is_estimate_line(text):
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
                    and not (category == "exclusion" and _LABELLED_HEADING.match(doc_text(doc)))
                ):
                    continue  # "Out of scope: council voting" is a heading that excludes
                if category in ("assumption", "exclusion") and is_label(
                    CommitmentDetector.sentence_text(doc, sent)
                ):
                    continue  # "**Assumptions/Pre-Requirements**": a label, not a statement
                if pattern.id == "exclusion.extra_charge" and is_table_header(
                    CommitmentDetector.sentence_text(doc, sent)
                ):
                    continue  # "LABOR CATEGORY | GSA HOURLY RATE | CEILING PRICE": column names
                if (
                    heading
                    and category == "estimate"
                    and not any(t.like_num for t in doc[sent.start : sent.end])
                ):
                    continue  # "Total Budget Requested" heading: no figure, no estimate
                if not self._keep(doc, sent, hit):
                    continue
                span = self.sentence_span(doc, sent, pattern)
                if span is not None:
                    spans.append(span)
                    done.add(category)
        self.add_spans(doc, spans)
        return doc

    def _keep(self, doc: Doc, sent: SentenceHits, hit: Hit) -> bool:
        guard = hit.pattern.guard
        before = doc[hit.start - 1].lower_ if hit.start > sent.start else ""
        if before in (guard("not_preceded_by") or ()):
            return False
        after = doc[hit.end].lower_ if hit.end < sent.end else ""
        if after in (guard("not_followed_by") or ()):
            return False
        if guard("not_in_definition") and sent.has("definition"):
            return False
        if any(sent.has(role) for role in guard("blocked_by") or ()):
            return False
        if guard("blocked_by_opening") and opens_with(doc, sent, guard("blocked_by_opening")):
            return False  # "We recommend that the scope … fits in 3 months": reader's advice
        required_party = guard("requires_party")
        if required_party and party_before(sent, hit.start, doc=doc) not in _as_set(required_party):
            return False  # "The configuration is expected to provide …": nobody is relied on
        if any(
            cue.start < hit.end and hit.start < cue.end
            for role in guard("blocked_by_overlap") or ()
            for cue in sent.cues.get(role, ())
        ):
            return False  # "about 20 years of experience": the figure belongs to the cue
        if (
            hit.pattern.category == "exclusion"
            and _CLIENT_RELIEF.search(doc[hit.start : hit.end].text)
            and party_before(sent, hit.start, doc=doc) == "client"
        ):
            return False  # "Customer is not responsible for Provider's income taxes"
        if hit.pattern.category == "estimate" and not any(
            t.like_num or any(c.isdigit() for c in t.text) for t in doc[sent.start : sent.end]
        ):
            return False  # "total cost of ownership", "Total Budget Requested": no figure
        if hit.pattern.id == "estimate.duration" and any(
            t.lower_ in ("period", "term") for t in doc[max(sent.start, hit.start - 3) : hit.start]
        ):
            return False  # "BASE PERIOD: 6 months": a contract term, not a planned duration
        if hit.pattern.id == "exclusion.extra_charge":
            window = doc[max(sent.start, hit.start - 3) : hit.start]
            if any(t.lower_ in _NO_CHARGE for t in window) or any(
                t.lower_ in _NEGATIONS and t.i + 1 < hit.start and doc[t.i + 1].lower_ in _CAUSES
                for t in window
            ):
                return False  # "at no extra cost", "would not result in additional costs"
            if _CHANGE_ORDER.match(doc[hit.start : hit.end].text) and not _SCOPE_CHANGE.search(
                CommitmentDetector.sentence_text(doc, sent) or ""
            ):
                return False  # "Provider or Customer may amend any SOW by entering a Change Order"
        required = guard("requires_cue")
        return not required or sent.has(required)


@Language.factory("scopelens_scope_statements")
def make_scope_statements(nlp: Language, name: str) -> ScopeStatementDetector:
    """Factory of the exclusion / assumption / estimate detector."""
    return ScopeStatementDetector(nlp, name)
