"""What moves between the scan loop and its backends (local processes, Dask): tasks, outcomes,
the worker configuration, and the work a worker does for one file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.analyze import DEFAULT_MODEL, OUT_OF_MEMORY, Mode, error_report
from analyzer.config import Limits, default_encoder_dir, default_model_dir
from analyzer.types import DocumentReport, ToolInfo
from analyzer.version import __version__

if TYPE_CHECKING:
    from analyzer.analyze import Analyzer
    from analyzer.extract import Engine


CRASHED = "worker crashed while reading this file"
"""Error of a file whose worker process died (segfault, out of memory, killed)."""

AnalyzeFn = Callable[["Analyzer", str], DocumentReport]
"""What a worker does with one path: `analyze_file` unless a caller (a test) injects another.
It must be picklable (a module-level function) to reach worker processes."""


def internal_error(path: str, exc: BaseException) -> DocumentReport:
    """The report of a file that hit a bug: it must not stop the batch."""
    return error_report(path, f"internal error ({type(exc).__name__}): please report this file")


def analyze_file(analyzer: Analyzer, path: str) -> DocumentReport:
    """The default worker task: `analyzer.analyze_path(path)`."""
    return analyzer.analyze_path(path)


def _resolve_default(folder: Path | None, shipped: Callable[[], Path]) -> Path | None:
    """`folder`, with `DEFAULT_MODEL` replaced by the folder `shipped()` names."""
    if folder is None:
        return None
    if folder is DEFAULT_MODEL or str(folder) == str(DEFAULT_MODEL):  # survives pickling
        return shipped()
    return folder


def resolve_model_dir(model_dir: Path | None) -> Path | None:
    """The linear model folder a scan uses: `DEFAULT_MODEL` becomes the shipped one."""
    return _resolve_default(model_dir, default_model_dir)


def resolve_encoder_dir(encoder_dir: Path | None) -> Path | None:
    """The encoder folder a scan uses: `DEFAULT_MODEL` becomes the shipped one."""
    return _resolve_default(encoder_dir, default_encoder_dir)


def timeout_reason(timeout: float, where: str = "") -> str:
    """The error of a file that took longer than `timeout` seconds (`where`: " on Dask")."""
    return (
        f"timed out after {timeout:g} s{where}: raise --timeout (or "
        "SCOPELENS_TIMEOUT_S) to give very large files more time"
    )


def expected_tool(
    model_dir: Path | None, mode: Mode = "fast", encoder_dir: Path | None = None
) -> ToolInfo:
    """The `tool` object when no worker has said which model it loaded (nothing analysed)."""
    from analyzer.analyze import linear_model_version
    from analyzer.classify.encoder import encoder_label
    from analyzer.config import read_model_meta

    if mode == "accurate" and encoder_dir is not None and (encoder_dir / "model.onnx").is_file():
        meta = read_model_meta(encoder_dir)
        if meta:
            label = encoder_label(meta, encoder_dir)
            return ToolInfo(version=__version__, model=label, mode="accurate")
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

    @classmethod
    def failed(cls, task: Task, reason: str, *, cacheable: bool = False) -> Outcome:
        """A file that could not be analysed: an error report saying `reason`."""
        return cls(error_report(task.path, reason), task, cacheable)

    @classmethod
    def timed_out(cls, task: Task, timeout: float, where: str = "") -> Outcome:
        """A file that took longer than `timeout` seconds (`where`: " on Dask")."""
        return cls.failed(task, timeout_reason(timeout, where))

    @classmethod
    def crashed(cls, task: Task, detail: str = "") -> Outcome:
        """A file whose worker process died (`detail`: how, when known)."""
        return cls.failed(task, CRASHED + detail)


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
    """Files whose report came from the scan cache."""
    analysed: int = 0
    failed: int = 0
    """Files whose report is an error (unreadable, over a limit, timed out, crashed …)."""
    timed_out: int = 0
    crashed: int = 0
    worker_starts: int = 0
    """Worker processes started, replacements for killed or crashed ones included."""

    def warn(self, message: str) -> None:
        """Record a warning once."""
        if message not in self.warnings:
            self.warnings.append(message)

    def note_tool(self, tool: ToolInfo, warning: str | None = None) -> None:
        """Record the tool that produced a report (the first one seen), and its model warning."""
        if self.tool is None:
            self.tool = tool
        if warning:
            self.warn(warning)


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


def run_task(
    analyzer: Analyzer, config: WorkerConfig, path: str, data: bytes | None = None
) -> tuple[DocumentReport, bool]:
    """Analyse one file in a worker; returns (report, cacheable). Never raises for a file.

    Args:
        analyzer: The worker's analyzer.
        config: The worker configuration (`analyze` and `keep_documents` apply).
        path: The file, read by the worker; with `data`, only its name.
        data: The file's bytes, already read (a Dask worker has no shared file system).
    """
    analyze = config.analyze or analyze_file
    try:
        report = analyze(analyzer, path) if data is None else analyzer.analyze_bytes(data, path)
    except MemoryError:
        return error_report(path, OUT_OF_MEMORY), False
    except Exception as exc:  # last line of defence: a bug must not stop the batch
        return internal_error(path, exc), False
    if not config.keep_documents:
        report.document = None  # the extracted text stays in the worker: keep IPC small
    return report, True
