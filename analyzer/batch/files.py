"""Which files a scan reads: walking folders, picking supported and convertible formats."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.config import SCANNED_SUFFIXES

if TYPE_CHECKING:
    pass


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
