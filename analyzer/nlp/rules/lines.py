"""Line shapes of scope documents: staffing, budget and estimate lines, milestone headings,
work items, user stories, definitions, drafting notes.

What a line of a proposal or SOW *is* (a plan line, a named deliverable, a user's need), told
from its wording; the plain shapes (list markers, headings, labels, table rows) come from
`analyzer.textshape`, the word lists from `patterns/words.jsonl`. No spaCy: these read the
sentence text.
"""

from __future__ import annotations

import re

from analyzer.nlp.patterns import word_list
from analyzer.textshape import (
    has_cells,
    has_word,
    is_label_line,
    is_numbered_subheading,
    is_title_case,
    shape_test,
    strip_marker,
    table_cells,
)

_HEADING_NOUNS = word_list("heading_nouns")

# ---------------------------------------------------------------------------------------------
# Statements, notes and definitions
# ---------------------------------------------------------------------------------------------

is_non_statement = shape_test(
    re.compile(
        r"\?|^\W*(?:\[?\s*drafting note|\{|note\b|see\b|e\.g\.|example|sample|optional\b|please\b)"
        r"|^\W*source:\s.*\b(?:\d{1,2}-[kq]|s-\d|20-f)\b",
        re.I,
    ),
    """Questions, drafting notes, examples and filing footers ("Source: ACME, 8-K, 3/16/2018").""",
    search=True,
)
is_not_item = shape_test(
    re.compile(r"^\W*\[[^\]]*\]\W*$|-{3,}|`{3}|\{|\bX{2,}|\bbecause\b", re.I),
    """Placeholders, ruled lines, code blocks, template variables and clauses: no scope item.""",
    search=True,
)
has_drafting_note = shape_test(
    re.compile(r"\[\s*(?:drafting note|describe|insert|specify)\b", re.I),
    """True for a template's bracketed note ("[Drafting note: …]", "[Insert …]").""",
    search=True,
)
states_client_oversight = shape_test(
    re.compile(
        r"\b(?:will|shall|must)\s+(?:\w+\s+)?(?:monitor|verify|appoint|abide)\b"
        r"|\bcomply\s+with\s+(?:all\s+)?applicable\s+laws|\blawful\s+purposes"
        r"|\bbe\s+assessed\s+by\b|\bunilateral\s+decision",
        re.I,
    ),
    """The client's oversight or legal compliance ("the COR will monitor compliance", "Customer
    shall comply with applicable laws"): not a dependency the plan or price relies on.""",
    search=True,
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


def opens_definition(text: str) -> bool:
    """True for a sentence that opens by defining a term (see `_DEFINITION_OPEN`)."""
    return _DEFINITION_OPEN.search(text[:_DEFINITION_PREFIX]) is not None


# ---------------------------------------------------------------------------------------------
# User stories
# ---------------------------------------------------------------------------------------------

names_user_story = shape_test(
    re.compile(r"\bas an? [\w -]{1,40}?,? (?:i|we) (?:can|want|will|should|am able)\b", re.I),
    """True for a line holding a user story anywhere ("… as an admin, I can …").""",
    search=True,
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


# ---------------------------------------------------------------------------------------------
# Figures, staffing and estimates
# ---------------------------------------------------------------------------------------------

_FIGURE_KEY = re.compile(
    r"^\W*(?:\*\*)?\s*(?:total\s+)?(?:estimated|estimate|expected|planned|total|overall|required|"
    r"requested)?\s*(?:milestone\s+)?(?:duration|time|timeframe|time frame|fte|ftes|full-time|"
    r"costs?|budget|funding|amount|price|effort|team|resources?|people|staff|hours|delivery|date|start|"
    r"end|level of effort|payment|rate|assumptions?|requirements?|pre-?requirements?|"
    r"dependenc(?:y|ies)|risks?)\b[^:|*]{0,40}(?:\*\*\s*:?|:|\|)",
    re.I,
)
_FIGURE_ONLY = re.compile(
    r"^[\W\d]*(?:\d[\d.,]*\s*(?:k|m)?\s*(?:-|–|to)?\s*)+"
    r"(?:\w+\s*)?(?:days?|weeks?|months?|years?|hours?|hrs|h|fte|pm|pd|dev|devs|usd|eur|dot|\$|€)"
    r"\b.{0,40}$",
    re.I,
)


def is_figure_line(body: str) -> bool:
    """A budget, duration or team line: "- Budget: $10,560", "2 weeks", "FTE: 1"."""
    return _FIGURE_KEY.match(body) is not None or _FIGURE_ONLY.match(body) is not None


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
SHORT_BLOCK = 400
"""Blocks up to this many characters are tried as plan or budget lines (and table rows)."""
may_hold_estimate_line = shape_test(
    re.compile(r"\d|\b(?:duration|fte|budget|funding|team|delivery|cost)", re.I),
    """A cheap test before `is_estimate_line`: a digit or a plan word in the block.""",
    search=True,
)


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
    if has_cells(text):
        cells = [c.strip() for c in table_cells(text) if c.strip(" *-")]
        return len(cells) >= 2 and bool(_AMOUNT_CELL.match(cells[-1]))
    return False


# ---------------------------------------------------------------------------------------------
# Milestones, sub-headings and work items
# ---------------------------------------------------------------------------------------------

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
    words = [w for w in re.split(r"[\s/&]+", name) if has_word(w)]
    return len(words) >= min_words and _GENERIC_HEADING.search(name) is None


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
    titled = is_title_case([w for w in words if w[0].isalpha()])
    return titled and words[-1].lower().strip("*_") in _HEADING_NOUNS


def is_work_fragment(text: str) -> bool:
    """True for a verbless item of a deliverables/milestones list that names promised work.

    "Updated CI workflows", "- Terraform scripts for AWS", "Lottery example" are; label lines
    ("- Goals:", "**Deliverables:**"), budget/duration/team lines ("- Budget: $10,560",
    "- 2 weeks", "Estimated Duration: 2 months"), numbered sub-headings ("6.2.1 Reports",
    "Task 10: Support"), questions, drafting notes, placeholders and bare identifiers are not.
    """
    body = strip_marker(text).strip("*_ ").strip()
    if sum(1 for word in body.split() if has_word(word)) < 2:
        return False
    if is_label_line(body) or is_figure_line(body):
        return False
    if is_numbered_subheading(text.strip()) or is_non_statement(body):
        return False
    return not (body.isupper() and len(body.split()) <= 6)
