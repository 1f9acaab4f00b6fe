"""Anchor gating for the spaCy token `Matcher`: run it only on the token windows where a
match can lie, with exactly the output of one run over the whole range.

Why: `Matcher.__call__` costs (tokens x patterns) even where nothing can match. It pushes one
state per pattern for every token and builds two `Token` objects per token. It was a third of
the analysis time. Most tokens of a contract are nowhere near a rule's words.

How: every token pattern has at least one *mandatory* token spec (no `OP`, or `+` / `{n,m}`
with n >= 1; not `!`). So each match contains a token that satisfies that spec's lexical tests
(`LOWER`/`ORTH`/`TEXT` equal to or `IN` a set, `REGEX`, `LIKE_NUM`). That token is the
pattern's *anchor*. A match lies within `back` tokens before and `fwd` tokens from its anchor,
where `back` and `fwd` are the pattern's maximal lengths on each side (unbounded for `*`/`+`).
The windows around anchor tokens are merged, and the Matcher runs on each merged window as
a `Span`.

Why the output is identical, including the order of matches (downstream code keeps the first
of equal candidates, so order matters):
- every match lies inside one merged window, and a match inside a window is a match of the
  whole range (token attributes, `IS_SENT_START` included, belong to the doc's tokens);
- `find_matches` keeps its partial-match states in a stably compacted vector, with new
  states appended. So restricting it to the states that start inside a window keeps their
  relative order. Matches are emitted in token order, so window-by-window concatenation is
  the whole-range order;
- a match that ends at a window's last token is emitted by `finish_states` at the window's
  end. In the whole-range run it is emitted while the next token is processed, before any
  state started at that token. Both are after every earlier emission of its window.
Lexical tests ignored by the gate (`NOT_IN`, `IS_TITLE`, `IS_SENT_START` …) can only widen the
windows, never drop a match. A pattern without a testable mandatory token turns gating off for
its matcher (one run over the whole range, as before).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from spacy.attrs import ORTH
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

INF = 1 << 40
"""Extent of `*` / `+` / `{n,}` tokens: the window reaches the end of the range."""

MERGE_GAP = 3
"""Windows closer than this many tokens run as one Matcher call (fewer calls, same output)."""

# Occurrences per 1000 tokens of the pattern words that are frequent, measured on a sample of
# CUAD contracts and solicitations (ScopeLens' target documents). They pick the rarest
# mandatory token of a pattern as its anchor; the choice only changes speed, never output
# (any mandatory token is a correct anchor).
_PER_MILLE: dict[str, float] = {
    "the": 51.1, "of": 29.6, "to": 25.8, "and": 25.7, "or": 19.9, "in": 15.4, "any": 11.6,
    "a": 10.4, "shall": 9.6, "-": 8.8, "be": 8.1, "by": 7.9, "agreement": 7.4, "such": 7.0,
    "as": 6.5, "party": 6.3, "other": 4.8, "[": 4.5, "all": 4.3, ":": 4.2, "not": 4.2,
    "]": 3.8, "its": 3.8, "will": 3.7, "on": 3.5, "product": 3.0, "company": 2.7,
    "section": 2.7, "may": 2.6, "from": 2.5, "under": 2.5, "at": 2.4, "_": 2.4, "each": 2.3,
    "have": 2.2, "an": 2.1, "/": 1.9, "applicable": 1.7, "services": 1.7, "time": 1.7,
    "date": 1.7, "rights": 1.6, "provided": 1.6, "customer": 1.5, "set": 1.4, "right": 1.4,
    "no": 1.3, "third": 1.2, "within": 1.2, "written": 1.2, "without": 1.2, "provide": 1.1,
    "subject": 1.1, "business": 1.0, "than": 1.0, "materials": 1.0, "period": 1.0,
    "required": 1.0, "contractor": 1.0, "order": 0.9, "licensed": 0.9, "obligations": 0.9,
    "days": 0.9, "after": 0.9, "license": 0.9, "material": 0.8, "service": 0.8,
    "contract": 0.8, "following": 0.8, "made": 0.8, "their": 0.8, "performance": 0.8,
    "effective": 0.8, "costs": 0.7, "payment": 0.7, "state": 0.7, "agrees": 0.7, "data": 0.6,
    "work": 0.6, "related": 0.6, "person": 0.6, "limited": 0.6, "make": 0.6, "include": 0.6,
    "only": 0.6, "first": 0.6, "price": 0.6, "requirements": 0.5, "support": 0.5, "plan": 0.5,
    "project": 0.5, "deemed": 0.5, "more": 0.5, "lead": 0.5, "agree": 0.5, "available": 0.5,
    "then": 0.5, "=": 0.5,
}  # fmt: skip
_RARE_PER_MILLE = 0.05  # any other word of a set (most are far rarer than 0.5)
_NUMBER_PER_MILLE = 25.0  # LIKE_NUM tokens
_UNBOUNDED_WIDTH = 100  # tokens: a window to the end of a block (a paragraph) for `*` / `+`
_REGEX_PER_MILLE = 1.0  # the REGEX specs are token shapes ("^_{3,}$", "^[$€£]\\d")

Anchors = tuple[list[int], list[int]]
"""A doc's anchor tokens: (positions ascending, the code of each; see `MatcherGate`)."""

