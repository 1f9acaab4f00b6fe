"""Engine construction and schema creation/migration for the ScopeLens store.

SQLite (the default, a file under the user data dir) runs in WAL mode with foreign keys on, a
10 s busy timeout and `synchronous=NORMAL`; write transactions start with `BEGIN IMMEDIATE` so
that two writers queue on the busy timeout instead of failing on a lock upgrade. PostgreSQL is
reached through psycopg 3.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from analyzer.errors import StoreError
from analyzer.store.schema import SCHEMA_VERSION, Base, SchemaVersionRow, utcnow

ENV_DB_URL = "SCOPELENS_DB_URL"
DEFAULT_DB_FILE = "scopelens.db"
WRITE_OPTION = "scopelens_write"
"""Execution option marking a connection used for a write transaction (BEGIN IMMEDIATE)."""

_PG_LOCK_KEY = 0x5C0_9E15
"""Advisory lock serialising concurrent `create_schema` calls on PostgreSQL."""

Migration = Callable[[Connection], None]


def _add_adjudicated(conn: Connection) -> None:
    """v1 -> v2: `annotations.adjudicated` (the new team tables come from `create_all`)."""
    conn.exec_driver_sql(
        "ALTER TABLE annotations ADD COLUMN adjudicated BOOLEAN NOT NULL DEFAULT FALSE"
    )


MIGRATIONS: dict[int, Migration] = {1: _add_adjudicated}
"""`MIGRATIONS[n]` upgrades a version-n database to version n + 1."""


def default_db_url() -> str:
    """SQLite URL of `scopelens.db` in the user data dir (the directory is created)."""
    import platformdirs

    directory = Path(platformdirs.user_data_dir("scopelens"))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / DEFAULT_DB_FILE}"


def _resolve_url(url: str | None) -> URL:
    raw = url or os.environ.get(ENV_DB_URL) or default_db_url()
    if "://" not in raw:  # a bare file path means a SQLite file
        raw = f"sqlite:///{Path(raw).expanduser().resolve()}"
    try:
        parsed = make_url(raw)
    except ArgumentError as exc:
        raise StoreError(f"invalid database URL: {exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | None = None) -> Engine:
    """Create the engine of the store.

    Args:
        url: SQLAlchemy URL (or a bare SQLite file path). Defaults to the `SCOPELENS_DB_URL`
            environment variable, then to `scopelens.db` under
            `platformdirs.user_data_dir("scopelens")`.

    Returns:
        An engine with the SQLite pragmas (or PostgreSQL options) ScopeLens relies on. The
        caller owns it and should `dispose()` it when done.

    Raises:
        StoreError: The URL is invalid or names an unsupported backend.
    """
    parsed = _resolve_url(url)
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            database = parsed.database
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed)
            _install_sqlite_listeners(engine)
        elif backend == "postgresql":
            connect_args: dict[str, Any] = {}
            if "connect_timeout" not in parsed.query:
                connect_args["connect_timeout"] = 10
            engine = create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
        else:
            raise StoreError(f"unsupported database backend {backend!r}: use sqlite or postgresql")
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot create database engine: {exc}") from None
    return engine


def _install_sqlite_listeners(engine: Engine) -> None:
    """Pragmas on every new connection; explicit BEGIN so writes can be IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # Take transaction control away from the sqlite3 module (SQLAlchemy's documented
        # recipe), so that the "begin" listener below decides how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads and then writes cannot wait for the lock (SQLite
        # returns SQLITE_BUSY at once); IMMEDIATE takes the write lock up front and waits.
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def write_engine(engine: Engine) -> Engine:
    """A view of `engine` whose transactions are write transactions (same pool)."""
    return engine.execution_options(**{WRITE_OPTION: True})


def describe(engine: Engine) -> str:
    """The engine URL with the password hidden, for messages."""
    return engine.url.render_as_string(hide_password=True)


def db_error(action: str, exc: SQLAlchemyError) -> StoreError:
    """Translate a SQLAlchemy error into a one-line StoreError."""
    orig = getattr(exc, "orig", None)
    detail = str(orig if orig is not None else exc).strip().splitlines()
    reason = detail[0] if detail else type(exc).__name__
    return StoreError(f"{action}: {reason}")


def schema_version(engine: Engine) -> int | None:
    """The schema version recorded in the database, or None when there is none yet.

    Raises:
        StoreError: The database cannot be read.
    """
    try:
        with engine.connect() as conn:
            if not engine.dialect.has_table(conn, SchemaVersionRow.__tablename__):
                return None
            return conn.execute(select(SchemaVersionRow.version)).scalar()
    except SQLAlchemyError as exc:
        raise db_error(f"cannot read schema version from {describe(engine)}", exc) from None


def create_schema(engine: Engine) -> None:
    """Create the tables (idempotent) and bring the schema to `SCHEMA_VERSION`.

    Safe to call from several processes at once: SQLite serialises it with `BEGIN IMMEDIATE`,
    PostgreSQL with a transaction-scoped advisory lock.

    Args:
        engine: An engine from `make_engine`.

    Raises:
        StoreError: The database is unreachable, or was written by a newer ScopeLens.
    """
    try:
        with write_engine(engine).begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
            Base.metadata.create_all(conn)
            migrate(conn)
    except SQLAlchemyError as exc:
        raise db_error(f"cannot create schema in {describe(engine)}", exc) from None


def migrate(conn: Connection) -> None:
    """Check the recorded schema version and run the migrations up to `SCHEMA_VERSION`.

    A no-op for a database already at this version. Runs inside the caller's transaction.

    Args:
        conn: A connection inside a write transaction.

    Raises:
        StoreError: The database schema is newer than this code, or a migration is missing.
    """
    row = conn.execute(select(SchemaVersionRow.version).where(SchemaVersionRow.id == 1)).first()
    if row is None:
        # create_all has just built the current schema.
        conn.execute(
            insert(SchemaVersionRow).values(id=1, version=SCHEMA_VERSION, updated_at=utcnow())
        )
        return
    version = int(row[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"database schema version {version} is newer than this ScopeLens supports "
            f"({SCHEMA_VERSION}): upgrade ScopeLens"
        )
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise StoreError(f"no migration from schema version {version} to {version + 1}")
        step(conn)
        version += 1
        conn.execute(
            update(SchemaVersionRow)
            .where(SchemaVersionRow.id == 1)
            .values(version=version, updated_at=utcnow())
        )
