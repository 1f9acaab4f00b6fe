"""Check definitions loaded from `checks.json` (checks are data, like the nlp patterns).

Each definition names the safeguard, the headings and text cues that prove it is present, the
severity of its absence, and the explanation and clause skeleton shown when it is missing.
The file is read and its regular expressions compiled once per process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from analyzer.types import CATEGORIES, SEVERITIES, is_known_type

CHECKS_FILE = Path(__file__).resolve().parent / "checks.json"

CheckKind = Literal["presence", "estimate_basis"]


@dataclass(frozen=True, slots=True)
class CheckDef:
    """One document-level check, as written in `checks.json`.

    Attributes:
        id: The check id, also the finding type ("missing_exclusions").
        kind: "presence" (the safeguard must appear somewhere) or "estimate_basis" (only
            applies when the document has estimates).
        label: Short human name used in summaries ("Exclusions").
        severity: Severity of the "missing" finding.
        finding_categories: Sentence-finding categories that prove the safeguard present.
        finding_noun: Singular noun for those findings in evidence ("exclusion statement").
        cue_noun: Singular noun for text-cue hits in evidence ("acceptance mention").
        headings: Patterns matched against normalised heading text.
        headings_not: Patterns that veto a heading match ("Exclusion of liability").
        cues: Patterns matched against body text.
        explanation: Why the absence matters.
        suggestion: The clause skeleton to add.
        absent_summary: Summary line when the safeguard is missing.
        not_applicable_summary: Summary line when the check does not apply.
        requires_category: Finding category the check applies to (estimate basis only).
        basis_categories: Finding categories that explain the estimates (estimate basis only).
        basis_headings_from: Id of a check whose headings also explain the estimates.
        basis_cues: Patterns that, inside an estimate sentence, state its basis.
        any_cue: All `cues` as one alternation, for one search per block instead of one per
            cue. Same first match: the leftmost position where any cue matches, and there the
            first cue in list order (what taking the earliest of separate searches gives).
        cue_literals: Lower-case strings one of which is inside every `any_cue` match (see
            `required_literals`), or None when the cues do not allow it: a block of ASCII
            text without any of them cannot match, and is skipped without running the regex.
    """

    id: str
    kind: CheckKind
    label: str
    severity: str
    finding_categories: tuple[str, ...]
    finding_noun: str
    cue_noun: str
    headings: tuple[re.Pattern[str], ...]
    headings_not: tuple[re.Pattern[str], ...]
    cues: tuple[re.Pattern[str], ...]
    explanation: str
    suggestion: str
    absent_summary: str
    not_applicable_summary: str = ""
    requires_category: str | None = None
    basis_categories: tuple[str, ...] = ()
    basis_headings_from: str | None = None
    basis_cues: tuple[re.Pattern[str], ...] = ()
    any_cue: re.Pattern[str] | None = None
    cue_literals: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class CheckConfig:
    """All checks plus the shared pattern for sections that say nothing ("None", "TBD")."""

    checks: tuple[CheckDef, ...]
    empty_section: re.Pattern[str]

    def by_id(self, check_id: str) -> CheckDef:
        """Return the check with this id.

        Raises:
            KeyError: When no check has that id.
        """
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)


def _compile(patterns: list[str], where: str) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(p, re.IGNORECASE) for p in patterns)
    except re.error as exc:  # a broken data file is a programming error: fail loudly
        raise ValueError(f"{CHECKS_FILE.name}: bad pattern in {where}: {exc}") from exc


def _alternation(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)


def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lower-case strings one of which is inside every match of `pattern`, or None.

    Read off the parsed regex: each mandatory part of a sequence (a literal run, a group, an
    alternation, a repeat of at least one) gives a set of strings a match must contain one
    of; the set whose shortest string is longest is kept ("amended|modified|…" rather than
    "agreement|contract|…", which most contract paragraphs hold). None when no part gives one,
    or when a literal is not ASCII: under IGNORECASE "ſ" matches "s" and the Kelvin sign
    "k", which `str.lower` does not give, so only ASCII literals are safe to look for in
    lower-cased ASCII text.
    """
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    def best(items: Any) -> set[str] | None:
        candidates: list[set[str]] = []
        run = ""
        for op, arg in [*items, (None, None)]:  # the sentinel ends a trailing literal run
            if op is c.LITERAL:
                run += chr(arg)
                continue
            if run:
                candidates.append({run})
                run = ""
            found: set[str] | None = None
            if op is c.SUBPATTERN:
                found = best(arg[3].data)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] >= 1:
                found = best(arg[2].data)
            elif op is c.BRANCH:
                found = set()
                for branch in arg[1]:
                    sub = best(branch.data)
                    if sub is None:
                        found = None
                        break
                    found |= sub
            elif op is c.IN and all(kind is c.LITERAL for kind, _ in arg):
                found = {chr(code) for _, code in arg}
            if found:
                candidates.append(found)
        if not candidates:
            return None
        return max(candidates, key=lambda strings: (min(map(len, strings)), -len(strings)))

    found = best(_parser.parse(pattern.pattern, pattern.flags).data)
    if not found or not all(p.isascii() for p in found):
        return None
    lowered = {p.lower() for p in found}
    # A string that contains another one adds nothing: the shorter one is found anyway.
    return tuple(sorted(p for p in lowered if not any(q != p and q in p for q in lowered)))


