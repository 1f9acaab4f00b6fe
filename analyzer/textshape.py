"""Text shapes: list items, headings, table rows and sentence bounds, one definition each.

The bottom floor beside `types` and `errors`: pure functions over strings, no spaCy, nothing
of `analyzer` imported. The extractors, the sentence segmenter, the rule detectors, the
document checks, the classifier features and the review picker ask these functions what a
line *looks like*; what it *means* (a promise, an estimate) is the rule layer's business
(`analyzer.nlp.rules`).

Some shapes come in variants, each named for the question it answers and built from the
shared pieces below (so what counts as a bullet is said once per variant, here):

| shape                      | asked by                   | what it accepts                      |
|----------------------------|----------------------------|--------------------------------------|
| `is_list_item`             | PDF, DOCX and TXT layout   | any bullet glyph or "(a)", "iv)", "1."|
| `is_markdown_list_item`    | Markdown layout            | CommonMark "-", "*", "+", "1." "1)"  |
| `opens_list_item`          | the commitment rules       | a bullet, "(a)", a table bar, "Step 2"|
| `LIST_MARKER`              | the classifier's features  | a bullet or bar, "(a)", "1."         |
| `is_enumerated`            | the corpus evaluation      | a bullet, "(a)", "iv.", "14."        |
| `strip_marker`             | the rule layer             | every leading marker, bar and "#"    |
| `strip_list_mark`          | the document checks        | one leading bullet or "(a)"          |
| `LIST_LINE_BREAK`          | the sentence segmenter     | a line break before a list line      |
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

# ---------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------

_BULLET = "[-*•▪◦‣–]"
"""The bullets of proposals and SOWs (as the segmenter, the rules and the evaluation see them)."""
_ITEM_LABEL = r"(?:\d{1,3}|[a-zA-Z]|[ivxlcIVXLC]{1,5})"
"""An item number: "14", "b", "iv"."""
_CLAUSE_LABEL = r"(?:\d{1,3}(?:\.\d{1,3})*|[a-zA-Z]|[ivxlcIVXLC]{1,5})"
"""An item or clause number: "14", "5.3.1", "b", "iv"."""
_SHORT_ENUMERATOR = r"\(?[0-9a-zA-Z]{1,3}[.)]"
"""Up to three letters or digits closed by "." or ")": "(a)", "12.", "iv)", "ab."."""
_WORD = re.compile(r"[A-Za-z]{2,}")
TITLE_SMALL_WORDS = frozenset(
    {"of", "and", "the", "for", "to", "in", "with", "on", "or", "a", "an", "&"}
)
"""Words a title-case line may leave in lower case ("Review and Acceptance")."""


ShapeTest = Callable[[str], bool]


def shape_test(regex: re.Pattern[str], doc: str, *, search: bool = False) -> ShapeTest:
    """A predicate over a text: does `regex` match at its start (with `search`: anywhere)?

    Args:
        regex: The compiled shape.
        doc: The predicate's docstring (what the shape is, with examples).
        search: Search the whole text instead of matching at its start.
    """
    find = regex.search if search else regex.match

    def test(text: str) -> bool:
        return find(text) is not None

    test.__doc__ = doc
    return test


has_word = shape_test(
    _WORD, "True when the text holds two or more ASCII letters in a row (a word).", search=True
)


def is_title_case(words: list[str]) -> bool:
    """True when every word starts with a capital, small words ("of", "and") aside."""
    return all(w[0].isupper() or w.lower() in TITLE_SMALL_WORDS for w in words)


# ---------------------------------------------------------------------------------------------
# List items
# ---------------------------------------------------------------------------------------------

_LIST_ITEM = re.compile(
    r"^(?:[•·▪◦○●■□➢►▶✓✔\-–—*+]"  # bullets
    r"|\((?:[a-zA-Z]|[ivxlcIVXLC]{1,5}|\d{1,3})\)"  # (a) (iv) (1)
    r"|(?:[a-zA-Z]|[ivxlc]{1,5}|\d{1,3})[.)]"  # a. a) iv) 1. 1)
    r")\s+\S"
)
_MARKDOWN_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+\S|$)")
_OPENS_LIST_ITEM = re.compile(rf"^\s*(?:{_BULLET}\s|{_SHORT_ENUMERATOR}\s|\||step\s+\d)", re.I)
LIST_MARKER = re.compile(rf"^\s*(?:[|*•\-–]|{_SHORT_ENUMERATOR}\s)", re.I)
"""A leading bullet, table bar or enumerator ("(a) ", "1. ")."""
_ENUMERATED = re.compile(rf"^\s*(?:{_BULLET}\s|\(?{_ITEM_LABEL}[.)]\s)")
_MARKERS = re.compile(
    rf"^\s*(?:\|\s*)?(?:{_BULLET}\s+|{_SHORT_ENUMERATOR}\s+|step\s+\d+[.:]?\s+|#+\s+)*", re.I
)
_LIST_MARK = re.compile(rf"^\s*(?:[-*+•·▪◦]|{_SHORT_ENUMERATOR})\s+", re.I)
LIST_LINE_BREAK = re.compile(rf"\n[ \t]*(?=(?:{_BULLET}|\(?{_CLAUSE_LABEL}[.)])[ \t]|\|)")
"""A line break inside a block that starts a list item or a table row (a sentence bound)."""


is_list_item = shape_test(
    _LIST_ITEM, """True when the text starts with a bullet or an enumerator ("•", "(a)", "1.")."""
)
is_markdown_list_item = shape_test(
    _MARKDOWN_LIST_ITEM, """True for a Markdown list line: "- item", "+ item", "1. item", "2) x"."""
)
opens_list_item = shape_test(
    _OPENS_LIST_ITEM, """True when the text opens with a bullet, "(a)", a table bar or "Step 2"."""
)
is_enumerated = shape_test(
    _ENUMERATED, """True when the text opens with a bullet ("-", "•") or "(a)", "14.", "iv)"."""
)


def strip_marker(text: str) -> str:
    """The text without leading list markers, a table bar, step numbers or a markdown heading."""
    return _MARKERS.sub("", text, count=1).strip()


def strip_list_mark(text: str) -> str:
    """The text without one leading bullet or enumerator ("- ", "(a) ", "1. ")."""
    return _LIST_MARK.sub("", text)


# ---------------------------------------------------------------------------------------------
# Table rows
# ---------------------------------------------------------------------------------------------

_TABLE_ROW = re.compile(r"^\s*\|")
_TABLE_CELL_RULE = re.compile(r":?-+:?")


is_table_row = shape_test(
    _TABLE_ROW, """True when the text opens with a table bar ("| B | 10 |")."""
)


def has_cells(text: str) -> bool:
    """True when `text` holds at least two table bars (a row, wherever its first bar is)."""
    return text.count("|") >= 2


def table_cells(text: str) -> list[str]:
    """The cells of a table row, unstripped (outer bars and whitespace removed first)."""
    return text.strip().strip("|").split("|")


def is_table_separator(line: str) -> bool:
    """True for a Markdown table's delimiter row ("|---|:--:|")."""
    body = line.strip()
    body = body.removeprefix("|")
    body = body.removesuffix("|")
    return all(_TABLE_CELL_RULE.fullmatch(cell.strip()) for cell in body.split("|"))


