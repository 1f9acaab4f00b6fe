"""Worker processes: a hanging or crashing file fails alone; the batch goes on."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from batch_hooks import mark_start, misbehave

from analyzer.batch import CRASHED, ScanItem, Scanner, iter_files


def _by_name(reports: list) -> dict:
    return {Path(r.path).name: r for r in reports}


def test_batch_timeout_kills_only_that_file(make_docs: Callable[..., list[Path]]) -> None:
    paths = make_docs("a.txt", "slow.txt", "b.txt", "c.txt")
    scanner = Scanner(jobs=1, timeout=3, model_dir=None, analyze=misbehave)
    started = time.monotonic()
    reports = _by_name(list(scanner.run(iter_files(paths))))
    assert time.monotonic() - started < 60
    assert reports["slow.txt"].status == "error"
    assert reports["slow.txt"].error.startswith("timed out after 3 s")
    for name in ("a.txt", "b.txt", "c.txt"):
        assert reports[name].status == "ok", reports[name].error
        assert reports[name].findings
    assert scanner.stats.timed_out == 1
    assert scanner.stats.worker_starts == 2  # the killed worker was replaced


@pytest.mark.parametrize(
    ("name", "detail"), [("exit.txt", "(exit code 3)"), ("segv.txt", "(killed by SIGSEGV)")]
)
def test_batch_crashed_worker_only_fails_that_file(
    make_docs: Callable[..., list[Path]], name: str, detail: str
) -> None:
    paths = make_docs("a.txt", name, "b.txt", "c.txt")
    scanner = Scanner(jobs=2, timeout=60, model_dir=None, analyze=misbehave)
    reports = _by_name(list(scanner.run(iter_files(paths))))
    assert len(reports) == 4
    assert reports[name].status == "error"
    assert reports[name].error == f"{CRASHED} {detail}"
    assert reports[name].findings == []
    for other in ("a.txt", "b.txt", "c.txt"):
        assert reports[other].status == "ok", reports[other].error
    assert scanner.stats.crashed == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [("memory.txt", "out of memory"), ("bug.txt", "internal error (RuntimeError)")],
)
def test_batch_worker_errors_fail_only_that_file(
    make_docs: Callable[..., list[Path]], name: str, reason: str
) -> None:
    paths = make_docs("a.txt", name, "b.txt")
    scanner = Scanner(jobs=1, timeout=60, model_dir=None, analyze=misbehave)
    reports = _by_name(list(scanner.run(iter_files(paths))))
    assert reports[name].error.startswith(reason)
    assert reports["a.txt"].status == reports["b.txt"].status == "ok"
    assert scanner.stats.worker_starts == 1  # handled inside the worker: no restart


def test_batch_one_worker_keeps_input_order(make_docs: Callable[..., list[Path]]) -> None:
    paths = make_docs("c.txt", "a.txt", "b.txt", "d.txt")
    items = [ScanItem(str(p)) for p in paths]
    reports = list(Scanner(jobs=1, timeout=60, model_dir=None).run(items))
    assert [r.path for r in reports] == [str(p) for p in paths]


def test_batch_worker_gets_its_next_file_before_the_consumer_gets_a_report(
    make_docs: Callable[..., list[Path]],
) -> None:
    # The consumer writes each report (JSON, cache): the worker must not wait for that.
    paths = make_docs("a.txt", "b.txt", "c.txt")
    scanner = Scanner(jobs=1, timeout=60, model_dir=None, analyze=mark_start)
    reports = scanner.run(iter_files(paths))
    first = next(reports)
    assert first.path == str(paths[0])
    marker = Path(str(paths[1]) + ".started")
    deadline = time.monotonic() + 60  # a bound, not a timing: it appears at once or never
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists()  # b.txt is being analysed while we still hold a.txt's report
    assert [r.path for r in reports] == [str(p) for p in paths[1:]]


def test_batch_one_worker_keeps_input_order_around_walk_problems(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    # A missing file is answered without a worker; it still comes out in its place.
    a, c = make_docs("a.txt", "c.txt")
    paths = [a, tmp_path / "missing.txt", c]
    reports = list(Scanner(jobs=1, timeout=60, model_dir=None).run(iter_files(paths)))
    assert [Path(r.path).name for r in reports] == ["a.txt", "missing.txt", "c.txt"]


def test_batch_walk_problems_need_no_worker(tmp_path: Path) -> None:
    scanner = Scanner(jobs=2, timeout=60, model_dir=None)
    reports = list(scanner.run(iter_files([tmp_path / "missing.pdf"])))
    assert reports[0].status == "error"
    assert scanner.stats.worker_starts == 0


def test_batch_keep_documents_comes_back_from_workers(
    make_docs: Callable[..., list[Path]],
) -> None:
    paths = make_docs("a.txt", "b.txt")
    reports = list(
        Scanner(jobs=2, timeout=60, model_dir=None, keep_documents=True).run(iter_files(paths))
    )
    assert all(r.document is not None and r.document.text for r in reports)
    reports = list(Scanner(jobs=2, timeout=60, model_dir=None).run(iter_files(paths)))
    assert all(r.document is None for r in reports)


def test_batch_processes_match_in_process(make_docs: Callable[..., list[Path]]) -> None:
    paths = make_docs("a.txt", "b.txt", "c.txt")
    here = list(Scanner(jobs=1, model_dir=None).run(iter_files(paths)))
    there = list(Scanner(jobs=2, timeout=60, model_dir=None).run(iter_files(paths)))
    assert sorted((r.to_dict() for r in here), key=lambda d: d["path"]) == sorted(
        (r.to_dict() for r in there), key=lambda d: d["path"]
    )
