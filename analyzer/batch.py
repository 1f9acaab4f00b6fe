"""Many files: walk folders, analyse in worker processes, stream results as files finish.

`Scanner.run(items)` yields one `DocumentReport` per file in the order files finish. Around the
analysis it adds what a batch of thousands of files needs:

- **Worker processes the parent can kill.** Each worker loads the pipeline and the model once,
  then takes one file at a time over a pipe. A file that runs past the per-file timeout has its
  worker killed and restarted; a worker that dies (a segfault in a PDF library, the OOM killer,
  `os._exit`) fails only the file it was reading. Either way the batch goes on.
- **Flat memory.** Files are taken from the iterator only when a worker is free, and only the
  reports (never the extracted text, unless asked) come back from the workers.
- **A cache** (`analyzer.cache`): each file is hashed in this process; a file whose bytes and
  configuration were seen before is answered from the cache without starting a worker, and
  each fresh report is stored as soon as it arrives, so an interrupted batch resumes.
- **Dask** (`analyzer.distributed`) as another backend for the same loop.

Workers start through the "forkserver" (POSIX) with the heavy modules preloaded, else "spawn":
never a bare fork of a parent that may run threads (the progress bar, a Dask client).
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import os
import re
import signal
import stat
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_ready
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from analyzer import __version__
from analyzer.analyze import DEFAULT_MODEL, Mode, error_report
from analyzer.config import SCANNED_SUFFIXES, Limits
from analyzer.report.json import dumps_indented
from analyzer.types import DocumentReport, ToolInfo

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from analyzer.analyze import Analyzer
    from analyzer.cache import ScanCache
    from analyzer.extract import Engine

CRASHED = "worker crashed while reading this file"
"""Error of a file whose worker process died (segfault, out of memory, killed)."""

AnalyzeFn = Callable[["Analyzer", str], DocumentReport]
"""What a worker does with one path: `analyze_file` unless a caller (a test) injects another.
It must be picklable (a module-level function) to reach worker processes."""

_PRELOAD = (
    "analyzer.analyze",
    "analyzer.batch",
    "analyzer.nlp",
    "analyzer.checks",
    "analyzer.scoring",
    "analyzer.classify.model",
    "analyzer.classify.combine",
    "analyzer.classify.features",
    "analyzer.extract",
    "analyzer.extract.pdf",
    "analyzer.extract.docx",
)
"""Modules the forkserver imports once, so a worker (or a restarted one) starts in ~1 s."""

_STARTUP_FAILURES = 3
"""Workers that may die before becoming ready, in a row, before the batch gives up."""

_STARTUP_TIMEOUT = 180.0
"""Seconds a worker may take to load the pipeline and model before it counts as failed."""


@dataclass(frozen=True, slots=True)
class ScanItem:
    """One file to scan, or one path that already failed while walking (with its reason)."""

    path: str
    problem: str | None = None


def iter_files(paths: Iterable[str | Path], *, all_files: bool = False) -> Iterator[ScanItem]:
    """Yield the files to scan under `paths`, recursively, in a stable (sorted) order.

    Folders are walked without following symlinked folders (no loops); inside folders, files
    other than the supported formats and the convertible ones (.doc, .rtf, reported with advice)
    are skipped unless `all_files`, but a file named explicitly is
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
            if not all_files and full.suffix.lower() not in SCANNED_SUFFIXES:
                continue
            found.append(ScanItem(str(full)))
    yield from sorted(found + problems, key=lambda item: item.path)


def internal_error(path: str, exc: BaseException) -> DocumentReport:
    """The report of a file that hit a bug: it must not stop the batch."""
    return error_report(path, f"internal error ({type(exc).__name__}): please report this file")


def analyze_file(analyzer: Analyzer, path: str) -> DocumentReport:
    """The default worker task: `analyzer.analyze_path(path)`."""
    return analyzer.analyze_path(path)


def resolve_model_dir(model_dir: Path | None) -> Path | None:
    """The linear model folder a scan uses: `DEFAULT_MODEL` becomes the shipped one."""
    if model_dir is None:
        return None
    if model_dir is DEFAULT_MODEL or str(model_dir) == str(DEFAULT_MODEL):  # survives pickling
        from analyzer.config import default_model_dir

        return default_model_dir()
    return model_dir


def resolve_encoder_dir(encoder_dir: Path | None) -> Path | None:
    """The encoder folder a scan uses: `DEFAULT_MODEL` becomes the shipped one."""
    if encoder_dir is None:
        return None
    if encoder_dir is DEFAULT_MODEL or str(encoder_dir) == str(DEFAULT_MODEL):
        from analyzer.config import default_encoder_dir

        return default_encoder_dir()
    return encoder_dir


