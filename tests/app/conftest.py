"""Fixtures of the review-app tests: a temporary SQLite store and untrusted test documents."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.analyze import Analyzer
from analyzer.review import ReviewService
from analyzer.store import ENV_DB_URL, Store

ROOT = Path(__file__).resolve().parents[2]
if str(Path(__file__).parent) not in sys.path:  # the tests import their `app_helpers`
    sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """One analyzer (spaCy pipeline loaded once) for the whole session."""
    return Analyzer(boxes=True)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite database, also exported as SCOPELENS_DB_URL for the app."""
    url = f"sqlite:///{tmp_path / 'review.db'}"
    monkeypatch.setenv(ENV_DB_URL, url)
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A store on the temporary database."""
    with Store.open(db_url) as opened:
        yield opened


@pytest.fixture
def service(store: Store, analyzer: Analyzer) -> ReviewService:
    """A review service on the temporary store."""
    return ReviewService(store, analyzer)
