"""Induce ambiguity phrases from the labelled corpus (train split only).

`python -m analyzer.classify.induce` rewrites `analyzer/nlp/patterns/ambiguity_induced.jsonl`:

1. Collect the gold ambiguity phrases of the *train* records (`split_of(doc_id) == "train"`),
   normalised to lower case with single spaces.
2. Keep the candidates with enough support: at least `--min-support` gold occurrences, from at
   least `--min-docs` different documents, and not already a phrase of a hand-written pattern.
3. Match every candidate case-insensitively (a spaCy `PhraseMatcher` on `LOWER`, the same
   tokenizer the pipeline uses) in every train sentence and measure its precision: the share
   of matches that overlap a gold phrase.
4. Write the candidates with precision >= `--min-precision` as phrase patterns, typed by the
   majority gold type, with that type's severity, explanation and suggestion from
   `induced_texts.json` (worded for any phrase of the type: a hand-written pattern's text is
   about its own words) and `source_of_idea` recording the measured precision and matches.

The thresholds were chosen on the dev split (never on test). `--audit` instead prints the train
precision of every hand-written ambiguity phrase as the pipeline applies it (guards included).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher

from analyzer.classify.corpus import LabelledSentence, load_corpus
from analyzer.nlp.patterns import PATTERNS_DIR, load_patterns
from analyzer.nlp.pipeline import build_pipeline, build_tokenizer_only

CORPUS_DIR = Path("corpus/labelled")
"""Relative to the working folder: run from the checkout root (`make model`) or pass --corpus."""
OUTPUT = PATTERNS_DIR / "ambiguity_induced.jsonl"
TEXTS_FILE = Path(__file__).with_name("induced_texts.json")
MIN_SUPPORT = 2
# A phrase labelled in one document only is that document's wording ("1 person/ per week",
# "[3]"): with 2, dev scores were the same and 24 such phrases no longer fire on other files
# (a lone "[3]" matched every numbered citation of a requirements document).
MIN_DOCS = 2
MIN_PRECISION = 0.5
MAX_TOKENS = 6
_SPACES = re.compile(r"\s+")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One gold phrase with its train statistics."""

    phrase: str
    type: str
    """The ambiguity type the phrase is labelled with most often."""
    gold: int
    """How many times it is labelled a vague phrase in train."""
    docs: int
    matches: int
    hits: int

    @property
    def precision(self) -> float:
        """Share of the phrase's train matches that overlap a gold phrase."""
        return self.hits / self.matches if self.matches else 0.0


def normalise(phrase: str) -> str:
    """Lower case, single spaces, no surrounding whitespace."""
    return _SPACES.sub(" ", phrase.strip().lower())


def slug(phrase: str) -> str:
    """A pattern-id-safe slug of a phrase ("as reasonably requested" -> "as_reasonably_...")."""
    text = _SLUG.sub("_", phrase).strip("_")
    if not text:
        text = "x" + "".join(f"{ord(c):x}" for c in phrase if not c.isspace())
    return text[:60]


def hand_written_phrases() -> set[str]:
    """Lower-cased phrases of the hand-written ambiguity patterns."""
    out: set[str] = set()
    for pattern in load_patterns("ambiguity"):
        out.update(normalise(p) for p in pattern.phrases)
        for token_pattern in pattern.pattern:
            if len(token_pattern) == 1 and isinstance(token_pattern[0].get("LOWER"), str):
                out.add(token_pattern[0]["LOWER"])
    return out


def measure(
    records: Sequence[LabelledSentence], nlp: Language, min_support: int, min_docs: int
) -> list[Candidate]:
    """Gold phrases of `records` with enough support, and their match precision on `records`."""
    gold_types: dict[str, Counter[str]] = defaultdict(Counter)
    gold_docs: dict[str, set[str]] = defaultdict(set)
    for record in records:
        for span in record.ambiguity:
            key = normalise(span.phrase)
            gold_types[key][span.type] += 1
            gold_docs[key].add(record.doc_id)
    known = hand_written_phrases()
    wanted = [
        p
        for p, types in gold_types.items()
        if sum(types.values()) >= min_support
        and len(gold_docs[p]) >= min_docs
        and p not in known
        # A phrase needs a letter or digit: a lone "#" (a Markdown heading marker, a table's
        # number column) was labelled once inside "[agreed # of days]" and would fire on every
        # heading.
        and any(c.isalnum() for c in p)
    ]
    tokenizer = nlp.tokenizer
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    keep = []
    for phrase in wanted:
        doc = tokenizer(phrase)
        if 0 < len(doc) <= MAX_TOKENS:
            matcher.add(phrase, [doc])
            keep.append(phrase)
    matches: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for record in records:
        doc = tokenizer(record.text)
        gold = [(s.start, s.end) for s in record.ambiguity]
        for match_id, start, end in matcher(doc):
            phrase = nlp.vocab.strings[match_id]
            cs, ce = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
            matches[phrase] += 1
            hits[phrase] += any(cs < ge and gs < ce for gs, ge in gold)
    out = []
    for phrase in keep:
        types = gold_types[phrase]
        out.append(
            Candidate(
                phrase=phrase,
                type=types.most_common(1)[0][0],
                gold=sum(types.values()),
                docs=len(gold_docs[phrase]),
                matches=matches[phrase],
                hits=hits[phrase],
            )
        )
    return sorted(out, key=lambda c: (c.type, c.phrase))


