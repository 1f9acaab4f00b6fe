"""Guards: the named predicates a finding pattern's guard keys switch on (rules are data).

A pattern sets a guard by its key and a value (`"not_followed_by": ["faith", "standing"]`);
each key is one function here, registered in `GUARDS`, that says whether the match is *kept*.
A component runs the guards it lists (`AmbiguityDetector.guards`, `ScopeStatementDetector
.guards`), in that order; a guard with a default (`legal_boilerplate_ok`, `background_ok`)
runs on every pattern of the component, with the default when the pattern does not set it.
Words are lower case and compared with `Token.lower_`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.tokens import Doc, Span

from analyzer.nlp.patterns import word_list
from analyzer.nlp.rules.base import Hit, SentenceHits, opens_with, sentence_text
from analyzer.nlp.rules.bound import party_before
from analyzer.textshape import is_label, is_table_header

PIN_WINDOW = 8
"""Tokens either side of a vague phrase in which a quantity or reference pins it down."""
PARTY_WINDOW = 14
"""Tokens before a match in which `requires_party` looks for the closest party (by default)."""
_LIST_WORDS = word_list("list_words")
_WORK_MODALS = word_list("work_modals")
_BACKGROUND_SOFT_TYPES = word_list("background_soft_types")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A finding match with what its guards look at."""

    doc: Doc
    sent: SentenceHits
    hit: Hit
    section_kind: str | None = None

    @property
    def before(self) -> str:
        """The lower-case token right before the match ("" at the sentence start)."""
        hit = self.hit
        return self.doc[hit.start - 1].lower_ if hit.start > self.sent.start else ""

    @property
    def after(self) -> str:
        """The lower-case token right after the match ("" at the sentence end)."""
        hit = self.hit
        return self.doc[hit.end].lower_ if hit.end < self.sent.end else ""

    def window_before(self, size: int) -> Span:
        """The up to `size` tokens of the sentence before the match."""
        return self.doc[max(self.sent.start, self.hit.start - size) : self.hit.start]


Check = Callable[[Candidate, Any], bool]


@dataclass(frozen=True, slots=True)
class Guard:
    """A registered guard: its key, its predicate (True keeps the match) and its default."""

    name: str
    keeps: Check
    default: Any = None
    """The value used when a pattern does not set the key (None: the guard does not run)."""


GUARDS: dict[str, Guard] = {}
"""Every guard by its key."""


def guard(name: str, default: Any = None) -> Callable[[Check], Check]:
    """Register the decorated predicate as the guard `name`."""

    def register(check: Check) -> Check:
        GUARDS[name] = Guard(name, check, default)
        return check

    return register


def passes(candidate: Candidate, names: Iterable[str]) -> bool:
    """True when every guard of `names` that applies to the candidate's pattern keeps it."""
    pattern = candidate.hit.pattern
    for name in names:
        entry = GUARDS[name]
        value = pattern.guard(name, entry.default)
        if value is not None and not entry.keeps(candidate, value):
            return False
    return True


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


def _as_set(value: str | Iterable[str]) -> frozenset[str]:
    """A guard value given as one word or a list of words, as a set."""
    return frozenset((value,)) if isinstance(value, str) else frozenset(value)


# ---------------------------------------------------------------------------------------------
# The words around the match
# ---------------------------------------------------------------------------------------------


@guard("not_followed_by")
def not_followed_by(c: Candidate, words: list[str]) -> bool:
    """Drop the match when the next token is one of `words` ("reasonable efforts")."""
    return c.after not in words


@guard("not_preceded_by")
def not_preceded_by(c: Candidate, words: list[str]) -> bool:
    """Drop the match when the previous token is one of `words` ("" is the sentence start)."""
    return c.before not in words


@guard("only_after")
def only_after(c: Candidate, words: list[str]) -> bool:
    """Keep the match only right after one of `words` ("the necessary documents" is vague;
    "steps necessary to" is not). On a lexicon party entry, see `base.is_party_mention`."""
    return not words or c.before in words


