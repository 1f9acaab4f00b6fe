"""The base of the rule detectors: patterns to matchers, matches to sentences, spans to the doc.

Each component loads its patterns from `analyzer/nlp/patterns/*.jsonl` when it is created,
matches them with one `PhraseMatcher` (attr `LOWER`) and one `Matcher`, groups the matches by
sentence and writes `Span`s to `doc.spans["scopelens"]` with `span.label_ = "category/type"` and
`span._.pattern_id` set. Lexicon entries (`role` instead of `category`) are cues the guards use:
parties, boilerplate, definitions, quantities. Python work is done per *matched* sentence only.
Like spaCy's `SpanRuler`, a component saves its patterns with `to_disk` / `to_bytes` and builds
its matchers again from them with `from_disk` / `from_bytes`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import srsly
from spacy import util
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from analyzer.nlp.gate import MatcherGate
from analyzer.nlp.patterns import Pattern, load_patterns, parse_pattern
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


# ---------------------------------------------------------------------------------------------
# Matches and sentences
# ---------------------------------------------------------------------------------------------


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


def sentence_text(doc: Doc, sent: SentenceHits) -> str:
    """The whitespace-trimmed text of a sentence."""
    s, e = trimmed(doc, sent.start, sent.end)
    if s >= e:
        return ""
    last = doc[e - 1]
    # `doc[s:e].text` would join the tokens in Python; the block text holds the same chars.
    return doc_text(doc)[doc[s].idx : last.idx + len(last)]


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


def is_party_mention(doc: Doc, hit: Hit) -> bool:
    """False for a party word used as a common noun ("state updates", "current state").

    Lexicon entries with an `only_after` guard count in lower case only right after one of its
    words ("the state will pay"); capitalised ("State", "STATE") they always count.
    """
    only_after = hit.pattern.guard("only_after")
    if not only_after or not doc[hit.start].is_lower:
        return True
    return hit.start > 0 and doc[hit.start - 1].lower_ in only_after


# ---------------------------------------------------------------------------------------------
# Patterns to matchers
# ---------------------------------------------------------------------------------------------


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

    gate_roles: frozenset[str] = frozenset()
    """Phrase roles that make a sentence worth running the token Matcher on (empty: all)."""

    findings_only: bool = False
    """Whether the component ignores sentences without a finding pattern's match: their cue
    matches are then never grouped (most cue matches, party names above all, are there)."""

    guards: tuple[str, ...] = ()
    """The guards (`analyzer.nlp.rules.guards`) run on every finding match, in this order."""

    guard_options: frozenset[str] = frozenset({"party_window"})
    """Guard keys that set no guard of their own: a guard's parameter or a span reshaping."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.tokenizer: Any = nlp.tokenizer
        """The pipeline's tokenizer: phrases are tokenized as the documents will be."""
        self.initialize(nlp=nlp)

    def _selected(self) -> Iterable[Pattern]:
        for name in self.pattern_files:
            yield from load_patterns(name)
        for pattern in load_patterns("lexicon"):
            if pattern.role in self.lexicon_roles:
                yield pattern

    def initialize(
        self,
        get_examples: Any = None,
        *,
        nlp: Language | None = None,
        patterns: Iterable[Pattern] | None = None,
    ) -> None:
        """(Re)build the matchers from `patterns` (by default the package's pattern files)."""
        tokenizer: Any = nlp.tokenizer if nlp is not None else self.tokenizer
        self.phrase_matcher = PhraseMatcher(self.vocab, attr="LOWER")
        self.matcher = Matcher(self.vocab)
        self.gate = MatcherGate(self.vocab)
        self.loaded: list[Pattern] = list(self._selected() if patterns is None else patterns)
        """The patterns in the order they were added (what `to_disk` saves)."""
        self.patterns: dict[str, Pattern] = {}
        self._by_key: dict[int, Pattern] = {}
        for pattern in self.loaded:
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
        self._check_guards()
        self.configure()

    def _check_guards(self) -> None:
        """Refuse a finding pattern whose guard keys this component would silently ignore."""
        known = set(self.guards) | self.guard_options
        for pattern in self.loaded:
            unknown = sorted(set(pattern.guards) - known) if pattern.category else []
            if unknown:
                raise ValueError(f"{pattern.id}: {self.name} runs no guard {unknown}")

    def configure(self) -> None:
        """Derive what the component needs from `self.patterns` (after every (re)build)."""

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

    # Serialisation, as spaCy's SpanRuler does it: the patterns, one JSON object a line.

    def _data(self) -> list[dict[str, Any]]:
        return [pattern.to_dict() for pattern in self.loaded]

    def _rebuild(self, data: Iterable[dict[str, Any]]) -> None:
        where = f"{self.name} patterns"
        self.initialize(patterns=[parse_pattern(item, where) for item in data])

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """The patterns, serialised."""
        serializers = {"patterns": lambda: srsly.json_dumps(self._data())}
        return util.to_bytes(serializers, exclude)

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = ()) -> RuleComponent:
        """Rebuild the matchers from patterns serialised by `to_bytes`."""
        deserializers = {"patterns": lambda b: self._rebuild(srsly.json_loads(b))}
        util.from_bytes(bytes_data, deserializers, exclude)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the patterns to `<path>/patterns` (JSONL)."""
        serializers = {"patterns": lambda p: srsly.write_jsonl(p, self._data())}
        util.to_disk(path, serializers, exclude)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> RuleComponent:
        """Rebuild the matchers from the patterns `to_disk` saved in `path`."""
        deserializers = {"patterns": lambda p: self._rebuild(srsly.read_jsonl(p))}
        util.from_disk(path, deserializers, exclude)
        return self
