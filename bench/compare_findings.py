"""Compare two finding dumps of the same documents (behaviour must stay identical).

A dump is `scopelens scan DIR --format jsonl --sort --no-cache`; documents are matched by their
path below `shared/data/` (so dumps taken from different folders compare), and every field of
every finding and the summary must be equal.

    scopelens scan ../shared/data --format jsonl --jobs 2 --no-cache --sort --out /tmp/after.jsonl
    python bench/compare_findings.py /tmp/before.jsonl /tmp/after.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def documents(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path below the data folder, document) for every document line of a JSONL report."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if "findings" not in record:
                continue  # the tool/summary lines
            name = record["path"].split("shared/data/", 1)[-1]
            for finding in record["findings"]:
                finding.pop("id", None)  # a hash of the path: differs with the folder scanned
            yield name, record


def main() -> int:
    """Print the first differences; exit 1 when the dumps differ."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    before = dict(documents(args.before))
    after = dict(documents(args.after))
    problems = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old is None or new is None:
            problems.append(f"{name}: only in {'after' if old is None else 'before'}")
            continue
        for key in ("status", "error", "text_chars", "pages", "summary"):
            if old.get(key) != new.get(key):
                problems.append(f"{name}: {key} {old.get(key)!r} -> {new.get(key)!r}")
        if old["findings"] != new["findings"]:
            problems.append(
                f"{name}: findings differ ({len(old['findings'])} -> {len(new['findings'])})"
            )
    findings = sum(len(d["findings"]) for d in before.values())
    for problem in problems[:30]:
        print(problem)
    print(f"{len(before)} documents, {findings} findings: {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
