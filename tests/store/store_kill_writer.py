"""Helper process for the SIGKILL test: commit annotations in a loop, print each committed id.

Usage: python store_kill_writer.py DB_URL DOCUMENT_SHA256 FINDING_ID

Each id is printed (and flushed) only after its transaction has committed, so every printed id
must survive the process being killed at any moment.
"""

from __future__ import annotations

import sys
from itertools import count

from analyzer.store import Store, make_engine, utc_timestamp
from analyzer.types import Annotation


def main(url: str, sha256: str, finding: str) -> None:
    """Write decisions until killed."""
    engine = make_engine(url)
    store = Store(engine)
    for n in count():
        annotation_id = store.add_annotation(
            Annotation(
                document_sha256=sha256,
                document_name="acme.pdf",
                start=None,
                end=None,
                text=None,
                sentence=None,
                finding_id=finding,
                category="ambiguity",
                type="open_ended",
                decision="confirm" if n % 2 else "dismiss",
                reviewer="killed",
                created_at=utc_timestamp(),
                comment="x" * 2000,  # make each transaction write a few pages
            )
        )
        sys.stdout.write(f"{annotation_id}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(*sys.argv[1:4])
