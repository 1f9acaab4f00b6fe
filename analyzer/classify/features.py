"""Sentence examples and their features: text for TF-IDF, plus signals from the spaCy rule layer.

A `SentenceExample` is one sentence with the rule findings inside it. `feature_frame` turns
examples into the two-column table the model's `ColumnTransformer` reads: `text` (word and
character n-grams) and `features` (a dict of rule hits, who is bound, modal strength,
numbers/dates/money, section type, block kind).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import or_
from typing import TYPE_CHECKING

from analyzer.textshape import LIST_MARKER as _MARKER
from analyzer.textshape import has_cells
from analyzer.types import Finding

if TYPE_CHECKING:
    import pandas as pd

    from analyzer.nlp.detect import Detection


@dataclass(frozen=True, slots=True)
class SentenceExample:
    """One sentence and the rule findings that lie inside it (document offsets)."""

    start: int
    end: int
    text: str
    section: tuple[str, ...]
    """The headings the sentence sits under, outermost first."""
    kind: str
    """The kind of its block (paragraph, list item, table row, heading …)."""
    page: int | None
    findings: tuple[Finding, ...]

    @property
    def heading(self) -> str | None:
        """The innermost section heading the sentence sits under, if any."""
        return self.section[-1] if self.section else None


def sentence_examples(detection: Detection) -> list[SentenceExample]:
    """Group a detection's rule findings by the sentence that holds them."""
    by_start: dict[int, list[Finding]] = defaultdict(list)
    for finding in detection.findings:
        if finding.sentence_start is not None:
            by_start[finding.sentence_start].append(finding)
    found = {start: tuple(items) for start, items in by_start.items()}
    return [
        SentenceExample(s.start, s.end, s.text, s.section, s.kind, s.page, found.get(s.start, ()))
        for s in detection.sentences
    ]


# Who is bound: the first words of the sentence name the party. Kept short on purpose: the
# rule layer does the careful work; these are coarse signals for the model to weigh.
_VENDOR = re.compile(
    r"^\W*(?:[\w.()]+\s+){0,3}?(?:we|our|us|contractor|vendor|supplier|provider|offeror|"
    r"consultant|team|grantee|licensor|developer|company|seller)\b",
    re.I,
)
_CLIENT = re.compile(
    r"^\W*(?:[\w.()]+\s+){0,3}?(?:client|customer|agency|government|state|buyer|purchaser|"
    r"licensee|you|your|department|cor|contracting officer|owner)\b",
    re.I,
)
_MUTUAL = re.compile(
    r"\b(?:each party|the parties|either party|both parties|neither party)\b", re.I
)
_MODALS = {
    "shall": re.compile(r"\bshall\b", re.I),
    "will": re.compile(r"\b(?:will|'ll)\b", re.I),
    "must": re.compile(r"\bmust\b", re.I),
    "may": re.compile(r"\bmay\b", re.I),
    "should": re.compile(r"\bshould\b", re.I),
    "would": re.compile(r"\b(?:would|could|might)\b", re.I),
    "agree": re.compile(r"\b(?:agrees?|undertakes?|commits?) to\b", re.I),
    "responsible": re.compile(r"\bresponsib(?:le|ility)\b", re.I),
    "guarantee": re.compile(r"\b(?:guarantee|warrant|ensure)s?\b", re.I),
    "negation": re.compile(r"\b(?:not|no|never|neither|nor|excluded?|excluding)\b", re.I),
}
_NUMBER = re.compile(r"\d")
_PERCENT = re.compile(r"\d\s*%|\bpercent\b", re.I)
# Money and dates are alternations. `regex.search` finds a match when one of the alternatives
# does, so `rule_features` searches the parts one by one behind their own cheap tests; the
# whole regex is built from the same parts.
_MONEY_SYMBOLS = "$€£¥"  # the first alternative, uncased: a plain `in` test is exact
_MONEY_WORD = r"\b(?:usd|eur|gbp|dot|fil|ksm|dollars?|euros?)\b"
_MONEY_THOUSANDS = r"\b\d[\d,.]*\s*k\b"
_MONEY = re.compile("|".join(("[$€£¥]", _MONEY_WORD, _MONEY_THOUSANDS)), re.I)
_DURATION = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:-\s*)?(?:hours?|hrs?|days?|weeks?|months?|years?|fte|"
    r"person[- ]?(?:days?|months?|hours?)|man[- ]?(?:days?|months?))\b",
    re.I,
)
_DATE_MONTH = r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d"
_DATE_NUMERIC = r"\b\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b"
_DATE_YEAR = r"\b(?:19|20)\d{2}\b"
_DATE_QUARTER = r"\bq[1-4]\b"
_DATE = re.compile("|".join((_DATE_MONTH, _DATE_NUMERIC, _DATE_YEAR, _DATE_QUARTER)), re.I)
_WORD = re.compile(r"[a-z]{3,}")


