"""The sentence segmenter component (where sentences start: `tests/nlp/test_textshape.py`)."""

from __future__ import annotations

import pytest
from spacy.language import Language


def test_segment_component_sets_doc_sents(nlp: Language) -> None:
    doc = nlp("5.3 Term. The Contractor shall deliver e.g. reports. We will host it.")
    assert [s.text.strip() for s in doc.sents] == [
        "5.3 Term.",
        "The Contractor shall deliver e.g. reports.",
        "We will host it.",
    ]


@pytest.mark.parametrize("text", ["", "   ", "word"])
def test_segment_degenerate_texts(text: str, nlp: Language) -> None:
    doc = nlp(text)
    assert sum(1 for _ in doc.sents) <= 1 or not text.strip()
