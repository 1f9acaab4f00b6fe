"""Shared fixtures of the nlp tests."""

from __future__ import annotations

import pytest
from spacy.language import Language

from analyzer.nlp import load_pipeline


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The shared pipeline."""
    return load_pipeline()
