"""Dask distributed: the same scan on a two-worker local cluster gives the same findings."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from analyzer.batch import ScanItem, Scanner, iter_files  # noqa: E402
from analyzer.cache import ScanCache  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """A two-process local cluster (the shape of a real one: no shared memory)."""
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def _folder(tmp_path: Path, examples_dir: Path) -> Path:
    folder = tmp_path / "deal"
    folder.mkdir()
    for name in ("servicedesk-proposal.docx", "acme-portal-proposal.md", "data-migration-sow.pdf"):
        shutil.copy(examples_dir / name, folder / name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 broken")
    return folder


def _canonical(reports: list) -> list[str]:
    return sorted(json.dumps(r.to_dict(), sort_keys=True) for r in reports)


def test_dask_scan_equals_local_scan(client: object, tmp_path: Path, examples_dir: Path) -> None:
    folder = _folder(tmp_path, examples_dir)
    local = Scanner(jobs=2, timeout=120)
    local_reports = list(local.run(iter_files([folder])))
    on_dask = Scanner(dask_client=client, timeout=120, cache=ScanCache(tmp_path / "c", "f"))
    dask_reports = list(on_dask.run(iter_files([folder])))
    assert _canonical(dask_reports) == _canonical(local_reports)
    assert on_dask.tool == local.tool
    assert on_dask.tool.model is not None
    assert {r.status for r in dask_reports} == {"ok", "error"}
    again = Scanner(dask_client=client, timeout=120, cache=ScanCache(tmp_path / "c", "f"))
    assert _canonical(list(again.run(iter_files([folder])))) == _canonical(local_reports)
    assert (again.stats.cached, again.stats.analysed) == (4, 0)  # a corrupt file stays corrupt


def test_dask_missing_file_is_an_error_report(client: object, tmp_path: Path) -> None:
    scanner = Scanner(dask_client=client, model_dir=None)
    gone = tmp_path / "gone.txt"
    reports = list(scanner.run([ScanItem(str(gone))]))
    assert reports[0].status == "error"
    assert "not found" in reports[0].error
