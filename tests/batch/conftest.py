"""Fixtures for the batch tests: small folders of text documents and an isolated cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

PROPOSAL = (
    "Scope of Work\n\n"
    "We will deliver a user-friendly dashboard and provide full support as needed.\n"
    "The vendor will migrate all data, including but not limited to invoices, etc.\n\n"
    "The Client will provide API access to the ERP.\n"
    "Go-live within {n} weeks; unlimited revisions at no additional cost.\n"
    "Estimated effort: 120 person-days.\n"
)


@pytest.fixture()
def make_docs(tmp_path: Path) -> Callable[..., list[Path]]:
    """Write text proposals with the given names (each with different content) and return them."""

    def make(*names: str, folder: str = "docs") -> list[Path]:
        root = tmp_path / folder
        root.mkdir(exist_ok=True)
        paths = []
        for i, name in enumerate(names):
            path = root / name
            path.write_text(PROPOSAL.format(n=i + 2), encoding="utf-8")
            paths.append(path)
        return paths

    return make


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own scan cache: never the user's."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SCOPELENS_CACHE_DIR", str(folder))
    return folder
