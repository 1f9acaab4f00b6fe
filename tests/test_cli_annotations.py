"""`scopelens annotations export` writes the DESIGN.md annotation records from the store."""

from __future__ import annotations

import json
from pathlib import Path

from design_contract import ANNOTATION_KEYS
from typer.testing import CliRunner

from analyzer.analyze import Analyzer
from analyzer.cli import app
from analyzer.store import Store
from analyzer.types import Annotation


def test_cli_annotations_export_writes_records(tmp_path: Path, examples_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    report = Analyzer().analyze_path(examples_dir / "acme-portal-proposal.md")
    assert report.document is not None
    finding = next(f for f in report.findings if f.category == "ambiguity")
    with Store.open(url) as store:
        store.save_document(report.document)
        store.save_analysis(report.document.sha256, report, "0.1.0", None)
        for decision in ("confirm", "dismiss"):
            store.add_annotation(
                Annotation(
                    document_sha256=report.document.sha256,
                    document_name="acme-portal-proposal.md",
                    start=finding.start,
                    end=finding.end,
                    text=finding.text,
                    sentence=finding.sentence,
                    finding_id=finding.id,
                    category=finding.category,
                    type=finding.type,
                    decision=decision,
                    reviewer="j.doe",
                    created_at="",
                    reason="fine here" if decision == "dismiss" else None,
                )
            )
    out = tmp_path / "decisions.jsonl"
    result = CliRunner().invoke(app, ["annotations", "export", "--db", url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["decision"] for r in records] == ["confirm", "dismiss"]
    assert all(list(r) == ANNOTATION_KEYS for r in records)
    assert records[0]["text"] == finding.text
    assert records[1]["reason"] == "fine here"
    current = CliRunner().invoke(app, ["annotations", "export", "--db", url, "--current-only"])
    assert [json.loads(line)["decision"] for line in current.stdout.splitlines()] == ["dismiss"]


def test_cli_annotations_export_bad_database_is_one_line_error(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = CliRunner().invoke(app, ["annotations", "export", "--db", url])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
