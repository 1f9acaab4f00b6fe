"""The model-facing commands: --version, --mode, evaluate's guard on the test split, --corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import app

runner = CliRunner()


def test_cli_version_names_the_model_and_mode() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    version, model = result.output.strip().splitlines()
    assert version == "scopelens 0.1.0"
    assert model.startswith("model: scopelens-") and " mode (" in model


def test_cli_help_shows_the_extras_to_install() -> None:
    # Square brackets are not markup in our help: "scopelens[train]" must survive as written.
    for command, extra in (
        (["train", "--help"], "scopelens[train]"),
        (["scan", "--help"], "[dask]"),
    ):
        result = runner.invoke(app, command, terminal_width=200)
        assert result.exit_code == 0
        assert extra in result.output


def test_cli_evaluate_refuses_the_test_split_without_final(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", "--split", "test", "--corpus", str(tmp_path)])
    assert result.exit_code == 2
    assert "only with --final" in result.output


def test_cli_evaluate_without_a_corpus_says_how_to_give_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCOPELENS_CORPUS", raising=False)
    for command in (["evaluate"], ["train"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert "pass --corpus DIR" in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_cli_scan_rejects_an_unknown_mode(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The vendor will deliver a portal.", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(tmp_path / "a.txt"), "--mode", "turbo"])
    assert result.exit_code == 2
    assert "unknown --mode 'turbo'" in result.output


@pytest.mark.parametrize("mode", ["fast", "rules"])
def test_cli_scan_reports_the_mode_it_ran(tmp_path: Path, mode: str) -> None:
    (tmp_path / "a.txt").write_text("The vendor will deliver a portal as needed.", encoding="utf-8")
    out = tmp_path / "r.json"
    result = runner.invoke(
        app, ["scan", str(tmp_path / "a.txt"), "--mode", mode, "-q", "--no-cache", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    tool = json.loads(out.read_text(encoding="utf-8"))["tool"]
    assert tool["mode"] == mode
    assert (tool["model"] is None) == (mode == "rules")
