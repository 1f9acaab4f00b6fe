"""The local backend: worker processes the parent can kill, one file at a time over a pipe.

Workers start through the "forkserver" (POSIX) with the heavy modules preloaded, else "spawn":
never a bare fork of a parent that may run threads (the progress bar, a Dask client)."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_ready
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

from analyzer.batch.tasks import (
    Outcome,
    ScanStats,
    Task,
    WorkerConfig,
    build_analyzer,
    internal_error,
    run_task,
)

_PRELOAD = (
    "analyzer.analyze",
    "analyzer.batch.tasks",
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
                        yield Outcome.failed(task, reason)
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
                assert self.timeout is not None  # deadlines are only set with a timeout
                task = worker.task
                self.stats.timed_out += 1
                self._retire(worker, kill=True)
                yield Outcome.timed_out(task, self.timeout)

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
                self.stats.note_tool(tool, warning)
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
            yield Outcome.crashed(task, _exit_detail(code))


def _exit_detail(code: int | None) -> str:
    if code is None:
        return ""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f" (killed by {signal.Signals(-code).name})"
    return f" (exit code {code})"
