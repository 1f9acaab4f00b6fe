"""Worker-side test hooks: `analyze` callables that make chosen files hang, crash or run out of
memory. They reach workers by reference (module-level functions), never through production
code paths; the file name decides what happens."""

from __future__ import annotations

import os
import signal
import time
from typing import TYPE_CHECKING

from analyzer.batch import analyze_file

if TYPE_CHECKING:
    from analyzer.analyze import Analyzer
    from analyzer.types import DocumentReport


def misbehave(analyzer: Analyzer, path: str) -> DocumentReport:
    """Sleep on `slow*`, exit on `exit*`, segfault on `segv*`, MemoryError on `memory*`."""
    name = os.path.basename(path)
    if name.startswith("slow"):
        time.sleep(120)
    elif name.startswith("exit"):
        os._exit(3)
    elif name.startswith("segv"):
        os.kill(os.getpid(), signal.SIGSEGV)
    elif name.startswith("memory"):
        raise MemoryError
    elif name.startswith("bug"):
        raise RuntimeError("a bug")
    return analyze_file(analyzer, path)


def mark_start(analyzer: Analyzer, path: str) -> DocumentReport:
    """Leave `<path>.started` beside the file when its analysis begins, then analyse it."""
    with open(path + ".started", "w", encoding="utf-8"):
        pass
    return analyze_file(analyzer, path)
