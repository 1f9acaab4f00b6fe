"""Matcher gating (analyzer.nlp.gate): the gated matcher returns exactly the plain matcher's
matches, in the same order, on real text and on any sub-range."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.classify.corpus import load_corpus
from analyzer.nlp import load_pipeline
from analyzer.nlp.gate import pattern_anchor

ROOT = Path(__file__).resolve().parents[2]
GATED = ("scopelens_ambiguity", "scopelens_commitment", "scopelens_scope_statements")


def _texts() -> list[str]:
    records = load_corpus(ROOT / "corpus" / "labelled")
    sentences = [r.text for r in records[::5]]
    # Whole paragraphs too: windows merge and matches sit near block edges.
    paragraphs = [" ".join(sentences[i : i + 12]) for i in range(0, len(sentences), 12)]
    return sentences + paragraphs + _BLANKS


# Blanks and brackets: runs of blank tokens open long, overlapping windows.
_BLANKS = [
    "Signed: ______________________ Date: ____ [___] [ _ _ ] {Client name} { {x} } XX",
    "Name: ___ ___ ___ ___ Title: ______ and ________________ __ _ _ _ [#] [...] [__]%",
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


@pytest.mark.parametrize("name", GATED)
def test_gated_matches_equal_the_plain_matcher(name: str, texts: list[str]) -> None:
    nlp = load_pipeline()
    component = nlp.get_pipe(name)
    assert not component.gate.ungated  # every pattern has an anchor: gating is on
    assert component.gate.keyed  # and each window runs only its anchored patterns
    found = 0
    for text in texts:
        doc = nlp.make_doc(text)
        plain = list(component.matcher(doc))
        anchors = component.gate.extents(doc)
        assert component.gate.matches(component.matcher, doc, 0, len(doc), anchors) == plain
        found += len(plain)
    assert found > 100  # the corpus exercises the token patterns
    assert component.gate._submatchers  # recurring windows ran on sub-matchers


_PARAGRAPHS = _texts()[-60:]


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_gated_matches_on_any_sub_range(data: st.DataObject) -> None:
    nlp = load_pipeline()
    component = nlp.get_pipe(data.draw(st.sampled_from(GATED)))
    text = data.draw(st.sampled_from(_PARAGRAPHS))
    doc = nlp.make_doc(text)
    start = data.draw(st.integers(0, len(doc)))
    end = data.draw(st.integers(start, len(doc)))
    plain = [(k, start + s, start + e) for k, s, e in component.matcher(doc[start:end])]
    assert component.gate.matches(component.matcher, doc, start, end) == plain


def test_pattern_anchor_picks_a_mandatory_token() -> None:
    pattern = [{"LOWER": "the", "OP": "?"}, {"LOWER": "contractor"}, {"LOWER": "shall"}]
    tests, back, fwd = pattern_anchor(pattern)  # type: ignore[misc]
    assert tests == (("LOWER", "in", frozenset({"contractor"})),)
    assert (back, fwd) == (1, 2)
    assert pattern_anchor([{"LOWER": "maybe", "OP": "?"}]) is None


def test_submatchers_hold_only_the_anchored_patterns() -> None:
    nlp = load_pipeline()
    component = nlp.get_pipe("scopelens_commitment")
    doc = nlp.make_doc("The Contractor shall deliver the report within 10 days.")
    windows = component.gate.windows(component.gate.extents(doc), 0, len(doc))
    assert windows
    total = len(component.gate._patterns)
    for _, _, members in windows:
        assert 0 < len(members) < total
        assert len(component.gate.submatcher(members)) <= len(component.matcher)
