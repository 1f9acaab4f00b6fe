"""Pull the terms of a promise out of one sentence: by when, what measure, which price terms.

The handover pack's commitment ledger shows, next to every vendor promise, the dates and
durations it is bound to ("within 6 weeks of kick-off", "by 15 March 2027", "Week 5"), the
measures that make it checkable ("99.9%", "within 1 hour", "up to 40 request forms",
"120 person-days") and its price terms ("USD 96,000", "fixed price", "at no additional cost").

Every pattern is a module constant with a comment saying what it is for; matching is
case-insensitive. Where matches of different kinds overlap, the more specific kind wins
(price over measure over when), and within a kind the longer match wins, so
"respond within 1 hour" is a measure and not also a deadline.

    >>> extract_terms("Go-live within 6 weeks of kick-off at a fixed price of USD 96,000.")
    Terms(when=('within 6 weeks of kick-off',), measure=(), price=('fixed price', 'USD 96,000'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

TermKind = Literal["when", "measure", "price"]

# --- building blocks (not patterns on their own) ---------------------------------------------

# A count written in digits ("6", "1,000", "2.5") or as a small number word.
_NUM = (
    r"(?:\d+(?:[.,]\d+)*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|sixty|ninety)"
)
# Calendar units a deadline or duration is counted in (hours and minutes are measures).
_TIME_UNIT = r"(?:(?:working|business|calendar)\s+)?(?:days?|weeks?|months?|years?|quarters?)"
# Units of a response or resolution time.
_SHORT_UNIT = r"(?:minutes?|mins?|hours?|hrs?|(?:working|business)\s+hours?)"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)"
)
# Calendar dates: "15 March 2027", "March 15, 2027", "2027-03-15", "15/03/2027", "March 2027",
# "Q3 2027".
_DATE = (
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+\d{{4}}"
    rf"|{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}/\d{1,2}/\d{2,4}"
    rf"|{_MONTH}\s+\d{{4}}"
    r"|Q[1-4]\s+\d{4})"
)
# Words that end an anchor phrase instead of belonging to it ("of kick-off and ...").
_STOP = r"(?:and|or|if|to|with|for|but|at|in|on|by|unless|provided|subject|which|that)\b"
# The event a relative deadline hangs on: "of kick-off", "after contract signature".
_ANCHOR = rf"(?:\s+(?:of|after|from|following|before|prior\s+to)\s+(?:the\s+)?(?!{_STOP})[\w'’-]+(?:\s+(?!{_STOP})[\w'’-]+)?)"  # noqa: E501
_CURRENCY_CODE = r"(?:USD|EUR|GBP|CHF|CAD|AUD|NZD|SEK|NOK|DKK|PLN|INR|JPY)"
_CURRENCY_SIGN = r"[$€£¥]"
_MAGNITUDE = r"(?:\s?(?:k|m|bn|million|thousand|billion)\b)?"

# --- when: deadlines, dates, durations, milestones -------------------------------------------

WHEN_PATTERNS: tuple[str, ...] = (
    # A date with its deadline word: "by 15 March 2027", "no later than 2027-03-15".
    rf"\b(?:by|before|until|on\s+or\s+before|no\s+later\s+than|not\s+later\s+than|due(?:\s+on|\s+by)?)"
    rf"\s+(?:the\s+)?(?:end\s+of\s+)?{_DATE}",
    # A bare calendar date or quarter.
    rf"\b{_DATE}\b",
    # A relative deadline or period: "within 6 weeks of kick-off", "for 30 days after go-live",
    # "over 12 weeks", "in 3 months".
    rf"\b(?:within|in|after|over|for|during)\s+(?:the\s+first\s+)?{_NUM}\s+{_TIME_UNIT}\b{_ANCHOR}?",
    # A duration hanging on an event without a preposition: "6 weeks after kick-off".
    rf"\b{_NUM}\s+{_TIME_UNIT}\s+(?:after|from|following|before|prior\s+to)\s+(?:the\s+)?[\w'’-]+",
    # A hedged duration: "about 2 weeks", "approximately 3 months".
    rf"\b(?:about|approximately|approx\.|around|roughly|circa)\s+{_NUM}\s+{_TIME_UNIT}\b",
    # A project week or sprint: "Week 5", "before week 2", "by the end of sprint 3".
    r"\b(?:(?:by|before|in|from|until|during)\s+)?(?:the\s+)?(?:end\s+of\s+)?"
    r"(?:week|sprint|phase|month)\s+\d+\b",
    # The end of a named period: "by end of Q3", "end of the month".
    r"\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?(?:Q[1-4]|month|quarter|year|project)\b",
)

# --- measure: service levels, response times, quantities, effort -----------------------------

MEASURE_PATTERNS: tuple[str, ...] = (
    # A response or resolution time with its verb: "respond to severity-1 incidents within 1
    # hour", "response within 2 hours".
    rf"\b(?:respon(?:d|ds|se)|resol(?:ve|ves|ution)|restore|fix)\b[^.;:]{{0,60}}?\bwithin\s+{_NUM}\s+{_SHORT_UNIT}",
    # A bare short time limit: "within 4 hours".
    rf"\bwithin\s+{_NUM}\s+{_SHORT_UNIT}",
    # A percentage, with what it measures when said: "99.9% of the time", "95 % uptime".
    r"\b\d+(?:\.\d+)?\s?%(?:\s+(?:uptime|availability|of\s+the\s+time|of\s+\w+))?",
    # Service hours: "24/7", "24x7x365".
    r"\b24\s?[/x×]\s?7(?:\s?[/x×]\s?365)?\b",
    # Effort: "120 person-days", "2 FTE", "40 man-hours".
    rf"\b{_NUM}\s+(?:person|man|staff|consultant)[\s-]?(?:days?|hours?|weeks?|months?)\b",
    rf"\b{_NUM}\s+FTEs?\b",
    # Included hours: "20 hours per month", "40 support hours".
    rf"\b{_NUM}\s+(?:support\s+|consulting\s+|consultancy\s+|training\s+)?hours?\b"
    r"(?:\s+(?:per|a|each)\s+(?:day|week|month|quarter|year))?",
    # A capped or minimum quantity: "up to 40 request forms", "no more than 2 rounds".
    rf"\b(?:up\s+to|at\s+least|at\s+most|a\s+maximum\s+of|maximum\s+of|a\s+minimum\s+of|"
    rf"minimum\s+of|no\s+more\s+than|not\s+more\s+than|not\s+to\s+exceed)\s+{_NUM}"
    r"(?:\s+(?!and\b|or\b)[a-z][\w-]*){0,2}",
    # A counted deliverable: "50 starter articles", "two training sessions".
    rf"\b{_NUM}\s+(?:[a-z][\w-]*\s+)?(?:articles|forms|sessions|workshops|users|integrations|"
    r"interfaces|reports|dashboards|templates|records|environments|sprints|iterations|revisions|"
    r"rounds|licen[cs]es|sites|locations|languages|trainings|days\s+of\s+training)\b",
    # How a level is measured: "measured monthly".
    r"\bmeasured\s+(?:monthly|weekly|quarterly|annually|daily|per\s+\w+)\b",
)

# --- price: amounts and commercial terms -----------------------------------------------------

PRICE_PATTERNS: tuple[str, ...] = (
    # An amount with a currency code or sign before it: "USD 96,000", "€180k", "$1.2 million".
    rf"(?:\b{_CURRENCY_CODE}\s?|{_CURRENCY_SIGN}\s?)\d[\d,.]*\d{_MAGNITUDE}|(?:\b{_CURRENCY_CODE}\s?|{_CURRENCY_SIGN}\s?)\d{_MAGNITUDE}",
    # An amount with the currency after it: "96,000 USD", "5000 euros".
    rf"\b\d[\d,.]*{_MAGNITUDE}\s?(?:{_CURRENCY_CODE}\b|dollars\b|euros?\b|pounds\b)",
    # Pricing models: "fixed price", "fixed fee", "time and materials", "day rate".
    r"\bfixed[\s-](?:price|fee|cost)s?\b",
    r"\btime[\s-]and[\s-]materials?\b",
    r"\b(?:daily|hourly|day|hour|blended)\s+rates?\b",
    r"\bnot[\s-]to[\s-]exceed\b",
    # Work promised for no money: "at no additional cost", "free of charge".
    r"\bat\s+no\s+(?:additional|extra|further)\s+(?:cost|charge|fee)s?\b",
    r"\bno\s+(?:additional|extra|further)\s+(?:cost|charge|fee)s?\b",
    r"\bfree\s+of\s+charge\b",
    r"\bincluded\s+in\s+the\s+(?:price|fee|cost)s?\b",
    # Payment terms: "payable in three instalments".
    rf"\bpayable\s+in\s+{_NUM}\s+instal(?:l)?ments\b",
)

# --- flags: words that make a promise open-ended or absolute ---------------------------------

UNBOUNDED_PATTERNS: tuple[str, ...] = (
    r"\bunlimited\b",  # "unlimited revisions"
    r"\bany\s+and\s+all\b",  # "any and all integrations"
    r"\ball\s+future\b",  # "all future changes"
    r"\bwhatever\s+is\s+(?:required|needed|necessary)\b",
    r"\bwithout\s+(?:any\s+)?limit(?:ation)?s?\b",
    r"\bno\s+limit\b",
)

GUARANTEE_PATTERNS: tuple[str, ...] = (
    r"\bguarantee(?:s|d)?\b",
    r"\bwarrant(?:s|ed|y|ies)?\b",
    r"\bensures?\b",
    r"\b100\s?%",
    r"\bzero\s+(?:defects?|downtime|errors?|bugs?)\b",
    r"\bno\s+(?:downtime|defects?)\b",
    r"\bno\s+data\s+(?:will\s+be\s+)?lost\b",
    r"\berror[\s-]free\b",
)

# Anything that makes a sentence checkable: a digit or a small number word.
MEASURABLE_PATTERN = rf"\d|\b{_NUM}\b"

_FLAGS = re.IGNORECASE


def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, _FLAGS) for p in patterns)


_COMPILED: dict[TermKind, tuple[re.Pattern[str], ...]] = {
    "price": _compile(PRICE_PATTERNS),
    "measure": _compile(MEASURE_PATTERNS),
    "when": _compile(WHEN_PATTERNS),
}
_KIND_ORDER: tuple[TermKind, ...] = ("price", "measure", "when")
_UNBOUNDED_RE = _compile(UNBOUNDED_PATTERNS)
_GUARANTEE_RE = _compile(GUARANTEE_PATTERNS)
_MEASURABLE_RE = re.compile(MEASURABLE_PATTERN, _FLAGS)
_WS_RE = re.compile(r"\s+")
_TRAILING_RE = re.compile(r"[\s,;:.]+$")


@dataclass(frozen=True, slots=True)
class Terms:
    """The terms found in one sentence, each kind in the order they appear.

    Attributes:
        when: Dates, durations and milestones ("within 6 weeks of kick-off", "Week 5").
        measure: Service levels, response times, quantities, effort ("99.9% of the time").
        price: Amounts and pricing terms ("USD 96,000", "fixed price").
    """

    when: tuple[str, ...] = ()
    measure: tuple[str, ...] = ()
    price: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.when or self.measure or self.price)


def _clean(text: str) -> str:
    return _TRAILING_RE.sub("", _WS_RE.sub(" ", text).strip())


def extract_terms(sentence: str | None) -> Terms:
    """Find the when / measure / price terms of a sentence.

    Args:
        sentence: One sentence (or table row) of a document; None gives empty terms.

    Returns:
        The terms, each de-duplicated (case-insensitively) and in sentence order. A piece of
        text belongs to one kind only: price beats measure beats when, and the longer of two
        overlapping matches of the same kind wins.
    """
    if not sentence:
        return Terms()
    taken: list[tuple[int, int]] = []
    found: dict[TermKind, list[tuple[int, str]]] = {kind: [] for kind in _KIND_ORDER}
    for kind in _KIND_ORDER:
        matches = [m for pattern in _COMPILED[kind] for m in pattern.finditer(sentence)]
        # Longest first, then leftmost: a longer match swallows the shorter ones inside it.
        matches.sort(key=lambda m: (-(m.end() - m.start()), m.start()))
        for match in matches:
            start, end = match.span()
            if start == end or any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            found[kind].append((start, _clean(match.group(0))))
    result: dict[TermKind, tuple[str, ...]] = {}
    for kind in _KIND_ORDER:
        seen: set[str] = set()
        ordered: list[str] = []
        for _, text in sorted(found[kind]):
            if text and text.lower() not in seen:
                seen.add(text.lower())
                ordered.append(text)
        result[kind] = tuple(ordered)
    return Terms(when=result["when"], measure=result["measure"], price=result["price"])


def is_measurable(sentence: str | None) -> bool:
    """True when the sentence holds a number, date or percentage someone could check."""
    return bool(sentence) and _MEASURABLE_RE.search(sentence or "") is not None


def unbounded_words(sentence: str | None) -> tuple[str, ...]:
    """The open-ended words of a sentence ("unlimited", "any and all"), in order."""
    return _matches(_UNBOUNDED_RE, sentence)


def guarantee_words(sentence: str | None) -> tuple[str, ...]:
    """The absolute-promise words of a sentence ("guarantees", "zero defects"), in order."""
    return _matches(_GUARANTEE_RE, sentence)


def _matches(patterns: tuple[re.Pattern[str], ...], sentence: str | None) -> tuple[str, ...]:
    if not sentence:
        return ()
    hits = sorted((m.start(), _clean(m.group(0))) for p in patterns for m in p.finditer(sentence))
    seen: set[str] = set()
    out: list[str] = []
    for _, text in hits:
        if text.lower() not in seen:
            seen.add(text.lower())
            out.append(text)
    return tuple(out)
