"""Store fixtures: every repository test runs on SQLite and on PostgreSQL.

The PostgreSQL variant needs a server on 127.0.0.1:5432 (override with
SCOPELENS_TEST_PG_URL). It is skipped when none answers, except under CI=true, where a missing
server is a failure. Each PostgreSQL test gets a fresh schema (via `search_path`), dropped
afterwards, so runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from analyzer.store import Store, create_schema, make_engine

PG_URL = os.environ.get(
    "SCOPELENS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_conninfo() -> str:
    url = make_url(PG_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_unavailable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers."""
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - psycopg is a dev dependency
        return f"psycopg is not installed: {exc}"
    try:
        with psycopg.connect(_pg_conninfo(), connect_timeout=2):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL does not answer at {make_url(PG_URL).host}: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def pg_available() -> None:
    """Skip (or, under CI=true, fail) when PostgreSQL is not reachable."""
    reason = _pg_unavailable()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture
def pg_url(pg_available: None) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL schema, dropped after the test."""
    import psycopg

    schema = f"scopelens_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo(), autocommit=True, connect_timeout=2) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_pg_conninfo(), autocommit=True, connect_timeout=2) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database URL for an empty database, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'scopelens.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine with the schema created; disposed after the test."""
    engine = make_engine(db_url)
    try:
        create_schema(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def store(engine: Engine) -> Store:
    """A store over the per-test database."""
    return Store(engine)