def expected_tool(
    model_dir: Path | None, mode: Mode = "fast", encoder_dir: Path | None = None
) -> ToolInfo:
    """The `tool` object when no worker has said which model it loaded (nothing analysed)."""
    from analyzer.analyze import linear_model_version

    if mode == "accurate" and encoder_dir is not None and (encoder_dir / "model.onnx").is_file():
        try:
            meta = json.loads((encoder_dir / "meta.json").read_text(encoding="utf-8"))
            name = f"{meta.get('name', encoder_dir.name)}@{meta.get('version', '0')}"
            return ToolInfo(version=__version__, model=name, mode="accurate")
        except (OSError, ValueError):
            pass
    if mode == "rules" or model_dir is None or not (model_dir / "model.skops").is_file():
        return ToolInfo(version=__version__, model=None, mode="rules")
    return ToolInfo(
        version=__version__,
        model=f"{model_dir.name}@{linear_model_version(model_dir)}",
        mode="fast",
    )


# ---------------------------------------------------------------------------------------------
# What moves between the loop and its backends
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Task:
    """A file to analyse: its path and, when the cache is on, the sha256 it was looked up by."""

    path: str
    sha256: str | None = None


@dataclass(slots=True)
class Outcome:
    """A finished file. `cacheable` is False for timeouts, crashes and internal errors, which
    may not happen again, so the next scan retries them."""

    report: DocumentReport
    task: Task | None = None
    cacheable: bool = False


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """How a worker builds its `Analyzer` and what it sends back."""

    engine: Engine = "auto"
    limits: Limits | None = None
    model_dir: Path | None = None
    keep_documents: bool = False
    analyze: AnalyzeFn | None = None
    single_thread: bool = True
    mode: Mode = "fast"
    encoder_dir: Path | None = None


@dataclass(slots=True)
class ScanStats:
    """What a scan learnt on the way: the tool that produced the reports, warnings, counts."""

    tool: ToolInfo | None = None
    warnings: list[str] = field(default_factory=list)
    cached: int = 0
    analysed: int = 0
    failed: int = 0
    timed_out: int = 0
    crashed: int = 0
    worker_starts: int = 0

    def warn(self, message: str) -> None:
        """Record a warning once."""
        if message not in self.warnings:
            self.warnings.append(message)


def build_analyzer(config: WorkerConfig) -> Analyzer:
    """An `Analyzer` with its pipeline and model loaded (once per worker process)."""
    from analyzer.analyze import Analyzer

    if config.single_thread:
        _one_blas_thread()
    analyzer = Analyzer(
        engine=config.engine,
        limits=config.limits,
        model_dir=config.model_dir,
        mode=config.mode,
        encoder_dir=config.encoder_dir,
    )
    analyzer.nlp  # noqa: B018 - load now, not inside the first file's timeout
    analyzer.model  # noqa: B018 - and the model of the mode
    return analyzer