def is_table_header(text: str) -> bool:
    """A table header row: at least two cells, every cell a short label without figures."""
    if not text.lstrip().startswith("|") and not has_cells(text):
        return False
    cells = [c.strip(" *_") for c in table_cells(text)]
    cells = [c for c in cells if c]
    if len(cells) < 2:
        return False
    return all(len(c.split()) <= 6 and not any(ch.isdigit() for ch in c) for c in cells) and all(
        c[:1].isupper() for c in cells
    )


# ---------------------------------------------------------------------------------------------
# Headings (by their text alone: the extractors add layout evidence)
# ---------------------------------------------------------------------------------------------

TERMINAL_PUNCT = ".,;:!?"
# "5", "5.3", "5.3.1", optionally followed by "." — the number of parts is the heading depth.
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,3}){0,4})\.?\s+(\S.*)$")
_ARTICLE = re.compile(r"^(?:ARTICLE|Article)\s+(?:[IVXLC]+|\d{1,3})\b\.?(.*)$")
_SECTION = re.compile(r"^(?:SECTION|Section)\s+(\d{1,2}(?:\.\d{1,3}){0,4})\b\.?(.*)$")
_NON_LETTER = re.compile(r"[\W\d_]+")


def _word_count(text: str) -> int:
    return len(text.split())


def is_all_caps(text: str) -> bool:
    """True for a line written in capitals with at least four letters (e.g. "TERM AND FEES")."""
    return text == text.upper() and len(_NON_LETTER.sub("", text)) >= 4


def infer_level(text: str) -> int:
    """Heading level for formats without style information.

    Numbering depth wins ("5" → 1, "5.3" → 2, "5.3.1" → 3); "ARTICLE …" and ALL CAPS lines are
    top level; anything else is level 2.

    Args:
        text: The heading text.

    Returns:
        The inferred level, 1 = top.
    """
    stripped = text.strip()
    match = _SECTION.match(stripped) or _NUMBERED.match(stripped)
    if match:
        return match.group(1).count(".") + 1
    if _ARTICLE.match(stripped) or is_all_caps(stripped):
        return 1
    return 2


