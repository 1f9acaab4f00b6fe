"""Durability and concurrency: parallel reviewers lose nothing, a killed writer loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Engine, text
from store_helpers import TEXT, decide, make_document, make_finding

from analyzer.store import Store, create_schema, make_engine

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("store_kill_writer.py")
THREADS = 8
PER_THREAD = 50
KILL_AFTER = 40
"""Committed ids to see before the writer is killed."""

DOC = make_document()
FINDINGS = [make_finding(TEXT, "including but not limited to"), make_finding(TEXT, "etc.")]


def test_store_concurrent_reviewers_lose_nothing(store: Store) -> None:
    store.save_document(DOC)
    start = threading.Barrier(THREADS)

    def review(worker: int) -> list[int]:
        start.wait()  # all threads write at the same time
        return [
            store.add_annotation(
                decide(
                    FINDINGS[n % 2],
                    DOC,
                    "confirm" if n % 3 else "dismiss",
                    reviewer=f"reviewer-{worker}",
                    created_at="",
                    comment=f"{worker}/{n}",
                )
            )
            for n in range(PER_THREAD)
        ]

    with ThreadPoolExecutor(THREADS) as pool:
        ids = [i for batch in pool.map(review, range(THREADS)) for i in batch]

    assert len(ids) == len(set(ids)) == THREADS * PER_THREAD
    history = store.annotations(DOC.sha256)
    assert len(history) == THREADS * PER_THREAD
    assert {a.comment for a in history} == {
        f"{w}/{n}" for w in range(THREADS) for n in range(PER_THREAD)
    }
    # Latest per finding and reviewer: 2 findings x 8 reviewers.
    assert len(store.current_decisions(DOC.sha256)) == 2 * THREADS


def test_store_concurrent_document_saves(store: Store) -> None:
    """The unique-sha256 race: every thread gets the one id, one row exists."""
    start = threading.Barrier(THREADS)

    def save(_: int) -> int:
        start.wait()
        return store.save_document(DOC)

    with ThreadPoolExecutor(THREADS) as pool:
        ids = set(pool.map(save, range(THREADS)))
    assert len(ids) == 1
    assert len(store.list_documents()) == 1


def test_store_killed_writer_loses_nothing(db_url: str, engine: Engine) -> None:
    store = Store(engine)
    store.save_document(DOC)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), db_url, DOC.sha256, FINDINGS[0].id],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    printed: list[int] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while len(printed) < KILL_AFTER and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            printed.append(int(line))
        assert len(printed) >= KILL_AFTER, f"writer stopped early: {proc.stderr.read()}"  # type: ignore[union-attr]
        os.kill(proc.pid, signal.SIGKILL)  # in the middle of the write loop
        rest, _ = proc.communicate(timeout=30)
        printed += [int(line) for line in rest.split()]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    engine.dispose()  # forget pooled connections; reopen the database from scratch
    reopened = make_engine(db_url)
    try:
        create_schema(reopened)
        with reopened.connect() as conn:
            stored = set(conn.execute(text("SELECT id FROM annotations")).scalars())
            if reopened.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").first() is None
        assert set(printed) <= stored
        assert len(Store(reopened).annotations(DOC.sha256)) == len(stored)
    finally:
        reopened.dispose()
