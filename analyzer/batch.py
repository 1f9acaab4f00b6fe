"""Many files: walk folders, analyse in worker processes, stream results as files finish.

Each worker process loads the pipeline once (pool initializer). A file that fails, hangs or
cannot be read becomes an error report; the batch goes on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from analyzer.analyze import DEFAULT_MODEL, Analyzer, error_report
from analyzer.config import SUPPORTED_SUFFIXES, Limits
from analyzer.types import DocumentReport


@dataclass(frozen=True, slots=True)
class ScanItem:
    """One file to scan, or one path that already failed while walking (with its reason)."""

    path: str
    problem: str | None = None


def iter_files(paths: Iterable[str | Path], *, all_files: bool = False) -> Iterator[ScanItem]:
    """Yield the files to scan under `paths`, recursively, in a stable (sorted) order.

    Folders are walked without following symlinked folders (no loops); files with unsupported
    extensions inside folders are skipped unless `all_files`, but a file named explicitly is
    always yielded so the user gets a clear answer about it. Unreadable entries are yielded with
    a problem instead of raising.
    """
    for raw in paths:
        path = Path(raw)
        try:
            st = path.stat()
        except FileNotFoundError:
            yield ScanItem(str(path), "file not found: check the path")
            continue
        except OSError as exc:
            yield ScanItem(str(path), f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path, all_files)
        else:
            yield ScanItem(str(path))


def _walk(root: Path, all_files: bool) -> Iterator[ScanItem]:
    problems: list[ScanItem] = []

    def on_error(exc: OSError) -> None:
        problems.append(ScanItem(str(exc.filename), f"cannot read folder: {exc.strerror or exc}"))

    found: list[ScanItem] = []
    for folder, dirs, files in os.walk(root, onerror=on_error, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            full = Path(folder, name)
            if name.startswith(".") or name.startswith("~$"):
                continue
            if not all_files and full.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            found.append(ScanItem(str(full)))
    yield from sorted(found + problems, key=lambda item: item.path)


# ---------------------------------------------------------------------------------------------
# Worker side
# ---------------------------------------------------------------------------------------------

_WORKER: Analyzer | None = None


def _init_worker(engine: str, limits: Limits | None, model_dir: Path | None) -> None:
    global _WORKER
    _WORKER = Analyzer(engine=engine, limits=limits, model_dir=model_dir)
    # Load the pipeline and the model once per process, before the first file.
    _WORKER.nlp  # noqa: B018
    _WORKER.model  # noqa: B018


def _analyze_in_worker(path: str) -> DocumentReport:
    assert _WORKER is not None
    report = _WORKER.analyze_path(path)
    report.document = None  # the extracted text stays in the worker: keep IPC small
    return report


def scan(
    items: Iterable[ScanItem],
    *,
    jobs: int = 1,
    engine: str = "auto",
    limits: Limits | None = None,
    keep_documents: bool = False,
    on_result: Callable[[DocumentReport], None] | None = None,
    model_dir: Path | None = DEFAULT_MODEL,
) -> Iterator[DocumentReport]:
    """Analyse files, yielding reports as they finish (order of completion).

    Args:
        items: from `iter_files`.
        jobs: worker processes; 1 runs in this process.
        engine: PDF engine (see `Analyzer`).
        limits: per-file limits.
        keep_documents: keep extracted text on each report (only with jobs=1; for HTML output).
        on_result: called for each report as it is produced (progress bars).
        model_dir: the classifier to use (default: the shipped one; None: rules only).
    """
    items = list(items)
    if jobs <= 1:
        analyzer = Analyzer(engine=engine, limits=limits, model_dir=model_dir)
        for item in items:
            report = (
                error_report(item.path, item.problem)
                if item.problem
                else _guarded(analyzer, item.path)
            )
            if not keep_documents:
                report.document = None
            if on_result:
                on_result(report)
            yield report
        return
    yield from _scan_parallel(items, jobs, engine, limits, on_result, model_dir)


def _guarded(analyzer: Analyzer, path: str) -> DocumentReport:
    try:
        return analyzer.analyze_path(path)
    except Exception as exc:  # last line of defence: a bug must not stop the batch
        return error_report(path, f"internal error ({type(exc).__name__}): please report this file")


def _scan_parallel(
    items: list[ScanItem],
    jobs: int,
    engine: str,
    limits: Limits | None,
    on_result: Callable[[DocumentReport], None] | None,
    model_dir: Path | None,
) -> Iterator[DocumentReport]:
    pending: dict[Future[DocumentReport], str] = {}
    queue = iter(items)
    # Bounded number of in-flight tasks keeps memory flat for huge folders.
    max_in_flight = jobs * 4
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_init_worker, initargs=(engine, limits, model_dir)
    ) as pool:

        def submit_more() -> Iterator[DocumentReport]:
            while len(pending) < max_in_flight:
                item = next(queue, None)
                if item is None:
                    return
                if item.problem:
                    yield error_report(item.path, item.problem)
                    continue
                pending[pool.submit(_analyze_in_worker, item.path)] = item.path

        for report in submit_more():
            if on_result:
                on_result(report)
            yield report
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                path = pending.pop(future)
                try:
                    report = future.result()
                except Exception as exc:
                    report = error_report(
                        path, f"internal error ({type(exc).__name__}): please report this file"
                    )
                if on_result:
                    on_result(report)
                yield report
            for report in submit_more():
                if on_result:
                    on_result(report)
                yield report
