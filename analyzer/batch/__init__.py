"""Many files: walk folders, analyse in worker processes, stream results as files finish.

`Scanner.run(items)` yields one `DocumentReport` per file in the order files finish. Around the
analysis it adds what a batch of thousands of files needs:

- **Worker processes the parent can kill** (`local`). Each worker loads the pipeline and the
  model once, then takes one file at a time over a pipe. A file that runs past the per-file
  timeout has its worker killed and restarted; a worker that dies (a segfault in a PDF
  library, the OOM killer, `os._exit`) fails only the file it was reading.
- **Flat memory.** Files are taken from the iterator only when a worker is free, and only the
  reports (never the extracted text, unless asked) come back from the workers.
- **A cache** (`analyzer.cache`): a file whose bytes and configuration were seen before is
  answered from the cache without starting a worker; each fresh report is stored on arrival.
- **Dask** (`dask`) as another backend behind the same tasks and outcomes (`tasks`).

Modules: `files` (which files), `tasks` (what moves between the loop and a backend, and the
work of one file), `local` (the process pool), `dask` (Dask distributed), `scanner` (the loop).
"""

from analyzer.batch.files import ScanItem, iter_files
from analyzer.batch.scanner import JsonStream, Scanner
from analyzer.batch.tasks import (
    CRASHED,
    AnalyzeFn,
    Outcome,
    ScanStats,
    Task,
    WorkerConfig,
    analyze_file,
    build_analyzer,
    expected_tool,
    internal_error,
    resolve_encoder_dir,
    resolve_model_dir,
    run_task,
)

__all__ = [
    "CRASHED",
    "AnalyzeFn",
    "JsonStream",
    "Outcome",
    "ScanItem",
    "ScanStats",
    "Scanner",
    "Task",
    "WorkerConfig",
    "analyze_file",
    "build_analyzer",
    "expected_tool",
    "internal_error",
    "iter_files",
    "resolve_encoder_dir",
    "resolve_model_dir",
    "run_task",
]
