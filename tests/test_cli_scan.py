"""End-to-end: `scopelens scan` over a mixed folder keeps the JSON contract of DESIGN.md."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from design_contract import DOCUMENT_KEYS, FINDING_KEYS
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.types import CATEGORIES, SEVERITIES, is_known_type

TXT_PROPOSAL = (
    "Scope of Work\n\n"
    "We will deliver a user-friendly dashboard and provide full support as needed.\n"
    "The vendor will migrate all data, including but not limited to invoices, etc.\n\n"
    "The Client will provide API access to the ERP.\n"
    "Go-live within 6 weeks; unlimited revisions at no additional cost.\n"
    "Estimated effort: 120 person-days.\n"
)


def _mixed_folder(root: Path, examples_dir: Path, shared: Path | None) -> Path:
    folder = root / "proposals"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(examples_dir / "servicedesk-proposal.docx", folder / "sow.docx")
    shutil.copy(examples_dir / "acme-portal-proposal.md", folder / "nested" / "proposal.md")
    shutil.copy(examples_dir / "data-migration-sow.pdf", folder / "sow.pdf")
    (folder / "notes.txt").write_text(TXT_PROPOSAL, encoding="utf-8")
    pdf_bytes = (examples_dir / "data-migration-sow.pdf").read_bytes()
    (folder / "corrupt.pdf").write_bytes(pdf_bytes[: len(pdf_bytes) // 3])
    docx.Document().save(str(folder / "empty.docx"))
    if shared is not None:
        contracts = sorted((shared / "cuad/CUAD_v1/full_contract_pdf").rglob("*.pdf"))
        if contracts:
            shutil.copy(contracts[0], folder / "contract.pdf")
    return folder


def _check_contract(report: dict, folder: Path) -> None:
    assert set(report) == {"tool", "documents"}
    assert report["tool"]["name"] == "scopelens"
    ids: set[str] = set()
    for document in report["documents"]:
        assert set(document) >= DOCUMENT_KEYS
        assert document["status"] in ("ok", "error")
        if document["status"] == "error":
            assert document["error"] and "\n" not in document["error"]
            assert len(document["error"]) <= 300
            assert document["findings"] == []
            continue
        assert document["error"] is None
        text = None
        if document["path"].endswith(".txt"):
            text = Path(document["path"]).read_text(encoding="utf-8")
        for finding in document["findings"]:
            assert set(finding) >= FINDING_KEYS
            assert finding["id"] not in ids
            ids.add(finding["id"])
            assert finding["category"] in CATEGORIES
            assert is_known_type(finding["category"], finding["type"])
            assert finding["severity"] in SEVERITIES
            assert 0.0 <= finding["confidence"] <= 1.0
            assert finding["source"].split(":", 1)[0] in ("rule", "model", "check")
            if finding["category"] == "missing":
                for key in ("start", "end", "text", "sentence", "page"):
                    assert finding[key] is None
                continue
            assert 0 <= finding["start"] < finding["end"] <= document["text_chars"]
            assert finding["text"] in finding["sentence"]
            if text is not None:
                assert text[finding["start"] : finding["end"]] == finding["text"]


def test_cli_scan_mixed_folder_keeps_contract(tmp_path: Path, examples_dir: Path) -> None:
    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    folder = _mixed_folder(tmp_path, examples_dir, shared if shared.is_dir() else None)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["scan", str(folder), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    paths = {Path(d["path"]).name: d for d in report["documents"]}
    expected = {"sow.docx", "proposal.md", "sow.pdf", "notes.txt", "corrupt.pdf", "empty.docx"}
    assert expected <= set(paths)
    assert paths["corrupt.pdf"]["status"] == "error"
    assert paths["empty.docx"]["status"] == "error"
    for name in ("sow.docx", "proposal.md", "sow.pdf", "notes.txt"):
        assert paths[name]["status"] == "ok", paths[name]["error"]
        assert paths[name]["findings"], name
    if "contract.pdf" in paths:
        assert paths["contract.pdf"]["status"] == "ok"
    _check_contract(report, folder)


def test_cli_scan_txt_finds_every_sentence_category(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(TXT_PROPOSAL, encoding="utf-8")
    # Fast mode: this pins the rule layer's categories end to end; the encoder's accuracy is
    # measured by `scopelens evaluate`, not asserted sentence by sentence here.
    result = CliRunner().invoke(app, ["scan", str(path), "--quiet", "--mode", "fast"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    findings = report["documents"][0]["findings"]
    categories = {f["category"] for f in findings}
    assert {"ambiguity", "commitment", "assumption", "estimate", "missing"} <= categories
    texts = {f["text"] for f in findings if f["category"] == "ambiguity"}
    assert {"as needed", "including but not limited to", "user-friendly"} <= texts


def test_cli_scan_all_failed_exits_nonzero(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"not a pdf at all")
    result = CliRunner().invoke(app, ["scan", str(bad), "--quiet"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["documents"][0]["status"] == "error"
    assert "Traceback" not in result.output


def test_cli_scan_nothing_to_scan_is_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 2
    assert "nothing to scan" in result.output


@pytest.mark.parametrize("fmt", ["csv", "md", "html"])
def test_cli_scan_other_formats(tmp_path: Path, examples_dir: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(
        app, ["scan", str(examples_dir / "acme-portal-proposal.md"), "-f", fmt, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "including but not limited to" in out.read_text(encoding="utf-8")


def test_cli_module_entry_point_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("scopelens ")


def test_cli_scan_parallel_matches_serial(tmp_path: Path, examples_dir: Path) -> None:
    runner = CliRunner()
    serial = runner.invoke(app, ["scan", str(examples_dir), "-j", "1", "-q"])
    parallel = runner.invoke(app, ["scan", str(examples_dir), "-j", "2", "-q"])
    assert serial.exit_code == parallel.exit_code == 0
    assert json.loads(serial.stdout) == json.loads(parallel.stdout)