def _is_title_with_period(title: str) -> bool:
    # "1. DEFINITIONS." and "4. Fees and Payment." are headings; "1. Deliver the code." is not.
    if title[-1] != "." or _word_count(title) > 6:
        return False
    words = [w for w in title[:-1].split() if len(w) > 3]
    return is_all_caps(title) or (bool(words) and all(w[0].isupper() for w in words))


def heading_level(text: str) -> int | None:
    """Level of a line that looks like a heading by its text alone, else None.

    Recognises numbered headings ("5.3 Term and Termination"), "ARTICLE 5", "Section 3.",
    and short ALL CAPS lines. The line must be short and must not read like a sentence (no
    final punctuation other than the "." of a bare number), so a numbered clause such as
    "1.1 The Supplier shall provide the Services." stays a paragraph.

    Args:
        text: One line of text, already stripped.

    Returns:
        The heading level (1 = top) or None.
    """
    if not text or len(text) > 120 or "\n" in text:
        return None
    if _ARTICLE.match(text) and _word_count(text) <= 15:
        return 1
    match = _SECTION.match(text)
    if match:
        rest = match.group(2).strip(" .-–—:")
        if not rest or (_word_count(rest) <= 12 and text[-1] not in TERMINAL_PUNCT):
            return match.group(1).count(".") + 1
        return None
    match = _NUMBERED.match(text)
    if match:
        title = match.group(2)
        if (
            _word_count(title) <= 12
            and title[0].isupper()
            and ". " not in title  # a run-in heading followed by its clause is a paragraph
            and any(c.isalpha() for c in title)
            and (title[-1] not in TERMINAL_PUNCT or _is_title_with_period(title))
        ):
            return match.group(1).count(".") + 1
        return None
    if is_all_caps(text) and _word_count(text) <= 10 and text[-1] not in ",;":
        return 1
    return None


_UPPER_START = re.compile(r"^[\"'“‘(]?[A-Z0-9]")


def is_title_like(text: str, max_words: int = 8) -> bool:
    """A short line that starts with a capital and has no final punctuation.

    Used as a weak heading cue together with layout evidence (a standalone line followed by
    text), never alone.
    """
    if not text or _word_count(text) > max_words or text[-1] in TERMINAL_PUNCT + "-":
        return False
    if not _UPPER_START.match(text) or is_list_item(text):
        return False
    return sum(c.isalpha() for c in text) >= 3


# ATX headings are parsed by hand after a short anchored match: the one-regex form backtracked
# quadratically on long runs of spaces, and one line of a text file can be megabytes long.
_ATX_OPEN = re.compile(r" {0,3}(#{1,6})(?=[ \t]|$)")


def atx_heading(line: str) -> tuple[int, str] | None:
    """(level, title) of a Markdown ATX heading line ("## Scope ##"), else None."""
    match = _ATX_OPEN.match(line)
    if match is None:
        return None
    rest = line[match.end() :].strip(" \t")
    # An optional closing run of "#" counts only when a space or tab precedes it.
    unclosed = rest.rstrip("#")
    if not unclosed:
        rest = ""
    elif unclosed != rest and unclosed[-1] in " \t":
        rest = unclosed.rstrip(" \t")
    return len(match.group(1)), rest


_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


def setext_level(line: str) -> int | None:
    """Level of a Markdown setext underline ("===" → 1, "---" → 2), else None."""
    if not _SETEXT.match(line):
        return None
    return 1 if line.strip().startswith("=") else 2


is_markdown_heading = shape_test(
    re.compile(r"^\s*#{1,6}\s+(?!of\b)[^|\s][^|\n]*$", re.I),
    """One markdown heading line ("## Development Roadmap"); "# of users: 500" is a count.""",
)

# ---------------------------------------------------------------------------------------------
# Sub-headings and labels (inside the text of a block)
# ---------------------------------------------------------------------------------------------

