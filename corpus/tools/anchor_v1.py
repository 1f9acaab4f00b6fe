"""Anchor the v1 corpus (`corpus/labelled/*.jsonl`, no offsets) in its source documents.

For each v1 record, find its text in the document as ScopeLens extracts it today (whitespace
runs may differ) and write re-labelling batches `corpus/batches/rNN.*` in the labelling format,
with `start`/`end` offsets. The v1 labels are kept beside them (`rNN.v1.labels`) for
adjudication against the blind re-labelling; records whose text cannot be found are reported
and dropped (their documents changed extraction since v1).

    python corpus/tools/anchor_v1.py --data ../shared/data --out corpus/batches
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from analyzer.errors import AnalyzerError
from analyzer.extract import extract


def pattern_of(text: str) -> re.Pattern[str]:
    """A regex for `text` that accepts any run of whitespace (or none at a line break)."""
    return re.compile(r"\s*".join(re.escape(part) for part in text.split()))


def v1_line(record: dict[str, Any], key: str) -> str:
    """The v1 labels of a record in the labellers' line format."""
    fields = []
    if record.get("commitment"):
        fields.append(f"C={record.get('commitment_type') or 'deliverable'}")
    for flag, code in (("exclusion", "X"), ("assumption", "A"), ("estimate", "E")):
        if record.get(flag):
            fields.append(code)
    fields.extend(f"AMB={a['phrase']}/{a['type']}" for a in record.get("ambiguity", []))
    return f"{key} {' | '.join(fields) if fields else '-'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--labelled", type=Path, default=Path("corpus/labelled"))
    parser.add_argument("--out", type=Path, default=Path("corpus/batches"))
    parser.add_argument("--batch-size", type=int, default=700)
    args = parser.parse_args()

    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted(args.labelled.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                by_doc[record["doc_id"]].append(record)
    anchored: list[tuple[str, list[dict[str, Any]]]] = []
    lost = 0
    for doc_id, records in by_doc.items():
        source = records[0]["source"]
        try:
            text = extract(args.data / source).text
        except AnalyzerError as exc:
            print(f"{doc_id}: {exc.one_line()}", file=sys.stderr)
            lost += len(records)
            continue
        kept = []
        cursor = 0
        for record in sorted(records, key=lambda r: int(r["id"].rsplit("#", 1)[1])):
            regex = pattern_of(record["text"])
            match = regex.search(text, cursor) or regex.search(text)
            if match is None:
                lost += 1
                continue
            cursor = match.end()
            kept.append(
                {
                    **record,
                    "start": match.start(),
                    "end": match.end(),
                    "text": text[match.start() : match.end()],
                }
            )
        anchored.append((doc_id, kept))
    total = sum(len(k) for _, k in anchored)
    print(f"anchored {total} records of {len(by_doc)} documents; {lost} not found", file=sys.stderr)

    number = 0
    batch: list[tuple[str, list[dict[str, Any]]]] = []

    def flush() -> None:
        nonlocal number, batch
        number += 1
        name = f"r{number:02d}"
        counter = 0
        with (
            (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as records_out,
            (args.out / f"{name}.txt").open("w", encoding="utf-8") as readable,
            (args.out / f"{name}.v1.labels").open("w", encoding="utf-8") as old_labels,
        ):
            for doc_id, records in batch:
                first = records[0]
                readable.write(
                    f"\n## DOCUMENT {doc_id} | genre: {first['genre']} | {first['source']}\n"
                )
                last_section: object = object()
                for record in records:
                    counter += 1
                    key = f"{name}.{counter:04d}"
                    if record.get("section") != last_section:
                        readable.write(f"### section: {record.get('section') or '(none)'}\n")
                        last_section = record.get("section")
                    readable.write(f"[{key}] {' '.join(record['text'].split())}\n")
                    out = {
                        "key": key,
                        "id": record["id"],
                        "doc_id": doc_id,
                        "source": record["source"],
                        "licence": record["licence"],
                        "genre": record["genre"],
                        "section": record.get("section"),
                        "start": record["start"],
                        "end": record["end"],
                        "text": record["text"],
                    }
                    records_out.write(json.dumps(out, ensure_ascii=False) + "\n")
                    old_labels.write(v1_line(record, key) + "\n")
        batch = []

    size = 0
    for item in anchored:
        if not item[1]:
            continue
        batch.append(item)
        size += len(item[1])
        if size >= args.batch_size:
            flush()
            size = 0
    if batch:
        flush()


if __name__ == "__main__":
    main()
