"""Streaming output: each document is written as its file finishes, in the report's format."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.batch import JsonStream, Scanner, iter_files
from analyzer.cli import app
from analyzer.report import to_json
from analyzer.types import Report, ToolInfo


def _reports(paths: list[Path]) -> list:
    return list(Scanner(jobs=1, model_dir=None).run(iter_files(paths)))


@pytest.mark.parametrize("count", [0, 1, 3])
def test_stream_json_equals_whole_report(make_docs: Callable[..., list[Path]], count: int) -> None:
    reports = _reports(make_docs("a.txt", "b.txt", "c.txt"))[:count]
    tool = ToolInfo(model="models/x")
    handle = io.StringIO()
    stream = JsonStream(handle)
    for report in reports:
        stream.write(report, tool)
    stream.close(tool)
    assert handle.getvalue() == to_json(Report(tool, reports)) + "\n"


def test_stream_writes_each_document_before_the_next_file(
    make_docs: Callable[..., list[Path]],
) -> None:
    paths = make_docs("a.txt", "b.txt", "c.txt")
    handle = io.StringIO()
    stream = JsonStream(handle, lines=True)
    seen = []
    for report in Scanner(jobs=1, timeout=60, model_dir=None).run(iter_files(paths)):
        stream.write(report, ToolInfo())
        seen.append(handle.getvalue().count("\n"))
    assert seen == [1, 2, 3]
    lines = [json.loads(line) for line in handle.getvalue().splitlines()]
    assert [d["path"] for d in lines] == [str(p) for p in paths]


def test_cli_scan_jsonl_one_document_per_line(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    paths = make_docs("b.txt", "a.txt", "c.txt")
    out = tmp_path / "out.jsonl"
    args = ["scan", str(paths[0].parent), "-f", "jsonl", "-o", str(out), "-j", "2", "--sort"]
    result = CliRunner().invoke(app, [*args, "--rules-only"])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [Path(json.loads(line)["path"]).name for line in lines] == ["a.txt", "b.txt", "c.txt"]
    assert all(json.loads(line)["findings"] for line in lines)


def test_cli_scan_json_streams_to_stdout(make_docs: Callable[..., list[Path]]) -> None:
    paths = make_docs("a.txt", "b.txt")
    command = [sys.executable, "-m", "analyzer", "scan", *map(str, paths), "--rules-only"]
    result = subprocess.run(
        [*command, "-j", "2", "-q"], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["tool"] == {
        "name": "scopelens",
        "version": "0.1.0",
        "model": None,
        "mode": "rules",
    }
    assert sorted(Path(d["path"]).name for d in report["documents"]) == ["a.txt", "b.txt"]


@pytest.mark.parametrize(
    "args",
    [
        ["--jobs", "-1"],
        ["--timeout", "-5"],
        ["--max-mb", "0"],
        ["--engine", "magic"],
        ["--format", "xml"],
    ],
)
def test_cli_scan_misuse_exits_2(make_docs: Callable[..., list[Path]], args: list[str]) -> None:
    [path] = make_docs("a.txt")
    result = CliRunner().invoke(app, ["scan", str(path), *args])
    assert result.exit_code == 2


def test_cli_scan_nothing_to_scan_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert CliRunner().invoke(app, ["scan", str(tmp_path / "empty")]).exit_code == 2


def test_cli_scan_exit_code_0_unless_every_file_failed(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    [good] = make_docs("a.txt")
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    runner = CliRunner()
    mixed = runner.invoke(app, ["scan", str(good), str(bad), "-q", "--rules-only"])
    assert mixed.exit_code == 0, mixed.output
    only_bad = runner.invoke(app, ["scan", str(bad), "-q", "--rules-only", "-f", "jsonl"])
    assert only_bad.exit_code == 1
    assert json.loads(only_bad.stdout)["status"] == "error"


def test_cli_scan_cache_and_no_cache(make_docs: Callable[..., list[Path]], tmp_path: Path) -> None:
    paths = [str(p) for p in make_docs("a.txt", "b.txt")]
    cache = ["--cache-dir", str(tmp_path / "cache-here")]
    runner = CliRunner()
    cache.append("--sort")  # two workers finish in any order
    first = runner.invoke(app, ["scan", *paths, "--rules-only", *cache])
    second = runner.invoke(app, ["scan", *paths, "--rules-only", *cache])
    third = runner.invoke(app, ["scan", *paths, "--rules-only", *cache, "--no-cache"])
    assert "from the cache" not in first.stderr
    assert "2 answered from the cache" in second.stderr
    assert "from the cache" not in third.stderr
    assert json.loads(first.stdout)["documents"] == json.loads(second.stdout)["documents"]
    assert (tmp_path / "cache-here" / "scan-cache.sqlite").is_file()


def test_cli_scan_dask_missing_says_how_to_install(
    make_docs: Callable[..., list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    [path] = make_docs("a.txt")
    result = CliRunner().invoke(app, ["scan", str(path), "--dask", "local", "--no-cache"])
    assert result.exit_code == 2
    assert "pip install 'scopelens[dask]'" in result.stderr


def test_stream_escapes_an_undecodable_file_name(
    make_docs: Callable[..., list[Path]], tmp_path: Path
) -> None:
    [report] = _reports(make_docs("a.txt"))
    report.path = os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.txt")  # lone surrogate
    out = tmp_path / "out.json"
    for lines in (False, True):
        with out.open("w", encoding="utf-8") as handle:
            stream = JsonStream(handle, lines=lines)
            stream.write(report, ToolInfo())
            stream.close(ToolInfo())
        text = out.read_text(encoding="utf-8")
        document = json.loads(text) if lines else json.loads(text)["documents"][0]
        assert document["path"] == report.path