def _one_blas_thread() -> None:
    """One BLAS/OpenMP thread per worker: N workers on N cores must not start N² threads."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - comes with scikit-learn
        return
    threadpool_limits(1)


def run_task(analyzer: Analyzer, config: WorkerConfig, path: str) -> tuple[DocumentReport, bool]:
    """Analyse one file in a worker; returns (report, cacheable). Never raises for a file."""
    analyze = config.analyze or analyze_file
    try:
        report = analyze(analyzer, path)
    except MemoryError:
        return error_report(path, "out of memory while reading the file: split it and retry"), False
    except Exception as exc:  # last line of defence: a bug must not stop the batch
        return internal_error(path, exc), False
    if not config.keep_documents:
        report.document = None  # the extracted text stays in the worker: keep IPC small
    return report, True


# ---------------------------------------------------------------------------------------------
# Worker side
# ---------------------------------------------------------------------------------------------


def _worker_main(conn: Connection, config: WorkerConfig) -> None:
    """A worker process: load once, then analyse one path per message until told to stop."""
    # Ctrl-C reaches the whole process group: the parent decides, and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        analyzer = build_analyzer(config)
        _settle_gc()
        conn.send(("ready", analyzer.tool, analyzer.model_warning))
    except BaseException as exc:
        with contextlib.suppress(OSError):
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        task_id, path = message
        report, cacheable = run_task(analyzer, config, path)
        try:
            conn.send(("done", task_id, report, cacheable))
        except Exception as exc:  # an unpicklable report: say so rather than crash
            conn.send(("done", task_id, internal_error(path, exc), False))


def _settle_gc() -> None:
    """Keep the cyclic garbage collector off what a worker loaded once, and run it less often.

    The pipeline's patterns, matchers and the model stay alive for the worker's life; each full
    collection walked them again. Frozen, and with ten times fewer young collections, analysing
    ran ~3% faster. Reference counting still frees everything else at once.
    """
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


# ---------------------------------------------------------------------------------------------
# Parent side: the pool
# ---------------------------------------------------------------------------------------------


def mp_context(start_method: str | None = None) -> Any:
    """The multiprocessing context for workers: forkserver (preloaded) on POSIX, else spawn.

    Typed `Any`: typeshed's `BaseContext` lacks `Process`, which every concrete context has.
    """
    methods = multiprocessing.get_all_start_methods()
    method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(list(_PRELOAD))
    return ctx


@dataclass(slots=True, eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False
    task: Task | None = None
    task_id: int = 0
    deadline: float | None = None
    started: float = field(default_factory=time.monotonic)


def _hand_on(outcomes: list[Outcome]) -> Iterator[Outcome]:
    """Yield `outcomes` in order, emptying the list as they go."""
    while outcomes:
        yield outcomes.pop(0)


class WorkerPool:
    """Up to `size` worker processes, each analysing one file at a time, killable per file.

    Args:
        size: maximum number of workers (started lazily, when there is work for them).
        config: how workers build their analyzer.
        timeout: seconds one file may take (None: no limit).
        stats: where the pool records the tool, warnings and counts.
        start_method: multiprocessing start method (default: see `mp_context`).
    """

    def __init__(
        self,
        size: int,
        config: WorkerConfig,
        *,
        timeout: float | None,
        stats: ScanStats,
        start_method: str | None = None,
    ) -> None:
        self.size = max(1, size)
        self.config = config
        self.timeout = timeout
        self.stats = stats
        self._ctx = mp_context(start_method)
        self._workers: list[_Worker] = []
        self._next_id = 0
        self._startup_failures = 0
        self._startup_problem: str | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def _start_worker(self) -> None:
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=_worker_main, args=(child_conn, self.config), name="scopelens-worker"
        )
        process.daemon = True
        process.start()
        child_conn.close()  # so the parent sees EOF when the worker dies
        self._workers.append(_Worker(process, parent_conn))
        self.stats.worker_starts += 1

    def _retire(self, worker: _Worker, *, kill: bool) -> None:
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        with contextlib.suppress(ValueError):
            worker.process.close()
        self._workers.remove(worker)

    def close(self) -> None:
        """Stop every worker: idle ones are asked to exit, busy ones are killed."""
        for worker in list(self._workers):
            if worker.task is None and worker.ready:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
        deadline = time.monotonic() + 5
        for worker in list(self._workers):
            if worker.task is None and worker.ready:
                worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            self._retire(worker, kill=True)

    # -- the loop ---------------------------------------------------------------------------

    @property
    def failed_to_start(self) -> str | None:
        """Why workers cannot start (after several tries in a row), else None."""
        if self._startup_failures >= _STARTUP_FAILURES:
            return self._startup_problem or "worker processes exit while starting"
        return None

    def run(self, tasks: Iterator[Task | Outcome]) -> Iterator[Outcome]:
        """Analyse `tasks` (finished `Outcome`s pass straight through), yielding as files end."""
        waiting: deque[Task] = deque()
        exhausted = False
        # Results of the last wait, handed on once the free workers have their next file: the
        # consumer writes each report (JSON, cache) meanwhile, which left a worker idle.
        finished: list[Outcome] = []
        try:
            while True:
                busy = sum(w.task is not None for w in self._workers)
                # Take work only for workers that are (or will soon be) free: memory stays flat.
                while not exhausted and busy + len(waiting) < self.size:
                    item = next(tasks, None)
                    if item is None:
                        exhausted = True
                    elif isinstance(item, Outcome):
                        # Earlier files first: with one worker the order is the input order.
                        yield from _hand_on(finished)
                        yield item
                    else:
                        waiting.append(item)
                if self.failed_to_start:
                    yield from _hand_on(finished)
                    reason = f"worker process could not start: {self.failed_to_start}"
                    for task in waiting:
                        yield Outcome(error_report(task.path, reason), task)
                    waiting.clear()
                    if exhausted and busy == 0:
                        return
                    if busy:
                        yield from self._wait()
                    continue
                while len(self._workers) < min(self.size, busy + len(waiting)):
                    self._start_worker()
                for worker in self._workers:
                    if waiting and worker.ready and worker.task is None:
                        self._send(worker, waiting.popleft())
                yield from _hand_on(finished)
                if exhausted and not waiting and all(w.task is None for w in self._workers):
                    return
                finished.extend(self._wait())
        finally:
            self.close()

    def _send(self, worker: _Worker, task: Task) -> None:
        self._next_id += 1
        worker.task, worker.task_id = task, self._next_id
        worker.deadline = None if self.timeout is None else time.monotonic() + self.timeout
        with contextlib.suppress(OSError):  # a dead worker: its sentinel says so on the next wait
            worker.conn.send((worker.task_id, task.path))

    def _wait(self) -> Iterator[Outcome]:
        deadlines = [w.deadline for w in self._workers if w.deadline is not None]
        deadlines += [w.started + _STARTUP_TIMEOUT for w in self._workers if not w.ready]
        wait_for = None if not deadlines else max(0.0, min(deadlines) - time.monotonic())
        handles: dict[Any, _Worker] = {}
        for worker in self._workers:
            handles[worker.conn] = worker
            handles[worker.process.sentinel] = worker
        ready = wait_ready(list(handles), timeout=wait_for)
        seen: set[int] = set()
        for handle in ready:
            worker = handles[handle]
            if id(worker) in seen or not any(w is worker for w in self._workers):
                continue
            seen.add(id(worker))
            yield from self._drain(worker)
        now = time.monotonic()
        for worker in list(self._workers):
            if not worker.ready and now >= worker.started + _STARTUP_TIMEOUT:
                self._startup_problem = f"no worker was ready after {_STARTUP_TIMEOUT:g} s"
                yield from self._died(worker)
                continue
            if worker.deadline is not None and now >= worker.deadline and worker.task is not None:
                task = worker.task
                self.stats.timed_out += 1
                self._retire(worker, kill=True)
                reason = (
                    f"timed out after {self.timeout:g} s: raise --timeout (or "
                    "SCOPELENS_TIMEOUT_S) to give very large files more time"
                )
                yield Outcome(error_report(task.path, reason), task)

    def _drain(self, worker: _Worker) -> Iterator[Outcome]:
        """Read what a worker sent; notice when it died."""
        while True:
            try:
                if not worker.conn.poll():
                    break
                message = worker.conn.recv()
            except (EOFError, OSError, ValueError, TypeError, AttributeError, ImportError):
                # EOF, or a message that cannot be unpickled: either way the worker is done.
                message = None
            if message is None:
                yield from self._died(worker)
                return
            kind = message[0]
            if kind == "ready":
                worker.ready = True
                self._startup_failures = 0
                _, tool, warning = message
                if self.stats.tool is None:
                    self.stats.tool = tool
                if warning:
                    self.stats.warn(warning)
            elif kind == "failed":
                self._startup_problem = message[1]
            elif kind == "done" and worker.task is not None and message[1] == worker.task_id:
                _, _, report, cacheable = message
                task = worker.task
                worker.task, worker.deadline = None, None
                yield Outcome(report, task, cacheable)
        if not worker.process.is_alive():
            yield from self._died(worker)

    def _died(self, worker: _Worker) -> Iterator[Outcome]:
        task, ready = worker.task, worker.ready
        if worker.process.is_alive():  # its pipe broke (an unreadable message): end it
            worker.process.kill()
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        self._retire(worker, kill=True)
        if not ready:
            self._startup_failures += 1
        if task is not None:
            self.stats.crashed += 1
            yield Outcome(error_report(task.path, CRASHED + _exit_detail(code)), task)


def _exit_detail(code: int | None) -> str:
    if code is None:
        return ""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f" (killed by {signal.Signals(-code).name})"
    return f" (exit code {code})"


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
        keep_documents: bool = False,
        in_process: bool | None = None,
        analyze: AnalyzeFn | None = None,
        dask: str | None = None,
        dask_client: Any = None,
        start_method: str | None = None,
    ) -> None:
        self.jobs = max(1, jobs)
        self.timeout = timeout if timeout and timeout > 0 else None
        self.cache = cache
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
                    if self.stats.tool is None:
                        self.stats.tool = hit.tool
                    yield Outcome(hit.report)
                    continue
            yield Task(item.path, sha)

    def _backend(self, tasks: Iterator[Task | Outcome]) -> Iterator[Outcome]:
        if self.dask is not None:
            from analyzer.distributed import run_dask

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
                if self.stats.tool is None:
                    self.stats.tool = analyzer.tool
                if analyzer.model_warning:
                    self.stats.warn(analyzer.model_warning)
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


def scan(
    items: Iterable[ScanItem],
    *,
    jobs: int = 1,
    engine: Engine = "auto",
    limits: Limits | None = None,
    keep_documents: bool = False,
    on_result: Callable[[DocumentReport], None] | None = None,
    model_dir: Path | None = DEFAULT_MODEL,
    mode: Mode = "fast",
    timeout: float | None = None,
    cache: ScanCache | None = None,
) -> Iterator[DocumentReport]:
    """Analyse files, yielding reports as they finish (order of completion).

    A shortcut for `Scanner(...).run(items, on_result)`; see `Scanner` for the arguments.
    """
    scanner = Scanner(
        jobs=jobs,
        engine=engine,
        limits=limits,
        model_dir=model_dir,
        mode=mode,
        timeout=timeout,
        cache=cache,
        keep_documents=keep_documents,
    )
    return scanner.run(items, on_result)