@guard("not_followed_later_by")
def not_followed_later_by(c: Candidate, words: list[str]) -> bool:
    """Drop the match when one of `words` follows anywhere later in the sentence: "items such
    as tapes, toners, etc." has its open end in the "etc."."""
    return not any(t.lower_ in words for t in c.doc[c.hit.end : c.sent.end])


@guard("not_after_within")
def not_after_within(c: Candidate, value: dict[str, Any]) -> bool:
    """Drop the match when one of `value["words"]` is among the `value["window"]` tokens before
    it: "at no extra cost", "BASE PERIOD: 6 months" (a contract term, no planned duration)."""
    words = value["words"]
    return not any(t.lower_ in words for t in c.window_before(value["window"]))


@guard("not_after_negated")
def not_after_negated(c: Candidate, value: dict[str, Any]) -> bool:
    """Drop the match when, among the `value["window"]` tokens before it, one of
    `value["negations"]` comes right before one of `value["verbs"]`: "would not result in
    additional costs" promises no extra cost; "items not listed incur additional charges"
    still charges them."""
    negations, verbs, doc, start = value["negations"], value["verbs"], c.doc, c.hit.start
    return not any(
        t.lower_ in negations and t.i + 1 < start and doc[t.i + 1].lower_ in verbs
        for t in c.window_before(value["window"])
    )


@guard("unless_followed_by_number")
def unless_followed_by_number(c: Candidate, on: bool) -> bool:
    """Drop the match when a number follows within four tokens."""
    hit = c.hit
    return not (on and any(t.like_num for t in c.doc[hit.end : min(hit.end + 4, c.sent.end)]))


@guard("requires_list_after")
def requires_list_after(c: Candidate, on: bool) -> bool:
    """Keep only when a list (comma, "and", "or" …, words.jsonl `list_words`) follows within
    12 tokens."""
    hit = c.hit
    after = c.doc[hit.end : min(hit.end + 12, c.sent.end)]
    return not on or any(t.lower_ in _LIST_WORDS for t in after)


# ---------------------------------------------------------------------------------------------
# The sentence and its cues
# ---------------------------------------------------------------------------------------------


@guard("unless_quantified")
def unless_quantified(c: Candidate, on: bool) -> bool:
    """Drop the match when a quantity, a bound ("not to exceed", "no later than") or a reference
    ("as set forth in Section 4") pins it down: a lexicon `pin` cue within `PIN_WINDOW` tokens
    ("within a reasonable time, not to exceed 10 days"). A figure elsewhere in a long sentence
    (a payment term, a section number about something else) says nothing about it."""
    if not on:
        return True
    low, high = c.hit.start - PIN_WINDOW, c.hit.end + PIN_WINDOW
    return not any(low <= p.start and p.start < high for p in c.sent.cues.get("pin", ()))


@guard("legal_boilerplate_ok", default=False)
def legal_boilerplate_ok(c: Candidate, ok: bool) -> bool:
    """Unless set, drop the match in legal boilerplate sentences (liability, indemnity,
    governing law …) that do not bear on the work."""
    return ok or not c.sent.has("boilerplate")


@guard("background_ok", default=False)
def background_ok(c: Candidate, ok: bool) -> bool:
    """Unless set, drop a vague_term / subjective / open_ended / escape_clause match (words.jsonl
    `background_soft_types`) in a background section when the sentence binds nobody (no will,
    shall, must, plan, pledge, require: `work_modals`): "useful for various applications" in a
    project description does not bear on the work. Placeholders and unbounded phrases stay."""
    doc, sent = c.doc, c.sent
    return not (
        c.section_kind == "background"
        and c.hit.pattern.type in _BACKGROUND_SOFT_TYPES
        and not ok
        and not any(t.lower_ in _WORK_MODALS for t in doc[sent.start : sent.end])
    )


@guard("not_in_definition")
def not_in_definition(c: Candidate, on: bool) -> bool:
    """Drop the match inside a definition ("X means …", a lexicon `definition` cue)."""
    return not (on and c.sent.has("definition"))


@guard("not_in_sections")
def not_in_sections(c: Candidate, kinds: list[str]) -> bool:
    """Drop the match in sections of these kinds (see sections.jsonl)."""
    return not (c.section_kind and c.section_kind in kinds)


