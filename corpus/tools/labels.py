"""Labellers' line format for a batch: check it, and turn it into corpus records.

A labeller reads `corpus/batches/bNN.txt` and writes `corpus/batches/bNN.<ANNOTATOR>.labels`,
one line per sentence key, fields separated by " | ":

    b07.0001 -
    b07.0002 C=deliverable | AMB=as needed/escape_clause | AMB=etc./open_ended
    b07.0003 X | N=carve-out from the SLA
    b07.0004 A | E

`-` no label; `C=<type>` commitment; `X` exclusion; `A` assumption; `E` estimate;
`AMB=<exact phrase>/<type>` one ambiguous phrase (repeatable); `N=<note>` a short note.

    python corpus/tools/labels.py check b07 K      # errors, then counts
    python corpus/tools/labels.py records b07 K    # JSONL records on stdout
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

BATCHES = Path(__file__).resolve().parent.parent / "batches"
COMMITMENT_TYPES = {"deliverable", "deadline", "guarantee", "service_level", "price", "unbounded"}
AMBIGUITY_TYPES = {
    "vague_term",
    "open_ended",
    "subjective",
    "escape_clause",
    "placeholder",
    "unbounded",
}


def display(text: str) -> str:
    """The sentence as the labeller saw it (runs of whitespace collapsed)."""
    return " ".join(text.split())


def locate(phrase: str, text: str) -> tuple[int, int] | None:
    """Offsets of `phrase` (as seen with collapsed whitespace) in the original `text`."""
    pattern = r"\s+".join(re.escape(part) for part in phrase.split())
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None


def parse_line(line: str, text: str) -> tuple[dict[str, Any], list[str]]:
    """Labels of one line and the problems found in it."""
    labels: dict[str, Any] = {
        "ambiguity": [],
        "commitment": False,
        "commitment_type": None,
        "exclusion": False,
        "assumption": False,
        "estimate": False,
        "note": None,
    }
    problems: list[str] = []
    rest = line.split(maxsplit=1)[1].strip() if len(line.split(maxsplit=1)) > 1 else ""
    if rest in {"", "-"}:
        if rest == "":
            problems.append("no labels: write '-' for a sentence without any")
        return labels, problems
    for field in (f.strip() for f in rest.split(" | ")):
        if field == "X":
            labels["exclusion"] = True
        elif field == "A":
            labels["assumption"] = True
        elif field == "E":
            labels["estimate"] = True
        elif field.startswith("C="):
            kind = field[2:].strip()
            if kind not in COMMITMENT_TYPES:
                problems.append(f"unknown commitment type {kind!r}")
            labels["commitment"] = True
            labels["commitment_type"] = kind
        elif field.startswith("AMB="):
            phrase, _, kind = field[4:].rpartition("/")
            if kind not in AMBIGUITY_TYPES:
                problems.append(f"unknown ambiguity type {kind!r} in {field!r}")
            elif not phrase.strip():
                problems.append(f"empty phrase in {field!r}")
            elif locate(phrase, text) is None:
                problems.append(f"phrase {phrase!r} is not an exact substring of the sentence")
            else:
                labels["ambiguity"].append({"phrase": phrase.strip(), "type": kind})
        elif field.startswith("N="):
            labels["note"] = field[2:].strip() or None
        elif field != "-":
            problems.append(f"unknown field {field!r}")
    return labels, problems


def load_batch(name: str) -> list[dict[str, Any]]:
    """The unlabelled records of a batch, in order."""
    path = BATCHES / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def read_labels(name: str, annotator: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Labelled records of a batch by one annotator, and every problem found."""
    records = load_batch(name)
    by_key = {r["key"]: r for r in records}
    path = BATCHES / f"{name}.{annotator}.labels"
    if not path.exists():
        return [], [f"{path}: no such file"]
    problems: list[str] = []
    seen: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key = line.split(maxsplit=1)[0]
        if key not in by_key:
            problems.append(f"line {number}: unknown key {key!r}")
            continue
        if key in seen:
            problems.append(f"line {number}: {key} labelled twice")
        labels, found = parse_line(line, by_key[key]["text"])
        problems.extend(f"line {number} ({key}): {p}" for p in found)
        for span in labels["ambiguity"]:
            start, end = locate(span["phrase"], by_key[key]["text"]) or (0, 0)
            span["phrase"] = by_key[key]["text"][start:end]
            span["start"] = start
        seen[key] = {**by_key[key], **labels, "annotator": annotator}
    missing = [k for k in by_key if k not in seen]
    if missing:
        problems.append(f"{len(missing)} sentences not labelled, first: {', '.join(missing[:5])}")
    return [seen[k] for k in by_key if k in seen], problems


def main() -> None:
    parser = argparse.ArgumentParser(description="Check or convert a labelled batch.")
    parser.add_argument("action", choices=["check", "records"])
    parser.add_argument("batch")
    parser.add_argument("annotator")
    args = parser.parse_args()
    records, problems = read_labels(args.batch, args.annotator)
    if args.action == "check":
        for problem in problems[:40]:
            print(problem)
        if len(problems) > 40:
            print(f"... and {len(problems) - 40} more")
        counts = {
            "sentences": len(records),
            "ambiguity": sum(bool(r["ambiguity"]) for r in records),
            "commitment": sum(r["commitment"] for r in records),
            "exclusion": sum(r["exclusion"] for r in records),
            "assumption": sum(r["assumption"] for r in records),
            "estimate": sum(r["estimate"] for r in records),
        }
        print(("OK " if not problems else "PROBLEMS ") + json.dumps(counts))
        sys.exit(1 if problems else 0)
    for record in records:
        print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
