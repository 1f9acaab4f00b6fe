"""Engine construction, SQLite pragmas, schema creation and the version check."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text, update

from analyzer.errors import StoreError
from analyzer.store import (
    SCHEMA_VERSION,
    Store,
    create_schema,
    default_db_url,
    make_engine,
    schema_version,
)
from analyzer.store.schema import SchemaVersionRow

TABLES = {
    "documents",
    "analyses",
    "findings",
    "annotations",
    "allow_list",
    "schema_version",
    # v2: team use
    "allow_list_changes",
    "users",
    "sign_in_failures",
    "sign_in_locks",
    "projects",
    "project_members",
    "project_documents",
}


def test_store_engine_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    try:
        with engine.connect() as conn:
            pragmas = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
        assert pragmas == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": 10000,
            "synchronous": 1,  # NORMAL
        }
        assert (tmp_path / "sub" / "x.db").exists()
    finally:
        engine.dispose()


def test_store_engine_url_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SCOPELENS_DB_URL", f"sqlite:///{tmp_path / 'env.db'}")
    engine = make_engine()
    try:
        assert engine.url.database == str(tmp_path / "env.db")
    finally:
        engine.dispose()


def test_store_engine_default_is_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import platformdirs

    monkeypatch.delenv("SCOPELENS_DB_URL", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda app: str(tmp_path / "data" / app))
    assert default_db_url() == f"sqlite:///{tmp_path / 'data' / 'scopelens' / 'scopelens.db'}"
    engine = make_engine()
    try:
        assert engine.url.database == str(tmp_path / "data" / "scopelens" / "scopelens.db")
        assert (tmp_path / "data" / "scopelens").is_dir()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "url", ["postgresql://u@h/db", "postgres://u@h/db", "postgresql+psycopg://u@h/db"]
)
def test_store_engine_postgres_uses_psycopg(url: str) -> None:
    engine = make_engine(url)  # no connection is made until first use
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_store_engine_bare_path_is_sqlite(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "plain.db"))
    try:
        assert engine.dialect.name == "sqlite"
        assert engine.url.database == str(tmp_path / "plain.db")
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url://"])
def test_store_engine_rejects_unsupported(url: str) -> None:
    with pytest.raises(StoreError):
        make_engine(url)


def test_store_engine_unreachable_is_store_error(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}")  # a directory cannot be opened as a db
    try:
        with pytest.raises(StoreError) as info:
            create_schema(engine)
        assert "\n" not in str(info.value)
        assert str(info.value).startswith("cannot create schema")
    finally:
        engine.dispose()


def test_store_schema_created_and_idempotent(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= TABLES
    create_schema(engine)  # second call: no error, still one version row
    assert schema_version(engine) == SCHEMA_VERSION == 2
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM schema_version")).scalar() == 1


def test_store_schema_indexes(engine: Engine) -> None:
    inspector = inspect(engine)
    columns = {tuple(ix["column_names"]) for ix in inspector.get_indexes("annotations")}
    assert ("document_id", "finding_id", "reviewer", "created_at") in columns
    assert ("document_id",) in columns
    assert ("analysis_id",) in {
        tuple(ix["column_names"]) for ix in inspector.get_indexes("findings")
    }
    assert ("document_id",) in {
        tuple(ix["column_names"]) for ix in inspector.get_indexes("analyses")
    }


def test_store_schema_newer_database_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(SchemaVersionRow).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="newer than this ScopeLens"):
        create_schema(engine)


def test_store_schema_version_none_before_create(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert schema_version(engine) is None
    finally:
        engine.dispose()


def test_store_open_owns_engine(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'own.db'}") as store:
        assert store.list_documents() == []
    engine = make_engine(f"sqlite:///{tmp_path / 'own.db'}")
    try:
        assert schema_version(engine) == SCHEMA_VERSION
    finally:
        engine.dispose()