@guard("blocked_by")
def blocked_by(c: Candidate, roles: list[str]) -> bool:
    """Drop the match when a cue of one of these lexicon roles is in the sentence."""
    return not any(c.sent.has(role) for role in roles)


@guard("blocked_by_overlap")
def blocked_by_overlap(c: Candidate, roles: list[str]) -> bool:
    """Drop the match when a cue of one of these roles overlaps it ("20 years" inside "20 years
    of experience")."""
    hit = c.hit
    return not any(
        cue.start < hit.end and hit.start < cue.end
        for role in roles
        for cue in c.sent.cues.get(role, ())
    )


@guard("blocked_by_opening")
def blocked_by_opening(c: Candidate, roles: list[str]) -> bool:
    """Drop the match when a cue of one of these roles opens the sentence, after any list
    marker or quote ("We recommend that the scope … fit within a 3 month period": the
    reader's instruction, no estimate)."""
    return not (roles and opens_with(c.doc, c.sent, roles))


@guard("requires_cue")
def requires_cue(c: Candidate, role: str) -> bool:
    """Keep only when a cue of this role is in the sentence ("… is granted." needs "access to")."""
    return not role or c.sent.has(role)


@guard("not_in_label")
def not_in_label(c: Candidate, on: bool) -> bool:
    """Drop the match in a label line ("**Assumptions/Pre-Requirements**", "5.0 Program
    Assumptions and Constraints"): a label, not a statement."""
    return not (on and is_label(sentence_text(c.doc, c.sent)))


@guard("not_in_table_header")
def not_in_table_header(c: Candidate, on: bool) -> bool:
    """Drop the match in a table header row ("LABOR CATEGORY | GSA HOURLY RATE | CEILING
    PRICE"): column names."""
    return not (on and is_table_header(sentence_text(c.doc, c.sent)))


@guard("requires_figure")
def requires_figure(c: Candidate, on: bool) -> bool:
    """Keep only when the sentence holds a figure ("total cost of ownership", "Total Budget
    Requested" estimate nothing)."""
    doc, sent = c.doc, c.sent
    return not on or any(
        t.like_num or any(ch.isdigit() for ch in t.text) for t in doc[sent.start : sent.end]
    )


@guard("sentence_requires_when")
def sentence_requires_when(c: Candidate, value: dict[str, str]) -> bool:
    """When the matched text matches `value["match"]`, keep it only if the sentence matches
    `value["sentence"]` (case-insensitive regexes): a change order is an exclusion only when
    it prices changes to the scope, not in "Provider or Customer may amend any SOW by entering
    a Change Order"."""
    if not _regex(value["match"]).match(c.doc[c.hit.start : c.hit.end].text):
        return True
    return _regex(value["sentence"]).search(sentence_text(c.doc, c.sent) or "") is not None


# ---------------------------------------------------------------------------------------------
# Who is bound
# ---------------------------------------------------------------------------------------------


@guard("requires_party")
def requires_party(c: Candidate, parties: str | list[str]) -> bool:
    """Keep only when the party right before the match is this one ("vendor") or one of these
    (["client", "user", "named"]: "The Customer is expected to provide …", not "The
    configuration is expected to provide …"). Without a subject right before it, the closest
    party within `party_window` tokens (default `PARTY_WINDOW`) counts."""
    if not parties:
        return True
    window = c.hit.pattern.guard("party_window", PARTY_WINDOW)
    return party_before(c.sent, c.hit.start, window=window, doc=c.doc) in _as_set(parties)


@guard("not_relieving")
def not_relieving(c: Candidate, value: dict[str, str]) -> bool:
    """Drop the match when its words match `value["pattern"]` and `value["party"]` is bound right
    before it: "Customer is not responsible for Provider's income taxes" relieves the client,
    it takes nothing out of the vendor's scope."""
    hit = c.hit
    if not _regex(value["pattern"]).search(c.doc[hit.start : hit.end].text):
        return True
    return party_before(c.sent, hit.start, doc=c.doc) != value["party"]