def type_texts(path: Path = TEXTS_FILE) -> dict[str, dict[str, str]]:
    """Severity, explanation and suggestion of an induced pattern, by ambiguity type."""
    texts: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return texts


def to_records(candidates: Iterable[Candidate], min_precision: float) -> list[dict[str, object]]:
    """Pattern records (ambiguity phrase patterns) for the candidates precise enough."""
    texts = type_texts()
    records: list[dict[str, object]] = []
    seen: set[str] = set()
    for c in candidates:
        if c.precision < min_precision:
            continue
        pid = f"induced.{c.type}.{slug(c.phrase)}"
        while pid in seen:
            pid += "_"
        seen.add(pid)
        records.append(
            {
                "id": pid,
                "category": "ambiguity",
                "type": c.type,
                **texts[c.type],
                "source_of_idea": (
                    f"induced from corpus train split: precision {c.precision:.2f} on "
                    f"{c.matches} train matches ({c.gold} gold in {c.docs} documents)"
                ),
                "phrases": [c.phrase],
                "legal_boilerplate_ok": True,
            }
        )
    return records


def write(records: Sequence[dict[str, object]], path: Path = OUTPUT) -> None:
    """Write the pattern records as JSONL with a generated-file header."""
    lines = [
        "// Generated by `python -m analyzer.classify.induce` from the corpus train split. "
        "Do not edit by hand: rerun the script.",
        *(json.dumps(r, ensure_ascii=False) for r in records),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def audit(records: Sequence[LabelledSentence]) -> list[tuple[str, str, int, int]]:
    """(pattern id, matched text, matches, hits) of every hand-written ambiguity finding."""
    from analyzer.classify.evaluate import predict_record

    nlp = build_pipeline()
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for record in records:
        prediction = predict_record(record, nlp)
        gold = [(s.start, s.end) for s in record.ambiguity]
        for start, end, type_ in prediction.phrases:
            entry = counts[(type_, normalise(record.text[start:end]))]
            entry[0] += 1
            entry[1] += any(start < ge and gs < end for gs, ge in gold)
    return sorted(((t, p, n, h) for (t, p), (n, h) in counts.items()), key=lambda x: x[3] - x[2])


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: rewrite the induced pattern file (or audit the hand-written phrases)."""
    parser = argparse.ArgumentParser(prog="python -m analyzer.classify.induce", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--min-support", type=int, default=MIN_SUPPORT)
    parser.add_argument("--min-docs", type=int, default=MIN_DOCS)
    parser.add_argument("--min-precision", type=float, default=MIN_PRECISION)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    parser.add_argument("--audit", action="store_true", help="print hand-written phrase precision")
    parser.add_argument("--dry-run", action="store_true", help="print candidates, write nothing")
    args = parser.parse_args(argv)
    train = load_corpus(args.corpus, "train")
    if args.audit:
        for type_, phrase, n, hits in audit(train):
            print(f"{hits / n:5.2f} {hits:3d}/{n:<3d} {type_:14s} {phrase}")
        return 0
    candidates = measure(train, build_tokenizer_only(), args.min_support, args.min_docs)
    records = to_records(candidates, args.min_precision)
    if args.dry_run:
        for c in candidates:
            mark = "+" if c.precision >= args.min_precision else " "
            print(f"{mark} {c.precision:4.2f} {c.hits:3d}/{c.matches:<3d} {c.type:14s} {c.phrase}")
        return 0
    write(records, args.out)
    print(f"{len(records)} induced patterns written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
