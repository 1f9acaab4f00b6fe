"""End to end: one `scopelens scan` over the whole hostile corpus plus a good statement of work.

The scan runs as a real subprocess, the way a user runs it: exit code 0, every hostile file
answered with a one-line error (or analysed when it is valid-but-odd), the good document
analysed, no traceback, bounded memory, done well within five minutes — and, with a network
guard loaded into the command and its workers, not one connection attempted.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from builders import Corpus
from guards import NetworkGuard, network_guard

from analyzer.errors import printable

PEAK_RSS_LIMIT_KB = 4 * 1024 * 1024  # 4 GB
SCAN_TIMEOUT_S = 300  # a guard against hangs, not a speed assertion


def _run_scan(
    corpus: Corpus, workdir: Path, guard: NetworkGuard
) -> tuple[subprocess.CompletedProcess[str], dict]:
    out = workdir / "report.json"
    command = [
        sys.executable,
        "-m",
        "analyzer",
        "scan",
        str(corpus.root),
        *(str(path) for path in corpus.explicit),
        "--jobs",
        "2",
        "--out",
        str(out),
    ]
    result = subprocess.run(
        command,
        cwd=workdir,  # a `$(…)` in a file name must not run: nothing may appear here
        # A private scan cache: every file is really analysed, the user's cache is untouched.
        env={**guard.env, "SCOPELENS_CACHE_DIR": str(workdir / "cache")},
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=SCAN_TIMEOUT_S,
        check=False,
    )
    report = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    return result, report


def test_hostile_scan_whole_corpus(hostile_corpus: Corpus, tmp_path: Path) -> None:
    guard = network_guard(tmp_path)  # confidentiality: no process of the scan may go online
    result, report = _run_scan(hostile_corpus, tmp_path, guard)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert peak_kb < PEAK_RSS_LIMIT_KB, f"peak RSS {peak_kb / 1024:.0f} MB"
    assert not (tmp_path / "pwned").exists() and not (hostile_corpus.root / "pwned").exists()

    by_path = {document["path"]: document for document in report["documents"]}
    root = hostile_corpus.root
    seen: set[str] = set()
    for relative, expect in hostile_corpus.expected.items():
        path = str(root / relative)
        document = by_path.get(path)
        assert document is not None, f"{relative!r} not reported"
        seen.add(path)
        _check_document(relative, document, expect.status, expect.needle)
    for path, needle in zip(
        hostile_corpus.explicit,
        ("legacy Word .doc: save it as .docx and try again", "RTF: save as .docx or PDF"),
        strict=True,
    ):
        _check_document(path.name, by_path[str(path)], "error", needle)
        seen.add(str(path))
    assert set(by_path) == seen, f"unexpected reports: {sorted(set(by_path) - seen)}"
    assert not [p for p in by_path if "loop/loop" in p], "the symlink loop was followed"

    assert by_path[str(root / "pdf-renamed.docx")]["kind"] == "pdf"
    assert by_path[str(root / "2000-pages.pdf")]["pages"] == 2000
    assert by_path[str(root / "good-sow.pdf")]["findings"]

    _check_stderr(result.stderr, report)
    assert guard.attempts() == []
    assert guard.processes() >= 3, "the network guard did not load in the worker processes"


def _check_document(name: str, document: dict, status: str, needle: str) -> None:
    error = document["error"]
    assert document["status"] == status, f"{name!r}: {error}"
    if status == "ok":
        assert error is None
        assert document["text_chars"] > 0
        return
    assert needle in error, f"{name!r}: {error}"
    assert len(error) <= 300
    assert error.isprintable(), f"{name!r}: control characters in {error!r}"
    assert document["findings"] == []


def _check_stderr(stderr: str, report: dict) -> None:
    """Each failed file is one stderr line with its path and reason escaped."""
    lines = stderr.splitlines()
    assert "\x1b[31m" not in stderr, "a terminal escape from a file name reached stderr"
    for document in report["documents"]:
        if document["status"] != "error":
            continue
        line = f"scopelens: {printable(document['path'])}: {printable(document['error'])}"
        assert line in lines, f"missing or broken stderr line: {line!r}"
    failed = sum(d["status"] == "error" for d in report["documents"])
    total = len(report["documents"])
    summary = f"scopelens: {total} file(s), {total - failed} analysed, {failed} failed"
    assert any(line.startswith(summary) for line in lines), summary
    assert all(line.isprintable() for line in lines)


def test_hostile_scan_unreadable_file(tmp_path: Path) -> None:
    """chmod 000 stops a normal user; root reads anyway, so root simulates the refusal."""
    from analyzer.analyze import Analyzer

    path = tmp_path / "locked.txt"
    path.write_text("The vendor will deliver the portal.", encoding="utf-8")
    analyzer = Analyzer(model_dir=None)
    if os.geteuid() != 0:
        path.chmod(0)
        try:
            report = analyzer.analyze_path(path)
        finally:
            path.chmod(0o600)
    else:
        from unittest import mock

        # As root, open(2) ignores permission bits: make the open fail the way EACCES does.
        with mock.patch("analyzer.extract.os.open", side_effect=PermissionError(13, "denied")):
            report = analyzer.analyze_path(path)
    assert report.status == "error"
    assert report.error is not None and "permission denied" in report.error


def test_hostile_scan_undecodable_file_name(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from analyzer.cli import app

    folder = tmp_path / "names"
    folder.mkdir()
    name = os.fsencode(folder) + b"/caf\xe9 proposal.txt"  # Latin-1 bytes: not valid UTF-8
    with open(name, "wb") as handle:
        handle.write(b"The vendor will deliver the portal as needed.\n")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        ["scan", str(folder), "-o", str(out), "--jobs", "1", "--timeout", "0", "--no-cache"],
    )
    assert result.exit_code == 0, result.output
    (document,) = json.loads(out.read_text(encoding="utf-8"))["documents"]
    assert document["status"] == "ok", document["error"]
