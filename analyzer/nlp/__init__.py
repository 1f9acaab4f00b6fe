"""The spaCy pipeline and the rule detectors of ScopeLens.

`load_pipeline()` builds (once per process) a `spacy.blank("en")` pipeline with a sentence
segmenter for contract-style text and three rule components; `detect(document)` runs it over a
Document's blocks and returns its sentences and rule findings.
"""

from __future__ import annotations

from analyzer.nlp.detect import Detection, Sentence, detect
from analyzer.nlp.pipeline import build_pipeline, load_pipeline

__all__ = ["Detection", "Sentence", "build_pipeline", "detect", "load_pipeline"]
