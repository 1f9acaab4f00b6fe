"""Double annotation: agreement between two labellings of a batch, disputes, final corpus.

    python corpus/tools/adjudicate.py agreement b01 K01 D01   # per-label kappa / F1 (Markdown)
    python corpus/tools/adjudicate.py disputes b01 K01 D01    # -> batches/b01.disputes.txt
    python corpus/tools/adjudicate.py merge                   # -> corpus/labelled/*.jsonl

`disputes` lists every unit on which the two labellings differ (any sentence label, the
commitment type, or the set of ambiguity phrases and types), with its section and neighbours,
the two label lines in a random order (so the adjudicator cannot tell whose is whose), for an
adjudicator to write `bNN.ADJ.labels` with the final line of each disputed unit. `merge`
takes, per batch: a single labelling as it is; for a double-labelled batch the agreed units
plus the adjudicated disputes (the batch is left out, loudly, while any dispute is open).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from labels import BATCHES, load_batch, read_labels

CORPUS = BATCHES.parent / "labelled"
LABELS = ("ambiguity", "commitment", "exclusion", "assumption", "estimate")
GENRE_FILES = {
    "contract": "contracts",
    "template": "templates",
    "proposal": "proposals",
    "solicitation": "solicitations",
    "tos": "terms_of_service",
    "requirements": "requirements",
}


def signature(record: dict[str, Any]) -> tuple[Any, ...]:
    """What two labellings must share for a unit to count as agreed."""
    phrases = tuple(sorted((a["phrase"].lower(), a["type"]) for a in record["ambiguity"]))
    return (
        record["commitment"],
        record["commitment_type"],
        record["exclusion"],
        record["assumption"],
        record["estimate"],
        phrases,
    )


def line_of(record: dict[str, Any]) -> str:
    """A record's labels in the labellers' line format (without the key)."""
    fields = []
    if record["commitment"]:
        fields.append(f"C={record['commitment_type']}")
    fields += [
        code
        for name, code in (("exclusion", "X"), ("assumption", "A"), ("estimate", "E"))
        if record[name]
    ]
    fields += [f"AMB={a['phrase']}/{a['type']}" for a in record["ambiguity"]]
    return " | ".join(fields) or "-"


def agreement(batches: list[tuple[str, str, str]]) -> str:
    """Agreement of two labellings over (batch, first, second) triples, pooled, as Markdown.

    The figures are `analyzer.classify.agreement`'s (Cohen's kappa and F1 per label, phrase
    overlap F1), computed on the batch records as corpus records.
    """
    from analyzer.classify.agreement import format_agreement, label_agreement, phrase_agreement
    from analyzer.classify.corpus import parse_record

    first, second = [], []
    for batch, a, b in batches:
        first += [parse_record(r) for r in labelled(batch, a)]
        second += [parse_record(r) for r in labelled(batch, b)]
    return format_agreement(label_agreement(first, second), phrase_agreement(first, second))


def labelled(batch: str, annotator: str) -> list[dict[str, Any]]:
    """A batch's records by one annotator; exits with the problems when the file is bad."""
    records, problems = read_labels(batch, annotator)
    if problems:
        sys.exit(f"{batch}.{annotator}: {problems[0]} (and {len(problems) - 1} more)")
    return records


def write_disputes(batch: str, first: str, second: str) -> int:
    """Write `batch.disputes.txt`; return the number of disputed units."""
    a, b = labelled(batch, first), labelled(batch, second)
    other = {r["key"]: r for r in b}
    units = load_batch(batch)
    index = {r["key"]: i for i, r in enumerate(units)}
    rng = random.Random(f"disputes:{batch}")
    lines = []
    count = 0
    for record in a:
        twin = other[record["key"]]
        if signature(record) == signature(twin):
            continue
        count += 1
        i = index[record["key"]]
        before = " ".join(units[i - 1]["text"].split()) if i else "(start of run)"
        options = [line_of(record), line_of(twin)]
        rng.shuffle(options)
        lines += [
            f"[{record['key']}] doc {record['doc_id']} | section: {record['section'] or '(none)'}",
            f"  previous: {before[:300]}",
            f"  UNIT: {' '.join(record['text'].split())}",
            f"  option 1: {options[0]}",
            f"  option 2: {options[1]}",
            "",
        ]
    (BATCHES / f"{batch}.disputes.txt").write_text("\n".join(lines), encoding="utf-8")
    return count


