"""The same scan on Dask distributed: `scopelens scan --dask tcp://scheduler:8786` (or `local`).

The client reads each file and ships its *bytes* (scattered to the cluster), so workers need no
shared file system; each worker process builds its `Analyzer` once (a module-level cache keyed
by the configuration) and sends back the report without the extracted text. The cache lookups,
the cache stores and the report writing stay in the client process, exactly as for local
workers, so the output is the same.

Dask is optional: `pip install "scopelens[dask]"`. On a cluster every worker needs scopelens
(and the model, when `--model` names a folder) installed; see docs/scale.md.

Per-file timeouts are best-effort here: Dask cannot interrupt a running task, so a file past
its deadline is reported as timed out and released, but its worker thread stays busy until the
file ends. A worker process that dies is retried by the scheduler on another worker; a file
that kills workers repeatedly is reported as crashed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from analyzer.batch.tasks import (
    Outcome,
    ScanStats,
    Task,
    WorkerConfig,
    build_analyzer,
    run_task,
)
from analyzer.types import DocumentReport, ToolInfo

if TYPE_CHECKING:
    from analyzer.analyze import Analyzer

MISSING_DASK = (
    "--dask needs Dask distributed, which is not installed: pip install 'scopelens[dask]' "
    "(or pip install 'dask[distributed]')"
)

_ANALYZERS: dict[WorkerConfig, Analyzer] = {}
"""One loaded analyzer per configuration in each worker process (built on its first file)."""


class DaskUnavailableError(RuntimeError):
    """Dask distributed is not installed, or the scheduler cannot be reached."""


def _worker_analyzer(config: WorkerConfig) -> Analyzer:
    analyzer = _ANALYZERS.get(config)
    if analyzer is None:
        analyzer = _ANALYZERS[config] = build_analyzer(config)
    return analyzer


def analyze_bytes_task(
    data: bytes, name: str, config: WorkerConfig
) -> tuple[DocumentReport, bool, ToolInfo, str | None]:
    """Runs on a Dask worker: analyse one file's bytes; never raises for a bad file.

    Returns:
        (report, cacheable, tool, model warning).
    """
    analyzer = _worker_analyzer(config)
    # An injected analyze function takes a path (tests): keep that contract.
    report, cacheable = run_task(analyzer, config, name, data if config.analyze is None else None)
    return report, cacheable, analyzer.tool, analyzer.model_warning


def connect(address: str, workers: int) -> tuple[Any, Any]:
    """(client, local cluster or None) for `address`, or for a new local cluster ("local").

    Raises:
        DaskUnavailableError: Dask is not installed or the scheduler does not answer.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise DaskUnavailableError(MISSING_DASK) from None
    if address == "local":
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        return Client(cluster), cluster
    try:
        return Client(address, timeout="20s"), None
    except (OSError, TimeoutError) as exc:
        raise DaskUnavailableError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _read(path: str, config: WorkerConfig) -> bytes | str:
    """The file's bytes, or the one-line reason it cannot be read.

    Uses the extraction boundary's reader, so pipes, devices and files over the size limit are
    refused before a byte is read, with the same messages as a local scan.
    """
    from pathlib import Path

    from analyzer.config import Limits
    from analyzer.errors import AnalyzerError

    try:
        from analyzer.extract import read_checked
    except ImportError:  # pragma: no cover - the reader moved: read plainly

        def read_checked(path: Path, limits: Limits) -> bytes:
            return path.read_bytes()

    try:
        return read_checked(Path(path), config.limits or Limits())
    except AnalyzerError as exc:
        return exc.one_line()
    except OSError as exc:
        return f"cannot read the file: {exc.strerror or exc}"


def run_dask(
    tasks: Iterator[Task | Outcome],
    address: str,
    config: WorkerConfig,
    stats: ScanStats,
    *,
    workers: int,
    timeout: float | None = None,
    client: Any = None,
) -> Iterator[Outcome]:
    """Analyse `tasks` on a Dask cluster, yielding outcomes as files finish.

    Args:
        tasks: files to analyse (finished `Outcome`s pass straight through).
        address: scheduler address ("tcp://host:8786") or "local".
        config: how workers build their analyzer.
        stats: where the tool, warnings and counts are recorded.
        workers: workers of a local cluster.
        timeout: best-effort seconds per file (see the module docstring).
        client: an existing `distributed.Client` to use (then it is not closed).
    """
    own = client is None
    cluster = None
    if own:
        client, cluster = connect(address, workers)
    try:
        threads = sum(client.nthreads().values()) or workers
        limit = 2 * threads  # in flight: enough to keep workers busy, bounded for memory
        pending: dict[Any, tuple[Task, float]] = {}
        exhausted = False
        while True:
            while not exhausted and len(pending) < limit:
                item = next(tasks, None)
                if item is None:
                    exhausted = True
                elif isinstance(item, Outcome):
                    yield item
                else:
                    data = _read(item.path, config)
                    if isinstance(data, str):
                        yield Outcome.failed(item, data, cacheable=True)
                        continue
                    [remote] = client.scatter([data], hash=False)
                    future = client.submit(
                        analyze_bytes_task, remote, item.path, config, pure=False, retries=0
                    )
                    pending[future] = (item, time.monotonic())
            if not pending:
                return
            yield from _collect(pending, stats, timeout)
    finally:
        if own:
            with contextlib.suppress(Exception):
                client.close()
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()


def _collect(
    pending: dict[Any, tuple[Task, float]], stats: ScanStats, timeout: float | None
) -> Iterator[Outcome]:
    """Wait for at least one finished future (or the earliest deadline); yield the outcomes.

    Deadlines count from submission: with at most two files in flight per worker thread, a
    file waits for at most one other before it starts.
    """
    from distributed import wait
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    wait_for = None
    if timeout is not None:
        earliest = min(started for _, started in pending.values())
        wait_for = max(0.05, earliest + timeout - time.monotonic())
    try:
        done, _ = wait(list(pending), timeout=wait_for, return_when="FIRST_COMPLETED")
    except TimeoutError:
        done = set()
    for future in done:
        task, _started = pending.pop(future)
        try:
            report, cacheable, tool, warning = future.result()
        except KilledWorker:
            stats.crashed += 1
            yield Outcome.crashed(task)
            continue
        except FutureCancelledError:
            continue
        except Exception as exc:
            reason = f"internal error ({type(exc).__name__}) on a Dask worker: please report"
            yield Outcome.failed(task, reason)
            continue
        finally:
            future.release()
        stats.note_tool(tool, warning)
        yield Outcome(report, task, cacheable)
    if timeout is not None:
        now = time.monotonic()
        for future, (task, started) in list(pending.items()):
            if now - started >= timeout:
                pending.pop(future)
                stats.timed_out += 1
                with contextlib.suppress(Exception):
                    future.cancel()
                yield Outcome.timed_out(task, timeout, " on Dask")


__all__ = ["MISSING_DASK", "DaskUnavailableError", "analyze_bytes_task", "connect", "run_dask"]