def parse_check(raw: dict[str, Any]) -> CheckDef:
    """Validate one raw definition and compile its patterns.

    Args:
        raw: One object of the `checks` list.

    Returns:
        The compiled definition.

    Raises:
        ValueError: When the id is not a `missing` type, the severity is unknown or a
            category does not exist.
    """
    check_id = raw["id"]
    if not is_known_type("missing", check_id):
        raise ValueError(f"{CHECKS_FILE.name}: {check_id!r} is not a 'missing' type")
    if raw["severity"] not in SEVERITIES:
        raise ValueError(f"{CHECKS_FILE.name}: {check_id}: unknown severity {raw['severity']!r}")
    categories = [*raw.get("finding_categories", ()), *raw.get("basis_categories", ())]
    if raw.get("requires_category"):
        categories.append(raw["requires_category"])
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        raise ValueError(f"{CHECKS_FILE.name}: {check_id}: unknown categories {unknown}")
    kind = raw.get("kind", "presence")
    if kind not in ("presence", "estimate_basis"):
        raise ValueError(f"{CHECKS_FILE.name}: {check_id}: unknown kind {kind!r}")
    cues = _compile(raw.get("cues", []), f"{check_id}.cues")
    any_cue = _alternation(cues)
    return CheckDef(
        id=check_id,
        kind=kind,
        label=raw["label"],
        severity=raw["severity"],
        finding_categories=tuple(raw.get("finding_categories", ())),
        finding_noun=raw.get("finding_noun", "statement"),
        cue_noun=raw.get("cue_noun", "mention"),
        headings=_compile(raw.get("headings", []), f"{check_id}.headings"),
        headings_not=_compile(raw.get("headings_not", []), f"{check_id}.headings_not"),
        cues=cues,
        explanation=raw["explanation"],
        suggestion=raw["suggestion"],
        absent_summary=raw["absent_summary"],
        not_applicable_summary=raw.get("not_applicable_summary", ""),
        requires_category=raw.get("requires_category"),
        basis_categories=tuple(raw.get("basis_categories", ())),
        basis_headings_from=raw.get("basis_headings_from"),
        basis_cues=_compile(raw.get("basis_cues", []), f"{check_id}.basis_cues"),
        any_cue=any_cue,
        cue_literals=required_literals(any_cue) if any_cue is not None else None,
    )


@cache
def load_checks(path: Path = CHECKS_FILE) -> CheckConfig:
    """Load and compile the check definitions (once per process and path).

    Args:
        path: The JSON file; the packaged `checks.json` by default.

    Returns:
        The compiled configuration, checks in file order.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    checks = tuple(parse_check(raw) for raw in data["checks"])
    for check in checks:
        ref = check.basis_headings_from
        if ref is not None and ref not in {c.id for c in checks}:
            raise ValueError(f"{path.name}: {check.id}: basis_headings_from {ref!r} unknown")
    return CheckConfig(
        checks=checks,
        empty_section=re.compile(data.get("empty_section", r"^$"), re.IGNORECASE),
    )