def _bucket(value: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if value <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


# Cheap necessary conditions for the regexes above, tested before them. Most sentences hold
# none of a regex's words, and a `str in str` test is far cheaper than a `\b…` search over the
# sentence. The features come out the same: a regex runs whenever its condition holds, and
# the condition holds whenever the regex could match:
# - word cues are tested on `text.lower()`. Under re.IGNORECASE an ASCII literal also matches
#   four non-ASCII letters ("İ", "ı", "ſ", "K") that `lower()` does not map to it. A text
#   holding one of them skips every word cue (`_CASE_FOLDS`);
# - `\d` matches any Unicode digit, so "needs a digit" is the `_NUMBER` result itself, never an
#   ASCII test.
_CASE_FOLDS = ("\u0130", "\u0131", "\u017f", "\u212a")
_MUTUAL_CUES = ("part",)  # party, parties
_MODAL_CUES: dict[str, tuple[str, ...]] = {
    "shall": ("shall",),
    "will": ("will", "'ll"),
    "must": ("must",),
    "may": ("may",),
    "should": ("should",),
    "would": ("would", "could", "might"),
    "agree": (  # the regex needs " to" after the verb ("agreement" is in every contract)
        "agree to",
        "agrees to",
        "undertake to",
        "undertakes to",
        "commit to",
        "commits to",
    ),
    "responsible": ("responsib",),
    "guarantee": ("guarantee", "warrant", "ensure"),
    "negation": ("no", "never", "neither", "exclud"),  # "no" covers not, nor
}
_MONEY_WORD_RE = re.compile(_MONEY_WORD, re.I)
_MONEY_WORD_CUES = ("usd", "eur", "gbp", "dot", "fil", "ksm", "dollar")  # "eur" in "euro"
_MONEY_THOUSANDS_RE = re.compile(_MONEY_THOUSANDS, re.I)
_DURATION_CUES = ("hour", "hr", "day", "week", "month", "year", "fte", "person", "man")
_DATE_MONTH_RE = re.compile(_DATE_MONTH, re.I)
_DATE_MONTH_CUES = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_DATE_NUMERIC_RE = re.compile(_DATE_NUMERIC, re.I)
_DATE_YEAR_RE = re.compile(_DATE_YEAR, re.I)
_DATE_QUARTER_RE = re.compile(_DATE_QUARTER, re.I)
_DATE_QUARTER_CUES = ("q1", "q2", "q3", "q4")


# The cue tests are bits of one mask per sentence: bit `_CUE_GROUPS[name]` is set when the
# lower-cased sentence holds one of the group's cues (every bit when there is no `lower`: the
# case folds above, where cues cannot be trusted). The mask is built a word at a time: a cue
# without whitespace lies inside one whitespace-free word of the text exactly when it lies in
# the text, and each word's bits are memoised (`_WordCues`). A cue with whitespace ("agree
# to") is looked for in the text itself, only when its longest whitespace-free part was in a
# word.
_CUES: dict[str, tuple[str, ...]] = {
    "mutual": _MUTUAL_CUES,
    **{f"modal:{name}": cues for name, cues in _MODAL_CUES.items()},
    "percent": ("percent",),
    "money_word": _MONEY_WORD_CUES,
    "thousands": ("k",),
    "duration": _DURATION_CUES,
    "date_month": _DATE_MONTH_CUES,
    "date_quarter": _DATE_QUARTER_CUES,
}
_CUE_GROUPS = {name: 1 << i for i, name in enumerate(_CUES)}


def _word_cue_bits() -> tuple[dict[str, int], tuple[tuple[int, int, str], ...]]:
    """(whitespace-free cue -> the bits it sets, (gate bit, group bit, cue) of spaced cues).

    A cue with whitespace sets a gate bit of its own through its longest part.
    """
    bits: dict[str, int] = {}
    spaced: list[tuple[int, int, str]] = []
    for name, cues in _CUES.items():
        for cue in cues:
            parts = cue.split()
            if parts == [cue]:
                bits[cue] = bits.get(cue, 0) | _CUE_GROUPS[name]
            else:
                gate = 1 << (len(_CUE_GROUPS) + len(spaced))
                longest = max(parts, key=len)
                bits[longest] = bits.get(longest, 0) | gate
                spaced.append((gate, _CUE_GROUPS[name], cue))
    return bits, tuple(spaced)


_WORD_CUE_BITS, _SPACED_CUES = _word_cue_bits()
_SPACED_GATES = sum(gate for gate, _, _ in _SPACED_CUES)
# Most words hold no cue: one search for any of them settles those.
_ANY_WORD_CUE = re.compile("|".join(map(re.escape, _WORD_CUE_BITS)))


class _WordCues(dict[str, int]):
    """Lower-cased word -> OR of the `_WORD_CUE_BITS` of the cues inside it, on first sight.

    Sentences share most of their words, so a dict look-up per word replaces some fifty
    substring tests per sentence. Cleared when full, and words longer than `longest` (base64
    data, minified code) are answered without being kept: its memory stays bounded.
    """

    limit = 200_000
    longest = 64

    def __missing__(self, word: str) -> int:
        mask = 0
        if _ANY_WORD_CUE.search(word):
            for cue, bits in _WORD_CUE_BITS.items():
                if cue in word:
                    mask |= bits
        if len(word) <= self.longest:
            if len(self) >= self.limit:
                self.clear()
            self[word] = mask
        return mask


_word_cues = _WordCues()


def _cue_mask(lower: str, words: list[str]) -> int:
    """The `_CUE_GROUPS` bits of a lower-cased sentence; `words`: `lower.split()`."""
    mask = reduce(or_, map(_word_cues.__getitem__, words), 0)
    if mask & _SPACED_GATES:
        for gate, group, cue in _SPACED_CUES:
            if mask & gate and cue in lower:
                mask |= group
    return mask


_MUTUAL_CUE = _CUE_GROUPS["mutual"]
# (feature name, regex, its cue bit) in the order the features are set.
_MODAL_TESTS = tuple(
    (f"modal:{name}", regex, _CUE_GROUPS[f"modal:{name}"]) for name, regex in _MODALS.items()
)
_PERCENT_CUE = _CUE_GROUPS["percent"]
_MONEY_WORD_CUE = _CUE_GROUPS["money_word"]
_THOUSANDS_CUE = _CUE_GROUPS["thousands"]
_DURATION_CUE = _CUE_GROUPS["duration"]
_DATE_MONTH_CUE = _CUE_GROUPS["date_month"]
_DATE_QUARTER_CUE = _CUE_GROUPS["date_quarter"]


def _has_money(text: str, cues: int, has_number: bool) -> bool:
    """`_MONEY.search(text)`, one alternative at a time behind its cheap test."""
    if any(symbol in text for symbol in _MONEY_SYMBOLS):
        return True
    if cues & _MONEY_WORD_CUE and _MONEY_WORD_RE.search(text):
        return True
    return bool(has_number and cues & _THOUSANDS_CUE and _MONEY_THOUSANDS_RE.search(text))


def _has_date(text: str, cues: int, has_number: bool) -> bool:
    """`_DATE.search(text)`, one alternative at a time; every alternative needs a digit."""
    if not has_number:
        return False
    if cues & _DATE_MONTH_CUE and _DATE_MONTH_RE.search(text):
        return True
    # Digits, "/" and "-" are uncased: tested on the text itself.
    if ("/" in text or "-" in text) and _DATE_NUMERIC_RE.search(text):
        return True
    if ("19" in text or "20" in text) and _DATE_YEAR_RE.search(text):
        return True
    return bool(cues & _DATE_QUARTER_CUE and _DATE_QUARTER_RE.search(text))


_WORD_EDGES = (3, 8, 15, 30, 60)
# "words:<bucket>" of every word count up to the last edge; longer sentences share one name.
_WORD_BUCKETS = tuple(f"words:{_bucket(n, _WORD_EDGES)}" for n in range(_WORD_EDGES[-1] + 1))
_MANY_WORDS = f"words:{_bucket(_WORD_EDGES[-1] + 1, _WORD_EDGES)}"


@lru_cache(maxsize=4096)
def _context_names(kind: str, section_kind: str | None, heading: str | None) -> tuple[str, ...]:
    """The block-kind, section-kind and heading-word feature names, in the order they are set.

    Sentences of one block share them; memoised. The heading's words are sorted: in set
    order the columns of a row, and so the last bits of its scores, varied with the string
    hash seed of the process.
    """
    names = [f"kind:{kind}", f"section_kind:{section_kind or 'none'}"]
    if heading is not None:
        words = sorted(set(_WORD.findall(heading.lower())))
        names.extend(f"section_word:{word}" for word in words)
    return tuple(names)


def rule_features(example: SentenceExample, section_kind: str | None) -> dict[str, float]:
    """The non-text features of one sentence (sparse dict, all values 1.0 unless counts)."""
    return _rule_features(example, section_kind, 1.0)


def _rule_features(
    example: SentenceExample, section_kind: str | None, one: float
) -> dict[str, float]:
    """`rule_features` with every value multiplied by `one` (the rule-feature scale)."""
    text = example.text
    ascii_ = text.isascii()
    lower = text.lower() if ascii_ or not any(c in text for c in _CASE_FOLDS) else None
    split = None
    cues = -1  # every bit set: without `lower`, assume every cue is there
    if lower is not None:
        split = lower.split()
        cues = _cue_mask(lower, split)
    has_number = _NUMBER.search(text) is not None
    features: dict[str, float] = {}
    findings = example.findings
    for finding in findings:
        features[f"rule:{finding.category}"] = one
        features[f"rule:{finding.category}/{finding.type}"] = one
        features[f"pattern:{finding.source}"] = one
    ambiguity = sum(f.category == "ambiguity" for f in findings) if findings else 0
    features["n_ambiguity"] = float(min(ambiguity, 5)) * one
    if _VENDOR.search(text):
        features["bound:vendor"] = one
    if _CLIENT.search(text):
        features["bound:client"] = one
    if cues & _MUTUAL_CUE and _MUTUAL.search(text):
        features["bound:mutual"] = one
    for name, regex, cue in _MODAL_TESTS:
        if cues & cue and regex.search(text):
            features[name] = one
    if has_number:
        features["has:number"] = one
    # "%" is uncased: tested on the text itself.
    if ((has_number and "%" in text) or cues & _PERCENT_CUE) and _PERCENT.search(text):
        features["has:percent"] = one
    if _has_money(text, cues, has_number):
        features["has:money"] = one
    if has_number and cues & _DURATION_CUE and _DURATION.search(text):
        features["has:duration"] = one
    if _has_date(text, cues, has_number):
        features["has:date"] = one
    if _MARKER.search(text):
        features["shape:list_marker"] = one
    if has_cells(text):
        features["shape:table_row"] = one
    stripped = text.rstrip()
    if stripped.endswith("?"):
        features["shape:question"] = one
    if stripped.endswith(":"):
        features["shape:label"] = one
    if not stripped.endswith((".", "!", "?", ";", ":")):
        features["shape:fragment"] = one
    # Lower-casing ASCII changes letters only, so the words are the same ones.
    count = len(split) if split is not None and ascii_ else len(text.split())
    features[_WORD_BUCKETS[count] if count < len(_WORD_BUCKETS) else _MANY_WORDS] = one
    section = example.section
    for name in _context_names(example.kind, section_kind, section[-1] if section else None):
        features[name] = one
    return features


# Weight of the rule-feature block against the text blocks. Each TF-IDF block is a unit vector
# spread over many n-grams, while a sentence holds ~11 rule features of 1.0 each: at full weight
# the rule block dominated the logistic regressions and the text barely moved them. A quarter
# weight (a weaker penalty on the text, relatively) gained ~0.007 mean CV F1, no label losing.
# New models are trained with it; each model records the scale it was trained with and scans
# apply that one (models saved before the scale existed used 1.0).
RULE_FEATURE_SCALE = 0.25


def feature_rows(
    examples: Iterable[SentenceExample], scale: float = RULE_FEATURE_SCALE
) -> tuple[list[str], list[dict[str, float]]]:
    """The model input as two columns: each sentence's text and its rule-feature dict, scaled."""
    from analyzer.nlp.detect import section_kind

    texts: list[str] = []
    features: list[dict[str, float]] = []
    for example in examples:
        kind = section_kind(example.section)[0] if example.section else None
        texts.append(example.text)
        # Built scaled: value * scale is what scaling the 1.0-valued dict afterwards gave.
        features.append(_rule_features(example, kind, scale))
    return texts, features


def feature_frame(
    examples: Iterable[SentenceExample], scale: float = RULE_FEATURE_SCALE
) -> pd.DataFrame:
    """The model input for fitting: one row per sentence with `text` and `features` columns."""
    import pandas as pd

    texts, features = feature_rows(examples, scale)
    return pd.DataFrame({"text": texts, "features": features}, columns=["text", "features"])