is_numbered_subheading = shape_test(
    re.compile(
        r"^\s*(?:\d+(?:\.\d+)+\.?\s+[A-Z]|(?:task|section|article|part|phase|option)\s+\d+\s*[:.-]\s)",
        re.I,
    ),
    """A numbered clause or task heading: "6.2.1 Reports", "Task 10: Support", "Phase 2 - UX".""",
)
is_label_line = shape_test(
    re.compile(r"^\W*(?:\*\*)?[\w/&' -]{1,40}:(?:\*\*)?\W*$"),
    """A label of up to 40 characters ending in a colon: "- Goals:", "**Scope:**".""",
)
is_labelled_line = shape_test(
    re.compile(r"^[^:]{3,40}:\s*\w[^:]*$"),
    """A short label, a colon and one clause: "Out of scope: council voting".""",
)
is_bold_only = shape_test(
    re.compile(r"^\W*\*\*[^*]+\*\*\W*$"),
    """A line that is only bold text ("**Scope**"), with marks around it.""",
)
_HEADING_LIKE = re.compile(r"^\s*(?:\*\*[^*]+\*\*:?|[^.!?;]{0,60}:|#+ .*)\s*$")


def looks_like_heading(text: str) -> bool:
    """A short line without final punctuation, a bold label or a label ending in a colon."""
    text = text.strip()
    if _HEADING_LIKE.match(text):
        return True
    return len(text.split()) <= 7 and text[-1:] not in ".!?;)|"


def is_title_line(text: str) -> bool:
    """A sub-heading line: "6.1 SERVICES.", "Hosting Services.", "Task 5: Assist with X".

    Short (at most six words) with every word capitalised (small words aside), or a numbered
    clause/task heading.
    """
    stripped = text.strip()
    if is_numbered_subheading(stripped):
        return True
    body = strip_marker(stripped).rstrip(".:").strip()
    words = [w for w in body.split() if any(c.isalpha() for c in w)]
    if not words or len(words) > 6 or not stripped.endswith((".", ":")):
        return False
    return is_title_case(words)


_HEADING_NUMBER = re.compile(r"^\s*(?:[\dIVXivx]+(?:\.\d+)*\.?|[A-Za-z][.)])\s+")


def strip_heading_number(text: str) -> str:
    """A heading without its leading number ("5.3 ", "IV. ", "b) ")."""
    return _HEADING_NUMBER.sub("", text)


def is_bare_label(text: str) -> bool:
    """A label line of at most three words ("**Assumptions/Pre-Requirements**", "Exclusions:").

    A numbered or capitalised clause title ending in a full stop ("5.7 EXCLUSIONS.",
    "Warranty Exclusions.") is a label too; "No travel." is a statement.
    """
    body = strip_marker(text).strip("*_: ")
    words = [w for w in re.split(r"[\s/]+", body) if has_word(w)]
    if len(words) > 3:
        return False
    if not body.endswith((".", ";")):
        return True
    return body.endswith(".") and all(w[:1].isupper() for w in words)


def is_label(text: str) -> bool:
    """A bare label or a numbered clause title ("5.0 Program Assumptions and Constraints")."""
    stripped = text.strip()
    return is_bare_label(text) or (is_numbered_subheading(stripped) and stripped[-1:] != ".")


# ---------------------------------------------------------------------------------------------
# Heading titles (what a heading or label line names)
# ---------------------------------------------------------------------------------------------

# Markdown heading marks, block quotes and emphasis around a heading.
_MD_LEAD = re.compile(r"^[#>\s]+")
_MD_EMPHASIS = re.compile(r"[*_`]+")
_WS = re.compile(r"\s+")


def strip_markdown_marks(text: str) -> str:
    """The text without leading "#", ">" and whitespace, and without emphasis marks."""
    return _MD_EMPHASIS.sub("", _MD_LEAD.sub("", text))


# "7", "7.1.", "1.0.", "IV.", "a)", "Section 7", "Appendix B -" before the title.
_TITLE_NUMBERING = re.compile(
    r"^(?:(?:section|sec\.?|article|art\.|part|clause|§)\s*)?"
    r"(?:\d{1,3}(?:\.\d{1,3})*\.?|[ivxlc]{1,6}[.)]|[a-z][.)])\s*[-–—:.]?\s+"
    r"|^(?:appendix|annex|exhibit|schedule|attachment)\s+[a-z0-9]{1,4}\b\s*[-–—:.]?\s*",
    re.IGNORECASE,
)


def normalise_heading(text: str) -> str:
    """Lower-case heading text without Markdown marks, numbering or a trailing colon.

    Args:
        text: Heading or label-line text as it appears in the document.

    Returns:
        The normalised text, e.g. "### 7.1. **Out of Scope:**" -> "out of scope".
    """
    text = _WS.sub(" ", strip_markdown_marks(text)).strip()
    previous = None
    while previous != text:  # "Section 7. 7.1 Exclusions" style double numbering
        previous = text
        text = _TITLE_NUMBERING.sub("", text, count=1).strip()
    return text.rstrip(" :.;-–—").lower()


