"""The scanner: cache lookups, a backend (this process, worker processes, Dask), cache stores,
and the JSON stream the reports are written to."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from analyzer.analyze import DEFAULT_MODEL, Mode, error_report
from analyzer.config import Limits
from analyzer.report.json import dumps_indented
from analyzer.types import DocumentReport, ToolInfo

if TYPE_CHECKING:
    from analyzer.analyze import Analyzer
    from analyzer.cache import ScanCache
    from analyzer.extract import Engine
from analyzer.batch.files import ScanItem
from analyzer.batch.local import WorkerPool
from analyzer.batch.tasks import (
    AnalyzeFn,
    Outcome,
    ScanStats,
    Task,
    WorkerConfig,
    build_analyzer,
    expected_tool,
    resolve_encoder_dir,
    resolve_model_dir,
    run_task,
)

# ---------------------------------------------------------------------------------------------
# The scanner: cache lookups, backend, cache stores
# ---------------------------------------------------------------------------------------------


class Scanner:
    """Analyses many files with a cache and a backend (this process, worker processes, Dask).

    Args:
        jobs: worker processes (or Dask tasks in flight per worker); at least 1.
        engine: PDF engine (see `Analyzer`).
        limits: per-file limits (size, pages, ...); `timeout` defaults to `limits.timeout_s`
            when processes are used.
        model_dir: the linear classifier (default: the shipped one; None: rules only).
        mode: "accurate", "fast" or "rules" (see `Analyzer`).
        encoder_dir: the accurate-mode encoder (default: the shipped one).
        timeout: seconds per file (None: no limit). Enforced by killing the worker, so it needs
            worker processes; `in_process` scans ignore it.
        cache: a `ScanCache` to answer unchanged files from and store fresh reports in.
        cache_dir: instead of `cache`, the folder of one keyed on this scanner's own
            configuration (model, mode, encoder, engine, limits), so it never answers a file
            with a report made otherwise.
        keep_documents: keep the extracted text on each report (workers then send it back).
        in_process: analyse in this process (no timeout, no crash isolation); default: only
            when `jobs` is 1 and there is no timeout.
        analyze: a picklable `(analyzer, path) -> report` run instead of `analyze_file`
            (tests use it to simulate hanging and crashing files).
        dask: a Dask scheduler address, or "local" for a local cluster of `jobs` workers.
        dask_client: an open `distributed.Client` to run on instead (left open).
        start_method: multiprocessing start method for the workers.
    """

    def __init__(
        self,
        *,
        jobs: int = 1,
        engine: Engine = "auto",
        limits: Limits | None = None,
        model_dir: Path | None = DEFAULT_MODEL,
        mode: Mode = "fast",
        encoder_dir: Path | None = DEFAULT_MODEL,
        timeout: float | None = None,
        cache: ScanCache | None = None,
        cache_dir: Path | None = None,
        keep_documents: bool = False,
        in_process: bool | None = None,
        analyze: AnalyzeFn | None = None,
        dask: str | None = None,
        dask_client: Any = None,
        start_method: str | None = None,
    ) -> None:
        self.jobs = max(1, jobs)
        self.timeout = timeout if timeout and timeout > 0 else None
        self.dask = "client" if dask is None and dask_client is not None else dask
        self.dask_client = dask_client
        self.in_process = (
            in_process if in_process is not None else (self.jobs == 1 and self.timeout is None)
        ) and self.dask is None
        self.start_method = start_method
        self.model_dir = resolve_model_dir(model_dir)
        self.mode: Mode = "rules" if self.model_dir is None else mode
        self.encoder_dir = resolve_encoder_dir(encoder_dir)
        self.config = WorkerConfig(
            engine=engine,
            limits=limits,
            model_dir=self.model_dir,
            keep_documents=keep_documents,
            analyze=analyze,
            single_thread=not self.in_process,
            mode=self.mode,
            encoder_dir=self.encoder_dir,
        )
        if cache is None and cache_dir is not None:
            from analyzer.cache import ScanCache, scan_fingerprint

            fingerprint = scan_fingerprint(
                self.model_dir,
                engine=engine,
                limits=limits,
                mode=self.mode,
                encoder_dir=self.encoder_dir,
            )
            cache = ScanCache(cache_dir, fingerprint)
        self.cache = cache
        self.stats = ScanStats()

    @property
    def tool(self) -> ToolInfo:
        """The `tool` of the report: as the workers (or the cache) said, else as expected."""
        return self.stats.tool or expected_tool(self.model_dir, self.mode, self.encoder_dir)

    def run(
        self,
        items: Iterable[ScanItem],
        on_result: Callable[[DocumentReport], None] | None = None,
    ) -> Iterator[DocumentReport]:
        """Yield one report per item, in the order files finish.

        With one worker (or in process) that is the order of `items`; with more, a slow file
        finishes after faster ones that came later.
        """
        outcomes = self._backend(self._tasks(items))
        for outcome in outcomes:
            report = outcome.report
            task = outcome.task
            if task is not None:
                self.stats.analysed += 1
                if (
                    outcome.cacheable
                    and self.cache is not None
                    and task.sha256 is not None
                    and report.sha256 in (None, task.sha256)
                    and self.stats.tool is not None
                ):
                    self.cache.put(task.sha256, report, self.stats.tool)
            if report.status == "error":
                self.stats.failed += 1
            if on_result is not None:
                on_result(report)
            yield report
        if self.cache is not None and self.cache.warning:
            self.stats.warn(self.cache.warning)

    def _tasks(self, items: Iterable[ScanItem]) -> Iterator[Task | Outcome]:
        """Files to analyse, with walk problems and cache hits already answered."""
        from analyzer.cache import file_sha256

        for item in items:
            if item.problem:
                yield Outcome(error_report(item.path, item.problem))
                continue
            sha = None
            if self.cache is not None and self.cache.enabled:
                sha = file_sha256(item.path)
                hit = self.cache.get(sha, item.path) if sha else None
                if hit is not None:
                    self.stats.cached += 1
                    self.stats.note_tool(hit.tool)
                    yield Outcome(hit.report)
                    continue
            yield Task(item.path, sha)

    def _backend(self, tasks: Iterator[Task | Outcome]) -> Iterator[Outcome]:
        if self.dask is not None:
            from analyzer.batch.dask import run_dask

            return run_dask(
                tasks,
                self.dask,
                self.config,
                self.stats,
                workers=self.jobs,
                timeout=self.timeout,
                client=self.dask_client,
            )
        if self.in_process:
            return self._run_here(tasks)
        pool = WorkerPool(
            self.jobs,
            self.config,
            timeout=self.timeout,
            stats=self.stats,
            start_method=self.start_method,
        )
        return pool.run(tasks)

    def _run_here(self, tasks: Iterator[Task | Outcome]) -> Iterator[Outcome]:
        analyzer: Analyzer | None = None
        for item in tasks:
            if isinstance(item, Outcome):
                yield item
                continue
            if analyzer is None:
                analyzer = build_analyzer(self.config)
                self.stats.note_tool(analyzer.tool, analyzer.model_warning)
            report, cacheable = run_task(analyzer, self.config, item.path)
            yield Outcome(report, item, cacheable)


_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonStream:
    """Writes the JSON report (or JSON Lines) one document at a time, as files finish.

    The JSON text is the same as `analyzer.report.to_json` would give for the documents in the
    order written; only the current document is ever held. The `tool` object is written with
    the first document, when the workers have said which model they loaded.

    Args:
        handle: a text file opened for writing (stdout, or `--out`).
        lines: write JSON Lines (one compact document per line, no `tool`) instead.
    """

    def __init__(self, handle: TextIO, *, lines: bool = False) -> None:
        self.handle = handle
        self.lines = lines
        self.count = 0

    def write(self, report: DocumentReport, tool: ToolInfo) -> None:
        """Append one document and flush, so readers see it at once."""
        data = report.to_dict()
        indent = None if self.lines else 2
        text = json.dumps(data, ensure_ascii=False) if self.lines else dumps_indented(data)
        if _SURROGATE.search(text):
            # A file name that is not valid UTF-8 decodes to lone surrogates, which no UTF-8
            # file can hold: escape them (\udce9), which JSON readers turn back into the name.
            text = json.dumps(data, indent=indent, ensure_ascii=True)
        if self.lines:
            self.handle.write(text + "\n")
        else:
            if self.count == 0:
                self._header(tool)
            text = text.replace("\n", "\n    ")
            self.handle.write(("\n    " if self.count == 0 else ",\n    ") + text)
        self.count += 1
        self.handle.flush()

    def _header(self, tool: ToolInfo) -> None:
        tool_text = json.dumps(tool.to_dict(), indent=2, ensure_ascii=False).replace("\n", "\n  ")
        self.handle.write('{\n  "tool": ' + tool_text + ',\n  "documents": [')

    def close(self, tool: ToolInfo) -> None:
        """Finish the JSON text (the file itself is the caller's to close)."""
        if not self.lines:
            if self.count == 0:
                self._header(tool)
                self.handle.write("]\n}\n")
            else:
                self.handle.write("\n  ]\n}\n")
        self.handle.flush()
