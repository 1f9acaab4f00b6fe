"""The labelled sentence corpus (`corpus/labelled/*.jsonl`) and its split by document.

One record per sentence; see `corpus/GUIDELINES.md` for how labels are judged and
`corpus/README.md` for the record format. Splits are decided by a hash of `doc_id`, so that all
sentences of one document land in the same split and the split of a document never changes as
the corpus grows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Split = Literal["train", "dev", "test"]

SENTENCE_LABELS: tuple[str, ...] = (
    "ambiguity",
    "commitment",
    "exclusion",
    "assumption",
    "estimate",
)


@dataclass(frozen=True, slots=True)
class AmbiguitySpan:
    """A vague phrase inside a labelled sentence; offsets are relative to the sentence."""

    phrase: str
    type: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    """One corpus record."""

    id: str
    doc_id: str
    source: str
    licence: str
    genre: str
    section: str | None
    text: str
    ambiguity: tuple[AmbiguitySpan, ...]
    commitment: bool
    commitment_type: str | None
    exclusion: bool
    assumption: bool
    estimate: bool
    note: str | None = None
    """The labeller's note on a hard call (`N=` in the batch's line format)."""
    annotator: str | None = None
    """Who labelled it: "K01", "A+B" when two agreed, "A/B>ADJ" when adjudicated."""
    start: int | None = None
    """Offset of the sentence in the source document as ScopeLens extracts it (corpus v2)."""
    end: int | None = None

    @property
    def split(self) -> Split:
        """The split of this record's document."""
        return split_of(self.doc_id)

    def label(self, name: str) -> bool:
        """Sentence-level truth for one of SENTENCE_LABELS."""
        if name == "ambiguity":
            return bool(self.ambiguity)
        return bool(getattr(self, name))


def split_of(doc_id: str) -> Split:
    """Deterministic split by document: 60% train, 20% dev, 20% test."""
    bucket = int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest(), 16) % 10
    if bucket < 2:
        return "test"
    if bucket < 4:
        return "dev"
    return "train"


def _spans(text: str, raw: Iterable[dict[str, Any]]) -> tuple[AmbiguitySpan, ...]:
    spans = []
    for item in raw:
        phrase = item["phrase"]
        start = item.get("start")
        if start is None or text[start : start + len(phrase)] != phrase:
            start = text.find(phrase)
        if start < 0:
            raise ValueError(f"ambiguity phrase {phrase!r} is not in the sentence {text!r}")
        spans.append(AmbiguitySpan(phrase, item["type"], start, start + len(phrase)))
    return tuple(spans)


def parse_record(data: dict[str, Any]) -> LabelledSentence:
    """Validate and convert one JSON object into a LabelledSentence."""
    text = data["text"]
    return LabelledSentence(
        id=data["id"],
        doc_id=data["doc_id"],
        source=data["source"],
        licence=data["licence"],
        genre=data["genre"],
        section=data.get("section"),
        text=text,
        ambiguity=_spans(text, data.get("ambiguity", [])),
        commitment=bool(data.get("commitment", False)),
        commitment_type=data.get("commitment_type"),
        exclusion=bool(data.get("exclusion", False)),
        assumption=bool(data.get("assumption", False)),
        estimate=bool(data.get("estimate", False)),
        note=data.get("note"),
        annotator=data.get("annotator"),
        start=data.get("start"),
        end=data.get("end"),
    )


def iter_corpus(folder: Path) -> Iterator[LabelledSentence]:
    """Yield every record of every `*.jsonl` file under `folder`, sorted by file name."""
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield parse_record(json.loads(line))
                except (KeyError, ValueError) as exc:
                    raise ValueError(f"{path}:{line_no}: bad corpus record: {exc}") from exc


def load_corpus(folder: Path, split: Split | None = None) -> list[LabelledSentence]:
    """All records (optionally of one split), de-duplicated by id."""
    seen: dict[str, LabelledSentence] = {}
    for record in iter_corpus(folder):
        if split is None or record.split == split:
            seen.setdefault(record.id, record)
    return list(seen.values())