def label_title(text: str) -> str:
    """A label line as a title: no list mark, Markdown marks, extra spaces or final colon."""
    text = strip_markdown_marks(strip_list_mark(text))
    return _WS.sub(" ", text).strip().rstrip(":").strip()


# Table-of-contents lines ("Assumptions ....... 12", "- [Assumptions](#assumptions)") name a
# section without being one.
_TOC = re.compile(r"(?:\.{4,}|…|\t)\s*\d{1,4}$|\]\(#")


def is_toc_line(text: str) -> bool:
    """A table-of-contents line: "Assumptions ....... 12", "- [Assumptions](#assumptions)"."""
    return _TOC.search(text.strip()) is not None


# ---------------------------------------------------------------------------------------------
# Sentence bounds
# ---------------------------------------------------------------------------------------------

ABBREVIATIONS: frozenset[str] = frozenset(
    {"e.g", "i.e", "inc", "corp", "ltd", "llc", "co", "no", "nos", "sec", "secs", "sect", "art",
     "arts", "approx", "vs", "v", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "fig", "figs", "cf",
     "viz", "al", "para", "paras", "p", "pp", "incl", "est", "dept", "govt", "u.s", "u.k", "e.u",
     "u.s.a", "n.a", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
     "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "ref", "refs", "min", "max", "avg",
     "op", "ch", "chap", "vol", "vols", "ed", "eds", "rev", "subsec", "subpara", "cl", "ex",
     "exh", "attn", "ave", "blvd", "mt", "ft", "hr", "hrs", "qty", "pt", "pts", "tel", "ph"}
)  # fmt: skip
"""Words (lower case, final period removed) after which a period does not end a sentence."""

_SENTENCE_OPENING = r"[\"'“‘(\[]?[A-Z0-9]"
"""What a sentence starts with: a capital or a digit, maybe after a quote or a bracket."""
# Sentence-final punctuation, optional closing quotes/brackets, whitespace, then a sentence start.
_CANDIDATE = re.compile(
    r"(?<!\S)(?P<word>\S*?)(?P<punct>[.!?;]+)(?P<close>[\"'”’)\]]*)(?P<ws>\s+)"
    rf"(?={_SENTENCE_OPENING}|[•▪◦‣*-]\s)"
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_NUMBERING = re.compile(rf"^\(?{_CLAUSE_LABEL}$")
_INITIAL = re.compile(r"^(?:[A-Za-z]|(?:[A-Za-z]\.)+[A-Za-z])$")
_LINE = re.compile(r"[^\n]+")
_LINE_SENTENCE_END = re.compile(rf"(?<=[.!?])\s+(?={_SENTENCE_OPENING})")
_SENTENCE_END = re.compile(r"[.!?;:][\"'”’)\]]*\s")


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

    Keeps numbered clauses ("5.3 Term and Termination"), abbreviations ("e.g.", "Inc.",
    "U.S.", "No. 5"), list markers ("(a)", "1.", "•"), decimals and versions ("99.9%", "v2.0")
    inside their sentence, and splits on `. ! ? ;` followed by whitespace and a capital, quote,
    bracket or digit, on blank lines, and on a line break that starts a list item or a table
    row.

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
    for regex in (LIST_LINE_BREAK, _BLANK_LINE):
        for match in regex.finditer(text):
            starts.add(match.end())
    first = len(text) - len(text.lstrip())
    starts = {s for s in starts if first < s < len(text)}
    starts.add(first if first < len(text) else 0)
    return sorted(starts)


def line_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of a light split: lines, then . ! ? before a capital.

    For picking a sentence by hand (the review's "add a missed finding"): it never runs the
    pipeline, and each span is stripped of the whitespace around it.
    """
    out: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        base, body = line.start(), line.group()
        cuts = [0, *(m.end() for m in _LINE_SENTENCE_END.finditer(body)), len(body)]
        for a, b in pairwise(cuts):
            piece = body[a:b]
            stripped = piece.strip()
            if not stripped:
                continue
            start = base + a + (len(piece) - len(piece.lstrip()))
            out.append((start, start + len(stripped)))
    return out


def last_sentence_end(text: str, start: int, end: int) -> int:
    """The offset after the last sentence end (". " "?” " ";\\n" …) in `text[start:end]`, or -1."""
    cut = -1
    for match in _SENTENCE_END.finditer(text, start, end):
        cut = match.end()
    return cut


def ends_sentence(text: str) -> bool:
    """True when `text` ends with sentence-final punctuation (optionally closed by a quote)."""
    stripped = text.rstrip("\"')”’] ")
    return bool(stripped) and stripped[-1] in ".!?:;"
