"""Cut labelling batches from `../shared/data`: whole documents or long contiguous runs.

Each document is extracted and split into sentence units by ScopeLens itself (the same
extraction, blocks and sentence bounds a scan uses), so every record keeps its source file and
character offsets into the extracted text and evaluation can run the product. No detector runs
here: labellers see the text only.

Documents are drawn per genre (seeded), skipping documents already in `corpus/labelled/` and
near-copies of chosen ones; a document gives one contiguous run of at most `--per-doc`
sentences. Output: `corpus/batches/bNN.jsonl` (records without labels) and `bNN.txt` (what a
labeller reads).

    python corpus/tools/prepare_batches.py --data ../shared/data --out corpus/batches
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import AnalyzerError
from analyzer.extract import extract
from analyzer.nlp.segment import sentence_starts

LICENCES = {
    "sow_rfp": "public domain",
    "contract_templates/common-paper": "CC BY 4.0",
    "contract_templates/bonterms": "CC0 1.0",
    "proposals/w3f": "Apache-2.0",
    "proposals/filecoin": "MIT",
    "cuad": "CC BY 4.0",
    "claudette_multilingual": "CC BY 4.0",
    "pure": "public documents (PURE release)",
}

# genre -> (glob patterns under the data folder, documents wanted, id prefix)
PLAN: dict[str, tuple[tuple[str, ...], int, str]] = {
    "contract": (("cuad/CUAD_v1/full_contract_txt/**/*.txt",), 190, "cuad"),
    "proposal": (("proposals/**/*.md",), 150, "prop"),
    "solicitation": (("sow_rfp/**/*.md", "sow_rfp/**/*.pdf", "sow_rfp/**/*.docx"), 85, "sol"),
    "template": (("contract_templates/**/*.docx", "contract_templates/**/*.md"), 22, "tpl"),
    "tos": (("claudette_multilingual/corpus/original_text/en/*.txt",), 40, "tos"),
    "requirements": (("pure/resources/req_md/*.md",), 28, "req"),
}
SKIP_NAMES = re.compile(r"(^|/)(readme|license|licence|changelog|contributing|index)\b", re.I)
LETTER = re.compile(r"[A-Za-z]")
# Enrichment: sections whose heading promises the rare labels (the labels still come from reading).
RARE_SECTIONS = re.compile(
    r"exclu|out[- ]of[- ]scope|not included|assum|dependenc|(client|customer|agency|state|"
    r"government)('s)? (responsibilit|obligation)|budget|cost|pric|fee|estimat|level of effort|"
    r"service level|sla\b|warrant|acceptance|change (request|control|order)|timeline|milestone",
    re.I,
)


@dataclass(frozen=True)
class Unit:
    """One sentence unit with its offsets into the extracted document text."""

    start: int
    end: int
    text: str
    section: str | None


def licence_of(source: str) -> str:
    """The licence of a file under the data folder (see ../shared/data/README.md)."""
    for prefix, licence in LICENCES.items():
        if source.startswith(prefix):
            return licence
    raise ValueError(f"{source}: no licence known for this folder")


def units_of(path: Path) -> list[Unit]:
    """Sentence units of one file as ScopeLens segments it (blocks are hard bounds)."""
    document = extract(path)
    units = []
    for block in document.blocks:
        starts = sentence_starts(block.text)
        bounds = [*starts, len(block.text)]
        for begin, finish in itertools.pairwise(bounds):
            raw = block.text[begin:finish]
            text = raw.rstrip()
            if not LETTER.search(text):
                continue
            start = block.start + begin
            units.append(
                Unit(start, start + len(text), text, block.section[-1] if block.section else None)
            )
    for unit in units:
        assert document.text[unit.start : unit.end] == unit.text
    return units


def doc_id_of(prefix: str, source: str) -> str:
    """A readable, unique document id: genre prefix, file stem and a hash of the path."""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower()).strip("-")[:40]
    return f"{prefix}-{stem}-{hashlib.sha1(source.encode()).hexdigest()[:6]}"


def used_sources(*folders: Path) -> set[str]:
    """Source files of the records in `folders` (the labelled corpus, cut batches)."""
    sources = set()
    for path in (p for folder in folders for p in folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                sources.add(json.loads(line)["source"])
    return sources


def normalised(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def candidates(data: Path, patterns: tuple[str, ...]) -> list[Path]:
    files: set[Path] = set()
    for pattern in patterns:
        files.update(p for p in data.glob(pattern) if p.is_file())
    return sorted(p for p in files if not SKIP_NAMES.search(p.relative_to(data).as_posix()))


def choose(
    data: Path, per_doc: int, used: set[str], seed: int, scale: float
) -> Iterator[tuple[str, str, str, list[Unit]]]:
    """Yield (doc_id, genre, source, units) for the chosen documents of every genre."""
    seen_sentences: set[str] = set()
    for genre, (patterns, wanted, prefix) in PLAN.items():
        files = candidates(data, patterns)
        random.Random(f"{seed}:{genre}").shuffle(files)
        taken = 0
        for path in files:
            if taken >= round(wanted * scale):
                break
            source = path.relative_to(data).as_posix()
            if source in used:
                continue
            try:
                units = units_of(path)
            except (AnalyzerError, MemoryError) as exc:
                print(f"skip {source}: {exc}", file=sys.stderr)
                continue
            if len(units) < 8:
                continue
            keys = [normalised(u.text) for u in units]
            repeated = sum(1 for k in keys if k in seen_sentences and len(k) > 20)
            if repeated > 0.3 * len(units):
                print(f"skip {source}: near-copy of a chosen document", file=sys.stderr)
                continue
            if len(units) > per_doc:
                first = random.Random(f"{seed}:{source}").randrange(0, len(units) - per_doc + 1)
                units = units[first : first + per_doc]
            seen_sentences.update(normalised(u.text) for u in units)
            taken += 1
            yield doc_id_of(prefix, source), genre, source, units
        print(f"{genre}: {taken} documents", file=sys.stderr)


ENRICH_SHARE = {
    "contract": 0.3,
    "proposal": 0.25,
    "solicitation": 0.25,
    "template": 0.1,
    "tos": 0.05,
    "requirements": 0.05,
}


def enrichment(
    data: Path,
    used: set[str],
    taken: set[tuple[str, int]],
    seed: int,
    per_section: int,
    headings: re.Pattern[str] = RARE_SECTIONS,
) -> Iterator[tuple[str, str, str, list[Unit]]]:
    """Yield whole sections whose heading matches `headings` (by default: the rare labels)."""
    for genre, (patterns, _wanted, prefix) in PLAN.items():
        files = candidates(data, patterns)
        random.Random(f"{seed}:enrich:{genre}").shuffle(files)
        for path in files:
            source = path.relative_to(data).as_posix()
            if source in used:
                continue
            try:
                units = units_of(path)
            except (AnalyzerError, MemoryError):
                continue
            chosen = [
                u
                for u in units
                if u.section and headings.search(u.section) and (source, u.start) not in taken
            ]
            by_section: dict[str, list[Unit]] = {}
            for unit in chosen:
                by_section.setdefault(unit.section or "", []).append(unit)
            picked = [u for section in by_section.values() for u in section[:per_section]]
            if len(picked) >= 3:
                yield doc_id_of(prefix, source), genre, source, picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("corpus/batches"))
    parser.add_argument("--labelled", type=Path, default=Path("corpus/labelled"))
    parser.add_argument("--per-doc", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=700, help="sentences per batch")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply documents wanted")
    parser.add_argument(
        "--enrich", type=int, default=0, help="instead: N sentences of rare-label sections"
    )
    parser.add_argument(
        "--headings",
        type=re.compile,
        default=RARE_SECTIONS,
        help="with --enrich: a regex the section heading must match (default: all rare labels)",
    )
    parser.add_argument("--prefix", default="b", help="batch name prefix")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    if args.enrich:
        taken = {
            (r["source"], r["start"])
            for path in args.out.glob("*.jsonl")
            for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        }
        docs = []
        budget = {g: args.enrich * share for g, share in ENRICH_SHARE.items()}
        # Other sections of a document in a batch not yet merged may still be taken: `taken`
        # keeps its units out.
        used = used_sources(args.labelled)
        for doc in enrichment(args.data, used, taken, args.seed, 25, args.headings):
            if budget[doc[1]] > 0:
                docs.append(doc)
                budget[doc[1]] -= len(doc[3])
    else:
        docs = list(
            # Documents already cut into a batch count as used even before the merge (x01 and
            # c03 once took the same solicitation).
            choose(
                args.data,
                args.per_doc,
                used_sources(args.labelled, args.out),
                args.seed,
                args.scale,
            )
        )
    # Interleave genres so every batch mixes them (a labeller's drift then shows in every genre).
    random.Random(args.seed).shuffle(docs)
    batch: list[tuple[str, str, str, list[Unit]]] = []
    number = 0

    def flush() -> None:
        nonlocal number, batch
        if not batch:
            return
        number += 1
        name = f"{args.prefix}{number:02d}"
        with (
            (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as records,
            (args.out / f"{name}.txt").open("w", encoding="utf-8") as readable,
        ):
            counter = 0
            for doc_id, genre, source, units in batch:
                readable.write(f"\n## DOCUMENT {doc_id} | genre: {genre} | {source}\n")
                last_section = object()
                for index, unit in enumerate(units):
                    counter += 1
                    key = f"{name}.{counter:04d}"
                    if unit.section != last_section:
                        readable.write(f"### section: {unit.section or '(none)'}\n")
                        last_section = unit.section
                    readable.write(f"[{key}] {' '.join(unit.text.split())}\n")
                    record = {
                        "key": key,
                        "id": f"{doc_id}#{index}",
                        "doc_id": doc_id,
                        "source": source,
                        "licence": licence_of(source),
                        "genre": genre,
                        "section": unit.section,
                        "start": unit.start,
                        "end": unit.end,
                        "text": unit.text,
                    }
                    records.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"{name}: {counter} sentences, {len(batch)} documents", file=sys.stderr)
        batch = []

    size = 0
    for doc in docs:
        batch.append(doc)
        size += len(doc[3])
        if size >= args.batch_size:
            flush()
            size = 0
    flush()


if __name__ == "__main__":
    main()
