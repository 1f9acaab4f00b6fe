"""Pattern records loaded from `analyzer/nlp/patterns/*.jsonl` (rules are data).

Each line of a pattern file is one JSON object. Finding patterns carry the taxonomy fields
(`id`, `category`, `type`, `severity`, `explanation`, `suggestion`, `source_of_idea`) and either
`phrases` (matched with a `PhraseMatcher` on `LOWER`) or `pattern` (a list of spaCy `Matcher`
token patterns, or a single one). Lexicon entries (parties, cues, section kinds) use `role`
instead of `category` and need no explanation. Optional guards are documented on `Pattern`.
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
    }
)


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

    Guards (all optional):
        unless_quantified: drop the match when the sentence pins it down with a quantity, a
            bound ("not to exceed", "no later than") or a reference ("as set forth in Section 4").
        unless_followed_by_number: drop the match when a number follows within four tokens.
        legal_boilerplate_ok: keep the match in legal boilerplate sentences (liability,
            indemnity, governing law …) that do not bear on the work; default False.
        not_followed_by / not_preceded_by: lower-case words; drop the match when the next /
            previous token is one of them.
        only_after: lower-case words; keep the match only right after one of them ("the
            necessary documents", not "steps necessary to"). On a party entry of the lexicon
            it applies to lower-case mentions only: "the state will pay" names the client,
            "state updates" does not, "State" always does.
        requires_list_after: keep only when a list (comma, "and", "or") follows within 12 tokens.
        not_in_definition: drop the match inside a definition ("X means …").
        requires_party: keep only when the party right before the match is this one ("vendor"),
            or one of these (["client", "user", "named"]: "The Customer is expected to provide
            …", not "The configuration is expected to provide …").
        not_in_sections: section kinds (see sections.jsonl) where the pattern is dropped.
        focus: [start, end] token slice of the match to report instead of the whole match.
        requires_cue: a lexicon role of the same file; keep the match only when a cue of that
            role is in the sentence ("… is granted." needs "access to").
        blocked_by: lexicon roles; drop the match when a cue of one of them is in the sentence.
        blocked_by_overlap: lexicon roles; drop the match when a cue of one of them overlaps it
            ("20 years" inside "20 years of experience"; exclusion, assumption and estimate
            patterns).
        blocked_by_opening: lexicon roles; drop the match when a cue of one of them opens the
            sentence, after any list marker or quote ("We recommend that the scope … fit within
            a 3 month period": the reader's instruction, no estimate; exclusion, assumption and
            estimate patterns).
        demote_by_opening: {"roles": [lexicon roles], "to": pattern id}; when a cue of one of
            the roles opens the sentence, report the match as the "to" pattern of the same
            file (its type, severity and texts): a signature block's blank ("By: ____") is a
            low-severity placeholder (ambiguity patterns).
        background_ok: keep a vague_term / subjective / open_ended / escape_clause match in a
            background section (see sections.jsonl) even when the sentence binds nobody (no
            will / shall / must / plan / pledge / require); default False: "useful for various
            applications" in a project description does not bear on the work. Placeholders and
            unbounded phrases are never dropped by this rule.
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
