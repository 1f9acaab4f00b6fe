"""Pattern data files: they load, validate and cover the taxonomy."""

from __future__ import annotations

import json

import pytest

from analyzer.nlp.patterns import load_patterns, parse_pattern, read_patterns
from analyzer.nlp.rules.base import expand_first_token
from analyzer.types import TYPES_BY_CATEGORY


@pytest.mark.parametrize(
    "name", ["lexicon", "ambiguity", "ambiguity_induced", "commitment", "scope", "sections"]
)
def test_patterns_load(name: str) -> None:
    patterns = load_patterns(name)
    assert patterns
    for p in patterns:
        assert p.phrases or p.pattern, p.id
        if p.category:
            assert p.explanation and p.suggestion and p.source_of_idea, p.id


@pytest.mark.parametrize(
    ("category", "files"),
    [("ambiguity", ("ambiguity",)), ("commitment", ("commitment",))],
)
def test_patterns_cover_every_type(category: str, files: tuple[str, ...]) -> None:
    found = {p.type for f in files for p in load_patterns(f) if p.category == category}
    assert found == set(TYPES_BY_CATEGORY[category])


@pytest.mark.parametrize(
    "data",
    [
        {"category": "ambiguity", "type": "vague_term"},
        {"id": "x", "category": "ambiguity", "type": "nope", "explanation": "e", "suggestion": "s"},
        {
            "id": "x",
            "category": "ambiguity",
            "type": "vague_term",
            "severity": "huge",
            "explanation": "e",
            "suggestion": "s",
        },
        {"id": "x", "category": "ambiguity", "type": "vague_term"},
        {"id": "x"},
    ],
)
def test_patterns_reject_bad_records(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        parse_pattern(data)


_GREEDY_BASE = {
    "id": "x",
    "category": "ambiguity",
    "type": "placeholder",
    "explanation": "e",
    "suggestion": "s",
    "pattern": [[{"ORTH": "_"}, {"ORTH": "_", "OP": "+"}]],
}


def test_patterns_accept_greedy_union() -> None:
    assert parse_pattern({**_GREEDY_BASE, "greedy": "UNION"}).greedy == "UNION"
    assert parse_pattern(_GREEDY_BASE).greedy is None


@pytest.mark.parametrize(
    "extra",
    [
        {"greedy": "LONGEST"},  # overlapping matches are merged, not chosen among
        {"greedy": "UNION", "not_followed_by": ["("]},  # a shorter match could pass
        {"greedy": "UNION", "focus": [0, 1]},
    ],
)
def test_patterns_reject_greedy_where_it_would_change_findings(extra: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="greedy"):
        parse_pattern({**_GREEDY_BASE, **extra})


def test_patterns_reject_duplicate_ids() -> None:
    line = json.dumps({"id": "a", "role": "cue", "phrases": ["x"]})
    with pytest.raises(ValueError, match="duplicate"):
        read_patterns([line, line])


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ([{"LOWER": {"IN": ["a", "b"]}}, {"LOWER": "c"}], 2),
        ([{"LOWER": "a"}], 1),
        ([{"LOWER": {"IN": ["a", "b"]}, "OP": "?"}], 1),
    ],
)
def test_patterns_expand_first_token(pattern: list[dict[str, object]], expected: int) -> None:
    assert len(expand_first_token(pattern)) == expected
