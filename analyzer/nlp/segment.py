"""The sentence segmenter of the pipeline: spaCy sentence starts from the text's shape.

Where sentences start is decided on the characters (`analyzer.textshape.sentence_starts`: a
handful of compiled regular expressions, no per-token Python loop); the segmenter then writes
`SENT_START` into the spaCy `Doc` in one vectorised `Doc.from_array` call.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from analyzer.textshape import sentence_starts as sentence_starts

TEXT_KEY = "scopelens_text"
"""Key of the doc's text in `Doc.user_data` (set by `detect()`, else by `doc_text`)."""

BOUNDS_KEY = "scopelens_sent_bounds"
"""Key of the sentence bounds in `Doc.user_data`: token offsets where sentences start, then
`len(doc)` (written by the segmenter; read by `analyzer.nlp.rules.base.sentence_bounds`)."""


def doc_text(doc: Doc) -> str:
    """`doc.text`, without rebuilding it from the tokens more than once.

    `Doc.text` joins every token's `text_with_ws` in Python (a `Token` object per token): it
    cost as much as the tokenizer. The tokenizer is non-destructive, so the text a doc was
    made from *is* its `doc.text`; `detect()` passes the block text in `user_data[TEXT_KEY]`.
    A stored text is used only when its length is the doc's character length (one token
    looked up), so a stale or foreign value falls back to `doc.text`.
    """
    text = doc.user_data.get(TEXT_KEY)
    if isinstance(text, str):
        last = doc[-1] if len(doc) else None
        if len(text) == (last.idx + len(last.text_with_ws) if last is not None else 0):
            return text
    text = doc.text
    doc.user_data[TEXT_KEY] = text
    return text


def set_sentence_starts(doc: Doc) -> Doc:
    """Write sentence starts from `sentence_starts(doc.text)` into `doc` (vectorised)."""
    n = len(doc)
    if n == 0:
        return doc
    offsets = np.asarray(sentence_starts(doc_text(doc)), dtype=np.int64)
    idx = doc.to_array(IDX).astype(np.int64)
    positions = np.searchsorted(idx, offsets, side="left")
    positions = positions[positions < n]
    flags = np.full(n, -1, dtype=np.int64)
    flags[0] = 1
    flags[positions] = 1
    doc.from_array([SENT_START], flags.astype(np.uint64).reshape(-1, 1))  # type: ignore[arg-type]
    # The detectors need the bounds of every block; reading them back costs a `to_array`.
    doc.user_data[BOUNDS_KEY] = np.concatenate((np.flatnonzero(flags == 1), [n]))
    return doc


class SentenceSegmenter:
    """spaCy component: sets sentence boundaries with `sentence_starts`."""

    def __init__(self, nlp: Language, name: str = "scopelens_segmenter") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        """Set `Token.is_sent_start` on every token of `doc`."""
        return set_sentence_starts(doc)

    def to_disk(self, path: object, *, exclude: tuple[str, ...] = ()) -> None:
        """Nothing to save: the rules are code."""

    def from_disk(self, path: object, *, exclude: tuple[str, ...] = ()) -> SentenceSegmenter:
        """Nothing to load: the rules are code."""
        return self


@Language.factory("scopelens_segmenter")
def make_segmenter(nlp: Language, name: str) -> SentenceSegmenter:
    """Factory of the ScopeLens sentence segmenter."""
    return SentenceSegmenter(nlp, name)
