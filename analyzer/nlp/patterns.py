"""Pattern records loaded from `analyzer/nlp/patterns/*.jsonl` (rules are data).

Each line of a pattern file is one JSON object. Finding patterns carry the taxonomy fields
(`id`, `category`, `type`, `severity`, `explanation`, `suggestion`, `source_of_idea`) and either
`phrases` (matched with a `PhraseMatcher` on `LOWER`) or `pattern` (a list of spaCy `Matcher`
token patterns, or a single one). Lexicon entries (parties, cues, section kinds) use `role`
instead of `category` and need no explanation. Word lists (`words.jsonl`, role "words") are
the words the guards look tokens up in; `word_list(id)` reads one. Each guard key is a named
predicate documented in `analyzer.nlp.rules.guards`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from analyzer.types import SEVERITIES, is_known_type

PATTERNS_DIR = Path(__file__).resolve().parent / "patterns"

_EXTENT_GUARDS = frozenset(
    {
        "unless_quantified",
        "unless_followed_by_number",
        "not_followed_by",
        "not_preceded_by",
        "only_after",
        "requires_list_after",
        "requires_party",
        "party_window",
        "not_followed_later_by",
        "not_after_within",
        "not_after_negated",
        "focus",
    }
)
"""Guards that look at the tokens around a match: a greedy pattern may not use them."""

_GUARD_KEYS = frozenset(
    {
        "unless_quantified",
        "unless_followed_by_number",
        "legal_boilerplate_ok",
        "not_followed_by",
        "not_preceded_by",
        "only_after",
        "requires_list_after",
        "not_in_definition",
        "requires_party",
        "not_in_sections",
        "focus",
        "requires_cue",
        "blocked_by",
        "blocked_by_overlap",
        "blocked_by_opening",
        "demote_by_opening",
        "background_ok",
        "party_window",
        "not_followed_later_by",
        "not_after_within",
        "not_after_negated",
        "not_relieving",
        "requires_figure",
        "sentence_requires_when",
        "not_in_label",
        "not_in_table_header",
    }
)
"""The guard keys a pattern may set (see `analyzer.nlp.rules.guards` for what each does)."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """One rule or lexicon entry.

    `explicit` marks a pattern whose wording states the finding outright ("the effort is
    estimated at 120 person-days"): the trained classifier may confirm it but never veto it
    (see `analyzer.classify.train.find_trusted_patterns`).

    `greedy: "UNION"` merges, in each sentence, overlapping matches of the pattern into one
    match spanning them all, before any guard runs. A blank of n underscore tokens is then
    matched by a fixed "_ _ _" n-2 times and reported once, whole; with "_ _ _ _*" instead it
    matched n²/2 times (a 4,000-underscore line took 35 s). Only for patterns whose guards do
    not depend on where a match starts or ends. Nested matches merge into the outer one, which
    the detector's longest-span filter keeps anyway; in a rare sentence where another
    pattern's longer span overlaps part of the merged one, a piece of it that used to survive
    on its own no longer does.

    Guards (all optional) are JSON keys naming predicates of `analyzer.nlp.rules.guards`
    (`GUARDS`, one documented function per key); `focus` and `demote_by_opening` reshape the
    reported span instead (`analyzer.nlp.rules.ambiguity`). A lexicon party entry's
    `only_after` applies to lower-case mentions only (`analyzer.nlp.rules.base`).
    """

    id: str
    category: str | None = None
    type: str | None = None
    severity: str = "medium"
    explanation: str = ""
    suggestion: str = ""
    source_of_idea: str = ""
    confidence: float = 1.0
    role: str | None = None
    phrases: tuple[str, ...] = ()
    pattern: tuple[tuple[dict[str, Any], ...], ...] = ()
    priority: int = 0
    explicit: bool = False
    greedy: str | None = None
    guards: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def guard(self, name: str, default: Any = None) -> Any:
        """Value of guard `name`, or `default` when the pattern does not set it."""
        return self.guards.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        """The pattern as its JSON object (`parse_pattern(p.to_dict()) == p`); defaults left out."""
        data: dict[str, Any] = {"id": self.id}
        for name, default in _DEFAULTS.items():
            value = getattr(self, name)
            if value != default:
                data[name] = value
        if self.pattern:
            data["pattern"] = [list(p) for p in self.pattern]
        if self.phrases:
            data["phrases"] = list(self.phrases)
        return {**data, **self.guards, **self.extra}


_DEFAULTS: dict[str, Any] = {
    "category": None,
    "type": None,
    "severity": "medium",
    "explanation": "",
    "suggestion": "",
    "source_of_idea": "",
    "confidence": 1.0,
    "role": None,
    "priority": 0,
    "explicit": False,
    "greedy": None,
}
"""The scalar fields of `Pattern` and their defaults (what `to_dict` leaves out)."""


def _as_token_patterns(raw: Any) -> tuple[tuple[dict[str, Any], ...], ...]:
    if not raw:
        return ()
    if isinstance(raw[0], dict):
        return (tuple(raw),)
    return tuple(tuple(p) for p in raw)


def parse_pattern(data: dict[str, Any], where: str = "") -> Pattern:
    """Validate one JSON object and turn it into a Pattern.

    Raises:
        ValueError: on a missing id, an unknown category/type/severity or no phrases/pattern.
    """
    if "id" not in data:
        raise ValueError(f"{where}: pattern without an id")
    pid = data["id"]
    category, type_ = data.get("category"), data.get("type")
    if category is not None:
        if not is_known_type(category, type_ or ""):
            raise ValueError(f"{where}: {pid}: unknown category/type {category}/{type_}")
        if data.get("severity", "medium") not in SEVERITIES:
            raise ValueError(f"{where}: {pid}: unknown severity {data.get('severity')}")
        if not data.get("explanation") or not data.get("suggestion"):
            raise ValueError(f"{where}: {pid}: explanation and suggestion are required")
    elif data.get("role") is None:
        raise ValueError(f"{where}: {pid}: needs a category or a role")
    known = {
        "id", "category", "type", "severity", "explanation", "suggestion", "source_of_idea",
        "confidence", "role", "phrases", "pattern", "priority", "explicit", "greedy",
    }  # fmt: skip
    guards = {k: v for k, v in data.items() if k in _GUARD_KEYS}
    greedy = data.get("greedy")
    if greedy is not None:
        if greedy != "UNION":
            raise ValueError(f'{where}: {pid}: greedy must be "UNION", not {greedy!r}')
        if _EXTENT_GUARDS & set(guards):
            used = sorted(_EXTENT_GUARDS & set(guards))
            raise ValueError(f"{where}: {pid}: a greedy pattern cannot use the guards {used}")
    extra = {k: v for k, v in data.items() if k not in known and k not in _GUARD_KEYS}
    return Pattern(
        id=pid,
        category=category,
        type=type_,
        severity=data.get("severity", "medium"),
        explanation=data.get("explanation", ""),
        suggestion=data.get("suggestion", ""),
        source_of_idea=data.get("source_of_idea", ""),
        confidence=float(data.get("confidence", 1.0)),
        role=data.get("role"),
        phrases=tuple(data.get("phrases", ())),
        pattern=_as_token_patterns(data.get("pattern")),
        priority=int(data.get("priority", 0)),
        explicit=bool(data.get("explicit", False)),
        greedy=greedy,
        guards=guards,
        extra=extra,
    )


def read_patterns(lines: Iterable[str], where: str = "<patterns>") -> list[Pattern]:
    """Parse JSONL lines (blank lines and lines starting with `//` are skipped)."""
    out = []
    for no, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        out.append(parse_pattern(json.loads(line), f"{where}:{no}"))
    ids = [p.id for p in out]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"{where}: duplicate pattern ids {sorted(dupes)}")
    return out


@cache
def load_patterns(name: str, folder: Path = PATTERNS_DIR) -> tuple[Pattern, ...]:
    """Load `<folder>/<name>.jsonl` (cached per process)."""
    path = folder / f"{name}.jsonl"
    with path.open(encoding="utf-8") as handle:
        return tuple(read_patterns(handle, str(path)))


WORDS_FILE = "words"
"""The pattern file of the word lists (`words.jsonl`)."""


@cache
def word_list(word_id: str, name: str = WORDS_FILE) -> frozenset[str]:
    """The words of entry `word_id` of `<name>.jsonl` (lower case, as the guards compare them).

    Raises:
        KeyError: when no entry has that id.
    """
    for entry in load_patterns(name):
        if entry.id == word_id:
            return frozenset(entry.extra["words"])
    raise KeyError(f"{name}.jsonl has no word list {word_id!r}")
