"""Confidentiality: a scan never touches the network and analysing bytes writes no files.

Proposals and contracts are confidential. Sockets are blocked (the Python functions patched
to raise) and, as a second witness, an audit hook records every connection or name lookup
attempted, so a library that caught our exception and carried on would still be seen.
The multi-process scan is covered by `test_hostile_scan.py`, which runs the command and its
workers under the same guard (`guards.network_guard`).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import PROPOSAL_TEXT, proposal_docx, proposal_pdf
from typer.testing import CliRunner

from analyzer.analyze import Analyzer
from analyzer.cli import app
from analyzer.extract import extract_bytes

_NETWORK_EVENTS = {
    "socket.connect",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.sendto",
    "socket.sendmsg",
    "http.client.connect",
    "urllib.Request",
    "ftplib.connect",
    "smtplib.connect",
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_FILE_EVENTS = {"os.mkdir", "os.rename", "os.remove", "tempfile.mkstemp", "tempfile.mkdtemp"}

_recording: list[tuple[str, str]] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _recording is None:
        return
    if event in _NETWORK_EVENTS or event in _FILE_EVENTS:
        _recording.append((event, repr(args)[:200]))
    elif event == "open" and len(args) >= 3:
        mode, flags = args[1], args[2]
        writes = isinstance(flags, int) and flags & _WRITE_FLAGS
        if writes or (isinstance(mode, str) and any(c in mode for c in "wax+")):
            _recording.append((event, repr(args)[:200]))


# An audit hook cannot be removed; it records only inside `_record()`.
sys.addaudithook(_audit)


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def network(self) -> list[tuple[str, str]]:
        return [e for e in self.events if e[0] in _NETWORK_EVENTS]

    def files(self) -> list[tuple[str, str]]:
        return [e for e in self.events if e[0] not in _NETWORK_EVENTS]


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Recorder]:
    """Sockets blocked; yields the recorder of attempted network (and file) operations."""
    global _recording
    recorder = _Recorder()

    def refuse(*args: object, **kwargs: object) -> None:
        recorder.events.append(("blocked", repr(args)[:200]))
        raise OSError("network access blocked by the confidentiality test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)
    _recording = recorder.events
    try:
        yield recorder
    finally:
        _recording = None


@pytest.fixture()
def private_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`tempfile.gettempdir()` pointed at an empty folder of this test only."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    assert tempfile.gettempdir() == str(folder)
    return folder


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Path:
    """The three example documents plus a hostile one, in one folder."""
    folder = tmp_path_factory.mktemp("confidential")
    for example in sorted(examples_dir.glob("*")):
        if example.suffix in (".pdf", ".docx", ".md"):
            (folder / example.name).write_bytes(example.read_bytes())
    (folder / "notes.txt").write_text(PROPOSAL_TEXT, encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 broken")
    return folder


def test_confidentiality_cli_scan_offline(no_network: _Recorder, documents: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["scan", str(documents), "--jobs", "1", "--timeout", "0", "--no-cache", "--quiet"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    statuses = {Path(d["path"]).name: d["status"] for d in report["documents"]}
    assert statuses.pop("broken.pdf") == "error"
    assert set(statuses.values()) == {"ok"} and len(statuses) == 4
    assert no_network.network() == []
    assert not [e for e in no_network.events if e[0] == "blocked"]


def test_confidentiality_analyzer_offline(no_network: _Recorder, documents: Path) -> None:
    analyzer = Analyzer()
    for path in sorted(documents.iterdir()):
        report = analyzer.analyze_path(path)
        assert report.status == ("error" if path.name == "broken.pdf" else "ok"), report.error
    assert analyzer.analyze_bytes(proposal_pdf(), "upload.pdf").status == "ok"
    assert no_network.network() == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("upload.pdf", proposal_pdf()),
        ("upload.docx", proposal_docx()),
        ("upload.txt", PROPOSAL_TEXT.encode("utf-8")),
        ("upload.md", ("# Scope\n\n" + PROPOSAL_TEXT).encode("utf-8")),
    ],
)
def test_confidentiality_extract_bytes_writes_nothing(
    name: str, data: bytes, private_tempdir: Path, no_network: _Recorder
) -> None:
    before = sorted(os.listdir(tempfile.gettempdir()))
    extract_bytes(data, name)
    extract_bytes(data, name, engine="pdfplumber")
    assert sorted(os.listdir(tempfile.gettempdir())) == before == []
    assert no_network.files() == [], "extraction wrote to disk"
    assert no_network.network() == []


def test_confidentiality_analyze_bytes_writes_nothing(
    private_tempdir: Path, no_network: _Recorder
) -> None:
    analyzer = Analyzer()
    analyzer.analyze_bytes(proposal_docx(), "warm-up.docx")  # loading may read, never write
    no_network.events.clear()
    report = analyzer.analyze_bytes(proposal_docx(), "upload.docx")
    assert report.status == "ok"
    assert os.listdir(private_tempdir) == []
    assert no_network.events == []