Window = tuple[int, int, frozenset[int]]
"""A merged token window [low, high) and the indices of the patterns anchored inside it."""

_SUBMATCHER_CACHE = 4096  # sub-matchers kept per gate (~20 KB each); then the full matcher
_BUILD_AFTER = 2  # build a sub-matcher on the second window with its pattern set, not the first:
# building one costs about as much as running the full matcher over a 60-token window, and
# most pattern sets of a contract occur once.

Test = tuple[str, str, Any]
"""One lexical test of a token spec: (attribute, "in" | "regex" | "is", value)."""


def _counts(spec: dict[str, Any]) -> tuple[int, int]:
    """(minimum, maximum) number of tokens a spec consumes (maximum INF when unbounded)."""
    op = spec.get("OP")
    if op is None or op == "!" or op == "1":
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, INF
    if op == "+":
        return 1, INF
    if isinstance(op, str) and op.startswith("{") and op.endswith("}"):
        body = op[1:-1]
        low, _, high = body.partition(",") if "," in body else (body, ",", body)
        return int(low or 0), (int(high) if high else INF)
    return 0, INF  # unknown operator: assume the widest (never narrows a window wrongly)


def _tests(spec: dict[str, Any]) -> tuple[Test, ...]:
    """The lexical tests of a spec that the gate can evaluate exactly on a lexeme."""
    tests: list[Test] = []
    for raw_key, value in spec.items():
        key = str(raw_key).upper()
        attr = "ORTH" if key == "TEXT" else key
        if attr in ("LOWER", "ORTH"):
            if isinstance(value, str):
                tests.append((attr, "in", frozenset((value,))))
            elif isinstance(value, dict) and len(value) == 1:
                ((predicate, argument),) = value.items()
                if predicate == "IN" and all(isinstance(v, str) for v in argument):
                    tests.append((attr, "in", frozenset(argument)))
                elif predicate == "REGEX" and isinstance(argument, str):
                    tests.append((attr, "regex", re.compile(argument)))
        elif attr == "LIKE_NUM" and isinstance(value, bool):
            tests.append((attr, "is", value))
    return tuple(tests)


def _score(tests: tuple[Test, ...]) -> float:
    """Estimated tokens per 1000 that pass `tests` (lower is a rarer, better anchor)."""
    estimates = []
    for _, kind, value in tests:
        if kind == "in":
            estimates.append(sum(_PER_MILLE.get(w.lower(), _RARE_PER_MILLE) for w in value))
        elif kind == "regex":
            estimates.append(_REGEX_PER_MILLE)
        else:
            estimates.append(_NUMBER_PER_MILLE)
    return min(estimates)  # a token passes all tests: at most the rarest one's rate


def pattern_anchor(pattern: Sequence[dict[str, Any]]) -> tuple[tuple[Test, ...], int, int] | None:
    """(tests, back, fwd) of the best anchor of a token pattern, or None when it has none.

    `back` is the most tokens a match can have before the anchor token, `fwd` the most from
    the anchor token (included) to the end of the match.
    """
    counts = [_counts(spec) for spec in pattern]
    best: tuple[float, tuple[Test, ...], int, int] | None = None
    for index, spec in enumerate(pattern):
        if counts[index][0] < 1 or spec.get("OP") == "!":
            continue
        tests = _tests(spec)
        if not tests:
            continue
        high = counts[index][1]
        back = min(INF, sum(c[1] for c in counts[:index]) + high - 1)
        fwd = min(INF, high + sum(c[1] for c in counts[index + 1 :]))
        # Matcher work ~ anchors found x window width (an unbounded side: a block's length).
        cost = _score(tests) * (min(back, _UNBOUNDED_WIDTH) + min(fwd, _UNBOUNDED_WIDTH))
        if best is None or cost < best[0]:
            best = (cost, tests, back, fwd)
    return best[1:] if best is not None else None


