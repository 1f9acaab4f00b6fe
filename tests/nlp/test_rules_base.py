"""The rule components' base (`analyzer.nlp.rules.base`): patterns saved and loaded like spaCy's
SpanRuler, matches grouped by sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from analyzer.nlp.patterns import Pattern
from analyzer.nlp.pipeline import PIPE_NAMES, build_pipeline
from analyzer.nlp.rules.base import SPANS_KEY, RuleComponent

_TEXT = (
    "The Contractor shall deliver the monthly report within a reasonable time. "
    "Out of scope: hosting is excluded. The effort is estimated at 120 person-days. "
    "The Agency will provide access to the SDK team."
)


def _spans(nlp: Language, text: str = _TEXT) -> list[tuple[int, int, str, str]]:
    doc = nlp(text)
    return [(s.start, s.end, s.label_, s._.pattern_id) for s in doc.spans[SPANS_KEY]]


def _rules(nlp: Language) -> list[RuleComponent]:
    return [pipe for _, pipe in nlp.pipeline if isinstance(pipe, RuleComponent)]


def test_rules_base_pipeline_keeps_its_factory_names(nlp: Language) -> None:
    assert tuple(nlp.pipe_names) == PIPE_NAMES
    assert len(_rules(nlp)) == 3


def test_rules_base_to_disk_writes_the_patterns_as_jsonl(nlp: Language, tmp_path: Path) -> None:
    for component in _rules(nlp):
        component.to_disk(tmp_path / component.name)
        lines = (tmp_path / component.name / "patterns").read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(component.loaded)


def test_rules_base_pipeline_round_trips_through_disk(nlp: Language, tmp_path: Path) -> None:
    nlp.to_disk(tmp_path / "pipeline")
    fresh = build_pipeline().from_disk(tmp_path / "pipeline")
    assert _spans(fresh) == _spans(nlp)
    for before, after in zip(_rules(nlp), _rules(fresh), strict=True):
        assert after.loaded == before.loaded


def test_rules_base_from_disk_reads_the_saved_patterns(nlp: Language, tmp_path: Path) -> None:
    ambiguity = _rules(nlp)[0]
    ambiguity.to_disk(tmp_path)
    saved = (tmp_path / "patterns").read_text(encoding="utf-8").splitlines()
    kept = [line for line in saved if '"vague_term.reasonable"' not in line]
    assert len(kept) == len(saved) - 1
    (tmp_path / "patterns").write_text("\n".join(kept) + "\n", encoding="utf-8")
    fresh = _rules(build_pipeline())[0].from_disk(tmp_path)
    assert "vague_term.reasonable" in ambiguity.patterns
    assert "vague_term.reasonable" not in fresh.patterns


def test_rules_base_round_trips_through_bytes(nlp: Language) -> None:
    for before, after in zip(_rules(nlp), _rules(build_pipeline()), strict=True):
        after.from_bytes(before.to_bytes())
        assert after.loaded == before.loaded


@pytest.mark.parametrize("component", range(3))
def test_rules_base_pattern_to_dict_round_trips(nlp: Language, component: int) -> None:
    from analyzer.nlp.patterns import parse_pattern

    for pattern in _rules(nlp)[component].loaded:
        assert parse_pattern(pattern.to_dict()) == pattern


def test_rules_base_refuses_a_guard_the_component_does_not_run() -> None:
    commitment = _rules(build_pipeline())[1]
    stray = Pattern(
        id="commitment.stray",
        category="commitment",
        type="deliverable",
        explanation="e",
        suggestion="s",
        phrases=("deliver",),
        guards={"not_followed_by": ["x"]},
    )
    with pytest.raises(ValueError, match="runs no guard"):
        commitment.initialize(patterns=[*commitment.loaded, stray])
