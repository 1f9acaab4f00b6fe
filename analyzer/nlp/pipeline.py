"""Builds the ScopeLens spaCy pipeline on `spacy.blank("en")` (no pretrained model needed)."""

from __future__ import annotations

from functools import cache
from typing import Any

import spacy
from spacy.language import Language

# Importing the modules registers the factories with spaCy.
import analyzer.nlp.rules.ambiguity as _ambiguity
import analyzer.nlp.rules.commitment as _commitment
import analyzer.nlp.rules.scope as _scope
import analyzer.nlp.segment as _segment

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


TOKENIZER_CACHE_SIZE = 100_000
"""Whitespace-separated chunks whose tokens the tokenizer remembers (spaCy's default: 10,000).

Contracts hold far more distinct chunks than 10,000 (numbers, names, defined terms with
punctuation); once spaCy's cache is full every other chunk is split into affixes again at each
occurrence, and tokenizing ran 3x slower than with a cache that still has room. The cache stops
growing at this size (the 141 CUAD contracts of the benchmark fill it with 9 MB, below the cap),
so a worker's memory stays flat over a long batch."""


def build_tokenizer_only() -> Language:
    """A blank English pipeline with the ScopeLens tokenizer exceptions and no components."""
    nlp = spacy.blank("en")
    tokenizer: Any = nlp.tokenizer
    tokenizer.max_cache_size = TOKENIZER_CACHE_SIZE
    for text in _EXTRA_EXCEPTIONS:
        tokenizer.add_special_case(text, [{"ORTH": text}])
    return nlp


def build_pipeline() -> Language:
    """A fresh pipeline: blank English tokenizer, segmenter and the three rule detectors."""
    registered = (_segment, _ambiguity, _commitment, _scope)  # the imports register the factories
    assert all(module is not None for module in registered)
    nlp = build_tokenizer_only()
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp


@cache
def load_pipeline() -> Language:
    """The shared pipeline, built once per process."""
    return build_pipeline()