class MatcherGate:
    """The anchors of one `Matcher`'s patterns and the windows they open in a doc.

    When every pattern was registered with its key (`add(patterns, key=...)`), each window runs
    a *sub-matcher* holding only the patterns anchored by a token inside the window, in the
    matcher's order. spaCy pushes a state per pattern per token, so this cuts the work by the
    ratio of patterns; the matches are the same (see the module docstring).
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self.ungated = False
        self.keyed = False
        """Whether sub-matchers can be built (every pattern was added with its key)."""
        self._anchors: dict[tuple[Test, ...], tuple[int, int]] = {}
        # The patterns in matcher order, (key or None, pattern), and which of them each anchor
        # stands for.
        self._patterns: list[tuple[str | None, Sequence[dict[str, Any]]]] = []
        self._anchor_patterns: dict[tuple[Test, ...], set[int]] = {}
        # orth id -> code of what the lexeme anchors; code 0 is "anchors nothing".
        # `_backs[code]`, `_fwds[code]`: the extent; `_members[code]`: the pattern indices.
        self._code_by_orth: dict[int, int] = {}
        self._code_of: dict[tuple[int, int, frozenset[int]], int] = {(-1, -1, frozenset()): 0}
        self._backs: list[int] = [-1]
        self._fwds: list[int] = [-1]
        self._members: list[frozenset[int]] = [frozenset()]
        # (attr, word) -> anchors with a set test on it; anchors without a set test. A new
        # lexeme then tests a handful of anchors, not all of them (built on first use).
        self._index: dict[tuple[str, str], list[tuple[Test, ...]]] | None = None
        self._unindexed: list[tuple[Test, ...]] = []
        self._submatchers: dict[frozenset[int], Matcher] = {}
        self._sightings: dict[frozenset[int], int] = {}

    def add(self, patterns: Sequence[Sequence[dict[str, Any]]], key: str | None = None) -> None:
        """Register token patterns, in the order (and under the key) they go into the matcher."""
        self._code_by_orth.clear()
        self._submatchers.clear()
        self._sightings.clear()
        self._index = None
        self.keyed = key is not None and (self.keyed or not self._patterns)
        for pattern in patterns:
            index = len(self._patterns)
            self._patterns.append((key, pattern))
            anchor = pattern_anchor(pattern)
            if anchor is None:
                self.ungated = True
                continue
            tests, back, fwd = anchor
            old_back, old_fwd = self._anchors.get(tests, (0, 0))
            self._anchors[tests] = (max(old_back, back), max(old_fwd, fwd))
            self._anchor_patterns.setdefault(tests, set()).add(index)

    def _build_index(self) -> dict[tuple[str, str], list[tuple[Test, ...]]]:
        index: dict[tuple[str, str], list[tuple[Test, ...]]] = {}
        self._unindexed = []
        for tests in self._anchors:
            first = next(((attr, value) for attr, kind, value in tests if kind == "in"), None)
            if first is None:
                self._unindexed.append(tests)
                continue
            attr, words = first
            for word in words:
                index.setdefault((attr, word), []).append(tests)
        self._index = index
        return index

    def _lexeme_code(self, orth: int) -> int:
        lexeme = self.vocab[orth]
        strings = {"LOWER": lexeme.lower_, "ORTH": lexeme.orth_}
        index = self._index if self._index is not None else self._build_index()
        candidates = [
            *index.get(("LOWER", strings["LOWER"]), ()),
            *index.get(("ORTH", strings["ORTH"]), ()),
            *self._unindexed,
        ]
        back = fwd = -1
        members: set[int] = set()
        for tests in candidates:
            anchor_back, anchor_fwd = self._anchors[tests]
            for attr, kind, value in tests:
                if kind == "in":
                    ok = strings[attr] in value
                elif kind == "regex":
                    ok = value.search(strings[attr]) is not None  # as spaCy's REGEX predicate
                else:
                    ok = bool(lexeme.like_num) is value
                if not ok:
                    break
            else:
                back, fwd = max(back, anchor_back), max(fwd, anchor_fwd)
                members |= self._anchor_patterns[tests]
        signature = (back, fwd, frozenset(members))
        code = self._code_of.get(signature)
        if code is None:
            code = self._code_of[signature] = len(self._backs)
            self._backs.append(back)
            self._fwds.append(fwd)
            self._members.append(signature[2])
        self._code_by_orth[orth] = code
        return code

    def extents(self, doc: Doc) -> Anchors:
        """The doc's anchor tokens: positions (ascending), and each one's code."""
        table = self._code_by_orth
        positions: list[int] = []
        codes: list[int] = []
        # Plain lists: a block has tens of tokens and a handful of anchors, where numpy's
        # per-call overhead cost more than the work.
        for i, orth in enumerate(doc.to_array(ORTH).tolist()):
            code = table.get(orth)
            if code is None:  # a lexeme not seen before: evaluate it once
                code = self._lexeme_code(orth)
            if code:
                positions.append(i)
                codes.append(code)
        return positions, codes

    def windows(self, anchors: Anchors, start: int, end: int) -> list[Window]:
        """Merged token windows in [start, end) that hold every possible match, in order,
        each with the patterns anchored inside it."""
        positions, codes = anchors
        first, last = bisect_left(positions, start), bisect_left(positions, end)
        if first == last:
            return []
        backs, fwds = self._backs, self._fwds
        spans = sorted(
            (
                max(positions[i] - backs[codes[i]], start),
                min(positions[i] + fwds[codes[i]], end),
                codes[i],
            )
            for i in range(first, last)
        )
        merged: list[tuple[int, int, set[int]]] = []
        for low, high, code in spans:
            if merged and low <= merged[-1][1] + MERGE_GAP:
                current_low, current_high, current_codes = merged[-1]
                current_codes.add(code)
                merged[-1] = (current_low, max(current_high, high), current_codes)
            else:
                merged.append((low, high, {code}))
        members = self._members
        return [
            (low, high, frozenset().union(*(members[c] for c in window_codes)))
            for low, high, window_codes in merged
        ]

    def _runner(self, members: frozenset[int], full: Matcher) -> Matcher:
        """The matcher to run on a window anchoring `members`: a cached sub-matcher, a new
        one when the set is seen again, else the full matcher (same matches either way)."""
        matcher = self._submatchers.get(members)
        if matcher is not None:
            return matcher
        seen = self._sightings.get(members, 0) + 1
        if seen < _BUILD_AFTER or len(self._submatchers) >= _SUBMATCHER_CACHE:
            if len(self._sightings) >= 16 * _SUBMATCHER_CACHE:
                self._sightings.clear()
            self._sightings[members] = seen
            return full
        self._sightings.pop(members, None)
        return self.submatcher(members)

    def submatcher(self, members: frozenset[int]) -> Matcher:
        """A Matcher with only the patterns `members`, keyed and ordered as the full one."""
        matcher = self._submatchers.get(members)
        if matcher is None:
            matcher = Matcher(self.vocab, validate=False)  # the full matcher validated them
            by_key: dict[str, list[list[dict[str, Any]]]] = {}
            for index in sorted(members):
                key, pattern = self._patterns[index]
                by_key.setdefault(str(key), []).append(list(pattern))
            for key, patterns in by_key.items():
                matcher.add(key, patterns)
            self._submatchers[members] = matcher
        return matcher

    def matches(
        self,
        matcher: Matcher,
        doc: Doc,
        start: int,
        end: int,
        extents: Anchors | None = None,
    ) -> list[tuple[int, int, int]]:
        """`matcher` over `doc[start:end]`, in doc offsets, run on the anchor windows only.

        Same list (and order) as `[(k, start + s, start + e) for k, s, e in
        matcher(doc[start:end])]`; see the module docstring.
        """
        if self.ungated or len(matcher) == 0:
            # the plain call (and spaCy's warning for no patterns)
            windows: list[Window] = [(start, end, frozenset())]
            keyed = False
        else:
            windows = self.windows(
                extents if extents is not None else self.extents(doc), start, end
            )
            keyed = self.keyed
        found: list[tuple[int, int, int]] = []
        for low, high, members in windows:
            run = self._runner(members, matcher) if keyed else matcher
            if low == 0 and high == len(doc):
                found.extend(run(doc))
            else:
                found.extend((key, low + s, low + e) for key, s, e in run(doc[low:high]))
        return found
