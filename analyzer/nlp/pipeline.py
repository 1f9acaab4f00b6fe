"""Builds the ScopeLens spaCy pipeline on `spacy.blank("en")` (no pretrained model needed)."""

from __future__ import annotations

from functools import cache
from typing import Any

import spacy
from spacy.language import Language

# Importing the modules registers the factories with spaCy.
from analyzer.nlp import components as _components
from analyzer.nlp import segment as _segment

PIPE_NAMES: tuple[str, ...] = (
    "scopelens_segmenter",
    "scopelens_ambiguity",
    "scopelens_commitment",
    "scopelens_scope_statements",
)

_EXTRA_EXCEPTIONS: tuple[str, ...] = (
    "approx.",
    "incl.",
    "est.",
    "Sec.",
    "sec.",
    "No.",
    "Nos.",
    "t.b.d.",
)


def build_tokenizer_only() -> Language:
    """A blank English pipeline with the ScopeLens tokenizer exceptions and no components."""
    nlp = spacy.blank("en")
    tokenizer: Any = nlp.tokenizer
    for text in _EXTRA_EXCEPTIONS:
        tokenizer.add_special_case(text, [{"ORTH": text}])
    return nlp


def build_pipeline() -> Language:
    """A fresh pipeline: blank English tokenizer, segmenter and the three rule detectors."""
    assert _components.SPANS_KEY and _segment.SentenceSegmenter is not None  # registering imports
    nlp = build_tokenizer_only()
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp


@cache
def load_pipeline() -> Language:
    """The shared pipeline, built once per process."""
    return build_pipeline()
