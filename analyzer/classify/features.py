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
from typing import TYPE_CHECKING

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
    kind: str
    page: int | None
    findings: tuple[Finding, ...]


def sentence_examples(detection: Detection) -> list[SentenceExample]:
    """Group a detection's rule findings by the sentence that holds them."""
    by_start: dict[int, list[Finding]] = defaultdict(list)
    for finding in detection.findings:
        if finding.sentence_start is not None:
            by_start[finding.sentence_start].append(finding)
    return [
        SentenceExample(
            start=s.start,
            end=s.end,
            text=s.text,
            section=s.section,
            kind=s.kind,
            page=s.page,
            findings=tuple(by_start.get(s.start, ())),
        )
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
_MARKER = re.compile(r"^\s*(?:[|*•\-–]|\(?[a-z0-9]{1,3}[.)]\s)", re.I)
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


def _has_money(text: str, lower: str | None, has_number: bool) -> bool:
    """`_MONEY.search(text)`, one alternative at a time behind its cheap test."""
    if any(symbol in text for symbol in _MONEY_SYMBOLS):
        return True
    if _has_cue(lower, _MONEY_WORD_CUES) and _MONEY_WORD_RE.search(text):
        return True
    return has_number and _has_cue(lower, ("k",)) and _MONEY_THOUSANDS_RE.search(text) is not None


def _has_date(text: str, lower: str | None, has_number: bool) -> bool:
    """`_DATE.search(text)`, one alternative at a time; every alternative needs a digit."""
    if not has_number:
        return False
    if _has_cue(lower, _DATE_MONTH_CUES) and _DATE_MONTH_RE.search(text):
        return True
    # Digits, "/" and "-" are uncased: tested on the text itself.
    if ("/" in text or "-" in text) and _DATE_NUMERIC_RE.search(text):
        return True
    if ("19" in text or "20" in text) and _DATE_YEAR_RE.search(text):
        return True
    return _has_cue(lower, _DATE_QUARTER_CUES) and _DATE_QUARTER_RE.search(text) is not None


def _has_cue(lower: str | None, cues: Sequence[str]) -> bool:
    """False only when no cue is in `lower` (None: cues cannot be trusted, assume one is)."""
    return lower is None or any(cue in lower for cue in cues)


def rule_features(example: SentenceExample, section_kind: str | None) -> dict[str, float]:
    """The non-text features of one sentence (sparse dict, all values 1.0 unless counts)."""
    text = example.text
    lower = text.lower() if text.isascii() or not any(c in text for c in _CASE_FOLDS) else None
    has_number = _NUMBER.search(text) is not None
    features: dict[str, float] = {}
    for finding in example.findings:
        features[f"rule:{finding.category}"] = 1.0
        features[f"rule:{finding.category}/{finding.type}"] = 1.0
        features[f"pattern:{finding.source}"] = 1.0
    ambiguity = sum(f.category == "ambiguity" for f in example.findings)
    features["n_ambiguity"] = float(min(ambiguity, 5))
    if _VENDOR.search(text):
        features["bound:vendor"] = 1.0
    if _CLIENT.search(text):
        features["bound:client"] = 1.0
    if _has_cue(lower, _MUTUAL_CUES) and _MUTUAL.search(text):
        features["bound:mutual"] = 1.0
    for name, regex in _MODALS.items():
        if _has_cue(lower, _MODAL_CUES[name]) and regex.search(text):
            features[f"modal:{name}"] = 1.0
    if has_number:
        features["has:number"] = 1.0
    # "%" is uncased: tested on the text itself.
    if ((has_number and "%" in text) or _has_cue(lower, ("percent",))) and _PERCENT.search(text):
        features["has:percent"] = 1.0
    if _has_money(text, lower, has_number):
        features["has:money"] = 1.0
    if has_number and _has_cue(lower, _DURATION_CUES) and _DURATION.search(text):
        features["has:duration"] = 1.0
    if _has_date(text, lower, has_number):
        features["has:date"] = 1.0
    if _MARKER.search(text):
        features["shape:list_marker"] = 1.0
    if text.count("|") >= 2:
        features["shape:table_row"] = 1.0
    stripped = text.rstrip()
    if stripped.endswith("?"):
        features["shape:question"] = 1.0
    if stripped.endswith(":"):
        features["shape:label"] = 1.0
    if not stripped.endswith((".", "!", "?", ";", ":")):
        features["shape:fragment"] = 1.0
    features[f"words:{_bucket(len(text.split()), (3, 8, 15, 30, 60))}"] = 1.0
    features[f"kind:{example.kind}"] = 1.0
    features[f"section_kind:{section_kind or 'none'}"] = 1.0
    if example.section:
        for word in set(_WORD.findall(example.section[-1].lower())):
            features[f"section_word:{word}"] = 1.0
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
        row = rule_features(example, kind)
        features.append({name: value * scale for name, value in row.items()})
    return texts, features


def feature_frame(
    examples: Iterable[SentenceExample], scale: float = RULE_FEATURE_SCALE
) -> pd.DataFrame:
    """The model input for fitting: one row per sentence with `text` and `features` columns."""
    import pandas as pd

    texts, features = feature_rows(examples, scale)
    return pd.DataFrame({"text": texts, "features": features}, columns=["text", "features"])
