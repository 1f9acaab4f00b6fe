"""The guard registry (`analyzer.nlp.rules.guards`) and the who-is-bound vetoes
(`analyzer.nlp.rules.bound`)."""

from __future__ import annotations

import pytest

from analyzer.nlp.patterns import _GUARD_KEYS, load_patterns, word_list
from analyzer.nlp.rules.ambiguity import AmbiguityDetector
from analyzer.nlp.rules.bound import VETOES
from analyzer.nlp.rules.guards import GUARDS
from analyzer.nlp.rules.scope import ScopeStatementDetector
from tests.nlp.test_detect import has_finding, phrase_texts


@pytest.mark.parametrize("component", [AmbiguityDetector, ScopeStatementDetector])
def test_guards_every_listed_guard_is_registered(component: type) -> None:
    assert set(component.guards) <= set(GUARDS)
    assert len(set(component.guards)) == len(component.guards)


def test_guards_every_registered_key_is_a_pattern_key() -> None:
    assert set(GUARDS) <= _GUARD_KEYS


def test_guards_every_guard_says_what_it_does() -> None:
    for name, guard in GUARDS.items():
        assert guard.keeps.__doc__, name
    for name, check in VETOES.items():
        assert check.__doc__, name


@pytest.mark.parametrize("name", ["ambiguity", "ambiguity_induced", "scope"])
def test_guards_every_pattern_guard_key_is_run(name: str) -> None:
    component = AmbiguityDetector if name.startswith("ambiguity") else ScopeStatementDetector
    known = set(component.guards) | component.guard_options
    for pattern in load_patterns(name):
        if pattern.category:
            assert set(pattern.guards) <= known, pattern.id


def test_guards_word_lists_load() -> None:
    assert "shall" in word_list("work_modals")
    with pytest.raises(KeyError):
        word_list("no_such_list")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Items such as tapes, toners, etc. are supplied.", []),
        ("The vendor may extend the term at its discretion.", ["may"]),
    ],
)
def test_guards_data_switches_them_on(text: str, expected: list[str]) -> None:
    found = [p for p in phrase_texts(text) if p in ("such as", "may")]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "estimate"),
    [
        ("BASE PERIOD: 6 months", False),
        ("The development will take 6 months.", True),
    ],
)
def test_guards_not_after_within(text: str, estimate: bool) -> None:
    assert has_finding(text, "estimate") is estimate
