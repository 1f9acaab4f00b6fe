"""Scan cache: a finished file's report, keyed by what it depends on, so re-scans only hash.

A report is stored under the file's sha256 and a *fingerprint* of everything else that decides
the result: the tool version, the model in use (its `meta.json` corpus hash and creation time
plus the model file's hash), the rules (`analyzer/nlp/patterns/*.jsonl` and
`analyzer/checks/checks.json`), the code of the `analyzer` package, the PDF engine and the
size/page limits. Change any of them and every entry misses; nothing has to be cleared by hand.

The cache is one SQLite file (`scan-cache.sqlite`) under `platformdirs.user_cache_dir
("scopelens")/scan-cache` unless `SCOPELENS_CACHE_DIR` or `--cache-dir` say otherwise. Each
report is committed as soon as its file finishes, so an interrupted batch resumes where it
stopped. Only the parent process reads and writes it; a cache that cannot be opened or written
turns itself off with a warning and never fails a scan.

Entries of other fingerprints (an older release, model or rule set; another engine) stay usable
for a while, for a user who switches back, and are pruned `STALE_AFTER_DAYS` after they were
written, when a cache is opened: without that, every upgrade would leave its reports behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
import zlib
from dataclasses import astuple, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from analyzer.config import Limits, read_model_meta
from analyzer.types import DocumentReport, ToolInfo, finding_id
from analyzer.version import __version__

logger = logging.getLogger(__name__)

CACHE_FILE = "scan-cache.sqlite"
PACKAGE_DIR = Path(__file__).resolve().parent
PATTERNS_DIR = PACKAGE_DIR / "nlp" / "patterns"
CHECKS_FILE = PACKAGE_DIR / "checks" / "checks.json"
_SCHEMA_VERSION = "2"
STALE_AFTER_DAYS = 30.0
_LONE = "surrogatepass"
_LIMIT_NAMES: tuple[str, ...] = tuple(Limits.__dataclass_fields__)


def default_cache_dir() -> Path:
    """`SCOPELENS_CACHE_DIR`, else `platformdirs.user_cache_dir("scopelens")/scan-cache`."""
    override = os.environ.get("SCOPELENS_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("scopelens")) / "scan-cache"


def file_sha256(path: str | Path) -> str | None:
    """Hex sha256 of a file's bytes, read in chunks; None when it cannot be read.

    A file that cannot be hashed is simply not looked up: the worker reads it again and reports
    the precise reason (permission denied, a pipe, ...).
    """
    try:
        if not os.path.isfile(path):
            return None  # a pipe or a device would block or never end: leave it to the worker
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _hash_files(files: list[Path], root: Path | None = None) -> str:
    """A short hash of the files' names (relative to `root`, else bare) and contents."""
    digest = hashlib.sha256()
    for file in sorted(files):
        name = file.relative_to(root).as_posix() if root else file.name
        digest.update(name.encode("utf-8") + b"\0")
        try:
            digest.update(file.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def rules_version(patterns_dir: Path = PATTERNS_DIR, checks_file: Path = CHECKS_FILE) -> str:
    """A short hash of the rule data: every `*.jsonl` in `patterns_dir` plus `checks_file`."""
    files = [*patterns_dir.glob("*.jsonl"), checks_file]
    return _hash_files(files)


def code_version(package_dir: Path = PACKAGE_DIR) -> str:
    """A short hash of the package's code and data (`*.py`, `*.json`, `*.jsonl`).

    An installed release only changes with its version, but a working copy changes all the
    time: hashing the sources keeps a developer's cache from serving results of older code.
    """
    files = [p for suffix in ("py", "json", "jsonl") for p in package_dir.rglob(f"*.{suffix}")]
    return _hash_files([f for f in files if "__pycache__" not in f.parts], package_dir)


def model_version(model_dir: Path | None) -> str:
    """What identifies a model: meta.json's corpus hash and creation time, the model file hash.

    "rules-only" when no model is used; "missing" when the folder has no model (the scan then
    runs the rules only, and says so).
    """
    if model_dir is None:
        return "rules-only"
    meta = read_model_meta(model_dir)
    model_file = model_dir / "model.skops"
    sha = file_sha256(model_file) if model_file.is_file() else None
    if sha is None:
        return "missing"
    corpus = meta.get("corpus") or {}
    corpus_sha = corpus.get("sha256") if isinstance(corpus, dict) else None
    return f"{meta.get('name')}|{corpus_sha}|{meta.get('created')}|{sha[:16]}"


@cache
def _static_versions() -> tuple[str, str]:
    return rules_version(), code_version()


def encoder_version(encoder_dir: Path | None) -> str:
    """What identifies an encoder: the hashes of its ONNX file and of its meta.json.

    meta.json holds the tuned decision (`scopelens train --encoder --tune-only` rewrites it
    alone), so it is part of what a cached result depends on.
    """
    if encoder_dir is None:
        return "none"
    model_file = encoder_dir / "model.onnx"
    if not model_file.is_file():
        return "missing"
    meta = read_model_meta(encoder_dir)
    sha = file_sha256(model_file) or ""
    meta_sha = file_sha256(encoder_dir / "meta.json") or ""
    return f"{meta.get('version')}|{sha[:16]}|{meta_sha[:16]}"


def scan_fingerprint(
    model_dir: Path | None,
    *,
    engine: str = "auto",
    limits: Limits | None = None,
    mode: str = "fast",
    encoder_dir: Path | None = None,
) -> str:
    """The cache fingerprint of one scan configuration (everything but the file's bytes).

    Args:
        model_dir: the resolved linear model folder (None: rules only).
        mode: the analysis mode; accurate scans also key on the encoder.
        encoder_dir: the resolved encoder folder.
        engine: the PDF engine.
        limits: per-file limits; all but the timeout can change a result.
    """
    rules, code = _static_versions()
    limit_values = astuple(limits or Limits())
    parts = {
        "schema": _SCHEMA_VERSION,
        "tool": __version__,
        "model": model_version(model_dir),
        "mode": mode,
        "encoder": encoder_version(encoder_dir) if mode == "accurate" else None,
        "rules": rules,
        "code": code,
        "engine": engine,
        "limits": [
            value
            for name, value in zip(_LIMIT_NAMES, limit_values, strict=True)
            if name != "timeout_s"
        ],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()[:24]


def rebase_report(report: DocumentReport, stored_path: str, path: str) -> DocumentReport:
    """Give a stored report the path it is loaded for, with the finding ids that path implies.

    Finding ids hash the path (DESIGN.md), so the same bytes under another name get new ids;
    an id that does not follow that rule is left alone.
    """
    if stored_path == path:
        return report
    from dataclasses import replace

    findings = []
    for f in report.findings:
        if f.id == finding_id(stored_path, f.category, f.type, f.start, f.end):
            f = replace(f, id=finding_id(path, f.category, f.type, f.start, f.end))
        findings.append(f)
    report.findings = findings
    report.path = path
    return report


@dataclass(frozen=True, slots=True)
class CacheHit:
    """A report found in the cache, and the tool (model) that produced it."""

    report: DocumentReport
    tool: ToolInfo


class ScanCache:
    """Reports by (file sha256, fingerprint) in one SQLite file.

    Args:
        directory: where `scan-cache.sqlite` lives (created when missing).
        fingerprint: from `scan_fingerprint`; entries of other fingerprints are invisible.
        stale_after_days: entries of other fingerprints written longer ago than this are
            deleted on opening (see the module docstring); a hit does not renew an entry.
    """

    def __init__(
        self, directory: Path, fingerprint: str, stale_after_days: float = STALE_AFTER_DAYS
    ) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self.hits = 0
        self.misses = 0
        self.warning: str | None = None
        self.pruned = 0
        self._db: sqlite3.Connection | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(directory / CACHE_FILE, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS reports ("
                " sha256 TEXT NOT NULL, fingerprint TEXT NOT NULL, path TEXT NOT NULL,"
                " tool TEXT NOT NULL, report BLOB NOT NULL, created REAL NOT NULL,"
                " PRIMARY KEY (sha256, fingerprint)) WITHOUT ROWID"
            )
            # Pruning reads only this index, not the reports stored beside the dates.
            db.execute("CREATE INDEX IF NOT EXISTS reports_created ON reports (created)")
            self._db = db
        except (OSError, sqlite3.Error) as exc:
            self._disable(f"scan cache disabled: cannot open {directory / CACHE_FILE}: {exc}")
            return
        self.pruned = self._prune(time.time() - stale_after_days * 86400)

    def _prune(self, before: float) -> int:
        """Delete other fingerprints' entries written before `before`; the number deleted.

        A cache that cannot be pruned (locked by another scan, read-only) still serves hits.
        """
        assert self._db is not None
        try:
            cursor = self._db.execute(
                "DELETE FROM reports WHERE created < ? AND fingerprint != ?",
                (before, self.fingerprint),
            )
        except sqlite3.Error as exc:
            logger.info("scan cache: old entries not pruned: %s", exc)
            return 0
        return max(cursor.rowcount, 0)

    @property
    def enabled(self) -> bool:
        """False once the cache could not be opened or written."""
        return self._db is not None

    def _disable(self, warning: str) -> None:
        self.warning = warning
        logger.warning(warning)
        if self._db is not None:
            self._db.close()
        self._db = None

    def get(self, sha256: str, path: str) -> CacheHit | None:
        """The stored report of these bytes, rebased onto `path`; None on a miss."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT path, tool, report FROM reports WHERE sha256 = ? AND fingerprint = ?",
                (sha256, self.fingerprint),
            ).fetchone()
        except sqlite3.Error as exc:
            self._disable(f"scan cache disabled: cannot read it: {exc}")
            return None
        if row is None:
            self.misses += 1
            return None
        try:
            # surrogatepass: a file name that is not valid UTF-8 (lone surrogates) round-trips.
            data: dict[str, Any] = json.loads(zlib.decompress(row[2]).decode("utf-8", _LONE))
            tool = ToolInfo(**json.loads(row[1]))
            report = DocumentReport.from_dict(data)
            report = rebase_report(report, json.loads(row[0]), path)
        except (ValueError, TypeError, KeyError, zlib.error):  # UnicodeError is a ValueError
            self.misses += 1  # a damaged entry is a miss; the fresh report overwrites it
            return None
        self.hits += 1
        return CacheHit(report, tool)

    def put(self, sha256: str, report: DocumentReport, tool: ToolInfo) -> None:
        """Store a finished report (committed at once, so an interrupted batch can resume)."""
        if self._db is None:
            return
        text = json.dumps(report.to_dict(), ensure_ascii=False)
        blob = zlib.compress(text.encode("utf-8", _LONE), 1)
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?)",
                (
                    sha256,
                    self.fingerprint,
                    json.dumps(report.path),  # ASCII: safe for any file name
                    json.dumps(tool.to_dict()),
                    blob,
                    time.time(),
                ),
            )
        except sqlite3.Error as exc:
            self._disable(f"scan cache disabled: cannot write it: {exc}")

    def __len__(self) -> int:
        if self._db is None:
            return 0
        return int(self._db.execute("SELECT count(*) FROM reports").fetchone()[0])

    def close(self) -> None:
        """Close the database (idempotent)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> ScanCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