def final_records(batch: str) -> list[dict[str, Any]] | None:
    """The final records of a batch, or None when it is not ready (reason on stderr)."""
    annotators = sorted(
        p.name.split(".")[1]
        for p in BATCHES.glob(f"{batch}.*.labels")
        if p.name.split(".")[1] not in {"ADJ", "v1"}
    )
    v1 = (BATCHES / f"{batch}.v1.labels").exists()
    if v1:
        annotators = ["v1", *annotators]
    if not annotators or (v1 and len(annotators) < 2):
        print(f"{batch}: not labelled yet", file=sys.stderr)
        return None
    for annotator in annotators[:2]:
        problems = read_labels(batch, annotator)[1]
        if problems:
            print(f"{batch}.{annotator}: not ready: {problems[0]}", file=sys.stderr)
            return None
    if len(annotators) == 1:
        return labelled(batch, annotators[0])
    first, second = annotators[0], annotators[1]
    a, b = labelled(batch, first), labelled(batch, second)
    other = {r["key"]: r for r in b}
    adjudicated: dict[str, dict[str, Any]] = {}
    if (BATCHES / f"{batch}.ADJ.labels").exists():
        records, _ = read_labels(batch, "ADJ")  # holds the disputed units only
        adjudicated = {r["key"]: r for r in records}
    out = []
    for record in a:
        twin = other[record["key"]]
        if signature(record) == signature(twin):
            out.append({**record, "annotator": f"{first}+{second}"})
        elif record["key"] in adjudicated:
            out.append({**adjudicated[record["key"]], "annotator": f"{first}/{second}>ADJ"})
        else:
            print(f"{batch}: {record['key']} disputed and not adjudicated", file=sys.stderr)
            return None
    return out


def merge(target: Path = CORPUS) -> None:
    """Write `<target>/<genre>.jsonl` (default corpus/labelled) from every ready batch."""
    names = sorted({p.name.split(".")[0] for p in BATCHES.glob("*.jsonl")})
    by_genre: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name in names:
        records = final_records(name)
        for record in records or []:
            record.pop("key", None)
            record["batch"] = name
            # One id per sentence of a document, stable across batches: its offset.
            if record["id"] != f"{record['doc_id']}@{record['start']}":
                record["first_id"] = record["id"]
            record["id"] = f"{record['doc_id']}@{record['start']}"
            by_genre[record["genre"]].append(record)
    target.mkdir(parents=True, exist_ok=True)
    for path in target.glob("*.jsonl"):
        path.unlink()
    counts: Counter[str] = Counter()
    for genre, records in by_genre.items():
        records.sort(key=lambda r: (r["doc_id"], r["start"]))
        with (target / f"{GENRE_FILES[genre]}.jsonl").open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        counts[genre] = len(records)
    print(f"{sum(counts.values())} records: {dict(counts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["agreement", "disputes", "merge"])
    parser.add_argument("batch", nargs="?")
    parser.add_argument("first", nargs="?")
    parser.add_argument("second", nargs="?")
    parser.add_argument("--out", type=Path, default=CORPUS, help="merge: the folder to write")
    args = parser.parse_args()
    if args.action == "merge":
        merge(args.out)
    elif args.action == "agreement":
        print(agreement([(args.batch, args.first, args.second)]))
    else:
        count = write_disputes(args.batch, args.first, args.second)
        print(f"{args.batch}: {count} disputed units -> {BATCHES / (args.batch + '.disputes.txt')}")


if __name__ == "__main__":
    main()
