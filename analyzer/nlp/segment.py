"""Rule-based sentence segmentation tuned for proposals, SOWs and contracts.

The segmenter works on character offsets with a handful of compiled regular expressions (no
per-token Python loop) and then writes `SENT_START` into the spaCy `Doc` in one vectorised
`Doc.from_array` call. It keeps numbered clauses ("5.3 Term and Termination"), abbreviations
("e.g.", "Inc.", "U.S.", "No. 5"), list markers ("(a)", "1.", "•"), decimals and versions
("99.9%", "v2.0") inside their sentence, and splits on `. ! ? ;` followed by whitespace and a
capital, quote, bracket or digit, on blank lines, and on a line break that starts a list item
or a table row.
"""

from __future__ import annotations

import re

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "e.g",
        "i.e",
        "inc",
        "corp",
        "ltd",
        "llc",
        "co",
        "no",
        "nos",
        "sec",
        "secs",
        "sect",
        "art",
        "arts",
        "approx",
        "vs",
        "v",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "fig",
        "figs",
        "cf",
        "viz",
        "al",
        "para",
        "paras",
        "p",
        "pp",
        "incl",
        "est",
        "dept",
        "govt",
        "u.s",
        "u.k",
        "e.u",
        "u.s.a",
        "n.a",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "ref",
        "refs",
        "min",
        "max",
        "avg",
        "op",
        "ch",
        "chap",
        "vol",
        "vols",
        "ed",
        "eds",
        "rev",
        "subsec",
        "subpara",
        "cl",
        "ex",
        "exh",
        "attn",
        "ave",
        "blvd",
        "mt",
        "ft",
        "hr",
        "hrs",
        "qty",
        "pt",
        "pts",
        "tel",
        "ph",
    }
)
"""Words (lower case, final period removed) after which a period does not end a sentence."""

# Sentence-final punctuation, optional closing quotes/brackets, whitespace, then a sentence start.
_CANDIDATE = re.compile(
    r"(?<!\S)(?P<word>\S*?)(?P<punct>[.!?;]+)(?P<close>[\"'”’)\]]*)(?P<ws>\s+)"
    r"(?=[\"'“‘(\[]?[A-Z0-9]|[•▪◦‣*-]\s)"
)
# A line break (inside a block) that starts a list item or a table row.
_LIST_LINE = re.compile(
    r"\n[ \t]*(?=(?:[-*•▪◦‣–]|\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxlcIVXLC]{1,5})[.)])[ \t]|\|)"
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_NUMBERING = re.compile(r"^\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxlcIVXLC]{1,5})$")
_INITIAL = re.compile(r"^(?:[A-Za-z]|(?:[A-Za-z]\.)+[A-Za-z])$")


def _is_false_stop(text: str, match: re.Match[str], line_start: int) -> bool:
    """True when the period of `match` belongs to an abbreviation, an initial or a list marker."""
    if match.group("punct") != "." or match.group("close"):
        return False
    word = match.group("word")
    core = word.lstrip("([\"'“‘").lower()
    if core in ABBREVIATIONS or _INITIAL.match(core):
        return True
    # "1. Scope", "5.3. Term", "(iv). Foo", "A. Background" at the start of a line or sentence.
    return bool(_NUMBERING.match(word)) and not text[line_start : match.start()].strip()


def sentence_starts(text: str) -> list[int]:
    """Character offsets where sentences start in `text` (always includes the first one).

    Args:
        text: One block of text; block boundaries are hard boundaries and handled by the caller.

    Returns:
        Sorted, unique offsets of the first non-space character of each sentence.
    """
    starts: set[int] = set()
    last_break = 0
    for match in _CANDIDATE.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        floor = max(line_start, last_break)
        if _is_false_stop(text, match, floor):
            continue
        last_break = match.end()
        starts.add(match.end())
    for regex in (_LIST_LINE, _BLANK_LINE):
        for match in regex.finditer(text):
            starts.add(match.end())
    first = len(text) - len(text.lstrip())
    starts = {s for s in starts if first < s < len(text)}
    starts.add(first if first < len(text) else 0)
    return sorted(starts)


TEXT_KEY = "scopelens_text"
"""Key of the doc's text in `Doc.user_data` (set by `detect()`, else by `doc_text`)."""

BOUNDS_KEY = "scopelens_sent_bounds"
"""Key of the sentence bounds in `Doc.user_data`: token offsets where sentences start, then
`len(doc)` (written by the segmenter; read by `analyzer.nlp.components.sentence_bounds`)."""


def doc_text(doc: Doc) -> str:
    """`doc.text`, without rebuilding it from the tokens more than once.

    `Doc.text` joins every token's `text_with_ws` in Python (a `Token` object per token): it
    cost as much as the tokenizer. The tokenizer is non-destructive, so the text a doc was
    made from *is* its `doc.text`; `detect()` passes the block text in `user_data[TEXT_KEY]`.
    A stored text is used only when its length is the doc's character length (one token
    looked up), so a stale or foreign value falls back to `doc.text`.
    """
    text = doc.user_data.get(TEXT_KEY)
    if isinstance(text, str):
        last = doc[-1] if len(doc) else None
        if len(text) == (last.idx + len(last.text_with_ws) if last is not None else 0):
            return text
    text = doc.text
    doc.user_data[TEXT_KEY] = text
    return text


def set_sentence_starts(doc: Doc) -> Doc:
    """Write sentence starts from `sentence_starts(doc.text)` into `doc` (vectorised)."""
    n = len(doc)
    if n == 0:
        return doc
    offsets = np.asarray(sentence_starts(doc_text(doc)), dtype=np.int64)
    idx = doc.to_array(IDX).astype(np.int64)
    positions = np.searchsorted(idx, offsets, side="left")
    positions = positions[positions < n]
    flags = np.full(n, -1, dtype=np.int64)
    flags[0] = 1
    flags[positions] = 1
    doc.from_array([SENT_START], flags.astype(np.uint64).reshape(-1, 1))  # type: ignore[arg-type]
    # The detectors need the bounds of every block; reading them back costs a `to_array`.
    doc.user_data[BOUNDS_KEY] = np.concatenate((np.flatnonzero(flags == 1), [n]))
    return doc


class SentenceSegmenter:
    """spaCy component: sets sentence boundaries with `sentence_starts`."""

    def __init__(self, nlp: Language, name: str = "scopelens_segmenter") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        """Set `Token.is_sent_start` on every token of `doc`."""
        return set_sentence_starts(doc)

    def to_disk(self, path: object, *, exclude: tuple[str, ...] = ()) -> None:
        """Nothing to save: the rules are code."""

    def from_disk(self, path: object, *, exclude: tuple[str, ...] = ()) -> SentenceSegmenter:
        """Nothing to load: the rules are code."""
        return self


@Language.factory("scopelens_segmenter")
def make_segmenter(nlp: Language, name: str) -> SentenceSegmenter:
    """Factory of the ScopeLens sentence segmenter."""
    return SentenceSegmenter(nlp, name)
